"""Optimizers and schedules refuse what PyTorch refuses, in every group and every state_dict."""

import numpy as np
import pytest

import autograd as ag
import optim


def _params():
    return [ag.zeros(3, requires_grad=True)]


@pytest.mark.parametrize(
    "make",
    [
        lambda ps: optim.SGD([{"params": ps, "lr": -0.5}], lr=0.1),
        lambda ps: optim.Adam([{"params": ps, "betas": (1.5, 0.9)}]),
        lambda ps: optim.RMSprop([{"params": ps, "alpha": -1.0}]),
        lambda ps: optim.SGD([{"params": ps, "weight_decay": -1e-4}], lr=0.1),
    ],
    ids=["group-lr", "group-betas", "group-alpha", "group-weight-decay"],
)
def test_per_group_hyperparameters_are_checked(make):
    with pytest.raises(ValueError, match="Invalid"):
        make(_params())


def test_add_param_group_checks_its_values():
    opt = optim.SGD(_params(), lr=0.1)
    with pytest.raises(ValueError, match="Invalid lr"):
        opt.add_param_group({"params": _params(), "lr": -1.0})


def test_loading_another_optimizers_state_is_refused():
    ps = _params()
    sgd = optim.SGD(ps, lr=0.1, momentum=0.9)
    ps[0].grad = ag.ones(3)
    sgd.step()
    adam = optim.Adam(ps)
    with pytest.raises(ValueError, match="another optimizer"):
        adam.load_state_dict(sgd.state_dict())


def test_a_state_dict_with_bad_hyperparameters_is_refused():
    opt = optim.SGD(_params(), lr=0.1)
    state = opt.state_dict()
    state["param_groups"][0]["lr"] = -2.0
    with pytest.raises(ValueError, match="Invalid lr"):
        opt.load_state_dict(state)
    assert opt.param_groups[0]["lr"] == 0.1


def test_a_scheduler_refuses_another_schedulers_state():
    opt = optim.SGD(_params(), lr=0.1)
    step = optim.lr_scheduler.StepLR(opt, step_size=2)
    cosine = optim.lr_scheduler.CosineAnnealingLR(optim.SGD(_params(), lr=0.1), T_max=5)
    with pytest.raises(ValueError, match="another kind of scheduler"):
        step.load_state_dict(cosine.state_dict())


@pytest.mark.parametrize(
    "clip", [lambda ps: optim.clip_grad_norm_(ps, -1.0), lambda ps: optim.clip_grad_value_(ps, -1.0)]
)
def test_clipping_bounds_must_not_be_negative(clip):
    ps = _params()
    ps[0].grad = ag.tensor(np.array([1.0, -2.0, 3.0], dtype=np.float32))
    with pytest.raises(ValueError, match=">= 0"):
        clip(ps)
    np.testing.assert_array_equal(ps[0].grad.array, [1.0, -2.0, 3.0])
