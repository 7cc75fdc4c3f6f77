"""Losses: values against NumPy, gradcheck (float64), the fused cross-entropy, stability, bad targets."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nn_testutil import t64

import autograd as ag
import nn
import nn.functional as F


def _softmax(z, axis=-1):
    e = np.exp(z - z.max(axis, keepdims=True))
    return e / e.sum(axis, keepdims=True)


def _log_softmax(z, axis=-1):
    s = z - z.max(axis, keepdims=True)
    return s - np.log(np.exp(s).sum(axis, keepdims=True))


LABELS = np.array([0, 2, 1, 2])
LABELS_IGNORED = np.array([0, -100, 1, 2])
LABELS_3D = np.array([[0, 2], [1, 1], [2, 0]])  # for an input (3, C=3, 2)


def _probs(seed, shape):
    return ag.tensor(_softmax(np.random.default_rng(seed).standard_normal(shape)), dtype=np.float64)


# --- gradcheck for every loss ----------------------------------------------------------------------
CASES = [
    ("ce", lambda z: F.cross_entropy(z, LABELS), (4, 3)),
    ("ce-sum", lambda z: F.cross_entropy(z, LABELS, reduction="sum"), (4, 3)),
    ("ce-none", lambda z: F.cross_entropy(z, LABELS, reduction="none"), (4, 3)),
    ("ce-weight", lambda z: F.cross_entropy(z, LABELS, weight=ag.tensor([0.2, 1.0, 3.0])), (4, 3)),
    ("ce-smooth", lambda z: F.cross_entropy(z, LABELS, label_smoothing=0.2), (4, 3)),
    (
        "ce-all-options",
        lambda z: F.cross_entropy(z, LABELS_IGNORED, weight=ag.tensor([0.2, 1.0, 3.0]), label_smoothing=0.3),
        (4, 3),
    ),
    ("ce-ignore", lambda z: F.cross_entropy(z, LABELS_IGNORED, reduction="none"), (4, 3)),
    ("ce-kdim", lambda z: F.cross_entropy(z, LABELS_3D), (3, 3, 2)),
    ("ce-kdim-none", lambda z: F.cross_entropy(z, LABELS_3D, reduction="none", label_smoothing=0.1), (3, 3, 2)),
    ("ce-unbatched", lambda z: F.cross_entropy(z, np.array(1)), (3,)),
    ("ce-probs", lambda z: F.cross_entropy(z, _probs(1, (4, 3)), label_smoothing=0.1), (4, 3)),
    ("ce-kdim-probs", lambda z: F.cross_entropy(z, _probs(3, (3, 2, 3)).permute(0, 2, 1), reduction="none"), (3, 3, 2)),
    ("ce-probs-weight", lambda z: F.cross_entropy(z, _probs(1, (4, 3)), weight=ag.tensor([1.0, 2.0, 0.5])), (4, 3)),
    ("nll", lambda z: F.nll_loss(z.log_softmax(1), LABELS_IGNORED, weight=ag.tensor([0.2, 1.0, 3.0])), (4, 3)),
    ("nll-kdim-none", lambda z: F.nll_loss(z, LABELS_3D, reduction="none"), (3, 3, 2)),
    ("mse", lambda z: F.mse_loss(z, ag.ones(4, 3, dtype=np.float64)), (4, 3)),
    ("l1", lambda z: F.l1_loss(z, ag.full((4, 3), 0.3, dtype=np.float64), reduction="sum"), (4, 3)),
    ("huber", lambda z: F.huber_loss(z, ag.zeros(4, 3, dtype=np.float64), delta=0.8), (4, 3)),
    (
        "bce",
        lambda z: F.binary_cross_entropy(z.sigmoid(), _probs(2, (4, 3)), weight=ag.tensor([1.0, 2.0, 3.0])),
        (4, 3),
    ),
    ("bce-logits", lambda z: F.binary_cross_entropy_with_logits(z, _probs(2, (4, 3))), (4, 3)),
    (
        "bce-logits-posw",
        lambda z: F.binary_cross_entropy_with_logits(z, _probs(2, (4, 3)), pos_weight=ag.tensor([0.5, 2.0, 3.0])),
        (4, 3),
    ),
]


@pytest.mark.parametrize("name, fn, shape", CASES, ids=[c[0] for c in CASES])
def test_gradcheck_losses(name, fn, shape):
    assert ag.gradcheck(fn, (t64(*shape, seed=4, scale=2.0),))


@pytest.mark.parametrize(
    "fn",
    [
        lambda z, t: F.cross_entropy(z, t, label_smoothing=0.2, weight=ag.tensor([1.0, 2.0, 0.5])),
        lambda z, t: F.binary_cross_entropy(z.sigmoid(), t.sigmoid()),
        lambda z, t: F.binary_cross_entropy_with_logits(z, t.sigmoid(), pos_weight=ag.tensor([2.0, 1.0, 0.5])),
        lambda z, t: F.mse_loss(z, t),
    ],
    ids=["ce-probs", "bce", "bce-logits", "mse"],
)
def test_gradcheck_with_respect_to_soft_targets(fn):
    z = t64(4, 3, seed=1)
    t = ag.tensor(_softmax(np.random.default_rng(2).standard_normal((4, 3))), dtype=np.float64, requires_grad=True)
    assert ag.gradcheck(fn, (z, t))


@pytest.mark.parametrize(
    "fn",
    [
        lambda z: F.cross_entropy(z, LABELS_IGNORED, label_smoothing=0.1, weight=ag.tensor([0.2, 1.0, 3.0])),
        lambda z: F.cross_entropy(z, LABELS, reduction="none"),
        lambda z: F.cross_entropy(z, _probs(1, (4, 3))),
        lambda z: F.binary_cross_entropy(z.sigmoid(), _probs(2, (4, 3))),
        lambda z: F.binary_cross_entropy_with_logits(z, _probs(2, (4, 3)), pos_weight=ag.tensor([0.5, 2.0, 3.0])),
    ],
    ids=["ce", "ce-none", "ce-probs", "bce", "bce-logits"],
)
def test_gradgradcheck_fused_losses(fn):
    assert ag.gradgradcheck(fn, (t64(4, 3, seed=6),))


# --- cross-entropy -----------------------------------------------------------------------------------
def test_cross_entropy_gradient_is_softmax_minus_target_over_n():
    z = t64(5, 4, seed=3, scale=3.0)
    y = np.array([3, 0, 1, 1, 2])
    loss = nn.CrossEntropyLoss()(z, y)
    assert loss.grad_fn.name() == "CrossEntropyBackward0"
    # one fused node straight from the logits (the indices take no gradient)
    assert loss.grad_fn.next_functions == ((ag.AccumulateGrad(z), 0), (None, 0))
    loss.backward()
    onehot = np.eye(4)[y]
    np.testing.assert_allclose(loss.array, -(_log_softmax(z.array) * onehot).sum(1).mean(), rtol=1e-12)
    np.testing.assert_allclose(z.grad.array, (_softmax(z.array) - onehot) / 5, rtol=1e-12, atol=1e-15)


def test_cross_entropy_stays_finite_for_huge_logits():
    z = ag.tensor([[1e4, -1e4, 0.0], [-1e4, 1e4, 1e4]], requires_grad=True)
    for target, expected in ((np.array([0, 1]), np.log(2) / 2), (np.array([1, 0]), (2e4 + 2e4 + np.log(2)) / 2)):
        z.grad = None
        loss = F.cross_entropy(z, target)
        loss.backward()
        assert np.isfinite(loss.array) and np.all(np.isfinite(z.grad.array))
        np.testing.assert_allclose(loss.array, expected, rtol=1e-6)
    np.testing.assert_allclose(z.grad.array, (_softmax(z.array.astype(np.float64)) - np.eye(3)[[1, 0]]) / 2, atol=1e-7)


def test_cross_entropy_options_match_their_definitions():
    z = np.random.default_rng(0).standard_normal((4, 3))
    logp = _log_softmax(z)
    w = np.array([0.2, 1.0, 3.0])
    eps = 0.3
    y = LABELS_IGNORED
    keep = y != -100
    yk = np.where(keep, y, 0)
    # PyTorch's definition: (1 − ε)·weighted NLL + ε/C·Σ_c w_c(−log p_c), both over Σ w_y of kept rows
    nll = -(w[yk] * logp[np.arange(4), yk] * keep).sum()
    smooth = -((logp * w).sum(1) * keep).sum()
    expected = ((1 - eps) * nll + eps / 3 * smooth) / (w[yk] * keep).sum()
    got = F.cross_entropy(ag.tensor(z), y, weight=ag.tensor(w), label_smoothing=eps)
    np.testing.assert_allclose(got.array, expected, rtol=1e-12)
    # probability targets: −Σ w_c t_c log p_c averaged over the N rows, with t smoothed
    t = _softmax(np.random.default_rng(1).standard_normal((4, 3)))
    ts = (1 - eps) * t + eps / 3
    got = F.cross_entropy(ag.tensor(z), ag.tensor(t), weight=ag.tensor(w), label_smoothing=eps)
    np.testing.assert_allclose(got.array, -(ts * w * logp).sum(1).mean(), rtol=1e-12)
    # class indices and their one-hot probabilities agree
    onehot = ag.tensor(np.eye(3)[LABELS])
    np.testing.assert_allclose(
        F.cross_entropy(ag.tensor(z), LABELS, label_smoothing=0.1).array,
        F.cross_entropy(ag.tensor(z), onehot, label_smoothing=0.1).array,
        rtol=1e-12,
    )


def test_cross_entropy_equals_log_softmax_then_nll_for_k_dims():
    z = t64(3, 4, 2, 2, seed=8)
    y = np.random.default_rng(0).integers(0, 4, size=(3, 2, 2))
    fused = F.cross_entropy(z, y, reduction="none")
    composed = F.nll_loss(z.log_softmax(1), y, reduction="none")
    assert fused.shape == (3, 2, 2)
    np.testing.assert_allclose(fused.array, composed.array, rtol=1e-12)


def test_cross_entropy_ignore_index():
    z = t64(4, 3, seed=2)
    loss = F.cross_entropy(z, LABELS_IGNORED)
    loss.backward()
    assert np.all(z.grad.array[1] == 0)
    kept = [0, 2, 3]
    np.testing.assert_allclose(
        loss.array, F.cross_entropy(ag.tensor(z.array[kept]), LABELS_IGNORED[kept]).array, rtol=1e-12
    )
    with np.errstate(invalid="ignore"):
        all_ignored = F.cross_entropy(ag.tensor(z.array), np.full(4, 7), ignore_index=7)
    assert np.isnan(all_ignored.array)  # 0/0, as PyTorch


def test_cross_entropy_ignored_row_with_minus_inf_logit_stays_finite():
    z = ag.tensor([[-np.inf, 1.0], [0.5, 0.2]], requires_grad=True)
    loss = F.cross_entropy(z, np.array([-100, 1]))
    loss.backward()
    assert np.isfinite(loss.array) and np.all(np.isfinite(z.grad.array))


def test_cross_entropy_bad_targets_say_what_is_wrong():
    z = ag.randn(4, 3)
    with pytest.raises(IndexError, match=r"class index 3 at position \(2,\).*3 classes"):
        F.cross_entropy(z, np.array([0, 1, 3, 2]))
    with pytest.raises(IndexError, match=r"class index -1 at position \(0,\)"):
        nn.CrossEntropyLoss()(z, np.array([-1, 1, 0, 2]))
    with pytest.raises(ag.ShapeError, match=r"needs class-index targets of shape \(4,\), got target of shape \(4, 1\)"):
        F.cross_entropy(z, np.zeros((4, 1), dtype=np.int64))
    with pytest.raises(TypeError, match=r"integer class indices.*\.long\(\)"):
        F.cross_entropy(z, np.zeros(4, dtype=np.float32))
    with pytest.raises(ag.ShapeError, match=r"target shape \(4, 2\) differs from input shape \(4, 3\)"):
        F.cross_entropy(z, np.zeros((4, 2), dtype=np.float32))
    with pytest.raises(ag.ShapeError, match=r"weight must have one entry per class, shape \(3,\)"):
        F.cross_entropy(z, LABELS, weight=ag.ones(2))
    with pytest.raises(ValueError, match="reduction must be"):
        nn.CrossEntropyLoss(reduction="avg")
    with pytest.raises(ValueError, match="label_smoothing"):
        F.cross_entropy(z, LABELS, label_smoothing=1.5)
    with pytest.raises(IndexError, match="class index 5"):
        nn.NLLLoss()(z, np.array([0, 5, 1, 1]))


# --- the other losses --------------------------------------------------------------------------------
def test_regression_losses_match_numpy():
    a = t64(5, 2, seed=1, scale=2.0)
    y = t64(5, 2, seed=2, requires_grad=False)
    d = a.array - y.array
    np.testing.assert_allclose(nn.MSELoss()(a, y).array, (d**2).mean(), rtol=1e-12)
    np.testing.assert_allclose(nn.MSELoss(reduction="sum")(a, y).array, (d**2).sum(), rtol=1e-12)
    np.testing.assert_allclose(nn.L1Loss(reduction="none")(a, y).array, np.abs(d), rtol=1e-12)
    huber = np.where(np.abs(d) < 0.5, 0.5 * d**2, 0.5 * (np.abs(d) - 0.25))
    np.testing.assert_allclose(nn.HuberLoss(delta=0.5)(a, y).array, huber.mean(), rtol=1e-12)
    nn.MSELoss()(a, y).backward()
    np.testing.assert_allclose(a.grad.array, 2 * d / d.size, rtol=1e-12)  # δ = 2(a − y)/N


@pytest.mark.parametrize("loss", [nn.MSELoss(), nn.L1Loss(), nn.HuberLoss(), nn.BCELoss(), nn.BCEWithLogitsLoss()])
def test_elementwise_losses_refuse_mismatched_target_shapes(loss):
    with pytest.raises(ag.ShapeError, match=r"target shape \(4,\) differs from input shape \(4, 1\)"):
        loss(ag.rand(4, 1), ag.rand(4))


def test_bce_matches_numpy_and_clamps_logs():
    p = ag.tensor([0.0, 0.2, 0.7, 1.0], dtype=np.float64, requires_grad=True)
    y = ag.tensor([0.0, 1.0, 0.0, 0.0], dtype=np.float64)
    loss = nn.BCELoss(reduction="none")(p, y)
    with np.errstate(divide="ignore"):
        expected = -(
            y.array * np.maximum(np.log(p.array), -100) + (1 - y.array) * np.maximum(np.log(1 - p.array), -100)
        )
    np.testing.assert_allclose(loss.array, expected, rtol=1e-12)
    assert loss.array[3] == 100.0  # log 0 clamped at −100
    loss.sum().backward()
    assert np.all(np.isfinite(p.grad.array))
    with pytest.raises(ValueError, match="between 0 and 1"):
        nn.BCELoss()(ag.tensor([1.5]), ag.tensor([1.0]))


def test_bce_with_logits_is_stable_for_huge_logits():
    z = ag.tensor([1e4, -1e4, 1e4, -1e4, 30.0, -30.0], dtype=np.float64, requires_grad=True)
    y = ag.tensor([1.0, 0.0, 0.0, 1.0, 1.0, 0.0], dtype=np.float64)
    loss = F.binary_cross_entropy_with_logits(z, y, reduction="none")
    expected = np.maximum(z.array, 0) - z.array * y.array + np.log1p(np.exp(-np.abs(z.array)))
    np.testing.assert_allclose(loss.array, expected, rtol=1e-12)
    np.testing.assert_allclose(loss.array[:4], [0, 0, 1e4, 1e4])
    loss.sum().backward()
    sigmoid = 0.5 * (np.tanh(0.5 * z.array) + 1)
    np.testing.assert_allclose(z.grad.array, sigmoid - y.array, atol=1e-15)  # δ = σ(z) − y
    # float32 too
    z32 = ag.tensor([1e4, -1e4], requires_grad=True)
    out = F.binary_cross_entropy_with_logits(z32, ag.tensor([0.0, 0.0]))
    out.backward()
    assert out.dtype == np.float32 and np.isfinite(out.array) and np.all(np.isfinite(z32.grad.array))


def test_bce_with_logits_pos_weight_matches_its_definition():
    z = t64(3, 2, seed=1)
    y = _probs(2, (3, 2))
    pw = np.array([3.0, 0.5])
    got = nn.BCEWithLogitsLoss(pos_weight=ag.tensor(pw))(z, y)
    sig = 1 / (1 + np.exp(-z.array))
    expected = -(pw * y.array * np.log(sig) + (1 - y.array) * np.log(1 - sig)).mean()
    np.testing.assert_allclose(got.array, expected, rtol=1e-12)
    with pytest.raises(ag.ShapeError, match="pos_weight"):
        F.binary_cross_entropy_with_logits(z, y, pos_weight=ag.ones(3))


# --- float32 stays float32 ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "fn",
    [
        lambda z: F.cross_entropy(z, LABELS),
        lambda z: F.cross_entropy(z, LABELS_IGNORED, weight=ag.tensor([0.2, 1.0, 3.0]), label_smoothing=0.1),
        lambda z: F.cross_entropy(z, np.eye(3, dtype=np.float64)[LABELS], reduction="none"),
        lambda z: F.nll_loss(z.log_softmax(1), LABELS_IGNORED, weight=ag.tensor([0.2, 1.0, 3.0])),
        lambda z: F.mse_loss(z, np.ones((4, 3))),
        lambda z: F.l1_loss(z, np.ones((4, 3))),
        lambda z: F.huber_loss(z, np.ones((4, 3))),
        lambda z: F.binary_cross_entropy(z.sigmoid(), np.ones((4, 3)) * 0.3),
        lambda z: F.binary_cross_entropy_with_logits(z, np.ones((4, 3)) * 0.3, pos_weight=np.array([1.0, 2.0, 3.0])),
    ],
)
def test_losses_keep_float32(fn):
    z = ag.randn(4, 3, requires_grad=True)
    loss = fn(z)
    assert loss.dtype == np.float32
    loss.sum().backward()
    assert z.grad.dtype == np.float32


# --- penalties --------------------------------------------------------------------------------------
def test_l1_l2_penalties_and_bias_exclusion():
    ag.manual_seed(0)
    net = nn.Sequential(nn.Linear(3, 2), nn.ReLU(), nn.Linear(2, 1))
    weights = [net[0].weight.array, net[2].weight.array]
    everything = [p.array for p in net.parameters()]
    np.testing.assert_allclose(
        nn.l2_penalty(net).array, sum((p.astype(np.float64) ** 2).sum() for p in everything), rtol=1e-6
    )
    np.testing.assert_allclose(
        nn.l2_penalty(net, exclude_bias=True).array, sum((w.astype(np.float64) ** 2).sum() for w in weights), rtol=1e-6
    )
    np.testing.assert_allclose(
        nn.l1_penalty(net.named_parameters(), exclude_bias=True).array, sum(np.abs(w).sum() for w in weights), rtol=1e-6
    )
    np.testing.assert_allclose(
        nn.l1_penalty(net.parameters()).array, sum(np.abs(p).sum() for p in everything), rtol=1e-6
    )
    # differentiable: ∂(λ₁‖W‖₁ + λ₂‖W‖²)/∂W = λ₁ sign(W) + 2λ₂W (elastic net), biases untouched
    (0.1 * nn.l1_penalty(net, exclude_bias=True) + 0.01 * nn.l2_penalty(net, exclude_bias=True)).backward()
    w = net[0].weight
    np.testing.assert_allclose(w.grad.array, 0.1 * np.sign(w.array) + 0.02 * w.array, rtol=1e-6)
    assert net[0].bias.grad is None
    with pytest.raises(TypeError, match="recognises biases by name"):
        nn.l2_penalty(net.parameters(), exclude_bias=True)
    with pytest.raises(ValueError, match="no parameters"):
        nn.l1_penalty([])


# --- property: the fused gradient for any shape and logit scale -------------------------------------


@settings(max_examples=40, deadline=None)
@given(
    rows=st.integers(1, 6),
    classes=st.integers(1, 5),
    scale=st.sampled_from([1e-3, 1.0, 30.0, 1e4]),
    smoothing=st.sampled_from([0.0, 0.25]),
    seed=st.integers(0, 2**16),
)
def test_cross_entropy_gradient_property(rows, classes, scale, smoothing, seed):
    rng = np.random.default_rng(seed)
    z = ag.tensor(rng.standard_normal((rows, classes)) * scale, dtype=np.float64, requires_grad=True)
    y = rng.integers(0, classes, rows)
    loss = F.cross_entropy(z, y, label_smoothing=smoothing)
    loss.backward()
    t = (1 - smoothing) * np.eye(classes)[y] + smoothing / classes
    assert np.isfinite(loss.array) and np.all(np.isfinite(z.grad.array))
    np.testing.assert_allclose(z.grad.array, (_softmax(z.array) - t) / rows, rtol=1e-10, atol=1e-15)
    np.testing.assert_allclose(loss.array, -(t * _log_softmax(z.array)).sum(1).mean(), rtol=1e-10, atol=1e-12)


# The fused cross-entropy reduces rows of few classes through a transposed copy (autograd.ops.
# reduction.reduce_rows) once there are ≥ 16 rows; the small cases above take the plain path.
@pytest.mark.parametrize("rows, classes", [(16, 10), (64, 10), (40, 32), (40, 33), (300, 2)])
def test_cross_entropy_on_batches_takes_the_fast_row_reductions_correctly(rows, classes):
    rng = np.random.default_rng(rows + classes)
    z = ag.tensor(rng.standard_normal((rows, classes)) * 4, requires_grad=True)
    y = rng.integers(0, classes, rows)
    loss = F.cross_entropy(z, y)
    loss.backward()
    onehot = np.eye(classes)[y]
    np.testing.assert_allclose(loss.array, -(_log_softmax(z.array) * onehot).sum(1).mean(), rtol=1e-13)
    np.testing.assert_allclose(z.grad.array, (_softmax(z.array) - onehot) / rows, rtol=1e-12, atol=1e-16)


def test_cross_entropy_gradcheck_on_a_batch():
    z = t64(20, 6, seed=11, scale=3.0)
    y = np.random.default_rng(11).integers(0, 6, 20)
    assert ag.gradcheck(lambda t: F.cross_entropy(t, y, label_smoothing=0.1), (z,))
    assert ag.gradgradcheck(lambda t: F.cross_entropy(t, y), (z,))


def test_cross_entropy_on_a_batch_with_huge_and_infinite_logits():
    rng = np.random.default_rng(5)
    z = rng.standard_normal((32, 10)).astype(np.float32)
    z[3] = [1e4, -1e4] * 5  # huge, finite
    z[7] = -np.inf  # a whole row of −inf logits, ignored
    z[9, 2] = -np.inf  # one −inf logit in a kept row
    y = rng.integers(0, 10, 32)
    y[7] = -100
    y[9] = 4
    zt = ag.tensor(z, requires_grad=True)
    loss = F.cross_entropy(zt, y)
    loss.backward()
    assert loss.dtype == np.float32 and zt.grad.dtype == np.float32
    keep = y != -100
    z64 = z.astype(np.float64)[keep]
    yk = y[keep]
    onehot = np.eye(10)[yk]
    np.testing.assert_allclose(loss.array, -_log_softmax(z64)[np.arange(len(yk)), yk].mean(), rtol=1e-6)
    np.testing.assert_allclose(zt.grad.array[keep], (_softmax(z64) - onehot) / keep.sum(), atol=1e-7)
    assert np.all(zt.grad.array[7] == 0)


def test_cross_entropy_with_a_nan_logit_gives_nan_not_a_wrong_number():
    z = np.random.default_rng(6).standard_normal((20, 5))
    z[4, 1] = np.nan
    loss = F.cross_entropy(ag.tensor(z), np.zeros(20, dtype=np.int64))
    assert np.isnan(loss.array)
