"""Module system: registration, tree walks, modes, buffers, state_dict, repr, containers, meta."""

import numpy as np
import pytest

import autograd as ag
import nn


class Block(nn.Module):
    def __init__(self, in_features=3):
        super().__init__()
        self.fc = nn.Linear(in_features, 4)
        self.bn = nn.BatchNorm1d(4)
        self.scale = nn.Parameter(ag.ones(1))
        self.register_buffer("steps", ag.zeros(1))
        self.register_buffer("scratch", ag.zeros(2), persistent=False)
        self.note = "not registered"

    def forward(self, x):
        return self.bn(self.fc(x)).relu() * self.scale


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.ModuleList([Block(3), Block(4)])
        self.head = nn.Sequential(nn.Linear(4, 2), nn.Tanh())

    def forward(self, x):
        for block in self.layers:
            x = block(x)
        return self.head(x)


def test_parameter_is_a_leaf_that_requires_grad_and_shares_arrays():
    a = np.ones((2, 2), dtype=np.float32)
    p = nn.Parameter(a)
    assert p.requires_grad and p.is_leaf and isinstance(p, ag.Tensor)
    assert p.array is a
    t = ag.randn(3)
    assert nn.Parameter(t).array is t.array
    assert repr(nn.Parameter(ag.zeros(1))).startswith("Parameter containing:")
    assert not nn.Parameter(ag.zeros(1), requires_grad=False).requires_grad


def test_named_parameters_use_dotted_paths_in_registration_order():
    net = Net()
    names = [n for n, _ in net.named_parameters()]
    assert names == [
        "layers.0.scale",
        "layers.0.fc.weight",
        "layers.0.fc.bias",
        "layers.0.bn.weight",
        "layers.0.bn.bias",
        "layers.1.scale",
        "layers.1.fc.weight",
        "layers.1.fc.bias",
        "layers.1.bn.weight",
        "layers.1.bn.bias",
        "head.0.weight",
        "head.0.bias",
    ]
    assert len(list(net.parameters())) == 12
    mapping = {id(p): n for n, p in net.named_parameters()}
    assert mapping[id(net.head[0].weight)] == "head.0.weight"
    assert [n for n, _ in net.named_parameters(recurse=False)] == []
    assert [n for n, _ in net.layers[0].named_parameters(recurse=False)] == ["scale"]


def test_children_modules_and_named_modules():
    net = Net()
    assert [type(c).__name__ for c in net.children()] == ["ModuleList", "Sequential"]
    assert [n for n, _ in net.named_children()] == ["layers", "head"]
    names = [n for n, _ in net.named_modules()]
    assert names == [
        "",
        "layers",
        "layers.0",
        "layers.0.fc",
        "layers.0.bn",
        "layers.1",
        "layers.1.fc",
        "layers.1.bn",
        "head",
        "head.0",
        "head.1",
    ]
    assert len(list(net.modules())) == len(names)
    assert net.get_submodule("layers.1.bn") is net.layers[1].bn
    with pytest.raises(AttributeError, match="no submodule 'nope'"):
        net.get_submodule("layers.nope")


def test_shared_parameter_is_listed_once():
    a = nn.Linear(2, 2)
    b = nn.Linear(2, 2)
    b.weight = a.weight
    seq = nn.Sequential(a, b)
    assert len(list(seq.parameters())) == 3
    assert set(seq.state_dict()) == {"0.weight", "0.bias", "1.weight", "1.bias"}  # as PyTorch: both keys


def test_train_eval_propagate_to_every_module():
    net = Net()
    assert net.training
    assert net.eval() is net
    assert not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())
    with pytest.raises(ValueError, match="bool"):
        net.train("no")


def test_zero_grad_sets_to_none_or_zero():
    net = Net()
    net(ag.randn(5, 3)).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad(set_to_none=False)
    assert all(np.all(p.grad.array == 0) for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_buffers_and_state_dict_keys():
    block = Block()
    assert [n for n, _ in block.named_buffers()] == [
        "steps",
        "scratch",
        "bn.running_mean",
        "bn.running_var",
        "bn.num_batches_tracked",
    ]
    sd = block.state_dict()
    assert list(sd) == [
        "scale",
        "steps",
        "fc.weight",
        "fc.bias",
        "bn.weight",
        "bn.bias",
        "bn.running_mean",
        "bn.running_var",
        "bn.num_batches_tracked",
    ]
    assert "scratch" not in sd  # non-persistent
    assert not sd["fc.weight"].requires_grad
    assert sd["fc.weight"].array is block.fc.weight.array  # detached but shared, as PyTorch
    assert block.state_dict(keep_vars=True)["fc.weight"] is block.fc.weight
    assert sd["bn.num_batches_tracked"].dtype == np.int64 and sd["bn.num_batches_tracked"].shape == ()


def test_load_state_dict_copies_values_and_keeps_identity():
    ag.manual_seed(0)
    src, dst = Net(), Net()
    src(ag.randn(4, 3))  # moves BatchNorm running statistics
    weight = dst.head[0].weight
    result = dst.load_state_dict(src.state_dict())
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert dst.head[0].weight is weight
    for (k, a), (_, b) in zip(src.state_dict().items(), dst.state_dict().items()):
        np.testing.assert_array_equal(a.array, b.array, err_msg=k)
    x = ag.randn(4, 3)
    np.testing.assert_array_equal(src.eval()(x).array, dst.eval()(x).array)


def test_load_state_dict_reports_every_problem_at_once():
    net = nn.Sequential(nn.Linear(2, 3), nn.Linear(3, 1))
    sd = {k: v.array.copy() for k, v in net.state_dict().items()}
    del sd["0.bias"]
    sd["1.weight"] = np.zeros((3, 1), dtype=np.float32)
    sd["extra.weight"] = np.zeros(1, dtype=np.float32)
    before = net[1].weight.array.copy()
    with pytest.raises(RuntimeError) as info:
        net.load_state_dict(sd)
    msg = str(info.value)
    assert '"0.bias"' in msg and "Missing key(s)" in msg
    assert '"extra.weight"' in msg and "Unexpected key(s)" in msg
    assert "size mismatch for 1.weight" in msg and "(3, 1)" in msg and "(1, 3)" in msg
    np.testing.assert_array_equal(net[1].weight.array, before)  # nothing copied on error
    # strict=False tolerates missing/unexpected keys but never a shape mismatch
    with pytest.raises(RuntimeError, match="size mismatch for 1.weight"):
        net.load_state_dict(sd, strict=False)
    sd["1.weight"] = np.ones((1, 3), dtype=np.float32)
    result = net.load_state_dict(sd, strict=False)
    assert result.missing_keys == ["0.bias"] and result.unexpected_keys == ["extra.weight"]
    np.testing.assert_array_equal(net[1].weight.array, np.ones((1, 3)))


def test_load_state_dict_rejects_lossy_dtype():
    lin = nn.Linear(2, 1)
    sd = {"weight": np.ones((1, 2), dtype=np.float32), "bias": np.ones(1, dtype=np.float32)}
    lin.load_state_dict(sd)
    bn = nn.BatchNorm1d(2)
    sd = {k: v.array for k, v in bn.state_dict().items()}
    sd["num_batches_tracked"] = np.array(1.5)
    with pytest.raises(RuntimeError, match="dtype mismatch for num_batches_tracked"):
        bn.load_state_dict(sd)


def test_repr_is_a_tree_like_pytorch():
    net = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Sequential(nn.Dropout(0.1), nn.Linear(3, 1, bias=False)))
    assert repr(net) == (
        "Sequential(\n"
        "  (0): Linear(in_features=2, out_features=3, bias=True)\n"
        "  (1): ReLU()\n"
        "  (2): Sequential(\n"
        "    (0): Dropout(p=0.1)\n"
        "    (1): Linear(in_features=3, out_features=1, bias=False)\n"
        "  )\n"
        ")"
    )


def test_sequential_and_modulelist_behave_like_lists():
    seq = nn.Sequential(nn.Linear(2, 3), nn.ReLU())
    seq.append(nn.Linear(3, 1))
    assert len(seq) == 3 and isinstance(seq[-1], nn.Linear)
    assert isinstance(seq[1:], nn.Sequential) and [n for n, _ in seq[1:].named_children()] == ["1", "2"]
    assert seq(ag.randn(4, 2)).shape == (4, 1)
    with pytest.raises(IndexError, match="out of range"):
        seq[3]
    with pytest.raises(TypeError, match="nn.Module"):
        nn.Sequential(nn.Linear(1, 1), lambda x: x)
    ml = nn.ModuleList([nn.ReLU()])
    ml += [nn.Tanh()]
    ml.insert(0, nn.Sigmoid())
    assert [type(m).__name__ for m in ml] == ["Sigmoid", "ReLU", "Tanh"]
    assert [n for n, _ in ml.named_children()] == ["0", "1", "2"]
    ml[1] = nn.Identity()
    assert isinstance(ml[1], nn.Identity)
    with pytest.raises(NotImplementedError):
        ml(ag.zeros(1))


def test_assignment_rules():
    class Bad(nn.Module):
        def __init__(self):
            self.fc = nn.Linear(1, 1)

    with pytest.raises(AttributeError, match="super\\(\\).__init__\\(\\)"):
        Bad()

    class Listy(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = [nn.Linear(1, 1)]

    with pytest.raises(TypeError, match="ModuleList"):
        Listy()
    lin = nn.Linear(2, 2)
    with pytest.raises(TypeError, match="nn.Parameter or None expected"):
        lin.weight = ag.zeros(2, 2)
    lin.bias = None
    assert [n for n, _ in lin.named_parameters()] == ["weight"]
    del lin.weight
    assert list(lin.parameters()) == []
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        lin.nope
    with pytest.raises(KeyError, match="already exists"):
        lin.register_buffer("in_features", ag.zeros(1))


def test_module_records_its_name_on_the_output_node():
    net = Net()
    x = ag.randn(5, 3)
    h = net.layers[0].fc(x)
    assert h.grad_fn.meta == {"module": "layers.0.fc", "type": "Linear"}
    out = net(x)
    assert out.grad_fn.meta["module"] == "head.1"  # the innermost module that made it wins
    lone = nn.Linear(3, 1)
    assert lone(x).grad_fn.meta["module"] == "Linear"
    # a child attached later gets its full path
    outer = nn.Sequential()
    outer.append(nn.Sequential(nn.Linear(3, 2)))
    assert outer(x).grad_fn.meta["module"] == "0.0"


def test_slicing_keeps_the_dotted_names_of_the_sliced_modules():
    net = Net()
    tail = net.head[1:]
    assert [n for n, _ in tail.named_children()] == ["1"]
    assert tail(ag.randn(2, 2, requires_grad=True)).grad_fn.meta["module"] == "head.1"
    assert net.layers[:1][0] is net.layers[0]


def test_deepcopy_gives_an_independent_consistent_module():
    import copy

    net = Net()
    clone = copy.deepcopy(net)
    w = clone.head[0].weight
    assert w is clone.head[0]._parameters["weight"] and w is not net.head[0].weight
    np.testing.assert_array_equal(w.array, net.head[0].weight.array)
    w.array[...] = 0
    assert np.any(net.head[0].weight.array != 0)
    assert [n for n, _ in clone.named_parameters()] == [n for n, _ in net.named_parameters()]


def test_requires_grad_and_dtype_conversion():
    net = Net()
    net.requires_grad_(False)
    assert not any(p.requires_grad for p in net.parameters())
    net.requires_grad_(True)
    net.double()
    assert all(p.dtype == np.float64 for p in net.parameters())
    assert net.layers[0].bn.running_mean.dtype == np.float64
    assert net.layers[0].bn.num_batches_tracked.dtype == np.int64
    net.float()
    assert all(p.dtype == np.float32 for p in net.parameters())


def test_apply_visits_every_module():
    net = Net()
    seen = []
    net.apply(lambda m: seen.append(type(m).__name__))
    assert seen[-1] == "Net" and seen.count("Linear") == 3


def test_forward_not_implemented_names_the_class():
    class Empty(nn.Module):
        pass

    with pytest.raises(NotImplementedError, match="Empty has no forward"):
        Empty()(ag.zeros(1))


def test_moduledict_registers_and_behaves_like_a_dict():
    class Heads(nn.Module):
        def __init__(self):
            super().__init__()
            self.trunk = nn.Linear(3, 4)
            self.heads = nn.ModuleDict({"cls": nn.Linear(4, 2), "reg": nn.Linear(4, 1)})

        def forward(self, x, task):
            return self.heads[task](self.trunk(x).relu())

    net = Heads()
    assert [n for n, _ in net.named_parameters()] == [
        "trunk.weight",
        "trunk.bias",
        "heads.cls.weight",
        "heads.cls.bias",
        "heads.reg.weight",
        "heads.reg.bias",
    ]
    assert net(ag.randn(5, 3), "cls").shape == (5, 2)
    assert net.heads.cls is net.heads["cls"] and "reg" in net.heads and len(net.heads) == 2
    assert list(net.heads) == ["cls", "reg"] and list(net.heads.keys()) == ["cls", "reg"]
    out = net(ag.randn(5, 3), "reg")
    assert out.grad_fn.meta["module"] == "heads.reg"  # dotted names reach the drawing
    net.heads.update({"aux": nn.Linear(4, 3)})
    popped = net.heads.pop("cls")
    assert isinstance(popped, nn.Linear) and list(net.heads) == ["reg", "aux"]
    assert "heads.cls.weight" not in net.state_dict()
    with pytest.raises(KeyError, match=r"no module 'cls'; keys: \['reg', 'aux'\]"):
        net.heads["cls"]
    with pytest.raises(TypeError, match="nn.Module"):
        net.heads["f"] = lambda x: x
    with pytest.raises(KeyError, match="name of a method"):
        net.heads["keys"] = nn.ReLU()
    with pytest.raises(KeyError, match="without '.'"):
        net.heads["a.b"] = nn.ReLU()
    with pytest.raises(NotImplementedError):
        net.heads(ag.zeros(1))
    net.heads.clear()
    assert len(net.heads) == 0 and list(net.parameters()) == [net.trunk.weight, net.trunk.bias]


def test_parameterlist_and_parameterdict_register_and_train():
    class Mix(nn.Module):
        def __init__(self):
            super().__init__()
            self.ws = nn.ParameterList([ag.ones(3), np.full(3, 2.0, dtype=np.float32)])
            self.scales = nn.ParameterDict({"a": nn.Parameter(ag.ones(1))})

        def forward(self, x):
            for w in self.ws:
                x = x * w
            return x * self.scales["a"]

    m = Mix()
    assert all(isinstance(p, nn.Parameter) for p in m.parameters())
    assert [n for n, _ in m.named_parameters()] == ["ws.0", "ws.1", "scales.a"]
    assert m.ws[-1] is m.ws[1] and len(m.ws) == 2 and len(m.ws[:1]) == 1
    import optim

    opt = optim.SGD(m.parameters(), lr=0.1)
    m(ag.ones(3)).sum().backward()
    np.testing.assert_allclose(m.scales["a"].grad.array, [6.0])
    np.testing.assert_allclose(m.ws[0].grad.array, [2.0, 2.0, 2.0])
    opt.step()
    np.testing.assert_allclose(m.scales["a"].array, [0.4])
    m.ws.append(ag.zeros(3))
    m.scales["b"] = ag.zeros(2)
    assert sorted(m.state_dict()) == ["scales.a", "scales.b", "ws.0", "ws.1", "ws.2"]
    m.ws[0] = nn.Parameter(ag.full((3,), 5.0))
    np.testing.assert_allclose(m.state_dict()["ws.0"].array, 5.0)
    with pytest.raises(TypeError, match="nn.Parameter, a Tensor or an ndarray"):
        m.ws.append([1.0, 2.0])
    with pytest.raises(IndexError, match="out of range for 3 parameters"):
        m.ws[3]
    with pytest.raises(KeyError, match=r"no parameter 'c'"):
        m.scales["c"]
    assert m.scales.pop("b").shape == (2,) and list(m.scales) == ["a"]
    assert "Parameter of shape (3,)" in repr(m)


def test_plain_dicts_of_modules_or_parameters_are_refused():
    class Dicty(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = {"a": nn.Linear(1, 1)}

    with pytest.raises(TypeError, match="ModuleDict"):
        Dicty()

    class Listy(nn.Module):
        def __init__(self):
            super().__init__()
            self.ws = [nn.Parameter(ag.ones(1))]

    with pytest.raises(TypeError, match="ParameterList"):
        Listy()


def test_the_application_names_that_left_nn_say_where_they_went():
    import nn as nn_package

    for name, where in [("fit", "glassgrad.train"), ("DataLoader", "glassgrad.data"), ("training", "glassgrad.train")]:
        with pytest.raises(AttributeError, match=where):
            getattr(nn_package, name)
    with pytest.raises(AttributeError, match="no attribute"):
        nn_package.no_such_thing
