"""The nn-level ops against PyTorch with copied inputs: transposed convolutions, the pad modes,
interpolate, the losses, normalize / cosine_similarity / pairwise_distance, unfold / fold and the
pooling options; values and gradients, several options each, their modules' state_dict layout
and init, and the errors for bad inputs (which name the op and the shapes)."""

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F

torch = pytest.importorskip("torch")
TF = torch.nn.functional
TOL = {np.float64: dict(rtol=1e-7, atol=1e-10), np.float32: dict(rtol=1e-5, atol=1e-5)}


def _pair(arrays, dtype):
    ours = [ag.tensor(a.astype(dtype), requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a.astype(dtype), requires_grad=True) for a in arrays]
    return ours, theirs


def _check(fn, torch_fn, arrays, dtype=np.float64, seed=0):
    """fn(*ours) and torch_fn(*theirs): same values, dtype, and gradients under a random upstream gradient."""
    ours, theirs = _pair(arrays, dtype)
    out, tout = fn(*ours), torch_fn(*theirs)
    assert out.shape == tuple(tout.shape)
    assert out.dtype == dtype
    np.testing.assert_allclose(out.numpy(), tout.detach().numpy(), **TOL[dtype])
    g = np.random.default_rng(seed).standard_normal(out.shape).astype(dtype)
    (out * ag.tensor(g)).sum().backward()
    (tout * torch.tensor(g)).sum().backward()
    for i, (x, t) in enumerate(zip(ours, theirs)):
        if t.grad is None:
            assert x.grad is None or not np.any(x.grad.numpy()), f"input {i}"
            continue
        np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), err_msg=f"input {i}", **TOL[dtype])
    return out


def _randn(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


def _compare_modules(ours, theirs, x_np, dtype=np.float64):
    """Copy our state_dict into PyTorch's twin (strict: same keys and shapes), then compare a step."""
    ours = ours.double() if dtype == np.float64 else ours
    theirs = theirs.double() if dtype == np.float64 else theirs
    sd = ours.state_dict()
    assert list(sd) == list(theirs.state_dict())
    theirs.load_state_dict({k: torch.from_numpy(np.array(v.numpy())) for k, v in sd.items()}, strict=True)
    x, tx = ag.tensor(x_np.astype(dtype), requires_grad=True), torch.tensor(x_np.astype(dtype), requires_grad=True)
    out, tout = ours(x), theirs(tx)
    np.testing.assert_allclose(out.numpy(), tout.detach().numpy(), **TOL[dtype])
    g = _randn(*out.shape, seed=9).astype(dtype)
    (out * ag.tensor(g)).sum().backward()
    (tout * torch.tensor(g)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), **TOL[dtype])
    theirs_params = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad.numpy(), theirs_params[name].grad.numpy(), err_msg=name, **TOL[dtype])


# --- transposed convolution ------------------------------------------------------------------------
CONV_T2D = [
    ((2, 4, 5, 5), (4, 3, 3, 3), dict(stride=2, padding=1, output_padding=1)),
    ((1, 4, 3, 4), (4, 2, 2, 3), dict(stride=(2, 3), groups=2, dilation=(2, 1))),
    ((2, 16, 4, 4), (16, 3, 3, 3), dict(padding=1)),
    ((2, 3, 4, 4), (3, 5, 1, 1), dict()),
    ((1, 2, 3, 3), (2, 2, 4, 4), dict(stride=3, padding=(2, 0), output_padding=(2, 1))),
    ((1, 2, 3, 4), (2, 3, 3, 2), dict(stride=(1, 2), padding=(2, 1), output_padding=(1, 2), dilation=(2, 3))),
    ((2, 2, 3, 3), (2, 2, 2, 2), dict(output_padding=2, dilation=3)),
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("x_shape, w_shape, kw", CONV_T2D)
def test_conv_transpose2d_matches_torch(x_shape, w_shape, kw, dtype):
    bias = _randn(w_shape[1] * kw.get("groups", 1), seed=2)
    _check(
        lambda x, w, b: F.conv_transpose2d(x, w, b, **kw),
        lambda x, w, b: TF.conv_transpose2d(x, w, b, **kw),
        [_randn(*x_shape), _randn(*w_shape, seed=1), bias],
        dtype,
    )


@pytest.mark.parametrize(
    "kw", [dict(), dict(stride=2, padding=1, output_padding=1), dict(groups=2, dilation=2), dict(stride=3)]
)
def test_conv_transpose1d_matches_torch(kw):
    _check(
        lambda x, w: F.conv_transpose1d(x, w, **kw),
        lambda x, w: TF.conv_transpose1d(x, w, **kw),
        [_randn(2, 4, 6), _randn(4, 3, 3, seed=1)],
    )


def test_conv_transpose_is_the_adjoint_of_conv():
    """⟨conv2d(a, W), y⟩ = ⟨a, conv_transpose2d(y, W)⟩ for the same stride, padding and dilation."""
    a, w = ag.tensor(_randn(2, 3, 7, 6)), ag.tensor(_randn(4, 3, 3, 2, seed=1))
    z = F.conv2d(a, w, stride=2, padding=1, dilation=(1, 2))
    y = ag.tensor(_randn(*z.shape, seed=2))
    back = F.conv_transpose2d(y, w, stride=2, padding=1, dilation=(1, 2), output_padding=(0, 1))
    assert back.shape == a.shape
    np.testing.assert_allclose((z * y).sum().item(), (a * back).sum().item(), rtol=1e-12)


@pytest.mark.parametrize(
    "ours, theirs, shape",
    [
        (
            lambda: nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1, output_padding=1, groups=2),
            lambda: torch.nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1, output_padding=1, groups=2),
            (2, 4, 4, 5),
        ),
        (
            lambda: nn.ConvTranspose2d(3, 2, (2, 3), bias=False, dilation=2),
            lambda: torch.nn.ConvTranspose2d(3, 2, (2, 3), bias=False, dilation=2),
            (1, 3, 3, 3),
        ),
        (
            lambda: nn.ConvTranspose1d(3, 4, 4, stride=2, padding=1),
            lambda: torch.nn.ConvTranspose1d(3, 4, 4, stride=2, padding=1),
            (2, 3, 5),
        ),
    ],
)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_conv_transpose_modules_match_torch(ours, theirs, shape, dtype):
    ag.manual_seed(0)
    _compare_modules(ours(), theirs(), _randn(*shape), dtype)


def test_conv_transpose_init_and_layout_match_torch():
    ag.manual_seed(0)
    m = nn.ConvTranspose2d(8, 6, 3, groups=2)
    twin = torch.nn.ConvTranspose2d(8, 6, 3, groups=2)
    assert m.weight.shape == tuple(twin.weight.shape) == (8, 3, 3, 3)
    bound = 1.0 / np.sqrt(3 * 9)  # fan_in from the weight's layout: (out_channels / groups)·kh·kw, as PyTorch
    for p in (m.weight, m.bias):
        assert np.abs(p.numpy()).max() <= bound and np.abs(p.numpy()).max() > 0.8 * bound
    assert "output_padding" not in repr(m)
    assert "output_padding=(1,)" in repr(nn.ConvTranspose1d(2, 2, 3, stride=2, output_padding=1))


def test_conv_transpose_errors_name_the_op_and_shapes():
    x = ag.zeros(1, 3, 4, 4)
    with pytest.raises(ag.ShapeError, match=r"conv_transpose2d: input of shape \(1, 3, 4, 4\) has 3 channels"):
        F.conv_transpose2d(x, ag.zeros(2, 2, 3, 3))
    with pytest.raises(
        ValueError, match=r"conv_transpose2d: output_padding \(2, 2\) must be smaller than stride \(2, 2\) or dilation"
    ):
        F.conv_transpose2d(x, ag.zeros(3, 2, 3, 3), stride=2, output_padding=2)
    with pytest.raises(ag.ShapeError, match=r"conv_transpose1d: expected a 3-D input \(N, C, L\), got shape"):
        F.conv_transpose1d(x, ag.zeros(3, 2, 3))
    with pytest.raises(ag.ShapeError, match=r"bias has shape \(3,\), expected \(2,\)"):
        F.conv_transpose2d(x, ag.zeros(3, 2, 3, 3), ag.zeros(3))
    with pytest.raises(ag.ShapeError, match=r"ConvTranspose2d\(in_channels=2.*has 3 channels, expected 2"):
        nn.ConvTranspose2d(2, 4, 3)(x)


# --- padding ------------------------------------------------------------------------------------
PADS = [
    ((2, 3, 5), (2, 3), "reflect"),
    ((2, 3, 4, 5), (1, 2, 3, 0), "reflect"),
    ((2, 3, 4), (1, -1), "reflect"),
    ((1, 2, 4, 5), (3, 3, -1, 2), "replicate"),
    ((1, 2, 3, 4, 5), (1, 1, 2, 0, 1, 2), "replicate"),
    ((1, 2, 4, 5), (5, 2, 3, -1), "circular"),
    ((2, 2, 3, 4), (2, -1, 1, 1), "circular"),
    ((2, 3, 4), (2, 1), "constant"),
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("shape, pad, mode", PADS)
def test_pad_modes_match_torch(shape, pad, mode, dtype):
    _check(lambda x: F.pad(x, pad, mode=mode), lambda x: TF.pad(x, pad, mode=mode), [_randn(*shape)], dtype)


PAD_MODULES = [
    ("ReflectionPad1d", 2, (2, 3, 5)),
    ("ReflectionPad2d", (1, 2, 0, 3), (1, 2, 4, 5)),
    ("ReflectionPad3d", 1, (1, 1, 2, 3, 4)),
    ("ReplicationPad1d", (3, 1), (2, 3, 4)),
    ("ReplicationPad2d", 2, (1, 2, 3, 3)),
    ("ReplicationPad3d", (1, 0, 2, 1, 0, 1), (1, 1, 2, 3, 4)),
    ("CircularPad1d", 2, (2, 3, 4)),
    ("CircularPad2d", (1, 2, 2, 0), (1, 2, 3, 3)),
    ("CircularPad3d", 1, (1, 1, 2, 3, 4)),
    ("ZeroPad1d", (1, 2), (2, 3, 4)),
    ("ZeroPad2d", 1, (1, 2, 3, 3)),
    ("ZeroPad3d", (0, 1, 1, 0, 2, 1), (1, 1, 2, 3, 4)),
]


@pytest.mark.parametrize("name, padding, shape", PAD_MODULES)
def test_pad_modules_match_torch(name, padding, shape):
    _compare_modules(getattr(nn, name)(padding), getattr(torch.nn, name)(padding), _randn(*shape))


@pytest.mark.parametrize("name", ["ConstantPad1d", "ConstantPad2d", "ConstantPad3d"])
def test_constant_pad_modules_match_torch(name):
    shape = {"ConstantPad1d": (2, 3), "ConstantPad2d": (2, 3, 3), "ConstantPad3d": (1, 2, 2, 3)}[name]
    _compare_modules(getattr(nn, name)(2, 3.5), getattr(torch.nn, name)(2, 3.5), _randn(*shape))


def test_pad_errors_name_the_mode_and_shape():
    x = ag.zeros(1, 2, 3)
    with pytest.raises(ag.ShapeError, match=r"pad: mode='reflect' pads dim 2 of size 3 \(input of shape \(1, 2, 3\)\)"):
        F.pad(x, (3, 0), mode="reflect")
    with pytest.raises(ag.ShapeError, match=r"mode='circular' .* must be at most the dim's size"):
        F.pad(x, (0, 4), mode="circular")
    with pytest.raises(ValueError, match=r"pad: mode must be 'constant', 'reflect', 'replicate' or 'circular'"):
        F.pad(x, (1, 1), mode="mirror")
    with pytest.raises(ValueError, match=r"value=2.0 applies to mode='constant' only"):
        F.pad(x, (1, 1), mode="reflect", value=2.0)
    with pytest.raises(ValueError, match=r"ReflectionPad2d: padding must be an int or 4 ints"):
        nn.ReflectionPad2d((1, 2))


# --- interpolate -----------------------------------------------------------------------------------
INTERPOLATE = [
    ((2, 3, 5, 7), dict(size=(8, 11), mode="bilinear", align_corners=False)),
    ((2, 3, 5, 7), dict(size=(8, 11), mode="bilinear", align_corners=True)),
    ((2, 3, 5, 7), dict(scale_factor=1.7, mode="bilinear")),
    ((2, 3, 5, 7), dict(scale_factor=(0.6, 2.5), mode="bilinear", align_corners=False)),
    ((2, 3, 5, 7), dict(scale_factor=1.7, mode="bilinear", recompute_scale_factor=True)),
    ((2, 3, 8, 6), dict(size=(3, 2), mode="bilinear", align_corners=True)),
    ((2, 3, 5, 7), dict(scale_factor=3, mode="nearest")),
    ((2, 3, 5, 7), dict(size=(3, 13), mode="nearest")),
    ((2, 3, 10, 7), dict(scale_factor=0.3, mode="nearest")),
    ((2, 3, 10, 7), dict(size=(7, 4), mode="nearest-exact")),
    ((2, 3, 9), dict(size=4, mode="linear", align_corners=True)),
    ((2, 3, 9), dict(size=1, mode="linear", align_corners=True)),
    ((2, 3, 9), dict(scale_factor=2, mode="nearest")),
    ((1, 2, 3, 4, 5), dict(size=(5, 3, 7), mode="trilinear")),
    ((1, 2, 3, 4, 5), dict(scale_factor=2, mode="nearest")),
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("shape, kw", INTERPOLATE)
def test_interpolate_matches_torch(shape, kw, dtype):
    _check(lambda x: F.interpolate(x, **kw), lambda x: TF.interpolate(x, **kw), [_randn(*shape)], dtype)


def test_nearest_picks_pytorch_rows_for_every_size():
    """PyTorch picks ⌊dst·scale⌋ in float32: the same rows for all sizes and factors up to 40."""
    for n in range(1, 41):
        a = np.arange(n, dtype=np.float32)[None, None]
        for kw in [dict(size=m) for m in range(1, 41)] + [dict(scale_factor=f) for f in (0.3, 0.7, 1.5, 2.2, 3.1)]:
            if int(n * kw.get("scale_factor", 1)) < 1:
                continue
            ours = F.interpolate(ag.tensor(a), **kw).numpy()
            np.testing.assert_array_equal(ours, TF.interpolate(torch.tensor(a), **kw).numpy(), err_msg=f"{n} {kw}")


@pytest.mark.parametrize(
    "ours, theirs",
    [
        (lambda: nn.Upsample(scale_factor=2), lambda: torch.nn.Upsample(scale_factor=2)),
        (
            lambda: nn.Upsample(size=(5, 9), mode="bilinear", align_corners=True),
            lambda: torch.nn.Upsample(size=(5, 9), mode="bilinear", align_corners=True),
        ),
        (lambda: nn.UpsamplingNearest2d(scale_factor=3), lambda: torch.nn.UpsamplingNearest2d(scale_factor=3)),
        (lambda: nn.UpsamplingBilinear2d(size=7), lambda: torch.nn.UpsamplingBilinear2d(size=7)),
    ],
)
def test_upsample_modules_match_torch(ours, theirs):
    _compare_modules(ours(), theirs(), _randn(2, 3, 4, 5))


def test_interpolate_errors():
    x = ag.zeros(1, 2, 3, 4)
    with pytest.raises(ValueError, match="interpolate: give exactly one of size and scale_factor"):
        F.interpolate(x)
    with pytest.raises(ag.ShapeError, match=r"mode='bilinear' needs a 4-D input, got shape \(1, 2, 3\)"):
        F.interpolate(ag.zeros(1, 2, 3), size=4, mode="bilinear")
    with pytest.raises(ValueError, match="align_corners can only be set with the linear modes"):
        F.interpolate(x, size=4, align_corners=True)
    with pytest.raises(ValueError, match="size must have 2 entries for a 4-D input"):
        F.interpolate(x, size=(1, 2, 3))
    with pytest.raises(ValueError, match="mode must be one of"):
        F.interpolate(x, size=4, mode="bicubic")


# --- losses --------------------------------------------------------------------------------------
def _log_probs(*shape, seed=0):
    z = _randn(*shape, seed=seed)
    return z - np.log(np.exp(z).sum(-1, keepdims=True))


def _like(x, a):
    """``a`` as a tensor of x's library and dtype."""
    if isinstance(x, ag.Tensor):
        return ag.tensor(a.astype(x.dtype))
    return torch.tensor(a, dtype=x.dtype)


def _probs(*shape, seed=1):
    p = np.exp(_log_probs(*shape, seed=seed))
    p[0, 1] = 0.0  # y = 0 adds nothing (0·log 0 = 0)
    return p


_SIGNS = np.sign(_randn(4, 5, seed=5))
_COUNTS = np.random.default_rng(6).poisson(2.0, (4, 5)).astype(np.float64)

LOSSES = [
    ("kl_div-mean", lambda x: F.kl_div(x, _like(x, _probs(4, 5))), lambda x: TF.kl_div(x, _like(x, _probs(4, 5)))),
    (
        "kl_div-batchmean",
        lambda x: F.kl_div(x, _like(x, _probs(4, 5)), reduction="batchmean"),
        lambda x: TF.kl_div(x, _like(x, _probs(4, 5)), reduction="batchmean"),
    ),
    (
        "kl_div-log_target-none",
        lambda x: F.kl_div(x, _like(x, _log_probs(4, 5, seed=2)), reduction="none", log_target=True),
        lambda x: TF.kl_div(x, _like(x, _log_probs(4, 5, seed=2)), reduction="none", log_target=True),
    ),
    (
        "smooth_l1_loss",
        lambda x: F.smooth_l1_loss(x, _like(x, _SIGNS)),
        lambda x: TF.smooth_l1_loss(x, _like(x, _SIGNS)),
    ),
    (
        "smooth_l1_loss-beta-sum",
        lambda x: F.smooth_l1_loss(x, _like(x, _SIGNS), reduction="sum", beta=0.3),
        lambda x: TF.smooth_l1_loss(x, _like(x, _SIGNS), reduction="sum", beta=0.3),
    ),
    (
        "smooth_l1_loss-beta0",
        lambda x: F.smooth_l1_loss(x, _like(x, _SIGNS), beta=0.0),
        lambda x: TF.smooth_l1_loss(x, _like(x, _SIGNS), beta=0.0),
    ),
    (
        "huber_loss-delta",
        lambda x: F.huber_loss(x, _like(x, _SIGNS), delta=0.4),
        lambda x: TF.huber_loss(x, _like(x, _SIGNS), delta=0.4),
    ),
    (
        "soft_margin_loss",
        lambda x: F.soft_margin_loss(x * 20.0, _like(x, _SIGNS)),
        lambda x: TF.soft_margin_loss(x * 20.0, _like(x, _SIGNS)),
    ),
    (
        "soft_margin_loss-none",
        lambda x: F.soft_margin_loss(x, _like(x, _SIGNS), reduction="none"),
        lambda x: TF.soft_margin_loss(x, _like(x, _SIGNS), reduction="none"),
    ),
    (
        "poisson_nll_loss",
        lambda x: F.poisson_nll_loss(x, _like(x, _COUNTS)),
        lambda x: TF.poisson_nll_loss(x, _like(x, _COUNTS)),
    ),
    (
        "poisson_nll_loss-full",
        lambda x: F.poisson_nll_loss(x, _like(x, _COUNTS), full=True, reduction="sum"),
        lambda x: TF.poisson_nll_loss(x, _like(x, _COUNTS), full=True, reduction="sum"),
    ),
    (
        "poisson_nll_loss-rate",
        lambda x: F.poisson_nll_loss(x.abs(), _like(x, _COUNTS), log_input=False, eps=1e-3, full=True),
        lambda x: TF.poisson_nll_loss(x.abs(), _like(x, _COUNTS), log_input=False, eps=1e-3, full=True),
    ),
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.filterwarnings("ignore::UserWarning")  # PyTorch warns that KL's reduction="mean" is not the KL
@pytest.mark.parametrize("name, ours, theirs", LOSSES, ids=[c[0] for c in LOSSES])
def test_losses_match_torch(name, ours, theirs, dtype):
    x = _log_probs(4, 5) if name.startswith("kl_div") else _randn(4, 5)
    _check(ours, theirs, [x], dtype)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("margin", [0.0, 0.5])
def test_pair_losses_match_torch(margin, reduction):
    y = _SIGNS[:, 0]
    _check(
        lambda a, b: F.margin_ranking_loss(a, b, ag.tensor(y), margin=margin, reduction=reduction),
        lambda a, b: TF.margin_ranking_loss(a, b, torch.tensor(y), margin=margin, reduction=reduction),
        [_randn(4), _randn(4, seed=1)],
    )
    _check(
        lambda a, b: F.cosine_embedding_loss(a, b, ag.tensor(y), margin=margin, reduction=reduction),
        lambda a, b: TF.cosine_embedding_loss(a, b, torch.tensor(y), margin=margin, reduction=reduction),
        [_randn(4, 3), _randn(4, 3, seed=1)],
    )
    _check(
        lambda a, b: F.cosine_embedding_loss(a, b, ag.tensor(-1.0), margin=margin - 1.0),
        lambda a, b: TF.cosine_embedding_loss(a, b, torch.tensor(-1.0), margin=margin - 1.0),
        [_randn(3), _randn(3, seed=1)],
    )


LOSS_MODULES = [
    (lambda: nn.KLDivLoss(reduction="batchmean"), lambda: torch.nn.KLDivLoss(reduction="batchmean"), "kl"),
    (lambda: nn.KLDivLoss(log_target=True), lambda: torch.nn.KLDivLoss(log_target=True), "kl_log"),
    (lambda: nn.SmoothL1Loss(beta=0.5), lambda: torch.nn.SmoothL1Loss(beta=0.5), "signs"),
    (lambda: nn.SmoothL1Loss(reduce=False), lambda: torch.nn.SmoothL1Loss(reduce=False), "signs"),
    (lambda: nn.SoftMarginLoss(reduction="sum"), lambda: torch.nn.SoftMarginLoss(reduction="sum"), "signs"),
    (lambda: nn.PoissonNLLLoss(full=True), lambda: torch.nn.PoissonNLLLoss(full=True), "counts"),
    (lambda: nn.PoissonNLLLoss(size_average=False), lambda: torch.nn.PoissonNLLLoss(size_average=False), "counts"),
]


@pytest.mark.filterwarnings("ignore::UserWarning")  # PyTorch's warnings on reduction="mean" of KL and legacy flags
@pytest.mark.parametrize("ours, theirs, target", LOSS_MODULES)
def test_loss_modules_match_torch(ours, theirs, target):
    t = {"kl": _probs(4, 5), "kl_log": _log_probs(4, 5, seed=2), "signs": _SIGNS, "counts": _COUNTS}[target]
    m, tm = ours(), theirs()
    assert m.state_dict() == {} and tm.state_dict() == {}
    _check(lambda x: m(x, ag.tensor(t)), lambda x: tm(x, torch.tensor(t)), [_log_probs(4, 5)])


def test_pair_loss_modules_match_torch():
    y = _SIGNS[:, 0]
    for ours, theirs, shape in [
        (nn.MarginRankingLoss(margin=0.2), torch.nn.MarginRankingLoss(margin=0.2), (4,)),
        (
            nn.CosineEmbeddingLoss(margin=0.1, reduction="sum"),
            torch.nn.CosineEmbeddingLoss(0.1, reduction="sum"),
            (4, 3),
        ),
    ]:
        _check(
            lambda a, b: ours(a, b, ag.tensor(y)),
            lambda a, b: theirs(a, b, torch.tensor(y)),
            [_randn(*shape), _randn(*shape, seed=1)],
        )


def test_loss_errors_name_the_op_and_shapes():
    x = ag.zeros(4, 5)
    with pytest.raises(ValueError, match=r"kl_div: reduction must be 'mean', 'batchmean', 'sum' or 'none'"):
        F.kl_div(x, x, reduction="avg")
    with pytest.raises(ag.ShapeError, match=r"kl_div: target shape \(5,\) differs from input shape \(4, 5\)"):
        F.kl_div(x, ag.zeros(5))
    with pytest.raises(ValueError, match="smooth_l1_loss: beta must be ≥ 0"):
        F.smooth_l1_loss(x, x, beta=-1.0)
    with pytest.raises(ag.ShapeError, match=r"margin_ranking_loss: input1 \(4,\), input2 \(3,\) and target \(4,\)"):
        F.margin_ranking_loss(ag.zeros(4), ag.zeros(3), ag.zeros(4))
    with pytest.raises(ag.ShapeError, match=r"cosine_embedding_loss: .* got \(4, 5\), \(4, 5\) and \(4, 5\)"):
        F.cosine_embedding_loss(x, x, x)
    with pytest.raises(ag.ShapeError, match=r"poisson_nll_loss: target shape"):
        F.poisson_nll_loss(x, ag.zeros(4, 1))
    with pytest.raises(ValueError, match="KLDivLoss: reduction must be"):
        nn.KLDivLoss(reduction="avg")


# --- distances -----------------------------------------------------------------------------------
def _with_short_rows(*shape):
    a = _randn(*shape)
    a[1] *= 1e-10  # shorter than eps: divided by eps, with PyTorch's gradient
    a[2] = 0.0
    return a


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("p, dim", [(2.0, 1), (2.0, 0), (1.0, -1), (3.0, 1)])
def test_normalize_matches_torch(p, dim, dtype):
    x = _with_short_rows(4, 5) if dtype == np.float64 else _randn(4, 5)
    ours, theirs = _pair([x], dtype)
    out, tout = F.normalize(ours[0], p=p, dim=dim), TF.normalize(theirs[0], p=p, dim=dim)
    np.testing.assert_allclose(out.numpy(), tout.detach().numpy(), **TOL[dtype])
    g = _randn(4, 5, seed=3).astype(dtype)
    (out * ag.tensor(g)).sum().backward()
    (tout * torch.tensor(g)).sum().backward()
    # the gradients of the 1e-10 row are ~1e10: compare relative to each row's scale
    scale = np.abs(theirs[0].grad.numpy()).max(axis=dim, keepdims=True) + 1e-30
    np.testing.assert_allclose(ours[0].grad.numpy() / scale, theirs[0].grad.numpy() / scale, rtol=0, atol=1e-5)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize(
    "a_shape, b_shape, dim", [((4, 5), (4, 5), 1), ((4, 5), (4, 5), 0), ((4, 1, 3), (1, 5, 3), -1), ((6,), (6,), 0)]
)
def test_cosine_similarity_matches_torch(a_shape, b_shape, dim, dtype):
    a = _with_short_rows(*a_shape) if a_shape == (4, 5) and dim == 1 and dtype == np.float64 else _randn(*a_shape)
    ours, theirs = _pair([a, _randn(*b_shape, seed=1)], dtype)
    out, tout = F.cosine_similarity(*ours, dim=dim), TF.cosine_similarity(*theirs, dim=dim)
    np.testing.assert_allclose(out.numpy(), tout.detach().numpy(), **TOL[dtype])
    out.sum().backward()
    tout.sum().backward()
    for x, t in zip(ours, theirs):
        scale = np.abs(t.grad.numpy()).max() + 1e-30
        np.testing.assert_allclose(x.grad.numpy() / scale, t.grad.numpy() / scale, rtol=0, atol=1e-5)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("p, keepdim", [(2.0, False), (1.0, True), (3.0, False), (np.inf, False)])
def test_pairwise_distance_matches_torch(p, keepdim, dtype):
    a, b = _randn(4, 5), _randn(4, 5, seed=1)
    b[0] = a[0]  # equal rows: eps keeps the gradient finite
    _check(
        lambda x, y: F.pairwise_distance(x, y, p=p, keepdim=keepdim),
        lambda x, y: TF.pairwise_distance(x, y, p=p, keepdim=keepdim),
        [a, b],
        dtype,
    )
    _check(lambda x, y: F.pairwise_distance(x, y), lambda x, y: TF.pairwise_distance(x, y), [a, b[0]], dtype)


def test_distance_modules_match_torch():
    a, b = _randn(4, 5), _randn(4, 5, seed=1)
    for ours, theirs in [
        (nn.CosineSimilarity(), torch.nn.CosineSimilarity()),
        (nn.CosineSimilarity(dim=0, eps=1e-3), torch.nn.CosineSimilarity(dim=0, eps=1e-3)),
        (nn.PairwiseDistance(), torch.nn.PairwiseDistance()),
        (nn.PairwiseDistance(p=1.0, keepdim=True), torch.nn.PairwiseDistance(p=1.0, keepdim=True)),
    ]:
        _check(ours, theirs, [a, b])
        assert ours.state_dict() == {}


def test_distance_errors():
    with pytest.raises(ag.ShapeError, match=r"cosine_similarity: x1 of shape \(4, 5\) and x2 of shape \(3,\) do not"):
        F.cosine_similarity(ag.zeros(4, 5), ag.zeros(3))
    with pytest.raises(ag.ShapeError, match="normalize: needs at least one dim"):
        F.normalize(ag.tensor(1.0))


# --- unfold and fold -------------------------------------------------------------------------------
WINDOWS = [
    ((2, 3, 5, 6), dict(kernel_size=3)),
    ((2, 3, 5, 6), dict(kernel_size=(2, 3), dilation=(2, 1), padding=1, stride=(2, 1))),
    ((3, 5, 6), dict(kernel_size=2, stride=2)),
    ((1, 2, 7, 7), dict(kernel_size=3, padding=2, stride=3, dilation=2)),
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("shape, kw", WINDOWS)
def test_unfold_and_fold_match_torch(shape, kw, dtype):
    cols = _check(lambda x: F.unfold(x, **kw), lambda x: TF.unfold(x, **kw), [_randn(*shape)], dtype)
    size = shape[-2:]
    _check(lambda c: F.fold(c, size, **kw), lambda c: TF.fold(c, size, **kw), [_randn(*cols.shape, seed=4)], dtype)


def test_unfold_matmul_fold_is_a_convolution():
    """conv2d = W · unfold(x), folded back to the output's shape (the im2col identity PyTorch documents)."""
    x, w = ag.tensor(_randn(2, 3, 6, 5)), ag.tensor(_randn(4, 3, 3, 3, seed=1))
    cols = F.unfold(x, 3, padding=1, stride=2)
    out = (w.reshape(4, -1) @ cols).reshape(2, 4, 3, 3)
    np.testing.assert_allclose(out.numpy(), F.conv2d(x, w, padding=1, stride=2).numpy(), rtol=1e-12, atol=1e-12)


def test_unfold_fold_modules_match_torch():
    _compare_modules(nn.Unfold(2, stride=2), torch.nn.Unfold(2, stride=2), _randn(2, 3, 4, 6))
    _compare_modules(nn.Fold((4, 6), 2, stride=2), torch.nn.Fold((4, 6), 2, stride=2), _randn(2, 12, 6))
    assert "kernel_size=2" in repr(nn.Unfold(2))


def test_unfold_fold_errors():
    with pytest.raises(ag.ShapeError, match=r"unfold: expected a 3-D \(C, H, W\) or 4-D \(N, C, H, W\) input"):
        F.unfold(ag.zeros(2, 3), 2)
    with pytest.raises(ag.ShapeError, match=r"unfold: kernel \(5, 5\) .* larger than the padded image \(3, 3\)"):
        F.unfold(ag.zeros(1, 1, 3, 3), 5)
    with pytest.raises(ag.ShapeError, match=r"fold: input of shape \(1, 5, 4\) has 5 rows, not a multiple of .* 4"):
        F.fold(ag.zeros(1, 5, 4), (3, 3), 2)
    with pytest.raises(ag.ShapeError, match=r"fold: input of shape \(1, 4, 5\) has 5 columns, but output_size"):
        F.fold(ag.zeros(1, 4, 5), (3, 3), 2)


# --- max pooling: ceil_mode and integers ----------------------------------------------------------
def _distinct(*shape, seed=0):
    rng = np.random.default_rng(seed)
    return rng.permutation(int(np.prod(shape))).reshape(shape) * 0.25 + 0.01


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize(
    "shape, k, s, p, d",
    [((1, 2, 7, 6), 3, 2, 1, 1), ((2, 2, 5, 5), 2, 2, 0, 1), ((1, 1, 8, 7), 3, 3, 1, 2), ((1, 2, 4, 4), 3, 2, 0, 1)],
)
def test_max_pool2d_ceil_mode_matches_torch(shape, k, s, p, d, dtype):
    out = _check(
        lambda x: F.max_pool2d(x, k, s, p, d, ceil_mode=True),
        lambda x: TF.max_pool2d(x, k, s, p, d, ceil_mode=True),
        [_distinct(*shape)],
        dtype,
    )
    floor = F.max_pool2d(ag.tensor(_distinct(*shape)), k, s, p, d)
    assert out.shape[2] >= floor.shape[2] and out.shape[3] >= floor.shape[3]


def test_max_pool1d_ceil_mode_and_modules_match_torch():
    _check(
        lambda x: F.max_pool1d(x, 3, 2, 1, ceil_mode=True),
        lambda x: TF.max_pool1d(x, 3, 2, 1, ceil_mode=True),
        [_distinct(2, 3, 8)],
    )
    _compare_modules(nn.MaxPool2d(2, ceil_mode=True), torch.nn.MaxPool2d(2, ceil_mode=True), _distinct(2, 3, 5, 7))
    _compare_modules(nn.MaxPool1d(3, 2, ceil_mode=True), torch.nn.MaxPool1d(3, 2, ceil_mode=True), _distinct(2, 3, 8))
    assert "ceil_mode=True" in repr(nn.MaxPool2d(2, ceil_mode=True))


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint8])
@pytest.mark.parametrize("ceil_mode", [False, True])
def test_max_pool2d_on_integers_matches_torch(dtype, ceil_mode):
    a = np.random.default_rng(0).integers(0 if dtype == np.uint8 else -50, 50, (2, 3, 7, 6)).astype(dtype)
    out = F.max_pool2d(ag.tensor(a), 3, 2, 1, ceil_mode=ceil_mode)
    expected = TF.max_pool2d(torch.tensor(a), 3, 2, 1, ceil_mode=ceil_mode).numpy()
    assert out.dtype == dtype and not out.requires_grad
    np.testing.assert_array_equal(out.numpy(), expected)
    # max_pool1d has no integer kernel in PyTorch: compare with the 2-D pool over one row
    row = F.max_pool1d(ag.tensor(a[:, :, 0]), 2, ceil_mode=ceil_mode).numpy()
    np.testing.assert_array_equal(
        row, F.max_pool2d(ag.tensor(a[:, :, :1]), (1, 2), ceil_mode=ceil_mode).numpy()[:, :, 0]
    )


def test_max_pool_return_indices_is_refused():
    with pytest.raises(NotImplementedError, match="return_indices"):
        F.max_pool2d(ag.zeros(1, 1, 4, 4), 2, return_indices=True)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("count_include_pad", [True, False])
@pytest.mark.parametrize("shape, k, s, p", [((1, 2, 7, 6), 3, 2, 1), ((2, 2, 5, 5), 2, 2, 0), ((1, 1, 8, 7), 3, 3, 1)])
def test_avg_pool2d_ceil_mode_matches_torch(shape, k, s, p, count_include_pad, dtype):
    _check(
        lambda x: F.avg_pool2d(x, k, s, p, ceil_mode=True, count_include_pad=count_include_pad),
        lambda x: TF.avg_pool2d(x, k, s, p, ceil_mode=True, count_include_pad=count_include_pad),
        [_randn(*shape)],
        dtype,
    )


def test_avg_pool_modules_take_pytorchs_arguments():
    _compare_modules(nn.AvgPool2d(3, 2, 1, True, False), torch.nn.AvgPool2d(3, 2, 1, True, False), _randn(2, 3, 6, 7))
    _compare_modules(nn.AvgPool2d(2, divisor_override=3), torch.nn.AvgPool2d(2, divisor_override=3), _randn(2, 3, 4, 6))
    _compare_modules(nn.AvgPool1d(3, 2, 1, True), torch.nn.AvgPool1d(3, 2, 1, True), _randn(2, 3, 8))
