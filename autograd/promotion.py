"""PyTorch's type promotion: the default float dtype, and the dtype of a binary op's result.

PyTorch ranks operands in three groups: tensors with dims, 0-d tensors, and Python numbers
("wrapped numbers"). A lower group changes the result only when its category (bool < integer <
float) is higher: float32 [2] * float64 0-d is float32, int64 [2] * 2.5 is the default float
dtype (float32, not NumPy's float64), int64 [2] * 0-d float64 is float64, bool + 1 is int64.
Within a category dtypes promote as PyTorch's table does (an integer with a float is that float:
int32 with float16 is float16, where NumPy says float64).
"""

from __future__ import annotations

import numbers

import numpy as np

__all__ = ["set_default_dtype", "get_default_dtype", "default_dtype", "promote_types", "result_type", "number_dtype"]

_FLOATS = (np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64))
_INT64 = np.dtype(np.int64)
_BOOL = np.dtype(np.bool_)
_default = [np.dtype(np.float32)]  # a list: set_default_dtype changes it in place


def set_default_dtype(dtype) -> None:
    """Set the dtype that Python floats become (float32 unless changed; float64 for gradcheck)."""
    d = np.dtype(dtype)
    if d not in _FLOATS:
        raise TypeError(f"default dtype must be a floating point type, got {d}")
    _default[0] = d


def get_default_dtype():
    """The dtype Python floats become."""
    return _default[0].type


def default_dtype(dtype=None):
    """``dtype`` as a NumPy dtype, or the default float dtype when it is None."""
    return _default[0] if dtype is None else np.dtype(dtype)


def promote_types(a, b):
    """PyTorch's promotion of two dtypes: NumPy's, except that an integer or bool with a float is that float."""
    if a == b:
        return a
    if a.kind == "f" and b.kind != "f":
        return a
    if b.kind == "f" and a.kind != "f":
        return b
    return np.promote_types(a, b)


def number_dtype(v):
    """The dtype a Python (or NumPy scalar) number takes in promotion: bool, int64 or the default float."""
    if isinstance(v, (bool, np.bool_)):
        return _BOOL
    if isinstance(v, numbers.Integral):
        return _INT64
    return _default[0]


def _category(d):
    return 0 if d is None else 1 if d.kind == "b" else 2 if d.kind in "iu" else 3


def _combine(higher, lower):
    """The result of a higher-ranked group's dtype with a lower one (PyTorch's combine_categories)."""
    if higher is None:
        return lower
    if lower is None or _category(higher) >= _category(lower):
        return higher
    if higher.kind == "b" or lower.kind == "f":
        return promote_types(higher, lower)
    return higher


def result_type(x, y):
    """The dtype of ``x op y`` for ``x``, ``y`` each an ndarray (a tensor's data) or a number."""
    groups = [None, None, None]  # dimensioned, 0-d, numbers
    for v in (x, y):
        if isinstance(v, np.ndarray):
            g, d = (0 if v.ndim else 1), v.dtype
        else:
            g, d = 2, number_dtype(v)
        groups[g] = d if groups[g] is None else promote_types(groups[g], d)
    return _combine(groups[0], _combine(groups[1], groups[2]))
