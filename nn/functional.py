"""Functions behind the layers and losses (PyTorch's ``torch.nn.functional`` names).

The primitives (activations, linear, convolution and pooling, normalization, the losses) live in
``autograd/ops`` beside their VJPs and are re-exported here under PyTorch's names; ``prelu`` and
``dropout`` are compositions of them and get their gradient for free.
"""

from __future__ import annotations

import numpy as np

import autograd as ag

# The autograd primitives, re-exported under PyTorch's names.
from autograd import (
    adaptive_avg_pool2d,
    avg_pool1d,
    avg_pool2d,
    batch_norm,
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    celu,
    conv1d,
    conv2d,
    cross_entropy,
    elu,
    gelu,
    glu,
    hardsigmoid,
    hardswish,
    hardtanh,
    huber_loss,
    l1_loss,
    layer_norm,
    leaky_relu,
    linear,
    log_softmax,
    logsigmoid,
    max_pool1d,
    max_pool2d,
    mish,
    mse_loss,
    nll_loss,
    relu,
    relu6,
    selu,
    sigmoid,
    softmax,
    softmin,
    softplus,
    softsign,
    tanh,
)
from autograd.extend import ShapeError, wrap

__all__ = [
    "linear",
    "relu",
    "leaky_relu",
    "prelu",
    "gelu",
    "elu",
    "selu",
    "sigmoid",
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
    "glu",
    "softmin",
    "softmax",
    "log_softmax",
    "dropout",
    "batch_norm",
    "layer_norm",
    "cross_entropy",
    "nll_loss",
    "mse_loss",
    "l1_loss",
    "huber_loss",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "conv1d",
    "conv2d",
    "max_pool1d",
    "max_pool2d",
    "avg_pool1d",
    "avg_pool2d",
    "adaptive_avg_pool2d",
]


# --- activations -----------------------------------------------------------------------------------
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
    return ag.where(input.data > 0, input, a * input)


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
