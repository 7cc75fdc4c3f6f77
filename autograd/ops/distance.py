"""Distances and similarities: ``normalize``, ``cosine_similarity``, ``pairwise_distance``, as PyTorch's.

All three are compositions of ``norm`` and arithmetic, so their gradients (and second derivatives)
come free; each follows PyTorch's formula exactly, eps included, so values near 0 agree too.
"""

from __future__ import annotations

import numpy as np

from ..extend import ShapeError, export, wrap
from .reduction import norm

TITLE = "distances"  # the family's name in the README op table


@export(methods=())
def normalize(input, p=2.0, dim=1, eps=1e-12):
    """x / max(‖x‖_p, eps) along ``dim``: unit vectors, and a vector shorter than eps divided by eps."""
    if input.ndim == 0:
        raise ShapeError("normalize: needs at least one dim, got a 0-d tensor")
    return input / norm(input, p, dim, keepdim=True).clamp_min(eps)


def _broadcast(name, x1, x2):
    try:
        shape = np.broadcast_shapes(x1.shape, x2.shape)
    except ValueError:
        raise ShapeError(f"{name}: x1 of shape {x1.shape} and x2 of shape {x2.shape} do not broadcast") from None
    return x1.expand(shape) if x1.shape != shape else x1, x2.expand(shape) if x2.shape != shape else x2


def _norm_at_least(x, dim, eps):
    """‖x‖ raised to eps where smaller; NOTE: the raise is a constant (PyTorch clamps under no_grad), so the
    gradient is that of ‖x‖ even there."""
    n = norm(x, 2, dim, keepdim=True)
    return n + wrap(np.maximum(n.array, eps) - n.array)


@export(methods=())
def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """Σ (x₁ / max(‖x₁‖, eps)) ⊙ (x₂ / max(‖x₂‖, eps)) along ``dim`` (each divided by its own norm, as PyTorch)."""
    x1, x2 = _broadcast("cosine_similarity", x1, x2)
    if x1.ndim == 0:
        raise ShapeError("cosine_similarity: needs at least one dim, got 0-d tensors")
    return ((x1 / _norm_at_least(x1, dim, eps)) * (x2 / _norm_at_least(x2, dim, eps))).sum(dim)


@export(methods=())
def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """‖x₁ − x₂ + eps‖_p over the last dim (eps keeps the gradient finite where x₁ = x₂, as PyTorch)."""
    if x1.ndim == 0 and x2.ndim == 0:
        raise ShapeError("pairwise_distance: needs at least one dim, got 0-d tensors")
    last = max(x1.ndim, x2.ndim) - 1
    return norm(x1 - x2 + eps, p, last, keepdim)
