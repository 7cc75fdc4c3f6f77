"""Elementwise math: exp, log, sqrt, abs, sin, cos, erf, clamp, maximum, minimum, where."""

from __future__ import annotations

import math

import numpy as np

from ..engine import Op
from ..tensor import ShapeError, Tensor, apply, as_tensor
from . import dual


def exp(x):
    """eˣ."""
    return apply(EXP, np.exp(x.data), (x,))


EXP = Op("exp", (lambda g, ctx, out, x: g * out,), saves_out=True, rule="∂L/∂x = g ⊙ eˣ")


def log(x):
    """Natural logarithm."""
    with np.errstate(divide="ignore", invalid="ignore"):
        data = np.log(x.data)
    return apply(LOG, data, (x,))


LOG = Op("log", (lambda g, ctx, out, x: g / x,), saves=(0,), rule="∂L/∂x = g / x")


def sqrt(x):
    """√x."""
    with np.errstate(invalid="ignore"):
        data = np.sqrt(x.data)
    return apply(SQRT, data, (x,))


SQRT = Op("sqrt", (lambda g, ctx, out, x: g / (2.0 * out),), saves_out=True, rule="∂L/∂x = g / (2√x)")


def abs(x):
    """|x|; the gradient at 0 is 0."""
    return apply(ABS, np.abs(x.data), (x,))


ABS = Op("abs", (lambda g, ctx, out, x: g * np.sign(dual.raw(x)),), saves=(0,), rule="∂L/∂x = g ⊙ sign(x)")


def sin(x):
    return apply(SIN, np.sin(x.data), (x,))


SIN = Op("sin", (lambda g, ctx, out, x: g * dual.cos(x),), saves=(0,), rule="∂L/∂x = g ⊙ cos x")


def cos(x):
    return apply(COS, np.cos(x.data), (x,))


COS = Op("cos", (lambda g, ctx, out, x: -g * dual.sin(x),), saves=(0,), rule="∂L/∂x = −g ⊙ sin x")


_erf_elementwise = np.frompyfunc(math.erf, 1, 1)


def erf_array(a):
    """erf on an ndarray (NumPy has none), in the array's float dtype."""
    a = np.asarray(a)
    dtype = a.dtype if a.dtype.kind == "f" else np.float64
    return np.asarray(_erf_elementwise(a), dtype=dtype)


def erf(x):
    """The error function erf(x) = 2/√π ∫₀ˣ e^(−t²) dt."""
    return apply(ERF, erf_array(x.data), (x,))


_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)

ERF = Op(
    "erf",
    (lambda g, ctx, out, x: g * (_TWO_OVER_SQRT_PI * dual.exp(-(x * x))),),
    saves=(0,),
    rule="∂L/∂x = g ⊙ 2/√π · e^(−x²)",
)


def clamp(x, min=None, max=None):
    """Clip to [min, max]; the gradient passes where min ≤ x ≤ max (PyTorch's convention)."""
    if min is None and max is None:
        raise ValueError("clamp: at least one of min and max must be given")
    lo = -np.inf if min is None else dual.raw(min)
    hi = np.inf if max is None else dual.raw(max)
    data = np.clip(x.data, lo, hi)
    if data.dtype != x.data.dtype:
        data = data.astype(x.data.dtype)
    return apply(CLAMP, data, (x,), (lo, hi))


def _clamp_vjp(g, ctx, out, x):
    lo, hi = ctx
    xr = dual.raw(x)
    return dual.where((xr >= lo) & (xr <= hi), g, 0.0)


CLAMP = Op("clamp", (_clamp_vjp,), saves=(0,), rule="∂L/∂x = g ⊙ [min ≤ x ≤ max]")


def _pair(name, x, y):
    if not isinstance(x, Tensor):
        x = as_tensor(x, like=y)
    if not isinstance(y, Tensor):
        y = as_tensor(y, like=x)
    try:
        np.broadcast_shapes(x.shape, y.shape)
    except ValueError:
        raise ShapeError(f"{name}: shapes {x.shape} and {y.shape} cannot be broadcast together") from None
    return x, y


def maximum(x, y):
    """Elementwise max; at ties each side gets half the gradient (PyTorch's rule)."""
    x, y = _pair("maximum", x, y)
    return apply(MAXIMUM, np.maximum(x.data, y.data), (x, y))


def _tie_split(g, win, tie):
    return dual.where(win, g, 0.0) + dual.where(tie, g * 0.5, 0.0)


MAXIMUM = Op(
    "maximum",
    (
        lambda g, ctx, out, x, y: _tie_split(g, dual.raw(x) > dual.raw(y), dual.raw(x) == dual.raw(y)),
        lambda g, ctx, out, x, y: _tie_split(g, dual.raw(y) > dual.raw(x), dual.raw(x) == dual.raw(y)),
    ),
    saves=(0, 1),
    broadcasts=True,
    rule="∂L/∂x = g ⊙ [x > y] (+ g/2 at ties)",
)


def minimum(x, y):
    """Elementwise min; at ties each side gets half the gradient."""
    x, y = _pair("minimum", x, y)
    return apply(MINIMUM, np.minimum(x.data, y.data), (x, y))


MINIMUM = Op(
    "minimum",
    (
        lambda g, ctx, out, x, y: _tie_split(g, dual.raw(x) < dual.raw(y), dual.raw(x) == dual.raw(y)),
        lambda g, ctx, out, x, y: _tie_split(g, dual.raw(y) < dual.raw(x), dual.raw(x) == dual.raw(y)),
    ),
    saves=(0, 1),
    broadcasts=True,
    rule="∂L/∂x = g ⊙ [x < y] (+ g/2 at ties)",
)


def where(condition, x, y):
    """x where condition holds, else y (condition is a constant: no gradient flows to it)."""
    cond = np.asarray(dual.raw(condition), dtype=bool)
    if not isinstance(x, Tensor):
        x = as_tensor(x, like=y if isinstance(y, Tensor) else None)
    if not isinstance(y, Tensor):
        y = as_tensor(y, like=x)
    try:
        data = np.where(cond, x.data, y.data)
    except ValueError:
        raise ShapeError(
            f"where: condition {cond.shape}, x {x.shape} and y {y.shape} cannot be broadcast together"
        ) from None
    return apply(WHERE, data, (x, y), cond)


WHERE = Op(
    "where",
    (
        lambda g, cond, out, x, y: dual.where(cond, g, 0.0),
        lambda g, cond, out, x, y: dual.where(cond, 0.0, g),
    ),
    broadcasts=True,
    rule="∂L/∂x = g ⊙ c,  ∂L/∂y = g ⊙ (1 − c)",
)
