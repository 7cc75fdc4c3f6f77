"""BatchNorm1d/2d, InstanceNorm1d/2d/3d, LayerNorm, GroupNorm, RMSNorm and LocalResponseNorm: normalize,
then scale by γ (``weight``) and shift by β (``bias``)."""

from __future__ import annotations

import numpy as np

import autograd as ag
from autograd import ShapeError, Tensor
from autograd.device import check_device

from . import functional as F
from .module import Module, Parameter

__all__ = [
    "BatchNorm1d",
    "BatchNorm2d",
    "InstanceNorm1d",
    "InstanceNorm2d",
    "InstanceNorm3d",
    "LayerNorm",
    "GroupNorm",
    "RMSNorm",
    "LocalResponseNorm",
]


class _BatchNorm(Module):
    """y = γ ⊙ (x − μ)/√(σ² + ε) + β per channel.

    Train mode: μ, σ² are the batch mean and biased variance; the running estimates move by
    μ_run ← (1 − momentum)·μ_run + momentum·μ and likewise σ²_run with the *unbiased* batch
    variance (PyTorch's convention). ``momentum=None`` takes the cumulative average instead.
    Eval mode: the running estimates are used (or batch statistics if ``track_running_stats=False``).
    Buffers and names are PyTorch's: ``weight, bias, running_mean, running_var, num_batches_tracked``.
    """

    _input_ndims = ()
    _shape_text = ""

    def __init__(
        self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True, dtype=None, device=None
    ):
        check_device(device)  # the CPU is the only device
        super().__init__()
        if num_features <= 0:
            raise ValueError(f"{type(self).__name__}: num_features must be positive, got {num_features}")
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        dt = np.dtype(ag.get_default_dtype() if dtype is None else dtype)
        if affine:
            self.weight = Parameter(np.ones(num_features, dtype=dt))
            self.bias = Parameter(np.zeros(num_features, dtype=dt))
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", Tensor(np.zeros(num_features, dtype=dt)))
            self.register_buffer("running_var", Tensor(np.ones(num_features, dtype=dt)))
            self.register_buffer("num_batches_tracked", Tensor(np.array(0, dtype=np.int64)))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def reset_running_stats(self):
        """μ_run = 0, σ²_run = 1, no batches seen."""
        if self.track_running_stats:
            for buffer, value in ((self.running_mean, 0), (self.running_var, 1), (self.num_batches_tracked, 0)):
                buffer.array[...] = value
                buffer._version += 1

    def reset_parameters(self):
        """Running statistics reset, γ = 1, β = 0."""
        self.reset_running_stats()
        if self.affine:
            self.weight.array[...] = 1
            self.bias.array[...] = 0

    def forward(self, input):
        if input.ndim not in self._input_ndims:
            raise ShapeError(
                f"{type(self).__name__}: expected {self._shape_text} input, got a {input.ndim}D input of shape "
                f"{tuple(input.shape)}"
            )
        if input.shape[1] != self.num_features:
            raise ShapeError(
                f"{type(self).__name__}(num_features={self.num_features}): input of shape {tuple(input.shape)} has "
                f"{input.shape[1]} channels in dim 1, expected {self.num_features}"
            )
        momentum = self.momentum
        if self.training and self.track_running_stats:
            count = input.array.size // self.num_features
            if count <= 1:
                raise ValueError(
                    f"Expected more than 1 value per channel when training, got input size {tuple(input.shape)}: "
                    f"batch statistics of one value are undefined. Use a batch of at least 2, or call "
                    f"model.eval() to use the running statistics"
                )
            nbt = self.num_batches_tracked
            nbt.array += 1
            nbt._version += 1
            if momentum is None:
                momentum = 1.0 / float(nbt.array)
        use_batch_stats = self.training or self.running_mean is None
        track = not self.training or self.track_running_stats
        return F.batch_norm(
            input,
            self.running_mean if track else None,
            self.running_var if track else None,
            self.weight,
            self.bias,
            use_batch_stats,
            0.0 if momentum is None else momentum,
            self.eps,
        )

    def extra_repr(self):
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
            f"track_running_stats={self.track_running_stats}"
        )


class BatchNorm1d(_BatchNorm):
    """BatchNorm over (N, C) or (N, C, L) inputs: per-channel batch statistics, running estimates for eval."""

    __doc__ = "Batch normalization over (N, C) or (N, C, L) inputs, statistics over N (and L).\n\n    " + (
        _BatchNorm.__doc__ or ""
    )
    _input_ndims = (2, 3)
    _shape_text = "2D (N, C) or 3D (N, C, L)"


class BatchNorm2d(_BatchNorm):
    """BatchNorm over (N, C, H, W) inputs: per-channel batch statistics, running estimates for eval."""

    __doc__ = "Batch normalization over (N, C, H, W) inputs, statistics over N, H and W.\n\n    " + (
        _BatchNorm.__doc__ or ""
    )
    _input_ndims = (4,)
    _shape_text = "4D (N, C, H, W)"


class LayerNorm(Module):
    """y = γ ⊙ (x − μ)/√(σ² + ε) + β, with μ, σ² over the trailing ``normalized_shape`` dims of each
    sample (no batch statistics, so train and eval behave the same)."""

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True, dtype=None, device=None):
        check_device(device)  # the CPU is the only device
        super().__init__()
        shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
        self.normalized_shape = shape
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        dt = np.dtype(ag.get_default_dtype() if dtype is None else dtype)
        if elementwise_affine:
            self.weight = Parameter(np.ones(shape, dtype=dt))
            if bias:
                self.bias = Parameter(np.zeros(shape, dtype=dt))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)

    def forward(self, input):
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"


class _InstanceNorm(_BatchNorm):
    """y = γ ⊙ (x − μ)/√(σ² + ε) + β with μ, σ² per sample and channel, over the spatial dims.

    PyTorch's defaults: no affine parameters and no running statistics. With
    ``track_running_stats=True`` train mode moves the running estimates (the batch average of the
    per-instance statistics) and eval mode normalizes with them. An unbatched (C, *) input is
    taken as a batch of one. Buffers and names as BatchNorm's (and PyTorch's).
    """

    _input_ndims = ()
    _shape_text = ""

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=False, track_running_stats=False, dtype=None):
        super().__init__(num_features, eps, momentum, affine, track_running_stats, dtype)

    def forward(self, input):
        if input.ndim not in self._input_ndims:
            raise ShapeError(
                f"{type(self).__name__}: expected {self._shape_text} input, got a {input.ndim}D input of shape "
                f"{tuple(input.shape)}"
            )
        unbatched = input.ndim == self._input_ndims[0]
        x = input.unsqueeze(0) if unbatched else input
        if self.affine and x.shape[1] != self.num_features:
            raise ShapeError(
                f"{type(self).__name__}(num_features={self.num_features}): input of shape {tuple(input.shape)} has "
                f"{x.shape[1]} channels, expected {self.num_features}"
            )
        use_input_stats = self.training or not self.track_running_stats
        momentum = 0.0 if self.momentum is None else self.momentum
        out = F.instance_norm(
            x, self.running_mean, self.running_var, self.weight, self.bias, use_input_stats, momentum, self.eps
        )
        return out.squeeze(0) if unbatched else out


class InstanceNorm1d(_InstanceNorm):
    """InstanceNorm over (N, C, L) or unbatched (C, L) inputs: statistics over L per sample and channel."""

    _input_ndims = (2, 3)
    _shape_text = "2D (C, L) or 3D (N, C, L)"


class InstanceNorm2d(_InstanceNorm):
    """InstanceNorm over (N, C, H, W) or unbatched (C, H, W) inputs: statistics over H, W per sample and channel."""

    _input_ndims = (3, 4)
    _shape_text = "3D (C, H, W) or 4D (N, C, H, W)"


class InstanceNorm3d(_InstanceNorm):
    """InstanceNorm over (N, C, D, H, W) or unbatched (C, D, H, W) inputs."""

    _input_ndims = (4, 5)
    _shape_text = "4D (C, D, H, W) or 5D (N, C, D, H, W)"


class GroupNorm(Module):
    """y = γ ⊙ (x − μ)/√(σ² + ε) + β, with μ, σ² over each of ``num_groups`` groups of channels of a
    sample (and its spatial dims); γ, β per channel (ones and zeros). Train and eval behave the same."""

    def __init__(self, num_groups, num_channels, eps=1e-5, affine=True, dtype=None, *, bias=True):
        super().__init__()
        if num_groups <= 0 or num_channels % num_groups:
            raise ValueError(f"GroupNorm: num_channels ({num_channels}) must be divisible by num_groups ({num_groups})")
        self.num_groups = num_groups
        self.num_channels = num_channels
        self.eps = eps
        self.affine = affine
        dt = np.dtype(ag.get_default_dtype() if dtype is None else dtype)
        self.register_parameter("weight", Parameter(np.ones(num_channels, dtype=dt)) if affine else None)
        self.register_parameter("bias", Parameter(np.zeros(num_channels, dtype=dt)) if affine and bias else None)

    def reset_parameters(self):
        """γ = 1, β = 0."""
        for p, value in ((self.weight, 1), (self.bias, 0)):
            if p is not None:
                p.array[...] = value

    def forward(self, input):
        if input.ndim >= 2 and input.shape[1] != self.num_channels:
            raise ShapeError(
                f"GroupNorm(num_channels={self.num_channels}): input of shape {tuple(input.shape)} has "
                f"{input.shape[1]} channels in dim 1, expected {self.num_channels}"
            )
        return F.group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}"


class RMSNorm(Module):
    """y = γ ⊙ x/√(mean(x²) + ε) over the trailing ``normalized_shape`` dims (Zhang & Sennrich 2019);
    ε = the input dtype's machine epsilon when None (PyTorch's default), γ starts at ones."""

    def __init__(self, normalized_shape, eps=None, elementwise_affine=True, dtype=None):
        super().__init__()
        shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
        self.normalized_shape = shape
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        dt = np.dtype(ag.get_default_dtype() if dtype is None else dtype)
        self.register_parameter("weight", Parameter(np.ones(shape, dtype=dt)) if elementwise_affine else None)

    def reset_parameters(self):
        """γ = 1."""
        if self.weight is not None:
            self.weight.array[...] = 1

    def forward(self, input):
        return F.rms_norm(input, self.normalized_shape, self.weight, self.eps)

    def extra_repr(self):
        return f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"


class LocalResponseNorm(Module):
    """y_c = x_c / (k + α/n · Σ x²_c')^β over the n = ``size`` neighbouring channels (AlexNet's LRN)."""

    def __init__(self, size, alpha=1e-4, beta=0.75, k=1.0):
        super().__init__()
        self.size = size
        self.alpha = alpha
        self.beta = beta
        self.k = k

    def forward(self, input):
        return F.local_response_norm(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self):
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"
