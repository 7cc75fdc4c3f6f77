"""Unflatten, PixelShuffle/PixelUnshuffle, AdaptiveAvgPool1d, AdaptiveMaxPool1d/2d and Bilinear against
torch.nn (float64, copied weights); channel dropout and alpha dropout by their masks and moments; the
functional forms under gradcheck; bad shapes named in the errors."""

import numpy as np
import pytest
from nn_testutil import compare_twins, t64

import autograd as ag
import nn
import nn.functional as F

torch = pytest.importorskip("torch")
tnn = torch.nn
TF = torch.nn.functional


def _x(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


TWINS = [
    ("unflatten", lambda: nn.Unflatten(1, (3, 4)), lambda: tnn.Unflatten(1, (3, 4)), (2, 12)),
    ("unflatten-neg", lambda: nn.Unflatten(-1, (2, -1)), lambda: tnn.Unflatten(-1, (2, -1)), (2, 3, 6)),
    ("pixel_shuffle", lambda: nn.PixelShuffle(2), lambda: tnn.PixelShuffle(2), (2, 8, 3, 5)),
    ("pixel_shuffle-3d", lambda: nn.PixelShuffle(3), lambda: tnn.PixelShuffle(3), (9, 2, 2)),
    ("pixel_shuffle-5d", lambda: nn.PixelShuffle(2), lambda: tnn.PixelShuffle(2), (2, 1, 4, 2, 3)),
    ("pixel_unshuffle", lambda: nn.PixelUnshuffle(2), lambda: tnn.PixelUnshuffle(2), (2, 3, 4, 6)),
    ("pixel_unshuffle-3d", lambda: nn.PixelUnshuffle(3), lambda: tnn.PixelUnshuffle(3), (1, 6, 3)),
    ("adaptive_avg1d", lambda: nn.AdaptiveAvgPool1d(3), lambda: tnn.AdaptiveAvgPool1d(3), (2, 3, 7)),
    ("adaptive_avg1d-1", lambda: nn.AdaptiveAvgPool1d(1), lambda: tnn.AdaptiveAvgPool1d(1), (2, 3, 5)),
    ("adaptive_avg1d-up", lambda: nn.AdaptiveAvgPool1d(6), lambda: tnn.AdaptiveAvgPool1d(6), (3, 4)),
    ("adaptive_max1d", lambda: nn.AdaptiveMaxPool1d(3), lambda: tnn.AdaptiveMaxPool1d(3), (2, 3, 7)),
    ("adaptive_max1d-up", lambda: nn.AdaptiveMaxPool1d(5), lambda: tnn.AdaptiveMaxPool1d(5), (3, 4)),
    ("adaptive_max2d", lambda: nn.AdaptiveMaxPool2d((2, 3)), lambda: tnn.AdaptiveMaxPool2d((2, 3)), (2, 3, 5, 7)),
    ("adaptive_max2d-1", lambda: nn.AdaptiveMaxPool2d(1), lambda: tnn.AdaptiveMaxPool2d(1), (2, 3, 4, 4)),
    (
        "adaptive_max2d-none",
        lambda: nn.AdaptiveMaxPool2d((None, 2)),
        lambda: tnn.AdaptiveMaxPool2d((None, 2)),
        (3, 4, 5),
    ),
    (
        "adaptive_avg2d-uneven",
        lambda: nn.AdaptiveAvgPool2d((3, 2)),
        lambda: tnn.AdaptiveAvgPool2d((3, 2)),
        (2, 3, 5, 7),
    ),
    ("adaptive_avg2d-even", lambda: nn.AdaptiveAvgPool2d(2), lambda: tnn.AdaptiveAvgPool2d(2), (2, 3, 4, 6)),
    (
        "adaptive_avg2d-3d-none",
        lambda: nn.AdaptiveAvgPool2d((None, 3)),
        lambda: tnn.AdaptiveAvgPool2d((None, 3)),
        (3, 4, 5),
    ),
    ("adaptive_avg2d-up", lambda: nn.AdaptiveAvgPool2d(4), lambda: tnn.AdaptiveAvgPool2d(4), (1, 2, 3, 3)),
    ("adaptive_max2d-small", lambda: nn.AdaptiveMaxPool2d(3), lambda: tnn.AdaptiveMaxPool2d(3), (1, 2, 3, 3)),
]


@pytest.mark.parametrize("make, make_torch, shape", [t[1:] for t in TWINS], ids=[t[0] for t in TWINS])
def test_matches_torch(make, make_torch, shape):
    compare_twins(make(), make_torch(), _x(*shape), tol=1e-12)


@pytest.mark.parametrize("size", [3, (2, 4), (None, 3)])
def test_adaptive_max_pool_indices_match_torch(size):
    x = _x(2, 3, 5, 6)
    out, idx = nn.AdaptiveMaxPool2d(size, return_indices=True)(ag.tensor(x))
    tout, tidx = tnn.AdaptiveMaxPool2d(size, return_indices=True)(torch.tensor(x))
    np.testing.assert_array_equal(out.numpy(), tout.numpy())
    np.testing.assert_array_equal(idx.numpy(), tidx.numpy())
    out, idx = F.adaptive_max_pool1d(ag.tensor(x[0]), 4, return_indices=True)
    tout, tidx = TF.adaptive_max_pool1d(torch.tensor(x[0]), 4, return_indices=True)
    np.testing.assert_array_equal(idx.numpy(), tidx.numpy())


@pytest.mark.parametrize(
    "args, shapes",
    [((3, 4, 5, True), ((2, 3), (2, 4))), ((2, 3, 4, False), ((2, 5, 2), (2, 5, 3))), ((3, 3, 1, True), ((3,), (3,)))],
)
def test_bilinear_matches_torch(args, shapes):
    ours, theirs = nn.Bilinear(*args), tnn.Bilinear(*args)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    compare_twins(ours, theirs, _x(*shapes[0], seed=1), _x(*shapes[1], seed=2), tol=1e-12)


def test_bilinear_init_is_pytorchs():
    ag.manual_seed(0)
    layer = nn.Bilinear(16, 8, 40)
    bound = 1.0 / np.sqrt(16)
    w, b = layer.weight.numpy(), layer.bias.numpy()
    assert w.shape == (40, 16, 8) and np.abs(w).max() <= bound and np.abs(b).max() <= bound
    assert abs(w.std() - bound / np.sqrt(3)) < 0.01  # U(−k, k) has std k/√3


FUNCTIONAL = [
    ("pixel_shuffle", lambda x: F.pixel_shuffle(x, 2), (1, 4, 2, 3)),
    ("pixel_unshuffle", lambda x: F.pixel_unshuffle(x, 2), (1, 2, 2, 4)),
    ("adaptive_avg_pool1d", lambda x: F.adaptive_avg_pool1d(x, 3), (2, 2, 5)),
    ("adaptive_max_pool1d", lambda x: F.adaptive_max_pool1d(x, 2), (2, 2, 5)),
    ("adaptive_max_pool2d", lambda x: F.adaptive_max_pool2d(x, (2, 2)), (1, 2, 3, 3)),
    ("adaptive_avg_pool2d", lambda x: F.adaptive_avg_pool2d(x, (2, 2)), (1, 2, 3, 3)),
    ("dropout2d", lambda x: F.dropout2d(x, 0.4, generator=np.random.default_rng(0)), (3, 4, 2, 2)),
    ("alpha_dropout", lambda x: F.alpha_dropout(x, 0.3, True, generator=np.random.default_rng(0)), (3, 4)),
]


@pytest.mark.parametrize("fn, shape", [f[1:] for f in FUNCTIONAL], ids=[f[0] for f in FUNCTIONAL])
def test_functional_gradcheck(fn, shape):
    x = t64(*shape)
    assert ag.gradcheck(fn, (x,))
    assert ag.gradgradcheck(fn, (x,))


def test_bilinear_gradcheck():
    x1, x2, w, b = t64(2, 3, seed=0), t64(2, 4, seed=1), t64(5, 3, 4, seed=2), t64(5, seed=3)
    assert ag.gradcheck(F.bilinear, (x1, x2, w, b))
    assert ag.gradgradcheck(F.bilinear, (x1, x2, w, b))


@pytest.mark.parametrize(
    "module, shape",
    [
        (nn.Dropout1d, (40, 30, 5)),
        (nn.Dropout1d, (300, 4)),
        (nn.Dropout2d, (40, 30, 2, 3)),
        (nn.Dropout2d, (300, 2, 3)),
        (nn.Dropout3d, (40, 30, 2, 2, 2)),
    ],
)
def test_channel_dropout_zeroes_whole_channels(module, shape):
    x = ag.tensor(_x(*shape) + 3.0, requires_grad=True)  # no zeros in x
    layer = module(0.3, generator=np.random.default_rng(1))
    out = layer(x)
    lead = 2 if len(shape) == {nn.Dropout1d: 3, nn.Dropout2d: 4, nn.Dropout3d: 5}[module] else 1
    ratio = (out.numpy() / x.numpy()).reshape(shape[:lead] + (-1,))
    per_channel = ratio[..., :1]
    np.testing.assert_allclose(ratio, np.broadcast_to(per_channel, ratio.shape), rtol=1e-12)  # one factor per channel
    assert set(np.round(np.unique(per_channel), 12)) == {0.0, round(1 / 0.7, 12)}
    assert abs((per_channel == 0).mean() - 0.3) < 0.03
    out.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.broadcast_to(per_channel, ratio.shape).reshape(shape))
    layer.eval()
    assert layer(x) is x


def test_channel_dropout_inplace_and_extremes():
    x = ag.tensor(_x(4, 5, 3) + 3.0)
    before = x.numpy().copy()
    assert F.dropout1d(x, 0.5, inplace=True, generator=np.random.default_rng(0)) is x
    assert not np.array_equal(x.numpy(), before) and ((x.numpy() == 0) | np.isclose(x.numpy(), 2 * before)).all()
    np.testing.assert_array_equal(F.dropout2d(ag.tensor(before[None]), 1.0).numpy(), 0.0)
    y = ag.tensor(_x(2, 3, 2, 2, 2))
    assert F.dropout3d(y, 0.0) is y and F.dropout3d(y, 0.9, training=False) is y


def test_alpha_dropout_matches_torch_transform_and_keeps_moments():
    x = _x(400, 500, seed=3)  # SELU's fixed point: mean 0, variance 1
    p = 0.2
    ours = F.alpha_dropout(ag.tensor(x), p, training=True, generator=np.random.default_rng(0)).numpy()
    theirs = TF.alpha_dropout(torch.tensor(x), p, training=True).numpy()
    values, counts = np.unique(theirs, return_counts=True)
    dropped = values[counts.argmax()]  # every dropped unit of PyTorch's takes this value
    kept = theirs != dropped
    a, b = np.polyfit(x[kept], theirs[kept], 1)  # and the kept ones a·x + b
    mine_dropped = np.isclose(ours, dropped, rtol=0, atol=1e-12)
    np.testing.assert_allclose(ours[~mine_dropped], a * x[~mine_dropped] + b, rtol=1e-9, atol=1e-9)
    assert abs(mine_dropped.mean() - p) < 0.005
    assert abs(ours.mean()) < 0.01 and abs(ours.var() - 1.0) < 0.01
    t = ag.tensor(x)
    assert F.alpha_dropout(t, p) is t  # training=False by default, as PyTorch's
    np.testing.assert_array_equal(nn.AlphaDropout(p).eval()(ag.tensor(x)).numpy(), x)


def test_feature_alpha_dropout_drops_channels():
    x = _x(50, 40, 3)
    out = nn.FeatureAlphaDropout(0.5, generator=np.random.default_rng(0))(ag.tensor(x)).numpy()
    spread = out.max(axis=2) - out.min(axis=2)
    dropped = spread == 0  # a dropped channel is one constant
    assert abs(dropped.mean() - 0.5) < 0.05


def test_state_dict_keys_and_reprs():
    assert list(nn.Bilinear(2, 3, 4, bias=False).state_dict()) == list(tnn.Bilinear(2, 3, 4, bias=False).state_dict())
    assert "upscale_factor=2" in repr(nn.PixelShuffle(2))
    assert "unflattened_size=(3, 4)" in repr(nn.Unflatten(1, (3, 4)))


def test_bad_inputs_name_the_shapes():
    with pytest.raises(ValueError, match=r"divisible by the square of upscale_factor.*\(1, 6, 2, 2\)"):
        F.pixel_shuffle(ag.randn(1, 6, 2, 2), 2)
    with pytest.raises(ValueError, match=r"downscale_factor=2.*\(1, 1, 3, 4\)"):
        F.pixel_unshuffle(ag.randn(1, 1, 3, 4), 2)
    with pytest.raises(ag.ShapeError, match=r"pixel_shuffle.*\(4, 4\)"):
        F.pixel_shuffle(ag.randn(4, 4), 2)
    with pytest.raises(ag.ShapeError, match=r"dropout2d.*\(2, 3\)"):
        nn.Dropout2d()(ag.randn(2, 3))
    with pytest.raises(ValueError, match="between 0 and 1"):
        F.dropout1d(ag.randn(2, 3), 1.5)
    with pytest.raises(ag.ShapeError, match=r"adaptive_max_pool2d.*\(2, 3\)"):
        F.adaptive_max_pool2d(ag.randn(2, 3), 2)
    with pytest.raises(ValueError, match="output_size must have 2 elements"):
        F.adaptive_max_pool2d(ag.randn(1, 2, 3, 3), (1, 2, 3))
    with pytest.raises(ag.ShapeError, match=r"input1 \(2, 3\) and input2 \(2, 5\).*in2=4"):
        nn.Bilinear(3, 4, 2)(ag.randn(2, 3), ag.randn(2, 5))
    with pytest.raises(ag.ShapeError, match="same batch dims"):
        nn.Bilinear(3, 4, 2)(ag.randn(2, 3), ag.randn(3, 4))
