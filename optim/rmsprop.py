"""RMSprop: divide the gradient by a running root-mean-square of recent gradients."""

from __future__ import annotations

import numpy as np

from .optimizer import Optimizer, check, lerp_


class RMSprop(Optimizer):
    """RMSprop: s ← α·s + (1 − α)·∇⊙∇, θ ← θ − η·∇ / (√s + ε).

    ∇ = ∂L/∂θ + λ·θ (``weight_decay`` = λ). ``centered=True`` also keeps the running mean
    ḡ ← α·ḡ + (1 − α)·∇ and divides by √(s − ḡ⊙ḡ) + ε, an estimate of the gradient's
    standard deviation. With momentum μ > 0: b ← μ·b + ∇ / (√s + ε), θ ← θ − η·b.

    NOTE: as PyTorch, ε is added outside the square root and s starts at 0 (no bias correction).
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False):
        check(lr >= 0.0, f"Invalid learning rate: {lr} (lr must be >= 0)")
        check(eps >= 0.0, f"Invalid epsilon value: {eps} (eps must be >= 0)")
        check(momentum >= 0.0, f"Invalid momentum value: {momentum} (momentum must be >= 0)")
        check(weight_decay >= 0.0, f"Invalid weight_decay value: {weight_decay} (it must be >= 0)")
        check(alpha >= 0.0, f"Invalid alpha value: {alpha} (alpha must be >= 0)")
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "alpha": alpha,
            "eps": eps,
            "centered": centered,
            "weight_decay": weight_decay,
        }
        super().__init__(params, defaults)

    def init_state(self, p, group):
        """t = 0 and s = 0 (the momentum buffer and ḡ are made on first use)."""
        return {"step": 0, "square_avg": np.zeros_like(p.array)}

    def update(self, p, grad, state, group):
        """s ← α·s + (1 − α)·∇⊙∇, then θ ← θ − η·∇ / (√s + ε) (or the centered / momentum forms)."""
        alpha = float(group["alpha"])
        mu = float(group["momentum"])
        centered = bool(group["centered"])
        # Made on first use, so momentum or centering may be switched on mid-training.
        if mu > 0 and "momentum_buffer" not in state:
            state["momentum_buffer"] = np.zeros_like(p.array)
        if centered and "grad_avg" not in state:
            state["grad_avg"] = np.zeros_like(p.array)
        state["step"] += 1
        step = self.scratch(p)[0]

        square_avg = state["square_avg"]
        square_avg *= alpha
        np.multiply(grad, grad, out=step)
        step *= 1 - alpha
        square_avg += step
        # step = √s + ε, or √(s − ḡ⊙ḡ) + ε centered
        if centered:
            grad_avg = state["grad_avg"]
            lerp_(grad_avg, grad, 1 - alpha, step)
            np.multiply(grad_avg, grad_avg, out=step)
            np.subtract(square_avg, step, out=step)
            np.sqrt(step, out=step)
        else:
            np.sqrt(square_avg, out=step)
        step += float(group["eps"])
        np.divide(grad, step, out=step)
        lr = float(group["lr"])
        if mu > 0:
            buf = state["momentum_buffer"]
            buf *= mu
            buf += step
            np.multiply(buf, -lr, out=step)
        else:
            step *= -lr
        theta = p.array
        theta += step
