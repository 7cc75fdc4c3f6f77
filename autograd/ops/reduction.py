"""Reductions over ``dim`` (int, tuple or None = all) with ``keepdim``, scans along one ``dim``
(cumsum, cumprod, cummax, logcumsumexp, ...), sorting (sort, topk, median) and softmax/log-softmax.

Tie rule for max/min: a full or ``amax``/``amin`` reduction splits the gradient evenly among
the tied entries; ``max(dim=...)`` returns (values, indices) and routes the gradient to the
index NumPy's argmax picks (the first), as PyTorch does. ``sort``, ``topk``, ``median`` and
``cummax``/``cummin`` return (values, indices) too, and route the gradient to the indices.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np

from ..extend import Op, Tensor, apply, dual, export, wrap
from .dims import normalize_dims, reduced_shape
from .indexing import take_along_dim
from .join import stack
from .unary import maximum, minimum, where

TITLE = "reductions"  # the family's name in the README op table

MaxMin = namedtuple("MaxMin", ["values", "indices"])


def expand_back(g, ctx):
    """Put a reduced gradient back in the input's shape: reshape to keepdim, then broadcast."""
    in_shape, dims, keepdim = ctx
    if not keepdim:
        g = g.reshape(reduced_shape(in_shape, dims))
    return dual.broadcast_to(g, in_shape)


@export
def sum(x, dim=None, keepdim=False):
    """Σ over ``dim``."""
    dims = normalize_dims(dim, x.ndim, "sum")
    axis = dims if x.ndim else None
    return apply(SUM, np.asarray(x.array.sum(axis=axis, keepdims=keepdim)), (x,), (x.shape, dims, keepdim))


def describe_reduction(ctx):
    """``dim=1, keepdim`` for a drawing; nothing for a reduction over every dim."""
    in_shape, dims, keepdim = ctx
    if len(dims) == len(in_shape) and not keepdim:
        return ""  # over everything: x.sum()
    return f"dim={describe_dims(dims)}" + (", keepdim" if keepdim else "")


def describe_dims(dims):
    """One dim as an int, several as a tuple."""
    dims = tuple(dims)
    return dims[0] if len(dims) == 1 else dims


SUM = Op(
    "sum",
    (lambda g, ctx, out, x: expand_back(g, ctx),),
    keeps_shape=False,
    describe=describe_reduction,
    rule="∂L/∂x = g broadcast back over the summed dims",
)


def _count(shape, dims):
    n = 1
    for d in dims:
        n *= shape[d]
    return n


@export
def mean(x, dim=None, keepdim=False):
    """Mean over ``dim``."""
    if x.dtype.kind != "f":
        raise TypeError(f"mean: needs a floating point tensor, got dtype {x.dtype}")
    dims = normalize_dims(dim, x.ndim, "mean")
    axis = dims if x.ndim else None
    with np.errstate(invalid="ignore", divide="ignore"):
        data = np.asarray(x.array.mean(axis=axis, keepdims=keepdim))
    return apply(MEAN, data, (x,), (x.shape, dims, keepdim))


def _mean_vjp(g, ctx, out, x):
    n = _count(ctx[0], ctx[1])
    return expand_back(g * (1.0 / n if n else 0.0), ctx)


MEAN = Op("mean", (_mean_vjp,), keeps_shape=False, describe=describe_reduction, rule="∂L/∂x = g / N broadcast back")


@export
def var(x, dim=None, unbiased=True, keepdim=False, correction=None):
    """Variance: Σ(x − μ)² / (N − correction); correction = 1 (unbiased) by default, as PyTorch."""
    if correction is None:
        correction = 1 if unbiased else 0
    dims = normalize_dims(dim, x.ndim, "var")
    n = _count(x.shape, dims) - correction
    centered = x - x.mean(dims, keepdim=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (centered * centered).sum(dims, keepdim) * (1.0 / n if n > 0 else np.inf)


@export
def std(x, dim=None, unbiased=True, keepdim=False, correction=None):
    """√var; where the spread is 0 (a constant) the gradient is 0, as PyTorch's."""
    v = var(x, dim, unbiased, keepdim, correction)
    with np.errstate(invalid="ignore"):
        return apply(STD_SQRT, np.sqrt(v.array), (v,))


def _std_sqrt_vjp(g, ctx, out, v):
    spread = dual.raw(out) > 0
    return dual.where(spread, g / (2.0 * dual.where(spread, out, 1.0)), 0.0)


# NOTE: √ with the gradient 0 at 0, rather than sqrt's g/(2√v) = ∞ there: the std of a constant
# has the derivative 0 along every direction that keeps it constant (PyTorch masks it the same way).
STD_SQRT = Op("std", (_std_sqrt_vjp,), saves_out=True, keeps_shape=True, rule="∂L/∂σ² = g / (2σ), 0 where σ = 0")


def _amax_like(name, fn, x, dim, keepdim):
    dims = normalize_dims(dim, x.ndim, name)
    if x.array.size == 0 and (not x.ndim or 0 in (x.shape[d] for d in dims)):
        raise RuntimeError(
            f"{name}: cannot reduce over a dimension of size 0 (shape {x.shape}, dim {dim}): a max of nothing "
            f"has no value"
        )
    axis = dims if x.ndim else None
    data = np.asarray(fn(x.array, axis=axis, keepdims=keepdim))
    return apply(AMAX if name in ("amax", "max") else AMIN, data, (x,), (x.shape, dims, keepdim))


def _amax_vjp(g, ctx, out, x):
    in_shape, dims, keepdim = ctx
    xr = dual.raw(x)
    o = dual.raw(out)
    if not keepdim:
        o = o.reshape(reduced_shape(in_shape, dims))
    winners = xr == o
    share = winners / winners.sum(axis=dims, keepdims=True)
    return expand_back(g, ctx) * share.astype(xr.dtype)


AMAX = Op(
    "amax",
    (_amax_vjp,),
    saves=(0,),
    saves_out=True,
    keeps_shape=False,
    describe=describe_reduction,
    rule="∂L/∂x = g / k at the k tied maxima, 0 elsewhere",
)
AMIN = Op(
    "amin",
    (_amax_vjp,),
    saves=(0,),
    saves_out=True,
    keeps_shape=False,
    describe=describe_reduction,
    rule="∂L/∂x = g / k at the k tied minima, 0 elsewhere",
)


@export
def amax(x, dim=None, keepdim=False):
    """Max over ``dim``; ties share the gradient evenly."""
    return _amax_like("amax", np.max, x, dim, keepdim)


@export
def amin(x, dim=None, keepdim=False):
    """Min over ``dim``; ties share the gradient evenly."""
    return _amax_like("amin", np.min, x, dim, keepdim)


def _max_min(name, x, dim, keepdim, arg):
    if isinstance(dim, Tensor):
        return (maximum if name == "max" else minimum)(x, dim)
    if dim is None:
        return _amax_like(name, np.max if name == "max" else np.min, x, None, False)
    (d,) = normalize_dims(dim, x.ndim, name)
    if x.shape and x.shape[d] == 0:
        raise RuntimeError(f"{name}: cannot reduce over dim {d} of size 0 (shape {x.shape})")
    idx = np.expand_dims(arg(x.array, axis=d), d) if x.ndim else np.zeros((), dtype=np.int64)
    values = take_along_dim(x, idx, d) if x.ndim else x.clone()
    if not keepdim and x.ndim:
        values = values.squeeze(d)
        idx = np.squeeze(idx, d)
    return MaxMin(values, wrap(idx.astype(np.int64)))


@export
def max(x, dim=None, keepdim=False):
    """The max of all entries, or (values, indices) along ``dim``; ``max(x, other)`` = maximum."""
    return _max_min("max", x, dim, keepdim, np.argmax)


@export
def min(x, dim=None, keepdim=False):
    """The min of all entries, or (values, indices) along ``dim``; ``min(x, other)`` = minimum."""
    return _max_min("min", x, dim, keepdim, np.argmin)


@export
def argmax(x, dim=None, keepdim=False):
    """Index of the max (of the flattened tensor when ``dim`` is None); not differentiable."""
    if dim is None:
        return wrap(np.asarray(np.argmax(x.array), dtype=np.int64))
    (d,) = normalize_dims(dim, x.ndim, "argmax")
    return wrap(np.argmax(x.array, axis=d, keepdims=keepdim).astype(np.int64))


@export
def argmin(x, dim=None, keepdim=False):
    """Index of the min; not differentiable."""
    if dim is None:
        return wrap(np.asarray(np.argmin(x.array), dtype=np.int64))
    (d,) = normalize_dims(dim, x.ndim, "argmin")
    return wrap(np.argmin(x.array, axis=d, keepdims=keepdim).astype(np.int64))


def reduce_rows(ufunc, a):
    """``ufunc.reduce`` over the last axis of a 2-D array, as an (N, 1) column.

    NOTE: NumPy reduces a short last axis one row at a time (1024×10: 42 µs for max, 15 µs for
    sum); with few columns, a transposed copy reduced over its first axis is vectorized across
    rows and ~10× faster. Max is exact either way; a sum may differ in the last bit.
    """
    rows, cols = a.shape
    # (float16 sums stay on NumPy's path, which accumulates them in float32)
    if cols > 32 or rows < 16 or (ufunc is np.add and a.dtype.itemsize < 4):
        return ufunc.reduce(a, axis=1, keepdims=True)
    if a.size <= _BLOCK:
        return ufunc.reduce(a.T.copy(), axis=0).reshape((rows, 1))
    # NOTE: a transposed copy of an array bigger than the cache costs more than it saves
    # (182430×27 float64: max 122 ms, sum 91 ms, vs 30 and 15 ms straight); only a max over few
    # columns still gains, block by block (65536×10: 4 ms vs 11 ms).
    if ufunc is np.add or cols > 16:
        return ufunc.reduce(a, axis=1, keepdims=True)
    out = np.empty((rows, 1), dtype=a.dtype)
    step = _BLOCK // cols
    for i in range(0, rows, step):
        out[i : i + step, 0] = ufunc.reduce(a[i : i + step].T.copy(), axis=0)
    return out


_BLOCK = 1 << 16  # entries per transposed block of reduce_rows: 512 KB of float64, in cache


def _stable_max(a, dims):
    m = np.max(a, axis=dims, keepdims=True) if a.size else np.zeros(reduced_shape(a.shape, dims), a.dtype)
    return np.where(np.isfinite(m), m, 0)


@export  # NOTE: a primitive rather than log(sum(exp(x))) for numerical stability (shift by the max).
def logsumexp(x, dim=None, keepdim=False):
    """log Σ eˣ over ``dim``, stable for large |x|."""
    dims = normalize_dims(dim, x.ndim, "logsumexp")
    axis = dims if x.ndim else None
    m = _stable_max(x.array, dims)
    with np.errstate(divide="ignore"):
        data = np.log(np.exp(x.array - m).sum(axis=axis, keepdims=True)) + m
    if not keepdim:
        data = data.reshape(tuple(n for i, n in enumerate(x.shape) if i not in dims))
    return apply(LOGSUMEXP, np.asarray(data, dtype=x.dtype), (x,), (x.shape, dims, keepdim))


def _logsumexp_vjp(g, ctx, out, x):
    in_shape, dims, keepdim = ctx
    o = out if keepdim else out.reshape(reduced_shape(in_shape, dims))
    return expand_back(g, ctx) * dual.exp(x - o)


LOGSUMEXP = Op(
    "logsumexp",
    (_logsumexp_vjp,),
    saves=(0,),
    saves_out=True,
    keeps_shape=False,
    describe=describe_reduction,
    rule="∂L/∂x = g ⊙ softmax(x)",
)


def _one_dim(dim, ndim, name):
    if ndim == 0:
        if dim not in (0, -1):
            raise IndexError(f"{name}: dimension out of range (expected to be in range of [-1, 0], but got {dim})")
        return ()
    return normalize_dims(dim, ndim, name)


@export  # NOTE: a primitive for stability (shift by the max) and speed (one fused VJP).
def softmax(x, dim=-1):
    """e^(z_i) / Σ_j e^(z_j) along ``dim``."""
    dims = _one_dim(dim, x.ndim, "softmax")
    if not dims:
        return apply(SOFTMAX, np.ones_like(x.array), (x,), dims)
    e = np.exp(x.array - _stable_max(x.array, dims))
    return apply(SOFTMAX, e / e.sum(axis=dims, keepdims=True), (x,), dims)


def _softmax_vjp(g, dims, out, x):
    if not dims:
        return g * 0.0
    return out * (g - dual.sum(g * out, dims, keepdim=True))


def _describe_softmax(dims):
    return f"dim={describe_dims(dims)}"


SOFTMAX = Op(
    "softmax",
    (_softmax_vjp,),
    saves_out=True,
    keeps_shape=True,
    describe=_describe_softmax,
    rule="∂L/∂z = a ⊙ (g − Σ g ⊙ a)",
)


@export
def log_softmax(x, dim=-1):
    """z − log Σ e^z along ``dim``, stable for large |z|."""
    dims = _one_dim(dim, x.ndim, "log_softmax")
    if not dims:
        return apply(LOG_SOFTMAX, np.zeros_like(x.array), (x,), dims)
    shifted = x.array - _stable_max(x.array, dims)
    with np.errstate(divide="ignore"):
        data = shifted - np.log(np.exp(shifted).sum(axis=dims, keepdims=True))
    return apply(LOG_SOFTMAX, data, (x,), dims)


def _log_softmax_vjp(g, dims, out, x):
    if not dims:
        return g * 0.0
    return g - dual.exp(out) * dual.sum(g, dims, keepdim=True)


LOG_SOFTMAX = Op(
    "log_softmax",
    (_log_softmax_vjp,),
    saves_out=True,
    keeps_shape=True,
    describe=_describe_softmax,
    rule="∂L/∂z = g − softmax(z) ⊙ Σ g",
)


def _flip(v, d):
    """``v`` reversed along dim ``d`` (an array or a graph value: basic indexing works on both)."""
    return v[(slice(None),) * d + (slice(None, None, -1),)]


def _scan_dim(x, dim, name):
    """The one dim a scan runs along (0 for a 0-d tensor, as PyTorch)."""
    if dim is None:
        raise TypeError(f"{name}(): missing the required argument 'dim' (shape {x.shape})")
    dims = _one_dim(dim, x.ndim, name)
    return dims[0] if dims else None


@export
def cumsum(x, dim=None):
    """Running Σ along ``dim``."""
    d = _scan_dim(x, dim, "cumsum")
    data = x.array.copy() if d is None else np.cumsum(x.array, axis=d, dtype=x.dtype if x.dtype.kind == "f" else None)
    return apply(CUMSUM, np.asarray(data), (x,), d)


def _cumsum_vjp(g, d, out, x):
    if d is None:
        return g
    return _flip(cumsum(_flip(g, d), d) if isinstance(g, Tensor) else np.cumsum(_flip(g, d), axis=d), d)


CUMSUM = Op(
    "cumsum",
    (_cumsum_vjp,),
    keeps_shape=True,
    describe=lambda d: "" if d is None else f"dim={d}",
    rule="∂L/∂x = reversed running Σ of reversed g",
)


@export
def cumprod(x, dim=None):
    """Running ∏ along ``dim``; the gradient is right with zeros in the input (a product of slices)."""
    d = _scan_dim(x, dim, "cumprod")
    if d is None or x.shape[d] <= 1:
        return x * 1.0 if x.dtype.kind == "f" else x.clone()
    # NOTE: a composite (one multiplication per position along dim): the product rule then gives
    # the exact gradient with any number of zeros, at every order, without dividing by x.
    parts = [x[(slice(None),) * d + (0,)]]
    for i in range(1, x.shape[d]):
        parts.append(parts[-1] * x[(slice(None),) * d + (i,)])
    return stack(parts, d)


@export
def logcumsumexp(x, dim=None):
    """log of the running Σ eˣ along ``dim``, stable for large |x| (shifted by the max along dim)."""
    d = _scan_dim(x, dim, "logcumsumexp")
    if d is None:
        return x * 1.0
    m = np.where(np.isfinite(m := np.max(x.array, axis=d, keepdims=True)), m, 0) if x.array.size else 0.0
    with np.errstate(divide="ignore"):
        return (x - m).exp().cumsum(d).log() + m


def _prod_vjp(g, ctx, out, x):
    in_shape, dims, keepdim = ctx
    xr = dual.raw(x)
    zero = xr == 0
    zeros = zero.sum(axis=dims, keepdims=True)
    o = out if keepdim else out.reshape(reduced_shape(in_shape, dims))
    safe = dual.where(zero, 1.0, x)
    # One zero: its gradient is the product of the others; two or more: every gradient is 0.
    rest = prod(safe, dims, keepdim=True) if isinstance(safe, Tensor) else np.prod(safe, axis=dims, keepdims=True)
    others = rest * (zeros == 1).astype(xr.dtype)
    return expand_back(g, ctx) * dual.where(zero, others, o / safe)


PROD = Op(
    "prod",
    (_prod_vjp,),
    saves=(0,),
    saves_out=True,
    keeps_shape=False,
    describe=describe_reduction,
    rule="∂L/∂xᵢ = g ⊙ ∏_{j≠i} xⱼ",
)


@export
def prod(x, dim=None, keepdim=False):
    """∏ over ``dim``; the gradient is right with zeros in the input (one or several), as PyTorch."""
    dims = normalize_dims(dim, x.ndim, "prod")
    axis = dims if x.ndim else None
    data = np.asarray(np.prod(x.array, axis=axis, keepdims=keepdim))
    if x.dtype.kind in "biu":
        data = data.astype(np.int64)
        return wrap(data)
    return apply(PROD, data, (x,), (x.shape, dims, keepdim))


def _logical(name, fn, x, dim, keepdim):
    dims = normalize_dims(dim, x.ndim, name)
    axis = dims if x.ndim else None
    return wrap(np.asarray(fn(x.array, axis=axis, keepdims=keepdim), dtype=bool))


@export
def all(x, dim=None, keepdim=False):
    """Whether every entry (along ``dim``) is nonzero: a bool tensor, not differentiable."""
    return _logical("all", np.all, x, dim, keepdim)


@export
def any(x, dim=None, keepdim=False):
    """Whether some entry (along ``dim``) is nonzero: a bool tensor, not differentiable."""
    return _logical("any", np.any, x, dim, keepdim)


@export
def count_nonzero(x, dim=None):
    """The number of nonzero entries (along ``dim``), as int64; not differentiable."""
    dims = normalize_dims(dim, x.ndim, "count_nonzero")
    return wrap(np.asarray(np.count_nonzero(x.array, axis=dims if x.ndim else None), dtype=np.int64))


Sorted = namedtuple("Sorted", ["values", "indices"])


def _sort_dim(x, dim, name):
    """The dim to sort along: None for a 0-d tensor (dim 0 or -1 allowed, as PyTorch)."""
    dims = _one_dim(dim, x.ndim, name)
    return dims[0] if dims else None


def _order(a, d, descending):
    """Indices that sort ``a`` along ``d``, always stably (equal entries keep their order)."""
    if descending:
        key = -a.astype(np.int64) if a.dtype.kind in "bu" else -a
        return np.argsort(key, axis=d, kind="stable")
    return np.argsort(a, axis=d, kind="stable")


def _gather(x, idx, d):
    """(values, int64 indices) of ``x`` at ``idx`` along ``d``; the gradient flows to the picked entries."""
    idx = idx.astype(np.int64)
    return Sorted(take_along_dim(x, idx, d), wrap(idx))


@export
def sort(x, dim=-1, descending=False, stable=False):
    """(values, indices) sorted along ``dim``; the gradient goes back to the entries' places.

    The sort is always stable (ties keep their order), which ``stable=False`` also allows.
    """
    d = _sort_dim(x, dim, "sort")
    if d is None:
        return Sorted(x * 1 if x.dtype.kind == "f" else x.clone(), wrap(np.zeros((), np.int64)))
    return _gather(x, _order(x.array, d, descending), d)


@export
def argsort(x, dim=-1, descending=False, stable=False):
    """The indices that sort ``x`` along ``dim`` (int64); not differentiable."""
    d = _sort_dim(x, dim, "argsort")
    if d is None:
        return wrap(np.zeros((), np.int64))
    return wrap(_order(x.array, d, descending).astype(np.int64))


@export
def topk(x, k, dim=-1, largest=True, sorted=True):
    """(values, indices) of the ``k`` largest (or smallest) entries along ``dim``, in sorted order.

    ``sorted=False`` gives them sorted too (PyTorch leaves that order unspecified).
    """
    d = _sort_dim(x, dim, "topk")
    n = 1 if d is None else x.shape[d]
    if not isinstance(k, (int, np.integer)) or not 0 <= k <= n:
        raise IndexError(f"topk: k={k} is out of range for dim {dim} of size {n} (shape {x.shape})")
    if d is None:
        if k == 0:
            raise IndexError(f"topk: k=0 is out of range for a 0-d tensor (shape {x.shape})")
        return sort(x)
    idx = _order(x.array, d, largest)
    return _gather(x, np.take(idx, np.arange(k), axis=d), d)


@export
def median(x, dim=None, keepdim=False):
    """The lower median of all entries, or (values, indices) along ``dim``; the gradient goes to it."""
    if dim is None:
        flat = x.reshape(-1)
        n = flat.shape[0]
        if n == 0:
            return wrap(np.asarray(np.nan, dtype=x.dtype if x.dtype.kind == "f" else np.float32))
        i = np.argsort(flat.array, kind="stable")[(n - 1) // 2]
        return flat[int(i)]
    d = _sort_dim(x, dim, "median")
    if d is None:
        return Sorted(x * 1 if x.dtype.kind == "f" else x.clone(), wrap(np.zeros((), np.int64)))
    n = x.shape[d]
    if n == 0:
        raise IndexError(f"median: cannot take the median over dim {d} of size 0 (shape {x.shape})")
    idx = np.take(np.argsort(x.array, axis=d, kind="stable"), [(n - 1) // 2], axis=d)
    values, indices = _gather(x, idx, d)
    if not keepdim:
        values, indices = values.squeeze(d), wrap(np.squeeze(indices.array, d))
    return Sorted(values, indices)


def _cum_extreme(name, acc, x, dim):
    d = _scan_dim(x, dim, name)
    if d is None:
        return Sorted(x * 1 if x.dtype.kind == "f" else x.clone(), wrap(np.zeros((), np.int64)))
    best = acc.accumulate(x.array, axis=d) if x.array.size else x.array
    shape = [1] * x.ndim
    shape[d] = x.shape[d]
    here = np.arange(x.shape[d]).reshape(shape)
    # the latest index holding the running extreme (PyTorch's choice on ties)
    idx = np.maximum.accumulate(np.where(x.array == best, here, 0), axis=d) if x.array.size else best.astype(np.int64)
    return _gather(x, idx, d)


@export
def cummax(x, dim=None):
    """(values, indices) of the running max along ``dim``; the gradient goes to the index."""
    return _cum_extreme("cummax", np.maximum, x, dim)


@export
def cummin(x, dim=None):
    """(values, indices) of the running min along ``dim``; the gradient goes to the index."""
    return _cum_extreme("cummin", np.minimum, x, dim)


# NOTE: √ with the gradient 0 at 0 (as std's): the 2-norm of the zero vector has gradient 0 in PyTorch.
NORM_SQRT = Op("norm", (_std_sqrt_vjp,), saves_out=True, keeps_shape=True, rule="∂L/∂s = g / (2√s), 0 where s = 0")


@export
def norm(x, p="fro", dim=None, keepdim=False):
    """The vector p-norm over ``dim`` (all entries by default): p = "fro" or 2, a number, inf, −inf."""
    if x.dtype.kind != "f":
        raise TypeError(f"norm: needs a floating point tensor, got dtype {x.dtype} (shape {x.shape})")
    dims = normalize_dims(dim, x.ndim, "norm")
    if p == "fro" or p == 2:
        s = (x * x).sum(dims, keepdim)
        return apply(NORM_SQRT, np.sqrt(s.array), (s,))
    if isinstance(p, str) or not isinstance(p, (int, float, np.number)):
        raise ValueError(f"norm: p must be 'fro', a number, inf or -inf, got {p!r} (shape {x.shape})")
    if p == np.inf:
        return x.abs().amax(dims, keepdim)
    if p == -np.inf:
        return x.abs().amin(dims, keepdim)
    if p == 0:
        data = np.asarray(np.count_nonzero(x.array, axis=dims if x.ndim else None), dtype=x.dtype)
        return wrap(data.reshape(reduced_shape(x.shape, dims)) if keepdim else data)
    if p == 1:
        return x.abs().sum(dims, keepdim)
    with np.errstate(divide="ignore", invalid="ignore"):
        s = (x.abs() ** float(p)).sum(dims, keepdim)
        if p < 0:
            return s ** (1.0 / p)
        # the zero vector: norm 0 with gradient 0 (as PyTorch), not 0^(1/p − 1) = ∞ times 0
        zero = wrap(s.array == 0)
        return where(zero, 0.0, where(zero, 1.0, s) ** (1.0 / p))


@export
def var_mean(x, dim=None, unbiased=True, keepdim=False, correction=None):
    """(var, mean) over ``dim``, as PyTorch's tuple."""
    return var(x, dim, unbiased, keepdim, correction), mean(x, dim, keepdim)


@export
def std_mean(x, dim=None, unbiased=True, keepdim=False, correction=None):
    """(std, mean) over ``dim``, as PyTorch's tuple."""
    return std(x, dim, unbiased, keepdim, correction), mean(x, dim, keepdim)


@export
def nansum(x, dim=None, keepdim=False):
    """Σ of the entries that are not NaN (their gradient is 0)."""
    nan = np.isnan(x.array) if x.dtype.kind == "f" else np.zeros(x.shape, bool)
    return where(nan, 0.0, x).sum(dim, keepdim) if nan.any() else x.sum(dim, keepdim)


@export
def nanmean(x, dim=None, keepdim=False):
    """The mean of the entries that are not NaN (NaN where every entry is)."""
    dims = normalize_dims(dim, x.ndim, "nanmean")
    count = np.sum(~np.isnan(x.array), axis=dims, keepdims=keepdim).astype(x.dtype)
    with np.errstate(invalid="ignore", divide="ignore"):
        return nansum(x, dims, keepdim) / count


@export
def dist(input, other, p=2):
    """‖input − other‖_p over all entries (broadcasting)."""
    return norm(input - other, p)


@export
def kthvalue(x, k, dim=-1, keepdim=False):
    """(values, indices) of the k-th smallest entry along ``dim`` (k from 1); the gradient goes to it."""
    d = _sort_dim(x, dim, "kthvalue")
    n = x.shape[d] if d is not None else 1
    if not 1 <= k <= n:
        raise IndexError(f"kthvalue: k = {k} is out of range for a dim of size {n} (shape {x.shape})")
    if d is None:
        return Sorted(x * 1 if x.dtype.kind == "f" else x.clone(), wrap(np.zeros((), np.int64)))
    idx = np.take(np.argsort(x.array, axis=d, kind="stable"), [k - 1], axis=d)
    values, indices = _gather(x, idx, d)
    if not keepdim:
        values, indices = values.squeeze(d), wrap(np.squeeze(indices.array, d))
    return Sorted(values, indices)


@export
def msort(x):
    """The entries sorted along dim 0."""
    return sort(x, 0).values


@export
def quantile(x, q, dim=None, keepdim=False, *, interpolation="linear"):
    """The q-quantiles (q a number or a 1-D tensor in [0, 1]) over ``dim`` (all entries if None).

    With several q the result has a leading dim of q's length, as PyTorch. Gradients go to the
    (one or two) sorted entries each quantile is read from.
    """
    qs = np.asarray(q.array if isinstance(q, Tensor) else q, dtype=np.float64)
    if qs.ndim > 1 or np.any((qs < 0) | (qs > 1)):
        raise ValueError(f"quantile: q must be a number or a 1-D tensor with values in [0, 1], got {qs}")
    if interpolation not in ("linear", "lower", "higher", "nearest", "midpoint"):
        raise ValueError(f"quantile: unknown interpolation {interpolation!r}")
    ndim = x.ndim
    if dim is None:
        x, d = x.reshape(-1), 0
    else:
        (d,) = normalize_dims(dim, x.ndim, "quantile")
    n = x.shape[d]
    if n == 0:
        raise IndexError(f"quantile: cannot take a quantile of an empty dim (shape {x.shape})")
    s = sort(x, d).values
    parts = [_quantile_at(s, d, float(v) * (n - 1), interpolation, keepdim) for v in qs.reshape(-1)]
    if dim is None and keepdim:  # every dim of the input kept, with size 1
        parts = [p.reshape((1,) * ndim) for p in parts]
    return parts[0] if qs.ndim == 0 else stack(parts, 0)


def _quantile_at(s, d, pos, interpolation, keepdim):
    """The quantile at (fractional) position ``pos`` of the sorted ``s`` along ``d``."""
    lo, hi = int(np.floor(pos)), int(np.ceil(pos))
    frac = pos - lo
    if interpolation == "lower" or lo == hi:
        picks = [(lo, 1.0)]
    elif interpolation == "higher":
        picks = [(hi, 1.0)]
    elif interpolation == "nearest":
        picks = [(int(np.round(pos)), 1.0)]  # halves to even, as PyTorch
    elif interpolation == "midpoint":
        picks = [(lo, 0.5), (hi, 0.5)]
    else:
        picks = [(lo, 1.0 - frac), (hi, frac)]
    out = None
    for i, w in picks:
        part = s.narrow(d, i, 1) * w if w != 1.0 else s.narrow(d, i, 1)
        out = part if out is None else out + part
    return out if keepdim else out.squeeze(d)


Aminmax = namedtuple("Aminmax", ["min", "max"])


@export
def aminmax(x, *, dim=None, keepdim=False):
    """(min, max) over ``dim`` (all entries if None), as ``amin`` and ``amax``."""
    return Aminmax(amin(x, dim, keepdim), amax(x, dim, keepdim))


@export
def unique(x, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """The distinct entries (sorted), and optionally the inverse indices and counts. No gradient."""
    a = x.array
    values, inverse, counts = np.unique(a, return_inverse=True, return_counts=True, axis=dim)
    out = [wrap(values)]
    if return_inverse:
        out.append(wrap(inverse.reshape(a.shape if dim is None else (a.shape[dim],)).astype(np.int64)))
    if return_counts:
        out.append(wrap(counts.astype(np.int64)))
    return out[0] if len(out) == 1 else tuple(out)
