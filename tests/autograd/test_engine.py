"""The backward engine: accumulation, graph lifetime, hooks, grad mode, and its errors."""

import gc
import weakref

import numpy as np
import pytest

import autograd as ag


def t64(a, requires_grad=True):
    return ag.tensor(np.asarray(a, dtype=np.float64), requires_grad=requires_grad)


def test_shared_input_gradients_add_up():
    x = t64([1.0, 2.0, 3.0])
    y = x * x + x * 3.0 + x.exp()
    y.sum().backward()
    np.testing.assert_allclose(x.grad.array, 2 * x.array + 3 + np.exp(x.array))


def test_leaf_grads_accumulate_across_backward_calls():
    x = t64([1.0, -2.0])
    (x * 2).sum().backward()
    (x * 3).sum().backward()
    np.testing.assert_allclose(x.grad.array, [5.0, 5.0])


def test_leaf_grads_do_not_alias_each_other():
    x, y = t64([1.0, 2.0]), t64([3.0, 4.0])
    (x + y).sum().backward()
    x.grad.array += 10
    np.testing.assert_allclose(y.grad.array, [1.0, 1.0])


def test_user_gradient_array_is_not_aliased():
    x = t64([1.0, 2.0])
    g = np.array([1.0, 1.0])
    x.clone().backward(g)
    x.grad.array[0] = 99.0
    np.testing.assert_allclose(g, [1.0, 1.0])


def test_backward_on_leaf_itself():
    x = t64([1.0, 2.0])
    x.backward(np.array([3.0, 4.0]))
    np.testing.assert_allclose(x.grad.array, [3.0, 4.0])


def test_deep_chain_of_100k_ops_has_no_recursion_error():
    x = ag.tensor(np.float64(0.5), requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    y.backward()
    assert x.grad.item() == 1.0


def test_deep_scalar_chain_of_100k_ops():
    x = ag.Scalar(0.5)
    y = x
    for _ in range(100_000):
        y = y + 0.0
    y.backward()
    assert x.grad == 1.0


def test_graph_memory_is_released_after_backward():
    x = t64(np.ones(1000))
    h = (x * 2.0).exp()
    ref = weakref.ref(h)
    loss = (h * h).sum()  # mul saves h for its backward
    del h
    gc.collect()
    assert ref() is not None, "the graph holds the saved intermediate before backward"
    loss.backward()
    gc.collect()
    assert ref() is None, "backward must free what the graph saved"


def test_second_backward_through_freed_graph_raises():
    x = t64([1.0, 2.0])
    loss = (x * x).sum()
    loss.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        loss.backward()


def test_retain_graph_allows_a_second_backward():
    x = t64([1.0, 2.0])
    loss = (x * x).sum()
    loss.backward(retain_graph=True)
    loss.backward()
    np.testing.assert_allclose(x.grad.array, 4 * x.array)


def test_backward_of_non_scalar_needs_gradient():
    x = t64(np.ones((3, 4)))
    with pytest.raises(RuntimeError, match=r"shape \(3, 4\).*gradient="):
        (x * 2).backward()


def test_gradient_of_wrong_shape_names_both_shapes():
    x = t64(np.ones((3, 4)))
    with pytest.raises(ValueError, match=r"\(4, 3\).*\(3, 4\)"):
        (x * 2).backward(np.ones((4, 3)))


def test_backward_without_grad_raises():
    x = t64([1.0], requires_grad=False)
    with pytest.raises(RuntimeError, match="does not require grad"):
        (x * 2).sum().backward()


def test_integer_tensor_cannot_require_grad():
    with pytest.raises(TypeError, match="floating point"):
        ag.tensor([1, 2, 3], requires_grad=True)


def test_default_dtype_is_float32_and_settable():
    assert ag.tensor([1.0]).dtype == np.float32
    assert ag.zeros(2).dtype == np.float32
    ag.set_default_dtype(np.float64)
    try:
        assert ag.tensor([1.0]).dtype == np.float64
        assert ag.randn(2, 2).dtype == np.float64
    finally:
        ag.set_default_dtype(np.float32)
    assert ag.tensor([1, 2]).dtype == np.int64
    with pytest.raises(TypeError):
        ag.set_default_dtype(np.int32)


def test_hooks_on_leaf_and_non_leaf():
    x = t64([1.0, 2.0])
    seen = []
    handle = x.register_hook(lambda g: seen.append(g.array.copy()))
    h = x * 3.0
    h.register_hook(lambda g: g * 2.0)  # doubles the gradient flowing into x
    h.sum().backward()
    np.testing.assert_allclose(seen[0], [6.0, 6.0])
    np.testing.assert_allclose(x.grad.array, [6.0, 6.0])
    handle.remove()
    x.grad = None
    (x * 1.0).sum().backward()
    assert len(seen) == 1


def test_retain_grad_keeps_intermediate_gradient():
    x = t64([1.0, 2.0])
    h = x * x
    h.retain_grad()
    (h * 3.0).sum().backward()
    np.testing.assert_allclose(h.grad.array, [3.0, 3.0])
    assert x.grad is not None


def test_no_grad_records_nothing_and_works_as_decorator():
    x = t64([1.0])
    with ag.no_grad():
        y = x * 2
        with ag.enable_grad():
            z = x * 2
    assert not y.requires_grad and y.grad_fn is None
    assert z.requires_grad

    @ag.no_grad()
    def f(v):
        return v * 2

    assert not f(x).requires_grad
    assert ag.is_grad_enabled()


def test_grad_fn_names_and_leaf_flags():
    x = t64([1.0, 2.0])
    y = (x * 2).sum()
    assert x.is_leaf and not y.is_leaf
    assert y.grad_fn.name() == "SumBackward0"
    assert y.grad_fn.next_functions[0][0].name() == "MulBackward0"
    assert "grad_fn=<SumBackward0>" in repr(y)


def test_detach_shares_data_and_leaves_graph():
    x = t64([1.0, 2.0])
    d = (x * 2).detach()
    assert not d.requires_grad and d.grad_fn is None
    with pytest.raises(RuntimeError):
        d.sum().backward()


# --- autograd.grad ----------------------------------------------------------------------------
def test_grad_returns_gradients_without_touching_dot_grad():
    x, y = t64([1.0, 2.0]), t64([3.0, 4.0])
    gx, gy = ag.grad((x * y).sum(), [x, y])
    np.testing.assert_allclose(gx.array, y.array)
    np.testing.assert_allclose(gy.array, x.array)
    assert x.grad is None and y.grad is None


def test_grad_of_non_leaf_input():
    x = t64([1.0, 2.0])
    h = x * 2.0
    (gh,) = ag.grad((h * h).sum(), h)
    np.testing.assert_allclose(gh.array, 2 * h.array)


def test_grad_unused_input():
    x, z = t64([1.0]), t64([2.0])
    with pytest.raises(RuntimeError, match="allow_unused=True"):
        ag.grad((x * 2).sum(), [x, z])
    gx, gz = ag.grad((x * 2).sum(), [x, z], allow_unused=True)
    assert gz is None and gx.item() == 2.0


# --- in place ---------------------------------------------------------------------------------
def test_in_place_on_leaf_requiring_grad_raises_outside_no_grad():
    w = t64([1.0, 2.0])
    with pytest.raises(RuntimeError, match="no_grad"):
        w.add_(1.0)
    with pytest.raises(RuntimeError, match="leaf"):
        w += 1.0
    with ag.no_grad():
        w -= 0.5
        w.mul_(2.0)
    np.testing.assert_allclose(w.array, [1.0, 3.0])
    assert w._version == 2


def test_in_place_change_of_a_saved_value_raises_naming_the_op():
    x = t64([1.0, 2.0])
    h = x * 2.0
    y = h * h  # saves h
    h.add_(1.0)
    with pytest.raises(RuntimeError, match=r"modified by an in-place operation.*MulBackward0"):
        y.sum().backward()


def test_in_place_on_non_leaf_gives_right_gradients():
    x = t64([1.0, 2.0, 3.0])
    h = x.exp()
    h *= x  # h = exp(x) * x
    h += 1.0
    h.sum().backward()
    np.testing.assert_allclose(x.grad.array, np.exp(x.array) * (x.array + 1))


def test_in_place_after_use_by_an_op_that_saves_nothing():
    x = t64([1.0, 2.0])
    h = x * 3.0
    z = h + 1.0  # add saves nothing: changing h later must not change z's gradient
    h.mul_(5.0)
    (z.sum() + h.sum()).backward()
    np.testing.assert_allclose(x.grad.array, [3.0 + 15.0, 3.0 + 15.0])


def test_setitem_and_zero_on_non_leaf():
    x = t64([1.0, 2.0, 3.0])
    h = x * 2.0
    h[1] = 0.0
    h.sum().backward()
    np.testing.assert_allclose(x.grad.array, [2.0, 0.0, 2.0])
    x.grad = None
    k = x * 2.0
    k.zero_()
    assert not k.requires_grad


def test_in_place_shape_error():
    a = ag.zeros(3)
    with pytest.raises(ValueError, match=r"add_.*\(3,\).*\(4,\)"):
        a.add_(np.ones(4))


# --- anomaly ----------------------------------------------------------------------------------
def test_detect_anomaly_names_the_op_and_forward_line():
    x = t64([0.0, 1.0])
    with ag.detect_anomaly():
        y = x.sqrt()  # d/dx √x at 0 is inf
        with pytest.raises(ag.AnomalyError) as info:
            y.sum().backward()
    msg = str(info.value)
    assert "SqrtBackward0" in msg and "inf" in msg
    assert "test_engine.py" in msg and "x.sqrt()" in msg


def test_without_anomaly_mode_nan_gradients_pass_silently():
    x = t64([0.0])
    x.sqrt().sum().backward()
    assert np.isinf(x.grad.array[0])


# --- shape errors -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "fn, pattern",
    [
        (lambda: ag.ones(2, 3) + ag.ones(4), r"add: shapes \(2, 3\) and \(4,\)"),
        (lambda: ag.ones(2, 3) * ag.ones(3, 2), r"mul: shapes \(2, 3\) and \(3, 2\)"),
        (lambda: ag.ones(2, 3) @ ag.ones(4, 2), r"matmul: shapes \(2, 3\) and \(4, 2\)"),
        (lambda: ag.ones(2, 3).reshape(4, 2), r"reshape.*\(2, 3\).*\(4, 2\)"),
        (lambda: ag.cat([ag.ones(2, 3), ag.ones(3, 2)], dim=0), r"cat.*\(2, 3\), \(3, 2\)"),
        (lambda: ag.stack([ag.ones(2), ag.ones(3)]), r"stack.*\(2,\), \(3,\)"),
        (lambda: ag.ones(2, 3).expand(4, 4), r"expand.*\(2, 3\).*\(4, 4\)"),
        (lambda: ag.linear(ag.ones(5, 3), ag.ones(2, 4)), r"in_features=4"),
    ],
)
def test_shape_errors_name_the_op_and_shapes(fn, pattern):
    with pytest.raises(ag.ShapeError, match=pattern):
        fn()


def test_dim_out_of_range():
    with pytest.raises(IndexError, match=r"range of \[-2, 1\], but got 2"):
        ag.ones(2, 3).sum(dim=2)


def test_matmul_dtype_mismatch():
    with pytest.raises(TypeError, match="float32 and float64"):
        ag.ones(2, 2) @ ag.ones(2, 2, dtype=np.float64)


def test_bad_data_type():
    with pytest.raises(TypeError, match="dtype"):
        ag.tensor(["a", "b"])


def test_in_place_under_no_grad_on_a_saved_output_raises_at_backward():
    x = t64([1.0, 2.0])
    h = x.exp()  # exp's VJP reads its output
    with ag.no_grad():
        h.mul_(2.0)
    with pytest.raises(RuntimeError, match=r"ExpBackward0.*in-place operation \(mul_\)"):
        h.sum().backward()


def test_copy_into_non_leaf_routes_gradient_to_source():
    x, s = t64([1.0, 2.0]), t64([5.0, 6.0])
    h = x * 2.0
    h.copy_(s * 3.0)
    h.sum().backward()
    np.testing.assert_allclose(s.grad.array, [3.0, 3.0])
    assert x.grad is None


def test_number_operands_keep_float32_and_record_no_constant_tensor():
    x = ag.ones(3, requires_grad=True)
    for y in (x * np.float64(2.0), np.float64(3.0) + x, x / np.float32(2.0), x - np.int64(1), 2 * x, x / 4):
        assert y.dtype == np.float32
        assert y.grad_fn.next_functions == ((ag.AccumulateGrad(x), 0),)
    ((x * 3.0 + 1.0) / 2.0 - 0.5).sum().backward()
    np.testing.assert_allclose(x.grad.array, [1.5, 1.5, 1.5])


def test_slices_in_a_loop_add_into_one_buffer():
    """x[t] for every t (and repeated, advanced and overlapping keys): the index adjoints summed in
    place into one buffer (Op.accumulate) give the gradient the scatter-adds give."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((5, 3, 4))
    weights = rng.standard_normal((5, 3, 4))
    x = ag.tensor(a, requires_grad=True)
    total = x[0] * 0.0
    for t in range(5):
        total = total + x[t] * ag.tensor(weights[t])
    total = total + x[np.array([1, 1, 3])].sum(0) + x[1:3].sum(0) + x[:, 0:1].sum(0)
    total.sum().backward()
    expected = weights.copy()
    expected[1] += 2.0
    expected[3] += 1.0
    expected[1:3] += 1.0
    expected[:, 0] += 3.0  # a (1, 4) sum broadcast over the 3 rows of total
    np.testing.assert_allclose(x.grad.numpy(), expected, rtol=0, atol=1e-12)
    # the same under create_graph (the VJPs run, no accumulation in place)
    x2 = ag.tensor(a, requires_grad=True)
    y = sum((x2[t] * x2[t]).sum() for t in range(5)) + (x2[0] * x2[0]).sum()
    (g,) = ag.grad(y, [x2], create_graph=True)
    expected = 2.0 * a
    expected[0] *= 2.0
    np.testing.assert_allclose(g.numpy(), expected, rtol=0, atol=1e-12)
