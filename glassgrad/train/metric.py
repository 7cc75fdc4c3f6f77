"""Metrics of a batch (``accuracy``) and the direction in which a monitored value improves."""

from __future__ import annotations

import numpy as np

import autograd as ag

__all__ = ["METRICS", "accuracy", "get_metric", "monitor_mode"]


def accuracy(logits, targets):
    """Share of samples whose arg-max class equals the target (probability targets: their arg-max)."""
    z = logits.array if isinstance(logits, ag.Tensor) else np.asarray(logits)
    t = targets.array if isinstance(targets, ag.Tensor) else np.asarray(targets)
    if t.ndim == z.ndim and t.dtype.kind == "f" and z.ndim > 1:
        t = t.argmax(axis=-1)
    if z.ndim == 1 or z.shape[-1] == 1:  # one logit: binary classification at 0
        pred = (z.reshape(-1) > 0).astype(np.int64)
        t = t.reshape(-1)
    else:
        pred = z.argmax(axis=-1)
    return float((pred == t).mean()) if len(t) else 0.0


METRICS = {"accuracy": accuracy}


def get_metric(name):
    """(name, function (logits, targets) -> float) for a metric's name in ``METRICS`` or a function."""
    if callable(name):
        return getattr(name, "__name__", "metric"), name
    if name not in METRICS:
        raise ValueError(
            f"unknown metric {name!r}; choose from {sorted(METRICS)} or pass a function (logits, targets) -> float"
        )
    return name, METRICS[name]


def monitor_mode(monitor, mode="auto"):
    """ "min" or "max": ``mode`` itself, or with "auto" "min" for a loss and "max" for anything else."""
    if mode != "auto":
        if mode not in ("min", "max"):
            raise ValueError(f"mode must be 'min', 'max' or 'auto', got {mode!r}")
        return mode
    return "min" if "loss" in monitor else "max"
