"""The vectorized erf against the standard library's, over the whole line."""

import math

import numpy as np

from autograd.special import erf_array


def test_erf_matches_math_erf_to_rounding():
    x = np.concatenate([np.linspace(-10, 10, 20001), [0.0, -0.0, 1.0, -1.0, 8.0, -8.0, 1e-300, 26.9, 27.0, 40.0]])
    expected = np.array([math.erf(v) for v in x])
    np.testing.assert_allclose(erf_array(x), expected, rtol=1e-15, atol=4e-16)


def test_erf_special_values_and_dtype():
    out = erf_array(np.array([np.inf, -np.inf, np.nan]))
    assert out[0] == 1.0 and out[1] == -1.0 and np.isnan(out[2])
    assert erf_array(np.zeros(3, dtype=np.float32)).dtype == np.float32
