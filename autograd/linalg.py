"""PyTorch's ``torch.linalg`` names: ``inv det slogdet solve norm vector_norm matrix_norm``."""

from __future__ import annotations

from .ops.matrix import det, inverse, slogdet, solve
from .ops.reduction import norm as _norm

__all__ = ["inv", "det", "slogdet", "solve", "norm", "vector_norm", "matrix_norm"]

inv = inverse


def vector_norm(x, ord=2, dim=None, keepdim=False):
    """The vector ord-norm over ``dim`` (all entries by default): 2, 1, inf, −inf, 0 or any p."""
    return _norm(x, ord, dim, keepdim)


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False):
    """The Frobenius norm of each matrix (over the last two dims); other ords are not here yet."""
    if ord != "fro":
        raise NotImplementedError(f"matrix_norm: only ord='fro' is supported, got {ord!r}")
    return _norm(A, "fro", dim, keepdim)


def norm(x, ord=None, dim=None, keepdim=False):
    """torch.linalg.norm: with ord None the 2-norm of the flattened entries (Frobenius for a matrix);
    a number ord is a vector norm; ord='fro' a matrix norm."""
    if ord is None:
        return _norm(x, 2, dim, keepdim)
    if ord == "fro":
        return matrix_norm(x, "fro", (-2, -1) if dim is None else dim, keepdim)
    if isinstance(ord, str):
        raise NotImplementedError(f"linalg.norm: ord={ord!r} is not supported (use 'fro' or a number)")
    return vector_norm(x, ord, dim, keepdim)
