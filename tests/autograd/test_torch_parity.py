"""Every primitive's value and gradient equal PyTorch's (float64, 1e-6)."""

import numpy as np
import pytest
from op_table import make_inputs, params

import autograd as ag

torch = pytest.importorskip("torch")

PARAMS = params()


@pytest.mark.parametrize("case,shapes", [(c, s) for c, s, _ in PARAMS], ids=[i for *_, i in PARAMS])
def test_matches_torch(case, shapes):
    rng = np.random.default_rng(3)
    arrays = make_inputs(case, shapes, rng)
    xs = [ag.tensor(a, requires_grad=True) for a in arrays]
    ts = [torch.tensor(a, requires_grad=True) for a in arrays]
    out = case.fn(*xs)
    tout = (case.torch_fn or case.fn)(*ts)
    assert out.shape == tuple(tout.shape)
    np.testing.assert_allclose(out.array, tout.detach().numpy(), rtol=1e-6, atol=1e-12)
    if not case.grad:
        assert out.dtype == tout.detach().numpy().dtype
        return
    weights = rng.standard_normal(out.shape)
    (out * ag.tensor(weights)).sum().backward()
    (tout * torch.tensor(weights)).sum().backward()
    for i, (x, t) in enumerate(zip(xs, ts)):
        np.testing.assert_allclose(
            x.grad.array, t.grad.numpy(), rtol=1e-6, atol=1e-12, err_msg=f"{case.name}: input {i}"
        )


def test_max_tie_rules_match_torch():
    """Full max splits the gradient among ties; max(dim) routes it to one index; maximum halves."""
    a = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]])
    x = ag.tensor(a, requires_grad=True)
    t = torch.tensor(a, requires_grad=True)
    x.max().backward()
    t.max().backward()
    np.testing.assert_allclose(x.grad.array, t.grad.numpy())
    x.grad = None
    t.grad = None
    x.max(dim=1).values.sum().backward()
    t.max(dim=1).values.sum().backward()
    np.testing.assert_allclose(x.grad.array, t.grad.numpy())
    x.grad = None
    t.grad = None
    x.amax(dim=1).sum().backward()
    t.amax(dim=1).sum().backward()
    np.testing.assert_allclose(x.grad.array, t.grad.numpy())
    y = ag.tensor(a[::-1].copy(), requires_grad=True)
    ty = torch.tensor(a[::-1].copy(), requires_grad=True)
    x.grad = None
    t.grad = None
    ag.maximum(x, y).sum().backward()
    torch.maximum(t, ty).sum().backward()
    np.testing.assert_allclose(x.grad.array, t.grad.numpy())
    np.testing.assert_allclose(y.grad.array, ty.grad.numpy())


def test_second_derivatives_match_torch():
    rng = np.random.default_rng(4)
    a, w = rng.standard_normal((3, 4)), rng.standard_normal((4, 2))
    x, W = ag.tensor(a, requires_grad=True), ag.tensor(w, requires_grad=True)
    tx, tW = torch.tensor(a, requires_grad=True), torch.tensor(w, requires_grad=True)
    (gx,) = ag.grad(((x @ W).tanh().sigmoid() * x.sum()).sum(), x, create_graph=True)
    (tgx,) = torch.autograd.grad(((tx @ tW).tanh().sigmoid() * tx.sum()).sum(), tx, create_graph=True)
    (gx * gx).sum().backward()
    (tgx * tgx).sum().backward()
    np.testing.assert_allclose(x.grad.array, tx.grad.numpy(), rtol=1e-6)
    np.testing.assert_allclose(W.grad.array, tW.grad.numpy(), rtol=1e-6)
