"""Arithmetic: + - * / ** and negation, broadcasting like NumPy.

Each op's VJP sits under its forward; the engine sums gradients back to broadcast shapes.
"""

from __future__ import annotations

import numbers

import numpy as np

from ..extend import Op, ShapeError, Tensor, apply, as_tensor, dual, export

TITLE = "arithmetic"  # the family's name in the README op table


def _operands(x, y):
    if not isinstance(x, Tensor):
        x = as_tensor(x, like=y)
    if not isinstance(y, Tensor):
        y = as_tensor(y, like=x)
    return x, y


def _number(v):
    """True for a plain Python/NumPy real number (not bool) or a 0-d numeric array: a constant in ctx."""
    if isinstance(v, np.ndarray):
        return v.ndim == 0 and v.dtype.kind in "fiu"
    return isinstance(v, numbers.Real) and not isinstance(v, (bool, np.bool_))


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
        return apply(ADD_NUMBER, x.array + y, (x,), y)
    if isinstance(y, Tensor) and _number(x):
        x = _py(x)
        return apply(ADD_NUMBER, x + y.array, (y,), x)
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
    if isinstance(x, Tensor) and _number(y):
        y = _py(y)
        return apply(ADD_NUMBER, x.array - y, (x,), -y)
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
        return apply(MUL_NUMBER, x.array * y, (x,), y)
    if isinstance(y, Tensor) and _number(x):
        x = _py(x)
        return apply(MUL_NUMBER, x * y.array, (y,), x)
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


@export(methods=("div", "__truediv__", ("__rtruediv__", lambda self, other: div(other, self))))
def div(x, y):
    """x / y, elementwise."""
    if isinstance(x, Tensor) and _number(y):
        y = _py(y)
        return apply(DIV_NUMBER, x.array / y, (x,), y)
    x, y = _operands(x, y)
    try:
        data = x.array / y.array
    except ValueError:
        raise _broadcast_error("div", x, y) from None
    return apply(DIV, data, (x, y))


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
        with np.errstate(divide="ignore", invalid="ignore"):
            data = x.array**y
        return apply(POW_CONST, data, (x,), y)
    x, y = _operands(x, y)
    try:
        with np.errstate(divide="ignore", invalid="ignore"):
            data = x.array**y.array
    except ValueError:
        raise _broadcast_error("pow", x, y) from None
    return apply(POW, data, (x, y))


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
