"""Layers: values against NumPy formulas, gradcheck (float64), bad input, dtype, dropout statistics."""

import math

import numpy as np
import pytest
from nn_testutil import gradcheck_module, t64

import autograd as ag
import nn
import nn.functional as F


# --- gradcheck for every layer -------------------------------------------------------------------
@pytest.mark.parametrize(
    "make, shape",
    [
        (lambda: nn.Linear(3, 2), (4, 3)),
        (lambda: nn.Linear(3, 2, bias=False), (2, 2, 3)),
        (lambda: nn.Maxout(3, 2, pieces=3), (4, 3)),
        (lambda: nn.ReLU(), (3, 4)),
        (lambda: nn.LeakyReLU(0.2), (3, 4)),
        (lambda: nn.PReLU(), (3, 4)),
        (lambda: nn.PReLU(num_parameters=3, init=0.1), (2, 3, 2)),
        (lambda: nn.GELU(), (3, 4)),
        (lambda: nn.GELU(approximate="tanh"), (3, 4)),
        (lambda: nn.ELU(alpha=0.7), (3, 4)),
        (lambda: nn.SELU(), (3, 4)),
        (lambda: nn.Sigmoid(), (3, 4)),
        (lambda: nn.Tanh(), (3, 4)),
        (lambda: nn.Softplus(beta=2.0), (3, 4)),
        (lambda: nn.ReLU6(), (3, 4)),
        (lambda: nn.Hardtanh(-0.5, 0.5), (3, 4)),
        (lambda: nn.Hardsigmoid(), (3, 4)),
        (lambda: nn.Hardswish(), (3, 4)),
        (lambda: nn.Mish(), (3, 4)),
        (lambda: nn.Softsign(), (3, 4)),
        (lambda: nn.LogSigmoid(), (3, 4)),
        (lambda: nn.CELU(alpha=0.5), (3, 4)),
        (lambda: nn.GLU(), (3, 4)),
        (lambda: nn.Softmin(dim=1), (3, 4)),
        (lambda: nn.Softmax(dim=1), (3, 4)),
        (lambda: nn.LogSoftmax(dim=0), (3, 4)),
        (lambda: nn.Flatten(), (2, 3, 2)),
        (lambda: nn.Identity(), (2, 3)),
        (lambda: nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2)), (5, 3)),
    ],
)
@pytest.mark.parametrize("mode", ["train", "eval"])
def test_gradcheck_layers(make, shape, mode):
    ag.manual_seed(1)
    module = make()
    module.train(mode == "train")
    assert gradcheck_module(module, t64(*shape, seed=2))


def test_gradcheck_dropout_with_a_fixed_mask():
    drop = nn.Dropout(0.4)

    def fn(x):
        drop.generator = np.random.default_rng(7)  # the same mask on every call
        return drop(x)

    assert ag.gradcheck(fn, (t64(4, 5),))


def test_gradcheck_linear_dropconnect_with_a_fixed_mask():
    lin = nn.Linear(3, 2, dropconnect=0.5).double()

    def fn(x, w, b):
        lin.generator = np.random.default_rng(3)
        return lin(x)

    assert ag.gradcheck(fn, (t64(4, 3), lin.weight, lin.bias))


# --- Linear ----------------------------------------------------------------------------------------
def test_linear_matches_numpy_and_pytorch_layout():
    ag.manual_seed(0)
    lin = nn.Linear(5, 3)
    assert lin.weight.shape == (3, 5) and lin.bias.shape == (3,)
    bound = 1 / math.sqrt(5)
    assert np.abs(lin.weight.array).max() <= bound and np.abs(lin.bias.array).max() <= bound
    x = ag.randn(4, 5)
    np.testing.assert_allclose(lin(x).array, x.array @ lin.weight.array.T + lin.bias.array, rtol=1e-6)
    assert lin(ag.randn(2, 7, 5)).shape == (2, 7, 3)
    assert lin(x).grad_fn.name() == "LinearBackward0"  # the fused primitive, one node


def test_linear_init_is_reproducible_from_the_seed_or_a_generator():
    ag.manual_seed(5)
    a = nn.Linear(4, 4).weight.array.copy()
    ag.manual_seed(5)
    b = nn.Linear(4, 4).weight.array
    np.testing.assert_array_equal(a, b)
    c = nn.Linear(4, 4, generator=np.random.default_rng(1)).weight.array
    d = nn.Linear(4, 4, generator=np.random.default_rng(1)).weight.array
    np.testing.assert_array_equal(c, d)


def test_linear_wrong_feature_size_names_expected_and_given():
    lin = nn.Linear(4, 2)
    with pytest.raises(ag.ShapeError, match=r"expected 4, given 3") as info:
        lin(ag.zeros(5, 3))
    assert "(5, 3)" in str(info.value)
    net = nn.Sequential(nn.Linear(4, 3), nn.Linear(4, 1))
    with pytest.raises(ag.ShapeError, match=r"^1: Linear\(in_features=4"):
        net(ag.zeros(2, 4))
    with pytest.raises(ValueError, match="positive"):
        nn.Linear(0, 2)


def test_dropconnect_drops_weights_only_in_training():
    ag.manual_seed(0)
    lin = nn.Linear(50, 40, dropconnect=0.5)
    x = ag.randn(1, 50)
    lin.eval()
    np.testing.assert_allclose(lin(x).array, F.linear(x, lin.weight, lin.bias).array)
    lin.train()
    out = lin(x)
    out.sum().backward()
    dropped = lin.weight.grad.array == 0
    assert 0.4 < dropped.mean() < 0.6  # about half the weights got no gradient
    kept = ~dropped
    np.testing.assert_allclose(lin.weight.grad.array[kept], np.broadcast_to(2 * x.array, (40, 50))[kept], rtol=1e-6)


# --- activations -----------------------------------------------------------------------------------
def _np_erf(z):
    return np.vectorize(math.erf)(z)


SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


@pytest.mark.parametrize(
    "module, reference",
    [
        (nn.ReLU(), lambda z: np.maximum(z, 0)),
        (nn.LeakyReLU(0.1), lambda z: np.where(z > 0, z, 0.1 * z)),
        (nn.PReLU(init=0.375), lambda z: np.where(z > 0, z, 0.375 * z)),  # exact in float32
        (nn.GELU(), lambda z: 0.5 * z * (1 + _np_erf(z / math.sqrt(2)))),
        (nn.GELU("tanh"), lambda z: 0.5 * z * (1 + np.tanh(math.sqrt(2 / math.pi) * (z + 0.044715 * z**3)))),
        (nn.ELU(0.5), lambda z: np.where(z > 0, z, 0.5 * np.expm1(z))),
        (nn.SELU(), lambda z: SELU_SCALE * np.where(z > 0, z, SELU_ALPHA * np.expm1(z))),
        (nn.Sigmoid(), lambda z: 1 / (1 + np.exp(-z))),
        (nn.Tanh(), np.tanh),
        (nn.Softplus(), lambda z: np.log1p(np.exp(z))),
        (nn.Softmax(dim=1), lambda z: np.exp(z) / np.exp(z).sum(1, keepdims=True)),
        (nn.LogSoftmax(dim=1), lambda z: z - np.log(np.exp(z).sum(1, keepdims=True))),
    ],
)
def test_activation_values(module, reference):
    z = np.random.default_rng(0).standard_normal((4, 6)) * 2
    out = module.double()(ag.tensor(z, dtype=np.float64))
    np.testing.assert_allclose(out.array, reference(z), rtol=1e-12, atol=1e-12)


def test_prelu_learns_one_slope_per_channel():
    act = nn.PReLU(num_parameters=2, init=0.5)
    x = ag.tensor([[[-1.0, 2.0], [-3.0, -4.0]]])  # (N=1, C=2, L=2)
    out = act(x)
    np.testing.assert_allclose(out.array, [[[-0.5, 2.0], [-1.5, -2.0]]])
    out.sum().backward()
    np.testing.assert_allclose(act.weight.grad.array, [-1.0, -7.0])  # Σ z over the negative entries
    with pytest.raises(ag.ShapeError, match="2 slopes"):
        act(ag.zeros(2, 3))


def test_maxout_takes_the_max_piece_and_routes_gradient_to_it_only():
    ag.manual_seed(0)
    layer = nn.Maxout(3, 2, pieces=4)
    assert layer.weight.shape == (8, 3) and layer.bias.shape == (8,)
    x = ag.randn(1, 3)
    z = x.array @ layer.weight.array.T + layer.bias.array
    pieces = z.reshape(1, 2, 4)
    out = layer(x)
    np.testing.assert_allclose(out.array, pieces.max(-1), rtol=1e-6)
    out.sum().backward()
    winners = {j * 4 + int(pieces[0, j].argmax()) for j in range(2)}
    for row in range(8):
        grad_row = layer.weight.grad.array[row]
        if row in winners:
            np.testing.assert_allclose(grad_row, x.array[0], rtol=1e-6)
        else:
            assert np.all(grad_row == 0)
    with pytest.raises(ValueError, match="pieces"):
        nn.Maxout(3, 2, pieces=0)
    with pytest.raises(ag.ShapeError, match="expected 3 features, given 4"):
        layer(ag.zeros(2, 4))


def test_flatten_and_identity():
    x = ag.randn(2, 3, 4)
    assert nn.Flatten()(x).shape == (2, 12)
    assert nn.Flatten(0, 1)(x).shape == (6, 4)
    assert nn.Identity(54, unused=1)(x) is x


# --- dropout ---------------------------------------------------------------------------------------
def test_dropout_eval_is_identity():
    drop = nn.Dropout(0.5).eval()
    x = ag.randn(10, 10)
    assert drop(x) is x


def test_dropout_keeps_the_expected_value():
    ag.manual_seed(123)
    p = 0.3
    x = ag.ones(200_000)
    out = nn.Dropout(p)(x).array
    kept = out != 0
    # inverted dropout: kept units are scaled by 1/(1 - p); the drop rate is p
    np.testing.assert_allclose(out[kept], 1 / (1 - p), rtol=1e-6)
    sigma_rate = math.sqrt(p * (1 - p) / x.shape[0])
    assert abs((1 - kept.mean()) - p) < 5 * sigma_rate
    sigma_mean = math.sqrt(p / (1 - p) / x.shape[0])
    assert abs(out.mean() - 1.0) < 5 * sigma_mean


def test_dropout_gradient_is_the_mask():
    ag.manual_seed(3)
    x = ag.randn(50, 20, requires_grad=True)
    out = nn.Dropout(0.25)(x)
    out.sum().backward()
    grad = x.grad.array
    kept = grad != 0
    assert 0 < kept.sum() < kept.size
    np.testing.assert_allclose(grad[kept], 1 / 0.75, rtol=1e-6)  # ∂a/∂h = m/(1 − p)
    np.testing.assert_allclose(out.array, x.array * grad, rtol=1e-6)


def test_dropout_randomness_follows_the_seed_and_generator():
    ag.manual_seed(9)
    a = nn.Dropout(0.5)(ag.ones(100)).array
    ag.manual_seed(9)
    b = nn.Dropout(0.5)(ag.ones(100)).array
    np.testing.assert_array_equal(a, b)
    c = nn.Dropout(0.5, generator=np.random.default_rng(4))(ag.ones(100)).array
    d = nn.Dropout(0.5, generator=np.random.default_rng(4))(ag.ones(100)).array
    np.testing.assert_array_equal(c, d)


def test_dropout_edge_probabilities_and_bad_p():
    x = ag.randn(30)
    assert np.all(nn.Dropout(1.0)(x).array == 0)
    assert nn.Dropout(0.0)(x) is x
    with pytest.raises(ValueError, match="between 0 and 1"):
        F.dropout(x, 1.5)
    with pytest.raises(ValueError, match="drop probability"):
        nn.Dropout(-0.1)


# --- float32 stays float32 -------------------------------------------------------------------------
@pytest.mark.parametrize(
    "make, shape",
    [
        (lambda: nn.Linear(3, 2), (4, 3)),
        (lambda: nn.Linear(3, 2, dropconnect=0.3), (4, 3)),
        (lambda: nn.Maxout(3, 2), (4, 3)),
        (lambda: nn.PReLU(3), (4, 3)),
        (lambda: nn.GELU(), (4, 3)),
        (lambda: nn.GELU("tanh"), (4, 3)),
        (lambda: nn.ELU(), (4, 3)),
        (lambda: nn.SELU(), (4, 3)),
        (lambda: nn.Hardswish(), (4, 3)),
        (lambda: nn.Mish(), (4, 3)),
        (lambda: nn.LogSigmoid(), (4, 3)),
        (lambda: nn.CELU(0.5), (4, 3)),
        (lambda: nn.GLU(0), (4, 3)),
        (lambda: nn.Softmin(), (4, 3)),
        (lambda: nn.Softmax(), (4, 3)),
        (lambda: nn.LogSoftmax(), (4, 3)),
        (lambda: nn.Dropout(0.5), (4, 3)),
        (lambda: nn.BatchNorm1d(3), (4, 3)),
        (lambda: nn.BatchNorm2d(3), (2, 3, 2, 2)),
        (lambda: nn.LayerNorm(3), (4, 3)),
    ],
)
@pytest.mark.parametrize("mode", ["train", "eval"])
def test_float32_stays_float32(make, shape, mode):
    ag.manual_seed(0)
    module = make().train(mode == "train")
    x = ag.randn(*shape, requires_grad=True)
    out = module(x)
    assert out.dtype == np.float32
    (out * out).sum().backward()
    assert x.grad.dtype == np.float32
    for name, p in module.named_parameters():
        assert p.dtype == np.float32 and p.grad.dtype == np.float32, name
    for name, b in module.named_buffers():
        assert b.dtype in (np.float32, np.int64), name
