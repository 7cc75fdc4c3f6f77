"""Comparisons, logic and bits: eq ne lt le gt ge (== != < <= > >=), logical_and/or/xor/not,
bitwise_and/or/xor/not and the operators & | ^ ~.

None of them is differentiable: each gives a bool or integer tensor outside the graph (as
PyTorch), so they record nothing and have no Op.
"""

from __future__ import annotations

import numpy as np

from ..extend import export, raw, wrap
from ..promotion import default_dtype, result_type

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
    """``input op other`` in PyTorch's promoted dtype: a float32 tensor against a 0-d float64 one
    compares in float32, an int64 tensor against 2.5 in float32 (NumPy would use float64)."""
    a, b = (v.item() if isinstance(v, np.generic) else v for v in (raw(input), raw(other)))
    arrays = [v for v in (a, b) if isinstance(v, np.ndarray)]
    if len(arrays) == 2 and a.dtype != b.dtype:
        d = result_type(a, b)
        a, b = a.astype(d, copy=False), b.astype(d, copy=False)
    elif len(arrays) == 1 and isinstance(a if arrays[0] is b else b, float) and arrays[0].dtype.kind in "biu":
        a, b = (np.asarray(v, dtype=default_dtype()) if isinstance(v, np.ndarray) else v for v in (a, b))
    return wrap(np.asarray(ufunc(a, b)))


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
