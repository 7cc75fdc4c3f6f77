"""``autograd.linalg``: PyTorch's torch.linalg names, values against torch, and clear errors."""

import numpy as np
import pytest

import autograd as ag

torch = pytest.importorskip("torch")


def test_norms_match_torch():
    a = np.random.default_rng(0).standard_normal((2, 3, 4))
    x, t = ag.tensor(a), torch.tensor(a)
    pairs = [
        (ag.linalg.norm(x), torch.linalg.norm(t)),
        (ag.linalg.norm(x, 3, dim=1), torch.linalg.norm(t, 3, dim=1)),
        (
            ag.linalg.vector_norm(x, 1, dim=(0, 2), keepdim=True),
            torch.linalg.vector_norm(t, 1, dim=(0, 2), keepdim=True),
        ),
        (ag.linalg.matrix_norm(x), torch.linalg.matrix_norm(t)),
        (ag.linalg.norm(x[0], "fro"), torch.linalg.norm(t[0], "fro")),
    ]
    for got, want in pairs:
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-12)


def test_inverse_solve_and_det_agree():
    a = np.random.default_rng(1).standard_normal((4, 4)) + 4 * np.eye(4)
    A = ag.tensor(a)
    np.testing.assert_allclose((ag.linalg.inv(A) @ A).numpy(), np.eye(4), atol=1e-12)
    b = ag.tensor(np.arange(4.0))
    np.testing.assert_allclose((A @ ag.linalg.solve(A, b)).numpy(), b.numpy(), atol=1e-12)
    sign, logabs = ag.linalg.slogdet(A)
    assert float(sign) * np.exp(float(logabs)) == pytest.approx(float(ag.linalg.det(A)), rel=1e-12)


def test_bad_matrices_are_clear_errors():
    with pytest.raises(ag.ShapeError, match=r"inverse: expected square matrices \(\.\.\., n, n\), got shape \(2, 3\)"):
        ag.linalg.inv(ag.zeros(2, 3))
    with pytest.raises(np.linalg.LinAlgError, match="inverse: .*singular"):
        ag.linalg.inv(ag.zeros(3, 3))
    with pytest.raises(ag.ShapeError, match=r"solve: B of shape \(4,\) does not match A of shape \(3, 3\)"):
        ag.linalg.solve(ag.eye(3), ag.zeros(4))
    with pytest.raises(NotImplementedError, match="nuc"):
        ag.linalg.norm(ag.eye(3), "nuc")
