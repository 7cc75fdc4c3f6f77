"""Adagrad: a per-coordinate step size that shrinks with the sum of squared gradients."""

from __future__ import annotations

import numpy as np

from .optimizer import Optimizer, check


class Adagrad(Optimizer):
    """Adagrad: G ← G + ∇⊙∇, θ ← θ − η_t·∇ / (√G + ε), with η_t = η / (1 + (t − 1)·lr_decay).

    ∇ = ∂L/∂θ + λ·θ (``weight_decay`` = λ, L2 added to the gradient); G starts at
    ``initial_accumulator_value``.

    NOTE: as PyTorch, ε is added to √G (outside the root), and state is made at a
    parameter's first update rather than in the constructor.
    """

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10):
        check(lr >= 0.0, f"Invalid learning rate: {lr} (lr must be >= 0)")
        check(lr_decay >= 0.0, f"Invalid lr_decay value: {lr_decay} (it must be >= 0)")
        check(weight_decay >= 0.0, f"Invalid weight_decay value: {weight_decay} (it must be >= 0)")
        check(
            initial_accumulator_value >= 0.0,
            f"Invalid initial_accumulator_value value: {initial_accumulator_value} (it must be >= 0)",
        )
        check(eps >= 0.0, f"Invalid epsilon value: {eps} (eps must be >= 0)")
        defaults = {
            "lr": lr,
            "lr_decay": lr_decay,
            "eps": eps,
            "weight_decay": weight_decay,
            "initial_accumulator_value": initial_accumulator_value,
        }
        super().__init__(params, defaults)

    def init_state(self, p, group):
        """t = 0 and G = ``initial_accumulator_value`` everywhere."""
        return {"step": 0, "sum": np.full_like(p.array, float(group["initial_accumulator_value"]))}

    def update(self, p, grad, state, group):
        """G ← G + ∇⊙∇, θ ← θ − η_t·∇ / (√G + ε)."""
        state["step"] += 1
        clr = float(group["lr"]) / (1 + (state["step"] - 1) * float(group["lr_decay"]))
        step = self.scratch(p)[0]
        total = state["sum"]
        np.multiply(grad, grad, out=step)
        total += step
        # step = −η_t · ∇ / (√G + ε)
        np.sqrt(total, out=step)
        step += float(group["eps"])
        np.divide(grad, step, out=step)
        step *= -clr
        theta = p.array
        theta += step
