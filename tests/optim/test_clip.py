"""Gradient clipping without torch."""

import math

import numpy as np
import pytest

import autograd as ag
import optim


def _with_grads(*grads, dtype=np.float64):
    params = []
    for g in grads:
        p = ag.Tensor(np.zeros(np.shape(g), dtype=dtype), requires_grad=True)
        p.grad = ag.Tensor(np.array(g, dtype=dtype))
        params.append(p)
    return params


def test_clip_grad_norm_rescales_to_max_norm_and_returns_the_total_norm():
    params = _with_grads([3.0, 0.0], [[4.0]])  # ‖∇‖ = 5 over both
    versions = [p.grad._version for p in params]
    total = optim.clip_grad_norm_(params, max_norm=1.0)
    assert isinstance(total, ag.Tensor) and total.item() == pytest.approx(5.0, rel=1e-15)
    coef = 1.0 / (5.0 + 1e-6)
    np.testing.assert_allclose(params[0].grad.array, [3 * coef, 0.0], rtol=1e-15)
    np.testing.assert_allclose(params[1].grad.array, [[4 * coef]], rtol=1e-15)
    assert [p.grad._version for p in params] == [v + 1 for v in versions]


def test_clip_grad_norm_leaves_small_gradients_alone():
    params = _with_grads([0.3, 0.4])
    before = params[0].grad.array.copy()
    assert optim.clip_grad_norm_(params, max_norm=1.0).item() == pytest.approx(0.5)
    assert np.array_equal(params[0].grad.array, before)


@pytest.mark.parametrize("norm_type,expected", [(1, 8.0), (math.inf, 4.0), ("inf", 4.0), (3, (27 + 1 + 64) ** (1 / 3))])
def test_clip_grad_norm_other_norms(norm_type, expected):
    params = _with_grads([3.0, -1.0], [-4.0])
    assert optim.clip_grad_norm_(params, 100.0, norm_type=norm_type).item() == pytest.approx(expected, rel=1e-14)


def test_clip_grad_norm_skips_parameters_without_grad_and_accepts_one_tensor():
    params = _with_grads([6.0, 8.0])
    params.append(ag.Tensor(np.ones(2), requires_grad=True))
    assert optim.clip_grad_norm_(params, 5.0).item() == pytest.approx(10.0)
    assert params[1].grad is None
    single = _with_grads([6.0, 8.0])[0]
    optim.clip_grad_norm_(single, 5.0)
    np.testing.assert_allclose(single.grad.array, [3.0, 4.0], rtol=1e-6)
    assert optim.clip_grad_norm_([], 1.0).item() == 0.0


def test_clip_grad_norm_keeps_float32():
    params = _with_grads([3.0, 4.0], dtype=np.float32)
    total = optim.clip_grad_norm_(params, 1.0)
    assert params[0].grad.array.dtype == np.float32 and total.dtype == np.float32


def test_clip_grad_norm_non_finite():
    params = _with_grads([np.inf, 1.0])
    with pytest.raises(RuntimeError, match="non-finite"):
        optim.clip_grad_norm_(params, 1.0, error_if_nonfinite=True)
    with np.errstate(invalid="ignore"):
        total = optim.clip_grad_norm_(params, 1.0)
    assert math.isinf(total.item())


def test_clip_grad_value_clamps_each_entry_in_place():
    params = _with_grads([-2.0, 0.1, 3.0])
    buf = params[0].grad.array
    optim.clip_grad_value_(params, 0.5)
    assert params[0].grad.array is buf and np.array_equal(buf, [-0.5, 0.1, 0.5])
