"""Normalization: batch norm and layer norm, one primitive with a closed-form VJP."""

from __future__ import annotations

import numpy as np

from ..extend import Op, ShapeError, apply, dual, export, wrap

TITLE = "normalization"  # the family's name in the README op table

# NOTE: a primitive rather than mean/var/div ops for speed: the backward is the closed form
#   δx = (1/M)·(1/σ)·(M·h − Σh − x̂·Σ(h ⊙ x̂)),  h = γ ⊙ g,  sums over the M normalized entries,
# and Σg, Σ(g ⊙ x̂) are at once ∂L/∂β and ∂L/∂γ.


def _normalize(name, x, weight, bias, dims, wshape, eps):
    """x̂ = (x − μ)/√(σ² + ε) over ``dims``, then γ ⊙ x̂ + β with γ, β viewed as ``wshape``.

    Returns the output Tensor and the batch mean and biased variance (arrays, keepdims).
    """
    xr = x.array
    count = 1
    for d in dims:
        count *= xr.shape[d]
    mean = xr.mean(axis=dims, keepdims=True)
    xc = xr - mean
    var = np.mean(xc * xc, axis=dims, keepdims=True)
    invstd = 1.0 / np.sqrt(var + eps)
    xhat = xc * invstd
    if weight is None and bias is not None:
        weight = wrap(np.ones(bias.shape, dtype=bias.dtype))
    if weight is None:
        out = xhat.copy()
        inputs = (x,)
    else:
        _check_param_dtype(name, x, weight)
        out = xhat * weight.array.reshape(wshape)
        inputs = (x, weight)
        if bias is not None:
            _check_param_dtype(name, x, bias)
            out += bias.array.reshape(wshape)
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
        Op(name, (_norm_vjp_x,), saves=(0,), keeps_shape=True, rule=_NORM_RULE),
        Op(name, (_norm_vjp_x, _norm_vjp_w), saves=(0, 1), keeps_shape=True, rule=_NORM_RULE),
        Op(name, (_norm_vjp_x, _norm_vjp_w, _norm_vjp_b), saves=(0, 1), keeps_shape=True, rule=_NORM_RULE),
    )


_BATCH_NORM_OPS = _norm_ops("batch_norm")
_LAYER_NORM_OPS = _norm_ops("layer_norm")


@export(methods=())
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
        count = input.array.size // channels if channels else 0
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
    inv = wrap(1.0 / np.sqrt(running_var.array + eps))
    scale = inv if weight is None else weight * inv
    shift = -(scale * running_mean.detach())
    if bias is not None:
        shift = shift + bias
    return input * scale.reshape(wshape) + shift.reshape(wshape)


def _update_running(buffer, batch_value, momentum):
    data = buffer.array
    data *= 1.0 - momentum
    data += momentum * batch_value.astype(data.dtype, copy=False)
    buffer._version += 1


@export(methods=())
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
