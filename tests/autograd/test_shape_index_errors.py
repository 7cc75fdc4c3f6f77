"""Bad dims, sizes and indices for the shape, indexing and product ops: errors that name the op and the shapes."""

import numpy as np
import pytest

import autograd as ag
from autograd.errors import ShapeError

X = ag.tensor(np.zeros((3, 4)))
V = ag.tensor(np.zeros(3))

CASES = [
    (lambda: X.flip(2), IndexError, r"flip: dimension out of range"),
    (lambda: V.tril(), ShapeError, r"tril: .*shape \(3,\)"),
    (lambda: X.repeat(2), ShapeError, r"repeat: .*\(3, 4\)"),
    (lambda: X.repeat_interleave(ag.tensor(np.array([1, 2])), dim=0), ShapeError, r"repeat_interleave: .*\(3, 4\)"),
    (lambda: X.split([1, 2], 1), ShapeError, r"split: sizes \[1, 2\] .*\(3, 4\)"),
    (lambda: X.chunk(0), ValueError, r"chunk: chunks must be positive"),
    (lambda: X.narrow(1, 3, 2), IndexError, r"narrow: .*\(3, 4\)"),
    (lambda: X.unflatten(1, (3, -1)), ShapeError, r"unflatten: .*\(3, 4\)"),
    (lambda: X.movedim(0, 2), IndexError, r"movedim: dimension out of range"),
    (lambda: X.gather(1, np.array([[4]])), IndexError, r"gather: index 4 .*size 4 .*\(3, 4\)"),
    (lambda: X.gather(1, np.array([0])), ShapeError, r"gather: index of shape \(1,\) .*\(3, 4\)"),
    (lambda: X.gather(1, np.array([[0.5]])), TypeError, r"gather: index must be an integer"),
    (lambda: X.scatter(0, np.array([[0, 1]]), ag.zeros(1, 1)), ShapeError, r"scatter: .*src of shape \(1, 1\)"),
    (lambda: X.scatter_add(0, np.array([[0]]), ag.zeros(2)), ShapeError, r"scatter_add: src of shape \(2,\)"),
    (lambda: X.index_select(0, np.array([[0]])), ShapeError, r"index_select: index must be 1-D"),
    (lambda: X.index_select(0, np.array([3])), IndexError, r"index_select: .*size 3 .*\(3, 4\)"),
    (lambda: X.masked_fill(np.ones(3, bool), 1.0), ShapeError, r"masked_fill: mask of shape \(3,\) .*\(3, 4\)"),
    (lambda: X.masked_fill(np.ones(4), 1.0), TypeError, r"masked_fill: mask must be a bool"),
    (lambda: X.masked_select(np.ones(2, bool)), ShapeError, r"masked_select: .*\(2,\) .*\(3, 4\)"),
    (lambda: ag.diag(ag.zeros(2, 2, 2)), ShapeError, r"diag: .*\(2, 2, 2\)"),
    (lambda: X.diagonal(0, 1, 1), ValueError, r"diagonal: dim1 and dim2"),
    (lambda: V.trace(), ShapeError, r"trace: .*\(3,\)"),
    (lambda: X.outer(V), ShapeError, r"outer: .*\(3, 4\) and \(3,\)"),
    (lambda: V.dot(ag.zeros(4)), ShapeError, r"dot: .*\(3,\) and \(4,\)"),
    (lambda: X.mm(X), ShapeError, r"mm: .*\(3, 4\) and \(3, 4\)"),
    (lambda: ag.bmm(X, X), ShapeError, r"bmm: .*\(3, 4\) and \(3, 4\)"),
    (lambda: ag.tensordot(X, X, dims=([0], [1])), ShapeError, r"tensordot: .*\(3, 4\)"),
    (lambda: ag.einsum("ij,jk", X, X), ShapeError, r"einsum: subscript 'j' has size 4 .* 3"),
    (lambda: ag.einsum("ijk", X), ShapeError, r"einsum: subscripts 'ijk' .*\(3, 4\)"),
    (lambda: ag.einsum("ij,j", X), ValueError, r"einsum: .*2 operands, got 1"),
]


@pytest.mark.parametrize(
    "call,error,message", CASES, ids=[m.split(":")[0] + str(i) for i, (_, _, m) in enumerate(CASES)]
)
def test_bad_arguments_name_the_op_and_shapes(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_nonzero_as_tuple_and_no_gradient():
    x = ag.tensor(np.array([[0.0, 1.5], [2.0, 0.0]]), requires_grad=True)
    rows, cols = x.nonzero(as_tuple=True)
    assert rows.array.tolist() == [0, 1] and cols.array.tolist() == [1, 0]
    assert not x.nonzero().requires_grad and x.nonzero().dtype == np.int64


def test_split_chunk_unbind_return_tuples():
    x = ag.tensor(np.arange(10.0).reshape(2, 5))
    assert isinstance(x.split(2, 1), tuple) and [p.shape for p in x.split(2, 1)] == [(2, 2), (2, 2), (2, 1)]
    assert isinstance(ag.chunk(x, 2, 1), tuple) and [p.shape for p in ag.chunk(x, 2, 1)] == [(2, 3), (2, 2)]
    assert isinstance(x.unbind(), tuple) and len(x.unbind()) == 2
