"""MultiheadAttention: h heads of scaled dot-product attention over learned projections."""

from __future__ import annotations

import numpy as np

import autograd as ag
from autograd import ShapeError
from autograd.device import check_device
from autograd.extend import wrap

from . import functional as F
from . import init
from .layers import Linear, parameter_dtype
from .module import Module, Parameter

__all__ = ["MultiheadAttention"]


def additive_mask(mask, dtype):
    """A mask as an additive array/Tensor: a boolean True (masked out) becomes −∞, a float one is kept."""
    data = mask.array if isinstance(mask, ag.Tensor) else np.asarray(mask)
    if data.dtype == np.bool_:
        return wrap(np.where(data, -np.inf, 0.0).astype(dtype))
    return mask if isinstance(mask, ag.Tensor) else wrap(data.astype(dtype))


class MultiheadAttention(Module):
    """head_i = softmax(Q W_qᵢᵀ (K W_kᵢᵀ)ᵀ/√d + M) V W_vᵢᵀ, out = [head_1 … head_h] W_oᵀ + b_o.

    PyTorch's layout and init: ``in_proj_weight`` (3E, E) stacks W_q, W_k, W_v (xavier_uniform_),
    ``in_proj_bias`` (3E,) and ``out_proj.bias`` are zero. Inputs are (L, N, E) ((N, L, E) with
    ``batch_first``) or unbatched (L, E). In masks, True means *masked out* (PyTorch's convention
    here, the opposite of ``scaled_dot_product_attention``'s). NOTE: kdim/vdim, add_bias_kv and
    add_zero_attn are not supported.
    """

    def __init__(
        self, embed_dim, num_heads, dropout=0.0, bias=True, batch_first=False, dtype=None, generator=None, device=None
    ):
        check_device(device)  # the CPU is the only device
        super().__init__()
        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(
                f"MultiheadAttention: embed_dim and num_heads must be positive, got {embed_dim}, {num_heads}"
            )
        if embed_dim % num_heads:
            raise ValueError(
                f"MultiheadAttention: embed_dim ({embed_dim}) must be divisible by num_heads ({num_heads})"
            )
        self.embed_dim, self.num_heads, self.head_dim = embed_dim, num_heads, embed_dim // num_heads
        self.dropout, self.batch_first, self.generator = dropout, batch_first, generator
        dt = parameter_dtype(dtype)
        self.in_proj_weight = Parameter(np.empty((3 * embed_dim, embed_dim), dtype=dt))
        if bias:
            self.in_proj_bias = Parameter(np.zeros(3 * embed_dim, dtype=dt))
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = Linear(embed_dim, embed_dim, bias=bias, dtype=dtype, generator=generator)
        self.reset_parameters()

    def reset_parameters(self):
        """xavier_uniform_ in_proj_weight, zero biases (PyTorch's init; out_proj.weight as Linear)."""
        init.xavier_uniform_(self.in_proj_weight, generator=self.generator)
        if self.in_proj_bias is not None:
            init.zeros_(self.in_proj_bias)
            init.zeros_(self.out_proj.bias)

    def project(self, x, k):
        """The k-th of the q, k, v projections of x (L, N, E), split into heads: (N, h, L, d)."""
        e = self.embed_dim
        bias = None if self.in_proj_bias is None else self.in_proj_bias[k * e : (k + 1) * e]
        z = F.linear(x, self.in_proj_weight[k * e : (k + 1) * e], bias)
        length, batch = z.shape[0], z.shape[1]
        return z.reshape((length, batch, self.num_heads, self.head_dim)).permute(1, 2, 0, 3)

    def check_inputs(self, query, key, value):
        """Raise a ShapeError naming the shapes unless q, k, v are (L, N, E), (S, N, E), (S, N, E) alike."""
        shapes = (tuple(query.shape), tuple(key.shape), tuple(value.shape))
        ranks_ok = query.ndim in (2, 3) and key.ndim == query.ndim and value.ndim == query.ndim
        if not ranks_ok or any(s[-1] != self.embed_dim for s in shapes) or shapes[1] != shapes[2]:
            layout = "(N, L, E)" if self.batch_first else "(L, N, E)"
            raise ShapeError(
                f"MultiheadAttention(embed_dim={self.embed_dim}): query, key and value must be {layout} or (L, E) "
                f"with E = {self.embed_dim}, key and value of one shape; got {shapes[0]}, {shapes[1]}, {shapes[2]}"
            )
        if query.ndim == 3 and query.shape[0 if self.batch_first else 1] != key.shape[0 if self.batch_first else 1]:
            raise ShapeError(f"MultiheadAttention: query {shapes[0]} and key {shapes[1]} have different batch sizes")

    def merged_mask(self, key_padding_mask, attn_mask, is_causal, batch, length, source, dtype):
        """One additive mask of shape broadcasting to (N, h, L, S), or None."""
        if is_causal and attn_mask is None:
            raise ValueError("MultiheadAttention: is_causal=True is a hint and needs the causal attn_mask too")
        mask = None
        if attn_mask is not None:
            shape, heads = tuple(attn_mask.shape), (batch * self.num_heads, length, source)
            if shape == (length, source):
                mask = additive_mask(attn_mask, dtype)
            elif shape == heads:
                mask = additive_mask(attn_mask, dtype).reshape((batch, self.num_heads, length, source))
            else:
                raise ShapeError(
                    f"MultiheadAttention: attn_mask must be of shape {(length, source)} or {heads}, got {shape}"
                )
        if key_padding_mask is not None:
            if tuple(key_padding_mask.shape) != (batch, source):
                raise ShapeError(
                    f"MultiheadAttention: key_padding_mask must be of shape (N, S) = {(batch, source)}, "
                    f"got {tuple(key_padding_mask.shape)}"
                )
            padding = additive_mask(key_padding_mask, dtype).reshape((batch, 1, 1, source))
            mask = padding if mask is None else mask + padding
        return mask

    def forward(self, query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
                average_attn_weights=True, is_causal=False):  # fmt: skip
        self.check_inputs(query, key, value)
        unbatched = query.ndim == 2
        if unbatched:
            query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
            if key_padding_mask is not None:
                key_padding_mask = key_padding_mask.reshape((1, -1))
        elif self.batch_first:
            query, key, value = query.transpose(0, 1), key.transpose(0, 1), value.transpose(0, 1)
        length, batch, source = query.shape[0], query.shape[1], key.shape[0]
        q, k, v = self.project(query, 0), self.project(key, 1), self.project(value, 2)
        scores = (q @ k.transpose(-2, -1)) * (1.0 / np.sqrt(self.head_dim))
        mask = self.merged_mask(key_padding_mask, attn_mask, is_causal, batch, length, source, scores.dtype)
        if mask is not None:
            scores = scores + mask
        weights = F.dropout(ag.softmax(scores, dim=-1), self.dropout, self.training, self.generator)
        heads = (weights @ v).permute(2, 0, 1, 3).reshape((length, batch, self.embed_dim))
        out = self.out_proj(heads)
        out = out.squeeze(1) if unbatched else (out.transpose(0, 1) if self.batch_first else out)
        if not need_weights:
            return out, None
        weights = weights.mean(dim=1) if average_attn_weights else weights
        return out, (weights.squeeze(0) if unbatched else weights)

    def extra_repr(self):
        return f"embed_dim={self.embed_dim}, num_heads={self.num_heads}, batch_first={self.batch_first}"
