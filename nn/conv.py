"""Convolution and pooling layers over (N, C, L) and (N, C, H, W), with PyTorch's arguments,
initialization and ``state_dict`` layout (weight (out_channels, in_channels/groups, *kernel))."""

from __future__ import annotations

import numpy as np

import autograd as ag
from autograd import ShapeError
from autograd.device import check_device

from . import functional as F
from .layers import parameter_dtype, reset_like_pytorch
from .module import Module, Parameter


def _tuple(v, n):
    return tuple(v) if isinstance(v, (tuple, list)) else (v,) * n


class _ConvNd(Module):
    _dims = 2

    def __init__(
        self,
        in_channels,
        out_channels,
        kernel_size,
        stride=1,
        padding=0,
        dilation=1,
        groups=1,
        bias=True,
        dtype=None,
        generator=None,
        device=None,
    ):
        check_device(device)  # the CPU is the only device
        super().__init__()
        name = type(self).__name__
        if in_channels <= 0 or out_channels <= 0:
            raise ValueError(
                f"{name}: in_channels and out_channels must be positive, got {in_channels}, {out_channels}"
            )
        if in_channels % groups or out_channels % groups:
            raise ValueError(
                f"{name}: groups={groups} must divide in_channels={in_channels} and out_channels={out_channels}"
            )
        n = self._dims
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = _tuple(kernel_size, n)
        self.stride = _tuple(stride, n)
        self.padding = padding if isinstance(padding, str) else _tuple(padding, n)
        self.dilation = _tuple(dilation, n)
        self.groups = groups
        self.generator = generator
        dt = parameter_dtype(dtype)
        self.weight = Parameter(np.empty(self._weight_shape() + self.kernel_size, dtype=dt))
        if bias:
            self.bias = Parameter(np.empty((out_channels,), dtype=dt))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def _weight_shape(self):
        return (self.out_channels, self.in_channels // self.groups)

    def reset_parameters(self):
        """PyTorch's default: W ~ kaiming_uniform_(a=√5), b ~ U(−1/√fan_in, 1/√fan_in)."""
        reset_like_pytorch(self.weight, self.bias, self.generator)

    def _check(self, x):
        name = type(self).__name__
        want = self._dims + 2
        if x.ndim != want:
            layout = "(N, C, L)" if self._dims == 1 else "(N, C, H, W)"
            raise ShapeError(f"{name}: expected a {want}-D input {layout}, got shape {tuple(x.shape)}")
        if x.shape[1] != self.in_channels:
            raise ShapeError(
                f"{name}(in_channels={self.in_channels}, out_channels={self.out_channels}): input of shape "
                f"{tuple(x.shape)} has {x.shape[1]} channels, expected {self.in_channels}"
            )

    def extra_repr(self):
        text = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding not in ((0,) * self._dims, "valid"):
            text += f", padding={self.padding}"
        if self.dilation != (1,) * self._dims:
            text += f", dilation={self.dilation}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        if self.bias is None:
            text += ", bias=False"
        return text


class Conv2d(_ConvNd):
    """z = W ⋆ a + b over (N, C, H, W): cross-correlation, as PyTorch (im2col + one matmul)."""

    _dims = 2

    def forward(self, x):
        self._check(x)
        return ag.conv2d(x, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups)


class Conv1d(_ConvNd):
    """z = W ⋆ a + b over (N, C, L)."""

    _dims = 1

    def forward(self, x):
        self._check(x)
        padding = self.padding if isinstance(self.padding, str) else self.padding[0]
        return ag.conv1d(x, self.weight, self.bias, self.stride[0], padding, self.dilation[0], self.groups)


class _ConvTransposeNd(_ConvNd):
    """The transposed convolutions' shared part: PyTorch's argument order, weight (in, out/groups, *kernel)."""

    def __init__(
        self,
        in_channels,
        out_channels,
        kernel_size,
        stride=1,
        padding=0,
        output_padding=0,
        groups=1,
        bias=True,
        dilation=1,
        padding_mode="zeros",
        dtype=None,
        generator=None,
    ):
        if padding_mode != "zeros":
            raise ValueError(f"{type(self).__name__}: only padding_mode='zeros' is supported (as in PyTorch)")
        if isinstance(padding, str):
            raise ValueError(f"{type(self).__name__}: padding must be an int or a tuple, got {padding!r}")
        self.output_padding = _tuple(output_padding, self._dims)
        super().__init__(
            in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias, dtype, generator
        )

    def _weight_shape(self):
        # NOTE: as PyTorch, fan_in is computed from this layout (out_channels/groups · kernel), not from in_channels.
        return (self.in_channels, self.out_channels // self.groups)

    def extra_repr(self):
        text = super().extra_repr()
        if self.output_padding != (0,) * self._dims:
            text += f", output_padding={self.output_padding}"
        return text


class ConvTranspose2d(_ConvTransposeNd):
    """z = Wᵀ ⋆ a + b over (N, C, H, W): the adjoint of Conv2d in its input (upsampling by ``stride``)."""

    _dims = 2

    def forward(self, x):
        self._check(x)
        return ag.conv_transpose2d(
            x, self.weight, self.bias, self.stride, self.padding, self.output_padding, self.groups, self.dilation
        )


class ConvTranspose1d(_ConvTransposeNd):
    """z = Wᵀ ⋆ a + b over (N, C, L): the adjoint of Conv1d in its input."""

    _dims = 1

    def forward(self, x):
        self._check(x)
        return ag.conv_transpose1d(
            x,
            self.weight,
            self.bias,
            self.stride[0],
            self.padding[0],
            self.output_padding[0],
            self.groups,
            self.dilation[0],
        )


class MaxPool2d(Module):
    """Max over each window; the gradient goes to the arg-max."""

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False, ceil_mode=False):
        super().__init__()
        self.kernel_size, self.stride, self.padding, self.dilation = kernel_size, stride, padding, dilation
        self.return_indices, self.ceil_mode = return_indices, ceil_mode

    def forward(self, x):
        return ag.max_pool2d(
            x, self.kernel_size, self.stride, self.padding, self.dilation, self.ceil_mode, self.return_indices
        )

    def extra_repr(self):
        text = f"kernel_size={self.kernel_size}, stride={self.stride or self.kernel_size}, padding={self.padding}"
        return text + (", ceil_mode=True" if self.ceil_mode else "")


class MaxPool1d(MaxPool2d):
    """Max pooling over (N, C, L)."""

    def forward(self, x):
        return ag.max_pool1d(
            x, self.kernel_size, self.stride, self.padding, self.dilation, self.ceil_mode, self.return_indices
        )


class AvgPool2d(Module):
    """Mean over each window (PyTorch's arguments: ceil_mode, count_include_pad, divisor_override)."""

    def __init__(
        self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True, divisor_override=None
    ):
        super().__init__()
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding
        self.ceil_mode, self.count_include_pad, self.divisor_override = ceil_mode, count_include_pad, divisor_override

    def forward(self, x):
        return ag.avg_pool2d(
            x,
            self.kernel_size,
            self.stride,
            self.padding,
            self.ceil_mode,
            self.count_include_pad,
            self.divisor_override,
        )

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride or self.kernel_size}, padding={self.padding}"


class AvgPool1d(Module):
    """Average pooling over (N, C, L)."""

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
        super().__init__()
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding
        self.ceil_mode, self.count_include_pad = ceil_mode, count_include_pad

    def forward(self, x):
        return ag.avg_pool1d(x, self.kernel_size, self.stride, self.padding, self.ceil_mode, self.count_include_pad)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride or self.kernel_size}, padding={self.padding}"


class AdaptiveAvgPool2d(Module):
    """Average to a fixed output size (1 = global average pooling), with PyTorch's bins for any input size."""

    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size

    def forward(self, x):
        return F.adaptive_avg_pool2d(x, self.output_size)

    def extra_repr(self):
        return f"output_size={self.output_size}"


class AdaptiveAvgPool1d(Module):
    """Average (N, C, L) or (C, L) into ``output_size`` cells of PyTorch's adaptive bins (any L)."""

    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size

    def forward(self, input):
        return F.adaptive_avg_pool1d(input, self.output_size)

    def extra_repr(self):
        return f"output_size={self.output_size}"


class AdaptiveMaxPool1d(Module):
    """Max of (N, C, L) or (C, L) over ``output_size`` adaptive bins (and the argmax with ``return_indices``)."""

    def __init__(self, output_size, return_indices=False):
        super().__init__()
        self.output_size = output_size
        self.return_indices = return_indices

    def forward(self, input):
        return F.adaptive_max_pool1d(input, self.output_size, self.return_indices)

    def extra_repr(self):
        return f"output_size={self.output_size}"


class AdaptiveMaxPool2d(AdaptiveMaxPool1d):
    """Max of (N, C, H, W) or (C, H, W) over adaptive bins; ``None`` in ``output_size`` keeps that input size."""

    def forward(self, input):
        return F.adaptive_max_pool2d(input, self.output_size, self.return_indices)


class Upsample(Module):
    """Resize (N, C, ...) to ``size`` or by ``scale_factor`` (``F.interpolate``; nearest by default)."""

    def __init__(self, size=None, scale_factor=None, mode="nearest", align_corners=None, recompute_scale_factor=None):
        super().__init__()
        self.size, self.scale_factor, self.mode = size, scale_factor, mode
        self.align_corners, self.recompute_scale_factor = align_corners, recompute_scale_factor

    def forward(self, input):
        return ag.interpolate(
            input, self.size, self.scale_factor, self.mode, self.align_corners, self.recompute_scale_factor
        )

    def extra_repr(self):
        which = f"size={self.size}" if self.size is not None else f"scale_factor={self.scale_factor}"
        return f"{which}, mode={self.mode!r}"


class UpsamplingNearest2d(Upsample):
    """Nearest-neighbour upsampling of (N, C, H, W)."""

    def __init__(self, size=None, scale_factor=None):
        super().__init__(size, scale_factor, "nearest")


class UpsamplingBilinear2d(Upsample):
    """Bilinear upsampling of (N, C, H, W) with align_corners=True (as PyTorch's)."""

    def __init__(self, size=None, scale_factor=None):
        super().__init__(size, scale_factor, "bilinear", align_corners=True)


class Unfold(Module):
    """The sliding windows of (N, C, H, W) as columns (N, C·kh·kw, L) (``F.unfold``, im2col)."""

    def __init__(self, kernel_size, dilation=1, padding=0, stride=1):
        super().__init__()
        self.kernel_size, self.dilation, self.padding, self.stride = kernel_size, dilation, padding, stride

    def forward(self, input):
        return ag.unfold(input, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, dilation={self.dilation}, padding={self.padding}, stride={self.stride}"


class Fold(Module):
    """Columns (N, C·kh·kw, L) summed back into an (N, C, *output_size) image (``F.fold``, col2im)."""

    def __init__(self, output_size, kernel_size, dilation=1, padding=0, stride=1):
        super().__init__()
        self.output_size, self.kernel_size = output_size, kernel_size
        self.dilation, self.padding, self.stride = dilation, padding, stride

    def forward(self, input):
        return ag.fold(input, self.output_size, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self):
        return (
            f"output_size={self.output_size}, kernel_size={self.kernel_size}, dilation={self.dilation}, "
            f"padding={self.padding}, stride={self.stride}"
        )
