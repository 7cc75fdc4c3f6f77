"""Convolution and pooling over (N, C, H, W) and (N, C, L), with PyTorch's arguments and values.

A convolution is im2col (a strided view of every receptive field, copied once) and one batched
matmul; its adjoints scatter back with a loop over the kernel offsets only (never over pixels).

For the layered-network recursion: with z = W ⋆ a + b (cross-correlation, as PyTorch),
δa = the full convolution of δz with the flipped kernel (``conv2d_input_grad``), and
∂L/∂W = a ⋆ δz (``conv2d_weight_grad``). These two are primitives too, each the other's and the
convolution's adjoint, so double backward works through a conv.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ..extend import Op, ShapeError, Tensor, apply, dual, export, is_grad_enabled, wrap

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

    __slots__ = ("x_shape", "w_shape", "stride", "padding", "dilation", "groups", "out_hw", "cols")

    def __init__(self, x_shape, w_shape, stride, padding, dilation, groups):
        self.x_shape = tuple(x_shape)
        self.w_shape = tuple(w_shape)
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.groups = groups
        self.cols = None  # the forward's im2col, kept for ∂L/∂W while the graph lives
        (_, _, H, W), (_, _, kh, kw) = self.x_shape, self.w_shape
        self.out_hw = (
            _out_size(H, kh, stride[0], padding[0], dilation[0]),
            _out_size(W, kw, stride[1], padding[1], dilation[1]),
        )

    def __repr__(self):
        return f"kernel={self.w_shape[2:]}, stride={self.stride}, padding={self.padding}, dilation={self.dilation}, groups={self.groups}"


def _pad_hw(a, padding, value=0.0):
    ph, pw = padding
    if ph == 0 and pw == 0:
        return np.ascontiguousarray(a)
    return np.pad(a, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=value)


def _windows(xp, k, stride, dilation, out_hw):
    """A (N, C, Ho, Wo, kh, kw) strided view of every receptive field of the padded input."""
    N, C = xp.shape[:2]
    sN, sC, sH, sW = xp.strides
    return as_strided(
        xp,
        (N, C, out_hw[0], out_hw[1], k[0], k[1]),
        (sN, sC, sH * stride[0], sW * stride[1], sH * dilation[0], sW * dilation[1]),
        writeable=False,
    )


def _offset_slices(geo, a, b):
    """The (rows, cols) slice of the padded input that kernel offset (a, b) sees at every output."""
    (sh, sw), (dh, dw), (Ho, Wo) = geo.stride, geo.dilation, geo.out_hw
    return (slice(a * dh, a * dh + sh * (Ho - 1) + 1, sh), slice(b * dw, b * dw + sw * (Wo - 1) + 1, sw))


def _cols(x, geo):
    """im2col as (N, G, C/G·kh·kw, Ho·Wo): one slice copy per kernel offset, none per pixel."""
    N, C = geo.x_shape[:2]
    kh, kw = geo.w_shape[2:]
    Ho, Wo = geo.out_hw
    xp = _pad_hw(x, geo.padding)
    cols = np.empty((N, C, kh, kw, Ho, Wo), dtype=x.dtype)
    for a in range(kh):
        for b in range(kw):
            rows, columns = _offset_slices(geo, a, b)
            cols[:, :, a, b] = xp[:, :, rows, columns]
    return cols.reshape(N, geo.groups, (C // geo.groups) * kh * kw, Ho * Wo)


def _w_mat(w, geo):
    """(O, C/G, kh, kw) → (G, O/G, C/G·kh·kw), matching the columns' (c, a, b) order."""
    return w.reshape(geo.groups, geo.w_shape[0] // geo.groups, -1)


def conv_forward_array(x, w, geo, keep_cols=False):
    """The convolution on arrays: im2col and one GEMM per group."""
    N = geo.x_shape[0]
    O = geo.w_shape[0]
    Ho, Wo = geo.out_hw
    cols = _cols(x, geo)
    if keep_cols:
        geo.cols = cols
    out = np.matmul(_w_mat(w, geo), cols)  # (N, G, O/G, Ho·Wo)
    return out.reshape(N, O, Ho, Wo)


def conv_input_grad_array(g, w, geo):
    """δa from δz on arrays: the adjoint of the convolution in its input."""
    N, C, H, W = geo.x_shape
    G = geo.groups
    O, Cg, kh, kw = geo.w_shape
    Ho, Wo = geo.out_hw
    ph, pw = geo.padding
    # One GEMM per group over the whole batch: (Cg·kh·kw, O/G) @ (O/G, N·Ho·Wo).
    g_t = np.ascontiguousarray(np.asarray(g).reshape(N, G, O // G, Ho * Wo).transpose(1, 2, 0, 3))
    dcols = np.matmul(_w_mat(w, geo).transpose(0, 2, 1), g_t.reshape(G, O // G, N * Ho * Wo))
    dcols = dcols.reshape(C, kh, kw, N, Ho, Wo)
    dxp = np.zeros((C, N, H + 2 * ph, W + 2 * pw), dtype=dcols.dtype)
    for a in range(kh):
        for b in range(kw):
            rows, columns = _offset_slices(geo, a, b)
            dxp[:, :, rows, columns] += dcols[:, a, b]
    return np.ascontiguousarray(dxp[:, :, ph : ph + H, pw : pw + W].transpose(1, 0, 2, 3))


def conv_weight_grad_array(x, g, geo, cols=None):
    """∂L/∂W from a and δz on arrays: the adjoint in the weight."""
    N = geo.x_shape[0]
    G = geo.groups
    O = geo.w_shape[0]
    Ho, Wo = geo.out_hw
    g_rows = np.ascontiguousarray(g).reshape(N, G, O // G, Ho * Wo)
    if cols is None:
        cols = _cols(x, geo)
    gw = np.matmul(g_rows, cols.transpose(0, 1, 3, 2)).sum(axis=0)  # (G, O/G, Cg·kh·kw)
    return gw.reshape(geo.w_shape)


def _conv(x, w, geo):
    if isinstance(x, Tensor) or isinstance(w, Tensor):
        x, w = _as_t(x), _as_t(w)
        return apply(CONV2D_NO_BIAS, conv_forward_array(x.data, w.data, geo), (x, w), geo)
    return conv_forward_array(x, w, geo)


def _conv_input_grad(g, w, geo):
    if isinstance(g, Tensor) or isinstance(w, Tensor):
        g, w = _as_t(g), _as_t(w)
        return apply(CONV2D_INPUT_GRAD, conv_input_grad_array(g.data, w.data, geo), (g, w), geo)
    return conv_input_grad_array(g, w, geo)


def _conv_weight_grad(x, g, geo, cols=None):
    if isinstance(x, Tensor) or isinstance(g, Tensor):
        x, g = _as_t(x), _as_t(g)
        return apply(CONV2D_WEIGHT_GRAD, conv_weight_grad_array(x.data, g.data, geo), (x, g), geo)
    return conv_weight_grad_array(x, g, geo, cols)


def _as_t(v):
    return v if isinstance(v, Tensor) else wrap(np.asarray(v))


_RULE = "δa = δz ⊛ flip(W) (full convolution),  ∂L/∂W = a ⋆ δz,  ∂L/∂b = Σ δz"

CONV2D = Op(
    "conv2d",
    (
        lambda g, geo, out, x, w, b: _conv_input_grad(g, w, geo),
        lambda g, geo, out, x, w, b: _conv_weight_grad(x, g, geo, geo.cols),
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
        lambda g, geo, out, x, w: _conv_weight_grad(x, g, geo, geo.cols),
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
    data = conv_forward_array(x.data, weight.data, geo, keep_cols=weight.requires_grad and is_grad_enabled())
    if bias is None:
        return apply(CONV2D_NO_BIAS, data, (x, weight), geo)
    if bias.shape != (O,):
        raise ShapeError(f"conv2d: bias has shape {bias.shape}, expected ({O},)")
    data += bias.data.reshape(1, O, 1, 1)
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
    if x.ndim != 4:
        raise ShapeError(f"{name}: expected a 4-D input (N, C, H, W), got shape {x.shape}")
    k = _pair(kernel_size, "kernel_size")
    s = k if stride is None else _pair(stride, "stride")
    p = _pair(padding, "padding")
    d = _pair(dilation, "dilation")
    if p[0] > k[0] // 2 or p[1] > k[1] // 2:
        raise ValueError(f"{name}: padding {p} must be at most half the kernel size {k}")
    geo = PoolGeometry(x.shape, k, s, p, d)
    if geo.out_hw[0] < 1 or geo.out_hw[1] < 1:
        raise ShapeError(f"{name}: kernel {k} (dilation {d}) is larger than the padded input for shape {x.shape}")
    return geo


def _scatter_windows(values, geo):
    """Add values (N, C, Ho, Wo, kh, kw) back into an input-shaped (N, C, H, W) array."""
    N, C, H, W = geo.x_shape
    (kh, kw), (sh, sw), (dh, dw), (ph, pw) = geo.kernel, geo.stride, geo.dilation, geo.padding
    Ho, Wo = geo.out_hw
    dxp = np.zeros((N, C, H + 2 * ph, W + 2 * pw), dtype=values.dtype)
    for a in range(kh):
        for b in range(kw):
            dxp[:, :, a * dh : a * dh + sh * (Ho - 1) + 1 : sh, b * dw : b * dw + sw * (Wo - 1) + 1 : sw] += values[
                ..., a, b
            ]
    return np.ascontiguousarray(dxp[:, :, ph : ph + H, pw : pw + W])


def _gather_max_array(x, geo):
    win = _windows(_pad_hw(x, geo.padding, -np.inf), geo.kernel, geo.stride, geo.dilation, geo.out_hw)
    flat = win.reshape(win.shape[:4] + (-1,))
    return np.take_along_axis(flat, geo.arg[..., None], axis=-1)[..., 0]


def _scatter_max_array(g, geo):
    kh, kw = geo.kernel
    onehot = np.zeros(g.shape + (kh * kw,), dtype=g.dtype)
    np.put_along_axis(onehot, geo.arg[..., None], g[..., None], axis=-1)
    return _scatter_windows(onehot.reshape(g.shape + (kh, kw)), geo)


def _max_gather(x, geo):
    if isinstance(x, Tensor):
        return apply(MAX_POOL2D, _gather_max_array(x.data, geo), (x,), geo)
    return _gather_max_array(x, geo)


def _max_scatter(g, geo):
    if isinstance(g, Tensor):
        return apply(MAX_POOL2D_SCATTER, _scatter_max_array(g.data, geo), (g,), geo)
    return _scatter_max_array(g, geo)


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


@export(methods=())
def max_pool2d(x, kernel_size, stride=None, padding=0, dilation=1):
    """Max over each window; the gradient goes to the window's arg-max (the first, at ties)."""
    geo = _pool_args("max_pool2d", x, kernel_size, stride, padding, dilation)
    win = _windows(_pad_hw(x.data, geo.padding, -np.inf), geo.kernel, geo.stride, geo.dilation, geo.out_hw)
    flat = win.reshape(win.shape[:4] + (-1,))
    geo.arg = np.argmax(flat, axis=-1)
    data = np.take_along_axis(flat, geo.arg[..., None], axis=-1)[..., 0]
    return apply(MAX_POOL2D, np.ascontiguousarray(data), (x,), geo)


def _avg_array(x, geo):
    win = _windows(_pad_hw(x, geo.padding), geo.kernel, geo.stride, geo.dilation, geo.out_hw)
    return win.sum(axis=(-2, -1)) / geo.divisor


def _avg_scatter_array(g, geo):
    kh, kw = geo.kernel
    share = (g / geo.divisor)[..., None, None]
    return _scatter_windows(np.broadcast_to(share, g.shape + (kh, kw)), geo)


def _avg(x, geo):
    if isinstance(x, Tensor):
        return apply(AVG_POOL2D, _avg_array(x.data, geo).astype(x.dtype, copy=False), (x,), geo)
    return _avg_array(x, geo)


def _avg_scatter(g, geo):
    if isinstance(g, Tensor):
        return apply(AVG_POOL2D_SCATTER, _avg_scatter_array(g.data, geo).astype(g.dtype, copy=False), (g,), geo)
    return _avg_scatter_array(g, geo)


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
def avg_pool2d(x, kernel_size, stride=None, padding=0, count_include_pad=True):
    """Mean over each window (zero padding counted unless count_include_pad=False)."""
    geo = _pool_args("avg_pool2d", x, kernel_size, stride, padding, 1)
    kh, kw = geo.kernel
    if count_include_pad or geo.padding == (0, 0):
        geo.divisor = np.asarray(kh * kw, dtype=x.dtype)
    else:
        ones = np.ones((1, 1) + geo.x_shape[2:], dtype=x.dtype)
        geo.divisor = _windows(_pad_hw(ones, geo.padding), geo.kernel, geo.stride, geo.dilation, geo.out_hw).sum(
            axis=(-2, -1)
        )
    return apply(AVG_POOL2D, _avg_array(x.data, geo).astype(x.dtype, copy=False), (x,), geo)


@export(methods=())
def adaptive_avg_pool2d(x, output_size):
    """Average to (oh, ow) output cells; needs H and W divisible by them (1 = global average)."""
    oh, ow = _pair(output_size, "output_size")
    if x.ndim != 4:
        raise ShapeError(f"adaptive_avg_pool2d: expected a 4-D input (N, C, H, W), got shape {x.shape}")
    H, W = x.shape[2:]
    if (oh, ow) == (1, 1):
        return x.mean(dim=(2, 3), keepdim=True)
    if H % oh or W % ow:
        raise NotImplementedError(f"adaptive_avg_pool2d: input {H}×{W} is not divisible into {oh}×{ow} cells")
    return avg_pool2d(x, (H // oh, W // ow))


@export(methods=())
def max_pool1d(x, kernel_size, stride=None, padding=0, dilation=1):
    """Max pooling over (N, C, L)."""
    if x.ndim != 3:
        raise ShapeError(f"max_pool1d: expected a 3-D input (N, C, L), got shape {x.shape}")
    s = kernel_size if stride is None else stride
    return max_pool2d(x.unsqueeze(2), (1, kernel_size), (1, s), (0, padding), (1, dilation)).squeeze(2)


@export(methods=())
def avg_pool1d(x, kernel_size, stride=None, padding=0, count_include_pad=True):
    """Average pooling over (N, C, L)."""
    if x.ndim != 3:
        raise ShapeError(f"avg_pool1d: expected a 3-D input (N, C, L), got shape {x.shape}")
    s = kernel_size if stride is None else stride
    return avg_pool2d(x.unsqueeze(2), (1, kernel_size), (1, s), (0, padding), count_include_pad).squeeze(2)
