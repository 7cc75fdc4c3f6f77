"""Matrix functions: inverse, det, slogdet and solve (batched over leading dims), each a primitive
with its VJP; ``autograd.linalg`` gathers them under PyTorch's ``torch.linalg`` names.

The VJPs are written with these same ops (and matmul), so under ``create_graph=True`` they are
recorded too: second derivatives come from the same rules.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np

from ..extend import Op, ShapeError, Tensor, apply, export, wrap

TITLE = "matrix functions"  # the family's name in the README op table

Slogdet = namedtuple("Slogdet", ["sign", "logabsdet"])


def _mT(v):
    """The transpose of the last two dims, for an array or a Tensor."""
    return v.mT if isinstance(v, Tensor) else np.swapaxes(v, -1, -2)


def _square(name, a):
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise ShapeError(f"{name}: expected square matrices (..., n, n), got shape {tuple(a.shape)}")
    if a.dtype.kind != "f":
        raise TypeError(f"{name}: expected a floating point tensor, got {a.dtype}")


def _checked(name, fn, *arrays):
    try:
        return fn(*arrays)
    except np.linalg.LinAlgError as e:
        raise np.linalg.LinAlgError(f"{name}: {e} (a singular matrix has no inverse; check the input)") from None


def _inverse_of(a):
    """A⁻¹ of an array or (recorded) of a Tensor."""
    return inverse(a) if isinstance(a, Tensor) else _checked("inverse", np.linalg.inv, a)


@export
def inverse(x):
    """A⁻¹ (of each matrix of a batch)."""
    _square("inverse", x)
    return apply(INVERSE, _checked("inverse", np.linalg.inv, x.array), (x,))


INVERSE = Op(
    "inverse",
    (lambda g, ctx, out, x: -(_mT(out) @ g @ _mT(out)),),
    saves_out=True,
    keeps_shape=True,
    rule="∂L/∂A = −A⁻ᵀ g A⁻ᵀ",
)


@export
def det(x):
    """det A (of each matrix of a batch); its gradient needs A invertible."""
    _square("det", x)
    return apply(DET, np.asarray(np.linalg.det(x.array), dtype=x.dtype), (x,))


DET = Op(
    "det",
    (lambda g, ctx, out, x: (g * out)[..., None, None] * _mT(_inverse_of(x)),),
    saves=(0,),
    saves_out=True,
    keeps_shape=False,
    rule="∂L/∂A = g · det A · A⁻ᵀ",
)


@export
def slogdet(x):
    """(sign, log|det A|), as PyTorch's ``slogdet``; the gradient flows through log|det A|."""
    _square("slogdet", x)
    sign, logabs = np.linalg.slogdet(x.array)
    return Slogdet(wrap(np.asarray(sign, dtype=x.dtype)), apply(LOGABSDET, np.asarray(logabs, dtype=x.dtype), (x,)))


LOGABSDET = Op(
    "logabsdet",
    (lambda g, ctx, out, x: g[..., None, None] * _mT(_inverse_of(x)),),
    saves=(0,),
    keeps_shape=False,
    rule="∂L/∂A = g · A⁻ᵀ",
)


def _solve_arrays(a, b, vector):
    return np.linalg.solve(a, b[..., None])[..., 0] if vector else np.linalg.solve(a, b)


def _solve_of(a, b, vector):
    """A⁻¹B of arrays, or (recorded) of Tensors."""
    if isinstance(a, Tensor) or isinstance(b, Tensor):
        return solve(a, b)
    return _checked("solve", _solve_arrays, a, b, vector)


def _solve_vjp_b(g, vector, out, a, b):
    return _solve_of(_mT(a), g, vector)


def _solve_vjp_a(g, vector, out, a, b):
    gb = _solve_of(_mT(a), g, vector)
    if vector:
        return -(gb[..., :, None] * out[..., None, :])
    return -(gb @ _mT(out))


SOLVE = Op(
    "solve",
    (_solve_vjp_a, _solve_vjp_b),
    saves=(0,),
    saves_out=True,
    keeps_shape=False,
    describe=lambda vector: "A x = b" if vector else "A X = B",
    rule="∂L/∂B = A⁻ᵀ g,  ∂L/∂A = −(A⁻ᵀ g) Xᵀ",
)


@export(methods=())
def solve(A, B):
    """X with A X = B: B (..., n) a vector or (..., n, k) matrices, with A's batch dims."""
    if not isinstance(A, Tensor):
        A = wrap(np.asarray(A))
    if not isinstance(B, Tensor):
        B = wrap(np.asarray(B, dtype=A.dtype))
    _square("solve", A)
    vector = B.ndim == A.ndim - 1
    n = A.shape[-1]
    if B.shape[: A.ndim - 2] != A.shape[:-2] or B.shape[A.ndim - 2] != n or B.ndim not in (A.ndim - 1, A.ndim):
        raise ShapeError(
            f"solve: B of shape {tuple(B.shape)} does not match A of shape {tuple(A.shape)} "
            f"(B is (..., n) or (..., n, k) with A's batch dims)"
        )
    if A.dtype != B.dtype:
        raise TypeError(f"solve: A is {A.dtype} but B is {B.dtype}; convert one with .to()")
    return apply(SOLVE, _checked("solve", _solve_arrays, A.array, B.array, vector), (A, B), vector)
