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
    adaptive_avg_pool2d,
    avg_pool1d,
    avg_pool2d,
    batch_norm,
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    celu,
    conv1d,
    conv2d,
    conv_transpose1d,
    conv_transpose2d,
    cosine_embedding_loss,
    cosine_similarity,
    cross_entropy,
    elu,
    fold,
    gelu,
    glu,
    hardsigmoid,
    hardswish,
    hardtanh,
    huber_loss,
    interpolate,
    kl_div,
    l1_loss,
    layer_norm,
    leaky_relu,
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
    relu,
    relu6,
    selu,
    sigmoid,
    silu,
    smooth_l1_loss,
    soft_margin_loss,
    softmax,
    softmin,
    softplus,
    softsign,
    tanh,
    unfold,
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
    "smooth_l1_loss",
    "kl_div",
    "soft_margin_loss",
    "margin_ranking_loss",
    "cosine_embedding_loss",
    "poisson_nll_loss",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
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
