"""Never a wrong number: aliases, threads, special points, dtype and shape holes, linear costs.

Each test is a case an adversarial battery found, or one of its relatives.
"""

import threading

import numpy as np
import pytest

import autograd as ag


def _leaf(values):
    return ag.tensor(np.asarray(values, dtype=np.float64), requires_grad=True)


# --- writes through an alias make backward raise --------------------------------------------------
@pytest.mark.parametrize(
    "write",
    [
        lambda x: x.detach().add_(1),
        lambda x: x.detach().detach().mul_(2),
        lambda x: x.detach()[0:2].mul_(2),
        lambda x: x.detach().reshape(3, 1).zero_(),
        lambda x: x.detach()[1:].fill_(5.0),
    ],
    ids=["detach", "detach-detach", "slice-of-detach", "reshape-of-detach", "setitem-slice"],
)
def test_a_write_through_an_alias_of_a_saved_tensor_raises(write):
    x = _leaf([1.0, 2.0, 3.0])
    y = (x * x).sum()
    write(x)
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        y.backward()


def test_a_write_under_no_grad_into_a_view_raises_for_the_base():
    x = _leaf([1.0, 2.0, 3.0])
    y = (x * x).sum()
    with ag.no_grad():
        x[0:2].mul_(2)
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        y.backward()


def test_a_write_into_the_base_raises_for_a_saved_view():
    x = _leaf([1.0, 2.0, 3.0])
    v = x[0:2]
    y = (v * v).sum()
    with ag.no_grad():
        x.mul_(3)
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        y.backward()


def test_an_unrelated_copy_does_not_share_the_version():
    x = _leaf([1.0, 2.0, 3.0])
    y = (x * x).sum()
    x.detach().clone().add_(1)  # a copy: x's memory is untouched
    (x * 2.0).detach().add_(1)
    y.backward()
    np.testing.assert_allclose(x.grad.array, [2.0, 4.0, 6.0])


# --- concurrent backward into one leaf -------------------------------------------------------------
def test_concurrent_backward_into_a_shared_leaf_loses_no_update():
    w = ag.tensor(np.zeros(200_000), dtype=np.float64, requires_grad=True)
    for _ in range(5):
        w.grad = None
        threads = [threading.Thread(target=lambda: (w * 1.0).sum().backward()) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert np.all(w.grad.array == 4.0)


# --- special points as PyTorch ---------------------------------------------------------------------
def test_std_of_a_constant_has_a_zero_gradient():
    for fn in (lambda x: x.std(), lambda x: x.std(dim=0), lambda x: x.var()):
        x = _leaf([3.0, 3.0, 3.0])
        fn(x).sum().backward()
        np.testing.assert_array_equal(x.grad.array, [0.0, 0.0, 0.0])
    x = _leaf([[1.0, 2.0], [3.0, 3.0]])
    x.std(dim=1).sum().backward()
    assert np.all(np.isfinite(x.grad.array)) and np.all(x.grad.array[1] == 0)


def test_pow_gradients_at_special_points_are_pytorchs():
    x = _leaf([0.0, 0.0, -2.0, 0.0, 2.0])
    y = _leaf([0.0, 2.0, 0.5, -1.5, 0.0])
    with np.errstate(all="ignore"):
        (x**y).sum().backward()
    np.testing.assert_array_equal(x.grad.array, [0.0, 0.0, np.nan, -np.inf, 0.0])
    np.testing.assert_allclose(y.grad.array, [0.0, 0.0, np.nan, -np.inf, np.log(2.0)])


def test_scalar_edge_cases_give_ieee_values_not_exceptions():
    for make, expected in [
        (lambda s: s**0.5, np.inf),
        (lambda s: s.log(), np.inf),
        (lambda s: s.sqrt(), np.inf),
    ]:
        s = ag.Scalar(0.0)
        make(s).backward()
        assert s.grad == expected
    s = ag.Scalar(-8.0)
    out = s ** (1 / 3)
    out.backward()
    assert isinstance(s.grad, float) and np.isnan(s.grad) and np.isnan(out.data)


# --- dtypes --------------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.complex128, object, str])
def test_a_tensor_refuses_non_numeric_dtypes(dtype):
    with pytest.raises(TypeError, match="Tensor"):
        ag.Tensor([1, 2], dtype=dtype)


def test_an_int_tensor_cannot_require_grad_however_it_is_set():
    t = ag.tensor([1, 2])
    with pytest.raises(TypeError, match="floating point"):
        t.requires_grad = True
    assert not t.requires_grad


@pytest.mark.parametrize("other", [np.array(2.0), np.float64(2.0), np.array(2), 2.0])
def test_a_zero_d_array_is_a_scalar_in_type_promotion(other):
    x = ag.tensor([1.0, 2.0])
    for result in (x * other, other * x, x + other, x - other, x / other, x**other, ag.maximum(x, other)):
        assert result.dtype == np.float32


def test_a_tensor_and_a_scalar_do_not_mix_silently():
    with pytest.raises(TypeError, match="Scalar"):
        ag.ones(2) + ag.Scalar(1.0)


def test_in_place_dtype_errors_are_type_errors():
    t = ag.tensor([1, 2])
    with pytest.raises(TypeError, match="int64"):
        t += 0.5


def test_an_assigned_grad_must_fit_its_tensor():
    p = ag.zeros(2, 3, requires_grad=True)
    with pytest.raises(RuntimeError, match="different size"):
        p.grad = ag.ones(3)
    with pytest.raises(RuntimeError, match="different type"):
        p.grad = ag.ones(2, 3, dtype=np.float64)
    with pytest.raises(TypeError, match="Tensor or None"):
        p.grad = np.ones((2, 3))
    p.grad = ag.ones(2, 3)
    p.grad = None


# --- shapes and arguments --------------------------------------------------------------------------
def test_pad_may_not_crop_past_the_size():
    assert ag.pad(ag.ones(2, 4), (-4, 0)).shape == (2, 0)  # PyTorch allows an empty result
    with pytest.raises(ag.ShapeError, match="size -1"):
        ag.pad(ag.ones(2, 4), (-5, 0))


def test_transpose_of_a_0d_tensor_checks_its_dims():
    assert ag.tensor(1.0).transpose(0, -1).shape == ()
    with pytest.raises(IndexError, match="range"):
        ag.tensor(1.0).transpose(0, 1)


def test_amax_of_an_empty_tensor_over_a_non_empty_dim_is_empty():
    assert ag.zeros(0, 3).amax(dim=1).shape == (0,)
    with pytest.raises(RuntimeError, match="size 0"):
        ag.zeros(0, 3).amax(dim=0)


def test_an_op_given_a_list_says_to_make_a_tensor():
    with pytest.raises(TypeError, match="expected a Tensor, got a list"):
        ag.exp([0.0, 1.0])


# --- costs stay linear -------------------------------------------------------------------------------
@pytest.mark.parametrize("join", [ag.stack, ag.cat])
def test_many_input_joins_hand_no_inputs_to_their_vjps(join):
    xs = [ag.randn(2, requires_grad=True) for _ in range(3)]
    out = join(xs)
    assert out.grad_fn.op.variadic
    out.sum().backward()
    for x in xs:
        np.testing.assert_array_equal(x.grad.array, np.ones(2))


@pytest.mark.parametrize(
    "pool",
    [
        lambda x: ag.max_pool2d(x, 0),
        lambda x: ag.avg_pool2d(x, 2, stride=0),
        lambda x: ag.max_pool2d(x, 2, dilation=0),
        lambda x: ag.adaptive_avg_pool2d(x, 0),
    ],
    ids=["max-kernel-0", "avg-stride-0", "max-dilation-0", "adaptive-0"],
)
def test_pooling_refuses_empty_windows_with_a_message(pool):
    with pytest.raises(ValueError, match="≥ 1"):
        pool(ag.ones(1, 1, 4, 4))
