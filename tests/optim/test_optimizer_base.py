"""The Optimizer base: param groups, zero_grad, step(closure), and the errors for bad input."""

import numpy as np
import pytest

import autograd as ag
import optim

OPTIMIZERS = [optim.SGD, optim.Adagrad, optim.RMSprop, optim.Adam, optim.AdamW]


def _param(*shape, value=1.0):
    return ag.Tensor(np.full(shape, value), requires_grad=True)


def test_params_may_be_any_iterable_and_groups_take_the_defaults():
    a, b = _param(2), _param(3)
    opt = optim.SGD((p for p in [a, b]), lr=0.1, momentum=0.9)
    (group,) = opt.param_groups
    assert group["params"][0] is a and group["params"][1] is b
    assert group["lr"] == 0.1 and group["momentum"] == 0.9 and group["nesterov"] is False
    assert opt.defaults["lr"] == 0.1


def test_per_group_hyperparameters_override_the_defaults():
    a, b = _param(1), _param(1)
    opt = optim.SGD([{"params": [a]}, {"params": [b], "lr": 1.0}], lr=0.1)
    a.grad, b.grad = ag.Tensor(np.ones(1)), ag.Tensor(np.ones(1))
    opt.step()
    assert a.array[0] == pytest.approx(0.9) and b.array[0] == pytest.approx(0.0)
    assert [g["lr"] for g in opt.param_groups] == [0.1, 1.0]


def test_add_param_group():
    a, b = _param(1), _param(1)
    opt = optim.Adam([a], lr=0.1)
    opt.add_param_group({"params": b, "lr": 0.01})
    assert len(opt.param_groups) == 2 and opt.param_groups[1]["params"][0] is b
    assert opt.param_groups[1]["lr"] == 0.01 and opt.param_groups[1]["betas"] == (0.9, 0.999)


def test_named_parameters_keep_their_names():
    a, b = _param(1), _param(1)
    opt = optim.SGD([("layer.weight", a), ("layer.bias", b)], lr=0.1)
    assert opt.param_groups[0]["param_names"] == ["layer.weight", "layer.bias"]
    assert opt.param_groups[0]["params"][0] is a
    assert opt.state_dict()["param_groups"][0]["param_names"] == ["layer.weight", "layer.bias"]


def test_zero_grad_sets_to_none_by_default():
    a = _param(2)
    a.grad = ag.Tensor(np.ones(2))
    opt = optim.SGD([a], lr=0.1)
    opt.zero_grad()
    assert a.grad is None


def test_zero_grad_without_set_to_none_zeros_the_same_array():
    a, b = _param(2), _param(2)
    a.grad = ag.Tensor(np.ones(2))
    buf, version = a.grad.array, a.grad._version
    opt = optim.SGD([a, b], lr=0.1)
    opt.zero_grad(set_to_none=False)
    assert a.grad.array is buf and np.array_equal(buf, [0.0, 0.0]) and a.grad._version == version + 1
    assert b.grad is None
    # the next backward accumulates into the zeroed buffer
    (a * 3.0).sum().backward()
    assert a.grad.array is buf and np.array_equal(buf, [3.0, 3.0])


def test_step_with_closure_evaluates_the_loss_with_grad_enabled():
    x = ag.Tensor(np.array([3.0]), requires_grad=True)
    opt = optim.SGD([x], lr=0.25)
    calls = []

    def closure():
        calls.append(ag.is_grad_enabled())
        opt.zero_grad()
        loss = (x * x).sum()
        loss.backward()
        return loss

    with ag.no_grad():
        loss = opt.step(closure)
    assert calls == [True]
    assert loss.item() == 9.0
    assert x.array[0] == pytest.approx(3.0 - 0.25 * 6.0)


def test_step_without_closure_returns_none():
    a = _param(1)
    a.grad = ag.Tensor(np.ones(1))
    assert optim.Adam([a]).step() is None


def test_training_a_parameter_with_autograd():
    """The loop users write: zero_grad, forward, backward, step."""
    ag.manual_seed(0)
    w = ag.Tensor(np.zeros(3), requires_grad=True)
    target = ag.Tensor(np.array([1.0, -2.0, 0.5]))
    opt = optim.SGD([w], lr=0.1, momentum=0.5)
    for _ in range(100):
        opt.zero_grad()
        loss = ((w - target) ** 2).sum()
        loss.backward()
        opt.step()
    np.testing.assert_allclose(w.array, target.array, atol=1e-6)


def test_repr_lists_the_groups():
    text = repr(optim.SGD([_param(1)], lr=0.1))
    assert text.startswith("SGD (") and "Parameter Group 0" in text and "lr: 0.1" in text


# --- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize("cls", OPTIMIZERS)
def test_negative_lr_is_rejected(cls):
    with pytest.raises(ValueError, match=r"Invalid learning rate: -0\.1"):
        cls([_param(1)], lr=-0.1)


@pytest.mark.parametrize("cls", [optim.Adam, optim.AdamW])
@pytest.mark.parametrize("betas,index", [((1.0, 0.999), 0), ((-0.1, 0.999), 0), ((0.9, 1.0), 1), ((0.9, 1.5), 1)])
def test_betas_outside_zero_one_are_rejected(cls, betas, index):
    with pytest.raises(ValueError, match=rf"Invalid beta parameter at index {index}.*\[0, 1\)"):
        cls([_param(1)], betas=betas)


@pytest.mark.parametrize("options", [dict(momentum=0, nesterov=True), dict(momentum=0.9, dampening=0.1, nesterov=True)])
def test_nesterov_needs_momentum_and_no_dampening(options):
    with pytest.raises(ValueError, match="Nesterov momentum requires a momentum and zero dampening"):
        optim.SGD([_param(1)], lr=0.1, **options)


@pytest.mark.parametrize("cls", OPTIMIZERS)
def test_an_empty_parameter_list_is_rejected(cls):
    with pytest.raises(ValueError, match="optimizer got an empty parameter list"):
        cls([])
    with pytest.raises(ValueError, match="optimizer got an empty parameter list"):
        cls(iter([]))


def test_a_parameter_given_twice_in_one_group_is_rejected():
    a = _param(2)
    with pytest.raises(ValueError, match="appears twice"):
        optim.SGD([a, _param(1), a], lr=0.1)


def test_a_parameter_in_two_groups_is_rejected():
    a = _param(2)
    with pytest.raises(ValueError, match="more than one parameter group"):
        optim.SGD([{"params": [a]}, {"params": [_param(1), a]}], lr=0.1)
    opt = optim.SGD([a], lr=0.1)
    with pytest.raises(ValueError, match="more than one parameter group"):
        opt.add_param_group({"params": [a]})
    assert len(opt.param_groups) == 1


@pytest.mark.parametrize(
    "cls,options,message",
    [
        (optim.SGD, dict(momentum=-0.5), "Invalid momentum value: -0.5"),
        (optim.SGD, dict(weight_decay=-1), "Invalid weight_decay value: -1"),
        (optim.SGD, dict(l1=-1), "Invalid l1 value: -1"),
        (optim.Adagrad, dict(lr_decay=-1), "Invalid lr_decay value: -1"),
        (optim.Adagrad, dict(initial_accumulator_value=-1), "Invalid initial_accumulator_value value: -1"),
        (optim.RMSprop, dict(alpha=-0.1), "Invalid alpha value: -0.1"),
        (optim.RMSprop, dict(eps=-1e-8), "Invalid epsilon value: -1e-08"),
        (optim.Adam, dict(eps=-1.0), "Invalid epsilon value: -1.0"),
        (optim.AdamW, dict(weight_decay=-0.1), "Invalid weight_decay value: -0.1"),
    ],
)
def test_other_bad_hyperparameters_name_the_value(cls, options, message):
    with pytest.raises(ValueError, match=message):
        cls([_param(1)], **options)


def test_non_tensors_and_non_leaves_are_rejected():
    with pytest.raises(TypeError, match="can only optimize Tensors, but one of the params is ndarray"):
        optim.SGD([np.ones(2)], lr=0.1)
    with pytest.raises(TypeError, match="single Tensor"):
        optim.SGD(_param(2), lr=0.1)
    a = _param(2)
    with pytest.raises(ValueError, match="non-leaf"):
        optim.SGD([a * 2.0], lr=0.1)
    with pytest.raises(TypeError, match="floating point"):
        optim.SGD([ag.Tensor(np.arange(3))], lr=0.1)


def test_scratch_buffers_follow_a_parameter_whose_shape_changes():
    p = ag.tensor(np.ones((2, 3), dtype=np.float32), requires_grad=True)
    opt = optim.SGD([p], lr=0.5)
    p.grad = ag.tensor(np.ones((2, 3), dtype=np.float32))
    opt.step()
    np.testing.assert_array_equal(p.array, 0.5)
    with ag.no_grad():
        p.array = np.ones(5, dtype=np.float32)  # replaced by an array of another shape
    p.grad = ag.tensor(np.full(5, 2.0, dtype=np.float32))
    opt.step()
    np.testing.assert_array_equal(p.array, 0.0)


# --- the base owns the loop: a new optimizer writes only its rule ------------------------------


class SignDescent(optim.Optimizer):
    """θ ← θ − η·sign(∇), counting its steps: an optimizer written with the base's hooks only."""

    def __init__(self, params, lr=0.1, weight_decay=0.0):
        optim.optimizer.check(lr >= 0, f"Invalid learning rate: {lr}")
        super().__init__(params, {"lr": lr, "weight_decay": weight_decay})
        self.calls = []

    def init_state(self, p, group):
        self.calls.append(("init", p))
        return {"step": 0}

    def update(self, p, grad, state, group):
        self.calls.append(("update", p))
        state["step"] += 1
        (step,) = self.scratch(p)[: self.n_scratch]
        np.sign(grad, out=step)
        step *= -group["lr"]
        p.array += step


def test_a_subclass_writes_only_init_state_and_update():
    a, b, frozen = _param(2, value=1.0), _param(3, value=-1.0), _param(1)
    opt = SignDescent([{"params": [a, frozen]}, {"params": [b], "lr": 0.5}])
    for _ in range(2):
        a.grad, b.grad = ag.Tensor(np.full(2, 3.0)), ag.Tensor(np.full(3, -3.0))
        opt.step()
    # state is made once, at a parameter's first update; a parameter without grad is skipped
    assert opt.calls == [("init", a), ("update", a), ("init", b), ("update", b), ("update", a), ("update", b)]
    np.testing.assert_array_equal(a.array, 1.0 - 2 * 0.1)
    np.testing.assert_array_equal(b.array, -1.0 + 2 * 0.5)
    assert (a._version, b._version, frozen._version) == (2, 2, 0)
    assert opt.state[a] == {"step": 2} and not opt.state[frozen]
    assert opt.state_dict()["state"] == {0: {"step": 2}, 2: {"step": 2}}


def test_the_base_adds_weight_decay_and_l1_to_the_gradient_it_passes():
    """∇ = g + λ₂θ + λ₁sign(θ) in a scratch array; p.grad is left as the loss gradient."""
    seen = []

    class Probe(SignDescent):
        def update(self, p, grad, state, group):
            seen.append(grad.copy())
            super().update(p, grad, state, group)

    a = ag.Tensor(np.array([2.0, -4.0]), requires_grad=True)
    opt = Probe([a], lr=0.0, weight_decay=0.5)
    opt.param_groups[0]["l1"] = 0.25
    a.grad = ag.Tensor(np.array([1.0, 1.0]))
    opt.step()
    np.testing.assert_array_equal(seen[0], [1.0 + 1.0 + 0.25, 1.0 - 2.0 - 0.25])
    np.testing.assert_array_equal(a.grad.array, [1.0, 1.0])


def test_an_optimizer_without_an_update_rule_says_so():
    a = _param(1)
    a.grad = ag.Tensor(np.ones(1))
    with pytest.raises(NotImplementedError, match="must implement update"):
        optim.Optimizer([a], {"lr": 0.1}).step()


def test_adam_decouples_its_weight_decay_only_as_adamw():
    group = {"weight_decay": 0.1, "decoupled_weight_decay": True}
    assert optim.AdamW([_param(1)]).penalties(group) == (0.0, 0.0)
    assert optim.Adam([_param(1)]).penalties({**group, "decoupled_weight_decay": False}) == (0.1, 0.0)
