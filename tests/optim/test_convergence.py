"""Convergence without torch: a badly conditioned quadratic and the Rosenbrock function.

Also: PyTorch's momentum formulation and the course's give the same trajectory at a constant lr.
"""

import numpy as np
import pytest

import autograd as ag
import optim

LAMBDA = np.array([1.0, 100.0])  # L(θ) = ½ Σ λᵢθᵢ², condition number 100


def quadratic_grad(theta):
    return LAMBDA * theta


def rosenbrock_grad(theta):
    x, y = theta
    return np.array([-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)])


def _minimize(make, grad, theta0, steps):
    p = ag.Tensor(np.array(theta0, dtype=np.float64), requires_grad=True)
    opt = make([p])
    with np.errstate(all="ignore"):  # plain SGD may diverge; that is the point of the comparison
        for _ in range(steps):
            p.grad = ag.Tensor(grad(p.array))
            opt.step()
    return p.array


def _distance(theta, optimum):
    d = float(np.linalg.norm(theta - optimum))
    return d if np.isfinite(d) else np.inf


# --- ill-conditioned quadratic: lr = 0.01 < 2/λ_max, 300 steps, tolerance 1e-3 -----------------


@pytest.mark.parametrize(
    "make",
    [
        lambda ps: optim.SGD(ps, lr=0.01, momentum=0.9, nesterov=True),
        lambda ps: optim.Adam(ps, lr=0.01),
    ],
    ids=["nesterov", "adam"],
)
def test_quadratic_nesterov_and_adam_reach_what_sgd_does_not(make):
    sgd = _minimize(lambda ps: optim.SGD(ps, lr=0.01), quadratic_grad, [1.0, 1.0], 300)
    other = _minimize(make, quadratic_grad, [1.0, 1.0], 300)
    # SGD's slow direction shrinks by (1 − ηλ_min) = 0.99 per step: 0.99³⁰⁰ ≈ 0.05
    assert _distance(sgd, 0) > 1e-2
    assert _distance(other, 0) < 1e-3


# --- Rosenbrock from (−1.5, 2): the minimum is (1, 1) ---------------------------------------------


def test_rosenbrock_nesterov_reaches_what_sgd_does_not():
    sgd = _minimize(lambda ps: optim.SGD(ps, lr=1e-3), rosenbrock_grad, [-1.5, 2.0], 3000)
    nesterov = _minimize(
        lambda ps: optim.SGD(ps, lr=1e-3, momentum=0.9, nesterov=True), rosenbrock_grad, [-1.5, 2.0], 3000
    )
    assert _distance(sgd, 1) > 0.1  # still crawling along the valley
    assert _distance(nesterov, 1) < 1e-3


def test_rosenbrock_adam_reaches_what_sgd_does_not():
    """Adam's step is about η whatever the gradient's scale; SGD at Adam's lr blows up (η·λ_max ≫ 2)."""
    sgd = _minimize(lambda ps: optim.SGD(ps, lr=0.02), rosenbrock_grad, [-1.5, 2.0], 3000)
    adam = _minimize(lambda ps: optim.Adam(ps, lr=0.02), rosenbrock_grad, [-1.5, 2.0], 3000)
    assert _distance(sgd, 1) > 0.1
    assert _distance(adam, 1) < 1e-3


@pytest.mark.parametrize(
    "make",
    [
        lambda ps: optim.Adagrad(ps, lr=0.5),
        lambda ps: optim.RMSprop(ps, lr=0.01),
        lambda ps: optim.RMSprop(ps, lr=0.01, momentum=0.5, centered=True),
        lambda ps: optim.AdamW(ps, lr=0.02, weight_decay=0.0),
        lambda ps: optim.Adam(ps, lr=0.02, amsgrad=True),
    ],
    ids=["adagrad", "rmsprop", "rmsprop-centered", "adamw", "amsgrad"],
)
def test_adaptive_methods_solve_the_quadratic(make):
    assert _distance(_minimize(make, quadratic_grad, [1.0, 1.0], 1000), 0) < 1e-2


# --- the course's momentum formulation ------------------------------------------------------------


def test_heavy_ball_matches_the_course_formulation():
    """Course: v ← μv − η∇L(θ), θ ← θ + v.  PyTorch: b ← μb + ∇L(θ), θ ← θ − ηb.  Same θ (v = −ηb)."""
    mu, lr = 0.9, 0.01
    p = ag.Tensor(np.array([1.0, 1.0]), requires_grad=True)
    opt = optim.SGD([p], lr=lr, momentum=mu)
    theta, v = np.array([1.0, 1.0]), np.zeros(2)
    for _ in range(100):
        p.grad = ag.Tensor(quadratic_grad(p.array))
        opt.step()
        v = mu * v - lr * quadratic_grad(theta)
        theta = theta + v
        np.testing.assert_allclose(p.array, theta, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(-lr * opt.state[p]["momentum_buffer"], v, rtol=1e-12, atol=1e-15)


def test_nesterov_matches_the_course_look_ahead_formulation():
    """Course: θ̃ = θ + μv, v ← μv − η∇L(θ̃), θ ← θ + v.  PyTorch's parameter is the look-ahead θ̃."""
    mu, lr = 0.9, 0.01
    p = ag.Tensor(np.array([1.0, 1.0]), requires_grad=True)
    opt = optim.SGD([p], lr=lr, momentum=mu, nesterov=True)
    theta, v = np.array([1.0, 1.0]), np.zeros(2)
    for _ in range(100):
        p.grad = ag.Tensor(quadratic_grad(p.array))
        opt.step()
        look_ahead = theta + mu * v
        v = mu * v - lr * quadratic_grad(look_ahead)
        theta = theta + v
        np.testing.assert_allclose(p.array, theta + mu * v, rtol=1e-12, atol=1e-15)
    # and both converge to the same point
    assert np.linalg.norm(theta) < 1e-3 and np.linalg.norm(p.array) < 1e-3
