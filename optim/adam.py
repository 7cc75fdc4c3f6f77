"""Adam and AdamW: momentum on the gradient, divided by a running RMS, with bias correction."""

from __future__ import annotations

import numpy as np

from .optimizer import Optimizer, check, lerp_


class Adam(Optimizer):
    """Adam: m ← β₁m + (1 − β₁)∇, v ← β₂v + (1 − β₂)∇⊙∇, θ ← θ − η·m̂ / (√v̂ + ε).

    m̂ = m / (1 − β₁ᵗ) and v̂ = v / (1 − β₂ᵗ) undo the bias of starting m and v at 0.
    ∇ = ∂L/∂θ + λ·θ (``weight_decay`` = λ, L2 added to the gradient, so it is rescaled by
    √v̂ like the loss gradient); ``decoupled_weight_decay=True`` is AdamW. ``amsgrad=True``
    divides by the running maximum of v instead of v.

    NOTE: as PyTorch, ε is added to √v̂ (the paper's form), and amsgrad keeps the maximum of
    the uncorrected v.
    """

    def __init__(
        self,
        params,
        lr=1e-3,
        betas=(0.9, 0.999),
        eps=1e-8,
        weight_decay=0,
        amsgrad=False,
        *,
        decoupled_weight_decay=False,
    ):
        check(lr >= 0.0, f"Invalid learning rate: {lr} (lr must be >= 0)")
        check(eps >= 0.0, f"Invalid epsilon value: {eps} (eps must be >= 0)")
        check(len(betas) == 2, f"betas must be a pair (beta1, beta2), got {betas!r}")
        for i, beta in enumerate(betas):
            check(0.0 <= beta < 1.0, f"Invalid beta parameter at index {i}: {beta} (betas must be in [0, 1))")
        check(weight_decay >= 0.0, f"Invalid weight_decay value: {weight_decay} (it must be >= 0)")
        defaults = {
            "lr": lr,
            "betas": tuple(betas),
            "eps": eps,
            "weight_decay": weight_decay,
            "amsgrad": amsgrad,
            "decoupled_weight_decay": decoupled_weight_decay,
        }
        super().__init__(params, defaults)

    def init_state(self, p, group):
        """t = 0, m = 0 and v = 0 (the amsgrad maximum is made on first use)."""
        return {"step": 0, "exp_avg": np.zeros_like(p.array), "exp_avg_sq": np.zeros_like(p.array)}

    def penalties(self, group):
        """L2 on the gradient, unless the decay is decoupled (AdamW), which ``update`` applies to θ."""
        l2, l1 = super().penalties(group)
        return (0.0, l1) if group["decoupled_weight_decay"] else (l2, l1)

    def update(self, p, grad, state, group):
        """m ← β₁m + (1 − β₁)∇, v ← β₂v + (1 − β₂)∇⊙∇, θ ← θ − η·m̂ / (√v̂ + ε)."""
        lr = float(group["lr"])
        beta1, beta2 = (float(b) for b in group["betas"])
        weight_decay = float(group["weight_decay"])
        amsgrad = bool(group["amsgrad"])
        theta = p.array
        if amsgrad and "max_exp_avg_sq" not in state:
            state["max_exp_avg_sq"] = np.zeros_like(theta)
        state["step"] += 1
        t = state["step"]
        if weight_decay != 0 and group["decoupled_weight_decay"]:
            # AdamW: θ ← θ − ηλθ, apart from the gradient
            theta *= 1 - lr * weight_decay
        step = self.scratch(p)[0]

        exp_avg = state["exp_avg"]
        exp_avg_sq = state["exp_avg_sq"]
        lerp_(exp_avg, grad, 1 - beta1, step)
        exp_avg_sq *= beta2
        np.multiply(grad, grad, out=step)
        step *= 1 - beta2
        exp_avg_sq += step

        bias_correction1 = 1 - beta1**t
        bias_correction2_sqrt = (1 - beta2**t) ** 0.5
        step_size = lr / bias_correction1
        if amsgrad:
            np.maximum(state["max_exp_avg_sq"], exp_avg_sq, out=state["max_exp_avg_sq"])
            np.sqrt(state["max_exp_avg_sq"], out=step)
        else:
            np.sqrt(exp_avg_sq, out=step)
        # step = −η/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε) = −η·m̂ / (√v̂ + ε)
        step /= bias_correction2_sqrt
        step += float(group["eps"])
        np.divide(exp_avg, step, out=step)
        step *= -step_size
        theta += step


class AdamW(Adam):
    """AdamW: θ ← θ − ηλθ, then the Adam step on the loss gradient alone (decoupled weight decay).

    NOTE: as PyTorch, the decay is scaled by the current η (Loshchilov & Hutter scale λ by the
    schedule multiplier only), and the default λ is 1e-2.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, decoupled_weight_decay=True)
