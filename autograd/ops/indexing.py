"""Indexing: ``x[key]`` (slices, ints, None, Ellipsis, integer arrays, boolean masks), its adjoint
the scatter-add, ``x[key] = v``, and gather along a dim (``take_along_dim``)."""

from __future__ import annotations

import numpy as np

from ..extend import Op, ShapeError, Tensor, apply, as_tensor, dual, export, grad_mode
from ..inplace import update_inplace

TITLE = "indexing"  # the family's name in the README op table


def _key(key):
    """The key with Tensors turned into arrays; ``basic`` when no advanced index is involved."""
    items = key if isinstance(key, tuple) else (key,)
    out = []
    basic = True
    for k in items:
        if isinstance(k, Tensor):
            k = k.data
        if isinstance(k, list):
            k = np.asarray(k)
        if isinstance(k, np.ndarray):
            if k.dtype.kind not in "iub":
                raise IndexError(f"tensors used as indices must be integer or boolean, got dtype {k.dtype}")
            basic = False
        elif not (k is None or k is Ellipsis or isinstance(k, (slice, int, np.integer))):
            raise IndexError(f"unsupported index {k!r}: use ints, slices, None, ..., or integer/boolean arrays")
        out.append(k)
    return (tuple(out) if isinstance(key, tuple) or len(out) != 1 else out[0]), basic


@export(methods=("__getitem__",))
def index(x, key):
    """x[key]; the VJP scatters g back, adding where an index repeats."""
    k, basic = _key(key)
    try:
        data = x.data[k]
    except IndexError as e:
        raise IndexError(f"index: {e} (tensor of shape {x.shape})") from None
    return apply(INDEX, np.asarray(data) if not basic else data, (x,), (k, basic, x.shape))


def _index_vjp(g, ctx, out, x):
    return index_add_zeros(g, ctx)


INDEX = Op("index", (_index_vjp,), keeps_shape=False, rule="∂L/∂x = zeros with g scatter-added at the index")


def _scatter_array(g, ctx):
    k, basic, shape = ctx
    z = np.zeros(shape, dtype=g.dtype)
    if basic:
        z[k] = g
    else:
        np.add.at(z, k, g)
    return z


def index_add_zeros(g, ctx):
    """A zero tensor of the indexed shape with ``g`` added at the key (the adjoint of indexing)."""
    if isinstance(g, Tensor):
        return apply(SCATTER, _scatter_array(g.data, ctx), (g,), ctx)
    return _scatter_array(g, ctx)


SCATTER = Op(
    "scatter_add",
    (lambda g, ctx, out, src: index(g, ctx[0]) if isinstance(g, Tensor) else g[ctx[0]],),
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
        np.broadcast_to(value.data, np.shape(x.data[k]))
    except ValueError:
        raise ShapeError(
            f"setitem: value of shape {value.shape} cannot be broadcast to the indexed shape {np.shape(x.data[k])}"
        ) from None
    if grad_mode.enabled and (x.requires_grad or value.requires_grad):
        return update_inplace(x, lambda old, v: _index_put(old, k, v), value, "index_put_")
    x.data[k] = value.data
    x._version += 1
    return x


def _index_put(x, k, value):
    data = x.data.copy()
    data[k] = value.data
    kept = np.ones(x.shape, dtype=bool)
    kept[k] = False
    return apply(INDEX_PUT, data, (x, value), (k, kept, value.shape))


INDEX_PUT = Op(
    "index_put",
    (
        lambda g, ctx, out, x, v: dual.where(ctx[1], g, 0.0),
        lambda g, ctx, out, x, v: dual.sum_to(g[ctx[0]], ctx[2]),
    ),
    keeps_shape=False,
    rule="∂L/∂x = g where not overwritten,  ∂L/∂v = g[index] summed to v's shape",
)


@export
def take_along_dim(x, indices, dim):
    """Gather: out[..i..] = x[..indices[..i..]..] along ``dim`` (NumPy's take_along_axis)."""
    idx = np.asarray(indices.data if isinstance(indices, Tensor) else indices)
    try:
        data = np.take_along_axis(x.data, idx, axis=dim)
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
    if isinstance(g, Tensor):
        return apply(SCATTER_DIM, _scatter_dim(g.data, ctx), (g,), ctx)
    return _scatter_dim(g, ctx)


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
