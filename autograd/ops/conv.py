"""Convolution and pooling over (N, C, H, W) and (N, C, L), with PyTorch's arguments and values.

A convolution is im2col and GEMMs, run per chunk of samples small enough that the columns stay in
cache, into scratch buffers reused across calls (a 1×1 kernel uses the input as its columns). ∂L/∂W
is one GEMM per sample summed over the chunk; δa at stride 1 is itself a convolution (of δz with the
flipped kernel), elsewhere GEMMs and col2im, a loop over the kernel offsets only (never over pixels).
Pooling takes one strided view of the input per kernel offset.

For the layered-network recursion: with z = W ⋆ a + b (cross-correlation, as PyTorch),
δa = the full convolution of δz with the flipped kernel (``conv2d_input_grad``), and
∂L/∂W = a ⋆ δz (``conv2d_weight_grad``). These two are primitives too, each the other's and the
convolution's adjoint, so double backward works through a conv.
"""

from __future__ import annotations

import threading

import numpy as np

from ..extend import Op, ShapeError, Tensor, apply, dual, export, on_array_or_recorded, wrap
from .join import pad

TITLE = "convolution and pooling"  # the family's name in the README op table


def _pair(v, name):
    if isinstance(v, (tuple, list)):
        if len(v) != 2:
            raise ValueError(f"{name} must be an int or a pair, got {v!r}")
        return int(v[0]), int(v[1])
    return int(v), int(v)


def _out_size(n, k, s, p, d):
    return (n + 2 * p - d * (k - 1) - 1) // s + 1


class ConvGeometry:
    """Everything a conv's three primitives share: shapes, stride, padding, dilation, groups."""

    __slots__ = ("x_shape", "w_shape", "stride", "padding", "dilation", "groups", "out_hw", "taps")

    def __init__(self, x_shape, w_shape, stride, padding, dilation, groups):
        self.x_shape = tuple(x_shape)
        self.w_shape = tuple(w_shape)
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.groups = groups
        (_, _, H, W), (_, _, kh, kw) = self.x_shape, self.w_shape
        self.out_hw = (
            _out_size(H, kh, stride[0], padding[0], dilation[0]),
            _out_size(W, kw, stride[1], padding[1], dilation[1]),
        )
        self.taps = _taps((H, W), (kh, kw), stride, padding, dilation, self.out_hw)

    def __repr__(self):
        return f"kernel={self.w_shape[2:]}, stride={self.stride}, padding={self.padding}, dilation={self.dilation}, groups={self.groups}"

    def key(self, dtype):
        """What a scratch buffer shaped by this geometry is keyed by."""
        return (self.x_shape[1:], self.w_shape, self.stride, self.padding, self.dilation, self.groups, dtype)


def _tap_range(n_out, n_in, offset, s, p):
    """For one kernel offset: the output slice whose inputs i·s + offset - p fall inside the input, and that input slice."""
    lo = max(0, -((offset - p) // s))
    hi = min(n_out, (n_in - 1 + p - offset) // s + 1)
    if hi <= lo:
        return None
    start = lo * s + offset - p
    return slice(lo, hi), slice(start, start + s * (hi - lo - 1) + 1, s)


def _taps(in_hw, k, stride, padding, dilation, out_hw):
    """Per kernel offset (a, b): (a, b, output rows, output cols, input rows, input cols), padding clipped away."""
    taps = []
    for a in range(k[0]):
        rows = _tap_range(out_hw[0], in_hw[0], a * dilation[0], stride[0], padding[0])
        for b in range(k[1]):
            cols = _tap_range(out_hw[1], in_hw[1], b * dilation[1], stride[1], padding[1])
            if rows is not None and cols is not None:
                taps.append((a, b, rows[0], cols[0], rows[1], cols[1]))
    return tuple(taps)


_SCRATCH = threading.local()
_CHUNK_BYTES = 1 << 19  # the im2col columns of one chunk of samples: ~L2-sized, so the GEMM reads them from cache


def _scratch(key, shape, dtype):
    """A zero-initialised array reused by every call with this key (per thread; callers keep it only during a call)."""
    cache = getattr(_SCRATCH, "arrays", None)
    if cache is None:
        cache = _SCRATCH.arrays = {}
    buf = cache.get(key)
    if buf is None:
        if len(cache) >= 32:
            cache.clear()
        buf = cache[key] = np.zeros(shape, dtype)
    return buf


def _chunks(geo, itemsize):
    """Sample ranges [n0, n1) small enough that one chunk's columns stay in cache."""
    N, C = geo.x_shape[:2]
    per_sample = C * geo.w_shape[2] * geo.w_shape[3] * geo.out_hw[0] * geo.out_hw[1] * itemsize
    step = max(1, min(N, _CHUNK_BYTES // max(per_sample, 1)))
    return [(n0, min(N, n0 + step)) for n0 in range(0, N, step)]


def _is_pointwise(geo):
    """A 1×1 kernel, stride 1, no padding: the columns are the input itself, no copy."""
    return geo.w_shape[2:] == (1, 1) and geo.stride == (1, 1) and geo.padding == (0, 0)


def _im2col(x, geo, n0, n1):
    """The columns of samples [n0, n1), (m, C, kh, kw, Ho, Wo), in a buffer reused across calls."""
    C = geo.x_shape[1]
    kh, kw = geo.w_shape[2:]
    Ho, Wo = geo.out_hw
    m = n1 - n0
    buf = _scratch(("cols", m, geo.key(x.dtype)), (m, C, kh, kw, Ho, Wo), x.dtype)
    # NOTE: the padding positions of the buffer are never written, so they stay the zeros it was made with.
    for a, b, out_rows, out_cols, in_rows, in_cols in geo.taps:
        buf[:, :, a, b, out_rows, out_cols] = x[n0:n1, :, in_rows, in_cols]
    return buf


def _w_mat(w, geo):
    """(O, C/G, kh, kw) → (G, O/G, C/G·kh·kw), matching the columns' (c, a, b) order."""
    return w.reshape(geo.groups, geo.w_shape[0] // geo.groups, -1)


def conv_forward_array(x, w, geo, bias=None):
    """The convolution on arrays: per cache-sized chunk of samples, im2col and one GEMM per group."""
    N, G, O = geo.x_shape[0], geo.groups, geo.w_shape[0]
    Ho, Wo = geo.out_hw
    wm = _w_mat(w, geo)
    b = None if bias is None else bias.reshape(1, G, O // G, 1)
    if _is_pointwise(geo):
        out = np.matmul(wm, x.reshape(N, G, -1, Ho * Wo))
        if b is not None:
            out += b
        return out.reshape(N, O, Ho, Wo)
    out = np.empty((N, G, O // G, Ho * Wo), dtype=np.result_type(x, w))
    for n0, n1 in _chunks(geo, x.itemsize):
        cols = _im2col(x, geo, n0, n1).reshape(n1 - n0, G, -1, Ho * Wo)
        np.matmul(wm, cols, out=out[n0:n1])
        if b is not None:
            out[n0:n1] += b
    return out.reshape(N, O, Ho, Wo)


def conv_input_grad_array(g, w, geo):
    """δa from δz on arrays: a convolution of δz with the flipped kernel at stride 1, else GEMMs and col2im."""
    N, C, H, W = geo.x_shape
    G, O = geo.groups, geo.w_shape[0]
    Ho, Wo = geo.out_hw
    g = np.asarray(g)
    wt = _w_mat(w, geo).transpose(0, 2, 1)  # (G, C/G·kh·kw, O/G)
    if _is_pointwise(geo):
        return np.matmul(wt, g.reshape(N, G, O // G, Ho * Wo)).reshape(N, C, H, W)
    full = _full_padding(geo)
    if full is not None:
        # NOTE: at stride 1, δa = δz ⊛ flip(W) is itself a convolution: its im2col copies and its GEMM sums,
        # where col2im would add nine strided slices (NumPy adds strided slices ~4× slower than it copies them).
        kh, kw = geo.w_shape[2:]
        flipped = w.reshape(G, O // G, C // G, kh, kw).transpose(0, 2, 1, 3, 4)[..., ::-1, ::-1]
        flipped = np.ascontiguousarray(flipped).reshape(C, O // G, kh, kw)
        adjoint = ConvGeometry(g.shape, flipped.shape, (1, 1), full, geo.dilation, G)
        return conv_forward_array(g, flipped, adjoint)
    dx = np.zeros((N, C, H, W), dtype=np.result_type(g, w))
    g = g.reshape(N, G, O // G, Ho * Wo)
    for n0, n1 in _chunks(geo, dx.itemsize):
        m = n1 - n0
        dcols = _scratch(("dcols", m, geo.key(dx.dtype)), (m, G, wt.shape[1], Ho * Wo), dx.dtype)
        np.matmul(wt, g[n0:n1], out=dcols)
        _col2im(dcols.reshape((m, C) + geo.w_shape[2:] + (Ho, Wo)), geo, dx[n0:n1])
    return dx


def _full_padding(geo):
    """The padding of the full convolution that gives δa at stride 1, or None where it does not apply."""
    if geo.stride != (1, 1) or geo.x_shape[1] // geo.groups < 8:
        return None  # with few input channels per group the GEMM has too few rows: col2im wins (3→32: 2×)
    full = tuple(d * (k - 1) - p for d, k, p in zip(geo.dilation, geo.w_shape[2:], geo.padding))
    return full if min(full) >= 0 else None


def _col2im(dcols, geo, dx):
    """Add columns (m, C, kh, kw, Ho, Wo) back into δa (m, C, H, W): one strided add per kernel offset."""
    for a, b, out_rows, out_cols, in_rows, in_cols in geo.taps:
        dx[:, :, in_rows, in_cols] += dcols[:, :, a, b, out_rows, out_cols]


def conv_weight_grad_array(x, g, geo):
    """∂L/∂W from a and δz on arrays: per chunk, a GEMM per sample and group, summed over the chunk."""
    N, G, O = geo.x_shape[0], geo.groups, geo.w_shape[0]
    Ho, Wo = geo.out_hw
    g = np.asarray(g).reshape(N, G, O // G, Ho * Wo)
    gw = None
    # NOTE: (columns) @ δzᵀ per sample, summed, beat one GEMM over the whole chunk, δz @ (columns)ᵀ, by
    # 1.4× (64, 16→32, 16×16) to 2× (32, 3→32, 32×32): OpenBLAS is slow at a small output with a long inner dimension.
    for n0, n1 in _chunks(geo, x.itemsize):
        if _is_pointwise(geo):
            cols = x[n0:n1].reshape(n1 - n0, G, -1, Ho * Wo)
        else:
            cols = _im2col(x, geo, n0, n1).reshape(n1 - n0, G, -1, Ho * Wo)
        part = np.matmul(cols, g[n0:n1].transpose(0, 1, 3, 2)).sum(axis=0)  # (G, C/G·kh·kw, O/G)
        gw = part if gw is None else np.add(gw, part, out=gw)
    return np.ascontiguousarray(gw.transpose(0, 2, 1)).reshape(geo.w_shape)


def _pad_hw(a, padding, value=0.0):
    ph, pw = padding
    if ph == 0 and pw == 0:
        return np.ascontiguousarray(a)
    return np.pad(a, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=value)


def _conv(x, w, geo):
    if isinstance(x, Tensor) or isinstance(w, Tensor):
        x, w = _as_t(x), _as_t(w)
        return apply(CONV2D_NO_BIAS, conv_forward_array(x.array, w.array, geo), (x, w), geo)
    return conv_forward_array(x, w, geo)


def _conv_input_grad(g, w, geo):
    if isinstance(g, Tensor) or isinstance(w, Tensor):
        g, w = _as_t(g), _as_t(w)
        return apply(CONV2D_INPUT_GRAD, conv_input_grad_array(g.array, w.array, geo), (g, w), geo)
    return conv_input_grad_array(g, w, geo)


def _conv_weight_grad(x, g, geo):
    if isinstance(x, Tensor) or isinstance(g, Tensor):
        x, g = _as_t(x), _as_t(g)
        return apply(CONV2D_WEIGHT_GRAD, conv_weight_grad_array(x.array, g.array, geo), (x, g), geo)
    return conv_weight_grad_array(x, g, geo)


def _as_t(v):
    return v if isinstance(v, Tensor) else wrap(np.asarray(v))


_RULE = "δa = δz ⊛ flip(W) (full convolution),  ∂L/∂W = a ⋆ δz,  ∂L/∂b = Σ δz"

CONV2D = Op(
    "conv2d",
    (
        lambda g, geo, out, x, w, b: _conv_input_grad(g, w, geo),
        lambda g, geo, out, x, w, b: _conv_weight_grad(x, g, geo),
        lambda g, geo, out, x, w, b: dual.sum(g, (0, 2, 3)),
    ),
    saves=(0, 1),
    keeps_shape=False,
    describe=repr,
    rule=_RULE,
)
CONV2D_NO_BIAS = Op(
    "conv2d",
    (
        lambda g, geo, out, x, w: _conv_input_grad(g, w, geo),
        lambda g, geo, out, x, w: _conv_weight_grad(x, g, geo),
    ),
    saves=(0, 1),
    keeps_shape=False,
    describe=repr,
    rule=_RULE,
)
CONV2D_INPUT_GRAD = Op(
    "conv2d_input_grad",
    (
        lambda gg, geo, out, g, w: _conv(gg, w, geo),
        lambda gg, geo, out, g, w: _conv_weight_grad(gg, g, geo),
    ),
    saves=(0, 1),
    keeps_shape=False,
    describe=repr,
    rule="the adjoint of conv2d in its input",
)
CONV2D_WEIGHT_GRAD = Op(
    "conv2d_weight_grad",
    (
        lambda gg, geo, out, x, g: _conv_input_grad(g, gg, geo),
        lambda gg, geo, out, x, g: _conv(x, gg, geo),
    ),
    saves=(0, 1),
    keeps_shape=False,
    describe=repr,
    rule="the adjoint of conv2d in its weight",
)


@export(methods=())
def conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D cross-correlation of x (N, C, H, W) with weight (O, C/groups, kh, kw), as PyTorch's."""
    if x.ndim != 4:
        raise ShapeError(f"conv2d: expected a 4-D input (N, C, H, W), got shape {x.shape}")
    if weight.ndim != 4:
        raise ShapeError(
            f"conv2d: expected a 4-D weight (out_channels, in_channels/groups, kh, kw), got shape {weight.shape}"
        )
    stride, dilation = _pair(stride, "stride"), _pair(dilation, "dilation")
    if isinstance(padding, str):
        padding = _string_padding(padding, weight.shape[2:], dilation, stride)
    padding = _pair(padding, "padding")
    groups = int(groups)
    N, C, H, W = x.shape
    O, Cg, kh, kw = weight.shape
    if groups < 1 or C % groups or O % groups:
        raise ShapeError(f"conv2d: groups={groups} must divide both in_channels={C} and out_channels={O}")
    if Cg * groups != C:
        raise ShapeError(
            f"conv2d: input of shape {x.shape} has {C} channels, but weight of shape {weight.shape} "
            f"with groups={groups} expects {Cg * groups}"
        )
    if min(stride) < 1 or min(dilation) < 1 or min(padding) < 0:
        raise ValueError(
            f"conv2d: stride and dilation must be ≥ 1 and padding ≥ 0, got {stride}, {dilation}, {padding}"
        )
    ekh, ekw = dilation[0] * (kh - 1) + 1, dilation[1] * (kw - 1) + 1
    if ekh > H + 2 * padding[0] or ekw > W + 2 * padding[1]:
        raise ShapeError(
            f"conv2d: kernel size ({ekh}×{ekw} with dilation) is larger than the padded input "
            f"({H + 2 * padding[0]}×{W + 2 * padding[1]}) for input {x.shape}, weight {weight.shape}"
        )
    if x.dtype != weight.dtype:
        raise TypeError(f"conv2d: input and weight must have the same dtype, got {x.dtype} and {weight.dtype}")
    geo = ConvGeometry(x.shape, weight.shape, stride, padding, dilation, groups)
    if bias is None:
        return apply(CONV2D_NO_BIAS, conv_forward_array(x.array, weight.array, geo), (x, weight), geo)
    if bias.shape != (O,):
        raise ShapeError(f"conv2d: bias has shape {bias.shape}, expected ({O},)")
    data = conv_forward_array(x.array, weight.array, geo, bias.array)
    return apply(CONV2D, data, (x, weight, bias), geo)


def _string_padding(padding, k, dilation, stride):
    if padding == "valid":
        return (0, 0)
    if padding == "same":
        if stride != (1, 1):
            raise ValueError("conv: padding='same' needs stride 1 (as in PyTorch)")
        pads = [d * (kk - 1) for d, kk in zip(dilation, k)]
        if any(p % 2 for p in pads):
            raise NotImplementedError(
                "conv: padding='same' with an even effective kernel needs asymmetric padding; pad explicitly with pad()"
            )
        return tuple(p // 2 for p in pads)
    raise ValueError(f"conv: padding must be an int, a pair, 'valid' or 'same', got {padding!r}")


@export(methods=())
def conv1d(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-D cross-correlation of x (N, C, L) with weight (O, C/groups, k), as PyTorch's."""
    if x.ndim != 3:
        raise ShapeError(f"conv1d: expected a 3-D input (N, C, L), got shape {x.shape}")
    if weight.ndim != 3:
        raise ShapeError(
            f"conv1d: expected a 3-D weight (out_channels, in_channels/groups, k), got shape {weight.shape}"
        )
    if isinstance(padding, str):
        padding = _string_padding(padding, (1, weight.shape[2]), (1, int(dilation)), (1, int(stride)))[1]
    out = conv2d(
        x.unsqueeze(2),
        weight.unsqueeze(2),
        bias,
        stride=(1, stride),
        padding=(0, padding),
        dilation=(1, dilation),
        groups=groups,
    )
    return out.squeeze(2)


# --- transposed convolution ----------------------------------------------------------------------
# A transposed convolution is the adjoint of a convolution in its input: conv_transpose2d(x, W) is
# conv2d_input_grad(x, W) of the convolution that maps the output's shape to x's. Its VJPs are that
# op's (a conv2d and a conv2d_weight_grad), so it is differentiable to any order.
CONV_TRANSPOSE2D = Op(
    "conv_transpose2d",
    (
        lambda g, geo, out, x, w: _conv(g, w, geo),
        lambda g, geo, out, x, w: _conv_weight_grad(g, x, geo),
    ),
    saves=(0, 1),
    keeps_shape=False,
    describe=repr,
    rule="δa = δz ⋆ W (a convolution),  ∂L/∂W = δz ⋆ a",
)


def _transpose_geometry(x, weight, stride, padding, output_padding, groups, dilation):
    """The ConvGeometry of the convolution whose input gradient conv_transpose2d computes, checked."""
    name = "conv_transpose2d"
    if x.ndim != 4:
        raise ShapeError(f"{name}: expected a 4-D input (N, C, H, W), got shape {x.shape}")
    if weight.ndim != 4:
        raise ShapeError(
            f"{name}: expected a 4-D weight (in_channels, out_channels/groups, kh, kw), got shape {weight.shape}"
        )
    stride, padding = _pair(stride, "stride"), _pair(padding, "padding")
    output_padding, dilation = _pair(output_padding, "output_padding"), _pair(dilation, "dilation")
    groups = int(groups)
    N, C, H, W = x.shape
    if groups < 1 or C % groups:
        raise ShapeError(f"{name}: groups={groups} must divide in_channels={C} (input of shape {x.shape})")
    if weight.shape[0] != C:
        raise ShapeError(
            f"{name}: input of shape {x.shape} has {C} channels, but weight of shape {weight.shape} expects "
            f"{weight.shape[0]} (weight is (in_channels, out_channels/groups, kh, kw))"
        )
    if min(stride) < 1 or min(dilation) < 1 or min(padding) < 0 or min(output_padding) < 0:
        raise ValueError(
            f"{name}: stride and dilation must be ≥ 1, padding and output_padding ≥ 0, got stride={stride}, "
            f"dilation={dilation}, padding={padding}, output_padding={output_padding}"
        )
    if any(op >= max(s, d) for op, s, d in zip(output_padding, stride, dilation)):
        raise ValueError(
            f"{name}: output_padding {output_padding} must be smaller than stride {stride} or dilation {dilation}"
        )
    if x.dtype != weight.dtype:
        raise TypeError(f"{name}: input and weight must have the same dtype, got {x.dtype} and {weight.dtype}")
    kh, kw = weight.shape[2:]
    out_hw = tuple(
        (n - 1) * s - 2 * p + d * (k - 1) + op + 1
        for n, s, p, d, k, op in zip((H, W), stride, padding, dilation, (kh, kw), output_padding)
    )
    if min(out_hw) < 1:
        raise ShapeError(
            f"{name}: input {x.shape} with weight {weight.shape} and padding {padding} gives output {out_hw}"
        )
    out_shape = (N, weight.shape[1] * groups) + out_hw
    return ConvGeometry(out_shape, weight.shape, stride, padding, dilation, groups)


@export(methods=())
def conv_transpose2d(x, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """The adjoint of conv2d in its input, x (N, C, H, W) with weight (C, O/groups, kh, kw), as PyTorch's.

    Output size (H − 1)·s − 2p + d·(k − 1) + output_padding + 1: ``output_padding`` picks among the
    sizes a strided conv2d maps to the same H.
    """
    geo = _transpose_geometry(x, weight, stride, padding, output_padding, groups, dilation)
    if any(op >= s for op, s in zip(_pair(output_padding, "output_padding"), geo.stride)):
        out = _cropped_transpose(x, weight, geo, _pair(output_padding, "output_padding"))
    else:
        out = apply(CONV_TRANSPOSE2D, conv_input_grad_array(x.array, weight.array, geo), (x, weight), geo)
    if bias is None:
        return out
    if bias.shape != (geo.x_shape[1],):
        raise ShapeError(f"conv_transpose2d: bias has shape {bias.shape}, expected ({geo.x_shape[1]},)")
    return out + bias.reshape((1, -1, 1, 1))


def _cropped_transpose(x, weight, geo, output_padding):
    """The transposed convolution without padding, then cropped by the padding and extended by output_padding.

    Needed where output_padding ≥ stride (PyTorch allows it below the dilation): then no convolution
    maps the output's shape back to x's, so the adjoint cannot be taken directly.
    """
    full = conv_transpose2d(x, weight, None, geo.stride, 0, 0, geo.groups, geo.dilation)
    (ph, pw), (oh, ow) = geo.padding, output_padding
    return pad(full, (-pw, ow - pw, -ph, oh - ph))


@export(methods=())
def conv_transpose1d(x, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """The adjoint of conv1d in its input, x (N, C, L) with weight (C, O/groups, k), as PyTorch's."""
    if x.ndim != 3:
        raise ShapeError(f"conv_transpose1d: expected a 3-D input (N, C, L), got shape {x.shape}")
    if weight.ndim != 3:
        raise ShapeError(
            f"conv_transpose1d: expected a 3-D weight (in_channels, out_channels/groups, k), got shape {weight.shape}"
        )
    out = conv_transpose2d(
        x.unsqueeze(2),
        weight.unsqueeze(2),
        bias,
        stride=(1, stride),
        padding=(0, padding),
        output_padding=(0, output_padding),
        groups=groups,
        dilation=(1, dilation),
    )
    return out.squeeze(2)


# --- unfold and fold ------------------------------------------------------------------------------
# unfold is im2col as an op: the (N, C·kh·kw, L) columns of every window; fold adds columns back into
# an image (col2im). Each is the other's adjoint, so each one's VJP is the other and every order works.
def _unfold_array(x, geo):
    N, C = geo.x_shape[:2]
    kh, kw = geo.w_shape[2:]
    Ho, Wo = geo.out_hw
    cols = np.zeros((N, C, kh, kw, Ho, Wo), dtype=x.dtype)
    for a, b, out_rows, out_cols, in_rows, in_cols in geo.taps:
        cols[:, :, a, b, out_rows, out_cols] = x[:, :, in_rows, in_cols]
    return cols.reshape(N, C * kh * kw, Ho * Wo)


def _fold_array(cols, geo):
    N, C = geo.x_shape[:2]
    image = np.zeros(geo.x_shape, dtype=cols.dtype)
    _col2im(np.asarray(cols).reshape((N, C) + geo.w_shape[2:] + geo.out_hw), geo, image)
    return image


def _unfold(x, geo):
    return on_array_or_recorded(UNFOLD, _unfold_array, x, geo)


def _fold(cols, geo):
    return on_array_or_recorded(FOLD, _fold_array, cols, geo)


UNFOLD = Op(
    "unfold",
    (lambda g, geo, out, x: _fold(g, geo),),
    keeps_shape=False,
    describe=repr,
    rule="∂L/∂a = fold(g): each column entry added back to its pixel",
)
FOLD = Op(
    "fold",
    (lambda g, geo, out, cols: _unfold(g, geo),),
    keeps_shape=False,
    describe=repr,
    rule="∂L/∂cols = unfold(g)",
)


def _window_geometry(name, image_shape, kernel_size, dilation, padding, stride):
    k, d = _pair(kernel_size, "kernel_size"), _pair(dilation, "dilation")
    p, s = _pair(padding, "padding"), _pair(stride, "stride")
    if min(k) < 1 or min(s) < 1 or min(d) < 1 or min(p) < 0:
        raise ValueError(
            f"{name}: kernel_size, stride and dilation must be ≥ 1 and padding ≥ 0, got kernel_size={k}, "
            f"stride={s}, dilation={d}, padding={p}"
        )
    geo = ConvGeometry(image_shape, (1, image_shape[1]) + k, s, p, d, 1)
    if min(geo.out_hw) < 1:
        raise ShapeError(
            f"{name}: kernel {k} (dilation {d}) is larger than the padded image {image_shape[2:]} (padding {p})"
        )
    return geo


@export(methods=())
def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """The sliding windows of (N, C, H, W) as columns (N, C·kh·kw, L), L windows (im2col, as PyTorch's F.unfold)."""
    if input.ndim not in (3, 4):
        raise ShapeError(f"unfold: expected a 3-D (C, H, W) or 4-D (N, C, H, W) input, got shape {input.shape}")
    if input.ndim == 3:
        return unfold(input.unsqueeze(0), kernel_size, dilation, padding, stride).squeeze(0)
    geo = _window_geometry("unfold", input.shape, kernel_size, dilation, padding, stride)
    return apply(UNFOLD, _unfold_array(input.array, geo), (input,), geo)


@export(methods=())
def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Columns (N, C·kh·kw, L) added back into an (N, C, *output_size) image: the adjoint of unfold (col2im)."""
    if input.ndim not in (2, 3):
        raise ShapeError(f"fold: expected a 2-D (C·kh·kw, L) or 3-D (N, C·kh·kw, L) input, got shape {input.shape}")
    if input.ndim == 2:
        return fold(input.unsqueeze(0), output_size, kernel_size, dilation, padding, stride).squeeze(0)
    kh, kw = _pair(kernel_size, "kernel_size")
    N, rows, L = input.shape
    if kh < 1 or kw < 1 or rows % (kh * kw):
        raise ShapeError(
            f"fold: input of shape {input.shape} has {rows} rows, not a multiple of the kernel's {kh}×{kw} = {kh * kw}"
        )
    image = (N, rows // (kh * kw)) + _pair(output_size, "output_size")
    geo = _window_geometry("fold", image, (kh, kw), dilation, padding, stride)
    if geo.out_hw[0] * geo.out_hw[1] != L:
        raise ShapeError(
            f"fold: input of shape {input.shape} has {L} columns, but output_size {image[2:]} with kernel "
            f"{(kh, kw)}, dilation {geo.dilation}, padding {geo.padding} and stride {geo.stride} has "
            f"{geo.out_hw[0]}×{geo.out_hw[1]} = {geo.out_hw[0] * geo.out_hw[1]} windows"
        )
    return apply(FOLD, _fold_array(input.array, geo), (input,), geo)


# --- pooling ------------------------------------------------------------------------------------
class PoolGeometry:
    """Everything a pooling op and its adjoint share: kernel, stride, padding, dilation, shapes."""

    __slots__ = ("x_shape", "kernel", "stride", "padding", "dilation", "out_hw", "arg", "divisor")

    def __init__(self, x_shape, kernel, stride, padding, dilation):
        self.x_shape = tuple(x_shape)
        self.kernel = kernel
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        H, W = self.x_shape[2:]
        self.out_hw = (
            _out_size(H, kernel[0], stride[0], padding[0], dilation[0]),
            _out_size(W, kernel[1], stride[1], padding[1], dilation[1]),
        )
        self.arg = None
        self.divisor = None

    def __repr__(self):
        return f"kernel={self.kernel}, stride={self.stride}, padding={self.padding}"


def _pool_args(name, x, kernel_size, stride, padding, dilation):
    k, s, p, d = _pool_params(name, x, kernel_size, stride, padding, dilation)
    geo = PoolGeometry(x.shape, k, s, p, d)
    if geo.out_hw[0] < 1 or geo.out_hw[1] < 1:
        raise ShapeError(f"{name}: kernel {k} (dilation {d}) is larger than the padded input for shape {x.shape}")
    return geo


def _pool_params(name, x, kernel_size, stride, padding, dilation):
    """(kernel, stride, padding, dilation) as pairs, checked."""
    if x.ndim != 4:
        raise ShapeError(f"{name}: expected a 4-D input (N, C, H, W), got shape {x.shape}")
    k = _pair(kernel_size, "kernel_size")
    s = k if stride is None else _pair(stride, "stride")
    p = _pair(padding, "padding")
    d = _pair(dilation, "dilation")
    if min(k) < 1 or min(s) < 1 or min(d) < 1 or min(p) < 0:
        raise ValueError(
            f"{name}: kernel_size, stride and dilation must be ≥ 1 and padding ≥ 0, got kernel_size={k}, "
            f"stride={s}, dilation={d}, padding={p}"
        )
    if p[0] > k[0] // 2 or p[1] > k[1] // 2:
        raise ValueError(f"{name}: padding {p} must be at most half the kernel size {k}")
    return k, s, p, d


def _pool_taps(xp, geo):
    """One (N, C, Ho, Wo) strided view of the padded input per kernel offset, in row-major offset order."""
    (kh, kw), (sh, sw), (dh, dw) = geo.kernel, geo.stride, geo.dilation
    Ho, Wo = geo.out_hw
    return [
        xp[:, :, a * dh : a * dh + sh * (Ho - 1) + 1 : sh, b * dw : b * dw + sw * (Wo - 1) + 1 : sw]
        for a in range(kh)
        for b in range(kw)
    ]


def _overlaps(geo):
    """Whether some input pixel lies in two windows (then the adjoint must add, not assign)."""
    return any(s < d * (k - 1) + 1 for s, k, d in zip(geo.stride, geo.kernel, geo.dilation))


def _scatter_windows(value_at, dtype, geo):
    """Input-shaped (N, C, H, W) sum over kernel offsets t of value_at(t) (N, C, Ho, Wo) put at each window's offset t."""
    N, C, H, W = geo.x_shape
    ph, pw = geo.padding
    dxp = np.zeros((N, C, H + 2 * ph, W + 2 * pw), dtype=dtype)
    add = _overlaps(geo)
    for t, view in enumerate(_pool_taps(dxp, geo)):
        if add:
            view += value_at(t)
        else:
            view[...] = value_at(t)
    if ph == 0 and pw == 0:
        return dxp
    return np.ascontiguousarray(dxp[:, :, ph : ph + H, pw : pw + W])


def _max_and_arg(xp, geo):
    """Each window's max and the offset of its first max, by one comparison per kernel offset."""
    taps = _pool_taps(xp, geo)
    best = taps[0].copy()
    arg = np.zeros(best.shape, dtype=np.uint8 if len(taps) < 256 else np.intp)
    # NOTE: arg += better·(t - arg) is where(better, t, arg) in plain ufuncs (modular in uint8): masked
    # copies (np.copyto where=, np.where) made 3×3 windows 4× slower.
    for t, view in enumerate(taps[1:], 1):
        better = np.greater(view, best)
        np.maximum(best, view, out=best)
        step = np.subtract(t, arg, dtype=arg.dtype)
        step *= better
        arg += step
    return best, arg


def _gather_max_array(x, geo):
    taps = _pool_taps(_pad_hw(x, geo.padding, -np.inf), geo)
    out = np.zeros(geo.x_shape[:2] + geo.out_hw, dtype=x.dtype)
    for t, view in enumerate(taps):
        out += np.where(geo.arg == t, view, 0)  # -inf padding never is an arg-max, so no inf·0
    return out


def _scatter_max_array(g, geo):
    return _scatter_windows(lambda t: g * (geo.arg == t), g.dtype, geo)


def _max_gather(x, geo):
    return on_array_or_recorded(MAX_POOL2D, _gather_max_array, x, geo)


def _max_scatter(g, geo):
    return on_array_or_recorded(MAX_POOL2D_SCATTER, _scatter_max_array, g, geo)


MAX_POOL2D = Op(
    "max_pool2d",
    (lambda g, geo, out, x: _max_scatter(g, geo),),
    keeps_shape=False,
    describe=repr,
    rule="∂L/∂a = g routed to each window's arg-max",
)
MAX_POOL2D_SCATTER = Op(
    "max_pool2d_scatter",
    (lambda gg, geo, out, g: _max_gather(gg, geo),),
    keeps_shape=False,
    describe=repr,
    rule="gather at each window's arg-max",
)


def _lowest(dtype):
    """The padding a max never picks: −∞, or the smallest integer of an integer dtype."""
    if dtype.kind == "f":
        return -np.inf
    return np.iinfo(dtype).min if dtype.kind in "iu" else False


def _ceil_extra(n, k, s, p, d):
    """The padding past the end that ceil_mode adds: the last, partial window must start inside the input or
    the left padding (PyTorch's rule), so at most s − 1 more rows."""
    out = -(-(n + 2 * p - d * (k - 1) - 1) // s) + 1
    if (out - 1) * s >= n + p:
        out -= 1
    return max(0, (out - 1) * s + d * (k - 1) + 1 - (n + 2 * p))


@export(methods=())
def max_pool2d(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """Max over each window; the gradient goes to the window's arg-max (the first, at ties).

    ``ceil_mode`` keeps a last, partial window (output ⌈·⌉ rather than ⌊·⌋); integer and bool inputs
    give their max, without a gradient.
    """
    if return_indices:
        raise NotImplementedError("max_pool2d: return_indices=True is not supported")
    if ceil_mode:
        params = zip(*_pool_params("max_pool2d", x, kernel_size, stride, padding, dilation))
        extra = [_ceil_extra(n, *per_dim) for n, per_dim in zip(x.shape[2:], params)]
        if any(extra):
            x = pad(x, (0, extra[1], 0, extra[0]), value=_lowest(x.dtype))
    geo = _pool_args("max_pool2d", x, kernel_size, stride, padding, dilation)
    data, geo.arg = _max_and_arg(_pad_hw(x.array, geo.padding, _lowest(x.dtype)), geo)
    if x.dtype.kind != "f":
        return wrap(data)
    return apply(MAX_POOL2D, data, (x,), geo)


def _avg_array(x, geo):
    taps = _pool_taps(_pad_hw(x, geo.padding), geo)
    total = taps[0].copy()
    for view in taps[1:]:
        total += view
    return total / geo.divisor


def _avg_scatter_array(g, geo):
    share = g / geo.divisor
    return _scatter_windows(lambda t: share, share.dtype, geo)


def _avg(x, geo):
    return on_array_or_recorded(AVG_POOL2D, lambda a, geo: _avg_array(a, geo).astype(a.dtype, copy=False), x, geo)


def _avg_scatter(g, geo):
    return on_array_or_recorded(
        AVG_POOL2D_SCATTER, lambda a, geo: _avg_scatter_array(a, geo).astype(a.dtype, copy=False), g, geo
    )


AVG_POOL2D = Op(
    "avg_pool2d",
    (lambda g, geo, out, x: _avg_scatter(g, geo),),
    keeps_shape=False,
    describe=repr,
    rule="∂L/∂a = g / (window size) spread over each window",
)
AVG_POOL2D_SCATTER = Op(
    "avg_pool2d_scatter",
    (lambda gg, geo, out, g: _avg(gg, geo),),
    keeps_shape=False,
    describe=repr,
    rule="average over each window",
)


@export(methods=())
def avg_pool2d(x, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True, divisor_override=None):
    """Mean over each window, PyTorch's arguments: zero padding counted unless count_include_pad=False,
    ``ceil_mode`` keeps a last, partial window (divided by its part inside the padded input)."""
    in_hw, extra = x.shape[2:], (0, 0)
    if ceil_mode:
        params = zip(*_pool_params("avg_pool2d", x, kernel_size, stride, padding, 1))
        extra = tuple(_ceil_extra(n, *per_dim) for n, per_dim in zip(x.shape[2:], params))
        if any(extra):
            x = pad(x, (0, extra[1], 0, extra[0]))
    geo = _pool_args("avg_pool2d", x, kernel_size, stride, padding, 1)
    if divisor_override is not None:
        geo.divisor = np.asarray(divisor_override, dtype=x.dtype)
    elif (count_include_pad or geo.padding == (0, 0)) and not any(extra):
        geo.divisor = np.asarray(geo.kernel[0] * geo.kernel[1], dtype=x.dtype)
    else:
        rows, cols = (
            _window_counts(n, o, k, s, p, count_include_pad)
            for n, o, k, s, p in zip(in_hw, geo.out_hw, geo.kernel, geo.stride, geo.padding)
        )
        geo.divisor = np.multiply.outer(rows, cols).astype(x.dtype)
    return apply(AVG_POOL2D, _avg_array(x.array, geo).astype(x.dtype, copy=False), (x,), geo)


def _window_counts(n, n_out, k, s, p, count_include_pad):
    """Per output position along one dim: how many of its k positions PyTorch divides by — those inside
    the padded input [−p, n + p) with count_include_pad, else those inside the input [0, n)."""
    start = np.arange(n_out) * s - p
    end = start + k
    if count_include_pad:
        return np.minimum(end, n + p) - start
    return np.maximum(np.minimum(end, n) - np.maximum(start, 0), 0)


@export(methods=())
def adaptive_avg_pool2d(x, output_size):
    """Average to (oh, ow) output cells; needs H and W divisible by them (1 = global average)."""
    oh, ow = _pair(output_size, "output_size")
    if x.ndim != 4:
        raise ShapeError(f"adaptive_avg_pool2d: expected a 4-D input (N, C, H, W), got shape {x.shape}")
    if oh < 1 or ow < 1:
        raise ValueError(f"adaptive_avg_pool2d: output_size must be ≥ 1, got {(oh, ow)}")
    H, W = x.shape[2:]
    if (oh, ow) == (1, 1):
        return x.mean(dim=(2, 3), keepdim=True)
    if H % oh or W % ow:
        raise NotImplementedError(f"adaptive_avg_pool2d: input {H}×{W} is not divisible into {oh}×{ow} cells")
    return avg_pool2d(x, (H // oh, W // ow))


@export(methods=())
def max_pool1d(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """Max pooling over (N, C, L)."""
    if x.ndim != 3:
        raise ShapeError(f"max_pool1d: expected a 3-D input (N, C, L), got shape {x.shape}")
    s = kernel_size if stride is None else stride
    out = max_pool2d(x.unsqueeze(2), (1, kernel_size), (1, s), (0, padding), (1, dilation), ceil_mode, return_indices)
    return out.squeeze(2)


@export(methods=())
def avg_pool1d(x, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    """Average pooling over (N, C, L)."""
    if x.ndim != 3:
        raise ShapeError(f"avg_pool1d: expected a 3-D input (N, C, L), got shape {x.shape}")
    s = kernel_size if stride is None else stride
    out = avg_pool2d(x.unsqueeze(2), (1, kernel_size), (1, s), (0, padding), ceil_mode, count_include_pad)
    return out.squeeze(2)
