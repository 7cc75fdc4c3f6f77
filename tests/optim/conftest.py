"""Shared problems for the optim tests: a seeded random loss with a hand-written gradient.

The gradient is NumPy, not autograd, so optimizer tests depend on the update rules alone.
"""

import numpy as np
import pytest


class Problem:
    """L(W, b) = ½·mean‖XW + b − Y‖² + 0.1·ΣW⁴: a least-squares fit with a quartic, so ∇ depends on θ nonlinearly."""

    def __init__(self, seed=0, n=8, n_in=5, n_out=3):
        rng = np.random.default_rng(seed)
        self.X = rng.standard_normal((n, n_in))
        self.Y = rng.standard_normal((n, n_out))
        self.W0 = rng.standard_normal((n_in, n_out))
        self.b0 = rng.standard_normal(n_out)
        self.n = n

    def grads(self, W, b):
        """(∂L/∂W, ∂L/∂b) at (W, b), in the dtype of W."""
        r = self.X @ W + b - self.Y
        gW = self.X.T @ r / self.n + 0.4 * W**3
        gb = r.sum(axis=0) / self.n
        return gW.astype(W.dtype), gb.astype(b.dtype)


@pytest.fixture
def problem():
    return Problem()
