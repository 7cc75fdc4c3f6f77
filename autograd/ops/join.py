"""Joining and padding: cat, stack, pad (their VJPs slice the gradient apart), and composites:
hstack, vstack, dstack, column_stack, diff.

The reflect, replicate and circular pads are gathers (``index_select`` with an index per padded
dim), so their gradient adds each copy's share back to its source for free.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from ..extend import Op, ShapeError, Tensor, apply, as_tensor, export, wrap
from .dims import normalize_dims
from .indexing import index_add_zeros, index_select
from .shape import narrow

TITLE = "joining"  # the family's name in the README op table


class _PerInput:
    """``vjps[i]`` of a variadic op: one rule, told which input it serves."""

    def __init__(self, rule):
        self.rule = rule

    def __getitem__(self, i):
        return functools.partial(self.rule, i)


def _tensors(name, tensors):
    tensors = [t if isinstance(t, Tensor) else as_tensor(t) for t in tensors]
    if not tensors:
        raise ValueError(f"{name}: expected a non-empty sequence of tensors")
    return tensors


@export(methods=())
def cat(tensors, dim=0):
    """Join along an existing dim."""
    tensors = _tensors("cat", tensors)
    ref = tensors[0]
    (d,) = normalize_dims(dim, ref.ndim, "cat") if ref.ndim else (None,)
    if d is None:
        raise ShapeError("cat: zero-dimensional tensors cannot be concatenated; use stack")
    for t in tensors[1:]:
        if t.ndim != ref.ndim or t.shape[:d] + t.shape[d + 1 :] != ref.shape[:d] + ref.shape[d + 1 :]:
            shapes = ", ".join(str(tuple(x.shape)) for x in tensors)
            raise ShapeError(f"cat: tensors must match in every dim but {d}; got shapes {shapes}")
    data = np.concatenate([t.array for t in tensors], axis=d)
    offsets = np.cumsum([0] + [t.shape[d] for t in tensors]).tolist()
    return apply(CAT, data, tuple(tensors), (d, offsets))


def _cat_vjp(i, g, ctx, out):
    d, offsets = ctx
    return g[(slice(None),) * d + (slice(offsets[i], offsets[i + 1]),)]


CAT = Op(
    "cat",
    _PerInput(_cat_vjp),
    variadic=True,
    keeps_shape=False,
    describe=lambda ctx: f"dim={ctx[0]}",
    rule="∂L/∂xᵢ = the slice of g that xᵢ filled",
)


@export(methods=())
def stack(tensors, dim=0):
    """Join along a new dim."""
    tensors = _tensors("stack", tensors)
    shapes = {tuple(t.shape) for t in tensors}
    if len(shapes) != 1:
        raise ShapeError(
            f"stack: every tensor must have the same shape, got {', '.join(str(tuple(t.shape)) for t in tensors)}"
        )
    nd = tensors[0].ndim + 1
    if not -nd <= dim < nd:
        raise IndexError(f"stack: dimension out of range (expected to be in range of [{-nd}, {nd - 1}], but got {dim})")
    d = dim % nd
    return apply(STACK, np.stack([t.array for t in tensors], axis=d), tuple(tensors), d)


def _stack_vjp(i, g, d, out):
    return g[(slice(None),) * d + (i,)]


STACK = Op(
    "stack",
    _PerInput(_stack_vjp),
    variadic=True,
    keeps_shape=False,
    describe=lambda d: f"dim={d}",
    rule="∂L/∂xᵢ = g[i] along the new dim",
)


_NUMPY_MODES = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}


@export(methods=())
def pad(x, pad, mode="constant", value=None):
    """Pad as PyTorch's F.pad: ``pad`` = (left, right) for the last dim, then the one before, ...

    ``mode``: "constant" (``value``, 0 by default), "reflect" (mirror without the edge),
    "replicate" (repeat the edge) or "circular" (wrap around). Negative amounts crop.
    """
    pad = tuple(int(p) for p in pad)
    if len(pad) % 2 or len(pad) // 2 > x.ndim:
        raise ShapeError(f"pad: needs pairs (left, right) for at most {x.ndim} dims, got {pad} for shape {x.shape}")
    widths = [(0, 0)] * x.ndim
    for k in range(len(pad) // 2):
        widths[x.ndim - 1 - k] = (pad[2 * k], pad[2 * k + 1])
    for d, ((a, b), n) in enumerate(zip(widths, x.shape)):
        if n + a + b < 0:
            raise ShapeError(
                f"pad: dim {d} of size {n} padded by ({a}, {b}) would have size {n + a + b}: crop at most its size"
            )
    if mode == "constant":
        return _pad_constant(x, pad, widths, 0.0 if value is None else value)
    if mode not in _NUMPY_MODES:
        raise ValueError(f"pad: mode must be 'constant', 'reflect', 'replicate' or 'circular', got {mode!r}")
    if value is not None and value != 0:
        raise ValueError(f"pad: value={value} applies to mode='constant' only, not {mode!r}")
    for d, (a, b) in enumerate(widths):
        if a or b:
            x = index_select(x, d, _pad_index(mode, x.shape[d], a, b, d, x.shape))
    return x


def _pad_index(mode, n, a, b, d, shape):
    """The source index of each position of dim ``d`` (size n) padded by (a, b) in ``mode``."""
    # NOTE: negative amounts crop first, then the rest pads the cropped dim (PyTorch's order: it matters for circular).
    kept = np.arange(n)[-min(a, 0) : n + min(b, 0)]
    grow = max(a, 0), max(b, 0)
    limit = {"reflect": kept.size - 1, "circular": kept.size}.get(mode, math.inf if kept.size else 0)
    if max(grow) > limit:
        need = {"reflect": "smaller than the dim's size", "circular": "at most the dim's size"}.get(
            mode, "a non-empty dim"
        )
        raise ShapeError(
            f"pad: mode={mode!r} pads dim {d} of size {n} (input of shape {shape}) by {(a, b)}: padding must be {need}"
        )
    return np.pad(kept, grow, mode=_NUMPY_MODES[mode])


def _pad_constant(x, pad, widths, value):
    grow = [(max(a, 0), max(b, 0)) for a, b in widths]
    data = np.pad(x.array, grow, mode="constant", constant_values=value)
    crop = tuple(slice(-min(a, 0), data.shape[i] - (-min(b, 0))) for i, (a, b) in enumerate(widths))
    data = data[crop]
    if any(n < 0 for n in data.shape):
        raise ShapeError(f"pad: {pad} crops more than the shape {x.shape} has")
    # the slice of the padded result where x sits
    inner = tuple(slice(max(a, 0), max(a, 0) + n + min(a, 0) + min(b, 0)) for (a, b), n in zip(widths, x.shape))
    outer = tuple(slice(-min(a, 0), n - (-min(b, 0))) for (a, b), n in zip(widths, x.shape))
    return apply(PAD, np.ascontiguousarray(data), (x,), (inner, outer, x.shape))


def _pad_vjp(g, ctx, out, x):
    inner, outer, shape = ctx
    if all(s.start == 0 and s.stop == n for s, n in zip(outer, shape)):
        return g[inner]
    return index_add_zeros(g[inner], (outer, True, shape))


PAD = Op("pad", (_pad_vjp,), keeps_shape=False, rule="∂L/∂x = g with the padding cut off")


@export
def diff(x, n=1, dim=-1, prepend=None, append=None):
    """The n-th forward difference along ``dim`` (with ``prepend``/``append`` joined first)."""
    (d,) = normalize_dims(dim, x.ndim, "diff")
    parts = [p for p in (prepend, x, append) if p is not None]
    if len(parts) > 1:
        x = cat([p if isinstance(p, Tensor) else wrap(np.asarray(p, dtype=x.dtype)) for p in parts], d)
    for _ in range(n):
        length = x.shape[d]
        if length == 0:
            break
        x = narrow(x, d, 1, length - 1) - narrow(x, d, 0, length - 1)
    return x


@export(methods=())
def hstack(tensors):
    """Join along dim 1 (dim 0 for 1-D tensors), as torch.hstack."""
    ts = [t.reshape((1,)) if t.ndim == 0 else t for t in _tensors("hstack", tensors)]
    return cat(ts, 0 if ts[0].ndim == 1 else 1)


@export(methods=())
def vstack(tensors):
    """Join along dim 0, 1-D tensors taken as rows."""
    return cat([t.reshape((1, -1)) if t.ndim < 2 else t for t in _tensors("vstack", tensors)], 0)


@export(methods=())
def dstack(tensors):
    """Join along dim 2 (depth), tensors of fewer dims made (1, n, 1) or (m, n, 1) first."""
    ts = []
    for t in _tensors("dstack", tensors):
        if t.ndim < 2:
            t = t.reshape((1, -1, 1))
        elif t.ndim == 2:
            t = t.reshape(t.shape + (1,))
        ts.append(t)
    return cat(ts, 2)


@export(methods=())
def column_stack(tensors):
    """Join as columns: 0-d and 1-D tensors become (n, 1) columns, then join along dim 1."""
    ts = [t.reshape((-1, 1)) if t.ndim < 2 else t for t in _tensors("column_stack", tensors)]
    return cat(ts, 1)
