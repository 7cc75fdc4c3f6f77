"""Update rules without torch: hand-computed steps, textbook formulas, dtype, in-place updates."""

import math
import tracemalloc

import numpy as np
import pytest

import autograd as ag
import optim

# Every optimizer with each of its options (also used for the dtype and allocation checks).
ALL_CASES = [
    ("SGD", dict(lr=0.05)),
    ("SGD", dict(lr=0.05, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.3)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.1)),
    ("SGD", dict(lr=0.05, weight_decay=0.1, l1=0.01)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.05, weight_decay=0.1, initial_accumulator_value=0.5)),
    ("Adagrad", dict(lr=0.1)),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, momentum=0.9, centered=True, weight_decay=0.1)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.01, weight_decay=0.1, amsgrad=True)),
    ("AdamW", dict(lr=0.01)),
    ("AdamW", dict(lr=0.01, amsgrad=True)),
]
CASE_IDS = [f"{name}-{options}" for name, options in ALL_CASES]


def _scalar_run(make, steps, theta0=1.0):
    """Minimize L(θ) = θ² (∇ = 2θ) from θ₀; return θ after each step."""
    p = ag.Tensor(np.array([theta0]), requires_grad=True)
    opt = make([p])
    out = []
    for _ in range(steps):
        p.grad = ag.Tensor(2 * p.array)
        opt.step()
        out.append(p.array[0])
    return out


# --- steps worked out by hand on L(θ) = θ², θ₀ = 1 -------------------------------------------------


def test_sgd_by_hand():
    assert _scalar_run(lambda ps: optim.SGD(ps, lr=0.1), 2) == pytest.approx([0.8, 0.64], rel=1e-14)


def test_sgd_momentum_by_hand():
    # b = 2 → θ = 0.8; ∇ = 1.6, b = 0.9·2 + 1.6 = 3.4 → θ = 0.8 − 0.34
    assert _scalar_run(lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9), 2) == pytest.approx([0.8, 0.46], rel=1e-14)


def test_sgd_nesterov_by_hand():
    # b = 2, d = 2 + 0.9·2 = 3.8 → θ = 0.62; ∇ = 1.24, b = 3.04, d = 1.24 + 0.9·3.04 = 3.976 → θ = 0.2224
    run = _scalar_run(lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True), 2)
    assert run == pytest.approx([0.62, 0.2224], rel=1e-14)


def test_sgd_dampening_by_hand():
    # b = 2 (no dampening on the first step) → θ = 0.8; b = 0.9·2 + 0.5·1.6 = 2.6 → θ = 0.54
    run = _scalar_run(lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9, dampening=0.5), 2)
    assert run == pytest.approx([0.8, 0.54], rel=1e-14)


@pytest.mark.parametrize("theta0,expected", [(1.0, 0.75), (-1.0, -0.75), (0.0, 0.0)])
def test_sgd_l1_pulls_toward_zero_by_sign(theta0, expected):
    # ∇ = 2θ + 0.5·sign(θ): at θ = 0 the subgradient 0 is used, so θ stays put
    assert _scalar_run(lambda ps: optim.SGD(ps, lr=0.1, l1=0.5), 1, theta0) == pytest.approx([expected], abs=1e-15)


def test_sgd_weight_decay_by_hand():
    # ∇ = 2θ + 0.5θ = 2.5 → θ = 0.75
    assert _scalar_run(lambda ps: optim.SGD(ps, lr=0.1, weight_decay=0.5), 1) == pytest.approx([0.75], rel=1e-14)


def test_adagrad_by_hand():
    # G = 4 → θ = 1 − 0.1·2/2 = 0.9; G = 4 + 1.8² → θ = 0.9 − 0.1·1.8/√7.24
    run = _scalar_run(lambda ps: optim.Adagrad(ps, lr=0.1, eps=0), 2)
    assert run == pytest.approx([0.9, 0.9 - 0.18 / math.sqrt(7.24)], rel=1e-14)


def test_adagrad_lr_decay_by_hand():
    # second step uses η/(1 + 1·0.5)
    run = _scalar_run(lambda ps: optim.Adagrad(ps, lr=0.1, lr_decay=0.5, eps=0), 2)
    assert run == pytest.approx([0.9, 0.9 - (0.1 / 1.5) * 1.8 / math.sqrt(7.24)], rel=1e-14)


def test_rmsprop_by_hand():
    # s = 0.01·4 = 0.04 → θ = 1 − 0.01·2/0.2 = 0.9
    assert _scalar_run(lambda ps: optim.RMSprop(ps, lr=0.01, eps=0), 1) == pytest.approx([0.9], rel=1e-14)


def test_rmsprop_centered_by_hand():
    # s = 0.04, ḡ = 0.02 → θ = 1 − 0.01·2/√(0.04 − 0.0004)
    run = _scalar_run(lambda ps: optim.RMSprop(ps, lr=0.01, eps=0, centered=True), 1)
    assert run == pytest.approx([1 - 0.02 / math.sqrt(0.0396)], rel=1e-14)


def test_adam_first_step_is_lr_times_sign_of_gradient():
    # m̂ = ∇ and v̂ = ∇² at t = 1, so the step is η·∇/|∇| = η
    assert _scalar_run(lambda ps: optim.Adam(ps, lr=0.1, eps=0), 1) == pytest.approx([0.9], rel=1e-14)


def test_adam_second_step_by_hand():
    b1, b2, lr = 0.9, 0.999, 0.1
    m = (1 - b1) * 2
    v = (1 - b2) * 4
    g = 1.8  # at θ = 0.9
    m = b1 * m + (1 - b1) * g
    v = b2 * v + (1 - b2) * g * g
    expected = 0.9 - lr * (m / (1 - b1**2)) / math.sqrt(v / (1 - b2**2))
    assert _scalar_run(lambda ps: optim.Adam(ps, lr=lr, eps=0), 2)[1] == pytest.approx(expected, rel=1e-14)


def test_adamw_decays_the_weight_apart_from_the_gradient():
    # θ ← 1·(1 − 0.1·0.5) = 0.95, then the Adam step −η·(2/2) = −0.1 (the gradient was taken at θ = 1)
    run = _scalar_run(lambda ps: optim.AdamW(ps, lr=0.1, weight_decay=0.5, eps=0), 1)
    assert run == pytest.approx([0.85], rel=1e-14)


def test_adam_l2_is_rescaled_but_adamw_decay_is_not():
    # Adam folds λθ into ∇ before dividing by √v̂: the first step is still η·sign(∇ + λθ) = η
    adam = _scalar_run(lambda ps: optim.Adam(ps, lr=0.1, weight_decay=0.5, eps=0), 1)
    adamw = _scalar_run(lambda ps: optim.AdamW(ps, lr=0.1, weight_decay=0.5, eps=0), 1)
    assert adam == pytest.approx([0.9], rel=1e-14)
    assert adamw[0] < adam[0]


# --- many steps against the textbook formulas in course notation ----------------------------------


def _textbook(name, problem, steps, **h):
    """The update rules as written in the course, on NumPy arrays: a reference independent of optim."""
    theta = [problem.W0.copy(), problem.b0.copy()]
    mem = [dict(v=0.0, m=0.0, s=0.0, G=0.0, vmax=0.0) for _ in theta]
    lr = h["lr"]
    for t in range(1, steps + 1):
        grads = problem.grads(*theta)
        for k, g in enumerate(grads):
            M = mem[k]
            if name == "momentum":  # v ← μv − η∇, θ ← θ + v
                M["v"] = h["mu"] * M["v"] - lr * g
                theta[k] = theta[k] + M["v"]
            elif name == "adagrad":  # G ← G + ∇², θ ← θ − η∇/(√G + ε)
                M["G"] = M["G"] + g * g
                theta[k] = theta[k] - lr * g / (np.sqrt(M["G"]) + h["eps"])
            elif name == "rmsprop":  # s ← αs + (1 − α)∇², θ ← θ − η∇/(√s + ε)
                M["s"] = h["alpha"] * M["s"] + (1 - h["alpha"]) * g * g
                theta[k] = theta[k] - lr * g / (np.sqrt(M["s"]) + h["eps"])
            elif name in ("adam", "amsgrad"):  # m, v, bias correction, θ ← θ − η·m̂/(√v̂ + ε)
                b1, b2 = h["betas"]
                M["m"] = b1 * M["m"] + (1 - b1) * g
                M["v"] = b2 * M["v"] + (1 - b2) * g * g
                M["vmax"] = np.maximum(M["vmax"], M["v"])
                v = M["vmax"] if name == "amsgrad" else M["v"]
                m_hat, v_hat = M["m"] / (1 - b1**t), v / (1 - b2**t)
                theta[k] = theta[k] - lr * m_hat / (np.sqrt(v_hat) + h["eps"])
    return theta


TEXTBOOK_CASES = [
    ("momentum", lambda ps: optim.SGD(ps, lr=0.05, momentum=0.9), dict(lr=0.05, mu=0.9)),
    ("adagrad", lambda ps: optim.Adagrad(ps, lr=0.1, eps=1e-10), dict(lr=0.1, eps=1e-10)),
    ("rmsprop", lambda ps: optim.RMSprop(ps, lr=0.01, alpha=0.9), dict(lr=0.01, alpha=0.9, eps=1e-8)),
    ("adam", lambda ps: optim.Adam(ps, lr=0.01, betas=(0.8, 0.99)), dict(lr=0.01, betas=(0.8, 0.99), eps=1e-8)),
    ("amsgrad", lambda ps: optim.Adam(ps, lr=0.01, amsgrad=True), dict(lr=0.01, betas=(0.9, 0.999), eps=1e-8)),
]


@pytest.mark.parametrize("name,make,h", TEXTBOOK_CASES, ids=[c[0] for c in TEXTBOOK_CASES])
def test_thirty_steps_follow_the_textbook_formulas(name, make, h, problem):
    W = ag.Tensor(problem.W0.copy(), requires_grad=True)
    b = ag.Tensor(problem.b0.copy(), requires_grad=True)
    opt = make([W, b])
    for _ in range(30):
        gW, gb = problem.grads(W.array, b.array)
        W.grad, b.grad = ag.Tensor(gW), ag.Tensor(gb)
        opt.step()
    ref_W, ref_b = _textbook(name, problem, 30, **h)
    np.testing.assert_allclose(W.array, ref_W, rtol=1e-10)
    np.testing.assert_allclose(b.array, ref_b, rtol=1e-10)


# --- how an update is applied -------------------------------------------------------------------


def _params(dtype, problem):
    W = ag.Tensor(problem.W0.astype(dtype), requires_grad=True)
    b = ag.Tensor(problem.b0.astype(dtype), requires_grad=True)
    return W, b


def _set_grads(problem, W, b):
    gW, gb = problem.grads(W.array, b.array)
    W.grad, b.grad = ag.Tensor(gW), ag.Tensor(gb)


@pytest.mark.parametrize("name,options", ALL_CASES, ids=CASE_IDS)
def test_float32_parameters_and_state_stay_float32(name, options, problem):
    W, b = _params(np.float32, problem)
    opt = getattr(optim, name)([W, b], **options)
    for _ in range(3):
        _set_grads(problem, W, b)
        opt.step()
    assert W.array.dtype == np.float32 and b.array.dtype == np.float32
    if name != "SGD" or options.get("momentum"):
        assert opt.state[W], "the optimizer should have made state"
    for p in (W, b):
        assert all(buf.dtype == np.float32 for buf in opt._scratch[p])
        for key, value in opt.state[p].items():
            if isinstance(value, np.ndarray):
                assert value.dtype == np.float32, f"state {key!r} became {value.dtype}"
            else:
                assert isinstance(value, int), f"state {key!r} is {type(value).__name__}"


@pytest.mark.parametrize("name,options", ALL_CASES, ids=CASE_IDS)
def test_update_is_in_place_bumps_the_version_and_records_no_graph(name, options, problem):
    W, b = _params(np.float64, problem)
    opt = getattr(optim, name)([W, b], **options)
    arrays, versions = (W.array, b.array), (W._version, b._version)
    for _ in range(2):
        _set_grads(problem, W, b)
        grads = (W.grad.array.copy(), b.grad.array.copy())
        opt.step()
    assert W.array is arrays[0] and b.array is arrays[1], "p.array must be updated in place"
    assert not np.array_equal(W.array, problem.W0)
    assert (W._version, b._version) == (versions[0] + 2, versions[1] + 2)
    assert W.is_leaf and W.grad_fn is None and W.requires_grad
    # the loss gradient is left as it was (weight decay is added in a scratch array)
    assert np.array_equal(W.grad.array, grads[0]) and np.array_equal(b.grad.array, grads[1])


@pytest.mark.parametrize("name,options", ALL_CASES, ids=CASE_IDS)
def test_a_step_allocates_no_parameter_sized_array(name, options):
    """Speed: after the first step, updates reuse the state and scratch arrays (no temporaries)."""
    p = ag.Tensor(np.linspace(-1, 1, 200_000), requires_grad=True)  # 1.6 MB
    p.grad = ag.Tensor(np.cos(np.arange(200_000.0)))
    opt = getattr(optim, name)([p], **options)
    opt.step()
    tracemalloc.start()
    try:
        opt.step()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < p.array.nbytes / 4, f"a step allocated {peak} bytes for a {p.array.nbytes}-byte parameter"


@pytest.mark.parametrize("name,options", ALL_CASES, ids=CASE_IDS)
def test_parameters_without_grad_are_skipped(name, options, problem):
    W, b = _params(np.float64, problem)
    frozen = ag.Tensor(np.ones(3), requires_grad=True)
    opt = getattr(optim, name)([W, frozen, b], **options)
    for _ in range(2):
        _set_grads(problem, W, b)
        opt.step()
    assert np.array_equal(frozen.array, np.ones(3)) and frozen._version == 0
    assert not opt.state[frozen]


def test_step_runs_with_grad_mode_off_and_restores_it():
    seen = []

    class Probe(optim.SGD):
        def update(self, p, grad, state, group):
            seen.append(ag.is_grad_enabled())
            super().update(p, grad, state, group)

    p = ag.Tensor(np.ones(2), requires_grad=True)
    p.grad = ag.Tensor(np.ones(2))
    Probe([p], lr=0.1).step()
    assert seen == [False] and ag.is_grad_enabled()


def test_changing_lr_in_a_group_takes_effect_next_step():
    p = ag.Tensor(np.array([1.0]), requires_grad=True)
    opt = optim.SGD([p], lr=0.1)
    p.grad = ag.Tensor(np.array([1.0]))
    opt.step()
    opt.param_groups[0]["lr"] = 0.5
    opt.step()
    assert p.array[0] == pytest.approx(1 - 0.1 - 0.5, rel=1e-15)
