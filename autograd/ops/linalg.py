"""Matrix products: matmul (1-D, 2-D, batched with broadcasting) and the fused linear layer."""

from __future__ import annotations

import numpy as np

from ..extend import Op, ShapeError, Tensor, apply, as_tensor, dual, export

TITLE = "matrix products"  # the family's name in the README op table


def _check_dtypes(name, x, y):
    if x.dtype != y.dtype and x.dtype.kind == "f" and y.dtype.kind == "f":
        raise TypeError(
            f"{name}: both operands must have the same dtype, got {x.dtype} and {y.dtype}; "
            f"convert one with .float() or .double()"
        )


@export(methods=("matmul", "__matmul__", ("__rmatmul__", lambda self, other: matmul(other, self))))
def matmul(x, y):
    """x @ y with NumPy's rules: 1-D operands are promoted and the added dim removed."""
    if not isinstance(x, Tensor):
        x = as_tensor(x, like=y)
    if not isinstance(y, Tensor):
        y = as_tensor(y, like=x)
    if x.ndim == 0 or y.ndim == 0:
        raise ShapeError(f"matmul: both operands need at least 1 dim, got shapes {x.shape} and {y.shape}")
    _check_dtypes("matmul", x, y)
    try:
        data = np.matmul(x.data, y.data)
    except ValueError:
        k1 = x.shape[-1]
        k2 = y.shape[-2] if y.ndim > 1 else y.shape[0]
        raise ShapeError(
            f"matmul: shapes {x.shape} and {y.shape} do not fit: the last dim of the first ({k1}) "
            f"must equal the {'second-to-last' if y.ndim > 1 else 'only'} dim of the second ({k2}), "
            f"and batch dims must broadcast"
        ) from None
    return apply(MATMUL, np.asarray(data), (x, y))


def _matmul_vjp_x(g, ctx, out, x, y):
    if y.ndim == 1:
        if x.ndim == 1:
            return g * y
        return g[..., None] * y  # outer product per batch: (..., n, 1) * (k,)
    if x.ndim == 1:
        return (y @ g[..., None])[..., 0]
    return g @ y.mT


def _matmul_vjp_y(g, ctx, out, x, y):
    if x.ndim == 1:
        if y.ndim == 1:
            return g * x
        return x[..., :, None] * g[..., None, :]
    if y.ndim == 1:
        return (x.mT @ g[..., None])[..., 0]
    return x.mT @ g


MATMUL = Op(
    "matmul",
    (_matmul_vjp_x, _matmul_vjp_y),
    saves=(0, 1),
    broadcasts=True,
    keeps_shape=False,
    rule="∂L/∂A = G·Bᵀ,  ∂L/∂B = Aᵀ·G",
)


# NOTE: a primitive (not matmul + add) for speed: one node, and the bias gradient is one sum.
@export(methods=())
def linear(x, weight, bias=None):
    """z = x Wᵀ + b for x of shape (..., in_features), W of shape (out_features, in_features)."""
    xd = x.data
    wd = weight.data
    # One combined test on the arrays for the layer's hot path; the messages are built only on failure.
    if wd.ndim != 2 or xd.ndim == 0 or xd.shape[-1] != wd.shape[1] or xd.dtype != wd.dtype:
        _check_linear(x, weight)
    data = xd @ wd.T
    if bias is None:
        return apply(LINEAR_NO_BIAS, data, (x, weight))
    if bias.data.shape != (wd.shape[0],):
        raise ShapeError(
            f"linear: bias has shape {bias.shape}, expected ({weight.shape[0]},) for weight {weight.shape}"
        )
    data += bias.data
    return apply(LINEAR, data, (x, weight, bias))


def _check_linear(x, weight):
    if weight.ndim != 2:
        raise ShapeError(f"linear: weight must be 2-D (out_features, in_features), got shape {weight.shape}")
    if x.ndim == 0 or x.shape[-1] != weight.shape[1]:
        raise ShapeError(
            f"linear: input of shape {x.shape} has {x.shape[-1] if x.ndim else 0} features in its last "
            f"dim, but the weight of shape {weight.shape} expects in_features={weight.shape[1]}"
        )
    _check_dtypes("linear", x, weight)


def _linear_vjp_x(g, ctx, out, x, w, b=None):
    return g @ w


def _linear_vjp_w(g, ctx, out, x, w, b=None):
    if g.ndim == 2:
        return g.mT @ x
    g2 = g.reshape((-1, g.shape[-1]))
    x2 = x.reshape((-1, x.shape[-1]))
    return g2.mT @ x2


def _linear_vjp_b(g, ctx, out, x, w, b):
    if g.__class__ is np.ndarray and g.ndim == 2:
        return np.add.reduce(g, 0)  # the layer's case, without the generic sum's dispatch
    return dual.sum(g, tuple(range(g.ndim - 1))) if g.ndim > 1 else g


LINEAR = Op(
    "linear",
    (_linear_vjp_x, _linear_vjp_w, _linear_vjp_b),
    saves=(0, 1),
    keeps_shape=False,
    rule="δ(l−1) = δ W,  ∂L/∂W = δᵀ a(l−1),  ∂L/∂b = Σ δ",
)
LINEAR_NO_BIAS = Op(
    "linear",
    (_linear_vjp_x, _linear_vjp_w),
    saves=(0, 1),
    keeps_shape=False,
    rule="δ(l−1) = δ W,  ∂L/∂W = δᵀ a(l−1)",
)
