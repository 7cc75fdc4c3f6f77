"""Making tensors: ``tensor``, ``zeros``, ``randn``, ``arange``..., and the seeded generator.

Signatures and dtype rules are PyTorch's: a size is varargs or one tuple; integer arguments give
int64, bool ones bool, Python floats the default float dtype (float32); ``device=`` may only name
the CPU; ``generator=`` is a NumPy ``Generator`` (the seeded one by default).
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from .device import check_device
from .tensor import Tensor, default_dtype, shape_arg, wrap

__all__ = [
    "multinomial",
    "bernoulli",
    "normal",
    "Generator",
    "tensor",
    "zeros",
    "ones",
    "full",
    "empty",
    "zeros_like",
    "ones_like",
    "full_like",
    "empty_like",
    "manual_seed",
    "default_generator",
    "randn",
    "rand",
    "randint",
    "randn_like",
    "rand_like",
    "randint_like",
    "randperm",
    "arange",
    "linspace",
    "logspace",
    "eye",
    "from_numpy",
    "is_tensor",
    "is_floating_point",
    "numel",
]


def _new(array, requires_grad, device):
    check_device(device)
    return Tensor(array, requires_grad=requires_grad)


def tensor(data, *, dtype=None, device=None, requires_grad=False, name=None):
    """A new leaf Tensor holding a copy of ``data`` (ints → int64, bools → bool, floats → float32)."""
    check_device(device)
    return Tensor(data, requires_grad=requires_grad, dtype=dtype, name=name)


def zeros(*size, dtype=None, device=None, requires_grad=False):
    """A tensor of zeros of the given size (the default float dtype unless ``dtype``)."""
    return _new(np.zeros(shape_arg(size), dtype=default_dtype(dtype)), requires_grad, device)


def ones(*size, dtype=None, device=None, requires_grad=False):
    """A tensor of ones of the given size."""
    return _new(np.ones(shape_arg(size), dtype=default_dtype(dtype)), requires_grad, device)


def empty(*size, dtype=None, device=None, requires_grad=False):
    """A tensor of the given size; NOTE: filled with zeros (PyTorch leaves it uninitialized)."""
    return zeros(*size, dtype=dtype, device=device, requires_grad=requires_grad)


def _value_dtype(value):
    """The dtype PyTorch gives a tensor made from the Python number ``value``."""
    if isinstance(value, (bool, np.bool_)):
        return np.dtype(np.bool_)
    if isinstance(value, numbers.Integral):
        return np.dtype(np.int64)
    if isinstance(value, np.generic):
        return value.dtype
    return default_dtype()


def full(size, fill_value, dtype=None, device=None, requires_grad=False):
    """A tensor of ``size`` filled with ``fill_value`` (its dtype follows the value, as PyTorch 2)."""
    shape = (size,) if isinstance(size, numbers.Integral) else tuple(size)
    dtype = _value_dtype(fill_value) if dtype is None else np.dtype(dtype)
    return _new(np.full(shape, fill_value, dtype=dtype), requires_grad, device)


def zeros_like(input, dtype=None, device=None, requires_grad=False):
    """Zeros of ``input``'s shape (and dtype, unless given)."""
    return _new(np.zeros(input.shape, dtype=dtype or input.dtype), requires_grad, device)


def ones_like(input, dtype=None, device=None, requires_grad=False):
    """Ones of ``input``'s shape (and dtype, unless given)."""
    return _new(np.ones(input.shape, dtype=dtype or input.dtype), requires_grad, device)


def empty_like(input, dtype=None, device=None, requires_grad=False):
    """A tensor of ``input``'s shape and dtype; NOTE: zeros (PyTorch leaves it uninitialized)."""
    return zeros_like(input, dtype=dtype, device=device, requires_grad=requires_grad)


def full_like(input, fill_value, dtype=None, device=None, requires_grad=False):
    """``fill_value`` in ``input``'s shape (and dtype, unless given)."""
    return _new(np.full(input.shape, fill_value, dtype=dtype or input.dtype), requires_grad, device)


_rng = np.random.default_rng()


def manual_seed(seed: int):
    """Seed the generator behind ``randn``/``rand`` (and everything in nn that draws from it)."""
    global _rng
    _rng = np.random.default_rng(seed)
    return _rng


class Generator:
    """PyTorch's ``torch.Generator``: a seedable source of random numbers to pass as ``generator=``.

    It is a NumPy Generator underneath (every draw is delegated to it), so anything that takes a
    NumPy Generator takes it too. ``manual_seed(n)`` reseeds it and returns it, as PyTorch's does.
    """

    def __init__(self, device="cpu"):
        check_device(device)
        self.seed = None
        self.numpy = np.random.default_rng()

    def manual_seed(self, seed):
        """Reseed with ``seed``; returns this generator."""
        self.seed = int(seed)
        self.numpy = np.random.default_rng(self.seed)
        return self

    def initial_seed(self):
        """The seed last given to ``manual_seed`` (None if never seeded)."""
        return self.seed

    def __getattr__(self, name):  # only for names not found on the object: the NumPy draws
        if name == "numpy":
            raise AttributeError(name)
        return getattr(self.numpy, name)


def default_generator():
    """The NumPy Generator behind ``randn``/``rand``."""
    return _rng


def randn(*size, dtype=None, device=None, requires_grad=False, generator=None):
    """Standard normal samples from the seeded generator (or ``generator``)."""
    rng = generator or _rng
    return _new(rng.standard_normal(shape_arg(size)).astype(default_dtype(dtype)), requires_grad, device)


def rand(*size, dtype=None, device=None, requires_grad=False, generator=None):
    """Uniform samples in [0, 1) from the seeded generator (or ``generator``)."""
    rng = generator or _rng
    return _new(rng.random(shape_arg(size)).astype(default_dtype(dtype)), requires_grad, device)


def randn_like(input, dtype=None, device=None, requires_grad=False, generator=None):
    """Standard normal samples of ``input``'s shape (and dtype, unless given)."""
    dtype = dtype or input.dtype
    return randn(input.shape, dtype=dtype, device=device, requires_grad=requires_grad, generator=generator)


def rand_like(input, dtype=None, device=None, requires_grad=False, generator=None):
    """Uniform samples in [0, 1) of ``input``'s shape (and dtype, unless given)."""
    dtype = dtype or input.dtype
    return rand(input.shape, dtype=dtype, device=device, requires_grad=requires_grad, generator=generator)


def randint(low, high=None, size=None, *, generator=None, dtype=None, device=None, requires_grad=False):
    """Integers uniform in [low, high) (``randint(high, size)`` or ``randint(low, high, size)``), int64."""
    if size is None:
        low, high, size = 0, low, high
    if size is None:
        raise TypeError("randint() needs a size, e.g. randint(10, (3,)) or randint(0, 10, (3,))")
    rng = generator or _rng
    data = rng.integers(low, high, size=shape_arg((size,))).astype(np.int64 if dtype is None else dtype)
    return _new(data, requires_grad, device)


def randint_like(input, low=0, high=None, *, dtype=None, device=None, requires_grad=False, generator=None):
    """Integers uniform in [low, high) of ``input``'s shape (and dtype, unless given)."""
    if high is None:
        low, high = 0, low
    dtype = dtype or input.dtype
    return randint(low, high, input.shape, generator=generator, dtype=dtype, device=device, requires_grad=requires_grad)


def randperm(n, *, generator=None, dtype=None, device=None, requires_grad=False):
    """A random permutation of 0..n−1 (int64)."""
    rng = generator or _rng
    return _new(rng.permutation(n).astype(np.int64 if dtype is None else dtype), requires_grad, device)


def multinomial(input, num_samples, replacement=False, *, generator=None):
    """Draw ``num_samples`` indices per row of the weights ``input`` (1-D or 2-D, ≥ 0, any scale),
    with or without replacement: int64 (num_samples,) or (rows, num_samples). No gradient."""
    w = np.asarray(input.array if isinstance(input, Tensor) else input, dtype=np.float64)
    if w.ndim not in (1, 2) or w.shape[-1] == 0:
        raise ValueError(f"multinomial: expected 1-D or 2-D weights with at least one category, got shape {w.shape}")
    if np.any(w < 0) or not np.all(np.isfinite(w)):
        raise ValueError("multinomial: the weights must be finite and non-negative")
    rows = w.reshape(-1, w.shape[-1])
    if np.any(rows.sum(1) <= 0):
        raise ValueError("multinomial: every row of weights needs a positive sum")
    if not replacement and num_samples > np.min(np.count_nonzero(rows, axis=1)):
        raise ValueError(
            f"multinomial: cannot draw {num_samples} samples without replacement from "
            f"{int(np.min(np.count_nonzero(rows, axis=1)))} categories of nonzero weight"
        )
    rng = generator or _rng
    picks = [rng.choice(len(r), size=num_samples, replace=replacement, p=r / r.sum()) for r in rows]
    out = np.asarray(picks, dtype=np.int64).reshape(w.shape[:-1] + (num_samples,))
    return wrap(out)


def bernoulli(input, p=None, *, generator=None):
    """1 with probability ``input`` (or ``p``) entry by entry, else 0, in input's dtype. No gradient."""
    probs = np.asarray(input.array if isinstance(input, Tensor) else input)
    q = probs if p is None else np.full(probs.shape, p)
    if np.any((q < 0) | (q > 1)):
        raise ValueError("bernoulli: probabilities must lie in [0, 1]")
    rng = generator or _rng
    dtype = probs.dtype if probs.dtype.kind == "f" else default_dtype()
    return wrap((rng.random(probs.shape) < q).astype(dtype))


def normal(mean, std=1.0, size=None, *, generator=None, dtype=None, device=None, requires_grad=False):
    """Samples of N(mean, std²): ``mean``/``std`` numbers with a ``size``, or tensors (broadcast)."""
    rng = generator or _rng
    m = np.asarray(mean.array if isinstance(mean, Tensor) else mean)
    s = np.asarray(std.array if isinstance(std, Tensor) else std)
    shape = shape_arg((size,)) if size is not None else np.broadcast_shapes(m.shape, s.shape)
    kinds = [a.dtype for a in (m, s) if isinstance(a, np.ndarray) and a.ndim and a.dtype.kind == "f"]
    out_dtype = np.dtype(dtype) if dtype is not None else (kinds[0] if kinds else default_dtype())
    data = (m + s * rng.standard_normal(shape)).astype(out_dtype)
    return _new(data, requires_grad, device)


def _number(v):
    return v.item() if hasattr(v, "item") else v


def arange(start, end=None, step=1, *, dtype=None, device=None, requires_grad=False):
    """Values from ``start`` to ``end`` (exclusive) by ``step``.

    int64 when every argument is an integer, else the default float dtype. NOTE: as PyTorch, the
    length is ceil((end − start) / step) in double precision and entry i is start + i·step computed
    in double then rounded, not NumPy's float32 accumulation.
    """
    start, end, step = (_number(v) for v in ((0, start, step) if end is None else (start, end, step)))
    if step == 0:
        raise ValueError("arange: step must be nonzero")
    ints = all(isinstance(v, numbers.Integral) for v in (start, end, step))
    dtype = (np.dtype(np.int64) if ints else default_dtype()) if dtype is None else np.dtype(dtype)
    if ints:
        data = np.arange(start, end, step, dtype=np.int64).astype(dtype, copy=False)
    else:
        n = max(0, math.ceil((end - start) / step))
        data = (start + step * np.arange(n, dtype=np.float64)).astype(dtype)
    return _new(data, requires_grad, device)


def _linear_steps(start, end, steps, dtype):
    """PyTorch's linspace: from start for the first half, back from end for the second."""
    if steps == 1:
        return np.full(1, start, dtype=dtype)
    compute = dtype if dtype.kind == "f" else np.dtype(np.float64)
    idx = np.arange(steps, dtype=compute)
    s, e = compute.type(start), compute.type(end)
    step = (e - s) / compute.type(steps - 1)
    half = steps // 2
    out = np.where(idx < half, s + step * idx, e - step * (compute.type(steps - 1) - idx))
    return out.astype(dtype)


def linspace(start, end, steps, *, dtype=None, device=None, requires_grad=False):
    """``steps`` evenly spaced values from ``start`` to ``end`` (inclusive), in the default float dtype."""
    if steps < 0:
        raise ValueError(f"linspace: number of steps must be non-negative, got {steps}")
    dtype = default_dtype(dtype)
    return _new(_linear_steps(_number(start), _number(end), int(steps), dtype), requires_grad, device)


def logspace(start, end, steps, base=10.0, *, dtype=None, device=None, requires_grad=False):
    """``steps`` values from base^start to base^end, evenly spaced on a log scale."""
    dtype = default_dtype(dtype)
    exponents = _linear_steps(_number(start), _number(end), int(steps), np.dtype(np.float64))
    return _new((float(base) ** exponents).astype(dtype), requires_grad, device)


def eye(n, m=None, *, dtype=None, device=None, requires_grad=False):
    """The n×m identity matrix."""
    return _new(np.eye(n, m, dtype=default_dtype(dtype)), requires_grad, device)


def from_numpy(array):
    """A Tensor sharing ``array``'s memory (writes to one show in the other), as PyTorch's."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: expected an np.ndarray, got a {type(array).__name__}")
    if array.dtype.kind not in "fiub":
        raise TypeError(f"from_numpy: a Tensor holds float, int or bool data, not {array.dtype}")
    return wrap(array)


def is_tensor(obj) -> bool:
    """Whether ``obj`` is a Tensor."""
    return isinstance(obj, Tensor)


def is_floating_point(input) -> bool:
    """Whether ``input``'s dtype is a floating point one."""
    return input.is_floating_point()


def numel(input) -> int:
    """The number of elements of ``input``."""
    return input.numel()
