"""Embedding: a lookup table of learned vectors, one row per index."""

from __future__ import annotations

import numpy as np

from autograd.device import check_device

from . import functional as F
from . import init
from .layers import parameter_dtype
from .module import Module, Parameter

__all__ = ["Embedding"]


class Embedding(Module):
    """a = W[i] for integer indices i, W of shape (num_embeddings, embedding_dim).

    Init as PyTorch: W ~ N(0, 1), with the ``padding_idx`` row zeroed; that row gets no gradient.
    """

    def __init__(self, num_embeddings, embedding_dim, padding_idx=None, dtype=None, generator=None, device=None):
        check_device(device)  # the CPU is the only device
        super().__init__()
        if num_embeddings <= 0 or embedding_dim <= 0:
            raise ValueError(
                f"Embedding: num_embeddings and embedding_dim must be positive, got {num_embeddings}, {embedding_dim}"
            )
        if padding_idx is not None:
            if not -num_embeddings <= padding_idx < num_embeddings:
                raise ValueError(f"Embedding: padding_idx {padding_idx} must be within num_embeddings {num_embeddings}")
            padding_idx = padding_idx % num_embeddings
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim
        self.padding_idx = padding_idx
        self.generator = generator
        self.weight = Parameter(np.empty((num_embeddings, embedding_dim), dtype=parameter_dtype(dtype)))
        self.reset_parameters()

    def reset_parameters(self):
        """W ~ N(0, 1), the padding row zero (PyTorch's init)."""
        init.normal_(self.weight, generator=self.generator)
        if self.padding_idx is not None:
            self.weight.array[self.padding_idx] = 0
            self.weight._version += 1

    def forward(self, input):
        return F.embedding(input, self.weight, self.padding_idx)

    def extra_repr(self):
        text = f"{self.num_embeddings}, {self.embedding_dim}"
        return text if self.padding_idx is None else text + f", padding_idx={self.padding_idx}"
