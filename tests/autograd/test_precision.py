"""Activations and losses keep their relative precision over z ∈ [−100, 100], float32 and float64.

Values are compared with a reference computed one element at a time with Python's ``math`` (erfc,
log1p, expm1: accurate to the last bit of float64, in the tails too, where PyTorch's own float64
gelu and BCE lose digits) from the same rounded inputs: relative error within a few units in the
last place wherever the reference is a normal number of the dtype. Gradients are compared with
PyTorch in the same dtype (skipped without torch).
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd as ag

try:
    import torch
    import torch.nn.functional as F
except ImportError:  # pragma: no cover - the compare extra is not installed
    torch = None

GRID = np.concatenate(
    [np.linspace(-100, 100, 4001), [-88.7, -87.3, -30, -20, -15, -1e-8, 0, 1e-8, 15, 20, 30, 5.5, -5.5]]
)
PROBS = np.concatenate([np.geomspace(1e-30, 0.5, 2000), 1 - np.geomspace(1e-7, 0.5, 2000), [0.0, 1.0, 0.25]])
TARGETS = np.resize([0.0, 1.0, 0.3], GRID.size)


def _t(targets, like):
    return (
        ag.tensor(targets.astype(like.dtype))
        if isinstance(like, ag.Tensor)
        else torch.tensor(targets, dtype=like.dtype)
    )


def _fns():
    """name → (glassgrad fn, torch fn); each maps a 1-D input to an output of any shape."""
    return {
        "sigmoid": (lambda x: x.sigmoid(), lambda x: x.sigmoid()),
        "tanh": (lambda x: x.tanh(), lambda x: x.tanh()),
        "relu": (lambda x: x.relu(), lambda x: x.relu()),
        "softplus": (lambda x: ag.softplus(x), lambda x: F.softplus(x)),
        "softplus_beta2": (lambda x: ag.softplus(x, 2.0, 5.0), lambda x: F.softplus(x, 2.0, 5.0)),
        "gelu": (lambda x: ag.gelu(x), lambda x: F.gelu(x)),
        "gelu_tanh": (lambda x: ag.gelu(x, approximate="tanh"), lambda x: F.gelu(x, approximate="tanh")),
        "elu": (lambda x: ag.elu(x), lambda x: F.elu(x)),
        "selu": (lambda x: ag.selu(x), lambda x: F.selu(x)),
        "leaky_relu": (lambda x: ag.leaky_relu(x, 0.1), lambda x: F.leaky_relu(x, 0.1)),
        "hardtanh": (lambda x: ag.hardtanh(x, -2.0, 3.0), lambda x: F.hardtanh(x, -2.0, 3.0)),
        "relu6": (lambda x: ag.relu6(x), lambda x: F.relu6(x)),
        "hardsigmoid": (lambda x: ag.hardsigmoid(x), lambda x: F.hardsigmoid(x)),
        "hardswish": (lambda x: ag.hardswish(x), lambda x: F.hardswish(x)),
        "softsign": (lambda x: ag.softsign(x), lambda x: F.softsign(x)),
        "logsigmoid": (lambda x: ag.logsigmoid(x), lambda x: F.logsigmoid(x)),
        "mish": (lambda x: ag.mish(x), lambda x: F.mish(x)),
        "celu": (lambda x: ag.celu(x, 0.7), lambda x: F.celu(x, 0.7)),
        "softmax": (lambda x: x.reshape(-1, 3).softmax(1), lambda x: x.reshape(-1, 3).softmax(1)),
        "log_softmax": (lambda x: x.reshape(-1, 3).log_softmax(1), lambda x: x.reshape(-1, 3).log_softmax(1)),
        "logsumexp": (lambda x: x.reshape(-1, 3).logsumexp(1), lambda x: x.reshape(-1, 3).logsumexp(1)),
        "bce_with_logits": (
            lambda x: ag.binary_cross_entropy_with_logits(x, _t(TARGETS[: x.shape[0]], x), reduction="none"),
            lambda x: F.binary_cross_entropy_with_logits(x, _t(TARGETS[: x.shape[0]], x), reduction="none"),
        ),
        "bce": (
            lambda x: ag.binary_cross_entropy(x, _t(TARGETS[: x.shape[0]], x), reduction="none"),
            lambda x: F.binary_cross_entropy(x, _t(TARGETS[: x.shape[0]], x), reduction="none"),
        ),
        "cross_entropy": (
            lambda x: ag.cross_entropy(x.reshape(-1, 3), np.arange(x.shape[0] // 3) % 3, reduction="none"),
            lambda x: F.cross_entropy(x.reshape(-1, 3), torch.tensor(np.arange(x.shape[0] // 3) % 3), reduction="none"),
        ),
    }


FNS = _fns()
TINY = {np.float32: np.finfo(np.float32).tiny, np.float64: np.finfo(np.float64).tiny}
RTOL = {np.float32: 4e-6, np.float64: 1e-12}


def _ours(name, z, dtype):
    x = ag.tensor(z.astype(dtype), requires_grad=True)
    y = FNS[name][0](x)
    y.sum().backward()
    return y.array, x.grad.array


def _torch(name, z, dtype):
    x = torch.tensor(z.astype(dtype), requires_grad=True)
    y = FNS[name][1](x)
    y.sum().backward()
    return y.detach().numpy(), x.grad.numpy()


def _sigmoid(v):
    return 1.0 / (1.0 + math.exp(-v)) if v >= 0 else math.exp(v) / (1.0 + math.exp(v))


def _softplus(v, beta=1.0, threshold=20.0):
    b = beta * v
    return v if b > threshold else (max(b, 0.0) + math.log1p(math.exp(-abs(b)))) / beta


def _logsumexp(row):
    m = max(row)
    return m + math.log(math.fsum(math.exp(v - m) for v in row))


_SELU_A, _SELU_L = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946
_U = math.sqrt(2.0 / math.pi)
ELEMENTWISE = {
    "sigmoid": _sigmoid,
    "tanh": math.tanh,
    "relu": lambda v: max(v, 0.0),
    "softplus": _softplus,
    "softplus_beta2": lambda v: _softplus(v, 2.0, 5.0),
    "gelu": lambda v: v * 0.5 * math.erfc(-v / math.sqrt(2.0)),
    "gelu_tanh": lambda v: v * _sigmoid(2.0 * _U * (v + 0.044715 * v**3)),
    "elu": lambda v: v if v > 0 else math.expm1(v),
    "selu": lambda v: _SELU_L * (v if v > 0 else _SELU_A * math.expm1(v)),
    "leaky_relu": lambda v: v if v > 0 else 0.1 * v,
    "hardtanh": lambda v: min(max(v, -2.0), 3.0),
    "relu6": lambda v: min(max(v, 0.0), 6.0),
    "hardsigmoid": lambda v: min(max(v + 3.0, 0.0), 6.0) / 6.0,
    "hardswish": lambda v: v * min(max(v + 3.0, 0.0), 6.0) / 6.0,
    "softsign": lambda v: v / (1.0 + abs(v)),
    "logsigmoid": lambda v: -_softplus(-v, threshold=math.inf),
    "mish": lambda v: v * math.tanh(_softplus(v, threshold=math.inf)),
    "celu": lambda v: v if v > 0 else 0.7 * math.expm1(v / 0.7),
}


def _bce_logits(v, t):
    return math.fsum([(1.0 - t) * v, max(-v, 0.0), math.log1p(math.exp(-abs(v)))])


def _bce(p, t):
    log_p = max(math.log(p), -100.0) if p > 0 else -100.0
    log_1mp = max(math.log1p(-p), -100.0) if p < 1 else -100.0
    return -(t * log_p + (1.0 - t) * log_1mp)


def _rows(name, z):
    rows = z.reshape(-1, 3).tolist()
    if name == "softmax":
        return [math.exp(v - _logsumexp(r)) for r in rows for v in r]
    if name == "log_softmax":
        return [v - _logsumexp(r) for r in rows for v in r]
    if name == "logsumexp":
        return [_logsumexp(r) for r in rows]
    return [_logsumexp(r) - r[k % 3] for k, r in enumerate(rows)]  # cross_entropy


def _reference_values(name, z, dtype):
    """float64 values, one element at a time with ``math``, at the inputs rounded to ``dtype``."""
    z = z.astype(dtype).astype(np.float64)
    t = TARGETS[: z.size]
    if name in ELEMENTWISE:
        return np.array([ELEMENTWISE[name](v) for v in z.tolist()])
    if name == "bce_with_logits":
        return np.array([_bce_logits(v, w) for v, w in zip(z.tolist(), t.tolist())])
    if name == "bce":
        return np.array([_bce(v, w) for v, w in zip(z.tolist(), t.tolist())])
    return np.array(_rows(name, z))


def _inputs(name):
    return PROBS if name == "bce" else GRID


def _conditioning(name, z, n):
    """The absolute error the shift-by-max algorithm (PyTorch's too) allows: ε·max(1, |row max|).

    NOTE: log Σ e^(z − m) is 1 + r rounded before the log, so a log-softmax of −2.3e-11 is only
    good to ~1e-16 absolute (PyTorch's float64 gives the same digits); elementwise ops have none.
    """
    if name not in ("softmax", "log_softmax", "logsumexp", "cross_entropy"):
        return np.zeros(n)
    m = np.abs(z.reshape(-1, 3)).max(axis=1)
    return np.repeat(np.maximum(1.0, m), n // m.size)


def _assert_values_close(got, ref, dtype, name, z=None):
    got, ref = np.asarray(got, np.float64).ravel(), np.asarray(ref, np.float64).ravel()
    slack = 8 * np.finfo(dtype).eps * (_conditioning(name, z, ref.size) if z is not None else np.zeros(ref.size))
    finite = np.isfinite(ref)
    assert np.array_equal(np.isnan(got), np.isnan(ref)) and np.array_equal(got[np.isinf(ref)], ref[np.isinf(ref)]), name
    normal = finite & (np.abs(ref) >= TINY[dtype])
    err = np.maximum(np.abs(got - ref) - slack, 0.0) / np.where(normal, np.abs(ref), 1.0)
    bad = normal & (err > RTOL[dtype])
    assert not bad.any(), f"{name} {dtype.__name__}: relative error {err[bad].max():.2e} at reference {ref[bad][0]:.6g}"
    # Below the normal range only the absolute size matters (a subnormal either way).
    assert np.all(np.abs(got - ref)[finite & ~normal] <= 2 * TINY[dtype]), name


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("name", list(FNS))
def test_values_keep_their_relative_precision(name, dtype):
    z = _inputs(name)
    _assert_values_close(_ours(name, z, dtype)[0], _reference_values(name, z, dtype), dtype, name, z)


# NOTE: PyTorch's float64 backward of these rounds a constant to float32 (hardsigmoid's 1/6, celu's
# 1/α): its gradients are ~3e-8 relative off; ours are exact (test_exact_gradients_where_pytorch_rounds).
TORCH_FLOAT32_CONSTANTS = {"hardsigmoid": 1e-7, "celu": 1e-5}


def test_exact_gradients_where_pytorch_rounds():
    z = GRID[(GRID > -2.9) & (GRID < 2.9) & (GRID != 0)]
    _, grad = _ours("hardsigmoid", z, np.float64)
    np.testing.assert_array_equal(grad, np.full(z.size, 1.0 / 6.0))
    _, grad = _ours("celu", GRID, np.float64)
    reference = [1.0 if v > 0 else math.exp(v / 0.7) for v in GRID.tolist()]
    np.testing.assert_allclose(grad, reference, rtol=1e-15, atol=0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("name", list(FNS))
def test_gradients_match_pytorch_in_the_same_dtype(name, dtype):
    if torch is None:
        pytest.skip("needs torch")
    _, ours = _ours(name, _inputs(name), dtype)
    _, theirs = _torch(name, _inputs(name), dtype)
    atol = {np.float32: 1e-6, np.float64: 1e-14}[dtype]
    # The formulas are PyTorch's but not always in its order of operations: a few ulp apart.
    rtol = {np.float32: 4e-5, np.float64: 1e-8}[dtype]
    rtol = max(rtol, TORCH_FLOAT32_CONSTANTS.get(name, 0.0))
    np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=atol, err_msg=name)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    name=st.sampled_from(sorted(FNS)),
    z=st.lists(st.floats(-100, 100, allow_nan=False, width=32), min_size=3, max_size=12),
)
def test_random_inputs_keep_their_precision(name, z):
    z = np.asarray(z[: len(z) // 3 * 3], dtype=np.float64)
    if name == "bce":
        z = 1.0 / (1.0 + np.exp(-z / 10))  # probabilities
    for dtype in (np.float32, np.float64):
        _assert_values_close(_ours(name, z, dtype)[0], _reference_values(name, z, dtype), dtype, name, z)


def test_the_cases_the_battery_found():
    """sigmoid(−20) in float32 and BCE(sigmoid(−30), 1) are right, not 0 and 100."""
    assert ag.tensor(np.float32(-20.0)).sigmoid().item() == pytest.approx(2.0611537e-09, rel=1e-6)
    assert ag.tensor(-50.0, dtype=np.float64).sigmoid().item() == pytest.approx(1.9287498479639178e-22, rel=1e-12)
    loss = ag.binary_cross_entropy(ag.tensor([-30.0]).sigmoid(), ag.tensor([1.0]))
    assert loss.item() == pytest.approx(30.0, rel=1e-6)
