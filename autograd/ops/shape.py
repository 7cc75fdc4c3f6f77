"""Shape ops: reshape, permute/transpose, squeeze/unsqueeze, expand/broadcast, sum_to, clone, cast,
and their composites (flip, roll, tril/triu, repeat, tile, split/chunk/unbind, narrow, movedim, ...).

Reshape-like ops return NumPy views (no copy); their VJP reshapes the gradient back.
"""

from __future__ import annotations

import numpy as np

from ..extend import Op, ShapeError, Tensor, apply, dual, export, shape_arg, unbroadcast_array, wrap
from ..tensor import to_arguments
from .dims import normalize_dims
from .unary import where

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
        data = x.array.reshape(shape)
    except ValueError:
        raise ShapeError(
            f"reshape: cannot view a tensor of shape {x.shape} ({x.array.size} elements) as shape {tuple(shape)}"
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
    return apply(SQUEEZE, x.array.reshape(new), (x,), x.shape)


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
    return apply(UNSQUEEZE, x.array.reshape(x.shape[:d] + (1,) + x.shape[d:]), (x,), x.shape)


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
    return apply(PERMUTE, x.array.transpose(dims), (x,), inverse)


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
        data = np.broadcast_to(x.array, shape)
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
    return apply(SUM_TO, np.ascontiguousarray(unbroadcast_array(x.array, shape)), (x,), x.shape)


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
    return apply(CLONE, x.array.copy(), (x,))


CLONE = Op("clone", (lambda g, ctx, out, x: g,), keeps_shape=True, rule="∂L/∂x = g")


def _to_method(self, *args, dtype=None, device=None, non_blocking=False, copy=False, memory_format=None):
    # PyTorch's forms: .to(dtype), .to(device), .to(device, dtype), .to(other), .to(dtype=, device=).
    dtype = to_arguments(args, dtype, device)
    out = self if dtype is None else cast(self, dtype)
    return clone(out) if copy and out is self else out


@export(
    methods=(
        ("to", _to_method),
        ("float", lambda self: cast(self, np.float32)),
        ("double", lambda self: cast(self, np.float64)),
        ("half", lambda self: cast(self, np.float16)),
        ("long", lambda self: cast(self, np.int64)),
        ("int", lambda self: cast(self, np.int32)),
        ("bool", lambda self: cast(self, np.bool_)),
        ("short", lambda self: cast(self, np.int16)),
        ("byte", lambda self: cast(self, np.uint8)),
        ("char", lambda self: cast(self, np.int8)),
        ("type_as", lambda self, other: cast(self, other.dtype)),
    )
)
def cast(x, dtype):
    """Convert to ``dtype``; between float types the gradient is cast back."""
    dtype = np.dtype(dtype)
    if dtype == x.dtype:
        return x
    if dtype.kind != "f" or x.dtype.kind != "f":
        return wrap(x.array.astype(dtype))
    return apply(CAST, x.array.astype(dtype), (x,), x.dtype)


def _cast_vjp(g, in_dtype, out, x):
    return cast(g, in_dtype) if isinstance(g, Tensor) else g.astype(in_dtype)


CAST = Op(
    "to",
    (_cast_vjp,),
    keeps_shape=True,
    describe=lambda in_dtype: f"from {np.dtype(in_dtype)}",
    rule="∂L/∂x = g cast to x's dtype",
)


# Composites: each is built from indexing, permute, reshape and broadcast_to, so its gradient
# (and second derivative) comes from those ops.


def _dim(name, dim, ndim):
    return normalize_dims((dim,), ndim, name)[0]


def _dims_method(fn):
    def method(self, *dims):
        return fn(self, shape_arg(dims))

    return method


@export(methods=(("flip", _dims_method(lambda self, dims: flip(self, dims))),))
def flip(x, dims):
    """Reverse the order of the entries along ``dims``."""
    dims = normalize_dims(tuple(dims) if not isinstance(dims, (int, np.integer)) else dims, x.ndim, "flip")
    if not dims:
        return x
    return x[tuple(slice(None, None, -1) if i in dims else slice(None) for i in range(x.ndim))]


@export
def roll(x, shifts, dims=None):
    """Shift the entries cyclically by ``shifts`` along ``dims`` (None: along the flattened tensor)."""
    if dims is None:
        if not isinstance(shifts, (int, np.integer)):
            (shifts,) = shifts
        return reshape(roll(flatten(x), shifts, 0), x.shape)
    shifts = (shifts,) if isinstance(shifts, (int, np.integer)) else tuple(shifts)
    dims = (dims,) if isinstance(dims, (int, np.integer)) else tuple(dims)
    if len(shifts) != len(dims):
        raise ValueError(f"roll: shifts {shifts} and dims {dims} must have the same length")
    out = x
    for s, d in zip(shifts, dims):
        d = _dim("roll", d, x.ndim)
        n = x.shape[d]
        if n == 0 or int(s) % n == 0:
            continue
        idx = (np.arange(n) - int(s)) % n
        out = out[(slice(None),) * d + (idx,)]
    return out


def _triangle(name, x, diagonal, lower):
    if x.ndim < 2:
        raise ShapeError(f"{name}: input must have at least 2 dims, got shape {x.shape}")
    m, n = x.shape[-2:]
    rows, cols = np.arange(m)[:, None], np.arange(n)[None, :]
    keep = cols - rows <= diagonal if lower else cols - rows >= diagonal
    return where(keep, x, np.zeros((), dtype=x.dtype))


@export
def tril(x, diagonal=0):
    """The lower triangle of the last two dims (entries above ``diagonal`` are zeroed)."""
    return _triangle("tril", x, int(diagonal), True)


@export
def triu(x, diagonal=0):
    """The upper triangle of the last two dims (entries below ``diagonal`` are zeroed)."""
    return _triangle("triu", x, int(diagonal), False)


@export(methods=(("repeat", lambda self, *sizes: repeat(self, shape_arg(sizes))),))
def repeat(x, sizes):
    """PyTorch's repeat: tile the tensor ``sizes[i]`` times along dim i (leading new dims allowed)."""
    sizes = tuple(int(s) for s in sizes)
    if len(sizes) < x.ndim:
        raise ShapeError(
            f"repeat: the number of repeat dims ({len(sizes)}) cannot be smaller than the dims of shape {x.shape}"
        )
    if any(s < 0 for s in sizes):
        raise ValueError(f"repeat: repeats must be non-negative, got {sizes}")
    shape = (1,) * (len(sizes) - x.ndim) + tuple(x.shape)
    spread = tuple(v for n in shape for v in (1, n))
    target = tuple(v for r, n in zip(sizes, shape) for v in (r, n))
    out = broadcast_to(reshape(x, spread), target)
    return reshape(out, tuple(r * n for r, n in zip(sizes, shape)))


@export(methods=(("tile", lambda self, *dims: tile(self, shape_arg(dims))),))
def tile(x, dims):
    """Repeat as NumPy's tile: fewer ``dims`` than the tensor has are padded with 1s in front."""
    dims = tuple(int(d) for d in dims)
    return repeat(x, (1,) * (x.ndim - len(dims)) + dims)


@export
def repeat_interleave(x, repeats, dim=None):
    """Repeat each entry ``repeats`` times (an int or one count per entry) along ``dim``."""
    if dim is None:
        x, dim = flatten(x), 0
    d = _dim("repeat_interleave", dim, x.ndim)
    reps = np.asarray(repeats.array if isinstance(repeats, Tensor) else repeats)
    if reps.dtype.kind not in "iu" or reps.ndim > 1 or (reps.ndim == 1 and reps.shape[0] not in (1, x.shape[d])):
        raise ShapeError(
            f"repeat_interleave: repeats must be an int or a 1-D integer tensor of size 1 or {x.shape[d]} "
            f"(dim {d} of shape {x.shape}), got {reps.dtype} of shape {reps.shape}"
        )
    if np.any(reps < 0):
        raise ValueError("repeat_interleave: repeats must be non-negative")
    idx = np.repeat(np.arange(x.shape[d]), reps.reshape(-1) if reps.ndim else int(reps))
    return x[(slice(None),) * d + (idx,)]


@export
def split(x, split_size_or_sections, dim=0):
    """Split into pieces of ``split_size`` (the last may be smaller) or of the listed sizes: a tuple."""
    d = _dim("split", dim, x.ndim)
    n = x.shape[d]
    if isinstance(split_size_or_sections, (int, np.integer)):
        size = int(split_size_or_sections)
        if size <= 0 and n > 0:
            raise ValueError(f"split: split_size must be positive, got {size}")
        sizes = [min(size, n - s) for s in range(0, n, size)] if n else [0]
    else:
        sizes = [int(s) for s in split_size_or_sections]
        if sum(sizes) != n or any(s < 0 for s in sizes):
            raise ShapeError(f"split: sizes {sizes} must be non-negative and sum to {n} (dim {d} of shape {x.shape})")
    starts = np.cumsum([0] + sizes).tolist()
    return tuple(x[(slice(None),) * d + (slice(a, a + s),)] for a, s in zip(starts, sizes))


@export
def chunk(x, chunks, dim=0):
    """Split into at most ``chunks`` pieces of ceil(size / chunks) entries: a tuple."""
    chunks = int(chunks)
    if chunks <= 0:
        raise ValueError(f"chunk: chunks must be positive, got {chunks}")
    d = _dim("chunk", dim, x.ndim)
    n = x.shape[d]
    return split(x, max(-(-n // chunks), 1), d)


@export
def unbind(x, dim=0):
    """The slices along ``dim``, that dim removed: a tuple."""
    d = _dim("unbind", dim, x.ndim)
    return tuple(x[(slice(None),) * d + (i,)] for i in range(x.shape[d]))


@export
def narrow(x, dim, start, length):
    """The ``length`` entries from ``start`` along ``dim`` (a view)."""
    d = _dim("narrow", dim, x.ndim)
    n = x.shape[d]
    start, length = int(start), int(length)
    if start < 0:
        start += n
    if not 0 <= start <= n or length < 0 or start + length > n:
        raise IndexError(f"narrow: start {start} and length {length} do not fit dim {d} of size {n} (shape {x.shape})")
    return x[(slice(None),) * d + (slice(start, start + length),)]


@export(methods=("movedim", "moveaxis"))
def movedim(x, source, destination):
    """Move the dims ``source`` to the positions ``destination``; the others keep their order."""
    src = (source,) if isinstance(source, (int, np.integer)) else tuple(source)
    dst = (destination,) if isinstance(destination, (int, np.integer)) else tuple(destination)
    if len(src) != len(dst):
        raise ValueError(f"movedim: source {src} and destination {dst} must have the same number of dims")
    lo, hi = -max(x.ndim, 1), max(x.ndim, 1) - 1
    for d in src + dst:
        if not lo <= d <= hi:
            raise IndexError(f"movedim: dimension out of range (expected to be in range of [{lo}, {hi}], but got {d})")
    if x.ndim == 0:
        return x
    src = [d % x.ndim for d in src]
    dst = [d % x.ndim for d in dst]
    if len(set(src)) != len(src) or len(set(dst)) != len(dst):
        raise ValueError(f"movedim: repeated dim in source {source} or destination {destination}")
    perm = [None] * x.ndim
    for a, b in zip(src, dst):
        perm[b] = a
    rest = iter(d for d in range(x.ndim) if d not in src)
    return permute(x, [next(rest) if p is None else p for p in perm])


@export(methods=("swapaxes", "swapdims"))
def swapaxes(x, axis0, axis1):
    """Swap two dims (transpose)."""
    return transpose(x, axis0, axis1)


@export
def unflatten(x, dim, sizes):
    """Split dim ``dim`` into ``sizes`` (one may be -1)."""
    d = _dim("unflatten", dim, x.ndim)
    sizes = tuple(int(s) for s in sizes)
    known = int(np.prod([s for s in sizes if s != -1]))
    if (
        sizes.count(-1) > 1
        or (-1 not in sizes and known != x.shape[d])
        or (-1 in sizes and (known == 0 or x.shape[d] % known))
    ):
        raise ShapeError(f"unflatten: sizes {sizes} do not multiply to dim {d} of size {x.shape[d]} (shape {x.shape})")
    if -1 in sizes:
        sizes = tuple(x.shape[d] // known if s == -1 else s for s in sizes)
    return reshape(x, x.shape[:d] + sizes + x.shape[d + 1 :])


@export
def contiguous(x):
    """The tensor itself if its entries are laid out in C order, else a C-ordered copy (clone)."""
    return x if x.array.flags.c_contiguous else clone(x)


@export
def t(x):
    """The transpose of a matrix (a 0-d or 1-D tensor is returned as it is), PyTorch's ``t()``."""
    if x.ndim > 2:
        raise ShapeError(f"t: expects a tensor of at most 2 dims, got shape {x.shape}; use transpose or mT")
    return transpose(x, 0, 1) if x.ndim == 2 else x


@export
def fliplr(x):
    """Reverse the columns (dim 1) of a tensor of at least 2 dims."""
    if x.ndim < 2:
        raise ShapeError(f"fliplr: needs at least 2 dims, got shape {x.shape}")
    return flip(x, (1,))


@export
def flipud(x):
    """Reverse the rows (dim 0) of a tensor of at least 1 dim."""
    if x.ndim < 1:
        raise ShapeError("fliplr: needs at least 1 dim, got a 0-d tensor")
    return flip(x, (0,))


@export
def rot90(x, k=1, dims=(0, 1)):
    """Rotate by k·90° in the plane of ``dims``, from the first dim's direction toward the second's."""
    if len(dims) != 2 or x.ndim < 2:
        raise ShapeError(f"rot90: needs two dims of a tensor of at least 2 dims, got dims {dims} and shape {x.shape}")
    d0, d1 = normalize_dims(dims, x.ndim, "rot90")
    if d0 == d1:
        raise ShapeError(f"rot90: the two dims must differ, got {dims}")
    k %= 4
    if k == 0:
        return x * 1 if x.dtype.kind == "f" else clone(x)
    if k == 2:
        return flip(x, (d0, d1))
    if k == 1:
        return transpose(flip(x, (d1,)), d0, d1)
    return flip(transpose(x, d0, d1), (d1,))


@export(methods=())
def broadcast_tensors(*tensors):
    """The tensors broadcast to their common shape."""
    shape = np.broadcast_shapes(*(np.shape(t.array) for t in tensors))
    return tuple(broadcast_to(t, shape) for t in tensors)


@export(methods=())
def meshgrid(*tensors, indexing="ij"):
    """Coordinate grids from 1-D tensors: 'ij' (PyTorch's default) or 'xy' (the first two swapped)."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing not in ("ij", "xy"):
        raise ValueError(f"meshgrid: indexing must be 'ij' or 'xy', got {indexing!r}")
    if any(t.ndim > 1 for t in tensors):
        raise ShapeError(f"meshgrid: expects 0-d or 1-D tensors, got shapes {[t.shape for t in tensors]}")
    flat = [reshape(t, (-1,)) for t in tensors]
    if indexing == "xy" and len(flat) >= 2:
        flat[0], flat[1] = flat[1], flat[0]
    shape = tuple(t.shape[0] for t in flat)
    grids = []
    for i, t in enumerate(flat):
        view = [1] * len(flat)
        view[i] = shape[i]
        grids.append(broadcast_to(reshape(t, tuple(view)), shape))
    if indexing == "xy" and len(grids) >= 2:  # 'ij' of (y, x, ...), handed back as (x, y, ...)
        grids[0], grids[1] = grids[1], grids[0]
    return tuple(grids)


@export
def tensor_split(x, indices_or_sections, dim=0):
    """Split into n parts as equal as can be (the first ones one longer), or at the given indices."""
    (d,) = normalize_dims(dim, x.ndim, "tensor_split")
    size = x.shape[d]
    if isinstance(indices_or_sections, (int, np.integer)):
        n = int(indices_or_sections)
        if n <= 0:
            raise ValueError(f"tensor_split: the number of sections must be positive, got {n}")
        q, r = divmod(size, n)
        bounds = np.cumsum([0] + [q + 1] * r + [q] * (n - r)).tolist()
    else:
        cuts = [int(min(max(i + size if i < 0 else i, 0), size)) for i in indices_or_sections]
        bounds = [0, *cuts, size]
    return tuple(narrow(x, d, a, max(b - a, 0)) for a, b in zip(bounds[:-1], bounds[1:]))
