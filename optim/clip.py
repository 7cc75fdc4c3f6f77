"""Gradient clipping: rescale all gradients to a maximum total norm, or clamp each entry."""

from __future__ import annotations

import math

import numpy as np

import autograd as ag


def _grads(params):
    if isinstance(params, ag.Tensor):
        params = [params]
    return [p.grad for p in params if p.grad is not None]


def _norm(x, norm_type):
    """‖x‖_p of an array taken as one vector."""
    flat = x.reshape(-1)
    if norm_type == 2.0:
        return math.sqrt(float(np.dot(flat, flat)))
    if norm_type == math.inf:
        return float(np.max(np.abs(flat))) if flat.size else 0.0
    if norm_type == -math.inf:
        return float(np.min(np.abs(flat))) if flat.size else math.inf
    return float(np.linalg.norm(flat, ord=norm_type))


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False):
    """Scale all gradients by min(1, c / (‖∇‖ + 1e-6)) in place, ‖∇‖ the norm of them all as one vector; returns ‖∇‖.

    NOTE: as PyTorch, the total is the p-norm of the per-parameter p-norms (the same number as the
    norm of the concatenation), returned as a 0-d Tensor, and 1e-6 keeps the division finite.
    """
    grads = _grads(parameters)
    max_norm = float(max_norm)
    norm_type = float(norm_type)
    if not max_norm >= 0:
        raise ValueError(
            f"clip_grad_norm_: max_norm must be >= 0, got {max_norm} (a negative bound would flip the gradients)"
        )
    if not grads:
        return ag.tensor(0.0)
    norms = np.array([_norm(g.array, norm_type) for g in grads], dtype=np.float64)
    total = _norm(norms, norm_type)
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is non-finite ({total}), "
            f"so it cannot be clipped. Pass error_if_nonfinite=False to clip anyway (the gradients become nan)"
        )
    coef = max_norm / (total + 1e-6)
    # Multiplying by min(coef, 1) = 1 changes nothing, so the common unclipped case is free.
    # A nan coefficient (a nan gradient) still spreads to every gradient, as in PyTorch.
    if coef < 1.0 or math.isnan(coef):
        for g in grads:
            g.array *= coef
            g._version += 1
    return ag.tensor(total, dtype=grads[0].array.dtype)


def clip_grad_value_(parameters, clip_value):
    """Clamp every gradient entry to [−c, c] in place."""
    clip_value = float(clip_value)
    if not clip_value >= 0:
        raise ValueError(f"clip_grad_value_: clip_value must be >= 0, got {clip_value}")
    for g in _grads(parameters):
        np.clip(g.array, -clip_value, clip_value, out=g.array)
        g._version += 1
