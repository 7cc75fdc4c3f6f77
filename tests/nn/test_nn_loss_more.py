"""HingeEmbeddingLoss, MultiLabelSoftMarginLoss, MultiMarginLoss, TripletMarginLoss and GaussianNLLLoss
against torch.nn (float64): values and the gradients of every float argument, over their options; the
functional forms under gradcheck and gradgradcheck; bad inputs named in the errors."""

import numpy as np
import pytest
from nn_testutil import compare_twins, t64

import autograd as ag
import nn
import nn.functional as F

torch = pytest.importorskip("torch")
tnn = torch.nn

RNG = np.random.default_rng(0)
X = RNG.standard_normal((5, 4))
X1 = RNG.standard_normal(4)
SIGNS = np.where(RNG.random((5, 4)) < 0.5, -1, 1).astype(np.int64)
LABELS01 = (RNG.random((5, 4)) < 0.5).astype(np.float64)
CLASSES = np.array([0, 3, 1, 3, 2])
A, P, N = RNG.standard_normal((3, 5, 6))
VAR = RNG.uniform(0.2, 2.0, (5, 4))
W4 = np.array([0.5, 2.0, 1.0, 3.0])


def _pair(make, weight=None, **kw):
    """Our loss and torch's, with the same constructor arguments (a class weight as a tensor of each)."""
    if weight is None:
        return getattr(nn, make)(**kw), getattr(tnn, make)(**kw)
    return getattr(nn, make)(weight=ag.tensor(weight), **kw), getattr(tnn, make)(weight=torch.tensor(weight), **kw)


CASES = [
    ("hinge", lambda: _pair("HingeEmbeddingLoss"), (X, SIGNS)),
    ("hinge-margin-sum", lambda: _pair("HingeEmbeddingLoss", margin=0.3, reduction="sum"), (X, SIGNS)),
    ("hinge-none", lambda: _pair("HingeEmbeddingLoss", margin=2.0, reduction="none"), (X, SIGNS)),
    ("multilabel", lambda: _pair("MultiLabelSoftMarginLoss"), (X, LABELS01)),
    ("multilabel-weight-none", lambda: _pair("MultiLabelSoftMarginLoss", W4, reduction="none"), (X, LABELS01)),
    ("multilabel-soft-sum", lambda: _pair("MultiLabelSoftMarginLoss", reduction="sum"), (X, LABELS01 * 0.8 + 0.1)),
    ("multimargin", lambda: _pair("MultiMarginLoss"), (X, CLASSES)),
    ("multimargin-p2", lambda: _pair("MultiMarginLoss", p=2, margin=0.5), (X, CLASSES)),
    ("multimargin-weight-none", lambda: _pair("MultiMarginLoss", W4, margin=2.0, reduction="none"), (X, CLASSES)),
    ("multimargin-p2-weight-sum", lambda: _pair("MultiMarginLoss", W4, p=2, reduction="sum"), (X, CLASSES)),
    ("multimargin-1d", lambda: _pair("MultiMarginLoss", margin=3.0), (X1, np.array([2]))),
    ("triplet", lambda: _pair("TripletMarginLoss"), (A, P, N)),
    ("triplet-swap-p1", lambda: _pair("TripletMarginLoss", margin=2.0, p=1.0, swap=True), (A, P, N)),
    ("triplet-p3-none", lambda: _pair("TripletMarginLoss", margin=1.5, p=3.0, eps=1e-3, reduction="none"), (A, P, N)),
    ("triplet-1d-sum", lambda: _pair("TripletMarginLoss", margin=3.0, reduction="sum"), (A[0], P[0], N[0])),
    ("gaussian", lambda: _pair("GaussianNLLLoss"), (X, P[:, :4], VAR)),
    ("gaussian-full-sum", lambda: _pair("GaussianNLLLoss", full=True, reduction="sum"), (X, P[:, :4], VAR)),
    ("gaussian-homoscedastic", lambda: _pair("GaussianNLLLoss"), (X, P[:, :4], VAR[:, 0])),
    ("gaussian-last1-none", lambda: _pair("GaussianNLLLoss", reduction="none"), (X, P[:, :4], VAR[:, :1])),
    ("gaussian-clamped", lambda: _pair("GaussianNLLLoss", eps=0.5), (X, P[:, :4], VAR)),  # some var < ε
]


@pytest.mark.parametrize("make, args", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_matches_torch(make, args):
    ours, theirs = make()
    assert list(ours.state_dict()) == list(theirs.state_dict())
    compare_twins(ours, theirs, *args, tol=1e-12)


def test_gaussian_nll_with_a_number_var():
    x, y = ag.tensor(X, requires_grad=True), torch.tensor(X, requires_grad=True)
    ours = F.gaussian_nll_loss(x, P[:, :4], 0.7, full=True)
    theirs = torch.nn.functional.gaussian_nll_loss(
        y, torch.tensor(P[:, :4]), torch.full((5, 4), 0.7, dtype=torch.float64), full=True
    )
    ours.backward()
    theirs.backward()
    np.testing.assert_allclose(ours.item(), theirs.item(), rtol=1e-12)
    np.testing.assert_allclose(x.grad.numpy(), y.grad.numpy(), rtol=1e-12)


FUNCTIONAL = [
    ("hinge", lambda x, y: F.hinge_embedding_loss(x, SIGNS, 0.8) * y.sum(), ((5, 4), (2,))),
    ("multilabel", lambda x, y: F.multilabel_soft_margin_loss(x, y, ag.tensor(W4)), ((5, 4), (5, 4))),
    ("multimargin-p1", lambda x, w: F.multi_margin_loss(x, CLASSES, 1, 0.9, w), ((5, 4), (4,))),
    ("multimargin-p2", lambda x, w: F.multi_margin_loss(x, CLASSES, 2, 1.1, w), ((5, 4), (4,))),
    ("triplet", lambda a, p: F.triplet_margin_loss(a, p, ag.tensor(N), 2.0, swap=True), ((5, 6), (5, 6))),
    ("gaussian", lambda x, v: F.gaussian_nll_loss(x, P[:, :4], v.abs() + 0.1, True), ((5, 4), (5, 4))),
]


@pytest.mark.parametrize("fn, shapes", [f[1:] for f in FUNCTIONAL], ids=[f[0] for f in FUNCTIONAL])
def test_functional_gradcheck(fn, shapes):
    args = tuple(t64(*s, seed=i) for i, s in enumerate(shapes))
    assert ag.gradcheck(fn, args)
    assert ag.gradgradcheck(fn, args)


def test_bad_inputs_name_the_shapes():
    with pytest.raises(ag.ShapeError, match=r"input \(5, 4\), target \(5,\)"):
        nn.HingeEmbeddingLoss()(ag.tensor(X), SIGNS[:, 0])
    with pytest.raises(ag.ShapeError, match=r"input \(5, 4\), target \(5, 3\)"):
        nn.MultiLabelSoftMarginLoss()(ag.tensor(X), LABELS01[:, :3])
    with pytest.raises(ag.ShapeError, match=r"\(5, 4\) needs 5 targets, got shape \(3,\)"):
        nn.MultiMarginLoss()(ag.tensor(X), CLASSES[:3])
    with pytest.raises(IndexError, match="index 4 is out of range"):
        nn.MultiMarginLoss()(ag.tensor(X), np.array([0, 4, 1, 1, 1]))
    with pytest.raises(ValueError, match="only p = 1 and p = 2"):
        nn.MultiMarginLoss(p=3)
    with pytest.raises(ag.ShapeError, match=r"\(5, 6\), \(6,\), \(5, 6\)"):
        nn.TripletMarginLoss()(ag.tensor(A), ag.tensor(P[0]), ag.tensor(N))
    with pytest.raises(ValueError, match=r"var is of incorrect size \(5, 2\) for input \(5, 4\)"):
        nn.GaussianNLLLoss()(ag.tensor(X), X, ag.tensor(VAR[:, :2]))
    with pytest.raises(ValueError, match="negative"):
        nn.GaussianNLLLoss()(ag.tensor(X), X, ag.tensor(-VAR))
    with pytest.raises(ValueError, match="reduction"):
        F.triplet_margin_loss(ag.tensor(A), ag.tensor(P), ag.tensor(N), reduction="avg")
