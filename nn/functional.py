"""Functions behind the layers and losses (PyTorch's ``torch.nn.functional`` names).

Most are compositions of autograd ops and get their gradient for free. Three are primitives
with a VJP beside them, for speed and numerical stability: the normalization used by BatchNorm
and LayerNorm, softmax cross-entropy, and the two binary cross-entropies. Their VJPs are written
with ``autograd.ops.dual`` (first order on arrays from saved values; on Tensors under
``create_graph=True``, recomputing what they need), so double backward works through them.
"""

from __future__ import annotations

import math

import numpy as np

import autograd as ag

# Activations and linear are autograd primitives, re-exported here under PyTorch's names.
from autograd import elu, gelu, leaky_relu, linear, log_softmax, relu, selu, sigmoid, softmax, softplus, tanh
from autograd.engine import Op
from autograd.ops import dual
from autograd.ops.reduction import reduce_rows
from autograd.tensor import ShapeError, Tensor, _wrap, apply

__all__ = [
    "linear",
    "relu",
    "leaky_relu",
    "prelu",
    "gelu",
    "elu",
    "selu",
    "sigmoid",
    "tanh",
    "softplus",
    "softmax",
    "log_softmax",
    "dropout",
    "batch_norm",
    "layer_norm",
    "cross_entropy",
    "nll_loss",
    "mse_loss",
    "l1_loss",
    "huber_loss",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
]


def _as_target(target, like):
    """A target as a Tensor of the input's dtype (float targets), without copying a Tensor."""
    if isinstance(target, Tensor):
        if target.dtype.kind == "f" and target.dtype != like.dtype:
            return target.to(like.dtype)
        return target
    return _wrap(np.asarray(target, dtype=like.dtype))


def _reduce(name, loss, reduction):
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    if reduction == "none":
        return loss
    raise ValueError(f"{name}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")


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


# --- activations -----------------------------------------------------------------------------------
def prelu(input, weight):
    """max(0, z) + a·min(0, z) with a learned slope ``a`` (one, or one per channel on dim 1)."""
    if weight.ndim != 1:
        raise ShapeError(f"prelu: weight must be 1-D (num_parameters,), got shape {weight.shape}")
    a = weight
    if weight.shape[0] != 1:
        channel_dim = 1 if input.ndim >= 2 else 0
        if input.ndim == 0 or input.shape[channel_dim] != weight.shape[0]:
            raise ShapeError(
                f"prelu: weight has {weight.shape[0]} slopes (num_parameters) but the input of shape "
                f"{input.shape} has {input.shape[channel_dim] if input.ndim else 0} channels in dim {channel_dim}"
            )
        a = weight.reshape((-1,) + (1,) * (input.ndim - channel_dim - 1))
    return ag.where(input.data > 0, input, a * input)


# --- dropout ------------------------------------------------------------------------------------------
def dropout(input, p=0.5, training=True, generator=None):
    """Inverted dropout: a = m ⊙ h / (1 − p), m ~ Bernoulli(1 − p), at train time; h at eval.

    ``p`` is the probability of *dropping* a unit (PyTorch); the course's keep probability is 1 − p.
    """
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0:
        return input
    if input.dtype.kind != "f":
        raise TypeError(f"dropout: input must be floating point, got {input.dtype}")
    dtype = input.dtype if input.dtype in (np.float32, np.float64) else np.float64
    rng = generator if generator is not None else ag.default_generator()
    keep = rng.random(input.shape, dtype=dtype) >= p
    mask = keep.astype(input.dtype)
    if p < 1.0:
        mask *= 1.0 / (1.0 - p)
    return input * _wrap(mask)


# --- normalization: one primitive for BatchNorm and LayerNorm -------------------------------------
# NOTE: a primitive rather than mean/var/div ops for speed: the backward is the closed form
#   δx = (1/M)·(1/σ)·(M·h − Σh − x̂·Σ(h ⊙ x̂)),  h = γ ⊙ g,  sums over the M normalized entries,
# and Σg, Σ(g ⊙ x̂) are at once ∂L/∂β and ∂L/∂γ.


def _normalize(name, x, weight, bias, dims, wshape, eps):
    """x̂ = (x − μ)/√(σ² + ε) over ``dims``, then γ ⊙ x̂ + β with γ, β viewed as ``wshape``.

    Returns the output Tensor and the batch mean and biased variance (arrays, keepdims).
    """
    xr = x.data
    count = 1
    for d in dims:
        count *= xr.shape[d]
    mean = xr.mean(axis=dims, keepdims=True)
    xc = xr - mean
    var = np.mean(xc * xc, axis=dims, keepdims=True)
    invstd = 1.0 / np.sqrt(var + eps)
    xhat = xc * invstd
    if weight is None and bias is not None:
        weight = _wrap(np.ones(bias.shape, dtype=bias.dtype))
    if weight is None:
        out = xhat.copy()
        inputs = (x,)
    else:
        _check_param_dtype(name, x, weight)
        out = xhat * weight.data.reshape(wshape)
        inputs = (x, weight)
        if bias is not None:
            _check_param_dtype(name, x, bias)
            out += bias.data.reshape(wshape)
            inputs = (x, weight, bias)
    ops = _BATCH_NORM_OPS if name == "batch_norm" else _LAYER_NORM_OPS
    pshape = None if weight is None else weight.shape
    ctx = (dims, wshape, count, eps, xhat, invstd, pshape)
    return apply(ops[len(inputs) - 1], out, inputs, ctx), mean, var


def _check_param_dtype(name, x, p):
    if p.dtype != x.dtype:
        raise TypeError(
            f"{name}: the input is {x.dtype} but the affine parameters are {p.dtype}; convert the "
            f"module (.double() / .float()) or the input so they match"
        )


def _norm_stats(ctx, x):
    """x̂ and 1/σ: saved arrays in a first-order backward, recomputed from Tensor x for double backward."""
    dims, wshape, count, eps, xhat, invstd, pshape = ctx
    if isinstance(x, np.ndarray):
        return xhat, invstd
    xc = x - x.mean(dims, keepdim=True)
    invstd = ((xc * xc).mean(dims, keepdim=True) + eps) ** -0.5
    return xc * invstd, invstd


def _norm_vjp_x(g, ctx, out, x, w=None, b=None):
    dims, wshape, count = ctx[0], ctx[1], ctx[2]
    xhat, invstd = _norm_stats(ctx, x)
    h = g if w is None else g * w.reshape(wshape)
    sum_h = dual.sum(h, dims, keepdim=True)
    sum_hx = dual.sum(h * xhat, dims, keepdim=True)
    return invstd * (h - (sum_h + xhat * sum_hx) * (1.0 / count))


def _norm_vjp_w(g, ctx, out, x, w, b=None):
    xhat, _ = _norm_stats(ctx, x)
    return dual.sum_to(g * xhat, ctx[1]).reshape(ctx[6])


def _norm_vjp_b(g, ctx, out, x, w, b):
    return dual.sum_to(g, ctx[1]).reshape(ctx[6])


_NORM_RULE = "δx = (1/M)(1/σ)(M·h − Σh − x̂·Σ(h⊙x̂)), h = γ⊙g;  ∂L/∂γ = Σ g⊙x̂,  ∂L/∂β = Σ g"


def _norm_ops(name):
    return (
        Op(name, (_norm_vjp_x,), saves=(0,), rule=_NORM_RULE),
        Op(name, (_norm_vjp_x, _norm_vjp_w), saves=(0, 1), rule=_NORM_RULE),
        Op(name, (_norm_vjp_x, _norm_vjp_w, _norm_vjp_b), saves=(0, 1), rule=_NORM_RULE),
    )


_BATCH_NORM_OPS = _norm_ops("batch_norm")
_LAYER_NORM_OPS = _norm_ops("layer_norm")


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5):
    """y = γ ⊙ (x − μ)/√(σ² + ε) + β per channel (dim 1) of an (N, C, *) input.

    Training: μ, σ² are the batch mean and biased variance, and the running estimates (if given)
    move by μ_run ← (1 − momentum)·μ_run + momentum·μ (with the unbiased variance for σ²_run).
    Otherwise the running estimates are used.
    """
    if input.ndim < 2:
        raise ShapeError(f"batch_norm: expected an input of shape (N, C, ...), got shape {input.shape}")
    channels = input.shape[1]
    wshape = (1, channels) + (1,) * (input.ndim - 2)
    for what, t in (("weight", weight), ("bias", bias), ("running_mean", running_mean), ("running_var", running_var)):
        if t is not None and tuple(t.shape) != (channels,):
            raise ShapeError(
                f"batch_norm: {what} has shape {tuple(t.shape)}, expected ({channels},) for input {input.shape}"
            )
    if training:
        count = input.data.size // channels if channels else 0
        if count <= 1:
            raise ValueError(
                f"Expected more than 1 value per channel when training, got input size {input.shape}: batch "
                f"statistics of one value are undefined. Use a batch of at least 2, or call model.eval()"
            )
        dims = (0,) + tuple(range(2, input.ndim))
        out, mean, var = _normalize("batch_norm", input, weight, bias, dims, wshape, eps)
        if running_mean is not None:
            _update_running(running_mean, mean.reshape(-1), momentum)
        if running_var is not None:
            _update_running(running_var, var.reshape(-1) * (count / (count - 1)), momentum)
        return out
    if running_mean is None or running_var is None:
        raise ValueError("batch_norm: running_mean and running_var are needed when training=False")
    inv = _wrap(1.0 / np.sqrt(running_var.data + eps))
    scale = inv if weight is None else weight * inv
    shift = -(scale * running_mean.detach())
    if bias is not None:
        shift = shift + bias
    return input * scale.reshape(wshape) + shift.reshape(wshape)


def _update_running(buffer, batch_value, momentum):
    data = buffer.data
    data *= 1.0 - momentum
    data += momentum * batch_value.astype(data.dtype, copy=False)
    buffer._version += 1


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """y = γ ⊙ (x − μ)/√(σ² + ε) + β with μ, σ² over the trailing ``normalized_shape`` dims of each sample."""
    normalized_shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    k = len(normalized_shape)
    if k == 0 or input.ndim < k or tuple(input.shape[input.ndim - k :]) != normalized_shape:
        raise ShapeError(
            f"layer_norm: normalized_shape={list(normalized_shape)} expects an input of shape "
            f"[*, {', '.join(map(str, normalized_shape))}], but got input of shape {input.shape}"
        )
    for what, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != normalized_shape:
            raise ShapeError(f"layer_norm: {what} has shape {tuple(t.shape)}, expected {normalized_shape}")
    dims = tuple(range(input.ndim - k, input.ndim))
    out, _, _ = _normalize("layer_norm", input, weight, bias, dims, normalized_shape, eps)
    return out


# --- class targets ---------------------------------------------------------------------------------
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
    t = np.asarray(target.data if isinstance(target, Tensor) else target)
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
    w = np.asarray(weight.data if isinstance(weight, Tensor) else weight)
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
    rows, classes = z.shape
    dtype = z.dtype
    w = _class_weight("cross_entropy", weight, classes, dtype)
    eps = float(label_smoothing)

    zr = z.data
    if rows and classes:
        m = reduce_rows(np.maximum, zr)
        # Every row max is finite iff their sum is (an overflowing sum only takes the slow path).
        finite = math.isfinite(np.add.reduce(m, None))
        if not finite:
            m = np.where(np.isfinite(m), m, 0)
    else:
        m = np.zeros((rows, 1), dtype)
        finite = False
    shifted = zr - m
    probs = np.exp(shifted)
    se = reduce_rows(np.add, probs) if classes else np.zeros((rows, 1), dtype)
    if finite:  # each row's max contributes e⁰ = 1, so Σ ≥ 1 and the log is finite
        logp = shifted - np.log(se)
        if classes:
            probs /= se
    else:
        # A row of all −inf logits has Σ = 0: its NaNs stay in that row (ignored, or the loss is NaN).
        with np.errstate(divide="ignore", invalid="ignore"):
            logp = shifted - np.log(se)
            if classes:
                probs /= se

    t_raw = target.data if isinstance(target, Tensor) else np.asarray(target)
    if t_raw.dtype.kind == "f" and t_raw.ndim == input.ndim:  # class probabilities
        _check_same_shape("cross_entropy", input, t_raw)
        t = _as_target(target, input)
        t_rows = _to_rows("cross_entropy", t)
        tt = t_rows.data if eps == 0.0 else t_rows.data * (1.0 - eps) + eps / classes
        dense = tt if w is None else tt * w
        with np.errstate(invalid="ignore"):
            losses = -(dense * logp).sum(axis=1)
        asum = dense.sum(axis=1)
        hard = None
        total = rows
        inputs = (z, t_rows)
    else:
        idx, valid = _class_indices("cross_entropy", input, target, ignore_index)
        coef = _target_coef(idx, valid, w, dtype)
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
            soft = np.full(classes, eps / classes, dtype=dtype) if w is None else w * (eps / classes)
            dense = soft[None, :] if valid is None else valid.astype(dtype)[:, None] * soft
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
        inputs = (z,)

    if reduction == "none":
        data, scale = losses, 1.0
    else:
        scale = _mean_scale(total) if reduction == "mean" else 1.0
        if hard is not None and coef is None and eps == 0.0:  # losses are all ≥ 0 (or NaN): no inf − inf
            data = np.asarray(np.add.reduce(losses, None) * scale, dtype=dtype)
        else:
            with np.errstate(invalid="ignore"):
                data = np.asarray(losses.sum() * scale, dtype=dtype)
    ctx = (probs, logp, hard, dense, asum, scale, reduction == "none", eps, w)
    out = apply(_CROSS_ENTROPY_PROB if len(inputs) == 2 else _CROSS_ENTROPY, data, inputs, ctx)
    return _per_sample(out, input, reduction)


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
        dense = target if w is None else target * _wrap(w)
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
_CROSS_ENTROPY = Op("cross_entropy", (_ce_vjp_logits,), saves=(0,), rule=_CE_RULE)
_CROSS_ENTROPY_PROB = Op("cross_entropy", (_ce_vjp_logits, _ce_vjp_target), saves=(0, 1), rule=_CE_RULE)


def nll_loss(input, target, weight=None, ignore_index=-100, reduction="mean"):
    """L = −(1/N) Σₙ w_yₙ · input[n, yₙ] for log-probabilities ``input`` (N, C), (N, C, d…) or (C,)."""
    _check_reduction("nll_loss", reduction)
    z = _to_rows("nll_loss", input)
    rows, classes = z.shape
    w = _class_weight("nll_loss", weight, classes, z.dtype)
    idx, valid = _class_indices("nll_loss", input, target, ignore_index)
    coef = _target_coef(idx, valid, w, z.dtype)
    picked = ag.take_along_dim(z, idx.reshape(-1, 1), 1).reshape((rows,))
    losses = -picked if coef is None else -(picked * _wrap(coef))
    if reduction == "none":
        return _per_sample(losses, input, reduction)
    total = losses.sum()
    count = rows if coef is None else float(coef.sum())
    return total * _mean_scale(count) if reduction == "mean" else total


# --- regression losses -----------------------------------------------------------------------------
def mse_loss(input, target, reduction="mean"):
    """L = (1/N) Σ (a − y)²."""
    _check_reduction("mse_loss", reduction)
    target = _as_target(target, input)
    _check_same_shape("mse_loss", input, target)
    diff = input - target
    return _reduce("mse_loss", diff * diff, reduction)


def l1_loss(input, target, reduction="mean"):
    """L = (1/N) Σ |a − y|."""
    _check_reduction("l1_loss", reduction)
    target = _as_target(target, input)
    _check_same_shape("l1_loss", input, target)
    return _reduce("l1_loss", (input - target).abs(), reduction)


def huber_loss(input, target, reduction="mean", delta=1.0):
    """ℓ = ½d² if |d| < δ else δ(|d| − ½δ), d = a − y: quadratic near 0, linear (robust) far away."""
    _check_reduction("huber_loss", reduction)
    if delta <= 0:
        raise ValueError(f"huber_loss: delta must be positive, got {delta}")
    target = _as_target(target, input)
    _check_same_shape("huber_loss", input, target)
    d = input - target
    ad = d.abs()
    loss = ag.where(ad.data < delta, (d * d) * 0.5, (ad - 0.5 * delta) * delta)
    return _reduce("huber_loss", loss, reduction)


# --- binary cross-entropy (fused) -----------------------------------------------------------------
# NOTE: primitives for stability: logs are clamped at −100 (PyTorch's convention) without the 0/0 a
# composed clamp(log p) gives in backward at p = 0, and the logits version never forms σ(z).

_BCE_EPS = 1e-12


def _clamped_log(v):
    if isinstance(v, np.ndarray):
        with np.errstate(divide="ignore"):
            return np.maximum(np.log(v), -100.0)
    return v.log().clamp(min=-100.0)


def binary_cross_entropy(input, target, weight=None, reduction="mean"):
    """ℓ = −[y log a + (1 − y) log(1 − a)] for probabilities ``input`` a ∈ [0, 1]; logs clamped at −100."""
    _check_reduction("binary_cross_entropy", reduction)
    target = _as_target(target, input)
    _check_same_shape("binary_cross_entropy", input, target)
    p = input.data
    if p.size and (p.min() < 0 or p.max() > 1 or np.isnan(p).any()):
        raise ValueError(
            "binary_cross_entropy: all elements of input should be between 0 and 1 (probabilities); for "
            "logits use binary_cross_entropy_with_logits (BCEWithLogitsLoss), which is also more stable"
        )
    t = target.data
    data = -(t * _clamped_log(p) + (1.0 - t) * _clamped_log(1.0 - p))
    loss = apply(_BCE, data, (input, target))
    if weight is not None:
        loss = loss * _as_target(weight, input)
    return _reduce("binary_cross_entropy", loss, reduction)


def _bce_vjp_input(g, ctx, out, p, t):
    d = p * (1.0 - p)
    d = dual.where(dual.raw(d) > _BCE_EPS, d, _BCE_EPS)
    return g * (p - t) / d


def _bce_vjp_target(g, ctx, out, p, t):
    return g * (_clamped_log(1.0 - p) - _clamped_log(p))


_BCE = Op(
    "binary_cross_entropy",
    (_bce_vjp_input, _bce_vjp_target),
    saves=(0, 1),
    rule="∂L/∂a = g·(a − y)/max(a(1 − a), 1e-12),  ∂L/∂y = g·(log(1 − a) − log a)",
)


def _softplus_neg(z):
    """log(1 + e^(−z)), stable for any z."""
    if isinstance(z, np.ndarray):
        return np.log1p(np.exp(-np.abs(z))) + np.maximum(-z, 0)
    return (-z).softplus()


def binary_cross_entropy_with_logits(input, target, weight=None, reduction="mean", pos_weight=None):
    """ℓ = (1 − y)·z + (1 + (p_w − 1)·y)·log(1 + e^(−z)) = BCE(σ(z), y), stable for large |z|.

    ``pos_weight`` p_w (broadcast over the last dim) weighs the positive examples.
    """
    _check_reduction("binary_cross_entropy_with_logits", reduction)
    target = _as_target(target, input)
    _check_same_shape("binary_cross_entropy_with_logits", input, target)
    z, t = input.data, target.data
    pw = None
    if pos_weight is not None:
        pw = np.asarray(pos_weight.data if isinstance(pos_weight, Tensor) else pos_weight, dtype=z.dtype)
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
    loss = apply(_BCE_LOGITS, data, (input, target), pw)
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


_BCE_LOGITS = Op(
    "binary_cross_entropy_with_logits",
    (_bce_logits_vjp_input, _bce_logits_vjp_target),
    saves=(0, 1),
    rule="∂L/∂z = g·(σ(z) − y) (p_w = 1),  ∂L/∂y = −g·z",
)
