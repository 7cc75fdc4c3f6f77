"""Creation functions, dtypes and devices against PyTorch: signatures, dtype rules and values."""

import numpy as np
import pytest
import torch

import autograd as ag
import nn


def _same(ours, theirs):
    """Same dtype (by name) and the same values."""
    assert ours.dtype.name == str(theirs.dtype).removeprefix("torch."), (ours.dtype, theirs.dtype)
    assert ours.shape == tuple(theirs.shape)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


DTYPE_CASES = [
    ("tensor", lambda m: m.tensor([1, 2])),
    ("tensor-bool", lambda m: m.tensor([True, False])),
    ("tensor-float", lambda m: m.tensor([1.5, 2.0])),
    ("tensor-mixed", lambda m: m.tensor([1, 2.5])),
    ("tensor-0d-int", lambda m: m.tensor(3)),
    ("tensor-np-int32", lambda m: m.tensor(np.array([1, 2], dtype=np.int32))),
    ("tensor-np-float64", lambda m: m.tensor(np.array([0.1, 2.0]))),
    ("full-int", lambda m: m.full((2,), 3)),
    ("full-float", lambda m: m.full((2, 3), 0.5)),
    ("full-bool", lambda m: m.full((2,), True)),
    ("full-dtype", lambda m: m.full((2,), 3, dtype=m.float64)),
    ("zeros-varargs", lambda m: m.zeros(2, 3)),
    ("zeros-tuple", lambda m: m.zeros((2, 3), dtype=m.int64)),
    ("ones", lambda m: m.ones([3], dtype=m.bool)),
    ("eye", lambda m: m.eye(3, 2)),
    ("empty", lambda m: m.empty(2, 3).zero_() if m is torch else m.empty(2, 3)),
    (
        "empty_like",
        lambda m: (
            m.empty_like(m.ones(2, dtype=m.int32)).zero_() if m is torch else m.empty_like(m.ones(2, dtype=m.int32))
        ),
    ),
    ("full_like", lambda m: m.full_like(m.ones(2, 2), 7)),
    ("full_like-int", lambda m: m.full_like(m.tensor([1, 2]), 7.9)),
    ("zeros_like", lambda m: m.zeros_like(m.tensor([1, 2]), dtype=m.float16)),
    ("arange-int", lambda m: m.arange(5)),
    ("arange-start-step", lambda m: m.arange(2, 11, 3)),
    ("arange-negative", lambda m: m.arange(5, -3, -2)),
    ("arange-float-end", lambda m: m.arange(5.0)),
    ("arange-float-step", lambda m: m.arange(0, 1, 0.1)),
    ("arange-drift", lambda m: m.arange(1, 1.3, 0.1)),
    ("arange-float64", lambda m: m.arange(0, 1, 0.1, dtype=m.float64)),
    ("arange-int-dtype", lambda m: m.arange(0, 4, dtype=m.float32)),
    ("linspace", lambda m: m.linspace(0, 1, 7)),
    ("linspace-one", lambda m: m.linspace(2, 5, 1)),
    ("linspace-float64", lambda m: m.linspace(-1, 1, 9, dtype=m.float64)),
    ("logspace", lambda m: m.logspace(0, 3, 4, dtype=m.float64)),
    ("logspace-base", lambda m: m.logspace(-1, 2, 7, base=2.0, dtype=m.float64)),
]


@pytest.mark.parametrize("make", [c[1] for c in DTYPE_CASES], ids=[c[0] for c in DTYPE_CASES])
def test_creation_matches_torch(make):
    _same(make(ag), make(torch))


RANGES = [
    ("arange", (-0.7, 2.9, 0.013)),
    ("arange", (0.5, 100.3, 0.37)),
    ("arange", (3, -2.5, -0.05)),
    ("linspace", (-3.3, 17.1, 101)),
    ("linspace", (0.1, 5.7, 1000)),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name, args", RANGES)
def test_long_ranges_match_torch_to_rounding(name, args, dtype):
    # NOTE: PyTorch's vectorized kernels compute a lane from the lane-block's first entry
    # (base + k·step), so its last bits depend on the CPU's vector width; ours rounds
    # start + i·step once. Lengths and dtypes are equal; entries agree to a few roundings of the
    # largest magnitude in the range.
    ours = getattr(ag, name)(*args, dtype=getattr(ag, dtype))
    theirs = getattr(torch, name)(*args, dtype=getattr(torch, dtype))
    assert ours.shape == tuple(theirs.shape) and ours.dtype.name == dtype
    scale = max(abs(args[0]), abs(args[1]))
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=0, atol=4 * np.finfo(dtype).eps * scale)


def test_logspace_float32_close_to_torch():
    ours, theirs = ag.logspace(0, 3, 10), torch.logspace(0, 3, 10)
    assert ours.dtype == ag.float32
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)


@pytest.mark.parametrize("name", ["randn", "rand"])
def test_random_signatures_and_dtypes(name):
    fn = getattr(ag, name)
    g = np.random.default_rng(0)
    a = fn(2, 3, generator=g, device="cpu")
    b = fn((2, 3), dtype=ag.float64, requires_grad=True)
    assert a.shape == b.shape == (2, 3) and a.dtype == ag.float32 and b.dtype == ag.float64 and b.requires_grad
    like = getattr(ag, name + "_like")(b, generator=np.random.default_rng(1))
    assert like.shape == (2, 3) and like.dtype == ag.float64
    again = getattr(ag, name + "_like")(b, generator=np.random.default_rng(1))
    np.testing.assert_array_equal(like.numpy(), again.numpy())


def test_randint_and_randperm():
    g = np.random.default_rng(0)
    a = ag.randint(10, (200,), generator=g)
    b = ag.randint(3, 7, (4, 5), generator=g)
    assert a.dtype == ag.int64 and a.shape == (200,) and 0 <= a.numpy().min() and a.numpy().max() < 10
    assert b.shape == (4, 5) and b.numpy().min() >= 3 and b.numpy().max() < 7
    assert ag.randint(0, 2, (3,), dtype=ag.float32).dtype == ag.float32
    like = ag.randint_like(ag.zeros(2, 2), 5)
    assert like.dtype == ag.float32 and like.numpy().max() < 5
    p = ag.randperm(50, generator=g)
    assert p.dtype == ag.int64 and sorted(p.tolist()) == list(range(50))
    with pytest.raises(TypeError, match="size"):
        ag.randint(10)


def test_dtype_names_and_aliases_match_torch():
    pairs = {
        "float32": "float32", "float64": "float64", "float16": "float16", "int32": "int32", "int64": "int64",
        "bool": "bool", "float": "float32", "double": "float64", "long": "int64", "half": "float16",
        "int": "int32", "short": "int16", "uint8": "uint8", "int8": "int8", "int16": "int16",
    }  # fmt: skip
    for name, numpy_name in pairs.items():
        assert np.dtype(getattr(ag, name)).name == numpy_name == str(getattr(torch, name)).removeprefix("torch.")
        assert ag.zeros(2, dtype=getattr(ag, name)).dtype == getattr(ag, name)
    assert ag.tensor([1.0]).dtype == ag.float and ag.tensor([1]).dtype == ag.long
    assert ag.tensor([1]).dtype != ag.float
    star = {}
    exec("from autograd import *", star)
    assert "float" not in star and "bool" not in star and "int" not in star  # the builtins stay


@pytest.mark.parametrize("method", ["float", "double", "long", "int", "bool", "half", "short", "byte", "char"])
def test_cast_methods_match_torch(method):
    values = [[-1.5, 0.0, 2.7], [3.0, 255.0, -0.2]]
    _same(getattr(ag.tensor(values), method)(), getattr(torch.tensor(values), method)())


def test_to_forms():
    x = ag.tensor([1, 2])
    assert x.to(ag.float64).dtype == ag.float64
    assert x.to("cpu") is x and x.to(ag.device("cpu")) is x and x.cpu() is x
    assert x.to("cpu", ag.float32).dtype == ag.float32
    assert x.to(dtype=ag.float16, device="cpu").dtype == ag.float16
    assert x.to(ag.ones(1, dtype=ag.float64)).dtype == ag.float64
    assert x.to(ag.float64, copy=True) is not x and x.to(ag.int64, copy=True) is not x
    assert x.type(ag.float32).dtype == ag.float32
    assert [t.type() for t in (ag.tensor([1.0]), x, ag.tensor([True]))] == [
        torch.tensor([1.0]).type(),
        torch.tensor([1]).type(),
        torch.tensor([True]).type(),
    ]
    w = ag.ones(2, requires_grad=True)
    w.to("cpu", ag.float64).sum().backward()
    assert w.grad.dtype == ag.float32 and w.grad.tolist() == [1.0, 1.0]


def test_tensor_attributes_match_torch():
    for values in ([[1.0, 2.0, 3.0]], [[1, 2], [3, 4]], [True]):
        ours, theirs = ag.tensor(values), torch.tensor(values)
        assert ours.is_floating_point() == theirs.is_floating_point()
        assert ours.element_size() == theirs.element_size()
        assert ours.numel() == theirs.numel() and ours.dim() == theirs.dim() and ours.tolist() == theirs.tolist()
        for d in range(-ours.dim(), ours.dim()):
            assert ours.size(d) == theirs.size(d)
    with pytest.raises(IndexError, match="out of range"):
        ag.zeros(2, 3).size(2)


def test_new_factories_match_torch():
    for base in ([1.0, 2.0], [1, 2]):
        ours, theirs = (
            ag.tensor(base, dtype=ag.float64 if isinstance(base[0], float) else None),
            torch.tensor(base, dtype=torch.float64 if isinstance(base[0], float) else None),
        )
        _same(ours.new_zeros(2, 3), theirs.new_zeros(2, 3))
        _same(ours.new_ones((3,)), theirs.new_ones((3,)))
        _same(ours.new_full((2,), 7), theirs.new_full((2,), 7))
        _same(ours.new_tensor([5, 6]), theirs.new_tensor([5, 6]))
        _same(ours.new_zeros(2, dtype=ag.bool), theirs.new_zeros(2, dtype=torch.bool))
        assert ours.new_empty(2, 2).shape == (2, 2)
    assert ag.zeros(1).new_ones(2, requires_grad=True).requires_grad


def test_norm_method_matches_torch():
    values = np.random.default_rng(0).standard_normal((3, 4))
    ours, theirs = ag.tensor(values), torch.tensor(values)
    for p, dim, keepdim in [(2, None, False), (1, 1, True), (3, -1, False), (float("inf"), 0, False)]:
        np.testing.assert_allclose(ours.norm(p, dim, keepdim).numpy(), theirs.norm(p, dim, keepdim).numpy())


def test_device():
    d = ag.device("cpu")
    assert repr(d) == repr(torch.device("cpu")) == "device(type='cpu')" and str(d) == "cpu"
    assert d.type == "cpu" and d == "cpu" and d == ag.device(d) and d != "cuda" and ag.zeros(1).device == d
    assert not ag.zeros(1).is_cuda
    factories = [
        lambda **k: ag.tensor([1.0], **k), lambda **k: ag.Tensor([1.0], **k), lambda **k: ag.zeros(2, **k),
        lambda **k: ag.ones(2, **k), lambda **k: ag.full((2,), 1.0, **k), lambda **k: ag.empty(2, **k),
        lambda **k: ag.eye(2, **k), lambda **k: ag.arange(3, **k), lambda **k: ag.linspace(0, 1, 3, **k),
        lambda **k: ag.logspace(0, 1, 3, **k), lambda **k: ag.randn(2, **k), lambda **k: ag.rand(2, **k),
        lambda **k: ag.randint(3, (2,), **k), lambda **k: ag.randperm(3, **k),
        lambda **k: ag.zeros_like(ag.ones(2), **k), lambda **k: ag.ones_like(ag.ones(2), **k),
        lambda **k: ag.full_like(ag.ones(2), 2, **k), lambda **k: ag.empty_like(ag.ones(2), **k),
        lambda **k: ag.randn_like(ag.ones(2), **k), lambda **k: ag.rand_like(ag.ones(2), **k),
        lambda **k: ag.ones(2).new_zeros(2, **k),
    ]  # fmt: skip
    for make in factories:
        assert make(device="cpu").device == "cpu" and make(device=ag.device("cpu")).device == "cpu"
        for other in ("cuda", "cuda:0", "mps"):
            with pytest.raises(RuntimeError, match=rf"'{other}'.*only device"):
                make(device=other)
    for other in ("cuda", "mps"):
        with pytest.raises(RuntimeError, match=rf"'{other}'.*CPU"):
            ag.ones(2).to(other)
    with pytest.raises(RuntimeError, match="'cuda'.*CPU"):
        ag.ones(2).cuda()


LAYERS = [
    lambda **k: nn.Linear(2, 3, **k),
    lambda **k: nn.Conv2d(1, 2, 3, **k),
    lambda **k: nn.BatchNorm1d(3, **k),
    lambda **k: nn.LayerNorm(3, **k),
    lambda **k: nn.Embedding(5, 2, **k),
    lambda **k: nn.LSTM(2, 3, **k),
    lambda **k: nn.GRUCell(2, 3, **k),
    lambda **k: nn.MultiheadAttention(4, 2, **k),
    lambda **k: nn.TransformerEncoderLayer(4, 2, 8, **k),
    lambda **k: nn.PReLU(**k),
]


@pytest.mark.parametrize("make", LAYERS)
def test_layers_take_device(make):
    m = make(device="cpu", dtype=ag.float64)
    assert all(p.dtype == ag.float64 for p in m.parameters())
    assert m.to("cpu") is m and m.cpu() is m and m.to(ag.device("cpu")) is m
    assert all(p.dtype == ag.float32 for p in m.to("cpu", ag.float32).parameters())
    assert all(p.dtype == ag.float64 for p in m.to(dtype=ag.float64).parameters())
    assert all(p.dtype == ag.float32 for p in m.to(ag.zeros(1)).parameters())
    with pytest.raises(RuntimeError, match="'cuda'.*CPU"):
        make(device="cuda")
    with pytest.raises(RuntimeError, match="'mps'.*CPU"):
        m.to("mps")


def test_repr_names_the_dtype_where_pytorch_does():
    assert repr(ag.tensor([1, 2])) == repr(torch.tensor([1, 2])) == "tensor([1, 2])"
    assert repr(ag.tensor([1.0, 2.0])) == "tensor([1., 2.])"
    assert "dtype" not in repr(ag.tensor([True, False]))
    assert repr(ag.tensor([1, 2], dtype=ag.int32)).endswith("dtype=int32)")
    assert repr(ag.tensor([1.0], dtype=ag.float64)).endswith("dtype=float64)")


def test_finfo_and_iinfo():
    assert ag.finfo(ag.float32).eps == torch.finfo(torch.float32).eps
    assert ag.finfo(ag.float16).max == torch.finfo(torch.float16).max
    assert ag.iinfo(ag.int32).min == torch.iinfo(torch.int32).min


def test_a_0d_tensor_formats_as_its_number():
    assert f"{ag.tensor(1.23456):.3f}" == f"{torch.tensor(1.23456):.3f}" == "1.235"
    assert f"{ag.tensor(7):>4}" == f"{torch.tensor(7):>4}"
    with pytest.raises(TypeError):
        f"{ag.ones(2):.3f}"


def test_from_numpy_shares_memory_and_small_functions():
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    t = ag.from_numpy(a)
    a[0, 0] = 9.0
    assert t.dtype == ag.float32 and t[0, 0].item() == 9.0 == torch.from_numpy(a)[0, 0].item()
    t.array[1, 2] = -1.0
    assert a[1, 2] == -1.0
    with pytest.raises(TypeError, match="ndarray"):
        ag.from_numpy([1, 2])
    assert (
        ag.is_tensor(t) and not ag.is_tensor(a) and ag.is_floating_point(t) and not ag.is_floating_point(ag.tensor([1]))
    )
    assert ag.numel(t) == torch.numel(torch.from_numpy(a)) == 6


def test_a_generator_is_seeded_like_pytorchs_and_drawn_from_everywhere():
    g = ag.Generator().manual_seed(42)
    assert g.initial_seed() == 42
    a = ag.randn(3, generator=g)
    other = ag.Generator()
    assert other.manual_seed(42) is other
    np.testing.assert_array_equal(a.numpy(), ag.randn(3, generator=other).numpy())
    w1 = nn.Linear(2, 3, generator=ag.Generator().manual_seed(0)).weight.numpy()
    w2 = nn.Linear(2, 3, generator=ag.Generator().manual_seed(0)).weight.numpy()
    np.testing.assert_array_equal(w1, w2)
    assert sorted(ag.randperm(5, generator=g).tolist()) == [0, 1, 2, 3, 4]
    with pytest.raises(RuntimeError, match="cuda"):
        ag.Generator("cuda")


def test_multinomial_draws_by_the_weights():
    g = ag.Generator().manual_seed(0)
    weights = ag.tensor([[0.0, 1.0, 3.0], [5.0, 0.0, 0.0]])
    draws = ag.multinomial(weights, 4000, replacement=True, generator=g)
    assert draws.shape == (2, 4000) and draws.dtype == np.int64
    counts = np.bincount(draws.numpy()[0], minlength=3) / 4000
    assert counts[0] == 0 and abs(counts[2] - 0.75) < 0.03  # 3 of every 4, within 4 standard errors
    assert set(draws.numpy()[1].tolist()) == {0}
    once = ag.multinomial(ag.tensor([1.0, 1.0, 1.0, 1.0]), 4, generator=g)
    assert sorted(once.tolist()) == [0, 1, 2, 3]  # without replacement: each index once
    with pytest.raises(ValueError, match="without replacement"):
        ag.multinomial(weights, 3)
    with pytest.raises(ValueError, match="non-negative"):
        ag.multinomial(ag.tensor([1.0, -1.0]), 1)


def test_bernoulli_and_normal():
    g = ag.Generator().manual_seed(1)
    p = ag.full((20000,), 0.3)
    b = ag.bernoulli(p, generator=g)
    assert b.dtype == np.float32 and set(np.unique(b.numpy())) <= {0.0, 1.0}
    assert abs(float(b.mean()) - 0.3) < 0.015
    n = ag.normal(2.0, 0.5, (20000,), generator=g)
    assert n.dtype == np.float32 and abs(float(n.mean()) - 2.0) < 0.02 and abs(float(n.std()) - 0.5) < 0.02
    m = ag.normal(ag.zeros(3, dtype=ag.float64), ag.tensor([1.0, 2.0, 3.0], dtype=ag.float64), generator=g)
    assert m.shape == (3,) and m.dtype == np.float64
