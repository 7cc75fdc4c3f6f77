"""state_dict: layout, plain values, bit-exact resume, and errors on a mismatched load."""

import json

import numpy as np
import pytest

import autograd as ag
import optim
from optim import lr_scheduler

CASES = [
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.1)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.2, l1=0.01)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.05, weight_decay=0.1)),
    ("RMSprop", dict(lr=0.01, momentum=0.9, centered=True)),
    ("Adam", dict(lr=0.01, amsgrad=True, weight_decay=0.1)),
    ("AdamW", dict(lr=0.01, betas=(0.8, 0.99))),
]
IDS = [name for name, _ in CASES]


def _setup(name, options, problem, dtype=np.float64):
    W = ag.Tensor(problem.W0.astype(dtype), requires_grad=True)
    b = ag.Tensor(problem.b0.astype(dtype), requires_grad=True)
    frozen = ag.Tensor(np.zeros(2, dtype=dtype), requires_grad=True)  # never gets a gradient
    opt = getattr(optim, name)([{"params": [W, frozen]}, {"params": [b], "lr": 0.02}], **options)
    return W, b, frozen, opt


def _train(problem, W, b, opt, steps, scheduler=None):
    for _ in range(steps):
        gW, gb = problem.grads(W.array, b.array)
        W.grad, b.grad = ag.Tensor(gW), ag.Tensor(gb)
        opt.step()
        if scheduler is not None:
            scheduler.step()


@pytest.mark.parametrize("name,options", CASES, ids=IDS)
def test_resume_from_state_dict_is_bit_exact(name, options, problem):
    W, b, _, opt = _setup(name, options, problem)
    _train(problem, W, b, opt, 20)

    W1, b1, _, opt1 = _setup(name, options, problem)
    _train(problem, W1, b1, opt1, 10)
    saved = opt1.state_dict()
    W2 = ag.Tensor(W1.array.copy(), requires_grad=True)
    b2 = ag.Tensor(b1.array.copy(), requires_grad=True)
    opt2 = getattr(optim, name)(
        [{"params": [W2, ag.Tensor(np.zeros(2), requires_grad=True)]}, {"params": [b2]}], lr=123.0
    )
    opt2.load_state_dict(saved)
    assert opt2.param_groups[1]["lr"] == 0.02  # hyperparameters come from the state_dict
    _train(problem, W2, b2, opt2, 10)
    assert np.array_equal(W2.array, W.array) and np.array_equal(b2.array, b.array)


@pytest.mark.parametrize("name,options", CASES, ids=IDS)
def test_layout_is_pytorchs_with_plain_values(name, options, problem):
    W, b, frozen, opt = _setup(name, options, problem)
    _train(problem, W, b, opt, 3)
    sd = opt.state_dict()
    assert set(sd) == {"state", "param_groups"}
    assert [g["params"] for g in sd["param_groups"]] == [[0, 1], [2]]
    assert sd["param_groups"][1]["lr"] == 0.02
    assert set(sd["state"]) == {0, 2}  # the frozen parameter (index 1) has no state
    for index, entry in sd["state"].items():
        shape = (W if index == 0 else b).shape
        for key, value in entry.items():
            if isinstance(value, np.ndarray):
                assert value.shape == shape, key
            else:
                assert type(value) in (int, float), f"{key} is a {type(value).__name__}"
    # everything but the arrays is JSON (nn.save keeps it as safetensors metadata)
    json.dumps(sd["param_groups"])


def test_state_dict_is_a_snapshot(problem):
    W, b, _, opt = _setup("Adam", {}, problem)
    _train(problem, W, b, opt, 2)
    sd = opt.state_dict()
    before = sd["state"][0]["exp_avg"].copy()
    _train(problem, W, b, opt, 2)
    assert np.array_equal(sd["state"][0]["exp_avg"], before) and sd["state"][0]["step"] == 2


def test_load_state_dict_copies_the_arrays(problem):
    W, b, _, opt = _setup("Adam", {}, problem)
    _train(problem, W, b, opt, 2)
    sd = opt.state_dict()
    W2, b2, _, opt2 = _setup("Adam", {}, problem)
    opt2.load_state_dict(sd)
    _train(problem, W2, b2, opt2, 1)
    assert sd["state"][0]["step"] == 2 and opt2.state[W2]["step"] == 3
    assert not np.shares_memory(opt2.state[W2]["exp_avg"], sd["state"][0]["exp_avg"])


def test_round_trip_through_safetensors_and_json(problem, tmp_path):
    """What nn.save will do: arrays to safetensors, the rest to JSON; no pickle anywhere."""
    st = pytest.importorskip("safetensors.numpy")
    W, b, _, opt = _setup("Adam", dict(lr=0.01, amsgrad=True), problem)
    _train(problem, W, b, opt, 5)
    sd = opt.state_dict()
    arrays = {f"{i}.{k}": v for i, entry in sd["state"].items() for k, v in entry.items() if isinstance(v, np.ndarray)}
    numbers = {
        f"{i}.{k}": v for i, entry in sd["state"].items() for k, v in entry.items() if not isinstance(v, np.ndarray)
    }
    st.save_file(arrays, tmp_path / "opt.safetensors", metadata={"rest": json.dumps([numbers, sd["param_groups"]])})

    loaded_arrays = st.load_file(tmp_path / "opt.safetensors")
    from safetensors import safe_open

    with safe_open(tmp_path / "opt.safetensors", framework="numpy") as f:
        loaded_numbers, groups = json.loads(f.metadata()["rest"])
    state = {}
    for key, value in list(loaded_arrays.items()) + list(loaded_numbers.items()):
        i, name = key.split(".", 1)
        state.setdefault(int(i), {})[name] = value
    W2 = ag.Tensor(W.array.copy(), requires_grad=True)
    b2 = ag.Tensor(b.array.copy(), requires_grad=True)
    opt2 = optim.Adam([{"params": [W2, ag.Tensor(np.zeros(2), requires_grad=True)]}, {"params": [b2]}])
    opt2.load_state_dict({"state": state, "param_groups": groups})
    assert opt2.param_groups[0]["betas"] == (0.9, 0.999)  # a JSON list comes back as the tuple
    _train(problem, W, b, opt, 5)
    _train(problem, W2, b2, opt2, 5)
    assert np.array_equal(W2.array, W.array) and np.array_equal(b2.array, b.array)


def test_a_float64_checkpoint_loads_as_float32_state(problem):
    W, b, _, opt = _setup("Adam", {}, problem)
    _train(problem, W, b, opt, 2)
    W32, b32, _, opt32 = _setup("Adam", {}, problem, dtype=np.float32)
    opt32.load_state_dict(opt.state_dict())
    assert opt32.state[W32]["exp_avg"].dtype == np.float32 and isinstance(opt32.state[W32]["step"], int)


def test_mismatched_groups_are_rejected(problem):
    W, b, _, opt = _setup("SGD", dict(momentum=0.9), problem)
    _train(problem, W, b, opt, 1)
    other = optim.SGD([ag.Tensor(np.zeros((5, 3)), requires_grad=True)], momentum=0.9)
    with pytest.raises(ValueError, match="2 parameter groups, this optimizer has 1"):
        other.load_state_dict(opt.state_dict())


def test_mismatched_parameter_counts_are_rejected(problem):
    W, b, _, opt = _setup("SGD", dict(momentum=0.9), problem)
    other = optim.SGD([{"params": [ag.Tensor(np.zeros((5, 3)), requires_grad=True)]}, {"params": [b]}])
    with pytest.raises(ValueError, match="parameter group 0 has 2 parameters in the state_dict and 1"):
        other.load_state_dict(opt.state_dict())


def test_mismatched_shapes_are_all_listed(problem):
    W, b, _, opt = _setup("Adam", {}, problem)
    _train(problem, W, b, opt, 1)
    wrong = [ag.Tensor(np.zeros(s), requires_grad=True) for s in [(3, 5), (2,), (4,)]]
    other = optim.Adam([{"params": wrong[:2]}, {"params": wrong[2:]}])
    with pytest.raises(ValueError) as info:
        other.load_state_dict(opt.state_dict())
    message = str(info.value)
    assert "state[0]['exp_avg'] has shape (5, 3), its parameter has shape (3, 5)" in message
    assert "state[2]['exp_avg_sq'] has shape (3,), its parameter has shape (4,)" in message
    assert not other.state[wrong[0]], "a failed load leaves the optimizer as it was"


@pytest.mark.parametrize("scheduler_first", [True, False], ids=["pytorch-order", "scheduler-after-load"])
def test_scheduler_and_optimizer_resume_together(problem, scheduler_first):
    """Warmup + cosine: 30 steps, save both, load into fresh ones, 30 more == 60 straight."""

    def make(opt):
        warmup = lr_scheduler.LinearLR(opt, start_factor=0.1, total_iters=10)
        cosine = lr_scheduler.CosineAnnealingLR(opt, T_max=50)
        return lr_scheduler.SequentialLR(opt, [warmup, cosine], milestones=[10])

    W, b, _, opt = _setup("SGD", dict(lr=0.1, momentum=0.9), problem)
    sched = make(opt)
    _train(problem, W, b, opt, 60, sched)

    W1, b1, _, opt1 = _setup("SGD", dict(lr=0.1, momentum=0.9), problem)
    sched1 = make(opt1)
    _train(problem, W1, b1, opt1, 30, sched1)
    saved_opt, saved_sched = opt1.state_dict(), json.loads(json.dumps(sched1.state_dict()))

    W2 = ag.Tensor(W1.array.copy(), requires_grad=True)
    b2 = ag.Tensor(b1.array.copy(), requires_grad=True)
    opt2 = optim.SGD([{"params": [W2, ag.Tensor(np.zeros(2), requires_grad=True)]}, {"params": [b2]}])
    if scheduler_first:
        sched2 = make(opt2)
        opt2.load_state_dict(saved_opt)
    else:
        opt2.load_state_dict(saved_opt)
        sched2 = make(opt2)  # its constructor rewrites the groups' lr...
    sched2.load_state_dict(saved_sched)  # ...and loading puts them back
    assert [g["lr"] for g in opt2.param_groups] == [g["lr"] for g in opt1.param_groups]
    assert sched2.get_last_lr() == sched1.get_last_lr()
    _train(problem, W2, b2, opt2, 30, sched2)
    assert sched2.get_last_lr() == sched.get_last_lr()
    assert np.array_equal(W2.array, W.array) and np.array_equal(b2.array, b.array)
