"""Making tensors: ``tensor``, ``zeros``, ``randn``, ``arange``..., and the seeded generator."""

from __future__ import annotations

import numbers

import numpy as np

from .tensor import Tensor, default_dtype, shape_arg

__all__ = [
    "tensor",
    "zeros",
    "ones",
    "full",
    "zeros_like",
    "ones_like",
    "manual_seed",
    "default_generator",
    "randn",
    "rand",
    "arange",
    "linspace",
    "eye",
]


def tensor(data, requires_grad=False, dtype=None, name=None):
    """A new leaf Tensor holding a copy of ``data``."""
    return Tensor(data, requires_grad=requires_grad, dtype=dtype, name=name)


def zeros(*shape_, dtype=None, requires_grad=False):
    """A tensor of zeros of the given shape."""
    return Tensor(np.zeros(shape_arg(shape_), dtype=default_dtype(dtype)), requires_grad=requires_grad)


def ones(*shape_, dtype=None, requires_grad=False):
    """A tensor of ones of the given shape."""
    return Tensor(np.ones(shape_arg(shape_), dtype=default_dtype(dtype)), requires_grad=requires_grad)


def full(shape_, fill_value, dtype=None, requires_grad=False):
    """A tensor of ``shape`` filled with ``fill_value`` (its dtype follows the value, as PyTorch)."""
    if dtype is None and isinstance(fill_value, (bool, np.bool_)):
        dtype = np.bool_
    elif dtype is None and isinstance(fill_value, numbers.Integral):
        dtype = np.int64
    return Tensor(
        np.full(tuple(shape_) if not isinstance(shape_, int) else (shape_,), fill_value, dtype=default_dtype(dtype)),
        requires_grad=requires_grad,
    )


def zeros_like(t, dtype=None, requires_grad=False):
    """Zeros of ``t``'s shape (and dtype, unless given)."""
    return Tensor(np.zeros(t.shape, dtype=dtype or t.dtype), requires_grad=requires_grad)


def ones_like(t, dtype=None, requires_grad=False):
    """Ones of ``t``'s shape (and dtype, unless given)."""
    return Tensor(np.ones(t.shape, dtype=dtype or t.dtype), requires_grad=requires_grad)


_rng = np.random.default_rng()


def manual_seed(seed: int):
    """Seed the generator behind ``randn``/``rand`` (and everything in nn that draws from it)."""
    global _rng
    _rng = np.random.default_rng(seed)
    return _rng


def default_generator():
    """The NumPy Generator behind ``randn``/``rand``."""
    return _rng


def randn(*shape_, dtype=None, requires_grad=False, generator=None):
    """Standard normal samples from the seeded generator (or ``generator``)."""
    rng = generator or _rng
    return Tensor(rng.standard_normal(shape_arg(shape_)).astype(default_dtype(dtype)), requires_grad=requires_grad)


def rand(*shape_, dtype=None, requires_grad=False, generator=None):
    """Uniform samples in [0, 1) from the seeded generator (or ``generator``)."""
    rng = generator or _rng
    return Tensor(rng.random(shape_arg(shape_)).astype(default_dtype(dtype)), requires_grad=requires_grad)


def arange(start, end=None, step=1, dtype=None, requires_grad=False):
    """Values from ``start`` to ``end`` (exclusive) by ``step``; int64 for integer arguments."""
    if end is None:
        start, end = 0, start
    if dtype is None:
        ints = all(isinstance(v, numbers.Integral) for v in (start, end, step))
        dtype = np.int64 if ints else default_dtype()
    return Tensor(np.arange(start, end, step, dtype=np.dtype(dtype)), requires_grad=requires_grad)


def linspace(start, end, steps, dtype=None, requires_grad=False):
    """``steps`` evenly spaced values from ``start`` to ``end`` (inclusive)."""
    return Tensor(np.linspace(start, end, steps, dtype=default_dtype(dtype)), requires_grad=requires_grad)


def eye(n, m=None, dtype=None, requires_grad=False):
    """The n×m identity matrix."""
    return Tensor(np.eye(n, m, dtype=default_dtype(dtype)), requires_grad=requires_grad)
