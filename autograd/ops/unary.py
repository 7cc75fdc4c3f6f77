"""Elementwise math: exp, log, sqrt, abs, sin, cos, erf, clamp, maximum, minimum, where."""

from __future__ import annotations

import math

import numpy as np

from ..extend import Op, ShapeError, Tensor, apply, as_tensor, dual, elementwise, export
from ..special import erf_array

TITLE = "elementwise math"  # the family's name in the README op table


def _scalar_log(v):
    return math.log(v) if v > 0 else (-math.inf if v == 0 else math.nan)


def _scalar_exp(v):
    try:
        return math.exp(v)
    except OverflowError:
        return math.inf


@elementwise(lambda g, ctx, out, x: g * out, saves_out=True, rule="∂L/∂x = g ⊙ eˣ", scalar=_scalar_exp)
def exp(a):
    """eˣ."""
    return np.exp(a)


@elementwise(lambda g, ctx, out, x: g / x, saves=(0,), rule="∂L/∂x = g / x", scalar=_scalar_log)
def log(a):
    """Natural logarithm."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log(a)


@elementwise(
    lambda g, ctx, out, x: g / (2.0 * out),
    saves_out=True,
    rule="∂L/∂x = g / (2√x)",
    scalar=lambda v: math.sqrt(v) if v >= 0 else math.nan,
)
def sqrt(a):
    """√x."""
    with np.errstate(invalid="ignore"):
        return np.sqrt(a)


@elementwise(
    lambda g, ctx, out, x: g * np.sign(dual.raw(x)),
    saves=(0,),
    rule="∂L/∂x = g ⊙ sign(x)",
    scalar=abs,
    methods=("abs", "__abs__"),
)
def abs(a):
    """|x|; the gradient at 0 is 0."""
    return np.abs(a)


@elementwise(lambda g, ctx, out, x: g * dual.cos(x), saves=(0,), rule="∂L/∂x = g ⊙ cos x", scalar=math.sin)
def sin(a):
    """sin x."""
    return np.sin(a)


@elementwise(lambda g, ctx, out, x: -g * dual.sin(x), saves=(0,), rule="∂L/∂x = −g ⊙ sin x", scalar=math.cos)
def cos(a):
    """cos x."""
    return np.cos(a)


@elementwise(lambda g, ctx, out, x: g / (1.0 + x * x), saves=(0,), rule="∂L/∂x = g / (1 + x²)", scalar=math.atan)
def atan(a):
    """arctan x."""
    return np.arctan(a)


_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


@elementwise(
    lambda g, ctx, out, x: g * (_TWO_OVER_SQRT_PI * dual.exp(-(x * x))),
    saves=(0,),
    rule="∂L/∂x = g ⊙ 2/√π · e^(−x²)",
    scalar=math.erf,
)
def erf(a):
    """The error function erf(x) = 2/√π ∫₀ˣ e^(−t²) dt."""
    return erf_array(a)


@export(methods=("clamp", "clip"))
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
    return g * ((xr >= lo) & (xr <= hi))


def _describe_bounds(ctx):
    return ", ".join(f"{k}={v:g}" for k, v in zip(("min", "max"), ctx) if np.ndim(v) == 0 and np.isfinite(v))


CLAMP = Op(
    "clamp",
    (_clamp_vjp,),
    saves=(0,),
    keeps_shape=True,
    describe=_describe_bounds,
    rule="∂L/∂x = g ⊙ [min ≤ x ≤ max]",
)


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


@export
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
    keeps_shape=False,
    rule="∂L/∂x = g ⊙ [x > y] (+ g/2 at ties)",
)


@export
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
    keeps_shape=False,
    rule="∂L/∂x = g ⊙ [x < y] (+ g/2 at ties)",
)


def _where_method(self, condition, other):
    return where(condition, self, other)


@export(methods=(("where", _where_method),))
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
    keeps_shape=False,
    rule="∂L/∂x = g ⊙ c,  ∂L/∂y = g ⊙ (1 − c)",
)
