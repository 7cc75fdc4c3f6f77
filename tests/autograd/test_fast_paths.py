"""The engine's fast paths (issue 9) agree with the general ones they shortcut."""

import numpy as np
import pytest

import autograd as ag
from autograd.ops.reduction import reduce_rows


@pytest.mark.parametrize(
    "shape", [(1, 10), (15, 5), (16, 10), (128, 32), (128, 33), (1000, 3), (16, 1), (40, 200), (10001, 10), (7000, 27)]
)
@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_reduce_rows_equals_numpys_row_reduction(shape, dtype):
    a = np.random.default_rng(shape[0] * shape[1]).standard_normal(shape).astype(dtype)
    m = reduce_rows(np.maximum, a)
    assert m.shape == (shape[0], 1) and m.dtype == dtype
    np.testing.assert_array_equal(m, a.max(axis=1, keepdims=True))  # max is exact in any order
    s = reduce_rows(np.add, a)
    assert s.shape == (shape[0], 1) and s.dtype == dtype
    if dtype == np.float16:  # summed by NumPy itself (its row sums accumulate in float32)
        np.testing.assert_array_equal(s, a.sum(axis=1, keepdims=True))
    else:
        tol = 1e-5 if dtype == np.float32 else 1e-13
        np.testing.assert_allclose(s, a.sum(axis=1, keepdims=True), rtol=tol, atol=tol)


@pytest.mark.parametrize("needs", [(False, True, False), (True, False, True), (False, False, True), (True, True, True)])
def test_three_input_op_records_exactly_the_inputs_that_need_grad(needs):
    rng = np.random.default_rng(0)
    x = ag.tensor(rng.standard_normal((5, 4)), requires_grad=needs[0])
    w = ag.tensor(rng.standard_normal((3, 4)), requires_grad=needs[1])
    b = ag.tensor(rng.standard_normal(3), requires_grad=needs[2])
    z = ag.linear(x, w, b)
    assert tuple(e is not None for e, _ in z.grad_fn.next_functions) == needs
    (z * z).sum().backward()
    g = 2 * z.array
    expected = (g @ w.array, g.T @ x.array, g.sum(0))
    for t, need, e in zip((x, w, b), needs, expected):
        if need:
            np.testing.assert_allclose(t.grad.array, e, rtol=1e-12)
        else:
            assert t.grad is None


def test_no_input_needs_grad_records_nothing():
    x, w, b = ag.randn(2, 3), ag.randn(4, 3), ag.randn(4)
    assert ag.linear(x, w, b).grad_fn is None


def test_leaf_gradients_never_share_memory():
    # g passed straight through (add) or a view must be copied before it becomes a .grad
    a = ag.randn(3, 4, requires_grad=True)
    b = ag.randn(3, 4, requires_grad=True)
    c = ag.randn(4, requires_grad=True)
    (a + b + c).sum().backward()
    assert not np.shares_memory(a.grad.array, b.grad.array)
    a.grad.array[...] = 7.0
    np.testing.assert_array_equal(b.grad.array, 1.0)
    np.testing.assert_array_equal(c.grad.array, 3.0)


def test_a_float64_gradient_for_a_float32_leaf_is_cast():
    x = ag.randn(3, requires_grad=True)  # float32
    y = x.double() * 2.0
    y.sum().backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_array_equal(x.grad.array, 2.0)


def test_an_in_place_change_after_saving_still_raises():
    w = ag.randn(3, 4, requires_grad=True)
    x = ag.randn(2, 4, requires_grad=True)
    h = x * 1.0
    z = ag.linear(h, w)
    with ag.no_grad():
        h.add_(1.0)
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        z.sum().backward()


def test_a_leaf_hook_returning_its_own_tensor_is_never_summed_into():
    x = ag.randn(3, requires_grad=True)
    replacement = ag.ones(3)
    x.register_hook(lambda g: replacement)
    (x * 2).sum().backward()
    (x * 2).sum().backward()  # the second backward accumulates into x.grad
    np.testing.assert_array_equal(replacement.array, 1.0)
    np.testing.assert_array_equal(x.grad.array, 2.0)
    assert not np.shares_memory(x.grad.array, replacement.array)


@pytest.mark.parametrize("limit", [1 << 16, 0])  # the one-hot GEMM, then sorted slices and reduceat
@pytest.mark.parametrize("d", [0, 1, 2])
def test_index_select_backward_paths_add_repeated_rows(d, limit, monkeypatch):
    """Both ways of index_select's VJP equal np.add.at, for sorted, unsorted, negative and repeated indices."""
    from autograd.ops import indexing

    monkeypatch.setattr(indexing, "_ONE_HOT_LIMIT", limit)
    rng = np.random.default_rng(d)
    shape = (3, 5, 4)
    for idx in (np.array([0, 0, 1, 2, 2, 2]), rng.integers(-shape[d], shape[d], 9), np.array([], dtype=np.int64)):
        x = ag.tensor(rng.standard_normal(shape), requires_grad=True)
        out = x.index_select(d, ag.tensor(idx))
        g = rng.standard_normal(out.shape)
        out.backward(ag.tensor(g))
        expected = np.zeros(shape)
        np.add.at(expected, (slice(None),) * d + (idx % shape[d],), g)
        np.testing.assert_allclose(x.grad.numpy(), expected, rtol=1e-12, atol=1e-12)
