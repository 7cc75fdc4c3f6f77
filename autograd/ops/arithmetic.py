"""Arithmetic: + - * / ** and negation, broadcasting like NumPy.

Each op's VJP sits under its forward; the engine sums gradients back to broadcast shapes.
"""

from __future__ import annotations

import numbers

import numpy as np

from ..extend import Op, ShapeError, Tensor, apply, dual, export, raw, wrap
from ..promotion import default_dtype, result_type
from .shape import cast
from .unary import reciprocal

TITLE = "arithmetic"  # the family's name in the README op table


def _operands(x, y, true_divide=False):
    """x and y as Tensors of their common dtype under PyTorch's promotion (see ``promotion``)."""
    if isinstance(x, Tensor) and isinstance(y, Tensor) and x.array.dtype == y.array.dtype:
        if not true_divide or x.array.dtype.kind == "f":
            return x, y  # the common case: nothing to promote
    x, y = (v if isinstance(v, (Tensor, numbers.Number, np.ndarray)) else Tensor(v) for v in (x, y))
    dtype = result_type(raw(x), raw(y))
    if true_divide and dtype.kind != "f":
        dtype = default_dtype()  # int / int is a float, as PyTorch
    return _as(x, dtype), _as(y, dtype)


def _as(v, dtype):
    if not isinstance(v, Tensor):
        return wrap(np.asarray(v, dtype=dtype))
    # NOTE: a recorded cast, so the gradient of a float input comes back in its own dtype.
    return v if v.array.dtype == dtype else cast(v, dtype)


def _with_number(x, c):
    """``x`` converted for ``x op c``, c a number: an integer or bool tensor with a float becomes the
    default float dtype, a bool one with an integer int64 (NumPy's rules give float64 and int64)."""
    kind = x.array.dtype.kind
    if kind == "f" or kind in "iu" and isinstance(c, int):  # c is never a bool here (see _number)
        return x
    return _as(x, result_type(x.array, c))


def _number(v):
    """True for a plain Python/NumPy real number (not bool) or a 0-d numeric array: a constant in ctx."""
    if v.__class__ is float or v.__class__ is int:
        return True  # NOTE: the common case first; the ABC isinstance below costs ~0.4 µs
    if isinstance(v, np.ndarray):
        return v.ndim == 0 and v.dtype.kind in "fiu"
    return isinstance(v, numbers.Real) and not isinstance(v, (bool, np.bool_))


def _with_scalar(ufunc, a, c):
    """``ufunc(a, c)`` for an array and a number."""
    if a.dtype.char == "e":
        # NOTE: PyTorch computes float16 with a number in float32, the number not rounded to
        # float16 first (NumPy would round it: float16 x * 0.001 would differ in the last bit).
        return ufunc(a.astype(np.float32), c).astype(np.float16)
    return ufunc(a, c)


def _is_bool(v):
    return isinstance(v, (bool, np.bool_)) or isinstance(v, (Tensor, np.ndarray)) and raw(v).dtype.kind == "b"


def _py(v):
    # A Python scalar is weakly typed (NEP 50): float32 * 2.0 stays float32, where
    # float32 * np.float64(2.0) would become float64. A 0-d array is a scalar too, as in PyTorch.
    return v.item() if isinstance(v, (np.generic, np.ndarray)) else v


def _broadcast_error(name, x, y):
    return ShapeError(f"{name}: shapes {x.shape} and {y.shape} cannot be broadcast together")


@export(methods=("add", "__add__", ("__radd__", lambda self, other: add(other, self))))
def add(x, y):
    """x + y."""
    if isinstance(x, Tensor) and _number(y):
        y = _py(y)
        x = _with_number(x, y)
        return apply(ADD_NUMBER, _with_scalar(np.add, x.array, y), (x,), y)
    if isinstance(y, Tensor) and _number(x):
        x = _py(x)
        y = _with_number(y, x)
        return apply(ADD_NUMBER, _with_scalar(np.add, y.array, x), (y,), x)
    x, y = _operands(x, y)
    try:
        data = x.array + y.array
    except ValueError:
        raise _broadcast_error("add", x, y) from None
    return apply(ADD, data, (x, y))


ADD = Op(
    "add",
    (lambda g, ctx, out, x, y: g, lambda g, ctx, out, x, y: g),
    broadcasts=True,
    keeps_shape=False,
    rule="∂L/∂x = g,  ∂L/∂y = g",
)


@export(methods=("sub", "__sub__", ("__rsub__", lambda self, other: sub(other, self))))
def sub(x, y):
    """x - y."""
    if _is_bool(x) or _is_bool(y):
        raise RuntimeError(
            "sub: subtraction, the `-` operator, with a bool tensor is not supported (as in PyTorch); "
            "to invert a mask use `~` or logical_not()"
        )
    if isinstance(x, Tensor) and _number(y):
        y = _py(y)
        x = _with_number(x, y)
        return apply(ADD_NUMBER, _with_scalar(np.subtract, x.array, y), (x,), -y)
    x, y = _operands(x, y)
    try:
        data = x.array - y.array
    except ValueError:
        raise _broadcast_error("sub", x, y) from None
    return apply(SUB, data, (x, y))


SUB = Op(
    "sub",
    (lambda g, ctx, out, x, y: g, lambda g, ctx, out, x, y: -g),
    broadcasts=True,
    keeps_shape=False,
    rule="∂L/∂x = g,  ∂L/∂y = −g",
)


@export(methods=("mul", "__mul__", ("__rmul__", lambda self, other: mul(other, self))))
def mul(x, y):
    """x * y, elementwise."""
    if isinstance(x, Tensor) and _number(y):
        y = _py(y)
        x = _with_number(x, y)
        return apply(MUL_NUMBER, _with_scalar(np.multiply, x.array, y), (x,), y)
    if isinstance(y, Tensor) and _number(x):
        x = _py(x)
        y = _with_number(y, x)
        return apply(MUL_NUMBER, _with_scalar(np.multiply, y.array, x), (y,), x)
    x, y = _operands(x, y)
    try:
        data = x.array * y.array
    except ValueError:
        raise _broadcast_error("mul", x, y) from None
    return apply(MUL, data, (x, y))


MUL = Op(
    "mul",
    (lambda g, ctx, out, x, y: g * y, lambda g, ctx, out, x, y: g * x),
    saves=(0, 1),
    broadcasts=True,
    keeps_shape=False,
    rule="∂L/∂x = g ⊙ y,  ∂L/∂y = g ⊙ x",
)


def _div_method(self, other, *, rounding_mode=None):
    return div(self, other, rounding_mode=rounding_mode)


def _rtruediv(self, other):
    # NOTE: PyTorch computes number / tensor as reciprocal(tensor) * number; so do we, for its bits.
    if not _number(other):
        return div(other, self)
    x = self if self.array.dtype.kind == "f" else _as(self, default_dtype())
    return mul(reciprocal(x), other)


@export(methods=(("div", _div_method), "__truediv__", ("__rtruediv__", _rtruediv)))
def div(x, y, *, rounding_mode=None):
    """x / y, elementwise; ``rounding_mode`` "trunc" or "floor" rounds the quotient (no gradient, as PyTorch's is 0)."""
    if rounding_mode is not None:
        return _rounded_div(x, y, rounding_mode)
    if isinstance(x, Tensor) and _number(y):
        y = _py(y)
        if x.array.dtype.kind != "f":
            x = _as(x, default_dtype())
        return apply(DIV_NUMBER, _with_scalar(np.true_divide, x.array, y), (x,), y)
    x, y = _operands(x, y, true_divide=True)
    try:
        data = x.array / y.array
    except ValueError:
        raise _broadcast_error("div", x, y) from None
    return apply(DIV, data, (x, y))


def _rounded_div(x, y, mode):
    """x / y rounded toward zero ("trunc") or down ("floor", Python's //), in the promoted dtype."""
    if mode not in ("trunc", "floor"):
        raise ValueError(f"div: rounding_mode must be None, 'trunc' or 'floor', got {mode!r}")
    dtype = result_type(raw(x), raw(y))
    # float16 is computed in float32 (numbers unrounded) and rounded once, as PyTorch does.
    work = np.dtype(np.float32) if dtype.char == "e" else dtype
    a, b = (np.asarray(raw(v), dtype=work) for v in (x, y))
    with np.errstate(divide="ignore", invalid="ignore"):
        if mode == "floor":
            return wrap(np.asarray(np.floor_divide(a, b)).astype(dtype, copy=False))
        if a.dtype.kind == "f":
            return wrap(np.asarray(np.trunc(a / b)).astype(dtype, copy=False))
        q = np.floor_divide(a, b)
        # integer truncation: floor division is one too low where the quotient is negative and inexact
        return wrap(np.asarray(q + ((np.remainder(a, b) != 0) & ((a < 0) != (b < 0))), dtype=q.dtype))


DIV = Op(
    "div",
    (lambda g, ctx, out, x, y: g / y, lambda g, ctx, out, x, y: -g * out / y),
    saves=(1,),
    saves_out=True,
    broadcasts=True,
    keeps_shape=False,
    rule="∂L/∂x = g / y,  ∂L/∂y = −g ⊙ x / y²",
)


@export(methods=("neg", "__neg__"))
def neg(x):
    """−x."""
    return apply(NEG, -x.array, (x,))


NEG = Op("neg", (lambda g, ctx, out, x: -g,), keeps_shape=True, rule="∂L/∂x = −g")


# NOTE: a Python number operand is a constant of the op (kept in ctx), not a Tensor input: no
# wrapper is made, nothing is saved, and the node stays small (x * 2, x / n, x + 1 are common).
def _describe_number(c):
    return f"{c:g}"


ADD_NUMBER = Op("add", (lambda g, c, out, x: g,), keeps_shape=True, describe=_describe_number, rule="∂L/∂x = g")
MUL_NUMBER = Op("mul", (lambda g, c, out, x: g * c,), keeps_shape=True, describe=_describe_number, rule="∂L/∂x = c·g")
DIV_NUMBER = Op("div", (lambda g, c, out, x: g / c,), keeps_shape=True, describe=_describe_number, rule="∂L/∂x = g / c")


@export(methods=("pow", "__pow__", ("__rpow__", lambda self, other: pow(other, self))))
def pow(x, y):
    """x ** y. A Python-number exponent is a constant of the op (the common x ** 2)."""
    if isinstance(x, Tensor) and _number(y):
        y = _py(y)
        x = _with_number(x, y)
        _check_integer_power(x.array, y)
        with np.errstate(divide="ignore", invalid="ignore"):
            data = x.array**y
        return apply(POW_CONST, data, (x,), y)
    if isinstance(x, Tensor) and x.dtype.kind == "b" and isinstance(y, (bool, np.bool_)):
        return x.clone() if y else wrap(np.ones(x.shape, dtype=bool))  # PyTorch's bool ** True/False
    x, y = _operands(x, y)
    if x.array.dtype.kind == "b":
        raise TypeError("pow: bool ** bool has no meaning (as in PyTorch); convert with .int() or .float() first")
    try:
        with np.errstate(divide="ignore", invalid="ignore"):
            data = _integer_power(x.array, y.array) if x.array.dtype.kind in "iu" else x.array**y.array
    except ValueError:
        raise _broadcast_error("pow", x, y) from None
    return apply(POW, data, (x, y))


def _check_integer_power(a, c):
    if a.dtype.kind in "iu" and isinstance(c, int) and c < 0:
        raise RuntimeError("pow: integers to negative integer powers are not allowed (as in PyTorch); use floats")


def _integer_power(a, b):
    """a ** b for integer arrays, negative exponents as PyTorch: 1 and −1 to their powers, others 0."""
    negative = b < 0
    if not np.any(negative):
        return a**b
    positive = a ** np.where(negative, 0, b)
    odd = np.where(b % 2 == 1, -1, 1).astype(a.dtype)
    return np.where(negative, np.where(a == 1, 1, np.where(a == -1, odd, 0)).astype(a.dtype), positive)


def _pow_const_vjp(g, c, out, x):
    if c == 0:
        return g * 0.0
    if isinstance(x, float):  # a Scalar: Python's ** gives a complex number for (−8.0) ** (1/3 − 1)
        with np.errstate(all="ignore"):
            return g * float(c * np.float64(x) ** (c - 1))
    return g * (c * x ** (c - 1))


POW_CONST = Op(
    "pow",
    (_pow_const_vjp,),
    saves=(0,),
    keeps_shape=True,
    describe=lambda c: f"c={c:g}",
    rule="∂L/∂x = g ⊙ c·x^(c−1)",
)


def _pow_vjp_base(g, ctx, out, x, y):
    # PyTorch's convention: where the exponent is 0 the gradient is 0 (not 0·x⁻¹, NaN at x = 0).
    with np.errstate(divide="ignore", invalid="ignore"):
        return dual.where(dual.raw(y) == 0, 0.0, g * (y * x ** (y - 1)))


def _pow_vjp_exponent(g, ctx, out, x, y):
    # ∂(xʸ)/∂y = xʸ ln x, as PyTorch: NaN for a negative base (no real log), and 0 at x = 0 with
    # y ≥ 0 (where xʸ ln x → 0); at x = 0 with y < 0 it is −∞.
    xr = dual.raw(x)
    zero_limit = (xr == 0) & (dual.raw(y) >= 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return dual.where(zero_limit, 0.0, g * (out * dual.log(x)))


POW = Op(
    "pow",
    (_pow_vjp_base, _pow_vjp_exponent),
    saves=(0, 1),
    saves_out=True,
    broadcasts=True,
    keeps_shape=False,
    rule="∂L/∂x = g ⊙ y·x^(y−1),  ∂L/∂y = g ⊙ xʸ ln x",
)


@export
def addcmul(input, tensor1, tensor2, *, value=1):
    """input + value · tensor1 ⊙ tensor2 (an optimizer's update in one call)."""
    return add(input, mul(mul(tensor1, tensor2), value))


@export
def addcdiv(input, tensor1, tensor2, *, value=1):
    """input + value · tensor1 ⊘ tensor2."""
    return add(input, mul(div(tensor1, tensor2), value))
