"""Every primitive's VJP against central finite differences (float64), first and second order."""

import numpy as np
import pytest
from op_table import make_inputs, params, second_order_params

import autograd as ag

PARAMS = [(c, s, i) for c, s, i in params() if c.grad]


@pytest.mark.parametrize("case,shapes", [(c, s) for c, s, _ in PARAMS], ids=[i for *_, i in PARAMS])
def test_gradcheck(case, shapes):
    rng = np.random.default_rng(0)
    xs = [ag.tensor(a, requires_grad=True) for a in make_inputs(case, shapes, rng)]
    assert ag.gradcheck(case.fn, xs, eps=case.eps, atol=1e-6, rtol=1e-5)
    # The backward also gives gradients of the inputs' own shapes, empty inputs included.
    out = case.fn(*xs)
    out.backward(ag.tensor(rng.standard_normal(out.shape)))
    for x in xs:
        assert x.grad is not None and x.grad.shape == x.shape and x.grad.dtype == x.dtype


SECOND = second_order_params()


@pytest.mark.parametrize("case,shapes", [(c, s) for c, s, _ in SECOND], ids=[i for *_, i in SECOND])
def test_gradgradcheck(case, shapes):
    rng = np.random.default_rng(1)
    xs = [ag.tensor(a, requires_grad=True) for a in make_inputs(case, shapes, rng)]
    assert ag.gradgradcheck(case.fn, xs, eps=case.eps, atol=1e-5, rtol=1e-4)


@pytest.mark.parametrize("case,shapes", [(c, s) for c, s, _ in PARAMS], ids=[i for *_, i in PARAMS])
def test_float32_stays_float32(case, shapes):
    rng = np.random.default_rng(2)
    xs = [ag.tensor(a.astype(np.float32), requires_grad=True) for a in make_inputs(case, shapes, rng)]
    out = case.fn(*xs)
    assert out.dtype == np.float32, f"{case.name} forward gave {out.dtype}"
    out.backward(ag.ones_like(out))
    for x in xs:
        assert x.grad.dtype == np.float32, f"{case.name} backward gave {x.grad.dtype}"
