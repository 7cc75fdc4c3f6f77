"""Functions behind the layers and losses (PyTorch's ``torch.nn.functional`` names).

The primitives (activations, linear, convolution and pooling, normalization, the losses) live in
``autograd/ops`` beside their VJPs and are re-exported here under PyTorch's names; ``prelu`` and
``dropout`` are compositions of them and get their gradient for free, as are the sequence and
attention functions (``embedding``, ``one_hot``, ``scaled_dot_product_attention``).
"""

from __future__ import annotations

import numpy as np

import autograd as ag

# The autograd primitives, re-exported under PyTorch's names.
from autograd import (
    avg_pool1d,
    avg_pool2d,
    batch_norm,
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    conv1d,
    conv2d,
    conv_transpose1d,
    conv_transpose2d,
    cosine_embedding_loss,
    cosine_similarity,
    cross_entropy,
    fold,
    gelu,
    glu,
    hardshrink,
    hardsigmoid,
    hardswish,
    huber_loss,
    interpolate,
    kl_div,
    l1_loss,
    layer_norm,
    linear,
    log_softmax,
    logsigmoid,
    margin_ranking_loss,
    max_pool1d,
    max_pool2d,
    mish,
    mse_loss,
    nll_loss,
    normalize,
    pad,
    pairwise_distance,
    poisson_nll_loss,
    relu6,
    sigmoid,
    silu,
    smooth_l1_loss,
    soft_margin_loss,
    softmax,
    softmin,
    softplus,
    softshrink,
    softsign,
    tanh,
    tanhshrink,
    unfold,
)
from autograd.extend import ShapeError, wrap
from autograd.inplace import update_inplace

__all__ = [
    "linear",
    "relu",
    "leaky_relu",
    "prelu",
    "gelu",
    "elu",
    "selu",
    "sigmoid",
    "silu",
    "tanh",
    "softplus",
    "relu6",
    "hardtanh",
    "hardsigmoid",
    "hardswish",
    "mish",
    "softsign",
    "logsigmoid",
    "celu",
    "hardshrink",
    "softshrink",
    "tanhshrink",
    "threshold",
    "rrelu",
    "relu_",
    "leaky_relu_",
    "elu_",
    "selu_",
    "celu_",
    "hardtanh_",
    "threshold_",
    "rrelu_",
    "glu",
    "softmin",
    "softmax",
    "log_softmax",
    "dropout",
    "dropout1d",
    "dropout2d",
    "dropout3d",
    "alpha_dropout",
    "feature_alpha_dropout",
    "pixel_shuffle",
    "pixel_unshuffle",
    "adaptive_avg_pool1d",
    "adaptive_max_pool1d",
    "adaptive_max_pool2d",
    "bilinear",
    "batch_norm",
    "layer_norm",
    "group_norm",
    "instance_norm",
    "rms_norm",
    "local_response_norm",
    "cross_entropy",
    "nll_loss",
    "mse_loss",
    "l1_loss",
    "huber_loss",
    "smooth_l1_loss",
    "kl_div",
    "soft_margin_loss",
    "margin_ranking_loss",
    "cosine_embedding_loss",
    "poisson_nll_loss",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "hinge_embedding_loss",
    "multilabel_soft_margin_loss",
    "multi_margin_loss",
    "triplet_margin_loss",
    "gaussian_nll_loss",
    "conv1d",
    "pad",
    "interpolate",
    "conv2d",
    "conv_transpose1d",
    "conv_transpose2d",
    "max_pool1d",
    "max_pool2d",
    "avg_pool1d",
    "avg_pool2d",
    "adaptive_avg_pool2d",
    "unfold",
    "fold",
    "normalize",
    "cosine_similarity",
    "pairwise_distance",
    "embedding",
    "one_hot",
    "scaled_dot_product_attention",
]


# --- activations -----------------------------------------------------------------------------------
# NOTE: ``inplace=True`` (and the trailing-underscore forms) write the result into ``input``, as in
# PyTorch: outside autograd into its array; under autograd ``input`` takes the result's history
# (autograd.inplace), so a leaf that requires grad is refused, as PyTorch refuses it.
def _inplace(input, fn, name):
    """Make ``input`` hold ``fn(input)`` (in place; see the NOTE above)."""
    return update_inplace(input, lambda x, _: fn(x), None, name)


def relu(input, inplace=False):
    """max(0, z)."""
    return relu_(input) if inplace else ag.relu(input)


def relu_(input):
    """relu, in place."""
    return _inplace(input, ag.relu, "relu_")


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """max(z, αz) for slope α = negative_slope."""
    return leaky_relu_(input, negative_slope) if inplace else ag.leaky_relu(input, negative_slope)


def leaky_relu_(input, negative_slope=0.01):
    """leaky_relu, in place."""
    return _inplace(input, lambda x: ag.leaky_relu(x, negative_slope), "leaky_relu_")


def elu(input, alpha=1.0, inplace=False):
    """z if z > 0 else α(eᶻ − 1)."""
    return elu_(input, alpha) if inplace else ag.elu(input, alpha)


def elu_(input, alpha=1.0):
    """elu, in place."""
    return _inplace(input, lambda x: ag.elu(x, alpha), "elu_")


def selu(input, inplace=False):
    """λ·elu(z, α) with the self-normalizing constants."""
    return selu_(input) if inplace else ag.selu(input)


def selu_(input):
    """selu, in place."""
    return _inplace(input, ag.selu, "selu_")


def celu(input, alpha=1.0, inplace=False):
    """z if z > 0 else α(e^(z/α) − 1)."""
    return celu_(input, alpha) if inplace else ag.celu(input, alpha)


def celu_(input, alpha=1.0):
    """celu, in place."""
    return _inplace(input, lambda x: ag.celu(x, alpha), "celu_")


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """z clipped to [min_val, max_val]."""
    return hardtanh_(input, min_val, max_val) if inplace else ag.hardtanh(input, min_val, max_val)


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    """hardtanh, in place."""
    return _inplace(input, lambda x: ag.hardtanh(x, min_val, max_val), "hardtanh_")


def threshold(input, threshold, value, inplace=False):
    """z where z > threshold, else ``value``."""
    return threshold_(input, threshold, value) if inplace else ag.threshold(input, threshold, value)


def threshold_(input, threshold, value):
    """threshold, in place."""
    return _inplace(input, lambda x: ag.threshold(x, threshold, value), "threshold_")


def rrelu(input, lower=1.0 / 8.0, upper=1.0 / 3.0, training=False, inplace=False, generator=None):
    """z if z ≥ 0 else a·z, a ~ U(lower, upper) when training, (lower + upper)/2 otherwise."""
    if inplace:
        return rrelu_(input, lower, upper, training, generator)
    return ag.rrelu(input, lower, upper, training, generator)


def rrelu_(input, lower=1.0 / 8.0, upper=1.0 / 3.0, training=False, generator=None):
    """rrelu, in place."""
    return _inplace(input, lambda x: ag.rrelu(x, lower, upper, training, generator), "rrelu_")


def prelu(input, weight):
    """max(0, z) + a·min(0, z) with a learned slope ``a`` (one, or one per channel on dim 1)."""
    if weight.ndim != 1:
        raise ShapeError(f"prelu: weight must be 1-D (num_parameters,), got shape {weight.shape}")
    a = weight
    if weight.shape[0] != 1:
        channel_dim = 1 if input.ndim >= 2 else 0
        if input.ndim == 0 or input.shape[channel_dim] != weight.shape[0]:
            raise ShapeError(
                f"prelu: weight has {weight.shape[0]} slopes (num_parameters) but the input of shape "
                f"{input.shape} has {input.shape[channel_dim] if input.ndim else 0} channels in dim {channel_dim}"
            )
        a = weight.reshape((-1,) + (1,) * (input.ndim - channel_dim - 1))
    return ag.where(input.array > 0, input, a * input)


# --- dropout ------------------------------------------------------------------------------------------
def dropout(input, p=0.5, training=True, generator=None):
    """Inverted dropout: a = m ⊙ h / (1 − p), m ~ Bernoulli(1 − p), at train time; h at eval.

    ``p`` is the probability of *dropping* a unit (PyTorch); the course's keep probability is 1 − p.
    """
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0:
        return input
    if input.dtype.kind != "f":
        raise TypeError(f"dropout: input must be floating point, got {input.dtype}")
    dtype = input.dtype if input.dtype in (np.float32, np.float64) else np.float64
    rng = generator if generator is not None else ag.default_generator()
    keep = rng.random(input.shape, dtype=dtype) >= p
    mask = keep.astype(input.dtype)
    if p < 1.0:
        mask *= 1.0 / (1.0 - p)
    return input * wrap(mask)


def _check_p(p, where):
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"{where}: dropout probability has to be between 0 and 1, but got {p}")


def _noise_shape(input, batched_ndim, where):
    """The shape of a per-channel mask: (N, C, 1, ...) for a batched input, (C, 1, ...) for an unbatched one."""
    if input.ndim not in (batched_ndim - 1, batched_ndim):
        raise ShapeError(
            f"{where}: expected a {batched_ndim - 1}D (C, *) or {batched_ndim}D (N, C, *) input, got shape "
            f"{tuple(input.shape)}"
        )
    lead = 2 if input.ndim == batched_ndim else 1
    return tuple(input.shape[:lead]) + (1,) * (input.ndim - lead)


def _keep_mask(input, shape, p, generator):
    """m ~ Bernoulli(1 − p) of ``shape`` (broadcast over the rest), in the input's float dtype."""
    if input.dtype.kind != "f":
        raise TypeError(f"dropout: input must be floating point, got {input.dtype}")
    rng = generator if generator is not None else ag.default_generator()
    return (rng.random(shape) >= p).astype(input.dtype)


def _channel_dropout(input, p, training, inplace, generator, batched_ndim, where):
    """Zero whole channels with probability p, scale the rest by 1/(1 − p) (train mode only)."""
    _check_p(p, where)
    shape = _noise_shape(input, batched_ndim, where)
    if not training or p == 0.0:
        return input
    mask = _keep_mask(input, shape, p, generator)
    if p < 1.0:
        mask *= 1.0 / (1.0 - p)
    return _scale_shift(input, wrap(mask), None, inplace, where)


def _scale_shift(input, scale, shift, inplace, where):
    """x ⊙ scale (+ shift), in place if asked (the masks are constants, so δ = g ⊙ scale)."""

    def fn(x):
        return x * scale if shift is None else x * scale + shift

    return _inplace(input, fn, where + "_") if inplace else fn(input)


def dropout1d(input, p=0.5, training=True, inplace=False, generator=None):
    """Channel dropout of (N, C, L) or (C, L): each channel is zeroed with probability p, the rest scaled by 1/(1 − p)."""
    return _channel_dropout(input, p, training, inplace, generator, 3, "dropout1d")


def dropout2d(input, p=0.5, training=True, inplace=False, generator=None):
    """Channel dropout of (N, C, H, W) or (C, H, W).

    NOTE: a 3-D input is (C, H, W), the meaning PyTorch announces; PyTorch 2 still takes it as (N, C, L)
    with a warning (use dropout1d for that).
    """
    return _channel_dropout(input, p, training, inplace, generator, 4, "dropout2d")


def dropout3d(input, p=0.5, training=True, inplace=False, generator=None):
    """Channel dropout of (N, C, D, H, W) or (C, D, H, W)."""
    return _channel_dropout(input, p, training, inplace, generator, 5, "dropout3d")


# −λα of SELU: the value a dropped unit takes in alpha dropout (PyTorch's constant).
_ALPHA_PRIME = 1.7580993408473766


def _alpha_dropout(input, p, training, inplace, generator, shape, where):
    """a ⊙ (m ⊙ x + α'(1 − m)) + b: keeps SELU's zero mean and unit variance (Klambauer et al. 2017)."""
    _check_p(p, where)
    if not training or p == 0.0:
        return input
    if p == 1.0:
        return input * 0.0
    keep = _keep_mask(input, shape, p, generator)
    a = 1.0 / np.sqrt((_ALPHA_PRIME * _ALPHA_PRIME * p + 1.0) * (1.0 - p))
    shift = ((keep - 1.0) * (_ALPHA_PRIME * a) + _ALPHA_PRIME * a * p).astype(input.dtype)
    scale = (keep * a).astype(input.dtype)
    return _scale_shift(input, wrap(scale), wrap(shift), inplace, where)


def alpha_dropout(input, p=0.5, training=False, inplace=False, generator=None):
    """Alpha dropout for SELU networks: dropped units take −λα, then an affine map restores mean 0, variance 1."""
    return _alpha_dropout(input, p, training, inplace, generator, tuple(input.shape), "alpha_dropout")


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False, generator=None):
    """Alpha dropout of whole channels (dim 1) of an (N, C, *) input."""
    if input.ndim < 2:
        raise ShapeError(f"feature_alpha_dropout: expected an input of shape (N, C, *), got shape {input.shape}")
    shape = tuple(input.shape[:2]) + (1,) * (input.ndim - 2)
    return _alpha_dropout(input, p, training, inplace, generator, shape, "feature_alpha_dropout")


# --- rearrangement, adaptive pooling, bilinear -------------------------------------------------------
def _factor(input, r, what, where):
    if input.ndim < 3:
        raise ShapeError(f"{where}: expected an input of shape (*, C, H, W), got shape {tuple(input.shape)}")
    if r <= 0:
        raise ValueError(f"{where}: {what} must be positive, got {r}")


def pixel_shuffle(input, upscale_factor):
    """(*, C·r², H, W) → (*, C, H·r, W·r): sub-pixel convolution's rearrangement (Shi et al. 2016)."""
    r = upscale_factor
    _factor(input, r, "upscale_factor", "pixel_shuffle")
    *lead, c, h, w = input.shape
    if c % (r * r):
        raise ValueError(
            f"pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of upscale_factor, "
            f"but input.size(-3)={c} is not divisible by {r * r} (input of shape {tuple(input.shape)})"
        )
    k = len(lead)
    x = input.reshape(tuple(lead) + (c // (r * r), r, r, h, w))
    x = x.permute(tuple(range(k)) + (k, k + 3, k + 1, k + 4, k + 2))
    return x.reshape(tuple(lead) + (c // (r * r), h * r, w * r))


def pixel_unshuffle(input, downscale_factor):
    """(*, C, H·r, W·r) → (*, C·r², H, W): the inverse of pixel_shuffle."""
    r = downscale_factor
    _factor(input, r, "downscale_factor", "pixel_unshuffle")
    *lead, c, h, w = input.shape
    if h % r or w % r:
        raise ValueError(
            f"pixel_unshuffle expects height and width to be divisible by downscale_factor={r}, but got input of "
            f"shape {tuple(input.shape)}"
        )
    k = len(lead)
    x = input.reshape(tuple(lead) + (c, h // r, r, w // r, r))
    x = x.permute(tuple(range(k)) + (k, k + 2, k + 4, k + 1, k + 3))
    return x.reshape(tuple(lead) + (c * r * r, h // r, w // r))


def _bins(size, out):
    """PyTorch's adaptive bins: output cell i pools [⌊i·size/out⌋, ⌈(i + 1)·size/out⌉)."""
    return [((i * size) // out, -((-(i + 1) * size) // out)) for i in range(out)]


def _adaptive_sizes(input, output_size, dims, where):
    """The output size per pooled dim (None keeps the input's), checked against an (N, C, *) or (C, *) input."""
    if input.ndim not in (dims + 1, dims + 2):
        raise ShapeError(
            f"{where}: expected a {dims + 1}D or {dims + 2}D input (the last {dims} pooled), got shape "
            f"{tuple(input.shape)}"
        )
    sizes = tuple(output_size) if isinstance(output_size, (tuple, list)) else (output_size,) * dims
    if len(sizes) != dims:
        raise ValueError(f"{where}: output_size must have {dims} elements, got {output_size}")
    sizes = tuple(input.shape[input.ndim - dims + i] if s is None else s for i, s in enumerate(sizes))
    if any(s < 1 for s in sizes):
        raise ValueError(f"{where}: output_size must be positive, got {output_size}")
    if any(n == 0 for n in input.shape[input.ndim - dims :]):
        raise ShapeError(f"{where}: the pooled dims of input {tuple(input.shape)} must be non-empty")
    return sizes


def adaptive_avg_pool1d(input, output_size):
    """Average (N, C, L) or (C, L) into ``output_size`` cells of PyTorch's adaptive bins (any L)."""
    (out,) = _adaptive_sizes(input, output_size, 1, "adaptive_avg_pool1d")
    cells = [input[..., lo:hi].mean(-1) for lo, hi in _bins(input.shape[-1], out)]
    return ag.stack(cells, -1)


def adaptive_avg_pool2d(input, output_size):
    """Average (N, C, H, W) or (C, H, W) into adaptive bins (any H, W; ``None`` keeps that input size).

    NOTE: sizes that divide evenly go to the pooling primitive; others average each output cell
    separately (a composite, as adaptive_max_pool2d).
    """
    oh, ow = _adaptive_sizes(input, output_size, 2, "adaptive_avg_pool2d")
    h, w = input.shape[-2], input.shape[-1]
    if input.ndim == 4 and h % oh == 0 and w % ow == 0:
        return ag.adaptive_avg_pool2d(input, (oh, ow))
    cells = [input[..., r0:r1, c0:c1].mean((-2, -1)) for r0, r1 in _bins(h, oh) for c0, c1 in _bins(w, ow)]
    return ag.stack(cells, -1).reshape(tuple(input.shape[:-2]) + (oh, ow))


def adaptive_max_pool1d(input, output_size, return_indices=False):
    """Max of (N, C, L) or (C, L) over ``output_size`` adaptive bins; indices into L with ``return_indices``."""
    (out,) = _adaptive_sizes(input, output_size, 1, "adaptive_max_pool1d")
    values, indices = [], []
    for lo, hi in _bins(input.shape[-1], out):
        best = input[..., lo:hi].max(-1)  # the gradient goes to the first maximum, as PyTorch's
        values.append(best.values)
        indices.append(best.indices.array + lo)
    result = ag.stack(values, -1)
    return (result, ag.tensor(np.stack(indices, -1).astype(np.int64))) if return_indices else result


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """Max of (N, C, H, W) or (C, H, W) over adaptive bins; indices into the flattened H·W with ``return_indices``.

    NOTE: a composite, one max per output cell: fine for the small outputs it is used for (1×1 … 7×7).
    """
    oh, ow = _adaptive_sizes(input, output_size, 2, "adaptive_max_pool2d")
    h, w = input.shape[-2], input.shape[-1]
    values, indices = [], []
    for r0, r1 in _bins(h, oh):
        for c0, c1 in _bins(w, ow):
            best = input[..., r0:r1, c0:c1].flatten(-2).max(-1)
            local = best.indices.array
            values.append(best.values)
            indices.append((r0 + local // (c1 - c0)) * w + c0 + local % (c1 - c0))
    shape = tuple(input.shape[:-2]) + (oh, ow)
    result = ag.stack(values, -1).reshape(shape)
    return (result, ag.tensor(np.stack(indices, -1).reshape(shape).astype(np.int64))) if return_indices else result


def bilinear(input1, input2, weight, bias=None):
    """y_k = x₁ᵀ W_k x₂ + b_k for x₁ (*, in1), x₂ (*, in2), W (out, in1, in2), b (out,)."""
    if weight.ndim != 3:
        raise ShapeError(f"bilinear: weight must be 3-D (out, in1, in2), got shape {tuple(weight.shape)}")
    _, in1, in2 = weight.shape
    if input1.ndim == 0 or input2.ndim == 0 or input1.shape[-1] != in1 or input2.shape[-1] != in2:
        raise ShapeError(
            f"bilinear: input1 {tuple(input1.shape)} and input2 {tuple(input2.shape)} must end in in1={in1} and "
            f"in2={in2} features (weight of shape {tuple(weight.shape)})"
        )
    if tuple(input1.shape[:-1]) != tuple(input2.shape[:-1]):
        raise ShapeError(
            f"bilinear: input1 {tuple(input1.shape)} and input2 {tuple(input2.shape)} must have the same batch dims"
        )
    # (*, 1, 1, in1) @ (out, in1, in2) → (*, out, 1, in2), then the dot with x₂ over in2
    left = (input1.unsqueeze(-2).unsqueeze(-2) @ weight).squeeze(-2)
    out = (left * input2.unsqueeze(-2)).sum(-1)
    return out if bias is None else out + bias


# --- normalization (composites of layer_norm and batch_norm) -------------------------------------------
def _channel_view(param, ndim):
    """A per-channel parameter (C,) viewed as (1, C, 1, ...) to broadcast over an (N, C, *) input."""
    return param.reshape((1, -1) + (1,) * (ndim - 2))


def _affine(out, weight, bias):
    """γ ⊙ out + β per channel (dim 1), each factor only if given."""
    if weight is not None:
        out = out * _channel_view(weight, out.ndim)
    if bias is not None:
        out = out + _channel_view(bias, out.ndim)
    return out


def _check_channel_params(where, input, **params):
    channels = input.shape[1]
    for what, t in params.items():
        if t is not None and tuple(t.shape) != (channels,):
            raise ShapeError(
                f"{where}: {what} has shape {tuple(t.shape)}, expected ({channels},) for input {input.shape}"
            )


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """y = γ ⊙ (x − μ)/√(σ² + ε) + β with μ, σ² over each group of C/G channels (and all of *) of a sample.

    NOTE: a composite: each (sample, group) is one row of ``layer_norm`` (whose VJP is closed-form).
    """
    if input.ndim < 2:
        raise ShapeError(f"group_norm: expected an input of shape (N, C, *), got shape {input.shape}")
    n, channels = input.shape[0], input.shape[1]
    if num_groups <= 0 or channels % num_groups:
        raise ValueError(
            f"group_norm: expected the number of channels in the input to be divisible by num_groups, but got "
            f"input of shape {input.shape} and num_groups={num_groups}"
        )
    _check_channel_params("group_norm", input, weight=weight, bias=bias)
    rows = input.reshape(n, num_groups, -1)
    out = layer_norm(rows, (rows.shape[-1],), eps=eps).reshape(input.shape)
    return _affine(out, weight, bias)


def instance_norm(
    input, running_mean=None, running_var=None, weight=None, bias=None, use_input_stats=True, momentum=0.1, eps=1e-5
):
    """y = γ ⊙ (x − μ)/√(σ² + ε) + β with μ, σ² per sample and channel, over the spatial dims of (N, C, *).

    With ``use_input_stats`` the running estimates (if given) move by the batch average of the
    per-instance mean and unbiased variance (PyTorch's rule); without, they normalize.
    """
    if input.ndim < 3:
        raise ShapeError(f"instance_norm: expected an input of shape (N, C, L, ...), got shape {input.shape}")
    _check_channel_params("instance_norm", input, weight=weight, bias=bias, running_mean=running_mean)
    if not use_input_stats:
        if running_mean is None or running_var is None:
            raise ValueError("instance_norm: running_mean and running_var are needed when use_input_stats=False")
        return batch_norm(input, running_mean, running_var, weight, bias, False, momentum, eps)
    n, channels = input.shape[0], input.shape[1]
    rows = input.reshape(n, channels, -1)
    count = rows.shape[-1]
    if count <= 1:
        raise ValueError(f"Expected more than 1 spatial element when training, got input size {input.shape}")
    if running_mean is not None or running_var is not None:
        _update_instance_stats(rows.array, running_mean, running_var, momentum)
    out = layer_norm(rows, (count,), eps=eps).reshape(input.shape)
    return _affine(out, weight, bias)


def _update_instance_stats(rows, running_mean, running_var, momentum):
    """μ_run ← (1 − m)·μ_run + m·mean_n μ_nc, and σ²_run likewise with the unbiased per-instance σ²."""
    for buffer, value in ((running_mean, rows.mean(axis=2)), (running_var, rows.var(axis=2, ddof=1))):
        if buffer is not None:
            data = buffer.array
            data *= 1.0 - momentum
            data += momentum * value.mean(axis=0).astype(data.dtype, copy=False)
            buffer._version += 1


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """y = γ ⊙ x/√(mean(x²) + ε) over the trailing ``normalized_shape`` dims; ε = the dtype's eps by default."""
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    k = len(shape)
    if k == 0 or input.ndim < k or tuple(input.shape[input.ndim - k :]) != shape:
        raise ShapeError(
            f"rms_norm: normalized_shape={list(shape)} expects an input of shape [*, {', '.join(map(str, shape))}], "
            f"but got input of shape {input.shape}"
        )
    if weight is not None and tuple(weight.shape) != shape:
        raise ShapeError(f"rms_norm: weight has shape {tuple(weight.shape)}, expected {shape}")
    if eps is None:
        eps = float(np.finfo(input.dtype if input.dtype.kind == "f" else np.float64).eps)
    dims = tuple(range(input.ndim - k, input.ndim))
    out = input * ((input * input).mean(dims, keepdim=True) + eps).rsqrt()
    return out if weight is None else out * weight


def _zero_channels(input, count):
    """A constant of zeros shaped like ``input`` but with ``count`` channels (the padding of a channel window)."""
    return wrap(np.zeros((input.shape[0], count) + tuple(input.shape[2:]), input.dtype))


def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    """y_c = x_c / (k + α/n · Σ x²_c')^β over the n = ``size`` channels c' around c (zero-padded, as PyTorch)."""
    if input.ndim < 3:
        raise ShapeError(f"local_response_norm: expected an input of shape (N, C, *), got shape {input.shape}")
    if size < 1:
        raise ValueError(f"local_response_norm: size must be positive, got {size}")
    square = input * input
    channels = input.shape[1]
    padded = ag.cat([_zero_channels(input, size // 2), square, _zero_channels(input, (size - 1) // 2)], 1)
    window = padded[:, 0:channels]
    for i in range(1, size):
        window = window + padded[:, i : i + channels]
    return input / (window * (alpha / size) + k) ** beta


# --- losses (composites) --------------------------------------------------------------------------------
def _reduce(loss, reduction, where):
    """The per-sample losses, their mean or their sum."""
    if reduction == "none":
        return loss
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    raise ValueError(f"{where}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")


def _target(target, like):
    """A target as a Tensor in ``like``'s dtype (a Tensor target keeps its graph)."""
    if isinstance(target, ag.Tensor):
        return target if target.dtype == like.dtype else target.to(like.dtype)
    return wrap(np.asarray(target, dtype=like.dtype))


def _same_shape(where, **tensors):
    shapes = {name: tuple(np.shape(t.array if isinstance(t, ag.Tensor) else t)) for name, t in tensors.items()}
    if len(set(shapes.values())) > 1:
        listed = ", ".join(f"{name} {shape}" for name, shape in shapes.items())
        raise ShapeError(f"{where}: expected the same shapes, got {listed}")


def hinge_embedding_loss(input, target, margin=1.0, reduction="mean"):
    """ℓ = x where y = 1, max(0, margin − x) where y = −1 (x a distance, y = ±1 similar/dissimilar)."""
    _same_shape("hinge_embedding_loss", input=input, target=target)
    y = np.asarray(target.array if isinstance(target, ag.Tensor) else target)
    zero = wrap(np.zeros((), input.dtype))
    loss = ag.where(y != 1, (margin - input).clamp_min(0.0), zero) + ag.where(y != -1, input, zero)
    return _reduce(loss, reduction, "hinge_embedding_loss")


def multilabel_soft_margin_loss(input, target, weight=None, reduction="mean"):
    """ℓₙ = −(1/C) Σ_c w_c [y_c log σ(x_c) + (1 − y_c) log σ(−x_c)] over (N, C) scores and 0/1 targets."""
    _same_shape("multilabel_soft_margin_loss", input=input, target=target)
    y = _target(target, input)
    loss = -(y * logsigmoid(input) + (1.0 - y) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    return _reduce(loss.sum(-1) / input.shape[-1], reduction, "multilabel_soft_margin_loss")


def _class_targets(input, target, where):
    """The class indices of an (N, C) or (C,) input as an int array (N,), checked against C."""
    if input.ndim not in (1, 2):
        raise ShapeError(f"{where}: expected a 1D (C,) or 2D (N, C) input, got shape {tuple(input.shape)}")
    idx = np.asarray(target.array if isinstance(target, ag.Tensor) else target).reshape(-1)
    n = 1 if input.ndim == 1 else input.shape[0]
    if idx.shape != (n,):
        raise ShapeError(
            f"{where}: input of shape {tuple(input.shape)} needs {n} targets, got shape {np.shape(target)}"
        )
    return _indices(idx, input.shape[-1], where)


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, reduction="mean"):
    """ℓₙ = (1/C) Σ_{i ≠ yₙ} w_yₙ · max(0, margin − x[yₙ] + x[i])^p, p = 1 or 2 (the multi-class hinge)."""
    if p not in (1, 2):
        raise ValueError(f"multi_margin_loss: only p = 1 and p = 2 are supported, got {p}")
    idx = _class_targets(input, target, "multi_margin_loss")
    x = input.reshape(-1, input.shape[-1])
    others = wrap((np.arange(x.shape[1]) != idx[:, None]).astype(x.dtype))  # the terms i ≠ y
    hinge = (margin - x.gather(1, ag.tensor(idx[:, None])) + x).clamp_min(0.0)
    if p == 2:
        hinge = hinge * hinge
    if weight is not None:
        hinge = hinge * weight[idx].unsqueeze(1)
    loss = (hinge * others).sum(1) / x.shape[1]
    return _reduce(loss if input.ndim == 2 else loss.reshape(()), reduction, "multi_margin_loss")


def _distance(x, y, p, eps):
    """‖x − y + ε‖_p over the last dim (PyTorch's pairwise distance)."""
    diff = x - y + eps
    if p == 2:
        return (diff * diff).sum(-1).sqrt()
    return (diff.abs() ** p).sum(-1) ** (1.0 / p)


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False, reduction="mean"):
    """ℓ = max(d(a, p) − d(a, n) + margin, 0), d the p-norm distance; ``swap`` uses min(d(a, n), d(p, n))."""
    dims = {anchor.ndim, positive.ndim, negative.ndim}
    if len(dims) != 1 or dims - {1, 2}:
        raise ShapeError(
            f"triplet_margin_loss: anchor, positive and negative must all be 1D (D,) or 2D (N, D), got shapes "
            f"{tuple(anchor.shape)}, {tuple(positive.shape)}, {tuple(negative.shape)}"
        )
    d_pos = _distance(anchor, positive, p, eps)
    d_neg = _distance(anchor, negative, p, eps)
    if swap:
        d_neg = ag.minimum(d_neg, _distance(positive, negative, p, eps))
    return _reduce((margin + d_pos - d_neg).clamp_min(0.0), reduction, "triplet_margin_loss")


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    """ℓ = ½(log max(σ², ε) + (x − y)²/max(σ², ε)) (+ ½ log 2π if ``full``): x the predicted mean, σ² = ``var``.

    ``var`` may be a number, the input's shape, or that shape without (or with 1 in) the last dim.
    NOTE: as in PyTorch, the clamp at ε passes the gradient through unchanged (it is applied under no_grad).
    """
    if not isinstance(var, ag.Tensor):
        var = wrap(np.full(input.shape, var, dtype=input.dtype))
    if tuple(var.shape) != tuple(input.shape):
        if tuple(input.shape[:-1]) == tuple(var.shape):
            var = var.unsqueeze(-1)
        elif not (tuple(input.shape[:-1]) == tuple(var.shape[:-1]) and var.shape[-1] == 1):
            raise ValueError(
                f"gaussian_nll_loss: var is of incorrect size {tuple(var.shape)} for input {tuple(input.shape)}"
            )
    if (var.array < 0).any():
        raise ValueError("gaussian_nll_loss: var has negative entry/entries")
    var = var + wrap(np.maximum(var.array, eps) - var.array)  # the clamp's value, the identity's gradient
    diff = input - _target(target, input)
    loss = 0.5 * (var.log() + diff * diff / var)
    if full:
        loss = loss + 0.5 * np.log(2.0 * np.pi)
    return _reduce(loss, reduction, "gaussian_nll_loss")


# --- sequences and attention ------------------------------------------------------------------------
def _indices(input, size, where):
    """The integer array of ``input`` (a Tensor or array), checked to lie in [0, size)."""
    idx = np.asarray(input.array if isinstance(input, ag.Tensor) else input)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"{where}: indices must be integers, got dtype {idx.dtype}")
    if idx.size and (idx.min() < 0 or idx.max() >= size):
        bad = idx.min() if idx.min() < 0 else idx.max()
        raise IndexError(f"{where}: index {bad} is out of range for size {size} (valid indices are 0..{size - 1})")
    return idx


def embedding(input, weight, padding_idx=None):
    """a = W[i]: the rows of ``weight`` (num_embeddings, embedding_dim) picked by the indices.

    Repeated indices add their gradients into the row; the ``padding_idx`` row gets none.
    """
    if weight.ndim != 2:
        raise ShapeError(f"embedding: weight must be 2-D (num_embeddings, embedding_dim), got shape {weight.shape}")
    idx = _indices(input, weight.shape[0], "embedding")
    out = weight[idx]
    if padding_idx is None:
        return out
    if padding_idx < 0:
        padding_idx += weight.shape[0]
    keep = (idx != padding_idx)[..., None]
    return ag.where(keep, out, wrap(weight.array[idx]))


def one_hot(tensor, num_classes=-1):
    """y[..., c] = [i = c] as int64, with one more dim of size num_classes (max index + 1 by default)."""
    idx = np.asarray(tensor.array if isinstance(tensor, ag.Tensor) else tensor)
    if num_classes == -1:
        num_classes = int(idx.max()) + 1 if idx.size else 0
    idx = _indices(idx, num_classes, "one_hot")
    return ag.tensor((idx[..., None] == np.arange(num_classes)).astype(np.int64))


def _attention_bias(attn_mask, scores_shape, dtype, where):
    """A boolean (True = attend) or additive float mask as an additive array/Tensor, checked to broadcast."""
    mask_shape = tuple(attn_mask.shape)
    try:
        shape = np.broadcast_shapes(mask_shape, scores_shape)
    except ValueError:
        shape = None
    if shape != tuple(scores_shape):
        raise ShapeError(
            f"{where}: attn_mask of shape {mask_shape} does not broadcast to the attention scores' shape "
            f"{tuple(scores_shape)} (..., L, S)"
        )
    data = attn_mask.array if isinstance(attn_mask, ag.Tensor) else np.asarray(attn_mask)
    if data.dtype == np.bool_:
        return wrap(np.where(data, 0.0, -np.inf).astype(dtype))
    return attn_mask if isinstance(attn_mask, ag.Tensor) else wrap(data.astype(dtype))


def scaled_dot_product_attention(
    query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None, generator=None
):
    """softmax(Q Kᵀ·s + M) V with s = 1/√E by default; Q (..., L, E), K (..., S, E), V (..., S, Ev).

    A boolean ``attn_mask`` says where to attend (True); a float one is added to the scores;
    ``is_causal`` lets position i attend to j ≤ i only. NOTE: ``dropout_p`` always applies, as in
    PyTorch (pass 0.0 at eval).
    """
    if query.ndim < 2 or key.ndim < 2 or value.ndim < 2:
        raise ShapeError(
            f"scaled_dot_product_attention: query, key and value need at least 2 dims (..., L, E), got shapes "
            f"{query.shape}, {key.shape}, {value.shape}"
        )
    if query.shape[-1] != key.shape[-1] or key.shape[-2] != value.shape[-2]:
        raise ShapeError(
            f"scaled_dot_product_attention: query (..., L, E) {query.shape}, key (..., S, E) {key.shape} and value "
            f"(..., S, Ev) {value.shape} disagree: query and key need the same E, key and value the same S"
        )
    try:
        np.broadcast_shapes(query.shape[:-2], key.shape[:-2], value.shape[:-2])
    except ValueError:
        raise ShapeError(
            f"scaled_dot_product_attention: the batch dims of query {query.shape}, key {key.shape} and value "
            f"{value.shape} (all but the last two) do not broadcast"
        ) from None
    if is_causal and attn_mask is not None:
        raise ValueError("scaled_dot_product_attention: give attn_mask or is_causal=True, not both")
    s = 1.0 / np.sqrt(query.shape[-1]) if scale is None else scale
    scores = (query @ key.transpose(-2, -1)) * s
    if is_causal:
        length, source = scores.shape[-2], scores.shape[-1]
        attn_mask = np.tril(np.ones((length, source), dtype=bool))
    if attn_mask is not None:
        scores = scores + _attention_bias(attn_mask, scores.shape, scores.dtype, "scaled_dot_product_attention")
    weights = ag.softmax(scores, dim=-1)
    weights = dropout(weights, dropout_p, True, generator)
    return weights @ value
