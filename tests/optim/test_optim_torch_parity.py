"""Oracle tests: our optimizers, clipping and schedules against PyTorch (skipped without torch)."""

import math

import numpy as np
import pytest

import autograd as ag
import optim
from optim import lr_scheduler as ours_sched

torch = pytest.importorskip("torch")

STEPS = 50

# (optimizer, options): every option of every optimizer, alone and combined.
OPTIMIZER_CASES = [
    ("SGD", dict(lr=0.05)),
    ("SGD", dict(lr=0.05, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.3)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True)),
    ("SGD", dict(lr=0.05, weight_decay=0.1)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.1)),
    ("SGD", dict(lr=0.05, momentum=0.5, dampening=0.1, weight_decay=0.1)),
    ("Adagrad", dict(lr=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.05)),
    ("Adagrad", dict(lr=0.1, weight_decay=0.1)),
    ("Adagrad", dict(lr=0.1, initial_accumulator_value=0.5, eps=1e-6)),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, alpha=0.9, eps=1e-6)),
    ("RMSprop", dict(lr=0.01, momentum=0.9)),
    ("RMSprop", dict(lr=0.01, centered=True)),
    ("RMSprop", dict(lr=0.01, alpha=0.3, centered=True)),  # lerp with weight ≥ 0.5
    ("RMSprop", dict(lr=0.01, momentum=0.5, centered=True, weight_decay=0.1)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6)),
    ("Adam", dict(lr=0.01, betas=(0.3, 0.9))),  # lerp with weight ≥ 0.5
    ("Adam", dict(lr=0.01, weight_decay=0.1)),
    ("Adam", dict(lr=0.01, amsgrad=True)),
    ("Adam", dict(lr=0.01, amsgrad=True, weight_decay=0.1)),
    ("AdamW", dict(lr=0.01)),
    ("AdamW", dict(lr=0.01, weight_decay=0.1, amsgrad=True)),
]


def _pair(name, options, problem):
    """The same two-group setup in both libraries: W and an unused tensor, then b at half the lr."""
    W = ag.Tensor(problem.W0.copy(), requires_grad=True)
    b = ag.Tensor(problem.b0.copy(), requires_grad=True)
    unused = ag.Tensor(np.ones(4), requires_grad=True)
    tW = torch.tensor(problem.W0, requires_grad=True)
    tb = torch.tensor(problem.b0, requires_grad=True)
    tunused = torch.tensor(np.ones(4), requires_grad=True)
    lr_b = options["lr"] / 2
    ours = getattr(optim, name)([{"params": [W, unused]}, {"params": [b], "lr": lr_b}], **options)
    theirs = getattr(torch.optim, name)(
        [{"params": [tW, tunused]}, {"params": [tb], "lr": lr_b}], foreach=False, **options
    )
    return (W, b, unused, ours), (tW, tb, tunused, theirs)


def _set_grads(problem, W, b, tW, tb):
    gW, gb = problem.grads(W.array, b.array)
    W.grad, b.grad = ag.Tensor(gW), ag.Tensor(gb)
    tgW, tgb = problem.grads(tW.detach().numpy(), tb.detach().numpy())
    tW.grad, tb.grad = torch.from_numpy(tgW), torch.from_numpy(tgb)


@pytest.mark.parametrize("name,options", OPTIMIZER_CASES, ids=[f"{n}-{o}" for n, o in OPTIMIZER_CASES])
def test_fifty_steps_match_pytorch(name, options, problem):
    (W, b, unused, ours), (tW, tb, tunused, theirs) = _pair(name, options, problem)
    for _ in range(STEPS):
        _set_grads(problem, W, b, tW, tb)
        ours.step()
        theirs.step()
    np.testing.assert_allclose(W.array, tW.detach().numpy(), rtol=1e-10, atol=0)
    np.testing.assert_allclose(b.array, tb.detach().numpy(), rtol=1e-10, atol=0)
    # A parameter without a gradient is left alone, in both.
    assert np.array_equal(unused.array, np.ones(4)) and np.array_equal(tunused.detach().numpy(), np.ones(4))
    assert unused not in ours.state or not ours.state[unused]
    # The state carries the same numbers under the same names.
    for p, tp in ((W, tW), (b, tb)):
        for key, value in ours.state[p].items():
            tvalue = theirs.state[tp][key]
            if isinstance(value, np.ndarray):
                np.testing.assert_allclose(value, tvalue.numpy(), rtol=1e-10, atol=0)
            else:
                assert value == tvalue.item()


def test_sgd_l1_matches_pytorch_with_the_penalty_added_to_the_gradient(problem):
    """l1=λ₁ is SGD on L + λ₁‖θ‖₁, whose subgradient λ₁·sign(θ) we add to torch's gradient by hand."""
    (W, b, _, ours), (tW, tb, _, theirs) = _pair("SGD", dict(lr=0.05, momentum=0.9, weight_decay=0.01), problem)
    for group in ours.param_groups:
        group["l1"] = 0.02
    for _ in range(STEPS):
        _set_grads(problem, W, b, tW, tb)
        for tp in (tW, tb):
            tp.grad += 0.02 * torch.sign(tp.detach())
        ours.step()
        theirs.step()
    np.testing.assert_allclose(W.array, tW.detach().numpy(), rtol=1e-10, atol=0)
    np.testing.assert_allclose(b.array, tb.detach().numpy(), rtol=1e-10, atol=0)


@pytest.mark.parametrize("name,options", [("SGD", dict(lr=0.1, momentum=0.9)), ("Adam", dict(lr=0.05))])
def test_training_a_small_network_with_autograd_matches_pytorch(name, options):
    """End to end: autograd's backward, then the update, for a 2-layer tanh network in float64."""
    rng = np.random.default_rng(3)
    X, Y = rng.standard_normal((16, 4)), rng.standard_normal((16, 2))
    W1, b1, W2, b2 = (rng.standard_normal(s) * 0.5 for s in [(8, 4), (8,), (2, 8), (2,)])
    ps = [ag.Tensor(a.copy(), requires_grad=True) for a in (W1, b1, W2, b2)]
    tps = [torch.tensor(a, requires_grad=True) for a in (W1, b1, W2, b2)]
    ours = getattr(optim, name)(ps, **options)
    theirs = getattr(torch.optim, name)(tps, foreach=False, **options)
    x, y, tx, ty = ag.Tensor(X), ag.Tensor(Y), torch.tensor(X), torch.tensor(Y)
    for _ in range(20):
        ours.zero_grad()
        h = ag.tanh(ag.linear(x, ps[0], ps[1]))
        loss = ((ag.linear(h, ps[2], ps[3]) - y) ** 2).mean()
        loss.backward()
        ours.step()
        theirs.zero_grad()
        th = torch.tanh(torch.nn.functional.linear(tx, tps[0], tps[1]))
        tloss = ((torch.nn.functional.linear(th, tps[2], tps[3]) - ty) ** 2).mean()
        tloss.backward()
        theirs.step()
    for p, tp in zip(ps, tps):
        np.testing.assert_allclose(p.array, tp.detach().numpy(), rtol=1e-10, atol=1e-14)


# --- clipping ------------------------------------------------------------------------------------


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, math.inf])
@pytest.mark.parametrize("max_norm", [0.5, 1e6])
def test_clip_grad_norm_matches_pytorch(norm_type, max_norm):
    rng = np.random.default_rng(7)
    grads = [rng.standard_normal(s) for s in [(3, 4), (5,), (2, 2, 2)]]
    ps = [ag.Tensor(np.zeros_like(g), requires_grad=True) for g in grads]
    tps = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in grads]
    for p, tp, g in zip(ps, tps, grads):
        p.grad, tp.grad = ag.Tensor(g.copy()), torch.tensor(g)
    total = optim.clip_grad_norm_(ps, max_norm, norm_type=norm_type)
    ttotal = torch.nn.utils.clip_grad_norm_(tps, max_norm, norm_type=norm_type, foreach=False)
    assert total.item() == pytest.approx(ttotal.item(), rel=1e-12)
    for p, tp in zip(ps, tps):
        np.testing.assert_allclose(p.grad.array, tp.grad.numpy(), rtol=1e-12, atol=0)


def test_clip_grad_value_matches_pytorch():
    g = np.random.default_rng(8).standard_normal((4, 5))
    p, tp = ag.Tensor(np.zeros((4, 5)), requires_grad=True), torch.zeros((4, 5), dtype=torch.float64)
    p.grad, tp.grad = ag.Tensor(g.copy()), torch.tensor(g)
    optim.clip_grad_value_([p], 0.3)
    torch.nn.utils.clip_grad_value_([tp], 0.3, foreach=False)
    assert np.array_equal(p.grad.array, tp.grad.numpy())


# --- learning-rate schedules ---------------------------------------------------------------------


class _Halving:
    """A callable object: LambdaLR saves its attributes in state_dict."""

    def __init__(self, every):
        self.every = every

    def __call__(self, t):
        return 0.5 ** (t // self.every)


# name -> (our factory, torch factory, optimizer name, options): each factory takes an optimizer.
SCHEDULE_CASES = {
    "StepLR": (lambda o: ours_sched.StepLR(o, step_size=7, gamma=0.5),
               lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=7, gamma=0.5)),
    "MultiStepLR": (lambda o: ours_sched.MultiStepLR(o, milestones=[10, 30, 30, 70], gamma=0.3),
                    lambda o: torch.optim.lr_scheduler.MultiStepLR(o, milestones=[10, 30, 30, 70], gamma=0.3)),
    "ExponentialLR": (lambda o: ours_sched.ExponentialLR(o, gamma=0.97),
                      lambda o: torch.optim.lr_scheduler.ExponentialLR(o, gamma=0.97)),
    "LambdaLR": (lambda o: ours_sched.LambdaLR(o, lambda t: 0.95**t),
                 lambda o: torch.optim.lr_scheduler.LambdaLR(o, lambda t: 0.95**t)),
    "LambdaLR-per-group": (lambda o: ours_sched.LambdaLR(o, [lambda t: 1 / (t + 1), _Halving(9)]),
                           lambda o: torch.optim.lr_scheduler.LambdaLR(o, [lambda t: 1 / (t + 1), _Halving(9)])),
    "InverseTimeLR": (lambda o: ours_sched.InverseTimeLR(o, k=0.1),
                      lambda o: torch.optim.lr_scheduler.LambdaLR(o, lambda t: 1 / (1 + 0.1 * t))),
    "LinearLR-warmup": (lambda o: ours_sched.LinearLR(o, start_factor=0.1, total_iters=10),
                        lambda o: torch.optim.lr_scheduler.LinearLR(o, start_factor=0.1, total_iters=10)),
    "LinearLR-decay": (lambda o: ours_sched.LinearLR(o, start_factor=1.0, end_factor=0.2, total_iters=30),
                       lambda o: torch.optim.lr_scheduler.LinearLR(o, start_factor=1.0, end_factor=0.2, total_iters=30)),
    "CosineAnnealingLR": (lambda o: ours_sched.CosineAnnealingLR(o, T_max=30, eta_min=0.001),
                          lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=30, eta_min=0.001)),
    "CosineAnnealingWarmRestarts": (
        lambda o: ours_sched.CosineAnnealingWarmRestarts(o, T_0=10, T_mult=2, eta_min=1e-3),
        lambda o: torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(o, T_0=10, T_mult=2, eta_min=1e-3)),
    "CosineAnnealingWarmRestarts-Tmult1": (
        lambda o: ours_sched.CosineAnnealingWarmRestarts(o, T_0=7),
        lambda o: torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(o, T_0=7)),
    "OneCycleLR": (lambda o: ours_sched.OneCycleLR(o, max_lr=[0.1, 0.2], total_steps=100),
                   lambda o: torch.optim.lr_scheduler.OneCycleLR(o, max_lr=[0.1, 0.2], total_steps=100)),
    "OneCycleLR-linear-3phase": (
        lambda o: ours_sched.OneCycleLR(o, max_lr=0.1, epochs=10, steps_per_epoch=10, pct_start=0.25,
                                        anneal_strategy="linear", three_phase=True),
        lambda o: torch.optim.lr_scheduler.OneCycleLR(o, max_lr=0.1, epochs=10, steps_per_epoch=10, pct_start=0.25,
                                                      anneal_strategy="linear", three_phase=True)),
    "SequentialLR-warmup-cosine": (
        lambda o: ours_sched.SequentialLR(
            o, [ours_sched.LinearLR(o, start_factor=0.01, total_iters=5), ours_sched.CosineAnnealingLR(o, T_max=95)],
            milestones=[5]),
        lambda o: torch.optim.lr_scheduler.SequentialLR(
            o, [torch.optim.lr_scheduler.LinearLR(o, start_factor=0.01, total_iters=5),
                torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=95)], milestones=[5])),
    "SequentialLR-three": (
        lambda o: ours_sched.SequentialLR(
            o, [ours_sched.LinearLR(o, start_factor=0.2, total_iters=10), ours_sched.ExponentialLR(o, gamma=0.9),
                ours_sched.StepLR(o, step_size=5, gamma=0.5)], milestones=[10, 40]),
        lambda o: torch.optim.lr_scheduler.SequentialLR(
            o, [torch.optim.lr_scheduler.LinearLR(o, start_factor=0.2, total_iters=10),
                torch.optim.lr_scheduler.ExponentialLR(o, gamma=0.9),
                torch.optim.lr_scheduler.StepLR(o, step_size=5, gamma=0.5)], milestones=[10, 40])),
}  # fmt: skip


def _optimizer_pair(name="SGD", **options):
    p, tp = ag.Tensor(np.zeros(2), requires_grad=True), torch.zeros(2, dtype=torch.float64, requires_grad=True)
    q, tq = ag.Tensor(np.zeros(3), requires_grad=True), torch.zeros(3, dtype=torch.float64, requires_grad=True)
    ours = getattr(optim, name)([{"params": [p]}, {"params": [q], "lr": 0.3}], lr=0.1, **options)
    theirs = getattr(torch.optim, name)([{"params": [tp]}, {"params": [tq], "lr": 0.3}], lr=0.1, **options)
    return ours, theirs


def _momenta(optimizer):
    return [g["betas"][0] if "betas" in g else g.get("momentum") for g in optimizer.param_groups]


@pytest.mark.parametrize("optimizer", [("SGD", dict(momentum=0.9)), ("Adam", {})], ids=["SGD", "Adam"])
@pytest.mark.parametrize("case", sorted(SCHEDULE_CASES))
def test_lr_sequence_over_100_steps_equals_pytorch(case, optimizer):
    make_ours, make_theirs = SCHEDULE_CASES[case]
    ours, theirs = _optimizer_pair(optimizer[0], **optimizer[1])
    s, ts = make_ours(ours), make_theirs(theirs)
    lrs, tlrs = [s.get_last_lr()], [ts.get_last_lr()]
    momenta, tmomenta = [_momenta(ours)], [_momenta(theirs)]
    for _ in range(100):
        ours.step()
        theirs.step()
        s.step()
        ts.step()
        lrs.append(s.get_last_lr())
        tlrs.append(ts.get_last_lr())
        momenta.append(_momenta(ours))
        tmomenta.append(_momenta(theirs))
    assert lrs == tlrs  # bit for bit
    assert [g["lr"] for g in ours.param_groups] == [g["lr"] for g in theirs.param_groups]
    assert momenta == tmomenta  # OneCycleLR cycles momentum / β₁


@pytest.mark.parametrize(
    "options",
    [
        dict(),
        dict(mode="max", factor=0.5, patience=3),
        dict(threshold_mode="abs", threshold=0.05, patience=2, cooldown=3, min_lr=[0.02, 0.05]),
        dict(factor=0.5, patience=0, eps=0.01),
    ],
)
def test_reduce_lr_on_plateau_equals_pytorch(options):
    ours, theirs = _optimizer_pair()
    s = ours_sched.ReduceLROnPlateau(ours, **options)
    ts = torch.optim.lr_scheduler.ReduceLROnPlateau(theirs, **options)
    rng = np.random.default_rng(11)
    # A loss that falls, then plateaus with noise, then rises.
    metrics = np.concatenate([np.linspace(1, 0.5, 30), 0.5 + 0.01 * rng.standard_normal(40), np.linspace(0.5, 2, 30)])
    lrs, tlrs = [], []
    for m in metrics:
        s.step(float(m))
        ts.step(float(m))
        lrs.append(s.get_last_lr())
        tlrs.append(ts.get_last_lr())
    assert lrs == tlrs
    assert len({tuple(lr) for lr in lrs}) > 1, "the metric sequence should trigger a reduction"


def test_warm_restarts_with_fractional_epochs_equals_pytorch():
    ours, theirs = _optimizer_pair()
    s = ours_sched.CosineAnnealingWarmRestarts(ours, T_0=5, T_mult=2, eta_min=0.01)
    ts = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(theirs, T_0=5, T_mult=2, eta_min=0.01)
    for i in range(100):
        epoch = i * 0.37
        s.step(epoch)
        ts.step(epoch)
        assert s.get_last_lr() == ts.get_last_lr()


def _sgd_pair(lrs):
    """One zero parameter per group, at these lrs, in both libraries."""
    ps = [ag.Tensor(np.zeros(1), requires_grad=True) for _ in lrs]
    tps = [torch.zeros(1, dtype=torch.float64, requires_grad=True) for _ in lrs]
    ours = optim.SGD([{"params": [p], "lr": lr} for p, lr in zip(ps, lrs)], lr=lrs[0])
    theirs = torch.optim.SGD([{"params": [p], "lr": lr} for p, lr in zip(tps, lrs)], lr=lrs[0])
    return ours, theirs


def test_sequential_restart_of_a_cosine_with_eta_min_equals_pytorch():
    """At its milestone the cosine restarts at η_min + (η₀ − η_min), which rounds away from η₀ for 0.01/0.001."""
    ours, theirs = _sgd_pair([0.01, 0.3])
    s = ours_sched.SequentialLR(
        ours,
        [ours_sched.LinearLR(ours, start_factor=0.1, total_iters=3), ours_sched.CosineAnnealingLR(ours, 20, 0.001)],
        milestones=[3],
    )
    ts = torch.optim.lr_scheduler.SequentialLR(
        theirs,
        [
            torch.optim.lr_scheduler.LinearLR(theirs, start_factor=0.1, total_iters=3),
            torch.optim.lr_scheduler.CosineAnnealingLR(theirs, 20, 0.001),
        ],
        milestones=[3],
    )
    for _ in range(30):
        ours.step()
        theirs.step()
        s.step()
        ts.step()
        assert s.get_last_lr() == ts.get_last_lr()


def _chainable_pairs():
    L = ours_sched
    T = torch.optim.lr_scheduler
    return {
        "StepLR": (lambda o: L.StepLR(o, 4, 0.3), lambda o: T.StepLR(o, 4, 0.3)),
        "MultiStepLR": (lambda o: L.MultiStepLR(o, [3, 8, 8], 0.3), lambda o: T.MultiStepLR(o, [3, 8, 8], 0.3)),
        "ExponentialLR": (lambda o: L.ExponentialLR(o, 0.9), lambda o: T.ExponentialLR(o, 0.9)),
        "LinearLR": (lambda o: L.LinearLR(o, 0.3, 0.9, 7), lambda o: T.LinearLR(o, 0.3, 0.9, 7)),
        "CosineAnnealingLR": (lambda o: L.CosineAnnealingLR(o, 6, 0.001), lambda o: T.CosineAnnealingLR(o, 6, 0.001)),
    }


@pytest.mark.parametrize("case", sorted(_chainable_pairs()))
def test_chainable_schedules_follow_an_lr_changed_by_hand_as_pytorch(case):
    make_ours, make_theirs = _chainable_pairs()[case]
    ours, theirs = _sgd_pair([0.1, 0.3])
    s, ts = make_ours(ours), make_theirs(theirs)
    for t in range(20):
        if t == 5:
            for group in ours.param_groups + theirs.param_groups:
                group["lr"] = group["lr"] * 0.7
        ours.step()
        theirs.step()
        s.step()
        ts.step()
        assert s.get_last_lr() == ts.get_last_lr()


def test_two_schedules_stepped_together_equal_pytorch():
    """Warmup and decay on one optimizer at once: their factors multiply, as in PyTorch (ChainedScheduler's use)."""
    ours, theirs = _sgd_pair([0.1, 0.3])
    ss = [ours_sched.LinearLR(ours, start_factor=0.2, total_iters=5), ours_sched.ExponentialLR(ours, gamma=0.9)]
    tss = [
        torch.optim.lr_scheduler.LinearLR(theirs, start_factor=0.2, total_iters=5),
        torch.optim.lr_scheduler.ExponentialLR(theirs, gamma=0.9),
    ]
    for _ in range(20):
        ours.step()
        theirs.step()
        for s, ts in zip(ss, tss):
            s.step()
            ts.step()
        assert [g["lr"] for g in ours.param_groups] == [g["lr"] for g in theirs.param_groups]


@pytest.mark.filterwarnings("ignore::UserWarning")  # PyTorch deprecates step(epoch)
@pytest.mark.parametrize("case", sorted(_chainable_pairs()))
def test_step_with_an_epoch_equals_pytorch_up_to_rounding(case):
    """A jump replays our one formula where PyTorch uses a closed form: equal at epoch 0, within rounding after."""
    make_ours, make_theirs = _chainable_pairs()[case]
    ours, theirs = _sgd_pair([0.1, 0.3])
    s, ts = make_ours(ours), make_theirs(theirs)
    for epoch in [0, 3, 1, 10, 4, 0, 17]:
        s.step(epoch)
        ts.step(epoch)
        if epoch == 0:
            assert s.get_last_lr() == ts.get_last_lr()
        np.testing.assert_allclose(s.get_last_lr(), ts.get_last_lr(), rtol=1e-13, atol=0)
        s.step()  # and the next epoch, chained from there
        ts.step()
        np.testing.assert_allclose(s.get_last_lr(), ts.get_last_lr(), rtol=1e-13, atol=0)
