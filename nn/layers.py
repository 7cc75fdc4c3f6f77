"""Layers: Linear, Bilinear, Maxout, the activation modules, the dropouts, Flatten, Unflatten, PixelShuffle,
PixelUnshuffle and Identity."""

from __future__ import annotations

import math

import numpy as np

import autograd as ag
from autograd import ShapeError
from autograd.device import check_device

from . import functional as F
from . import init
from .module import Module, Parameter

__all__ = [
    "Identity",
    "Flatten",
    "Linear",
    "Maxout",
    "ReLU",
    "LeakyReLU",
    "PReLU",
    "GELU",
    "ELU",
    "SELU",
    "Sigmoid",
    "SiLU",
    "Tanh",
    "Softplus",
    "Softmax",
    "LogSoftmax",
    "Dropout",
    "Hardshrink",
    "Softshrink",
    "Tanhshrink",
    "Threshold",
    "RReLU",
    "Softmax2d",
    "Unflatten",
    "PixelShuffle",
    "PixelUnshuffle",
    "Dropout1d",
    "Dropout2d",
    "Dropout3d",
    "AlphaDropout",
    "FeatureAlphaDropout",
    "Bilinear",
]


def reset_like_pytorch(weight, bias, generator=None):
    """PyTorch's default init for Linear and Conv: W ~ kaiming_uniform_(a=√5), i.e.
    U(−1/√fan_in, 1/√fan_in), and b ~ U(−1/√fan_in, 1/√fan_in)."""
    init.kaiming_uniform_(weight, a=math.sqrt(5), generator=generator)
    if bias is not None:
        fan_in, _ = init.calculate_fan_in_and_fan_out(weight)
        bound = 1.0 / math.sqrt(fan_in) if fan_in > 0 else 0.0
        init.uniform_(bias, -bound, bound, generator=generator)


def parameter_dtype(dtype):
    """The dtype of a layer's parameters: ``dtype``, or the default dtype when it is None."""
    return np.dtype(ag.get_default_dtype() if dtype is None else dtype)


class Identity(Module):
    """a = h (a placeholder; arguments are accepted and ignored, as in PyTorch)."""

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, input):
        return input


class Flatten(Module):
    """Merge dims ``start_dim``..``end_dim`` into one: (N, C, H, W) → (N, C·H·W) by default."""

    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input):
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self):
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Linear(Module):
    """z = a Wᵀ + b, W of shape (out_features, in_features) (PyTorch's layout).

    Init as PyTorch: W, b ~ U(−1/√in_features, 1/√in_features) (kaiming_uniform_ with a = √5).
    ``dropconnect`` = p drops each weight with probability p at train time and scales the rest by
    1/(1 − p) (DropConnect, Wan et al. 2013, with inverted scaling: eval uses W as is).
    """

    def __init__(self, in_features, out_features, bias=True, dropconnect=0.0, dtype=None, generator=None, device=None):
        check_device(device)  # the CPU is the only device
        super().__init__()
        if in_features <= 0 or out_features <= 0:
            raise ValueError(
                f"Linear: in_features and out_features must be positive, got {in_features}, {out_features}"
            )
        if not 0.0 <= dropconnect < 1.0:
            raise ValueError(f"Linear: dropconnect is a drop probability in [0, 1), got {dropconnect}")
        self.in_features = in_features
        self.out_features = out_features
        self.dropconnect = dropconnect
        self.generator = generator
        dt = parameter_dtype(dtype)
        self.weight = Parameter(np.empty((out_features, in_features), dtype=dt))
        if bias:
            self.bias = Parameter(np.empty((out_features,), dtype=dt))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        """PyTorch's default init (above)."""
        reset_like_pytorch(self.weight, self.bias, self.generator)

    def forward(self, input):
        shape = input.array.shape
        if not shape or shape[-1] != self.in_features:
            got = input.shape[-1] if input.ndim else "no"
            where = f"{self._qualname}: " if self._qualname else ""
            raise ShapeError(
                f"{where}Linear(in_features={self.in_features}, out_features={self.out_features}) expects "
                f"inputs of shape (..., {self.in_features}), but got shape {tuple(input.shape)} with {got} "
                f"features in the last dim: expected {self.in_features}, given {got}"
            )
        weight = self.weight
        if self.dropconnect and self.training:
            weight = F.dropout(weight, self.dropconnect, True, self.generator)
        return F.linear(input, weight, self.bias)

    def extra_repr(self):
        text = f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"
        if self.dropconnect:
            text += f", dropconnect={self.dropconnect}"
        return text


class Maxout(Module):
    """a_j = max_k (W_k a + b_k)_j: the max over ``pieces`` affine maps (Goodfellow et al. 2013).

    The k maps are stored as one weight of shape (out_features·pieces, in_features) (and a bias
    of out_features·pieces): rows j·pieces … j·pieces + pieces − 1 are the pieces of output j.
    Init as Linear. The gradient flows only to the winning piece (at a tie, to the first).
    """

    def __init__(self, in_features, out_features, pieces=2, bias=True, dtype=None, generator=None, device=None):
        check_device(device)  # the CPU is the only device
        super().__init__()
        if pieces < 1:
            raise ValueError(f"Maxout: pieces must be at least 1, got {pieces}")
        if in_features <= 0 or out_features <= 0:
            raise ValueError(
                f"Maxout: in_features and out_features must be positive, got {in_features}, {out_features}"
            )
        self.in_features = in_features
        self.out_features = out_features
        self.pieces = pieces
        self.generator = generator
        dt = parameter_dtype(dtype)
        self.weight = Parameter(np.empty((out_features * pieces, in_features), dtype=dt))
        if bias:
            self.bias = Parameter(np.empty((out_features * pieces,), dtype=dt))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        """Linear's (PyTorch's) default init, over all the pieces."""
        Linear.reset_parameters(self)

    def forward(self, input):
        shape = input.array.shape
        if not shape or shape[-1] != self.in_features:
            got = input.shape[-1] if input.ndim else "no"
            raise ShapeError(
                f"{self._qualname + ': ' if self._qualname else ''}{self!r} expects inputs of shape "
                f"(..., {self.in_features}), but got shape {tuple(input.shape)}: expected {self.in_features} "
                f"features, given {got}"
            )
        z = F.linear(input, self.weight, self.bias)
        z = z.reshape(tuple(z.shape[:-1]) + (self.out_features, self.pieces))
        return ag.max(z, dim=-1).values

    def extra_repr(self):
        return f"in_features={self.in_features}, out_features={self.out_features}, pieces={self.pieces}"


class ReLU(Module):
    """a = max(0, z).

    NOTE: ``inplace`` is accepted for PyTorch compatibility; the result is always a new tensor.
    """

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return F.relu(input)


class LeakyReLU(Module):
    """a = z if z > 0 else α·z, α = ``negative_slope``."""

    def __init__(self, negative_slope=0.01, inplace=False):
        super().__init__()
        self.negative_slope = negative_slope
        self.inplace = inplace

    def forward(self, input):
        return F.leaky_relu(input, self.negative_slope)

    def extra_repr(self):
        return f"negative_slope={self.negative_slope}"


class PReLU(Module):
    """a = z if z > 0 else α·z with a learned slope α: one shared, or one per channel (dim 1)."""

    def __init__(self, num_parameters=1, init=0.25, dtype=None, device=None):
        check_device(device)  # the CPU is the only device
        super().__init__()
        self.num_parameters = num_parameters
        self.weight = Parameter(np.full((num_parameters,), init, dtype=parameter_dtype(dtype)))

    def forward(self, input):
        return F.prelu(input, self.weight)

    def extra_repr(self):
        return f"num_parameters={self.num_parameters}"


class GELU(Module):
    """a = z·Φ(z) (``approximate="none"``) or its tanh approximation (``"tanh"``)."""

    def __init__(self, approximate="none"):
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise ValueError(f"GELU: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def forward(self, input):
        return F.gelu(input, self.approximate)

    def extra_repr(self):
        return f"approximate={self.approximate!r}"


class ELU(Module):
    """a = z if z > 0 else α(eᶻ − 1)."""

    def __init__(self, alpha=1.0, inplace=False):
        super().__init__()
        self.alpha = alpha
        self.inplace = inplace

    def forward(self, input):
        return F.elu(input, self.alpha)

    def extra_repr(self):
        return f"alpha={self.alpha}"


class SELU(Module):
    """a = λ·(z if z > 0 else α(eᶻ − 1)) with the published λ ≈ 1.0507, α ≈ 1.6733 (Klambauer et al. 2017)."""

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return F.selu(input)


class Sigmoid(Module):
    """a = σ(z) = 1/(1 + e^(−z))."""

    def forward(self, input):
        return F.sigmoid(input)


class SiLU(Module):
    """a = z·σ(z) (the swish).

    NOTE: ``inplace`` is accepted for PyTorch compatibility; the result is always a new tensor.
    """

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return F.silu(input)


class Tanh(Module):
    """a = tanh(z)."""

    def forward(self, input):
        return F.tanh(input)


class Softplus(Module):
    """a = log(1 + e^(βz))/β (z itself where βz > threshold)."""

    def __init__(self, beta=1.0, threshold=20.0):
        super().__init__()
        self.beta = beta
        self.threshold = threshold

    def forward(self, input):
        return F.softplus(input, self.beta, self.threshold)

    def extra_repr(self):
        return f"beta={self.beta}, threshold={self.threshold}"


class Hardtanh(Module):
    """a = z clipped to [min_val, max_val].

    NOTE: ``inplace`` is accepted for PyTorch compatibility; the result is always a new tensor.
    """

    def __init__(self, min_val=-1.0, max_val=1.0, inplace=False):
        super().__init__()
        if max_val < min_val:
            raise ValueError(f"Hardtanh: max_val ({max_val}) cannot be less than min_val ({min_val})")
        self.min_val = min_val
        self.max_val = max_val
        self.inplace = inplace

    def forward(self, input):
        return F.hardtanh(input, self.min_val, self.max_val)

    def extra_repr(self):
        return f"min_val={self.min_val}, max_val={self.max_val}"


class ReLU6(Module):
    """a = min(max(0, z), 6)."""

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return F.relu6(input)


class Hardsigmoid(Module):
    """a = relu6(z + 3)/6."""

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return F.hardsigmoid(input)


class Hardswish(Module):
    """a = z·relu6(z + 3)/6."""

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return F.hardswish(input)


class Mish(Module):
    """a = z·tanh(softplus(z))."""

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return F.mish(input)


class Softsign(Module):
    """a = z/(1 + |z|)."""

    def forward(self, input):
        return F.softsign(input)


class LogSigmoid(Module):
    """a = log σ(z) = −softplus(−z)."""

    def forward(self, input):
        return F.logsigmoid(input)


class CELU(Module):
    """a = z if z > 0 else α(e^(z/α) − 1)."""

    def __init__(self, alpha=1.0, inplace=False):
        super().__init__()
        self.alpha = alpha
        self.inplace = inplace

    def forward(self, input):
        return F.celu(input, self.alpha)

    def extra_repr(self):
        return f"alpha={self.alpha}"


class GLU(Module):
    """a = u ⊙ σ(v), where u and v are the halves of z along ``dim``."""

    def __init__(self, dim=-1):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return F.glu(input, self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"


class Softmin(Module):
    """a_i = e^(−z_i)/Σ_j e^(−z_j) along ``dim``.

    NOTE: PyTorch guesses a dim when none is given (deprecated); we take the last dim.
    """

    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return F.softmin(input, self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"


class Softmax(Module):
    """a_i = e^(z_i)/Σ_j e^(z_j) along ``dim``.

    NOTE: PyTorch guesses a dim when none is given (deprecated); we default to the last dim.
    """

    def __init__(self, dim=-1):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return F.softmax(input, self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"


class LogSoftmax(Module):
    """a_i = z_i − log Σ_j e^(z_j) along ``dim`` (stable; pair it with NLLLoss)."""

    def __init__(self, dim=-1):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return F.log_softmax(input, self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"


class Dropout(Module):
    """Inverted dropout: at train time a = m ⊙ h/(1 − p), m ~ Bernoulli(1 − p); at eval a = h.

    ``p`` is the probability of *dropping* a unit (PyTorch's convention). The course's p is the
    probability of *keeping* one: course p = 1 − p here (course p = 0.5 ⇔ Dropout(0.5)). Scaling
    by 1/(1 − p) while training keeps E[a] = h, so nothing is rescaled at test time.
    """

    def __init__(self, p=0.5, inplace=False, generator=None):
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"Dropout: p is a drop probability and must be in [0, 1], got {p}")
        self.p = p
        self.inplace = inplace
        self.generator = generator

    def forward(self, input):
        return F.dropout(input, self.p, self.training, self.generator)

    def extra_repr(self):
        return f"p={self.p}"


class Hardshrink(Module):
    """a = z where |z| > λ, else 0."""

    def __init__(self, lambd=0.5):
        super().__init__()
        self.lambd = lambd

    def forward(self, input):
        return F.hardshrink(input, self.lambd)

    def extra_repr(self):
        return f"{self.lambd}"


class Softshrink(Module):
    """a = z − λ where z > λ, z + λ where z < −λ, else 0."""

    def __init__(self, lambd=0.5):
        super().__init__()
        self.lambd = lambd

    def forward(self, input):
        return F.softshrink(input, self.lambd)

    def extra_repr(self):
        return f"{self.lambd}"


class Tanhshrink(Module):
    """a = z − tanh(z)."""

    def forward(self, input):
        return F.tanhshrink(input)


class Threshold(Module):
    """a = z where z > threshold, else ``value`` (``inplace=True`` writes into the input, as PyTorch)."""

    def __init__(self, threshold, value, inplace=False):
        super().__init__()
        self.threshold = threshold
        self.value = value
        self.inplace = inplace

    def forward(self, input):
        return F.threshold(input, self.threshold, self.value, self.inplace)

    def extra_repr(self):
        return f"threshold={self.threshold}, value={self.value}{', inplace=True' if self.inplace else ''}"


class RReLU(Module):
    """a = z if z ≥ 0 else α·z, α ~ U(lower, upper) per element at train time, (lower + upper)/2 at eval.

    ``inplace=True`` writes into the input, as PyTorch; ``generator`` (NumPy) replaces the seeded one.
    """

    def __init__(self, lower=1.0 / 8.0, upper=1.0 / 3.0, inplace=False, generator=None):
        super().__init__()
        if not 0 <= lower <= upper:
            raise ValueError(f"RReLU: expected 0 <= lower <= upper, got lower={lower}, upper={upper}")
        self.lower = lower
        self.upper = upper
        self.inplace = inplace
        self.generator = generator

    def forward(self, input):
        return F.rrelu(input, self.lower, self.upper, self.training, self.inplace, self.generator)

    def extra_repr(self):
        return f"lower={self.lower}, upper={self.upper}{', inplace=True' if self.inplace else ''}"


class Softmax2d(Module):
    """Softmax over the channels of each location: dim −3 of a (N, C, H, W) or (C, H, W) input."""

    def forward(self, input):
        if input.ndim not in (3, 4):
            raise ShapeError(
                f"Softmax2d: expected a 3D (C, H, W) or 4D (N, C, H, W) input, got shape {tuple(input.shape)}"
            )
        return F.softmax(input, -3)


class Unflatten(Module):
    """Split dim ``dim`` into ``unflattened_size``: (N, 12) → (N, 3, 4) for Unflatten(1, (3, 4))."""

    def __init__(self, dim, unflattened_size):
        super().__init__()
        self.dim = dim
        self.unflattened_size = tuple(unflattened_size)

    def forward(self, input):
        return input.unflatten(self.dim, self.unflattened_size)

    def extra_repr(self):
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"


class PixelShuffle(Module):
    """(*, C·r², H, W) → (*, C, H·r, W·r), r = ``upscale_factor``."""

    def __init__(self, upscale_factor):
        super().__init__()
        self.upscale_factor = upscale_factor

    def forward(self, input):
        return F.pixel_shuffle(input, self.upscale_factor)

    def extra_repr(self):
        return f"upscale_factor={self.upscale_factor}"


class PixelUnshuffle(Module):
    """(*, C, H·r, W·r) → (*, C·r², H, W), r = ``downscale_factor``."""

    def __init__(self, downscale_factor):
        super().__init__()
        self.downscale_factor = downscale_factor

    def forward(self, input):
        return F.pixel_unshuffle(input, self.downscale_factor)

    def extra_repr(self):
        return f"downscale_factor={self.downscale_factor}"


class Dropout1d(Dropout):
    """Channel dropout at train time: each channel of (N, C, L) or (C, L) is zeroed with probability p, the
    rest scaled by 1/(1 − p) (adjacent positions are correlated, so units are dropped a channel at a time)."""

    _function = staticmethod(F.dropout1d)

    def forward(self, input):
        return self._function(input, self.p, self.training, self.inplace, self.generator)


class Dropout2d(Dropout1d):
    """Channel dropout of (N, C, H, W) or (C, H, W) inputs at train time (see Dropout1d)."""

    _function = staticmethod(F.dropout2d)


class Dropout3d(Dropout1d):
    """Channel dropout of (N, C, D, H, W) or (C, D, H, W) inputs at train time (see Dropout1d)."""

    _function = staticmethod(F.dropout3d)


class AlphaDropout(Dropout1d):
    """Alpha dropout at train time (for SELU networks): dropped units take −λα and an affine map keeps
    mean 0 and variance 1 (Klambauer et al. 2017)."""

    _function = staticmethod(F.alpha_dropout)


class FeatureAlphaDropout(Dropout1d):
    """Alpha dropout of whole channels at train time (see AlphaDropout)."""

    _function = staticmethod(F.feature_alpha_dropout)


class Bilinear(Module):
    """y_k = x₁ᵀ W_k x₂ + b_k, W of shape (out_features, in1_features, in2_features).

    Init as PyTorch: W, b ~ U(−1/√in1_features, 1/√in1_features).
    """

    def __init__(self, in1_features, in2_features, out_features, bias=True, dtype=None, generator=None):
        super().__init__()
        if min(in1_features, in2_features, out_features) <= 0:
            raise ValueError(
                f"Bilinear: the feature sizes must be positive, got {in1_features}, {in2_features}, {out_features}"
            )
        self.in1_features = in1_features
        self.in2_features = in2_features
        self.out_features = out_features
        self.generator = generator
        dt = parameter_dtype(dtype)
        self.weight = Parameter(np.empty((out_features, in1_features, in2_features), dtype=dt))
        self.register_parameter("bias", Parameter(np.empty((out_features,), dtype=dt)) if bias else None)
        self.reset_parameters()

    def reset_parameters(self):
        """PyTorch's init (above)."""
        bound = 1.0 / math.sqrt(self.in1_features)
        init.uniform_(self.weight, -bound, bound, generator=self.generator)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound, generator=self.generator)

    def forward(self, input1, input2):
        return F.bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self):
        return (
            f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
            f"out_features={self.out_features}, bias={self.bias is not None}"
        )
