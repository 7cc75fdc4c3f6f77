"""Resizing: ``interpolate`` (nearest, nearest-exact, linear, bilinear, trilinear), as PyTorch's.

A composite: each resized dim is a gather (``index_select``) of the source rows, and the linear
modes mix two gathers with constant weights, so the gradient (each output's share added back to
its source rows) comes free and to any order. The source positions follow PyTorch's kernels:
nearest takes ⌊dst·scale⌋ in float32, as they do; the linear modes take scale·(dst + ½) − ½
(clamped at 0), or dst·(n − 1)/(m − 1) with ``align_corners=True``.
"""

from __future__ import annotations

import math

import numpy as np

from ..extend import ShapeError, export, wrap
from .indexing import index_select

TITLE = "interpolation"  # the family's name in the README op table

_LINEAR = {"linear": 1, "bilinear": 2, "trilinear": 3}
_MODES = ("nearest", "nearest-exact") + tuple(_LINEAR)


def _per_dim(value, n, name):
    if isinstance(value, (tuple, list)):
        if len(value) != n:
            raise ValueError(f"interpolate: {name} must have {n} entries for a {n + 2}-D input, got {value!r}")
        return tuple(value)
    return (value,) * n


def _output_sizes(shape, size, scale_factor):
    """The output's spatial sizes, and the scale factor per dim (None where a size was given)."""
    n = len(shape) - 2
    if (size is None) == (scale_factor is None):
        raise ValueError("interpolate: give exactly one of size and scale_factor")
    if size is not None:
        sizes = tuple(int(s) for s in _per_dim(size, n, "size"))
        factors = (None,) * n
    else:
        factors = tuple(float(f) for f in _per_dim(scale_factor, n, "scale_factor"))
        sizes = tuple(int(math.floor(m * f)) for m, f in zip(shape[2:], factors))
    if min(sizes) < 1:
        raise ShapeError(f"interpolate: the output size {sizes} for input of shape {shape} must be positive")
    return sizes, factors


def _scale(n_in, n_out, factor, align_corners):
    """PyTorch's source step per output position."""
    if align_corners:
        return (n_in - 1) / (n_out - 1) if n_out > 1 else 0.0
    return 1.0 / factor if factor is not None else n_in / n_out


def _nearest_index(n_in, n_out, scale, exact):
    # NOTE: PyTorch computes ⌊dst·scale⌋ in float32; float64 would pick a different row where dst·scale rounds to an integer.
    dst = np.arange(n_out, dtype=np.float32) + (np.float32(0.5) if exact else np.float32(0.0))
    return np.minimum(np.floor(dst * np.float32(scale)).astype(np.intp), n_in - 1)


def _linear_taps(n_in, n_out, scale, align_corners):
    """The two source rows of each output position and the weight of the second."""
    dst = np.arange(n_out, dtype=np.float64)
    src = dst * scale if align_corners else np.maximum(scale * (dst + 0.5) - 0.5, 0.0)
    i0 = np.minimum(np.floor(src).astype(np.intp), n_in - 1)
    i1 = np.minimum(i0 + 1, n_in - 1)
    return i0, i1, src - i0


def _resize_dim(x, d, n_out, factor, mode, align_corners):
    """x resized along dim d to n_out positions."""
    n_in = x.shape[d]
    scale = _scale(n_in, n_out, factor, align_corners)
    if mode in ("nearest", "nearest-exact"):
        return index_select(x, d, _nearest_index(n_in, n_out, scale, mode == "nearest-exact"))
    i0, i1, w1 = _linear_taps(n_in, n_out, scale, align_corners)
    shape = (n_out,) + (1,) * (x.ndim - d - 1)
    w1 = wrap(w1.astype(x.dtype).reshape(shape))
    w0 = wrap((1.0 - w1.array).reshape(shape))
    return index_select(x, d, i0) * w0 + index_select(x, d, i1) * w1


@export(methods=())
def interpolate(
    input,
    size=None,
    scale_factor=None,
    mode="nearest",
    align_corners=None,
    recompute_scale_factor=None,
    antialias=False,
):
    """Resize the spatial dims of (N, C, L), (N, C, H, W) or (N, C, D, H, W) to ``size`` or by ``scale_factor``.

    With ``scale_factor`` the output is ⌊in·factor⌋ and the step is 1/factor (in/out with
    ``recompute_scale_factor=True``), as in PyTorch.
    """
    if mode not in _MODES:
        raise ValueError(f"interpolate: mode must be one of {_MODES}, got {mode!r}")
    if antialias:
        raise NotImplementedError("interpolate: antialias=True is not supported")
    spatial = input.ndim - 2
    if spatial < 1 or spatial > 3:
        raise ShapeError(f"interpolate: expected a 3-D, 4-D or 5-D input (N, C, ...), got shape {input.shape}")
    if mode in _LINEAR and _LINEAR[mode] != spatial:
        raise ShapeError(f"interpolate: mode={mode!r} needs a {_LINEAR[mode] + 2}-D input, got shape {input.shape}")
    if mode not in _LINEAR and align_corners is not None:
        raise ValueError(
            "interpolate: align_corners can only be set with the linear modes (linear, bilinear, trilinear)"
        )
    if mode in _LINEAR and input.dtype.kind != "f":
        raise TypeError(f"interpolate: mode={mode!r} needs a floating point input, got {input.dtype}")
    sizes, factors = _output_sizes(input.shape, size, scale_factor)
    if recompute_scale_factor:
        factors = (None,) * spatial
    out = input
    for k, (n_out, factor) in enumerate(zip(sizes, factors)):
        d = 2 + k
        if out.shape[d] == 0:
            raise ShapeError(f"interpolate: input of shape {input.shape} has an empty spatial dim")
        out = _resize_dim(out, d, n_out, factor, mode, bool(align_corners))
    return out
