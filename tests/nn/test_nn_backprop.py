"""The engine's gradients for a sigmoid MLP equal the course's closed-form δ recursion."""

import numpy as np

import autograd as ag
import nn


def test_three_layer_sigmoid_mlp_matches_the_delta_recursion():
    ag.manual_seed(0)
    sizes = [4, 5, 3, 2]
    model = nn.Sequential(
        nn.Linear(sizes[0], sizes[1]), nn.Sigmoid(),
        nn.Linear(sizes[1], sizes[2]), nn.Sigmoid(),
        nn.Linear(sizes[2], sizes[3]), nn.Sigmoid(),
    ).double()  # fmt: skip
    rng = np.random.default_rng(1)
    x = rng.standard_normal((6, sizes[0]))
    y = rng.random((6, sizes[3]))

    loss = 0.5 * nn.MSELoss(reduction="sum")(model(ag.tensor(x)), ag.tensor(y))  # L = ½ Σ (a(3) − y)²
    loss.backward()

    # By hand, in the course's column convention: a(l) = σ(z(l)), z(l) = W(l) a(l−1) + b(l).
    linears = [model[0], model[2], model[4]]
    W = [lin.weight.array for lin in linears]
    b = [lin.bias.array for lin in linears]
    a = [x.T]
    z = []
    for Wl, bl in zip(W, b):
        z.append(Wl @ a[-1] + bl[:, None])
        a.append(1 / (1 + np.exp(-z[-1])))

    def sigmoid_prime(zl):
        s = 1 / (1 + np.exp(-zl))
        return s * (1 - s)

    delta = [None] * 3
    delta[2] = (a[3] - y.T) * sigmoid_prime(z[2])  # δ(L) = ∂L/∂a(L) ⊙ f'(z(L))
    for l in (1, 0):
        delta[l] = (W[l + 1].T @ delta[l + 1]) * sigmoid_prime(z[l])  # δ(l) = W(l+1)ᵀ δ(l+1) ⊙ f'(z(l))
    for l, lin in enumerate(linears):
        np.testing.assert_allclose(lin.weight.grad.array, delta[l] @ a[l].T, rtol=1e-12, atol=1e-15)  # δ(l) a(l−1)ᵀ
        np.testing.assert_allclose(lin.bias.grad.array, delta[l].sum(axis=1), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(loss.array, 0.5 * ((a[3] - y.T) ** 2).sum(), rtol=1e-12)
