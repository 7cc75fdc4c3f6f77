"""Elementwise math: exp, log, sqrt, abs, sin, cos, erf, clamp, maximum, minimum, where."""

from __future__ import annotations

import math

import numpy as np

from ..extend import Op, ShapeError, Tensor, apply, as_tensor, dual, elementwise, export, wrap
from ..promotion import default_dtype, result_type
from ..special import erf_array, erfc_array

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
    data = np.clip(x.array, lo, hi)
    if data.dtype != x.array.dtype:
        data = data.astype(x.array.dtype)
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


# Two-input functions defined on real numbers only: two integer tensors give the default float.
_FLOATING = {"atan2", "hypot", "logaddexp", "xlogy"}


def _pair(name, x, y):
    """x and y as Tensors of one dtype, PyTorch's promotion of the two (numbers and 0-d tensors
    count as scalars); the casts are recorded, so a float input gets its gradient in its own dtype."""
    if not isinstance(x, Tensor):
        x = as_tensor(x, like=y)
    if not isinstance(y, Tensor):
        y = as_tensor(y, like=x)
    try:
        np.broadcast_shapes(x.shape, y.shape)
    except ValueError:
        raise ShapeError(f"{name}: shapes {x.shape} and {y.shape} cannot be broadcast together") from None
    dtype = x.dtype if x.dtype == y.dtype else result_type(x.array, y.array)
    if name in _FLOATING and dtype.kind != "f":
        dtype = default_dtype()
    # .to is the recorded cast (autograd/ops/shape.py, which builds on this module: found at run time)
    return (x if x.dtype == dtype else x.to(dtype)), (y if y.dtype == dtype else y.to(dtype))


def _float(ufunc):
    """A NumPy ufunc as a forward on two Python floats (a Scalar's): IEEE results, no exceptions."""

    def forward(a, b):
        with np.errstate(all="ignore"):
            return float(ufunc(a, b))

    forward.__name__ = ufunc.__name__
    return forward


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


@export(scalar=(MAXIMUM, _float(np.maximum)))
def maximum(x, y):
    """Elementwise max; at ties each side gets half the gradient (PyTorch's rule)."""
    x, y = _pair("maximum", x, y)
    return apply(MAXIMUM, np.maximum(x.array, y.array), (x, y))


def _tie_split(g, win, tie):
    return dual.where(win, g, 0.0) + dual.where(tie, g * 0.5, 0.0)


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


@export(scalar=(MINIMUM, _float(np.minimum)))
def minimum(x, y):
    """Elementwise min; at ties each side gets half the gradient."""
    x, y = _pair("minimum", x, y)
    return apply(MINIMUM, np.minimum(x.array, y.array), (x, y))


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
        data = np.where(cond, x.array, y.array)
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


# --- trigonometric and hyperbolic ------------------------------------------------------------------
def _inf_on_overflow(f):
    """``f`` on a float, giving ±inf where ``math`` raises OverflowError (NumPy gives inf)."""

    def forward(v):
        try:
            return f(v)
        except OverflowError:
            return math.copysign(math.inf, v) if f is math.sinh else math.inf

    return forward


@elementwise(
    lambda g, ctx, out, x: g * (1.0 + out * out), saves_out=True, rule="∂L/∂x = g ⊙ (1 + tan²x)", scalar=math.tan
)
def tan(a):
    """tan x."""
    return np.tan(a)


@elementwise(
    lambda g, ctx, out, x: g * dual.rsqrt(1.0 - x * x), saves=(0,), rule="∂L/∂x = g / √(1 − x²)", scalar=math.asin
)
def asin(a):
    """arcsin x (NaN outside [−1, 1])."""
    with np.errstate(invalid="ignore"):
        return np.arcsin(a)


@elementwise(
    lambda g, ctx, out, x: -g * dual.rsqrt(1.0 - x * x), saves=(0,), rule="∂L/∂x = −g / √(1 − x²)", scalar=math.acos
)
def acos(a):
    """arccos x (NaN outside [−1, 1])."""
    with np.errstate(invalid="ignore"):
        return np.arccos(a)


@elementwise(
    lambda g, ctx, out, x: g * dual.cosh(x), saves=(0,), rule="∂L/∂x = g ⊙ cosh x", scalar=_inf_on_overflow(math.sinh)
)
def sinh(a):
    """sinh x."""
    with np.errstate(over="ignore"):
        return np.sinh(a)


@elementwise(
    lambda g, ctx, out, x: g * dual.sinh(x), saves=(0,), rule="∂L/∂x = g ⊙ sinh x", scalar=_inf_on_overflow(math.cosh)
)
def cosh(a):
    """cosh x."""
    with np.errstate(over="ignore"):
        return np.cosh(a)


@elementwise(
    lambda g, ctx, out, x: g * dual.rsqrt(x * x + 1.0), saves=(0,), rule="∂L/∂x = g / √(x² + 1)", scalar=math.asinh
)
def asinh(a):
    """arsinh x."""
    return np.arcsinh(a)


@elementwise(
    lambda g, ctx, out, x: g * dual.rsqrt(x * x - 1.0), saves=(0,), rule="∂L/∂x = g / √(x² − 1)", scalar=math.acosh
)
def acosh(a):
    """arcosh x (NaN below 1)."""
    with np.errstate(invalid="ignore"):
        return np.arccosh(a)


@elementwise(lambda g, ctx, out, x: g / (1.0 - x * x), saves=(0,), rule="∂L/∂x = g / (1 − x²)", scalar=math.atanh)
def atanh(a):
    """artanh x (±inf at ±1, NaN beyond)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.arctanh(a)


# --- logarithms, exponentials, powers --------------------------------------------------------------
_LN2 = math.log(2.0)
_LN10 = math.log(10.0)


def _log_domain(f, zero=0.0):
    """``f`` on a float, with NumPy's −inf at ``zero`` and NaN below it."""
    return lambda v: f(v) if v > zero else (-math.inf if v == zero else math.nan)


@elementwise(
    lambda g, ctx, out, x: g / (x * _LN2), saves=(0,), rule="∂L/∂x = g / (x ln 2)", scalar=_log_domain(math.log2)
)
def log2(a):
    """log₂ x."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log2(a)


@elementwise(
    lambda g, ctx, out, x: g / (x * _LN10), saves=(0,), rule="∂L/∂x = g / (x ln 10)", scalar=_log_domain(math.log10)
)
def log10(a):
    """log₁₀ x."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log10(a)


@elementwise(
    lambda g, ctx, out, x: g / (1.0 + x), saves=(0,), rule="∂L/∂x = g / (1 + x)", scalar=_log_domain(math.log1p, -1.0)
)
def log1p(a):
    """ln(1 + x), accurate for small x."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log1p(a)


@elementwise(
    lambda g, ctx, out, x: g * (out + 1.0), saves_out=True, rule="∂L/∂x = g ⊙ eˣ", scalar=_inf_on_overflow(math.expm1)
)
def expm1(a):
    """eˣ − 1, accurate for small x."""
    with np.errstate(over="ignore"):
        return np.expm1(a)


@elementwise(
    lambda g, ctx, out, x: g * (out * _LN2),
    saves_out=True,
    rule="∂L/∂x = g ⊙ 2ˣ ln 2",
    scalar=_inf_on_overflow(lambda v: 2.0**v),
)
def exp2(a):
    """2ˣ."""
    with np.errstate(over="ignore"):
        return np.exp2(a)


@elementwise(
    lambda g, ctx, out, x: g * (-0.5 * out * out * out),
    saves_out=True,
    rule="∂L/∂x = −g / (2 x^(3/2))",
    scalar=dual.rsqrt,
)
def rsqrt(a):
    """1/√x."""
    return dual.rsqrt(a)


def _scalar_reciprocal(v):
    return 1.0 / v if v else math.copysign(math.inf, v)


@elementwise(lambda g, ctx, out, x: -g * (out * out), saves_out=True, rule="∂L/∂x = −g / x²", scalar=_scalar_reciprocal)
def reciprocal(a):
    """1/x."""
    with np.errstate(divide="ignore"):
        return np.reciprocal(a) if a.dtype.kind == "f" else 1.0 / a


@elementwise(lambda g, ctx, out, x: g * (2.0 * x), saves=(0,), rule="∂L/∂x = 2x ⊙ g", scalar=lambda v: v * v)
def square(a):
    """x²."""
    return np.square(a)


_RADIANS_PER_DEGREE = math.pi / 180.0


@elementwise(
    lambda g, ctx, out, x: g * _RADIANS_PER_DEGREE, rule="∂L/∂x = g · π/180", scalar=lambda v: v * _RADIANS_PER_DEGREE
)
def deg2rad(a):
    """Degrees to radians."""
    return a * _RADIANS_PER_DEGREE


@elementwise(
    lambda g, ctx, out, x: g / _RADIANS_PER_DEGREE, rule="∂L/∂x = g · 180/π", scalar=lambda v: v / _RADIANS_PER_DEGREE
)
def rad2deg(a):
    """Radians to degrees."""
    return a / _RADIANS_PER_DEGREE


def _sinc_vjp(g, ctx, out, x):
    # sinc'(x) = (πx cos πx − sin πx) / (πx²), 0 at x = 0; x = 1 stands in at 0 so no branch is NaN
    at_zero = dual.raw(x) == 0
    safe = dual.where(at_zero, 1.0, x)
    px = math.pi * safe
    slope = (px * dual.cos(px) - dual.sin(px)) / (px * safe)
    return dual.where(at_zero, 0.0, g * slope)


@elementwise(
    _sinc_vjp,
    saves=(0,),
    rule="∂L/∂x = g ⊙ (πx cos πx − sin πx)/(πx²)",
    scalar=lambda v: math.sin(math.pi * v) / (math.pi * v) if v else 1.0,
)
def sinc(a):
    """sin(πx)/(πx), 1 at 0 (the normalized sinc)."""
    return np.sinc(a)


# --- rounding: piecewise constant, so zero gradients (as PyTorch) ----------------------------------
def _zero_vjp(g, ctx, out, x):
    return g * 0.0


def _on_floats(f, a):
    """``f(a)`` for a float array; integers are already whole (PyTorch keeps their dtype)."""
    return f(a) if a.dtype.kind == "f" else a.copy()


def _finite(f):
    """``f`` on a finite float; inf and NaN are their own floor, ceil, round and trunc."""
    return lambda v: float(f(v)) if math.isfinite(v) else v


def _scalar_sign(v):
    return v if v != v else float((v > 0) - (v < 0))


@elementwise(_zero_vjp, rule="∂L/∂x = 0", scalar=_scalar_sign)
def sign(a):
    """−1, 0 or 1 (NaN stays NaN); its gradient is zero."""
    return np.sign(a)


@elementwise(_zero_vjp, rule="∂L/∂x = 0", scalar=_finite(math.floor))
def floor(a):
    """The largest whole number ≤ x; its gradient is zero."""
    return _on_floats(np.floor, a)


@elementwise(_zero_vjp, rule="∂L/∂x = 0", scalar=_finite(math.ceil))
def ceil(a):
    """The smallest whole number ≥ x; its gradient is zero."""
    return _on_floats(np.ceil, a)


@elementwise(_zero_vjp, rule="∂L/∂x = 0", scalar=_finite(round))
def round(a):
    """The nearest whole number, halves to even (as PyTorch and Python); its gradient is zero."""
    return _on_floats(np.round, a)


@elementwise(_zero_vjp, rule="∂L/∂x = 0", scalar=_finite(math.trunc))
def trunc(a):
    """x rounded toward zero; its gradient is zero."""
    return _on_floats(np.trunc, a)


@elementwise(
    lambda g, ctx, out, x: g, rule="∂L/∂x = g", scalar=lambda v: v - math.trunc(v) if math.isfinite(v) else math.nan
)
def frac(a):
    """x − trunc(x), the fractional part with x's sign."""
    with np.errstate(invalid="ignore"):
        return a - np.trunc(a)


# --- clamping and cleaning -------------------------------------------------------------------------
@export
def clamp_min(x, min):
    """max(x, min): ``clamp(x, min=min)``."""
    return clamp(x, min=min)


@export
def clamp_max(x, max):
    """min(x, max): ``clamp(x, max=max)``."""
    return clamp(x, max=max)


@export
def nan_to_num(x, nan=0.0, posinf=None, neginf=None):
    """NaN → ``nan``, ±inf → ``posinf``/``neginf`` (default: the dtype's largest finite values)."""
    data = np.nan_to_num(x.array, nan=nan, posinf=posinf, neginf=neginf)
    return apply(NAN_TO_NUM, data, (x,))


NAN_TO_NUM = Op(
    "nan_to_num",
    (lambda g, ctx, out, x: g * np.isfinite(dual.raw(x)),),
    saves=(0,),
    keeps_shape=True,
    rule="∂L/∂x = g ⊙ [x finite]",
)


@export
def isnan(x):
    """Where x is NaN (a bool tensor outside the graph)."""
    return wrap(np.isnan(x.array))


@export
def isinf(x):
    """Where x is ±inf (a bool tensor outside the graph)."""
    return wrap(np.isinf(x.array))


@export
def isfinite(x):
    """Where x is neither NaN nor ±inf (a bool tensor outside the graph)."""
    return wrap(np.isfinite(x.array))


# --- two inputs, broadcasting; a Python number on either side is a constant Tensor ----------------
def _binary(op, forward, x, y):
    """Record ``op`` on the broadcast pair (x, y), with the forward run on their arrays."""
    x, y = _pair(op.name, x, y)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        data = forward(x.array, y.array)
    return apply(op, data, (x, y))


ATAN2 = Op(
    "atan2",
    (
        lambda g, ctx, out, x, y: g * y / (x * x + y * y),
        lambda g, ctx, out, x, y: -g * x / (x * x + y * y),
    ),
    saves=(0, 1),
    broadcasts=True,
    keeps_shape=False,
    rule="∂L/∂x = g ⊙ y/(x² + y²),  ∂L/∂y = −g ⊙ x/(x² + y²)",
)


@export(scalar=(ATAN2, math.atan2))
def atan2(input, other):
    """The angle of the point (other, input): arctan(input/other) in the right quadrant."""
    return _binary(ATAN2, np.arctan2, input, other)


HYPOT = Op(
    "hypot",
    (lambda g, ctx, out, x, y: g * x / out, lambda g, ctx, out, x, y: g * y / out),
    saves=(0, 1),
    saves_out=True,
    broadcasts=True,
    keeps_shape=False,
    rule="∂L/∂x = g ⊙ x/out,  ∂L/∂y = g ⊙ y/out",
)


@export(scalar=(HYPOT, math.hypot))
def hypot(input, other):
    """√(x² + y²), without overflow for large x, y."""
    return _binary(HYPOT, np.hypot, input, other)


LOGADDEXP = Op(
    "logaddexp",
    (
        lambda g, ctx, out, x, y: g * dual.sigmoid(x - y),
        lambda g, ctx, out, x, y: g * dual.sigmoid(y - x),
    ),
    saves=(0, 1),
    broadcasts=True,
    keeps_shape=False,
    rule="∂L/∂x = g ⊙ σ(x − y),  ∂L/∂y = g ⊙ σ(y − x)",
)


@export(scalar=(LOGADDEXP, _float(np.logaddexp)))
def logaddexp(input, other):
    """ln(eˣ + eʸ), without overflow."""
    return _binary(LOGADDEXP, np.logaddexp, input, other)


def _xlogy_forward(x, y):
    return np.where((x == 0) & ~np.isnan(y), np.zeros((), x.dtype), x * np.log(y))


def _xlogy_vjp_x(g, ctx, out, x, y):
    with np.errstate(divide="ignore", invalid="ignore"):
        return dual.where(dual.raw(x) == 0, 0.0, g * dual.log(y))


@export
def xlogy(input, other):
    """x·ln y, and 0 where x = 0 (even where y = 0; a NaN y gives NaN, as in PyTorch)."""
    return _binary(XLOGY, _xlogy_forward, input, other)


XLOGY = Op(
    "xlogy",
    (_xlogy_vjp_x, lambda g, ctx, out, x, y: g * x / y),
    saves=(0, 1),
    broadcasts=True,
    keeps_shape=False,
    rule="∂L/∂x = g ⊙ ln y,  ∂L/∂y = g ⊙ x/y",
)


def _by_number(x, y):
    """Whether ``x`` is a Tensor and ``y`` a plain number: then y is a constant of the op (in ctx)."""
    return isinstance(x, Tensor) and isinstance(y, (int, float)) and not isinstance(y, bool)


def _quotient_vjp(rounding):
    """∂L/∂y of x − y·q with the constant quotient q = rounding(x/y)."""

    def vjp(g, ctx, out, x, y):
        with np.errstate(divide="ignore", invalid="ignore"):
            return -g * rounding(dual.raw(x) / dual.raw(y))

    return vjp


FMOD = Op(
    "fmod",
    (lambda g, ctx, out, x, y: g, _quotient_vjp(np.trunc)),
    saves=(0, 1),
    broadcasts=True,
    keeps_shape=False,
    rule="∂L/∂x = g,  ∂L/∂y = −g ⊙ trunc(x/y)",
)


@export(methods=("fmod",), scalar=(FMOD, math.fmod))
def fmod(input, other):
    """x − y·trunc(x/y): the remainder with the sign of x (C's fmod)."""
    if _by_number(input, other):
        with np.errstate(divide="ignore", invalid="ignore"):
            return apply(FMOD_NUMBER, np.fmod(input.array, other), (input,), other)
    return _binary(FMOD, np.fmod, input, other)


REMAINDER = Op(
    "remainder",
    (lambda g, ctx, out, x, y: g, _quotient_vjp(np.floor)),
    saves=(0, 1),
    broadcasts=True,
    keeps_shape=False,
    rule="∂L/∂x = g,  ∂L/∂y = −g ⊙ floor(x/y)",
)


@export(
    methods=("remainder", "__mod__", ("__rmod__", lambda self, other: remainder(other, self))),
    scalar=(REMAINDER, _float(np.remainder)),
)
def remainder(input, other):
    """x − y·floor(x/y): the remainder with the sign of y (Python's and PyTorch's ``%``)."""
    if _by_number(input, other):
        with np.errstate(divide="ignore", invalid="ignore"):
            return apply(REMAINDER_NUMBER, np.remainder(input.array, other), (input,), other)
    return _binary(REMAINDER, np.remainder, input, other)


# NOTE: a number divisor is a constant of the op (as for x * 2 in arithmetic.py): x % 2 is common.
FMOD_NUMBER = Op("fmod", (lambda g, c, out, x: g,), keeps_shape=True, describe=lambda c: f"{c:g}", rule="∂L/∂x = g")
REMAINDER_NUMBER = Op(
    "remainder", (lambda g, c, out, x: g,), keeps_shape=True, describe=lambda c: f"{c:g}", rule="∂L/∂x = g"
)


@export(methods=("floor_divide", "__floordiv__", ("__rfloordiv__", lambda self, other: floor_divide(other, self))))
def floor_divide(input, other):
    """floor(x/y) (Python's and PyTorch's ``//``), outside the graph: PyTorch gives it no gradient."""
    x, y = _pair("floor_divide", input, other)
    with np.errstate(divide="ignore", invalid="ignore"):
        return wrap(np.floor_divide(x.array, y.array))


@export
def lerp(input, end, weight):
    """input + weight·(end − input), ``weight`` a number or a Tensor."""
    # NOTE: a composite (its gradient comes from + − *); PyTorch switches to
    # end − (1 − w)(end − input) for w ≥ 0.5, so the last bits may differ.
    input, end = _pair("lerp", input, end)
    return input + weight * (end - input)


@elementwise(
    lambda g, ctx, out, x: g * (-_TWO_OVER_SQRT_PI * dual.exp(-(x * x))),
    saves=(0,),
    rule="∂L/∂x = −g ⊙ 2/√π · e^(−x²)",
    scalar=math.erfc,
)
def erfc(a):
    """The complementary error function 1 − erf(x), accurate where erf(x) is close to 1."""
    return erfc_array(a)


@export
def logit(x, eps=None):
    """ln(p/(1 − p)), the inverse of σ; with ``eps``, p is clamped to [eps, 1 − eps] first."""
    if eps is not None:
        x = clamp(x, eps, 1.0 - eps)
    return log(x) - log1p(-x)


@export
def fmax(input, other):
    """maximum that ignores NaN: where one side is NaN, the other (and its gradient)."""
    return _nan_aware(maximum, input, other)


@export
def fmin(input, other):
    """minimum that ignores NaN: where one side is NaN, the other (and its gradient)."""
    return _nan_aware(minimum, input, other)


def _nan_aware(extreme, input, other):
    x, y = _pair(extreme.__name__, input, other)
    x_nan, y_nan = np.isnan(x.array), np.isnan(y.array)
    if not (x_nan.any() or y_nan.any()):
        return extreme(x, y)
    return where(y_nan, x, where(x_nan, y, extreme(x, y)))
