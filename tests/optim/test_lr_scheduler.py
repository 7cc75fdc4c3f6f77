"""Learning-rate schedules without torch: each against its closed form, warmup, plateau, errors."""

import math

import numpy as np
import pytest

import autograd as ag
import optim
from optim import lr_scheduler as S


def _sgd(lr=0.1, momentum=0.0, groups=1):
    params = [ag.Tensor(np.zeros(1), requires_grad=True) for _ in range(groups)]
    return optim.SGD([{"params": [p]} for p in params], lr=lr, momentum=momentum)


def _run(opt, sched, steps=100):
    """lrs[t] = the lr of group 0 used by the t-th optimizer step."""
    lrs = [sched.get_last_lr()[0]]
    for _ in range(steps):
        opt.step()
        sched.step()
        lrs.append(sched.get_last_lr()[0])
    return lrs


CLOSED_FORMS = [
    ("StepLR", lambda o: S.StepLR(o, step_size=7, gamma=0.5), lambda t: 0.1 * 0.5 ** (t // 7)),
    ("MultiStepLR", lambda o: S.MultiStepLR(o, [10, 30, 30], gamma=0.3), lambda t: 0.1 * 0.3 ** ((t >= 10) + 2 * (t >= 30))),
    ("ExponentialLR", lambda o: S.ExponentialLR(o, gamma=0.97), lambda t: 0.1 * 0.97**t),
    ("LambdaLR", lambda o: S.LambdaLR(o, lambda t: 1 / (t + 1)), lambda t: 0.1 / (t + 1)),
    ("InverseTimeLR", lambda o: S.InverseTimeLR(o, k=0.5), lambda t: 0.1 / (1 + 0.5 * t)),
    ("LinearLR", lambda o: S.LinearLR(o, start_factor=0.25, total_iters=8), lambda t: 0.1 * (0.25 + 0.75 * min(t, 8) / 8)),
    ("CosineAnnealingLR", lambda o: S.CosineAnnealingLR(o, T_max=40, eta_min=0.01),
     lambda t: 0.01 + 0.09 * (1 + math.cos(math.pi * t / 40)) / 2),
    ("CosineAnnealingWarmRestarts", lambda o: S.CosineAnnealingWarmRestarts(o, T_0=10, T_mult=2),
     lambda t: 0.1 * (1 + math.cos(math.pi * _since_restart(t, 10, 2) / _period(t, 10, 2))) / 2),
]  # fmt: skip


def _period(t, T0, mult):
    T, start = T0, 0
    while t >= start + T:
        start, T = start + T, T * mult
    return T


def _since_restart(t, T0, mult):
    T, start = T0, 0
    while t >= start + T:
        start, T = start + T, T * mult
    return t - start


@pytest.mark.parametrize("name,make,formula", CLOSED_FORMS, ids=[c[0] for c in CLOSED_FORMS])
def test_schedule_follows_its_closed_form(name, make, formula):
    opt = _sgd()
    lrs = _run(opt, make(opt))
    expected = [formula(t) for t in range(101)]
    # rtol: the recursive form (lr_t = lr_{t−1}·ratio, as PyTorch) rounds differently from the closed one
    np.testing.assert_allclose(lrs, expected, rtol=1e-12, atol=1e-17)
    assert opt.param_groups[0]["lr"] == lrs[-1]


def test_step_with_an_epoch_jumps_to_the_closed_form():
    opt = _sgd()
    sched = S.StepLR(opt, step_size=3, gamma=0.1)
    sched.step(7)
    assert sched.get_last_lr() == [pytest.approx(0.1 * 0.1**2)]


def test_schedules_act_on_every_group_from_its_own_base_lr():
    params = [ag.Tensor(np.zeros(1), requires_grad=True) for _ in range(2)]
    opt = optim.SGD([{"params": [params[0]]}, {"params": [params[1]], "lr": 1.0}], lr=0.1)
    sched = S.ExponentialLR(opt, gamma=0.5)
    for _ in range(3):
        opt.step()
        sched.step()
    assert sched.get_last_lr() == [pytest.approx(0.0125), pytest.approx(0.125)]
    assert sched.base_lrs == [0.1, 1.0]


def test_linear_warmup_then_cosine_with_sequential_lr():
    opt = _sgd(lr=1.0)
    warmup = S.LinearLR(opt, start_factor=0.2, total_iters=4)
    cosine = S.CosineAnnealingLR(opt, T_max=20)
    sched = S.SequentialLR(opt, [warmup, cosine], milestones=[4])
    lrs = _run(opt, sched, 24)
    np.testing.assert_allclose(lrs[:5], [0.2, 0.4, 0.6, 0.8, 1.0], rtol=1e-12)  # warmup from 0.2·η₀ to η₀
    np.testing.assert_allclose(
        lrs[4:], [(1 + math.cos(math.pi * k / 20)) / 2 for k in range(21)], rtol=1e-12, atol=1e-16
    )


def test_one_cycle_rises_then_anneals_and_moves_momentum_the_other_way():
    opt = _sgd(momentum=0.9)
    sched = S.OneCycleLR(opt, max_lr=1.0, total_steps=100, pct_start=0.3, div_factor=10.0, final_div_factor=100.0)
    lrs, momenta = [sched.get_last_lr()[0]], [opt.param_groups[0]["momentum"]]
    for _ in range(99):
        opt.step()
        sched.step()
        lrs.append(sched.get_last_lr()[0])
        momenta.append(opt.param_groups[0]["momentum"])
    assert lrs[0] == pytest.approx(0.1) and momenta[0] == pytest.approx(0.95)
    assert int(np.argmax(lrs)) == 29 and lrs[29] == pytest.approx(1.0)  # the peak at pct_start·total − 1
    assert momenta[29] == pytest.approx(0.85)
    assert lrs[-1] == pytest.approx(0.1 / 100) and momenta[-1] == pytest.approx(0.95)
    assert all(np.diff(lrs[:30]) > 0) and all(np.diff(lrs[29:]) < 0)


def test_one_cycle_cycles_adams_beta1():
    p = ag.Tensor(np.zeros(1), requires_grad=True)
    opt = optim.Adam([p], betas=(0.9, 0.99))
    S.OneCycleLR(opt, max_lr=0.01, total_steps=10)
    assert opt.param_groups[0]["betas"] == (0.95, 0.99)


def test_one_cycle_refuses_to_go_past_total_steps():
    opt = _sgd()
    sched = S.OneCycleLR(opt, max_lr=0.1, total_steps=3)
    for _ in range(3):
        sched.step()
    with pytest.raises(ValueError, match="Tried to step 4 times"):
        sched.step()


def test_reduce_on_plateau_waits_patience_epochs_then_cools_down():
    opt = _sgd(lr=1.0)
    sched = S.ReduceLROnPlateau(opt, factor=0.5, patience=2, cooldown=1, min_lr=0.2)
    lrs = []
    for loss in [5, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4]:
        sched.step(loss)
        lrs.append(sched.get_last_lr()[0])
    # bad epochs 1, 2, 3 > patience → halve; one cooldown epoch; 3 more → halve; then min_lr stops it
    assert lrs == [1.0, 1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25]
    for _ in range(10):
        sched.step(4)
    assert sched.get_last_lr() == [0.2]


def test_reduce_on_plateau_max_mode_and_a_tensor_metric():
    opt = _sgd(lr=1.0)
    sched = S.ReduceLROnPlateau(opt, mode="max", factor=0.1, patience=0)
    sched.step(ag.tensor(0.5))
    sched.step(ag.tensor(0.9))  # better: no change
    assert sched.get_last_lr() == [1.0]
    sched.step(ag.tensor(0.8))
    assert sched.get_last_lr() == [pytest.approx(0.1)]


def test_scheduler_state_dict_holds_plain_values_and_resumes():
    opt = _sgd()
    sched = S.MultiStepLR(opt, [3, 6], gamma=0.5)
    _run(opt, sched, 4)
    state = sched.state_dict()
    assert "optimizer" not in state and state["milestones"] == [3, 6] and state["last_epoch"] == 4
    opt2 = _sgd()
    sched2 = S.MultiStepLR(opt2, [100])
    sched2.load_state_dict(state)
    assert opt2.param_groups[0]["lr"] == sched.get_last_lr()[0]
    assert _run(opt2, sched2, 5) == _run(opt, sched, 5)


def test_lambda_lr_saves_a_callable_objects_attributes_but_not_functions():
    class Decay:
        def __init__(self, rate):
            self.rate = rate

        def __call__(self, t):
            return self.rate**t

    opt = _sgd(groups=2)
    sched = S.LambdaLR(opt, [Decay(0.5), lambda t: 1.0])
    assert sched.state_dict()["lr_lambdas"] == [{"rate": 0.5}, None]
    other = S.LambdaLR(_sgd(groups=2), [Decay(0.9), lambda t: 1.0])
    other.load_state_dict(sched.state_dict())
    assert other.lr_lambdas[0].rate == 0.5


# --- bad input --------------------------------------------------------------------------------


def test_a_scheduler_needs_an_optimizer():
    with pytest.raises(TypeError, match="is not an Optimizer"):
        S.StepLR(object(), step_size=1)


def test_resuming_with_last_epoch_needs_initial_lr():
    with pytest.raises(KeyError, match="initial_lr"):
        S.ExponentialLR(_sgd(), gamma=0.9, last_epoch=5)


@pytest.mark.parametrize(
    "make,message",
    [
        (lambda o: S.LinearLR(o, start_factor=0.0), "start_factor must be in"),
        (lambda o: S.LinearLR(o, end_factor=1.5), "end_factor must be in"),
        (lambda o: S.StepLR(o, step_size=0), "step_size must be a positive integer"),
        (lambda o: S.CosineAnnealingWarmRestarts(o, T_0=0), "positive integer T_0"),
        (lambda o: S.CosineAnnealingWarmRestarts(o, T_0=5, T_mult=0), "T_mult >= 1"),
        (lambda o: S.OneCycleLR(o, max_lr=0.1), "total_steps OR"),
        (lambda o: S.OneCycleLR(o, max_lr=0.1, total_steps=10, pct_start=1.5), "pct_start"),
        (lambda o: S.OneCycleLR(o, max_lr=[0.1, 0.2], total_steps=10), "one value per param group"),
        (lambda o: S.InverseTimeLR(o, k=-1), "Invalid decay rate k: -1"),
        (lambda o: S.ReduceLROnPlateau(o, factor=1.0), "Factor should be < 1.0"),
        (lambda o: S.ReduceLROnPlateau(o, mode="up"), "mode must be 'min' or 'max'"),
        (lambda o: S.SequentialLR(o, [S.StepLR(o, 2), S.StepLR(o, 3)], milestones=[]), "one milestone fewer"),
        (lambda o: S.SequentialLR(o, [S.StepLR(_sgd(), 2)], milestones=[]), "same optimizer"),
        (lambda o: S.SequentialLR(o, [S.ReduceLROnPlateau(o)], milestones=[]), "does not support ReduceLROnPlateau"),
    ],
)
def test_bad_schedule_settings_say_what_is_wrong(make, message):
    with pytest.raises(ValueError, match=message):
        make(_sgd())


# --- improved: the one test of improvement ------------------------------------------------------


@pytest.mark.parametrize(
    "value,best,mode,threshold,threshold_mode,expected",
    [
        (0.9, 1.0, "min", 0.0, "abs", True),
        (1.0, 1.0, "min", 0.0, "abs", False),  # equal is not better
        (0.95, 1.0, "min", 0.1, "abs", False),  # must beat best − 0.1 = 0.9
        (0.85, 1.0, "min", 0.1, "abs", True),
        (0.95, 1.0, "min", 0.1, "rel", False),  # must beat best·(1 − 0.1) = 0.9
        (0.85, 1.0, "min", 0.1, "rel", True),
        (-1.5, -1.0, "min", 0.1, "rel", True),  # rel scales with best's sign, as PyTorch: −1.5 < −0.9
        (1.1, 1.0, "max", 0.0, "abs", True),
        (1.0, 1.0, "max", 0.0, "abs", False),
        (1.05, 1.0, "max", 0.1, "abs", False),  # must beat best + 0.1
        (1.15, 1.0, "max", 0.1, "abs", True),
        (1.05, 1.0, "max", 0.1, "rel", False),  # must beat best·(1 + 0.1)
        (1.15, 1.0, "max", 0.1, "rel", True),
        (123.0, None, "min", 0.1, "rel", True),  # nothing to beat yet
        (-123.0, None, "max", 0.1, "abs", True),
        (1.0, math.inf, "min", 1e-4, "rel", True),  # ReduceLROnPlateau's starting best
        (1.0, -math.inf, "max", 1e-4, "abs", True),
    ],
)
def test_improved(value, best, mode, threshold, threshold_mode, expected):
    assert optim.improved(value, best, mode, threshold, threshold_mode) is expected


def test_improved_defaults_are_min_with_no_threshold():
    assert optim.improved(0.5, 0.6) and not optim.improved(0.6, 0.6) and optim.improved(0.6, None)


@pytest.mark.parametrize(
    "options,message", [(dict(mode="up"), "mode must be"), (dict(threshold_mode="x"), "threshold_mode")]
)
def test_improved_rejects_unknown_modes(options, message):
    with pytest.raises(ValueError, match=message):
        optim.improved(1.0, 2.0, **options)


# --- one formula per schedule ------------------------------------------------------------------


CHAINABLE = [
    lambda o: S.StepLR(o, step_size=3, gamma=0.3),
    lambda o: S.MultiStepLR(o, [2, 5, 5], gamma=0.3),
    lambda o: S.ExponentialLR(o, gamma=0.9),
    lambda o: S.LinearLR(o, start_factor=0.3, total_iters=6),
    lambda o: S.CosineAnnealingLR(o, T_max=4, eta_min=0.001),
]


@pytest.mark.parametrize("make", CHAINABLE, ids=["StepLR", "MultiStepLR", "ExponentialLR", "LinearLR", "Cosine"])
@pytest.mark.parametrize("epoch", [0, 1, 7, 12])
def test_step_with_an_epoch_replays_the_schedule_from_base_lr(make, epoch):
    """A jump sets exactly the lrs a fresh schedule reaches after ``epoch`` steps, whatever came before."""
    opt = _sgd(groups=2)
    sched = make(opt)
    assert sched.chainable
    for _ in range(3):
        sched.step()
    opt.param_groups[0]["lr"] = 5.0  # a hand change is forgotten by a jump
    sched.step(epoch)
    fresh_opt = _sgd(groups=2)
    fresh = make(fresh_opt)
    for _ in range(epoch):
        fresh.step()
    assert sched.get_last_lr() == fresh.get_last_lr() and sched.last_epoch == epoch
    sched.step()
    fresh.step()
    assert sched.get_last_lr() == fresh.get_last_lr()


def test_a_chainable_schedule_carries_on_from_an_lr_changed_by_hand():
    opt = _sgd(lr=0.1)
    sched = S.ExponentialLR(opt, gamma=0.5)
    sched.step()
    opt.param_groups[0]["lr"] = 1.0
    sched.step()
    assert sched.get_last_lr() == [0.5]
