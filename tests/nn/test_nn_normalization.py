"""BatchNorm and LayerNorm: batch statistics, running estimates, closed-form backward (gradcheck)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nn_testutil import gradcheck_module, t64

import autograd as ag
import nn
import nn.functional as F


def _randomize_affine(module, seed=0):
    rng = np.random.default_rng(seed)
    for p in module.parameters():
        p.array[...] = rng.standard_normal(p.shape)


@pytest.mark.parametrize(
    "make, shape",
    [
        (lambda: nn.BatchNorm1d(3), (4, 3)),
        (lambda: nn.BatchNorm1d(2), (3, 2, 4)),
        (lambda: nn.BatchNorm2d(2), (2, 2, 2, 3)),
        (lambda: nn.BatchNorm1d(3, affine=False), (4, 3)),
        (lambda: nn.BatchNorm1d(3, track_running_stats=False), (4, 3)),
        (lambda: nn.BatchNorm1d(3, momentum=None), (4, 3)),
        (lambda: nn.LayerNorm(4), (3, 4)),
        (lambda: nn.LayerNorm((2, 3)), (2, 2, 3)),
        (lambda: nn.LayerNorm(4, elementwise_affine=False), (3, 4)),
        (lambda: nn.LayerNorm(4, bias=False), (3, 4)),
    ],
)
@pytest.mark.parametrize("mode", ["train", "eval"])
def test_gradcheck_normalization(make, shape, mode):
    module = make().double()
    _randomize_affine(module)
    if getattr(module, "running_var", None) is not None:
        module.running_mean.array[...] = np.linspace(-1, 1, module.num_features)
        module.running_var.array[...] = np.linspace(0.5, 2, module.num_features)
    module.train(mode == "train")
    assert gradcheck_module(module, t64(*shape, seed=3))


@pytest.mark.parametrize(
    "fn",
    [
        lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
        lambda x, w, b: F.layer_norm(x, (3,), w, b),
    ],
)
def test_gradgradcheck_normalization(fn):
    x, w, b = t64(4, 3, seed=1), t64(3, seed=2), t64(3, seed=3)
    assert ag.gradgradcheck(fn, (x, w, b))


def test_batchnorm_is_one_fused_node_and_its_input_gradient_sums_to_zero():
    bn = nn.BatchNorm1d(3, eps=0.0).double()  # ε = 0 makes Σ x̂² = M exactly
    _randomize_affine(bn)
    x = t64(6, 3)
    y = bn(x)
    assert y.grad_fn.name() == "BatchNormBackward0"
    c = t64(6, 3, seed=5, requires_grad=False)
    (y * c).sum().backward()
    # Through μ and σ², the input gradient of each channel sums to 0 and is orthogonal to x̂:
    # the part of g a batch shift or scale could explain is removed.
    np.testing.assert_allclose(x.grad.array.sum(0), 0, atol=1e-12)
    xhat = (x.array - x.array.mean(0)) / np.sqrt(x.array.var(0))
    np.testing.assert_allclose((x.grad.array * xhat).sum(0), 0, atol=1e-12)
    # and γ, β get Σ g⊙x̂ and Σ g
    np.testing.assert_allclose(bn.weight.grad.array, (c.array * xhat).sum(0), rtol=1e-10)
    np.testing.assert_allclose(bn.bias.grad.array, c.array.sum(0), rtol=1e-10)


def test_batchnorm_train_normalizes_with_biased_batch_statistics():
    bn = nn.BatchNorm2d(2).double()
    _randomize_affine(bn)
    x = t64(3, 2, 2, 2, scale=3.0)
    out = bn(x).array
    mean = x.array.mean(axis=(0, 2, 3), keepdims=True)
    var = x.array.var(axis=(0, 2, 3), keepdims=True)  # biased (ddof=0)
    expected = (x.array - mean) / np.sqrt(var + 1e-5) * bn.weight.array.reshape(1, 2, 1, 1) + bn.bias.array.reshape(
        1, 2, 1, 1
    )
    np.testing.assert_allclose(out, expected, rtol=1e-10)


def test_batchnorm_running_statistics_after_several_steps():
    rng = np.random.default_rng(0)
    bn = nn.BatchNorm1d(3, momentum=0.2).double()
    mean, var = np.zeros(3), np.ones(3)
    for _ in range(5):
        x = rng.standard_normal((8, 3, 2)) * 2 + 1
        bn(ag.tensor(x))
        batch = x.transpose(1, 0, 2).reshape(3, -1)
        mean = 0.8 * mean + 0.2 * batch.mean(1)
        var = 0.8 * var + 0.2 * batch.var(1, ddof=1)  # unbiased for the running estimate
    np.testing.assert_allclose(bn.running_mean.array, mean, rtol=1e-12)
    np.testing.assert_allclose(bn.running_var.array, var, rtol=1e-12)
    assert int(bn.num_batches_tracked.array) == 5
    # eval uses them
    bn.eval()
    x = rng.standard_normal((2, 3, 2))
    expected = (x - mean[None, :, None]) / np.sqrt(var[None, :, None] + 1e-5)
    np.testing.assert_allclose(bn(ag.tensor(x)).array, expected, rtol=1e-10)
    assert int(bn.num_batches_tracked.array) == 5


def test_batchnorm_momentum_none_is_a_cumulative_average():
    rng = np.random.default_rng(1)
    bn = nn.BatchNorm1d(2, momentum=None).double()
    batches = [rng.standard_normal((5, 2)) for _ in range(4)]
    for x in batches:
        bn(ag.tensor(x))
    np.testing.assert_allclose(bn.running_mean.array, np.mean([b.mean(0) for b in batches], axis=0), rtol=1e-12)


def test_batchnorm_without_running_stats_uses_batch_statistics_in_eval():
    bn = nn.BatchNorm1d(2, track_running_stats=False).double().eval()
    assert bn.running_mean is None and "running_mean" not in bn.state_dict()
    x = t64(5, 2)
    expected = (x.array - x.array.mean(0)) / np.sqrt(x.array.var(0) + 1e-5)
    np.testing.assert_allclose(bn(x).array, expected, rtol=1e-10)


def test_batchnorm_batch_of_one_raises_in_train_mode_only():
    bn = nn.BatchNorm1d(3)
    with pytest.raises(ValueError, match="Expected more than 1 value per channel when training"):
        bn(ag.randn(1, 3))
    assert int(bn.num_batches_tracked.array) == 0
    assert bn.eval()(ag.randn(1, 3)).shape == (1, 3)
    bn.train()
    assert bn(ag.randn(1, 3, 4)).shape == (1, 3, 4)  # 4 values per channel is enough
    with pytest.raises(ValueError, match="Expected more than 1 value per channel"):
        F.batch_norm(ag.randn(1, 3), None, None, training=True)


def test_batchnorm_bad_shapes_say_what_was_expected():
    with pytest.raises(ag.ShapeError, match=r"expected 2D \(N, C\) or 3D \(N, C, L\) input, got a 4D"):
        nn.BatchNorm1d(3)(ag.randn(2, 3, 4, 4))
    with pytest.raises(ag.ShapeError, match="has 4 channels in dim 1, expected 3"):
        nn.BatchNorm1d(3)(ag.randn(2, 4))
    with pytest.raises(ag.ShapeError, match="4D"):
        nn.BatchNorm2d(3)(ag.randn(2, 3))
    with pytest.raises(TypeError, match="float64 but the affine parameters are float32"):
        nn.BatchNorm1d(3)(t64(4, 3))


def test_batchnorm_parameter_and_buffer_names_are_pytorchs():
    bn = nn.BatchNorm2d(4)
    assert list(bn.state_dict()) == ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]
    assert repr(bn) == "BatchNorm2d(4, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)"


def test_layernorm_values_and_errors():
    ln = nn.LayerNorm(4).double()
    _randomize_affine(ln)
    x = t64(2, 3, 4, scale=2.0)
    mean = x.array.mean(-1, keepdims=True)
    var = x.array.var(-1, keepdims=True)
    expected = (x.array - mean) / np.sqrt(var + 1e-5) * ln.weight.array + ln.bias.array
    np.testing.assert_allclose(ln(x).array, expected, rtol=1e-10)
    np.testing.assert_allclose(ln.eval()(x).array, expected, rtol=1e-10)  # no batch statistics
    assert ln(x).grad_fn.name() == "LayerNormBackward0"
    with pytest.raises(ag.ShapeError, match=r"expects an input of shape \[\*, 4\], but got input of shape \(2, 5\)"):
        ln(t64(2, 5))


@settings(max_examples=30, deadline=None)
@given(
    shape=st.sampled_from([(2, 3), (5, 1), (3, 2, 4), (2, 3, 2, 2), (4, 2, 1, 3)]),
    seed=st.integers(0, 2**16),
)
def test_batchnorm_matches_the_composed_formula(shape, seed):
    """The fused op equals the same normalization written with ordinary ops, value and gradient."""
    rng = np.random.default_rng(seed)
    x_np = rng.standard_normal(shape) * 3
    g_np = rng.standard_normal(shape)
    channels = shape[1]
    w_np, b_np = rng.standard_normal(channels), rng.standard_normal(channels)
    dims = (0,) + tuple(range(2, len(shape)))
    view = (1, channels) + (1,) * (len(shape) - 2)

    def run(fused):
        x = ag.tensor(x_np, dtype=np.float64, requires_grad=True)
        w = ag.tensor(w_np, dtype=np.float64, requires_grad=True)
        b = ag.tensor(b_np, dtype=np.float64, requires_grad=True)
        if fused:
            y = F.batch_norm(x, None, None, w, b, training=True)
        else:
            xc = x - x.mean(dims, keepdim=True)
            var = (xc * xc).mean(dims, keepdim=True)
            y = xc / (var + 1e-5).sqrt() * w.reshape(view) + b.reshape(view)
        (y * ag.tensor(g_np)).sum().backward()
        return y.array, x.grad.array, w.grad.array, b.grad.array

    for ours, composed in zip(run(True), run(False)):
        np.testing.assert_allclose(ours, composed, rtol=1e-9, atol=1e-12)
