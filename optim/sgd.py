"""SGD: plain, heavy-ball momentum and Nesterov, with L2 and L1 weight decay."""

from __future__ import annotations

import numpy as np

from .optimizer import Optimizer, check


class SGD(Optimizer):
    """Stochastic gradient descent: θ ← θ − η·d, with d the (momentum) direction below.

    d starts as the gradient plus the penalties: ∇ = ∂L/∂θ + λ₂·θ + λ₁·sign(θ)
    (``weight_decay`` = λ₂, ``l1`` = λ₁). With momentum μ > 0 a buffer b keeps a running sum:
    b ← μ·b + (1 − dampening)·∇, and d = b (heavy ball) or d = ∇ + μ·b (``nesterov=True``).

    NOTE: we follow PyTorch, not the course's v ← μv − η∇L(θ), θ ← θ + v. With a constant
    η the two give the same trajectory: v = −η·b. Nesterov's look-ahead form θ̃ = θ + μv,
    v ← μv − η∇L(θ̃), θ ← θ + v is rewritten in terms of θ̃ itself: PyTorch's parameter *is*
    the look-ahead point θ̃, so only one gradient per step is needed. The two forms differ once
    η changes during training (a schedule): v carries the old η, b does not. The first step
    sets b = ∇ (no dampening), as PyTorch does.
    """

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *, l1=0):
        check(lr >= 0.0, f"Invalid learning rate: {lr} (lr must be >= 0)")
        check(momentum >= 0.0, f"Invalid momentum value: {momentum} (momentum must be >= 0)")
        check(weight_decay >= 0.0, f"Invalid weight_decay value: {weight_decay} (it must be >= 0)")
        check(l1 >= 0.0, f"Invalid l1 value: {l1} (it must be >= 0)")
        check(
            not nesterov or (momentum > 0 and dampening == 0),
            f"Nesterov momentum requires a momentum and zero dampening, got momentum={momentum}, dampening={dampening}",
        )
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "dampening": dampening,
            "weight_decay": weight_decay,
            "nesterov": nesterov,
            "l1": l1,
        }
        super().__init__(params, defaults)

    def update(self, p, grad, state, group):
        """θ ← θ − η·d, with d = ∇ or the momentum direction."""
        lr = float(group["lr"])
        mu = float(group["momentum"])
        theta = p.array
        step = self.scratch(p)[0]
        if mu == 0:
            np.multiply(grad, -lr, out=step)
            theta += step
            return
        buf = state.get("momentum_buffer")
        if buf is None:
            buf = state["momentum_buffer"] = grad.astype(theta.dtype, copy=True)
        else:
            dampening = float(group["dampening"])
            buf *= mu
            if dampening != 0:
                np.multiply(grad, 1.0 - dampening, out=step)
                buf += step
            else:
                buf += grad
        if group["nesterov"]:
            np.multiply(buf, mu, out=step)
            step += grad
            step *= -lr
        else:
            np.multiply(buf, -lr, out=step)
        theta += step
