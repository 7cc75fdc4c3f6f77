"""PyTorch's type promotion in + − * / and comparisons: every pair of operand kinds, against torch."""

import itertools
import operator

import numpy as np
import pytest
import torch

import autograd as ag
from autograd.promotion import promote_types, result_type

DTYPES = ["float16", "float32", "float64", "int32", "int64", "bool"]
VALUES = {"f": [-2.75, 0.0, 1.5, 3.0], "i": [-3, 0, 2, 7], "b": [True, False, True, True]}
SCALAR_VALUES = {"f": 1.25, "i": 3, "b": True}
NUMBERS = [3, -2, 2.5, -0.75, 1e-3, True, False]


def _tensor_operands():
    """(id, glassgrad tensor, torch tensor) for each dtype, 0-d and with dims."""
    out = []
    for name, nd in itertools.product(DTYPES, (False, True)):
        kind = np.dtype(name).kind
        values = VALUES[kind] if nd else SCALAR_VALUES[kind]
        out.append((f"{name}{'[4]' if nd else '-0d'}", values, name))
    return out


TENSORS = _tensor_operands()
OPERANDS = [(i, ("tensor", v, d)) for i, v, d in TENSORS] + [(repr(n), ("number", n, None)) for n in NUMBERS]
PAIRS = [(a, b) for a, b in itertools.product(OPERANDS, repeat=2) if "tensor" in (a[1][0], b[1][0])]
OPS = {
    "add": operator.add,
    "sub": operator.sub,
    "mul": operator.mul,
    "truediv": operator.truediv,
    "lt": operator.lt,
    "le": operator.le,
    "gt": operator.gt,
    "ge": operator.ge,
    "eq": operator.eq,
    "ne": operator.ne,
}


def _make(lib, operand):
    what, value, dtype = operand
    if what == "number":
        return value
    return lib.tensor(value, dtype=getattr(lib, dtype))


def _check_same(op, a, b):
    """``op`` on glassgrad and on torch: the same dtype and values, or both refuse."""
    try:
        expected = op(_make(torch, a), _make(torch, b))
    except (RuntimeError, TypeError):
        with pytest.raises((RuntimeError, TypeError)):
            op(_make(ag, a), _make(ag, b))
        return
    got = op(_make(ag, a), _make(ag, b))
    assert got.dtype.name == str(expected.dtype).removeprefix("torch."), (got.dtype, expected.dtype)
    assert got.shape == tuple(expected.shape)
    np.testing.assert_array_equal(got.numpy(), expected.numpy())


@pytest.mark.parametrize("a", OPERANDS, ids=[a[0] for a in OPERANDS])
def test_binary_op_promotion_matches_torch(a):
    # One test per left operand (the pairs and ops in a loop keep the suite fast).
    for b, name in itertools.product(OPERANDS, OPS):
        if "tensor" in (a[1][0], b[1][0]):
            with np.errstate(all="ignore"):
                try:
                    _check_same(OPS[name], a[1], b[1])
                except AssertionError as e:
                    raise AssertionError(f"{a[0]} {name} {b[0]}: {e}") from None


ROUNDING_PAIRS = [
    (a, b)
    for a, b in PAIRS
    if a[1][2] != "bool" and b[1][2] != "bool" and not isinstance(a[1][1], bool) and not isinstance(b[1][1], bool)
]


def _nonzero(operand):
    """The operand with zeros replaced (integer division by zero raises in PyTorch)."""
    what, value, dtype = operand
    if isinstance(value, list):
        return what, [v if v != 0 else 5 for v in value], dtype
    return what, value if value != 0 else 5, dtype


@pytest.mark.parametrize("mode", ["trunc", "floor", None])
def test_div_rounding_mode_matches_torch(mode):
    def divide(x, y):
        lib = ag if ag.Tensor in (type(x), type(y)) else torch
        return lib.div(x, y, rounding_mode=mode)

    for a, b in ROUNDING_PAIRS:
        a_, b_ = a[1], _nonzero(b[1])
        try:
            _check_same(divide, a_, b_)
            if a_[0] == "tensor":
                _check_same(lambda x, y: x.div(y, rounding_mode=mode), a_, b_)
        except AssertionError as e:
            raise AssertionError(f"{a[0]} / {b[0]} ({mode}): {e}") from None


def test_div_rounding_mode_refuses_others():
    with pytest.raises(ValueError, match="rounding_mode"):
        ag.div(ag.ones(2), 2.0, rounding_mode="round")


def test_gradients_come_back_in_each_inputs_dtype():
    x = np.array([0.5, -1.5, 2.0], dtype=np.float32)
    s = np.float64(3.0)
    ours = (ag.tensor(x, requires_grad=True), ag.tensor(s, requires_grad=True))
    theirs = (torch.tensor(x, requires_grad=True), torch.tensor(s, requires_grad=True))
    for lib, (a, b) in ((ag, ours), (torch, theirs)):
        out = a * b + a / b - b
        assert out.dtype == lib.float32
        out.sum().backward()
    for o, t in zip(ours, theirs):
        assert o.grad.dtype.name == str(t.grad.dtype).removeprefix("torch.")
        np.testing.assert_allclose(o.grad.numpy(), t.grad.numpy(), rtol=1e-6)


def test_gradcheck_through_a_promoting_cast():
    x = ag.tensor(np.array([0.3, -1.2, 0.7]), requires_grad=True)  # float64
    y = ag.tensor(np.array([1.5, 2.5, -0.5], dtype=np.float32), requires_grad=False)
    assert ag.gradcheck(lambda a: (a * ag.tensor(2.0, dtype=ag.float16) + y.double()) / 3, (x,))


def test_result_type_table():
    f16, f32, f64, i32, i64, b = (np.dtype(n) for n in ("float16", "float32", "float64", "int32", "int64", "bool"))
    assert promote_types(i32, f16) == f16 and promote_types(b, i32) == i32 and promote_types(i32, i64) == i64
    assert promote_types(np.dtype("uint8"), np.dtype("int8")) == np.dtype("int16")
    nd = {d: np.zeros(2, d) for d in (f16, f32, f64, i32, i64, b)}
    zero_d = {d: np.zeros((), d) for d in (f16, f32, f64, i32, i64, b)}
    assert result_type(nd[f32], zero_d[f64]) == f32
    assert result_type(nd[i64], zero_d[f64]) == f64
    assert result_type(nd[i64], 2.5) == f32
    assert result_type(nd[i32], 7) == i32 and result_type(nd[b], 7) == i64 and result_type(nd[b], True) == b
    assert result_type(zero_d[f16], zero_d[f64]) == f64 and result_type(zero_d[i32], 1.0) == f32
    ag.set_default_dtype(np.float64)
    try:
        assert result_type(nd[i64], 2.5) == f64 and (ag.tensor([1, 2]) / 2).dtype == ag.float64
    finally:
        ag.set_default_dtype(np.float32)


@pytest.mark.parametrize("name", ["exp", "log", "sqrt", "sin", "tanh", "sigmoid", "erf", "reciprocal", "abs", "floor"])
def test_float_functions_of_integer_tensors_give_the_default_dtype(name):
    values = [1, 2, 7, 30]
    ours, theirs = getattr(ag, name)(ag.tensor(values)), getattr(torch, name)(torch.tensor(values))
    assert ours.dtype.name == str(theirs.dtype).removeprefix("torch.")  # float32 (abs, floor: int64)
    # float32 exp/sin/... of NumPy and of PyTorch may round differently in the last bit
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=2 * np.finfo(np.float32).eps)


def test_integer_powers_match_torch():
    base, exponent = [-2, -1, 0, 1, 2, 3, -3, 5], [-1, -3, 2, -2, 3, 0, -2, 1]
    for lib in (ag, torch):
        out = lib.tensor(base) ** lib.tensor(exponent)
        if lib is ag:
            ours = out
    assert ours.dtype == ag.int64 and ours.tolist() == out.tolist()
    assert (ag.tensor(base) ** 2).tolist() == (torch.tensor(base) ** 2).tolist()
    assert (ag.tensor(base) ** 0.5).dtype == ag.float32 == ag.float  # int ** float: the default float dtype
    for lib in (ag, torch):
        with pytest.raises(RuntimeError, match="negative integer powers"):
            lib.tensor(base) ** -1


TWO_INPUT = ["maximum", "minimum", "atan2", "hypot", "fmod", "remainder", "logaddexp", "xlogy", "fmax", "fmin"]
TWO_INPUT_OPERANDS = [
    np.array([1.0, 2.0], np.float32),
    np.array([1.5, 0.5], np.float64),
    np.array([1, 3]),
    np.array([2, 1], np.int32),
    np.float64(2.5),
    np.array(3),
]


@pytest.mark.parametrize("name", TWO_INPUT)
def test_two_input_functions_promote_as_pytorch(name):
    torch = pytest.importorskip("torch")
    for u in TWO_INPUT_OPERANDS:
        for v in TWO_INPUT_OPERANDS:
            if np.ndim(u) == 0 and np.ndim(v) == 0:
                continue
            try:
                want = getattr(torch, name)(torch.tensor(u), torch.tensor(v))
            except RuntimeError:
                continue  # PyTorch has no kernel for this pair (e.g. hypot of ints)
            got = getattr(ag, name)(ag.tensor(u), ag.tensor(v))
            assert str(got.dtype) == str(want.dtype).removeprefix("torch."), (name, u.dtype, v.dtype)
            np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-6, err_msg=f"{name} {u.dtype} {v.dtype}")


POW_OPERANDS = [
    np.array([1.0, 2.0], np.float32),
    np.array([1.5, 0.5]),
    np.array([1, 3]),
    np.array([True, False]),
    np.array(2),
    np.array(True),
    np.float64(2.0),
    2,
    2.5,
    True,
    False,
]


def test_pow_promotes_and_refuses_as_pytorch():
    """x ** y over tensors, 0-d tensors and numbers: the same dtype and values (float32 pow may be
    1 ulp apart: NumPy and PyTorch use different maths libraries), or both refuse (bool ** bool)."""
    for u, v in itertools.product(POW_OPERANDS, repeat=2):
        if not (isinstance(u, np.ndarray) or isinstance(v, np.ndarray)):
            continue
        tu, tv = (torch.tensor(a) if isinstance(a, np.ndarray) else a for a in (u, v))
        au, av = (ag.tensor(a) if isinstance(a, np.ndarray) else a for a in (u, v))
        try:
            want = tu**tv
        except RuntimeError:
            with pytest.raises(TypeError, match="bool"):
                au**av
            continue
        got = au**av
        assert str(got.dtype) == str(want.dtype).removeprefix("torch."), (u, v)
        np.testing.assert_allclose(got.numpy().astype(float), want.double().numpy(), rtol=1e-6)
