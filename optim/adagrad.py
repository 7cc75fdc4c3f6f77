"""Adagrad: a per-coordinate step size that shrinks with the sum of squared gradients."""

from __future__ import annotations

import numpy as np

from .optimizer import Optimizer, _check


class Adagrad(Optimizer):
    """Adagrad: G ← G + ∇⊙∇, θ ← θ − η_t·∇ / (√G + ε), with η_t = η / (1 + (t − 1)·lr_decay).

    ∇ = ∂L/∂θ + λ·θ (``weight_decay`` = λ, L2 added to the gradient); G starts at
    ``initial_accumulator_value``.

    NOTE: as PyTorch, ε is added to √G (outside the root), and state is made at a
    parameter's first update rather than in the constructor.
    """

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10):
        _check(lr >= 0.0, f"Invalid learning rate: {lr} (lr must be >= 0)")
        _check(lr_decay >= 0.0, f"Invalid lr_decay value: {lr_decay} (it must be >= 0)")
        _check(weight_decay >= 0.0, f"Invalid weight_decay value: {weight_decay} (it must be >= 0)")
        _check(
            initial_accumulator_value >= 0.0,
            f"Invalid initial_accumulator_value value: {initial_accumulator_value} (it must be >= 0)",
        )
        _check(eps >= 0.0, f"Invalid epsilon value: {eps} (eps must be >= 0)")
        defaults = {
            "lr": lr,
            "lr_decay": lr_decay,
            "eps": eps,
            "weight_decay": weight_decay,
            "initial_accumulator_value": initial_accumulator_value,
        }
        super().__init__(params, defaults)

    def _update_group(self, group):
        lr = float(group["lr"])
        lr_decay = float(group["lr_decay"])
        eps = float(group["eps"])
        weight_decay = float(group["weight_decay"])
        init = float(group["initial_accumulator_value"])
        for p in group["params"]:
            if p.grad is None:
                continue
            theta = p.data
            state = self.state[p]
            if not state:
                state["step"] = 0
                state["sum"] = np.full_like(theta, init)
            state["step"] += 1
            grad = p.grad.data
            if weight_decay != 0:
                step, d = self._buffers(p, 2)
                np.multiply(theta, weight_decay, out=d)
                d += grad
                grad = d
            else:
                (step,) = self._buffers(p, 1)
            clr = lr / (1 + (state["step"] - 1) * lr_decay)
            total = state["sum"]
            np.multiply(grad, grad, out=step)
            total += step
            # step = −η_t · ∇ / (√G + ε)
            np.sqrt(total, out=step)
            step += eps
            np.divide(grad, step, out=step)
            step *= -clr
            theta += step
            p._version += 1
