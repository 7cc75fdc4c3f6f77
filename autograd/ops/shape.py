"""Shape ops: reshape, permute/transpose, squeeze/unsqueeze, expand/broadcast, sum_to, clone, cast.

Reshape-like ops return NumPy views (no copy); their VJP reshapes the gradient back.
"""

from __future__ import annotations

import numpy as np

from ..extend import Op, ShapeError, Tensor, apply, dual, export, shape_arg, unbroadcast_array, wrap
from .dims import normalize_dims

TITLE = "shape"  # the family's name in the README op table


def _reshape_back(g, in_shape, out, x):
    return g.reshape(in_shape)


def _reshape_method(self, *shape):
    return reshape(self, shape_arg(shape))


def _reshape_as(self, other):
    return reshape(self, other.shape)


@export(
    methods=(
        ("reshape", _reshape_method),
        ("view", _reshape_method),
        ("view_as", _reshape_as),
        ("reshape_as", _reshape_as),
    )
)
def reshape(x, shape):
    """The same entries in a new shape (one dimension may be -1)."""
    try:
        data = x.data.reshape(shape)
    except ValueError:
        raise ShapeError(
            f"reshape: cannot view a tensor of shape {x.shape} ({x.data.size} elements) as shape {tuple(shape)}"
        ) from None
    return apply(RESHAPE, data, (x,), x.shape)


def _describe_from_shape(in_shape):
    return f"from {tuple(in_shape)}"


RESHAPE = Op(
    "reshape",
    (_reshape_back,),
    keeps_shape=False,
    describe=_describe_from_shape,
    rule="∂L/∂x = reshape(g, shape of x)",
)


@export
def flatten(x, start_dim=0, end_dim=-1):
    """Merge dims start_dim..end_dim into one."""
    if x.ndim == 0:
        return reshape(x, (1,))
    s, e = normalize_dims((start_dim,), x.ndim, "flatten")[0], normalize_dims((end_dim,), x.ndim, "flatten")[0]
    if s > e:
        raise ValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim}")
    n = 1
    for d in x.shape[s : e + 1]:
        n *= d
    return reshape(x, x.shape[:s] + (n,) + x.shape[e + 1 :])


@export
def squeeze(x, dim=None):
    """Drop dims of size 1 (only ``dim`` if given; a dim of another size is kept, as PyTorch)."""
    if dim is None:
        new = tuple(n for n in x.shape if n != 1)
    else:
        dims = normalize_dims(dim, x.ndim, "squeeze")
        new = tuple(n for i, n in enumerate(x.shape) if not (i in dims and n == 1))
    return apply(SQUEEZE, x.data.reshape(new), (x,), x.shape)


SQUEEZE = Op(
    "squeeze",
    (_reshape_back,),
    keeps_shape=False,
    describe=_describe_from_shape,
    rule="∂L/∂x = reshape(g, shape of x)",
)


@export
def unsqueeze(x, dim):
    """Insert a dim of size 1 at ``dim``."""
    nd = x.ndim + 1
    if not -nd <= dim < nd:
        raise IndexError(
            f"unsqueeze: dimension out of range (expected to be in range of [{-nd}, {nd - 1}], but got {dim})"
        )
    d = dim % nd
    return apply(UNSQUEEZE, x.data.reshape(x.shape[:d] + (1,) + x.shape[d:]), (x,), x.shape)


UNSQUEEZE = Op(
    "unsqueeze",
    (_reshape_back,),
    keeps_shape=False,
    describe=_describe_from_shape,
    rule="∂L/∂x = reshape(g, shape of x)",
)


def _permute_method(self, *dims):
    return permute(self, shape_arg(dims))


def _reversed_dims(self):
    return permute(self, tuple(range(self.ndim - 1, -1, -1)))


@export(methods=(("permute", _permute_method), ("T", property(_reversed_dims))))
def permute(x, dims):
    """Reorder the dims."""
    dims = tuple(int(d) for d in dims)
    if sorted(d % x.ndim if x.ndim else 0 for d in dims) != list(range(x.ndim)):
        raise ValueError(f"permute: {dims} is not a permutation of the {x.ndim} dims of a tensor of shape {x.shape}")
    dims = tuple(d % x.ndim for d in dims) if x.ndim else ()
    inverse = tuple(np.argsort(dims))
    return apply(PERMUTE, x.data.transpose(dims), (x,), inverse)


def _permute_vjp(g, inverse, out, x):
    return g.permute(inverse) if isinstance(g, Tensor) else g.transpose(inverse)


PERMUTE = Op("permute", (_permute_vjp,), keeps_shape=False, rule="∂L/∂x = g with the dims put back")


@export(methods=("transpose", ("mT", property(lambda self: transpose(self, -2, -1)))))
def transpose(x, dim0, dim1):
    """Swap two dims."""
    if x.ndim == 0:
        for d in (dim0, dim1):
            if d not in (0, -1):
                raise IndexError(f"transpose: dimension out of range (expected to be in range of [-1, 0], but got {d})")
        return x
    a, b = (normalize_dims((d,), x.ndim, "transpose")[0] for d in (dim0, dim1))
    dims = list(range(x.ndim))
    dims[a], dims[b] = dims[b], dims[a]
    return permute(x, dims)


@export(
    methods=(
        ("broadcast_to", lambda self, shape: broadcast_to(self, tuple(shape))),
        ("expand_as", lambda self, other: broadcast_to(self, other.shape)),
    )
)
def broadcast_to(x, shape):
    """A read-only broadcast view; its VJP sums the gradient back (sum_to)."""
    shape = tuple(shape)
    try:
        data = np.broadcast_to(x.data, shape)
    except ValueError:
        raise ShapeError(f"expand: a tensor of shape {x.shape} cannot be broadcast to {shape}") from None
    if data.shape == x.shape:
        return x
    return apply(BROADCAST_TO, data, (x,), x.shape)


BROADCAST_TO = Op(
    "expand",
    (lambda g, in_shape, out, x: dual.sum_to(g, in_shape),),
    keeps_shape=False,
    describe=_describe_from_shape,
    rule="∂L/∂x = g summed over the broadcast dims",
)


@export(methods=(("expand", lambda self, *sizes: expand(self, shape_arg(sizes))),))
def expand(x, sizes):
    """PyTorch's expand: -1 keeps a dim's size."""
    sizes = tuple(sizes)
    lead = len(sizes) - x.ndim
    if lead < 0:
        raise ShapeError(f"expand: the number of sizes {sizes} is less than the dims of shape {x.shape}")
    shape = tuple(x.shape[i - lead] if (s == -1 and i >= lead) else s for i, s in enumerate(sizes))
    return broadcast_to(x, shape)


@export(methods=(("sum_to_size", lambda self, *size: sum_to(self, shape_arg(size))),))
def sum_to(x, shape):
    """Sum over broadcast dims down to ``shape`` (the adjoint of broadcast_to)."""
    shape = tuple(shape)
    if x.shape == shape:
        return x
    return apply(SUM_TO, np.ascontiguousarray(unbroadcast_array(x.data, shape)), (x,), x.shape)


SUM_TO = Op(
    "sum_to",
    (lambda g, in_shape, out, x: dual.broadcast_to(g, in_shape),),
    keeps_shape=False,
    describe=_describe_from_shape,
    rule="∂L/∂x = g broadcast back",
)


@export
def clone(x):
    """A copy that stays in the graph."""
    return apply(CLONE, x.data.copy(), (x,))


CLONE = Op("clone", (lambda g, ctx, out, x: g,), keeps_shape=True, rule="∂L/∂x = g")


def _to_method(self, dtype=None, *args, **kwargs):
    # NOTE: PyTorch's .to also takes a device; there is only the CPU here.
    if dtype is None or (isinstance(dtype, str) and dtype.split(":")[0] == "cpu"):
        return self
    return cast(self, dtype)


@export(
    methods=(
        ("to", _to_method),
        ("float", lambda self: cast(self, np.float32)),
        ("double", lambda self: cast(self, np.float64)),
        ("half", lambda self: cast(self, np.float16)),
        ("long", lambda self: cast(self, np.int64)),
        ("int", lambda self: cast(self, np.int32)),
        ("bool", lambda self: cast(self, np.bool_)),
        ("type_as", lambda self, other: cast(self, other.dtype)),
    )
)
def cast(x, dtype):
    """Convert to ``dtype``; between float types the gradient is cast back."""
    dtype = np.dtype(dtype)
    if dtype == x.dtype:
        return x
    if dtype.kind != "f" or x.dtype.kind != "f":
        return wrap(x.data.astype(dtype))
    return apply(CAST, x.data.astype(dtype), (x,), x.dtype)


def _cast_vjp(g, in_dtype, out, x):
    return cast(g, in_dtype) if isinstance(g, Tensor) else g.astype(in_dtype)


CAST = Op(
    "to",
    (_cast_vjp,),
    keeps_shape=True,
    describe=lambda in_dtype: f"from {np.dtype(in_dtype)}",
    rule="∂L/∂x = g cast to x's dtype",
)
