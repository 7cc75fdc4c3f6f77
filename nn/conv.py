"""Convolution and pooling layers over (N, C, L) and (N, C, H, W), with PyTorch's arguments,
initialization and ``state_dict`` layout (weight (out_channels, in_channels/groups, *kernel))."""

from __future__ import annotations

import numpy as np

import autograd as ag
from autograd import ShapeError
from autograd.device import check_device

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
        self.weight = Parameter(np.empty((out_channels, in_channels // groups) + self.kernel_size, dtype=dt))
        if bias:
            self.bias = Parameter(np.empty((out_channels,), dtype=dt))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

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


class MaxPool2d(Module):
    """Max over each window; the gradient goes to the arg-max."""

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1):
        super().__init__()
        self.kernel_size, self.stride, self.padding, self.dilation = kernel_size, stride, padding, dilation

    def forward(self, x):
        return ag.max_pool2d(x, self.kernel_size, self.stride, self.padding, self.dilation)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride or self.kernel_size}, padding={self.padding}"


class MaxPool1d(MaxPool2d):
    """Max pooling over (N, C, L)."""

    def forward(self, x):
        return ag.max_pool1d(x, self.kernel_size, self.stride, self.padding, self.dilation)


class AvgPool2d(Module):
    """Mean over each window."""

    def __init__(self, kernel_size, stride=None, padding=0, count_include_pad=True):
        super().__init__()
        self.kernel_size, self.stride, self.padding, self.count_include_pad = (
            kernel_size,
            stride,
            padding,
            count_include_pad,
        )

    def forward(self, x):
        return ag.avg_pool2d(x, self.kernel_size, self.stride, self.padding, self.count_include_pad)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride or self.kernel_size}, padding={self.padding}"


class AvgPool1d(AvgPool2d):
    """Average pooling over (N, C, L)."""

    def forward(self, x):
        return ag.avg_pool1d(x, self.kernel_size, self.stride, self.padding, self.count_include_pad)


class AdaptiveAvgPool2d(Module):
    """Average to a fixed output size (1 = global average pooling)."""

    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size

    def forward(self, x):
        return ag.adaptive_avg_pool2d(x, self.output_size)

    def extra_repr(self):
        return f"output_size={self.output_size}"
