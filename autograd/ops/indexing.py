"""Indexing: ``x[key]`` (slices, ints, None, Ellipsis, integer arrays, boolean masks), its adjoint
the scatter-add, ``x[key] = v``, gather along a dim (``take_along_dim``), ``index_select`` and its
adjoint (primitives: the resizing and padding ops gather with them), and PyTorch's gather, scatter,
scatter_add, masked_fill, masked_select, select, take, index_add/copy/fill (composites, with their
in-place forms) and nonzero/argwhere."""

from __future__ import annotations

import numpy as np

from ..extend import Op, ShapeError, Tensor, apply, as_tensor, dual, export, grad_mode, on_array_or_recorded, wrap
from ..inplace import update_inplace
from .shape import broadcast_to, clone
from .unary import where

TITLE = "indexing"  # the family's name in the README op table


class SelectThenIndex:
    """A key whose ints PyTorch applies first (as selects), then the rest: ``x[0, :, [1, 2]]``.

    NumPy counts an int next to an integer array as one more advanced index and moves the
    broadcast dims to the front (shape (2, 4) for x of shape (3, 4, 5)); PyTorch selects along the
    int's dim first, so the advanced dims stay where they are ((4, 2)). ``first`` holds the ints
    and slices (basic, so ``a[first]`` is a view one can write through), ``rest`` the other parts.
    """

    __slots__ = ("first", "rest")

    def __init__(self, items):
        self.first = tuple(part for k in items for part in _as_whole(k))
        self.rest = tuple(_after_select(k) for k in items if not _is_int(k))

    def take(self, a):
        """``a`` indexed by this key."""
        return a[self.first][self.rest]

    def put(self, a, value):
        """``a[key] = value``."""
        a[self.first][self.rest] = value

    def add_at(self, a, value):
        """``a[key] += value``, adding where an index repeats."""
        np.add.at(a[self.first], self.rest, value)


def _is_int(k):
    return isinstance(k, (int, np.integer)) and not isinstance(k, (bool, np.bool_))


def _as_whole(k):
    """The part of a key the first, basic indexing applies: advanced indices keep their dims whole."""
    if isinstance(k, np.ndarray):
        return (slice(None),) * (k.ndim if k.dtype.kind == "b" else 1)
    return (k,)


def _after_select(k):
    return slice(None) if (k is None or isinstance(k, slice)) else k


def _part(k):
    """One part of a key as NumPy takes it: Tensors, lists and tuples of numbers become arrays."""
    if isinstance(k, Tensor):
        k = k.array
    if isinstance(k, (list, tuple)):
        k = np.asarray([v.array if isinstance(v, Tensor) else v for v in k])
    if isinstance(k, np.ndarray):
        if k.dtype.kind not in "iub":
            raise IndexError(f"tensors used as indices must be integer or boolean, got dtype {k.dtype}")
    elif not (k is None or k is Ellipsis or isinstance(k, (slice, int, np.integer))):
        raise IndexError(f"unsupported index {k!r}: use ints, slices, None, ..., or integer/boolean arrays")
    return k


def _key(key):
    """The key NumPy will take (Tensors turned into arrays); ``basic`` when no advanced index is involved."""
    if isinstance(key, SelectThenIndex):
        return key, False
    items = [_part(k) for k in (key if isinstance(key, tuple) else (key,))]
    advanced = any(isinstance(k, np.ndarray) for k in items)
    if advanced and any(_is_int(k) for k in items):
        return SelectThenIndex(items), False
    return (tuple(items) if isinstance(key, tuple) or len(items) != 1 else items[0]), not advanced


def take_key(a, k):
    """The array ``a`` indexed by a key from ``_key``."""
    return k.take(a) if isinstance(k, SelectThenIndex) else a[k]


def put_key(a, k, value):
    """``a[k] = value`` for a key from ``_key``."""
    if isinstance(k, SelectThenIndex):
        k.put(a, value)
    else:
        a[k] = value


@export(methods=("__getitem__",))
def index(x, key):
    """x[key]; the VJP scatters g back, adding where an index repeats."""
    k, basic = _key(key)
    try:
        data = take_key(x.array, k)
    except IndexError as e:
        raise IndexError(f"index: {e} (tensor of shape {x.shape})") from None
    return apply(INDEX, np.asarray(data) if not basic else data, (x,), (k, basic, x.shape))


def _index_vjp(g, ctx, out, x):
    return index_add_zeros(g, ctx)


def _index_accumulate(buffer, g, ctx):
    """buffer[key] += g in place (repeated advanced indices add up); False, doing nothing, unless the
    buffer has the indexed tensor's shape."""
    k, basic, shape = ctx
    if buffer.shape != shape:
        return False
    if basic:
        buffer[k] += g
    else:
        np.add.at(buffer, k, g)
    return True


INDEX = Op(
    "index",
    (_index_vjp,),
    keeps_shape=False,
    accumulate=_index_accumulate,
    rule="∂L/∂x = zeros with g scatter-added at the index",
)


def _scatter_array(g, ctx):
    k, basic, shape = ctx
    # NOTE: written zeros, not np.zeros: calloc's pages are mapped lazily, and the in-place sums
    # Op.accumulate then makes into this buffer (x[t] for t in a loop) read each page before writing
    # it, two page faults instead of one; an LSTM backward's x[t] sums went from a median 55 µs to
    # 6 µs each, the whole forward+backward 3–7% faster.
    z = np.empty(shape, dtype=g.dtype)
    z.fill(0)
    if basic:
        z[k] = g
    elif isinstance(k, SelectThenIndex):
        k.add_at(z, g)
    else:
        np.add.at(z, k, g)
    return z


def index_add_zeros(g, ctx):
    """A zero tensor of the indexed shape with ``g`` added at the key (the adjoint of indexing)."""
    return on_array_or_recorded(SCATTER, _scatter_array, g, ctx)


SCATTER = Op(
    "scatter_add",
    (lambda g, ctx, out, src: index(g, ctx[0]) if isinstance(g, Tensor) else take_key(g, ctx[0]),),
    keeps_shape=False,
    rule="∂L/∂src = g[index]",
)


def _setitem(self, key, value):
    index_put_(self, key, value)


@export(methods=("index_put_", ("__setitem__", _setitem)))
def index_put_(x, key, value):
    """x[key] = value, in place; gradient flows to ``value`` and to the entries of x not overwritten."""
    k, basic = _key(key)
    if not isinstance(value, Tensor):
        value = as_tensor(value, like=x)
    try:
        np.broadcast_to(value.array, np.shape(take_key(x.array, k)))
    except ValueError:
        raise ShapeError(
            f"setitem: value of shape {value.shape} cannot be broadcast to the indexed shape "
            f"{np.shape(take_key(x.array, k))}"
        ) from None
    if grad_mode.enabled and (x.requires_grad or value.requires_grad):
        return update_inplace(x, lambda old, v: _index_put(old, k, v), value, "index_put_")
    put_key(x.array, k, value.array)
    x._version += 1
    return x


def _index_put(x, k, value):
    data = x.array.copy()
    put_key(data, k, value.array)
    kept = np.ones(x.shape, dtype=bool)
    put_key(kept, k, False)
    return apply(INDEX_PUT, data, (x, value), (k, kept, value.shape))


INDEX_PUT = Op(
    "index_put",
    (
        lambda g, ctx, out, x, v: dual.where(ctx[1], g, 0.0),
        lambda g, ctx, out, x, v: dual.sum_to(g[ctx[0]] if isinstance(g, Tensor) else take_key(g, ctx[0]), ctx[2]),
    ),
    keeps_shape=False,
    rule="∂L/∂x = g where not overwritten,  ∂L/∂v = g[index] summed to v's shape",
)


@export
def take_along_dim(x, indices, dim):
    """Gather: out[..i..] = x[..indices[..i..]..] along ``dim`` (NumPy's take_along_axis)."""
    idx = np.asarray(indices.array if isinstance(indices, Tensor) else indices)
    try:
        data = np.take_along_axis(x.array, idx, axis=dim)
    except (ValueError, IndexError) as e:
        raise ShapeError(
            f"take_along_dim: indices of shape {idx.shape} do not fit input {x.shape} along dim {dim}: {e}"
        ) from None
    return apply(GATHER, data, (x,), (idx, dim % x.ndim, x.shape))


def _full_index(idx, dim):
    mesh = list(np.ix_(*[np.arange(n) for n in idx.shape]))
    mesh[dim] = idx
    return tuple(mesh)


def _gather_vjp(g, ctx, out, x):
    idx, dim, shape = ctx
    return on_array_or_recorded(SCATTER_DIM, _scatter_dim, g, ctx)


def _scatter_dim(g, ctx):
    idx, dim, shape = ctx
    z = np.zeros(shape, dtype=g.dtype)
    np.add.at(z, _full_index(idx, dim), g)
    return z


GATHER = Op(
    "gather",
    (_gather_vjp,),
    keeps_shape=False,
    describe=lambda ctx: f"dim={ctx[1]}",
    rule="∂L/∂x = zeros with g scatter-added along dim",
)
SCATTER_DIM = Op(
    "scatter_add_dim",
    (
        lambda g, ctx, out, src: (
            take_along_dim(g, ctx[0], ctx[1]) if isinstance(g, Tensor) else np.take_along_axis(g, ctx[0], ctx[1])
        ),
    ),
    keeps_shape=False,
    rule="∂L/∂src = gather(g)",
)


# PyTorch's dim-wise gather/scatter family, as composites of indexing (their gradients come
# from ``index``, ``index_put`` and the scatter-add above).


def _int_index(name, index):
    idx = np.asarray(index.array if isinstance(index, Tensor) else index)
    if idx.dtype.kind not in "iu":
        if idx.size == 0:
            return idx.astype(np.int64)
        raise TypeError(f"{name}: index must be an integer tensor, got dtype {idx.dtype}")
    return idx


def _dim_of(name, dim, ndim):
    lo, hi = (-ndim, ndim - 1) if ndim else (-1, 0)
    if not lo <= dim <= hi:
        raise IndexError(f"{name}: dimension out of range (expected to be in range of [{lo}, {hi}], but got {dim})")
    return dim % ndim if ndim else 0


def _dim_key(name, x, dim, index, src_shape=None):
    """The advanced key that picks x's entries at ``index`` along ``dim`` (and index's position elsewhere)."""
    d = _dim_of(name, dim, x.ndim)
    idx = _int_index(name, index)
    nd = max(x.ndim, 1)
    if idx.ndim != x.ndim and not (x.ndim == 0 and idx.ndim <= 1):
        raise ShapeError(f"{name}: index of shape {idx.shape} must have as many dims as the input of shape {x.shape}")
    if src_shape is not None and len(src_shape) != x.ndim:
        raise ShapeError(f"{name}: src of shape {src_shape} must have as many dims as the input of shape {x.shape}")
    shape = x.shape if x.ndim else (1,)
    idx = idx.reshape(idx.shape if idx.ndim else (1,)) if x.ndim == 0 else idx
    for i in range(nd):
        if i != d and idx.shape[i] > shape[i]:
            raise ShapeError(
                f"{name}: index of shape {idx.shape} is larger than the input of shape {x.shape} in dim {i}"
            )
        if src_shape is not None and idx.shape[i] > (src_shape[i] if len(src_shape) else 1):
            raise ShapeError(f"{name}: index of shape {idx.shape} is larger than src of shape {src_shape} in dim {i}")
    if idx.size and (idx.min() < -shape[d] or idx.max() >= shape[d]):
        raise IndexError(
            f"{name}: index {int(idx.min() if idx.min() < -shape[d] else idx.max())} is out of bounds "
            f"for dim {d} of size {shape[d]} (input of shape {x.shape})"
        )
    mesh = list(np.ix_(*[np.arange(n) for n in idx.shape]))
    mesh[d] = idx % shape[d] if shape[d] else idx
    return tuple(mesh), idx.shape


def _as_scalar_input(x):
    return x.reshape((1,)) if x.ndim == 0 else x


@export
def gather(x, dim, index):
    """out[i][j][k] = x[index[i][j][k]][j][k] (for dim=0): pick along ``dim`` at ``index``."""
    key, shape = _dim_key("gather", x, dim, index)
    out = _as_scalar_input(x)[key]
    return out.reshape(()) if x.ndim == 0 else out


def _src_part(name, src, x, shape):
    if not isinstance(src, Tensor):
        return as_tensor(np.full(shape, src, dtype=x.dtype), like=x)
    if src.ndim != x.ndim:
        raise ShapeError(f"{name}: src of shape {src.shape} must have as many dims as the input of shape {x.shape}")
    if src.ndim == 0:
        return src.reshape((1,))
    return src[tuple(slice(0, n) for n in shape)]


@export
def scatter(x, dim, index, src=None, value=None):
    """A copy of x with src's entries written at ``index`` along ``dim`` (a number ``value`` too)."""
    if src is None:
        src = value
    if src is None:
        raise TypeError("scatter: give src (a tensor) or value (a number)")
    key, shape = _dim_key("scatter", x, dim, index, src.shape if isinstance(src, Tensor) else None)
    part = _src_part("scatter", src, x, shape)
    out = clone(_as_scalar_input(x))
    index_put_(out, key, part)
    return out.reshape(()) if x.ndim == 0 else out


@export
def scatter_add(x, dim, index, src):
    """x plus src's entries added at ``index`` along ``dim`` (repeated indices add up)."""
    key, shape = _dim_key("scatter_add", x, dim, index, src.shape)
    part = _src_part("scatter_add", src, x, shape)
    base = _as_scalar_input(x)
    out = base + index_add_zeros(part, (key, False, base.shape))
    return out.reshape(()) if x.ndim == 0 else out


@export
def index_select(x, dim, index):
    """The entries at the 1-D ``index`` along ``dim``."""
    d = _dim_of("index_select", dim, x.ndim)
    idx = _int_index("index_select", index)
    if idx.ndim > 1:
        raise ShapeError(f"index_select: index must be 1-D, got shape {idx.shape}")
    n = x.shape[d] if x.ndim else 1
    if idx.size and (idx.min() < -n or idx.max() >= n):
        raise IndexError(f"index_select: index out of range for dim {d} of size {n} (input of shape {x.shape})")
    if x.ndim == 0:
        return _as_scalar_input(x)[idx.reshape(-1)].reshape(idx.shape)
    idx = np.where(idx < 0, idx + n, idx).reshape(-1)
    return apply(INDEX_SELECT, np.take(x.array, idx, axis=d), (x,), (d, idx, n))


_ONE_HOT_LIMIT = 1 << 16  # the largest (len(idx) × n) one-hot matrix worth a GEMM instead of np.add.reduceat


def _index_add_array(g, d, idx, n):
    """Zeros of size n along dim d with the slices of g added at idx (the adjoint of index_select).

    NOTE: a GEMM with the one-hot (len(idx), n) matrix where that is small, else sorted slices and
    np.add.reduceat: np.add.at took 50 ms for the backward of a (16, 32, 64, 64) nearest ×2
    upsampling along one dim, reduceat 27 ms, the GEMM 1.5 ms.
    """
    shape = g.shape[:d] + (n,) + g.shape[d + 1 :]
    if idx.size == 0:
        return np.zeros(shape, dtype=g.dtype)
    g = np.ascontiguousarray(g)  # g is often a broadcast view (from a sum): strided reads are ~10× slower
    if idx.size * n <= _ONE_HOT_LIMIT and g.dtype.kind == "f":
        one_hot = np.zeros((idx.size, n), dtype=g.dtype)
        one_hot[np.arange(idx.size), idx] = 1
        rows, after = int(np.prod(g.shape[:d])), int(np.prod(g.shape[d + 1 :]))
        if after == 1:
            return (g.reshape(rows, idx.size) @ one_hot).reshape(shape)
        return (one_hot.T @ g.reshape(rows, idx.size, after)).reshape(shape)
    out = np.zeros(shape, dtype=g.dtype)
    if np.all(idx[1:] >= idx[:-1]):
        ordered, slices = idx, g  # already sorted (upsampling, replicate padding): no reordering copy
    else:
        order = np.argsort(idx, kind="stable")
        ordered, slices = idx[order], np.take(g, order, axis=d)
    starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
    out[(slice(None),) * d + (ordered[starts],)] = np.add.reduceat(slices, starts, axis=d)
    return out


def _index_select(x, ctx):
    return on_array_or_recorded(INDEX_SELECT, lambda a, ctx: np.take(a, ctx[1], axis=ctx[0]), x, ctx)


def _index_add(g, ctx):
    return on_array_or_recorded(INDEX_ADD, lambda a, ctx: _index_add_array(a, *ctx), g, ctx)


def _describe_dim(ctx):
    return f"dim={ctx[0]}"


INDEX_SELECT = Op(
    "index_select",
    (lambda g, ctx, out, x: _index_add(g, ctx),),
    keeps_shape=False,
    describe=_describe_dim,
    rule="∂L/∂x = zeros with the slices of g added at the index along dim",
)
INDEX_ADD = Op(
    "index_add",
    (lambda g, ctx, out, src: _index_select(g, ctx),),
    keeps_shape=False,
    describe=_describe_dim,
    rule="∂L/∂src = g at the index along dim",
)


def _mask(name, mask):
    m = np.asarray(mask.array if isinstance(mask, Tensor) else mask)
    if m.dtype != np.bool_:
        raise TypeError(f"{name}: mask must be a bool tensor, got dtype {m.dtype}")
    return m


@export(methods=("masked_fill", ("masked_fill_", lambda self, mask, value: _in_place(self, masked_fill, mask, value))))
def masked_fill(x, mask, value):
    """x with ``value`` (a number or a 0-d tensor) where ``mask`` holds (mask broadcasts to x)."""
    m = _mask("masked_fill", mask)
    try:
        np.broadcast_to(m, x.shape)
    except ValueError:
        raise ShapeError(
            f"masked_fill: mask of shape {m.shape} does not broadcast to the input's shape {x.shape}"
        ) from None
    if isinstance(value, Tensor) and value.ndim != 0:
        raise ShapeError(f"masked_fill: value must be a number or a 0-d tensor, got shape {value.shape}")
    if not isinstance(value, Tensor):
        value = np.asarray(value, dtype=x.dtype)
    return where(m, value, x)


@export
def masked_select(x, mask):
    """The entries of x where ``mask`` holds, as a 1-D tensor (x and mask broadcast together)."""
    m = _mask("masked_select", mask)
    try:
        shape = np.broadcast_shapes(m.shape, x.shape)
    except ValueError:
        raise ShapeError(
            f"masked_select: mask of shape {m.shape} and input of shape {x.shape} do not broadcast"
        ) from None
    return broadcast_to(x, shape)[np.broadcast_to(m, shape)]


@export
def nonzero(x, as_tuple=False):
    """The indices of the nonzero entries: an (n, ndim) int64 tensor, or one 1-D tensor per dim. No gradient."""
    found = np.argwhere(np.asarray(x.array)).astype(np.int64)
    if as_tuple:
        if x.ndim == 0:
            return (wrap(np.zeros(int(bool(x.array)), dtype=np.int64)),)
        return tuple(wrap(np.ascontiguousarray(found[:, i])) for i in range(x.ndim))
    return wrap(found)


@export
def select(x, dim, index):
    """The slice at ``index`` along ``dim``, that dim removed: ``x.select(1, 2)`` is ``x[:, 2]``."""
    d = _dim_of("select", dim, x.ndim)
    if not -x.shape[d] <= index < x.shape[d]:
        raise IndexError(f"select: index {index} is out of range for dim {d} of size {x.shape[d]} (shape {x.shape})")
    return x[(slice(None),) * d + (int(index),)]


@export
def take(x, index):
    """The entries of the flattened x at ``index`` (any shape; the result has index's shape)."""
    idx = _int_index("take", index)
    if idx.size and (idx.min() < -x.array.size or idx.max() >= x.array.size):
        raise IndexError(f"take: index out of range for a tensor of {x.array.size} entries (shape {x.shape})")
    return x.reshape(-1)[idx]


def _along(name, x, dim, index, source_shape):
    """The key of ``index`` (1-D) along ``dim`` for a source of ``source_shape``."""
    d = _dim_of(name, dim, x.ndim)
    idx = _int_index(name, index)
    if idx.ndim > 1:
        raise ShapeError(f"{name}: index must be 1-D, got shape {idx.shape}")
    expected = x.shape[:d] + (idx.shape[0],) + x.shape[d + 1 :]
    if source_shape is not None and tuple(source_shape) != expected and x.ndim:
        raise ShapeError(f"{name}: source of shape {tuple(source_shape)} must have shape {expected} (input {x.shape})")
    if idx.size and (idx.min() < -max(x.shape[d] if x.ndim else 1, 1) or idx.max() >= (x.shape[d] if x.ndim else 1)):
        raise IndexError(f"{name}: index out of range for dim {d} of size {x.shape[d] if x.ndim else 1}")
    return (slice(None),) * d + (idx,)


@export(
    methods=(
        "index_add",
        (
            "index_add_",
            lambda self, dim, index, source, *, alpha=1: _in_place(self, index_add, dim, index, source, alpha=alpha),
        ),
    )
)
def index_add(x, dim, index, source, *, alpha=1):
    """x with alpha·source added at ``index`` along ``dim`` (repeated indices add up)."""
    key = _along("index_add", x, dim, index, _shape_of(source))
    if alpha != 1:
        source = source * alpha
    return x + index_add_zeros(
        source if isinstance(source, Tensor) else as_tensor(source, like=x), (key, False, x.shape)
    )


@export(
    methods=(
        "index_copy",
        ("index_copy_", lambda self, dim, index, source: _in_place(self, index_copy, dim, index, source)),
    )
)
def index_copy(x, dim, index, source):
    """A copy of x with source's slices written at ``index`` along ``dim``."""
    key = _along("index_copy", x, dim, index, _shape_of(source))
    out = clone(x)
    index_put_(out, key, source)
    return out


@export(
    methods=(
        "index_fill",
        ("index_fill_", lambda self, dim, index, value: _in_place(self, index_fill, dim, index, value)),
    )
)
def index_fill(x, dim, index, value):
    """A copy of x with ``value`` at every entry of the slices ``index`` along ``dim``."""
    key = _along("index_fill", x, dim, index, None)
    mask = np.zeros(x.shape, dtype=bool)
    mask[key] = True
    return masked_fill(x, mask, value)


def _in_place(x, fn, *args, **kwargs):
    """``x.<op>_(...)``: x takes the result of ``fn(x, ...)`` (in the graph when recording).

    The tensor argument is handed to ``update_inplace`` so that a source that requires grad makes
    the write recorded even when x does not.
    """
    source = next((a for a in args if isinstance(a, Tensor) and a.requires_grad), None)
    return update_inplace(x, lambda old, _: fn(old, *args, **kwargs), source, fn.__name__ + "_")


def _shape_of(v):
    return v.shape if isinstance(v, Tensor) else np.shape(v)


@export
def argwhere(x):
    """The indices of the nonzero entries, an (n, ndim) int64 tensor (as ``nonzero()``). No gradient."""
    return nonzero(x)
