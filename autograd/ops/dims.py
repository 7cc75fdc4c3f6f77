"""The ``dim`` argument of reductions and shape ops, checked and normalized once."""

from __future__ import annotations

import numpy as np

__all__ = ["normalize_dims", "reduced_shape"]


def normalize_dims(dim, ndim, name="reduction"):
    """``dim`` as a sorted tuple of non-negative axes (None = every axis)."""
    if dim is None:
        return tuple(range(ndim))
    if dim.__class__ is int and 0 <= dim < ndim:
        return (dim,)
    dims = (dim,) if isinstance(dim, (int, np.integer)) else tuple(dim)
    out = []
    lo, hi = (-ndim, ndim - 1) if ndim > 0 else (-1, 0)
    for d in dims:
        d = int(d)
        if not lo <= d <= hi:
            raise IndexError(f"{name}: dimension out of range (expected to be in range of [{lo}, {hi}], but got {d})")
        out.append(d % ndim if ndim > 0 else 0)
    if len(set(out)) != len(out):
        raise ValueError(f"{name}: dimension {dims} appears more than once")
    return tuple(sorted(out))


def reduced_shape(shape, dims):
    """``shape`` with the reduced ``dims`` kept as size 1 (the keepdim shape)."""
    return tuple(1 if i in dims else n for i, n in enumerate(shape))
