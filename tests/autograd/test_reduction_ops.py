"""Reductions and scans at the points the op table's random inputs miss: zeros, ties, bad dims."""

import numpy as np
import pytest
import torch

import autograd as ag


def _grads(fn, data, **kw):
    x = ag.tensor(data, requires_grad=True)
    out = fn(x, ag)
    out.sum().backward()
    t = torch.tensor(data, requires_grad=True)
    tout = fn(t, torch)
    tout.sum().backward()
    np.testing.assert_allclose(out.array, tout.detach().numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(x.grad.array, t.grad.numpy(), rtol=1e-12, atol=1e-12)


ZEROS = [
    np.array([[1.5, 0.0, 3.0], [2.0, 0.0, 0.0], [0.5, 2.0, -1.0]]),
    np.array([[0.0, 0.0, 0.0], [0.0, 2.0, 0.0], [1.0, 2.0, 3.0]]),
]


@pytest.mark.parametrize("data", ZEROS)
@pytest.mark.parametrize(
    "fn",
    [
        lambda x, lib: x.prod(),
        lambda x, lib: x.prod(1),
        lambda x, lib: x.prod(0, keepdim=True),
        lambda x, lib: x.cumprod(1),
        lambda x, lib: x.cumprod(0),
    ],
)
def test_prod_and_cumprod_gradients_with_zeros_match_torch(fn, data):
    _grads(fn, data)


def test_prod_second_order_with_one_zero_matches_torch():
    data = np.array([2.0, 0.0, 3.0])
    x = ag.tensor(data, requires_grad=True)
    (g,) = ag.grad(x.prod(), x, create_graph=True)
    t = torch.tensor(data, requires_grad=True)
    (tg,) = torch.autograd.grad(t.prod(), t, create_graph=True)
    np.testing.assert_allclose(g.array, tg.detach().numpy())


def test_scan_errors_name_the_op_and_shape():
    x = ag.tensor(np.ones((2, 3)))
    with pytest.raises(IndexError, match="cumsum"):
        x.cumsum(2)
    with pytest.raises(TypeError, match=r"cumprod.*\(2, 3\)"):
        ag.cumprod(x)


def test_logcumsumexp_is_stable():
    data = np.array([1000.0, 1000.0, -1000.0])
    out = ag.tensor(data).logcumsumexp(0)
    np.testing.assert_allclose(out.array, torch.tensor(data).logcumsumexp(0).numpy())


def test_sort_topk_median_errors_name_the_op_and_shape():
    x = ag.tensor(np.ones((2, 3)))
    with pytest.raises(IndexError, match=r"topk.*k=4.*\(2, 3\)"):
        x.topk(4)
    with pytest.raises(IndexError, match="topk"):
        x.topk(-1)
    with pytest.raises(IndexError, match="sort"):
        x.sort(dim=2)
    with pytest.raises(IndexError, match=r"median.*\(2, 0\)"):
        ag.tensor(np.ones((2, 0))).median(1)


def test_stable_sort_and_cummax_ties_match_torch():
    data = np.array([[1.0, 3.0, 1.0, 3.0, 2.0], [0.0, 0.0, 0.0, 1.0, 1.0]])
    x, t = ag.tensor(data), torch.tensor(data)
    for desc in (False, True):
        assert (
            x.sort(dim=1, descending=desc, stable=True).indices.array
            == t.sort(dim=1, descending=desc, stable=True).indices.numpy()
        ).all()
    for name in ("cummax", "cummin"):
        assert (getattr(x, name)(1).indices.array == getattr(t, name)(1).indices.numpy()).all()


def test_all_any_return_bool_and_median_of_nothing_is_nan():
    x = ag.tensor(np.array([[1.0, 0.0], [2.0, 3.0]]))
    assert x.all(1).dtype == np.bool_ and x.any(dim=0, keepdim=True).shape == (1, 2)
    assert x.all().item() is False or not x.all().item()
    assert np.isnan(ag.tensor(np.zeros((0,))).median().item())


@pytest.mark.parametrize("p", ["fro", 2, 1, 3.0, float("inf")])
def test_norm_of_the_zero_vector_has_gradient_zero_as_torch(p):
    _grads(lambda x, lib: x.norm(p, dim=1), np.zeros((2, 3)))


def test_norm_errors_name_the_op():
    with pytest.raises(ValueError, match="norm"):
        ag.tensor(np.ones(3)).norm("nuc")
    with pytest.raises(IndexError, match="norm"):
        ag.tensor(np.ones(3)).norm(dim=1)
