"""Every path of the fast convolution and pooling (issue 20) agrees with PyTorch in float64."""

import numpy as np
import pytest

import autograd as ag
from autograd.ops import conv

torch = pytest.importorskip("torch")
F = torch.nn.functional

CASES = [
    # (N, C, O, H, W, k, kwargs): the full-convolution δa, col2im (few channels, stride 2), 1×1, groups
    (7, 8, 6, 9, 7, 3, {"padding": 1}),
    (5, 3, 4, 8, 8, 3, {"padding": 1}),
    (6, 8, 4, 9, 9, 3, {"stride": 2, "padding": 1}),
    (4, 8, 8, 7, 7, 3, {"padding": 2, "dilation": 2, "groups": 2}),
    (4, 16, 8, 6, 5, 5, {"padding": 4}),
    (3, 16, 8, 5, 6, 1, {}),
    (3, 8, 8, 5, 6, 1, {"stride": 2, "padding": 1}),
    (1, 8, 8, 5, 5, 3, {"padding": 3, "groups": 8}),
]


@pytest.mark.parametrize("N, C, O, H, W, k, kwargs", CASES)
def test_conv2d_paths_match_torch(N, C, O, H, W, k, kwargs, monkeypatch):
    monkeypatch.setattr(conv, "_CHUNK_BYTES", 2048)  # several chunks, the last one partial
    rng = np.random.default_rng(N * C + O)
    a = rng.standard_normal((N, C, H, W))
    wa = rng.standard_normal((O, C // kwargs.get("groups", 1), k, k))
    ba = rng.standard_normal(O)
    for _ in range(2):  # the second call runs on the reused scratch buffers
        x, w, b = (ag.tensor(v, requires_grad=True) for v in (a, wa, ba))
        out = ag.conv2d(x, w, b, **kwargs)
        g = rng.standard_normal(out.shape)
        (out * ag.tensor(g)).sum().backward()
        tx, tw, tb = (torch.tensor(v, requires_grad=True) for v in (a, wa, ba))
        tout = F.conv2d(tx, tw, tb, **kwargs)
        (tout * torch.tensor(g)).sum().backward()
        np.testing.assert_allclose(out.array, tout.detach().numpy(), rtol=1e-10, atol=1e-10)
        for mine, theirs in ((x, tx), (w, tw), (b, tb)):
            np.testing.assert_allclose(mine.grad, theirs.grad.numpy(), rtol=1e-10, atol=1e-10)


def test_one_conv_applied_twice_in_a_graph_gets_both_gradients():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((4, 8, 6, 6))
    wa = rng.standard_normal((8, 8, 3, 3))
    x, w = ag.tensor(a, requires_grad=True), ag.tensor(wa, requires_grad=True)
    ag.conv2d(ag.conv2d(x, w, padding=1).tanh(), w, padding=1).sum().backward()
    tx, tw = torch.tensor(a, requires_grad=True), torch.tensor(wa, requires_grad=True)
    F.conv2d(F.conv2d(tx, tw, padding=1).tanh(), tw, padding=1).sum().backward()
    np.testing.assert_allclose(w.grad, tw.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(x.grad, tx.grad.numpy(), rtol=1e-10)


@pytest.mark.parametrize("kernel, stride, padding", [(2, None, 0), (3, 2, 1), (3, 1, 1), (2, 3, 0)])
def test_max_pool_ties_and_overlaps_match_torch(kernel, stride, padding):
    a = np.round(np.random.default_rng(kernel).standard_normal((2, 3, 7, 8)))  # many ties
    x = ag.tensor(a, requires_grad=True)
    out = ag.max_pool2d(x, kernel, stride, padding)
    out.sum().backward()
    tx = torch.tensor(a, requires_grad=True)
    tout = F.max_pool2d(tx, kernel, stride, padding)
    tout.sum().backward()
    np.testing.assert_array_equal(out.array, tout.detach().numpy())
    np.testing.assert_array_equal(x.grad, tx.grad.numpy())
