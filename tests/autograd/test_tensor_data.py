"""``Tensor.data`` is a Tensor, as PyTorch's (a detached alias, writes not tracked); the ndarray is
``.numpy()`` / ``.array``; NumPy ufuncs called on Tensors record the op or refuse to lose a gradient."""

import numpy as np
import pytest

import autograd as ag


def test_data_is_a_detached_alias_sharing_memory():
    w = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    d = w.data
    assert isinstance(d, ag.Tensor) and not d.requires_grad and d.grad_fn is None
    assert np.shares_memory(d.numpy(), w.numpy()) and w.numpy() is w.array
    d.mul_(2.0)
    np.testing.assert_array_equal(w.array, [2.0, 4.0, 6.0])


def test_writes_through_data_are_not_tracked_by_version_counters():
    w = ag.tensor([1.0, 2.0], dtype=np.float64, requires_grad=True)
    y = (w * w).sum()
    w.data.add_(1.0)  # PyTorch's escape hatch: the saved w is read as it is now
    assert w._version == 0
    y.backward()
    np.testing.assert_array_equal(w.grad.array, [4.0, 6.0])
    w2 = ag.tensor([1.0, 2.0], dtype=np.float64, requires_grad=True)
    y2 = (w2 * w2).sum()
    w2.detach().add_(1.0)  # detach() shares the counter: backward refuses
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        y2.backward()


def test_initializers_in_place_through_data():
    ag.manual_seed(0)
    w = ag.zeros(200, 50, requires_grad=True)
    w.data.normal_(0.0, 0.02)
    assert abs(float(w.array.std()) - 0.02) < 0.001 and abs(float(w.array.mean())) < 0.001
    w.data.uniform_(-0.5, 0.5)
    assert w.array.min() >= -0.5 and w.array.max() < 0.5 and w.array.std() > 0.28
    w.data.fill_(3.0)
    assert np.all(w.array == 3.0)
    w.data.zero_()
    assert not w.array.any() and w.requires_grad and w.is_leaf
    with pytest.raises(RuntimeError, match="leaf tensor that requires grad"):
        w.normal_()


def test_normal_and_uniform_follow_the_seed():
    a, b = ag.zeros(5), ag.zeros(5)
    ag.manual_seed(3)
    a.normal_()
    ag.manual_seed(3)
    b.normal_()
    np.testing.assert_array_equal(a.array, b.array)
    assert a.dtype == np.float32


def test_assigning_data_replaces_the_array():
    w = ag.tensor([1.0, 2.0], requires_grad=True)
    w.data = ag.tensor([5.0, 6.0, 7.0])
    np.testing.assert_array_equal(w.array, [5.0, 6.0, 7.0])
    assert w.requires_grad and w.is_leaf
    w.data = np.zeros(2, dtype=np.float32)
    assert w.shape == (2,)
    with pytest.raises(TypeError, match="floating point"):
        w.data = ag.tensor([1, 2])


def test_numpy_ufuncs_on_tensors_record_the_op():
    x = ag.tensor([0.5, 1.5], dtype=np.float64, requires_grad=True)
    a = np.array([2.0, 3.0])
    y = a * x + np.exp(x) - np.sin(x) / a + a**x
    assert isinstance(y, ag.Tensor) and y.grad_fn is not None
    y.sum().backward()
    xv = x.array
    np.testing.assert_allclose(x.grad.array, a + np.exp(xv) - np.cos(xv) / a + a**xv * np.log(a), rtol=1e-14)


def test_numpy_scalars_on_the_left_promote_as_python_numbers():
    x = ag.tensor([1.0, 2.0])
    assert (np.float64(2.0) * x).dtype == np.float32
    assert (np.array(2.0) - x).dtype == np.float32


def test_ufuncs_without_a_gradient_give_tensors_outside_the_graph():
    x = ag.tensor([1.0, np.inf, np.nan], requires_grad=True)
    finite = np.isfinite(x)
    assert isinstance(finite, ag.Tensor) and finite.dtype == np.bool_ and finite.tolist() == [True, False, False]
    assert (np.array([2.0, 2.0, 2.0], dtype=np.float32) < x).tolist() == [False, True, False]
    with pytest.raises(TypeError, match=r"numpy.add.reduce .*requires grad"):
        np.add.reduce(x)
    with pytest.raises(TypeError, match=r"numpy.logaddexp2 .*requires grad"):
        np.logaddexp2(x, x)
    assert float(np.add.reduce(ag.tensor([1.0, 2.0]))) == 3.0


def test_ufunc_into_an_ndarray_leaves_the_ndarray():
    acc = np.zeros(2, dtype=np.float32)
    acc += ag.tensor([1.0, 2.0])
    assert type(acc) is np.ndarray and acc.tolist() == [1.0, 2.0]
    with pytest.raises(TypeError, match="requires grad"):
        acc += ag.tensor([1.0, 2.0], requires_grad=True)


def test_set_grad_enabled_and_set_detect_anomaly_act_at_once_as_pytorchs():
    x = ag.ones(2, requires_grad=True)
    try:
        ag.set_grad_enabled(False)  # a call, not a with: takes effect now
        assert not (x * 2).requires_grad
    finally:
        ag.set_grad_enabled(True)
    assert (x * 2).requires_grad
    with ag.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert (x * 2).requires_grad

    @ag.set_grad_enabled(False)
    def frozen():
        return (x * 2).requires_grad

    assert ag.is_grad_enabled() and frozen() is False and ag.is_grad_enabled()
    with ag.no_grad():
        with ag.set_grad_enabled(True):
            assert (x * 2).requires_grad
        assert not (x * 2).requires_grad
    with ag.set_detect_anomaly(True):
        assert ag.is_anomaly_enabled()
    assert not ag.is_anomaly_enabled()
    no = ag.no_grad()  # made, not entered: nothing changes yet
    assert ag.is_grad_enabled() and no is not None


def test_a_shape_given_to_the_tensor_constructor_is_a_clear_error():
    with pytest.raises(TypeError, match=r"autograd.zeros\(2, 3\)"):
        ag.Tensor(2, 3)
    assert ag.Tensor(2.0, True).requires_grad and ag.Tensor(3).item() == 3
