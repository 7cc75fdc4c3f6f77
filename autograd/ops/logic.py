"""Comparisons, logic and bits: eq ne lt le gt ge (== != < <= > >=), logical_and/or/xor/not,
bitwise_and/or/xor/not and the operators & | ^ ~.

None of them is differentiable: each gives a bool or integer tensor outside the graph (as
PyTorch), so they record nothing and have no Op.
"""

from __future__ import annotations

import numpy as np

from ..extend import export, raw, wrap

TITLE = "logic and bits (no gradient)"  # the family's name in the README op table


def _data(v):
    return np.asarray(raw(v))


def _integral(name, *vs):
    """The arrays of ``vs``, refused unless they hold integers or bools (as PyTorch)."""
    arrays = [_data(v) for v in vs]
    for a in arrays:
        if a.dtype.kind not in "biu":
            raise TypeError(f"{name}: needs integer or bool tensors, got {a.dtype}")
    return arrays


def _compare(ufunc, input, other):
    return wrap(np.asarray(ufunc(_data(input), _data(other))))


@export(methods=("eq", "__eq__"))
def eq(input, other):
    """x = y elementwise (a bool tensor)."""
    return _compare(np.equal, input, other)


@export(methods=("ne", "__ne__"))
def ne(input, other):
    """x ≠ y elementwise (a bool tensor)."""
    return _compare(np.not_equal, input, other)


@export(methods=("lt", "__lt__"))
def lt(input, other):
    """x < y elementwise (a bool tensor); ``number < x`` is Python's reflected ``x > number``."""
    return _compare(np.less, input, other)


@export(methods=("le", "__le__"))
def le(input, other):
    """x ≤ y elementwise (a bool tensor)."""
    return _compare(np.less_equal, input, other)


@export(methods=("gt", "__gt__"))
def gt(input, other):
    """x > y elementwise (a bool tensor)."""
    return _compare(np.greater, input, other)


@export(methods=("ge", "__ge__"))
def ge(input, other):
    """x ≥ y elementwise (a bool tensor)."""
    return _compare(np.greater_equal, input, other)


@export
def logical_and(input, other):
    """x ∧ y, entries taken as true where nonzero (a bool tensor)."""
    return wrap(np.logical_and(_data(input), _data(other)))


@export
def logical_or(input, other):
    """x ∨ y, entries taken as true where nonzero (a bool tensor)."""
    return wrap(np.logical_or(_data(input), _data(other)))


@export
def logical_xor(input, other):
    """x ⊻ y, entries taken as true where nonzero (a bool tensor)."""
    return wrap(np.logical_xor(_data(input), _data(other)))


@export
def logical_not(input):
    """¬x, entries taken as true where nonzero (a bool tensor)."""
    return wrap(np.logical_not(_data(input)))


@export(methods=("bitwise_and", "__and__", ("__rand__", lambda self, other: bitwise_and(other, self))))
def bitwise_and(input, other):
    """x & y on integer or bool tensors."""
    return wrap(np.bitwise_and(*_integral("bitwise_and", input, other)))


@export(methods=("bitwise_or", "__or__", ("__ror__", lambda self, other: bitwise_or(other, self))))
def bitwise_or(input, other):
    """x | y on integer or bool tensors."""
    return wrap(np.bitwise_or(*_integral("bitwise_or", input, other)))


@export(methods=("bitwise_xor", "__xor__", ("__rxor__", lambda self, other: bitwise_xor(other, self))))
def bitwise_xor(input, other):
    """x ^ y on integer or bool tensors."""
    return wrap(np.bitwise_xor(*_integral("bitwise_xor", input, other)))


@export(methods=("bitwise_not", "__invert__"))
def bitwise_not(input):
    """~x on an integer or bool tensor (logical not for bools)."""
    return wrap(np.invert(*_integral("bitwise_not", input)))


@export
def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """|x − y| ≤ atol + rtol·|y| elementwise (a bool tensor)."""
    return wrap(np.asarray(np.isclose(_data(input), _data(other), rtol=rtol, atol=atol, equal_nan=equal_nan)))


@export
def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """Whether every entry is close (``isclose``): a Python bool."""
    return bool(np.allclose(_data(input), _data(other), rtol=rtol, atol=atol, equal_nan=equal_nan))


@export
def equal(input, other):
    """Whether both have the same shape and the same entries: a Python bool."""
    a, b = _data(input), _data(other)
    return a.shape == b.shape and bool(np.array_equal(a, b))


@export
def signbit(input):
    """Where the sign bit is set (−0.0 and negative numbers; a bool tensor)."""
    return wrap(np.asarray(np.signbit(_data(input))))


@export
def heaviside(input, values):
    """0 where x < 0, 1 where x > 0 and ``values`` where x = 0 (no gradient, as PyTorch)."""
    return wrap(np.asarray(np.heaviside(_data(input), _data(values))))
