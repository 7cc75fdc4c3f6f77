"""TransformerEncoderLayer (self-attention and a feed-forward block, each with a residual and
LayerNorm) and TransformerEncoder (a stack of copies)."""

from __future__ import annotations

import copy

from autograd import ShapeError
from autograd.device import check_device

from . import functional as F
from .attention import MultiheadAttention
from .layers import Dropout, Linear
from .module import Module, ModuleList
from .normalization import LayerNorm

__all__ = ["TransformerEncoderLayer", "TransformerEncoder"]


class TransformerEncoderLayer(Module):
    """x ← LN(x + SA(x)), x ← LN(x + FF(x)) (post-norm), or x ← x + SA(LN(x)), x ← x + FF(LN(x))
    with ``norm_first``; FF(x) = W₂ φ(W₁ x + b₁) + b₂, φ = relu or gelu (PyTorch's keys and defaults)."""

    def __init__(self, d_model, nhead, dim_feedforward=2048, dropout=0.1, activation="relu", layer_norm_eps=1e-5,
                 batch_first=False, norm_first=False, bias=True, dtype=None, generator=None, device=None):  # fmt: skip
        check_device(device)  # the CPU is the only device
        super().__init__()
        if activation not in ("relu", "gelu"):
            raise ValueError(f"TransformerEncoderLayer: activation must be 'relu' or 'gelu', got {activation!r}")
        self.self_attn = MultiheadAttention(d_model, nhead, dropout, bias, batch_first, dtype, generator)
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, dtype=dtype, generator=generator)
        self.dropout = Dropout(dropout, generator=generator)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, dtype=dtype, generator=generator)
        self.norm_first = norm_first
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
        self.dropout1 = Dropout(dropout, generator=generator)
        self.dropout2 = Dropout(dropout, generator=generator)
        self.activation = activation
        self.batch_first = batch_first

    def self_attention_block(self, x, attn_mask, key_padding_mask, is_causal):
        """dropout(SA(x))."""
        out = self.self_attn(x, x, x, key_padding_mask, False, attn_mask, is_causal=is_causal)[0]
        return self.dropout1(out)

    def feed_forward_block(self, x):
        """dropout(W₂ dropout(φ(W₁ x + b₁)) + b₂)."""
        z = self.linear1(x)
        a = F.relu(z) if self.activation == "relu" else F.gelu(z)
        return self.dropout2(self.linear2(self.dropout(a)))

    def forward(self, src, src_mask=None, src_key_padding_mask=None, is_causal=False):
        d_model = self.self_attn.embed_dim
        if src.ndim not in (2, 3) or src.shape[-1] != d_model:
            layout = "(N, S, E)" if self.batch_first else "(S, N, E)"
            raise ShapeError(
                f"TransformerEncoderLayer(d_model={d_model}): src must be {layout} or (S, E) with E = {d_model}, "
                f"got shape {tuple(src.shape)}"
            )
        x = src
        if self.norm_first:
            x = x + self.self_attention_block(self.norm1(x), src_mask, src_key_padding_mask, is_causal)
            return x + self.feed_forward_block(self.norm2(x))
        x = self.norm1(x + self.self_attention_block(x, src_mask, src_key_padding_mask, is_causal))
        return self.norm2(x + self.feed_forward_block(x))


class TransformerEncoder(Module):
    """``num_layers`` deep copies of ``encoder_layer`` applied in turn (keys ``layers.0....``), then ``norm``."""

    def __init__(self, encoder_layer, num_layers, norm=None, enable_nested_tensor=True):
        super().__init__()
        if num_layers < 1:
            raise ValueError(f"TransformerEncoder: num_layers must be at least 1, got {num_layers}")
        self.layers = ModuleList([copy.deepcopy(encoder_layer) for _ in range(num_layers)])
        self.num_layers = num_layers
        self.norm = norm

    def forward(self, src, mask=None, src_key_padding_mask=None, is_causal=None):
        x = src
        for layer in self.layers:
            x = layer(x, src_mask=mask, src_key_padding_mask=src_key_padding_mask, is_causal=bool(is_causal))
        return x if self.norm is None else self.norm(x)
