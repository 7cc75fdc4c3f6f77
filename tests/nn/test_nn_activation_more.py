"""Hardshrink, Softshrink, Tanhshrink, Threshold, RReLU and Softmax2d against torch.nn (float64), RReLU's
random slopes at train time, and the in-place functions (``F.relu_`` ..., ``inplace=True``) against
PyTorch's, outside autograd and under it."""

import numpy as np
import pytest
from nn_testutil import compare_twins

import autograd as ag
import nn
import nn.functional as F

torch = pytest.importorskip("torch")
tnn = torch.nn
TF = torch.nn.functional


def _x(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape) * 1.5


TWINS = [
    ("hardshrink", lambda: nn.Hardshrink(), lambda: tnn.Hardshrink(), (4, 5)),
    ("hardshrink-lambd", lambda: nn.Hardshrink(1.1), lambda: tnn.Hardshrink(1.1), (3, 4)),
    ("softshrink", lambda: nn.Softshrink(), lambda: tnn.Softshrink(), (4, 5)),
    ("softshrink-lambd", lambda: nn.Softshrink(0.9), lambda: tnn.Softshrink(0.9), (2, 3, 4)),
    ("tanhshrink", nn.Tanhshrink, tnn.Tanhshrink, (4, 5)),
    ("threshold", lambda: nn.Threshold(0.1, 20.0), lambda: tnn.Threshold(0.1, 20.0), (4, 5)),
    ("threshold-neg", lambda: nn.Threshold(-0.5, -3.0), lambda: tnn.Threshold(-0.5, -3.0), (3, 2)),
    ("rrelu-eval", lambda: nn.RReLU().eval(), lambda: tnn.RReLU().eval(), (4, 5)),
    ("rrelu-eval-bounds", lambda: nn.RReLU(0.2, 0.6).eval(), lambda: tnn.RReLU(0.2, 0.6).eval(), (4, 5)),
    ("softmax2d-4d", nn.Softmax2d, tnn.Softmax2d, (2, 3, 4, 2)),
    ("softmax2d-3d", nn.Softmax2d, tnn.Softmax2d, (3, 4, 2)),
]


@pytest.mark.parametrize("make, make_torch, shape", [t[1:] for t in TWINS], ids=[t[0] for t in TWINS])
def test_matches_torch(make, make_torch, shape):
    compare_twins(make(), make_torch(), _x(*shape), tol=1e-12)


def test_rrelu_training_draws_a_slope_per_negative_entry():
    x = ag.tensor(_x(200, 50), requires_grad=True)
    out = nn.RReLU(0.1, 0.3, generator=np.random.default_rng(3)).train()(x)
    z, a = x.numpy(), out.numpy()
    neg = z < 0
    slopes = a[neg] / z[neg]
    assert slopes.min() >= 0.1 and slopes.max() <= 0.3
    assert abs(slopes.mean() - 0.2) < 0.005 and slopes.std() > 0.05  # U(0.1, 0.3): mean 0.2, std 0.058
    np.testing.assert_array_equal(a[~neg], z[~neg])
    out.sum().backward()
    np.testing.assert_allclose(x.grad.numpy()[neg], slopes, rtol=1e-12)  # δ = g ⊙ a, the same noise
    np.testing.assert_array_equal(x.grad.numpy()[~neg], 1.0)
    again = nn.RReLU(0.1, 0.3, generator=np.random.default_rng(3)).train()(x)
    np.testing.assert_array_equal(again.numpy(), a)  # a seeded generator repeats


def test_rrelu_rejects_bad_bounds():
    with pytest.raises(ValueError, match="lower <= upper"):
        nn.RReLU(0.5, 0.2)
    with pytest.raises(ValueError, match="lower <= upper"):
        F.rrelu(ag.randn(3), 0.5, 0.2, training=True)


def _celu_exact(x, alpha):
    """celu written out in torch: PyTorch's own celu backward goes through the output (4e-8 off in float64)."""
    return torch.where(x > 0, x, alpha * torch.expm1(x / alpha))


INPLACE = [
    ("relu_", lambda x: F.relu_(x), lambda x: TF.relu_(x)),
    ("leaky_relu_", lambda x: F.leaky_relu_(x, 0.2), lambda x: TF.leaky_relu_(x, 0.2)),
    ("elu_", lambda x: F.elu_(x, 0.7), lambda x: TF.elu_(x, 0.7)),
    ("selu_", lambda x: F.selu_(x), lambda x: TF.selu_(x)),
    ("celu_", lambda x: F.celu_(x, 0.6), lambda x: TF.celu_(x, 0.6), lambda x: _celu_exact(x, 0.6)),
    ("hardtanh_", lambda x: F.hardtanh_(x, -0.5, 0.8), lambda x: TF.hardtanh_(x, -0.5, 0.8)),
    ("threshold_", lambda x: F.threshold_(x, 0.3, -2.0), lambda x: TF.threshold_(x, 0.3, -2.0)),
    ("rrelu_", lambda x: F.rrelu_(x, 0.1, 0.4), lambda x: TF.rrelu_(x, 0.1, 0.4)),
    ("relu-inplace", lambda x: F.relu(x, inplace=True), lambda x: TF.relu(x, inplace=True)),
    ("leaky-inplace", lambda x: F.leaky_relu(x, 0.3, True), lambda x: TF.leaky_relu(x, 0.3, True)),
    ("elu-inplace", lambda x: F.elu(x, inplace=True), lambda x: TF.elu(x, inplace=True)),
    ("selu-inplace", lambda x: F.selu(x, True), lambda x: TF.selu(x, True)),
    ("celu-inplace", lambda x: F.celu(x, 1.3, True), lambda x: TF.celu(x, 1.3, True), lambda x: _celu_exact(x, 1.3)),
    ("hardtanh-inplace", lambda x: F.hardtanh(x, inplace=True), lambda x: TF.hardtanh(x, inplace=True)),
    ("threshold-inplace", lambda x: F.threshold(x, 0.0, 5.0, True), lambda x: TF.threshold(x, 0.0, 5.0, True)),
    ("rrelu-inplace", lambda x: F.rrelu(x, inplace=True), lambda x: TF.rrelu(x, inplace=True)),
    ("Threshold-module", lambda x: nn.Threshold(0.2, 1.0, True)(x), lambda x: tnn.Threshold(0.2, 1.0, True)(x)),
]


@pytest.mark.parametrize("fn, torch_fn", [c[1:3] for c in INPLACE], ids=[c[0] for c in INPLACE])
def test_inplace_outside_autograd_writes_the_input(fn, torch_fn):
    data = _x(3, 4)
    x, tx = ag.tensor(data), torch.tensor(data)
    view = x.numpy()
    assert fn(x) is x
    torch_fn(tx)
    np.testing.assert_allclose(x.numpy(), tx.numpy(), rtol=1e-12)
    np.testing.assert_allclose(view, tx.numpy(), rtol=1e-12)  # the array itself changed
    assert x._version == 1


@pytest.mark.parametrize("fn, torch_fn", [(c[1], c[-1]) for c in INPLACE], ids=[c[0] for c in INPLACE])
def test_inplace_under_autograd_matches_torch_gradients(fn, torch_fn):
    """Values and gradients as PyTorch's (for celu, as the exact celu written in torch ops)."""
    data, g = _x(3, 4), _x(3, 4, seed=1)
    leaf, tleaf = ag.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    y, ty = leaf * 2.0, tleaf * 2.0
    assert fn(y) is y
    ty = torch_fn(ty)
    np.testing.assert_allclose(y.numpy(), ty.detach().numpy(), rtol=1e-12)
    (y * ag.tensor(g)).sum().backward()
    (ty * torch.tensor(g)).sum().backward()
    np.testing.assert_allclose(leaf.grad.numpy(), tleaf.grad.numpy(), rtol=1e-12)


def test_inplace_on_a_leaf_that_requires_grad_is_refused():
    with pytest.raises(RuntimeError, match="leaf tensor that requires grad"):
        F.relu_(ag.randn(3, requires_grad=True))


def test_bad_inputs():
    with pytest.raises(ValueError, match="lambd must be greater or equal to 0"):
        F.softshrink(ag.randn(3), -0.1)
    with pytest.raises(ag.ShapeError, match=r"Softmax2d.*\(2, 3\)"):
        nn.Softmax2d()(ag.randn(2, 3))
