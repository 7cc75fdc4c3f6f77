"""Losses: cross-entropy (fused with softmax), NLL, the regression and margin losses, KL, Poisson, the BCEs.

Three are primitives with a VJP beside them, for speed and numerical stability: softmax
cross-entropy and the two binary cross-entropies; the rest are compositions. The VJPs are
written with ``dual`` (first order on arrays from saved values; on Tensors under
``create_graph=True``, recomputing what they need), so double backward works through them.
"""

from __future__ import annotations

import math

import numpy as np

from ..extend import Op, ShapeError, Tensor, apply, dual, export, wrap
from .activation import logsigmoid
from .indexing import take_along_dim
from .reduction import reduce_rows
from .unary import where

TITLE = "losses"  # the family's name in the README op table


def _as_target(target, like):
    """A target as a Tensor of the input's dtype (float targets), without copying a Tensor."""
    if isinstance(target, Tensor):
        if target.dtype.kind == "f" and target.dtype != like.dtype:
            return target.to(like.dtype)
        return target
    return wrap(np.asarray(target, dtype=like.dtype))


def _reduce(name, loss, reduction):
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    if reduction == "none":
        return loss
    raise ValueError(f"{name}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")


def _legacy_reduction(size_average, reduce, reduction):
    """PyTorch's deprecated size_average/reduce flags, when given, decide the reduction (as PyTorch)."""
    if size_average is None and reduce is None:
        return reduction
    if reduce is False:
        return "none"
    return "sum" if size_average is False else "mean"


def _check_reduction(name, reduction):
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{name}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")


def _check_same_shape(name, input, target):
    if tuple(target.shape) != tuple(input.shape):
        raise ShapeError(
            f"{name}: target shape {tuple(target.shape)} differs from input shape {tuple(input.shape)}; they "
            f"must be equal (reshape the target, e.g. target.reshape{tuple(input.shape)}); a silent "
            f"broadcast would compare every prediction with every target"
        )


def _to_rows(name, input):
    """(M, C) logits with the class dim last: (C,) → (1, C); (N, C, d…) → (N·d…, C)."""
    if input.ndim == 0:
        raise ShapeError(f"{name}: input must have a class dimension, got a 0-d tensor")
    if input.dtype.kind != "f":
        raise TypeError(f"{name}: input must be floating point (logits or log-probabilities), got {input.dtype}")
    if input.ndim == 1:
        return input.reshape((1, input.shape[0]))
    if input.ndim == 2:
        return input
    order = (0,) + tuple(range(2, input.ndim)) + (1,)
    return input.permute(order).reshape((-1, input.shape[1]))


def _sample_shape(input):
    return () if input.ndim == 1 else (input.shape[0],) + tuple(input.shape[2:])


def _class_indices(name, input, target, ignore_index):
    """Validated integer targets as (idx, valid), flattened to match ``_to_rows``."""
    t = np.asarray(target.array if isinstance(target, Tensor) else target)
    expected = _sample_shape(input)
    if t.dtype.kind not in "iu":
        raise TypeError(
            f"{name}: a target of shape {t.shape} must hold integer class indices, got dtype {t.dtype}; "
            f"convert it with .long()"
            + (f", or pass class probabilities of the input's shape {input.shape}" if name == "cross_entropy" else "")
        )
    if t.shape != expected:
        raise ShapeError(
            f"{name}: input of shape {input.shape} needs class-index targets of shape {expected}, got target "
            f"of shape {t.shape}"
        )
    t = t.reshape(-1)
    classes = input.shape[1] if input.ndim >= 2 else input.shape[0]
    if t.size:
        lo, hi = int(t.min()), int(t.max())
        if 0 <= lo and hi < classes and not lo <= ignore_index <= hi:
            return t, None  # the common case: every target is a valid class, none ignored
    valid = t != ignore_index
    bad = valid & ((t < 0) | (t >= classes))
    if bad.any():
        pos = np.unravel_index(int(np.argmax(bad)), expected) if expected else ()
        raise IndexError(
            f"{name}: target holds class index {int(t[bad][0])} at position {tuple(int(i) for i in pos)}, but "
            f"the input has {classes} classes (valid indices 0..{classes - 1}; ignore_index={ignore_index} "
            f"marks entries to skip)"
        )
    return np.where(valid, t, 0), valid


def _target_coef(idx, valid, w, dtype):
    """w_y for each row (0 where ignored); None when every row counts with weight 1."""
    if valid is None:
        return None if w is None else w[idx]
    return valid.astype(dtype) if w is None else w[idx] * valid


def _class_weight(name, weight, classes, dtype):
    if weight is None:
        return None
    w = np.asarray(weight.array if isinstance(weight, Tensor) else weight)
    if w.shape != (classes,):
        raise ShapeError(f"{name}: weight must have one entry per class, shape ({classes},), got {w.shape}")
    return w.astype(dtype, copy=False)


def _mean_scale(total):
    return 1.0 / total if total else float("nan")


def _per_sample(loss, input, reduction):
    if reduction == "none" and input.ndim != 2:
        return loss.reshape(_sample_shape(input))
    return loss


# --- softmax cross-entropy (fused) ------------------------------------------------------------------
# NOTE: a primitive (not log_softmax + nll) for speed and stability: the forward shifts by the max,
# so logits of ±1e4 stay finite, and the backward is one line, ∂L/∂z = (softmax(z)·Σt − t)·g/N.


@export(methods=())
def cross_entropy(input, target, weight=None, ignore_index=-100, reduction="mean", label_smoothing=0.0):
    """L = −(1/N) Σₙ Σ_c t_nc log softmax(z_n)_c for logits ``input`` (N, C) or (N, C, d…) or (C,).

    ``target`` holds class indices (integers, shape (N,) or (N, d…)) or class probabilities
    (floats, the input's shape). ``label_smoothing`` ε mixes the targets with the uniform
    distribution: t ← (1 − ε)·t + ε/C. ``weight`` rescales each class; with index targets the
    mean divides by the summed weights of the non-ignored targets, as PyTorch does.
    """
    _check_reduction("cross_entropy", reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"cross_entropy: label_smoothing must be in [0, 1], got {label_smoothing}")
    z = _to_rows("cross_entropy", input)
    w = _class_weight("cross_entropy", weight, z.shape[1], z.dtype)
    eps = float(label_smoothing)
    probs, logp, finite = _softmax_rows(z.array)
    t_raw = target.array if isinstance(target, Tensor) else np.asarray(target)
    if t_raw.dtype.kind == "f" and t_raw.ndim == input.ndim:  # class probabilities
        terms = _probability_targets(input, target, logp, w, eps)
        op, inputs = CROSS_ENTROPY_PROB, (z, terms.pop("target"))
    else:
        terms = _index_targets(input, target, logp, probs, w, eps, ignore_index, finite)
        # The class indices are an input too (one that takes no gradient), so a drawing shows the target.
        op, inputs = CROSS_ENTROPY, (z, target if isinstance(target, Tensor) else wrap(t_raw))
    data, scale = _reduce_losses(terms["losses"], terms["total"], reduction, terms["plain"], z.dtype)
    ctx = (probs, logp, terms["hard"], terms["dense"], terms["asum"], scale, reduction == "none", eps, w)
    out = apply(op, data, inputs, ctx)
    return _per_sample(out, input, reduction)


def _softmax_rows(zr):
    """softmax and log-softmax of each row of logits, shifted by the row max; and whether all maxima are finite."""
    rows, classes = zr.shape
    if rows and classes:
        m = reduce_rows(np.maximum, zr)
        # Every row max is finite iff their sum is (an overflowing sum only takes the slow path).
        finite = math.isfinite(np.add.reduce(m, None))
        if not finite:
            m = np.where(np.isfinite(m), m, 0)
    else:
        m = np.zeros((rows, 1), zr.dtype)
        finite = False
    shifted = zr - m
    probs = np.exp(shifted)
    se = reduce_rows(np.add, probs) if classes else np.zeros((rows, 1), zr.dtype)
    # A row of all −inf logits has Σ = 0: its NaNs stay in that row (ignored, or the loss is NaN).
    # Otherwise each row's max contributes e⁰ = 1, so Σ ≥ 1 and the log is finite.
    with np.errstate(divide="ignore", invalid="ignore"):
        logp = shifted - np.log(se)
        if classes:
            probs /= se
    return probs, logp, finite


def _probability_targets(input, target, logp, w, eps):
    """The loss terms for class-probability targets (dense t, smoothed)."""
    _check_same_shape("cross_entropy", input, target.array if isinstance(target, Tensor) else np.asarray(target))
    t = _as_target(target, input)
    t_rows = _to_rows("cross_entropy", t)
    classes = logp.shape[1]
    tt = t_rows.array if eps == 0.0 else t_rows.array * (1.0 - eps) + eps / classes
    dense = tt if w is None else tt * w
    with np.errstate(invalid="ignore"):
        losses = -(dense * logp).sum(axis=1)
    return {
        "target": t_rows,
        "losses": losses,
        "hard": None,
        "dense": dense,
        "asum": dense.sum(axis=1),
        "total": logp.shape[0],
        "plain": False,
    }


def _index_targets(input, target, logp, probs, w, eps, ignore_index, finite):
    """The loss terms for class-index targets: the picked log-probability, weights, smoothing, ignoring."""
    rows, classes = logp.shape
    idx, valid = _class_indices("cross_entropy", input, target, ignore_index)
    coef = _target_coef(idx, valid, w, logp.dtype)
    picked = logp[np.arange(rows), idx]
    if coef is None:
        hard = (idx, 1.0 - eps)
        losses = -picked if eps == 0.0 else picked * -(1.0 - eps)
    else:
        hard = (idx, coef * (1.0 - eps) if eps else coef)
        with np.errstate(invalid="ignore"):
            losses = -(hard[1] * picked)
    dense = None
    asum = None  # Σ_c t_nc; None when it is 1 for every row (the common case, one multiply less)
    if eps:
        soft = np.full(classes, eps / classes, dtype=logp.dtype) if w is None else w * (eps / classes)
        dense = soft[None, :] if valid is None else valid.astype(logp.dtype)[:, None] * soft
        with np.errstate(invalid="ignore"):
            losses = losses - logp @ soft
        if coef is not None:
            asum = hard[1] + dense.sum(axis=1)
    elif coef is not None:
        asum = hard[1]
    if valid is not None:
        losses[~valid] = 0.0  # an ignored row may hold −inf logits: 0·(−inf) must not leak a NaN
        if not finite:
            # NOTE: nor into its gradient, which is exactly 0 (PyTorch gives NaN for a row of all −inf).
            probs[~valid] = 0.0
    total = float(rows if coef is None else coef.sum())
    plain = coef is None and eps == 0.0  # every loss is ≥ 0 (or NaN): no inf − inf in the sum
    return {"losses": losses, "hard": hard, "dense": dense, "asum": asum, "total": total, "plain": plain}


def _reduce_losses(losses, total, reduction, plain, dtype):
    """The per-row losses reduced as asked, and the scale the backward multiplies by."""
    if reduction == "none":
        return losses, 1.0
    scale = _mean_scale(total) if reduction == "mean" else 1.0
    if plain:
        return np.asarray(np.add.reduce(losses, None) * scale, dtype=dtype), scale
    with np.errstate(invalid="ignore"):
        return np.asarray(losses.sum() * scale, dtype=dtype), scale


def _ce_grad_scale(g, scale, per_sample):
    if not per_sample and g.__class__ is np.ndarray:
        gk = float(g) * scale  # a 0-d upstream gradient: a Python number multiplies faster
        return gk, gk
    gk = g * scale if scale != 1.0 else g
    return gk, (gk.reshape((-1, 1)) if per_sample else gk)


def _ce_vjp_logits(g, ctx, out, z, t=None):
    probs, logp, hard, dense, asum, scale, per_sample, eps, w = ctx
    gk, gcol = _ce_grad_scale(g, scale, per_sample)
    if isinstance(z, np.ndarray):
        grad = probs * (gcol if asum is None else asum.reshape(-1, 1) * gcol)
        if hard is not None:
            idx, coef = hard
            grad[np.arange(idx.shape[0]), idx] -= coef * gk
        if dense is not None:
            grad -= dense * gcol
        return grad
    # Double backward: the same rule on Tensors, softmax recomputed from the logits.
    if t is not None:
        target = t * (1.0 - eps) + eps / z.shape[1] if eps else t
        dense = target if w is None else target * wrap(w)
        asum = dense.sum(1, keepdim=True)
    else:
        dense = np.zeros(z.shape, dtype=z.dtype) if dense is None else np.broadcast_to(dense, z.shape).copy()
        idx, coef = hard
        dense[np.arange(idx.shape[0]), idx] += coef
        asum = dense.sum(axis=1, keepdims=True)
    return (z.softmax(1) * asum - dense) * gcol


def _ce_vjp_target(g, ctx, out, z, t):
    probs, logp, hard, dense, asum, scale, per_sample, eps, w = ctx
    gk, gcol = _ce_grad_scale(g, scale, per_sample)
    if not isinstance(z, np.ndarray):
        logp = z.log_softmax(1)
    coef = -(1.0 - eps) if w is None else w * -(1.0 - eps)
    return logp * coef * gcol


_CE_RULE = "∂L/∂z = (softmax(z)·Σt − t)·g/N;  ∂L/∂t = −log softmax(z)·g/N"


def _ce_vjp_indices(g, ctx, out, z, t):
    return _ce_vjp_logits(g, ctx, out, z)  # the indices (input 1) are integers: they never take a gradient


CROSS_ENTROPY = Op("cross_entropy", (_ce_vjp_indices, None), saves=(0,), keeps_shape=False, rule=_CE_RULE)
CROSS_ENTROPY_PROB = Op(
    "cross_entropy", (_ce_vjp_logits, _ce_vjp_target), saves=(0, 1), keeps_shape=False, rule=_CE_RULE
)


@export(methods=())
def nll_loss(input, target, weight=None, ignore_index=-100, reduction="mean"):
    """L = −(1/N) Σₙ w_yₙ · input[n, yₙ] for log-probabilities ``input`` (N, C), (N, C, d…) or (C,)."""
    _check_reduction("nll_loss", reduction)
    z = _to_rows("nll_loss", input)
    rows, classes = z.shape
    w = _class_weight("nll_loss", weight, classes, z.dtype)
    idx, valid = _class_indices("nll_loss", input, target, ignore_index)
    coef = _target_coef(idx, valid, w, z.dtype)
    picked = take_along_dim(z, idx.reshape(-1, 1), 1).reshape((rows,))
    losses = -picked if coef is None else -(picked * wrap(coef))
    if reduction == "none":
        return _per_sample(losses, input, reduction)
    total = losses.sum()
    count = rows if coef is None else float(coef.sum())
    return total * _mean_scale(count) if reduction == "mean" else total


# --- regression losses -----------------------------------------------------------------------------
@export(methods=())
def mse_loss(input, target, reduction="mean"):
    """L = (1/N) Σ (a − y)²."""
    _check_reduction("mse_loss", reduction)
    target = _as_target(target, input)
    _check_same_shape("mse_loss", input, target)
    diff = input - target
    return _reduce("mse_loss", diff * diff, reduction)


@export(methods=())
def l1_loss(input, target, reduction="mean"):
    """L = (1/N) Σ |a − y|."""
    _check_reduction("l1_loss", reduction)
    target = _as_target(target, input)
    _check_same_shape("l1_loss", input, target)
    return _reduce("l1_loss", (input - target).abs(), reduction)


@export(methods=())
def huber_loss(input, target, reduction="mean", delta=1.0):
    """ℓ = ½d² if |d| < δ else δ(|d| − ½δ), d = a − y: quadratic near 0, linear (robust) far away."""
    _check_reduction("huber_loss", reduction)
    if delta <= 0:
        raise ValueError(f"huber_loss: delta must be positive, got {delta}")
    target = _as_target(target, input)
    _check_same_shape("huber_loss", input, target)
    d = input - target
    ad = d.abs()
    loss = where(ad.array < delta, (d * d) * 0.5, (ad - 0.5 * delta) * delta)
    return _reduce("huber_loss", loss, reduction)


@export(methods=())
def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """ℓ = ½d²/β if |d| < β else |d| − ½β, d = a − y (Huber divided by β; β = 0 is the L1 loss)."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction("smooth_l1_loss", reduction)
    if beta < 0:
        raise ValueError(f"smooth_l1_loss: beta must be ≥ 0, got {beta}")
    target = _as_target(target, input)
    _check_same_shape("smooth_l1_loss", input, target)
    d = input - target
    ad = d.abs()
    if beta == 0:
        return _reduce("smooth_l1_loss", ad, reduction)
    loss = where(ad.array < beta, (d * d) * (0.5 / beta), ad - 0.5 * beta)
    return _reduce("smooth_l1_loss", loss, reduction)


@export(methods=())
def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """ℓ = y·(log y − a) for log-probabilities a and probabilities y (0 where y = 0); e^y·(y − a) if log_target.

    NOTE: as in PyTorch, reduction="mean" averages over every element; the KL divergence per sample
    is reduction="batchmean" (the sum over the batch divided by N).
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if reduction not in ("mean", "sum", "none", "batchmean"):
        raise ValueError(f"kl_div: reduction must be 'mean', 'batchmean', 'sum' or 'none', got {reduction!r}")
    target = _as_target(target, input)
    _check_same_shape("kl_div", input, target)
    if log_target:
        loss = target.exp() * (target - input)
    else:
        positive = target.array > 0
        # y·log y is 0 at y = 0 (PyTorch's xlogy): log is taken of 1 there, so neither value nor gradient is NaN.
        loss = where(positive, target * where(positive, target, 1.0).log(), 0.0) - target * input
    if reduction == "batchmean":
        return loss.sum() * (1.0 / input.shape[0]) if input.ndim else loss.sum()
    return _reduce("kl_div", loss, reduction)


@export(methods=())
def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """ℓ = log(1 + e^(−y·a)) for labels y = ±1 (the logistic loss), computed as −log σ(y·a)."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction("soft_margin_loss", reduction)
    target = _as_target(target, input)
    _check_same_shape("soft_margin_loss", input, target)
    return _reduce("soft_margin_loss", -logsigmoid(target * input), reduction)


@export(methods=())
def margin_ranking_loss(input1, input2, target, margin=0.0, size_average=None, reduce=None, reduction="mean"):
    """ℓ = max(0, −y·(a₁ − a₂) + margin): a₁ should rank above a₂ where y = 1, below where y = −1."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction("margin_ranking_loss", reduction)
    target = _as_target(target, input1)
    if not (tuple(input1.shape) == tuple(input2.shape) == tuple(target.shape)):
        raise ShapeError(
            f"margin_ranking_loss: input1 {tuple(input1.shape)}, input2 {tuple(input2.shape)} and target "
            f"{tuple(target.shape)} must have the same shape"
        )
    loss = (-target * (input1 - input2) + margin).clamp_min(0.0)
    return _reduce("margin_ranking_loss", loss, reduction)


_COSINE_EPS = 1e-12  # PyTorch's EPSILON in cosine_embedding_loss, added to each squared norm


@export(methods=())
def cosine_embedding_loss(input1, input2, target, margin=0.0, size_average=None, reduce=None, reduction="mean"):
    """ℓ = 1 − cos(a₁, a₂) where y = 1, max(0, cos(a₁, a₂) − margin) where y = −1; rows (N, D) or one (D,)."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction("cosine_embedding_loss", reduction)
    t = np.asarray(target.array if isinstance(target, Tensor) else target)
    if input1.ndim not in (1, 2) or tuple(input1.shape) != tuple(input2.shape) or t.ndim != input1.ndim - 1:
        raise ShapeError(
            f"cosine_embedding_loss: expected input1 and input2 of the same shape (N, D) or (D,) and target (N,) "
            f"or (), got {tuple(input1.shape)}, {tuple(input2.shape)} and {t.shape}"
        )
    if t.ndim and t.shape[0] != input1.shape[0]:
        raise ShapeError(f"cosine_embedding_loss: target {t.shape} needs one label per row of {tuple(input1.shape)}")
    d = input1.ndim - 1
    dot = (input1 * input2).sum(d)
    norms = (((input1 * input1).sum(d) + _COSINE_EPS) * ((input2 * input2).sum(d) + _COSINE_EPS)).sqrt()
    cos = dot / norms
    loss = where(t == 1, 1.0 - cos, 0.0) + where(t == -1, (cos - margin).clamp_min(0.0), 0.0)
    return _reduce("cosine_embedding_loss", loss, reduction)


@export(methods=())
def poisson_nll_loss(
    input, target, log_input=True, full=False, size_average=None, eps=1e-8, reduce=None, reduction="mean"
):
    """ℓ = e^a − y·a for a log-rate a (log_input), else a − y·log(a + eps); ``full`` adds Stirling's log y!.

    Stirling's term y·log y − y + ½·log(2πy) is added where y > 1 only (as PyTorch).
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction("poisson_nll_loss", reduction)
    target = _as_target(target, input)
    _check_same_shape("poisson_nll_loss", input, target)
    loss = input.exp() - target * input if log_input else input - target * (input + eps).log()
    if full:
        above = target.array > 1
        y = where(above, target, 1.0)
        stirling = y * y.log() - y + 0.5 * (y * (2.0 * math.pi)).log()
        loss = loss + where(above, stirling, 0.0)
    return _reduce("poisson_nll_loss", loss, reduction)


# --- binary cross-entropy (fused) -----------------------------------------------------------------
# NOTE: primitives for stability: logs are clamped at −100 (PyTorch's convention) without the 0/0 a
# composed clamp(log p) gives in backward at p = 0, and the logits version never forms σ(z).

_BCE_EPS = 1e-12


def _clamped_log(v):
    if isinstance(v, np.ndarray):
        with np.errstate(divide="ignore"):
            return np.maximum(np.log(v), -100.0)
    return v.log().clamp(min=-100.0)


def _clamped_log1m(p):
    """log(1 − p), clamped at −100: log1p(−p) on arrays, exact for tiny p (log(1 − p) rounds it to 0)."""
    if isinstance(p, np.ndarray):
        with np.errstate(divide="ignore"):
            return np.maximum(np.log1p(-p), -100.0)
    return (1.0 - p).log().clamp(min=-100.0)


@export(methods=())
def binary_cross_entropy(input, target, weight=None, reduction="mean"):
    """ℓ = −[y log a + (1 − y) log(1 − a)] for probabilities ``input`` a ∈ [0, 1]; logs clamped at −100."""
    _check_reduction("binary_cross_entropy", reduction)
    target = _as_target(target, input)
    _check_same_shape("binary_cross_entropy", input, target)
    p = input.array
    if p.size and (p.min() < 0 or p.max() > 1 or np.isnan(p).any()):
        raise ValueError(
            "binary_cross_entropy: all elements of input should be between 0 and 1 (probabilities); for "
            "logits use binary_cross_entropy_with_logits (BCEWithLogitsLoss), which is also more stable"
        )
    t = target.array
    data = -(t * _clamped_log(p) + (1.0 - t) * _clamped_log1m(p))
    loss = apply(BCE, data, (input, target))
    if weight is not None:
        loss = loss * _as_target(weight, input)
    return _reduce("binary_cross_entropy", loss, reduction)


def _bce_vjp_input(g, ctx, out, p, t):
    d = p * (1.0 - p)
    d = dual.where(dual.raw(d) > _BCE_EPS, d, _BCE_EPS)
    return g * (p - t) / d


def _bce_vjp_target(g, ctx, out, p, t):
    return g * (_clamped_log1m(p) - _clamped_log(p))


BCE = Op(
    "binary_cross_entropy",
    (_bce_vjp_input, _bce_vjp_target),
    saves=(0, 1),
    keeps_shape=True,
    rule="∂L/∂a = g·(a − y)/max(a(1 − a), 1e-12),  ∂L/∂y = g·(log(1 − a) − log a)",
)


def _softplus_neg(z):
    """log(1 + e^(−z)), stable for any z."""
    if isinstance(z, np.ndarray):
        return np.log1p(np.exp(-np.abs(z))) + np.maximum(-z, 0)
    return (-z).softplus()


@export(methods=())
def binary_cross_entropy_with_logits(input, target, weight=None, reduction="mean", pos_weight=None):
    """ℓ = (1 − y)·z + (1 + (p_w − 1)·y)·log(1 + e^(−z)) = BCE(σ(z), y), stable for large |z|.

    ``pos_weight`` p_w (broadcast over the last dim) weighs the positive examples.
    """
    _check_reduction("binary_cross_entropy_with_logits", reduction)
    target = _as_target(target, input)
    _check_same_shape("binary_cross_entropy_with_logits", input, target)
    z, t = input.array, target.array
    pw = None
    if pos_weight is not None:
        pw = np.asarray(pos_weight.array if isinstance(pos_weight, Tensor) else pos_weight, dtype=z.dtype)
        try:
            np.broadcast_shapes(pw.shape, z.shape)
        except ValueError:
            raise ShapeError(
                f"binary_cross_entropy_with_logits: pos_weight of shape {pw.shape} does not broadcast to the "
                f"input's shape {z.shape} (give one weight per class, shape ({z.shape[-1] if z.ndim else 1},))"
            ) from None
        sp = _softplus_neg(z)
        data = (1.0 - t) * z + (1.0 + (pw - 1.0) * t) * sp
    else:
        # max(−z, 0) is added before the log1p term so that (1 − y)z cancels it exactly
        data = ((1.0 - t) * z + np.maximum(-z, 0)) + np.log1p(np.exp(-np.abs(z)))
    loss = apply(BCE_LOGITS, data, (input, target), pw)
    if weight is not None:
        loss = loss * _as_target(weight, input)
    return _reduce("binary_cross_entropy_with_logits", loss, reduction)


def _bce_logits_vjp_input(g, pw, out, z, t):
    if pw is None:
        return g * (dual.sigmoid(z) - t)
    lw = (pw - 1.0) * t + 1.0
    return g * ((1.0 - t) + lw * (dual.sigmoid(z) - 1.0))


def _bce_logits_vjp_target(g, pw, out, z, t):
    if pw is None:
        return -(g * z)
    return g * ((pw - 1.0) * _softplus_neg(z) - z)


BCE_LOGITS = Op(
    "binary_cross_entropy_with_logits",
    (_bce_logits_vjp_input, _bce_logits_vjp_target),
    saves=(0, 1),
    keeps_shape=True,
    rule="∂L/∂z = g·(σ(z) − y) (p_w = 1),  ∂L/∂y = −g·z",
)
