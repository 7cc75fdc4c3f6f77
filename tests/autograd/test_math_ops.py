"""The math and logic ops of issue 15 beyond their op_table rows: conventions, dtypes and errors."""

import math

import numpy as np
import pytest

import autograd as ag


def test_remainder_and_floor_divide_follow_python_signs():
    a = np.array([5.5, -5.5, 5.5, -5.5, 3.0])
    b = np.array([2.0, 2.0, -2.0, -2.0, 1.5])
    x, y = ag.tensor(a), ag.tensor(b)
    np.testing.assert_array_equal((x % y).array, [u % v for u, v in zip(a.tolist(), b.tolist())])
    np.testing.assert_array_equal((x // y).array, [u // v for u, v in zip(a.tolist(), b.tolist())])
    np.testing.assert_array_equal(ag.fmod(x, y).array, [math.fmod(u, v) for u, v in zip(a.tolist(), b.tolist())])
    assert (7 % ag.tensor([3, -3])).tolist() == [1, -2]
    assert (ag.tensor([7, -7]) // 2).tolist() == [3, -4]


def test_floor_divide_is_outside_the_graph():
    x = ag.tensor([1.5, 2.5], requires_grad=True)
    out = x // 0.5
    assert not out.requires_grad and out.grad_fn is None


def test_rounding_keeps_integer_dtypes_and_gives_zero_gradients():
    ints = ag.tensor(np.array([-2, 3]))
    for name in ("floor", "ceil", "round", "trunc"):
        out = getattr(ints, name)()
        assert out.dtype == np.int64 and out.tolist() == [-2, 3]
    x = ag.tensor([0.5, 1.5, -2.7], dtype=np.float64, requires_grad=True)
    assert x.round().tolist() == [0.0, 2.0, -3.0]  # halves to even, as PyTorch
    (x.floor() + x.ceil() + x.round() + x.trunc() + x.sign()).sum().backward()
    np.testing.assert_array_equal(x.grad.array, [0.0, 0.0, 0.0])


def test_scalar_math():
    s = ag.Scalar(2.5)
    out = s.floor() + s.sinc() + s.log2() + s.square()
    out.backward()
    assert out.data == pytest.approx(2.0 + math.sin(2.5 * math.pi) / (2.5 * math.pi) + math.log2(2.5) + 6.25)
    assert ag.Scalar(0.0).sign().data == 0.0 and ag.Scalar(-3.0).sign().data == -1.0
    assert ag.Scalar(1000.0).expm1().data == math.inf
    edge, outside = ag.Scalar(1.0), ag.Scalar(1.5)
    edge.asin().backward()
    outside.acos().backward()
    assert edge.grad == math.inf and math.isnan(outside.grad)  # real numbers, not complex ones


def test_sinc_at_zero_has_value_one_and_zero_slope_to_second_order():
    x = ag.tensor([0.0, 0.5], dtype=np.float64, requires_grad=True)
    (g,) = ag.grad(x.sinc().sum(), x, create_graph=True)
    assert x.sinc().array[0] == 1.0 and g.array[0] == 0.0
    (gg,) = ag.grad(g.sum(), x)
    assert np.isfinite(gg.data).all()


def test_logsigmoid_neither_overflows_nor_loses_the_tail():
    x = ag.tensor([-800.0, 800.0, -30.0], dtype=np.float64, requires_grad=True)
    out = ag.logsigmoid(x)
    out.sum().backward()
    assert out.array[0] == -800.0 and out.array[1] == 0.0
    assert out.array[2] == pytest.approx(-30.0 - math.exp(-30.0), rel=1e-15)
    np.testing.assert_allclose(x.grad.array, [1.0, 0.0, 1.0 / (1.0 + math.exp(-30.0))], rtol=1e-15)


def test_logic_and_bits():
    a, b = ag.tensor(np.array([6, 3, -1])), ag.tensor(np.array([True, False, True]))
    assert (a & 3).tolist() == [2, 3, 3] and (a | 1).tolist() == [7, 3, -1] and (a ^ a).tolist() == [0, 0, 0]
    assert (~a).tolist() == [-7, -4, 0] and (~b).tolist() == [False, True, False]
    assert ag.logical_and(a, b).tolist() == [True, False, True] and b.logical_not().dtype == np.bool_
    with pytest.raises(TypeError, match="integer or bool"):
        ag.tensor([1.5]) & ag.tensor([2.5])


def test_activations_refuse_bad_arguments():
    with pytest.raises(ValueError, match="even"):
        ag.glu(ag.zeros(2, 3))
    with pytest.raises(ValueError, match="max_val"):
        ag.hardtanh(ag.zeros(2), 1.0, -1.0)
    with pytest.raises(ValueError, match="alpha"):
        ag.celu(ag.zeros(2), 0.0)
