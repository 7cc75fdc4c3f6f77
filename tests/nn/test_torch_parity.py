"""Every layer and loss against its PyTorch twin with copied weights: same outputs and gradients
(1e-5), same state_dict keys and layouts, checkpoints loadable both ways. Skipped without torch."""

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F

torch = pytest.importorskip("torch")
tnn = torch.nn
TF = torch.nn.functional

TOL = dict(rtol=1e-5, atol=1e-5)
DTYPES = {"float32": (np.float32, torch.float32), "float64": (np.float64, torch.float64)}


def _copy_weights(ours, theirs):
    theirs.load_state_dict({k: torch.from_numpy(v.array.copy()) for k, v in ours.state_dict().items()}, strict=True)


def _randomize(module, seed):
    rng = np.random.default_rng(seed)
    for p in module.parameters():
        p.array[...] = rng.uniform(0.5, 1.5, p.shape) * rng.choice([-1, 1], p.shape)


def _compare_step(ours, theirs, x_np, dtype_np, seed):
    """One forward and backward of both with the same input and upstream gradient."""
    x = ag.tensor(x_np, dtype=dtype_np, requires_grad=True)
    tx = torch.tensor(x_np, dtype=torch.float64 if dtype_np == np.float64 else torch.float32, requires_grad=True)
    out, tout = ours(x), theirs(tx)
    np.testing.assert_allclose(out.array, tout.detach().numpy(), **TOL)
    assert out.dtype == dtype_np
    g = np.random.default_rng(seed).standard_normal(out.shape)
    (out * ag.tensor(g, dtype=dtype_np)).sum().backward()
    (tout * torch.tensor(g, dtype=tout.dtype)).sum().backward()
    np.testing.assert_allclose(x.grad.array, tx.grad.numpy(), **TOL)
    their_params = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad.array, their_params[name].grad.numpy(), err_msg=name, **TOL)
    return out


LAYERS = [
    ("linear", lambda: nn.Linear(5, 3), lambda: tnn.Linear(5, 3), (4, 5)),
    ("linear-nobias-3d", lambda: nn.Linear(5, 3, bias=False), lambda: tnn.Linear(5, 3, bias=False), (2, 4, 5)),
    ("relu", nn.ReLU, tnn.ReLU, (4, 5)),
    ("leaky_relu", lambda: nn.LeakyReLU(0.2), lambda: tnn.LeakyReLU(0.2), (4, 5)),
    ("prelu", nn.PReLU, tnn.PReLU, (4, 5)),
    ("prelu-channels", lambda: nn.PReLU(3), lambda: tnn.PReLU(3), (2, 3, 4)),
    ("gelu", nn.GELU, tnn.GELU, (4, 5)),
    ("gelu-tanh", lambda: nn.GELU("tanh"), lambda: tnn.GELU("tanh"), (4, 5)),
    ("elu", lambda: nn.ELU(0.7), lambda: tnn.ELU(0.7), (4, 5)),
    ("selu", nn.SELU, tnn.SELU, (4, 5)),
    ("sigmoid", nn.Sigmoid, tnn.Sigmoid, (4, 5)),
    ("tanh", nn.Tanh, tnn.Tanh, (4, 5)),
    ("softplus", lambda: nn.Softplus(2.0), lambda: tnn.Softplus(2.0), (4, 5)),
    ("softmax", lambda: nn.Softmax(1), lambda: tnn.Softmax(1), (4, 5)),
    ("log_softmax", lambda: nn.LogSoftmax(1), lambda: tnn.LogSoftmax(1), (4, 5)),
    ("relu6", nn.ReLU6, tnn.ReLU6, (4, 5)),
    ("hardtanh", lambda: nn.Hardtanh(-0.5, 2.0), lambda: tnn.Hardtanh(-0.5, 2.0), (4, 5)),
    ("hardsigmoid", nn.Hardsigmoid, tnn.Hardsigmoid, (4, 5)),
    ("hardswish", nn.Hardswish, tnn.Hardswish, (4, 5)),
    ("mish", nn.Mish, tnn.Mish, (4, 5)),
    ("softsign", nn.Softsign, tnn.Softsign, (4, 5)),
    ("logsigmoid", nn.LogSigmoid, tnn.LogSigmoid, (4, 5)),
    ("celu", lambda: nn.CELU(0.6), lambda: tnn.CELU(0.6), (4, 5)),
    ("glu", nn.GLU, tnn.GLU, (4, 6)),
    ("glu-dim1", lambda: nn.GLU(1), lambda: tnn.GLU(1), (2, 4, 3)),
    ("softmin", lambda: nn.Softmin(1), lambda: tnn.Softmin(1), (4, 5)),
    ("flatten", nn.Flatten, tnn.Flatten, (2, 3, 4)),
    ("identity", nn.Identity, tnn.Identity, (2, 3)),
    ("layer_norm", lambda: nn.LayerNorm(5), lambda: tnn.LayerNorm(5), (4, 5)),
    ("layer_norm-2d", lambda: nn.LayerNorm((3, 4)), lambda: tnn.LayerNorm((3, 4)), (2, 3, 4)),
    (
        "layer_norm-plain",
        lambda: nn.LayerNorm(5, elementwise_affine=False),
        lambda: tnn.LayerNorm(5, elementwise_affine=False),
        (4, 5),
    ),
    (
        "mlp",
        lambda: nn.Sequential(nn.Linear(5, 8), nn.ReLU(), nn.Dropout(0.5), nn.Linear(8, 2)),
        lambda: tnn.Sequential(tnn.Linear(5, 8), tnn.ReLU(), tnn.Dropout(0.5), tnn.Linear(8, 2)),
        (4, 5),
    ),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name, ours_fn, theirs_fn, shape", LAYERS, ids=[c[0] for c in LAYERS])
def test_layer_matches_pytorch(name, ours_fn, theirs_fn, shape, dtype):
    dtype_np, dtype_torch = DTYPES[dtype]
    ag.manual_seed(0)
    ours, theirs = ours_fn().to(dtype_np), theirs_fn().to(dtype_torch)
    _randomize(ours, 1)
    _copy_weights(ours, theirs)
    if name == "mlp":  # dropout masks differ between libraries; compare in eval mode
        ours.eval()
        theirs.eval()
    x = np.random.default_rng(2).standard_normal(shape) * 2
    _compare_step(ours, theirs, x, dtype_np, 3)


BATCH_NORMS = [
    ("bn1d", lambda: nn.BatchNorm1d(3), lambda: tnn.BatchNorm1d(3), (6, 3)),
    ("bn1d-NCL", lambda: nn.BatchNorm1d(3, momentum=0.3), lambda: tnn.BatchNorm1d(3, momentum=0.3), (4, 3, 5)),
    ("bn2d", lambda: nn.BatchNorm2d(2), lambda: tnn.BatchNorm2d(2), (3, 2, 4, 4)),
    ("bn-cumulative", lambda: nn.BatchNorm1d(3, momentum=None), lambda: tnn.BatchNorm1d(3, momentum=None), (5, 3)),
    ("bn-no-affine", lambda: nn.BatchNorm1d(3, affine=False), lambda: tnn.BatchNorm1d(3, affine=False), (5, 3)),
    (
        "bn-no-running",
        lambda: nn.BatchNorm1d(3, track_running_stats=False),
        lambda: tnn.BatchNorm1d(3, track_running_stats=False),
        (5, 3),
    ),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name, ours_fn, theirs_fn, shape", BATCH_NORMS, ids=[c[0] for c in BATCH_NORMS])
def test_batchnorm_matches_pytorch_over_several_steps(name, ours_fn, theirs_fn, shape, dtype):
    dtype_np, dtype_torch = DTYPES[dtype]
    ours, theirs = ours_fn().to(dtype_np), theirs_fn().to(dtype_torch)
    _randomize(ours, 1)
    _copy_weights(ours, theirs)
    rng = np.random.default_rng(4)
    for step in range(4):
        ours.zero_grad()
        theirs.zero_grad()
        _compare_step(ours, theirs, rng.standard_normal(shape) * 3 + 1, dtype_np, step)
    for key, value in theirs.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[key].array, value.numpy(), err_msg=key, **TOL)
    ours.eval()
    theirs.eval()
    ours.zero_grad()
    theirs.zero_grad()
    _compare_step(ours, theirs, rng.standard_normal(shape), dtype_np, 9)


def test_batchnorm_batch_of_one_raises_like_pytorch():
    with pytest.raises(ValueError, match="Expected more than 1 value per channel when training") as theirs:
        tnn.BatchNorm1d(3)(torch.zeros(1, 3))
    with pytest.raises(ValueError, match="Expected more than 1 value per channel when training") as ours:
        nn.BatchNorm1d(3)(ag.zeros(1, 3))
    assert str(theirs.value).split(",")[0] == str(ours.value).split(",")[0]


# --- losses -------------------------------------------------------------------------------------------
W3 = np.array([0.3, 1.0, 2.5])
PW3 = np.array([2.0, 0.5, 1.5])
IDX = np.array([0, 2, 1, 2, 1])
IDX_IGNORED = np.array([0, -100, 1, 2, 1])
IDX_KDIM = np.array([[0, 2], [1, 1], [2, 0], [0, 0], [1, 2]])


def _soft(seed, shape):
    z = np.random.default_rng(seed).standard_normal(shape)
    e = np.exp(z - z.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def _as_target(v, dtype):
    if v.dtype.kind == "f":
        return ag.tensor(v, dtype=dtype), torch.tensor(v, dtype=torch.float64 if dtype == np.float64 else torch.float32)
    return v, torch.from_numpy(v)


def _weights(kwargs, dtype):
    ours, theirs = {}, {}
    for k, v in kwargs.items():
        if isinstance(v, np.ndarray):
            ours[k] = ag.tensor(v, dtype=dtype)
            theirs[k] = torch.tensor(v, dtype=torch.float64 if dtype == np.float64 else torch.float32)
        else:
            ours[k] = theirs[k] = v
    return ours, theirs


LOSSES = [
    ("ce", nn.CrossEntropyLoss, tnn.CrossEntropyLoss, {}, (5, 3), IDX),
    ("ce-sum", nn.CrossEntropyLoss, tnn.CrossEntropyLoss, {"reduction": "sum"}, (5, 3), IDX),
    ("ce-none", nn.CrossEntropyLoss, tnn.CrossEntropyLoss, {"reduction": "none"}, (5, 3), IDX),
    ("ce-weight", nn.CrossEntropyLoss, tnn.CrossEntropyLoss, {"weight": W3}, (5, 3), IDX),
    ("ce-smooth", nn.CrossEntropyLoss, tnn.CrossEntropyLoss, {"label_smoothing": 0.2}, (5, 3), IDX),
    ("ce-ignore", nn.CrossEntropyLoss, tnn.CrossEntropyLoss, {}, (5, 3), IDX_IGNORED),
    (
        "ce-all",
        nn.CrossEntropyLoss,
        tnn.CrossEntropyLoss,
        {"weight": W3, "label_smoothing": 0.3, "ignore_index": 1},
        (5, 3),
        IDX_IGNORED.clip(0),
    ),
    (
        "ce-all-none",
        nn.CrossEntropyLoss,
        tnn.CrossEntropyLoss,
        {"weight": W3, "label_smoothing": 0.3, "reduction": "none"},
        (5, 3),
        IDX_IGNORED,
    ),
    ("ce-kdim", nn.CrossEntropyLoss, tnn.CrossEntropyLoss, {"label_smoothing": 0.1}, (5, 3, 2), IDX_KDIM),
    ("ce-probs", nn.CrossEntropyLoss, tnn.CrossEntropyLoss, {"label_smoothing": 0.1}, (5, 3), _soft(1, (5, 3))),
    ("ce-probs-weight", nn.CrossEntropyLoss, tnn.CrossEntropyLoss, {"weight": W3}, (5, 3), _soft(1, (5, 3))),
    ("ce-unbatched", nn.CrossEntropyLoss, tnn.CrossEntropyLoss, {}, (3,), np.array(2)),
    ("nll", nn.NLLLoss, tnn.NLLLoss, {"weight": W3}, (5, 3), IDX_IGNORED),
    ("nll-kdim-sum", nn.NLLLoss, tnn.NLLLoss, {"reduction": "sum"}, (5, 3, 2), IDX_KDIM),
    ("mse", nn.MSELoss, tnn.MSELoss, {}, (5, 3), _soft(2, (5, 3))),
    ("l1", nn.L1Loss, tnn.L1Loss, {"reduction": "sum"}, (5, 3), _soft(2, (5, 3))),
    ("huber", nn.HuberLoss, tnn.HuberLoss, {"delta": 0.7}, (5, 3), _soft(2, (5, 3)) * 3),
    ("bce", nn.BCELoss, tnn.BCELoss, {"weight": W3}, (5, 3), _soft(2, (5, 3))),
    ("bce-logits", nn.BCEWithLogitsLoss, tnn.BCEWithLogitsLoss, {"pos_weight": PW3}, (5, 3), _soft(2, (5, 3))),
    (
        "bce-logits-w",
        nn.BCEWithLogitsLoss,
        tnn.BCEWithLogitsLoss,
        {"weight": W3, "reduction": "none"},
        (5, 3),
        _soft(2, (5, 3)),
    ),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name, ours_cls, theirs_cls, kwargs, shape, target", LOSSES, ids=[c[0] for c in LOSSES])
def test_loss_matches_pytorch(name, ours_cls, theirs_cls, kwargs, shape, target, dtype):
    dtype_np, _ = DTYPES[dtype]
    ours_kwargs, theirs_kwargs = _weights(kwargs, dtype_np)
    ours_loss, theirs_loss = ours_cls(**ours_kwargs), theirs_cls(**theirs_kwargs)
    z_np = np.random.default_rng(5).standard_normal(shape) * 2
    if name.startswith("bce") and "logits" not in name:
        z_np = 1 / (1 + np.exp(-z_np))  # probabilities
    if name.startswith("nll"):
        z_np = np.log(_soft(6, shape[:1] + shape[2:] + shape[1:2])).swapaxes(1, -1)  # log-probabilities
    t_ours, t_theirs = _as_target(target, dtype_np)
    z = ag.tensor(z_np, dtype=dtype_np, requires_grad=True)
    tz = torch.tensor(z_np, dtype=torch.float64 if dtype_np == np.float64 else torch.float32, requires_grad=True)
    out, tout = ours_loss(z, t_ours), theirs_loss(tz, t_theirs)
    assert out.dtype == dtype_np and out.shape == tuple(tout.shape)
    np.testing.assert_allclose(out.array, tout.detach().numpy(), **TOL)
    g = np.random.default_rng(7).standard_normal(out.shape)
    (out * ag.tensor(g, dtype=dtype_np)).sum().backward()
    (tout * torch.tensor(g, dtype=tout.dtype)).sum().backward()
    np.testing.assert_allclose(z.grad.array, tz.grad.numpy(), **TOL)


def test_cross_entropy_huge_logits_match_pytorch():
    z_np = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 1e4], [3.0, -1e4, 1e4]], dtype=np.float32)
    y = np.array([1, 0, 2])
    z = ag.tensor(z_np, requires_grad=True)
    tz = torch.tensor(z_np, requires_grad=True)
    out, tout = (
        F.cross_entropy(z, y, label_smoothing=0.1),
        TF.cross_entropy(tz, torch.from_numpy(y), label_smoothing=0.1),
    )
    out.backward()
    tout.backward()
    np.testing.assert_allclose(out.array, tout.detach().numpy(), rtol=1e-5)
    np.testing.assert_allclose(z.grad.array, tz.grad.numpy(), **TOL)
    assert np.all(np.isfinite(z.grad.array))


def test_bce_with_logits_huge_logits_match_pytorch():
    z_np = np.array([1e4, -1e4, 50.0, -50.0, 0.0])
    t_np = np.array([0.0, 1.0, 0.3, 0.7, 1.0])
    z = ag.tensor(z_np, requires_grad=True)
    tz = torch.tensor(z_np, requires_grad=True)
    out = F.binary_cross_entropy_with_logits(z, ag.tensor(t_np), reduction="sum")
    tout = TF.binary_cross_entropy_with_logits(tz, torch.tensor(t_np), reduction="sum")
    out.backward()
    tout.backward()
    np.testing.assert_allclose(out.array, tout.detach().numpy(), rtol=1e-6)
    np.testing.assert_allclose(z.grad.array, tz.grad.numpy(), **TOL)


# --- initializers ---------------------------------------------------------------------------------------
def test_gains_and_fans_match_pytorch():
    for name, param in [("linear", None), ("sigmoid", None), ("tanh", None), ("relu", None), ("leaky_relu", None),
                        ("leaky_relu", 0.2), ("selu", None), ("conv2d", None)]:  # fmt: skip
        assert nn.init.calculate_gain(name, param) == pytest.approx(tnn.init.calculate_gain(name, param))
    for shape in [(3, 5), (16, 8, 3, 3), (4, 2, 5)]:
        theirs = tnn.init._calculate_fan_in_and_fan_out(torch.zeros(shape))
        assert nn.init.calculate_fan_in_and_fan_out(ag.zeros(*shape)) == theirs


def test_linear_default_init_has_pytorchs_bounds():
    ag.manual_seed(0)
    ours = nn.Linear(300, 200)
    torch.manual_seed(0)
    theirs = tnn.Linear(300, 200)
    for name in ("weight", "bias"):
        a = getattr(ours, name).array
        b = getattr(theirs, name).detach().numpy()
        assert a.shape == b.shape
        assert abs(np.abs(a).max() - np.abs(b).max()) < 1e-3  # both U(−1/√300, 1/√300)
        assert abs(a.std() / b.std() - 1) < 0.05


# --- state_dict and checkpoints ------------------------------------------------------------------------
def _twins():
    ours = nn.Sequential(
        nn.Linear(4, 6), nn.BatchNorm1d(6), nn.PReLU(), nn.Dropout(0.1),
        nn.Sequential(nn.Linear(6, 5), nn.LayerNorm(5), nn.GELU()), nn.Linear(5, 3),
    )  # fmt: skip
    theirs = tnn.Sequential(
        tnn.Linear(4, 6), tnn.BatchNorm1d(6), tnn.PReLU(), tnn.Dropout(0.1),
        tnn.Sequential(tnn.Linear(6, 5), tnn.LayerNorm(5), tnn.GELU()), tnn.Linear(5, 3),
    )  # fmt: skip
    return ours, theirs


def test_state_dict_keys_shapes_and_dtypes_are_pytorchs():
    ours, theirs = _twins()
    ours_sd, theirs_sd = ours.state_dict(), theirs.state_dict()
    assert list(ours_sd) == list(theirs_sd)
    for key, value in theirs_sd.items():
        assert ours_sd[key].shape == tuple(value.shape), key
        assert str(ours_sd[key].dtype) == str(value.dtype).replace("torch.", ""), key


def test_checkpoint_loads_into_pytorch_and_back(tmp_path):
    from safetensors.torch import load_file as torch_load_file
    from safetensors.torch import save_file as torch_save_file

    ag.manual_seed(0)
    ours, theirs = _twins()
    for _ in range(3):
        ours(ag.randn(8, 4))
    path = tmp_path / "ours.safetensors"
    nn.save(ours, path)
    theirs.load_state_dict(torch_load_file(str(path)), strict=True)
    ours.eval()
    theirs.eval()
    x = np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32)
    np.testing.assert_allclose(ours(ag.tensor(x)).array, theirs(torch.from_numpy(x)).detach().numpy(), **TOL)

    # and a PyTorch checkpoint (file or in-memory state_dict) loads into glassgrad with strict=True
    torch.manual_seed(1)
    fresh_theirs = _twins()[1]
    fresh_theirs.train()(torch.randn(8, 4))
    torch_path = tmp_path / "theirs.safetensors"
    torch_save_file(fresh_theirs.state_dict(), str(torch_path))
    back = _twins()[0]
    back.load_state_dict(nn.load(torch_path), strict=True)
    fresh_theirs.eval()
    np.testing.assert_allclose(
        back.eval()(ag.tensor(x)).array, fresh_theirs(torch.from_numpy(x)).detach().numpy(), **TOL
    )
    again = _twins()[0]
    again.load_state_dict(fresh_theirs.state_dict(), strict=True)
    for key, value in fresh_theirs.state_dict().items():
        np.testing.assert_array_equal(again.state_dict()[key].array, value.numpy(), err_msg=key)


def test_containers_have_pytorchs_state_dict_keys():
    def build(lib, tensor):
        class Net(lib.Module):
            def __init__(self):
                super().__init__()
                self.heads = lib.ModuleDict({"cls": lib.Linear(3, 2), "reg": lib.Linear(3, 1)})
                self.ws = lib.ParameterList([lib.Parameter(tensor(np.ones(2, dtype=np.float32)))])
                self.scales = lib.ParameterDict({"a": lib.Parameter(tensor(np.ones(1, dtype=np.float32)))})

        return Net()

    ours = build(nn, ag.tensor)
    theirs = build(tnn, torch.from_numpy)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    theirs.load_state_dict({k: torch.from_numpy(v.array.copy()) for k, v in ours.state_dict().items()}, strict=True)
