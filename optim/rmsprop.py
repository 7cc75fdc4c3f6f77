"""RMSprop: divide the gradient by a running root-mean-square of recent gradients."""

from __future__ import annotations

import numpy as np

from .optimizer import Optimizer, _check, _lerp_


class RMSprop(Optimizer):
    """RMSprop: s ← α·s + (1 − α)·∇⊙∇, θ ← θ − η·∇ / (√s + ε).

    ∇ = ∂L/∂θ + λ·θ (``weight_decay`` = λ). ``centered=True`` also keeps the running mean
    ḡ ← α·ḡ + (1 − α)·∇ and divides by √(s − ḡ⊙ḡ) + ε, an estimate of the gradient's
    standard deviation. With momentum μ > 0: b ← μ·b + ∇ / (√s + ε), θ ← θ − η·b.

    NOTE: as PyTorch, ε is added outside the square root and s starts at 0 (no bias correction).
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False):
        _check(lr >= 0.0, f"Invalid learning rate: {lr} (lr must be >= 0)")
        _check(eps >= 0.0, f"Invalid epsilon value: {eps} (eps must be >= 0)")
        _check(momentum >= 0.0, f"Invalid momentum value: {momentum} (momentum must be >= 0)")
        _check(weight_decay >= 0.0, f"Invalid weight_decay value: {weight_decay} (it must be >= 0)")
        _check(alpha >= 0.0, f"Invalid alpha value: {alpha} (alpha must be >= 0)")
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "alpha": alpha,
            "eps": eps,
            "centered": centered,
            "weight_decay": weight_decay,
        }
        super().__init__(params, defaults)

    def _update_group(self, group):
        lr = float(group["lr"])
        alpha = float(group["alpha"])
        eps = float(group["eps"])
        weight_decay = float(group["weight_decay"])
        mu = float(group["momentum"])
        centered = bool(group["centered"])
        for p in group["params"]:
            if p.grad is None:
                continue
            theta = p.data
            state = self.state[p]
            if not state:
                state["step"] = 0
                state["square_avg"] = np.zeros_like(theta)
            # Made on first use, so momentum or centering may be switched on mid-training.
            if mu > 0 and "momentum_buffer" not in state:
                state["momentum_buffer"] = np.zeros_like(theta)
            if centered and "grad_avg" not in state:
                state["grad_avg"] = np.zeros_like(theta)
            state["step"] += 1
            grad = p.grad.data
            if weight_decay != 0:
                step, d = self._buffers(p, 2)
                np.multiply(theta, weight_decay, out=d)
                d += grad
                grad = d
            else:
                (step,) = self._buffers(p, 1)

            square_avg = state["square_avg"]
            square_avg *= alpha
            np.multiply(grad, grad, out=step)
            step *= 1 - alpha
            square_avg += step
            # step = √s + ε, or √(s − ḡ⊙ḡ) + ε centered
            if centered:
                grad_avg = state["grad_avg"]
                _lerp_(grad_avg, grad, 1 - alpha, step)
                np.multiply(grad_avg, grad_avg, out=step)
                np.subtract(square_avg, step, out=step)
                np.sqrt(step, out=step)
            else:
                np.sqrt(square_avg, out=step)
            step += eps
            np.divide(grad, step, out=step)
            if mu > 0:
                buf = state["momentum_buffer"]
                buf *= mu
                buf += step
                np.multiply(buf, -lr, out=step)
            else:
                step *= -lr
            theta += step
            p._version += 1
