"""create_graph: second derivatives, Hessian-vector products, Jacobians and Hessians."""

import numpy as np

import autograd as ag
from autograd import functional as AF


def t64(a):
    return ag.tensor(np.asarray(a, dtype=np.float64), requires_grad=True)


def test_second_derivative_of_cube():
    x = t64([0.5, -1.0, 2.0])
    (g,) = ag.grad((x**3).sum(), x, create_graph=True)
    np.testing.assert_allclose(g.array, 3 * x.array**2)
    (gg,) = ag.grad(g.sum(), x)
    np.testing.assert_allclose(gg.data, 6 * x.array)


def _first_derivative(fn, a):
    x = t64(a)
    (g,) = ag.grad(fn(x), x)
    return g.array


def _second_by_differences(fn, a, v, eps=1e-6):
    """H·v as the central difference of the first derivative along v."""
    return (_first_derivative(fn, a + eps * v) - _first_derivative(fn, a - eps * v)) / (2 * eps)


def test_hvp_of_tanh_sigmoid_mul_matmul_chains_equals_differences_of_gradients():
    rng = np.random.default_rng(0)
    W = ag.tensor(rng.standard_normal((4, 3)))
    B = ag.tensor(rng.standard_normal((3, 3)))

    chains = [
        lambda x: (x.tanh() * x.sigmoid()).sum(),
        lambda x: ((x @ W).tanh() @ B).sigmoid().sum(),
        lambda x: ((x * x) @ W).tanh().mul(x.sum()).sum(),
        lambda x: (x @ W @ B).sigmoid().tanh().pow(2).sum(),
    ]
    for fn in chains:
        a = rng.standard_normal((2, 4))
        v = rng.standard_normal((2, 4))
        _, hv = AF.hvp(fn, ag.tensor(a), ag.tensor(v))
        np.testing.assert_allclose(hv.array, _second_by_differences(fn, a, v), rtol=1e-6, atol=1e-8)


def test_hessian_of_quadratic_form():
    rng = np.random.default_rng(1)
    A = rng.standard_normal((3, 3))
    At = ag.tensor(A)
    H = AF.hessian(lambda x: x @ At @ x, ag.tensor(rng.standard_normal(3)))
    np.testing.assert_allclose(H.array, A + A.T, atol=1e-12)


def test_jacobian_of_matmul_and_softmax():
    rng = np.random.default_rng(2)
    W = rng.standard_normal((3, 2))
    J = AF.jacobian(lambda x: x @ ag.tensor(W), ag.tensor(rng.standard_normal(3)))
    np.testing.assert_allclose(J.array, W.T)
    z = rng.standard_normal(4)
    J = AF.jacobian(lambda x: x.softmax(dim=0), ag.tensor(z))
    s = np.exp(z) / np.exp(z).sum()
    np.testing.assert_allclose(J.array, np.diag(s) - np.outer(s, s), atol=1e-12)


def test_vjp_function():
    rng = np.random.default_rng(3)
    a, v = rng.standard_normal(3), rng.standard_normal(3)
    out, g = AF.vjp(lambda x: x.exp(), ag.tensor(a), ag.tensor(v))
    np.testing.assert_allclose(out.array, np.exp(a))
    np.testing.assert_allclose(g.array, v * np.exp(a))


def test_gradient_penalty_backpropagates_to_weights():
    """‖∂f/∂x‖² as a loss (a WGAN-GP style penalty) trains the weights through the backward pass."""
    rng = np.random.default_rng(4)
    W = t64(rng.standard_normal((3, 2)))
    x = t64(rng.standard_normal((5, 3)))
    (gx,) = ag.grad((x @ W).tanh().sum(), x, create_graph=True)
    penalty = (gx * gx).sum()
    penalty.backward()

    def penalty_of(w):
        z = np.tanh(x.array @ w)
        gxn = (1 - z**2) @ w.T
        return (gxn**2).sum()

    eps = 1e-6
    numeric = np.zeros_like(W.array)
    for idx in np.ndindex(W.shape):
        d = np.zeros_like(W.array)
        d[idx] = eps
        numeric[idx] = (penalty_of(W.array + d) - penalty_of(W.array - d)) / (2 * eps)
    np.testing.assert_allclose(W.grad.array, numeric, rtol=1e-6, atol=1e-8)


def test_scalar_second_derivative():
    x = ag.Scalar(0.7)
    y = (x * x * x).tanh()
    (g,) = ag.grad(y, x, create_graph=True)
    (gg,) = ag.grad(g, x)

    # finite difference of the first derivative
    def first(v):
        s = ag.Scalar(v)
        (d,) = ag.grad((s * s * s).tanh(), s)
        return d

    eps = 1e-6
    assert abs(gg - (first(0.7 + eps) - first(0.7 - eps)) / (2 * eps)) < 1e-6
