"""``axis=`` for ``dim=`` and ``keepdims=`` for ``keepdim=``, as PyTorch accepts, on every op that takes them."""

import inspect

import numpy as np
import pytest

import autograd as ag
from autograd.op import FUNCTIONS, KEYWORD_ALIASES

X = ag.tensor(np.random.default_rng(0).standard_normal((2, 3, 4)))
INDEX = ag.tensor(np.array([[[0, 2, 1, 0]], [[1, 1, 0, 2]]]))  # (2, 1, 4), entries < 3

# The positional arguments (after the tensor) and the dim of ops that need more than (x, dim=1).
CALLS = {
    "repeat_interleave": ((2,), 1),
    "split": ((1,), 1),
    "chunk": ((2,), 1),
    "narrow": ((), 1, {"start": 0, "length": 2}),
    "unflatten": ((), 1, {"sizes": (3, 1)}),
    "take_along_dim": ((INDEX,), 1),
    "gather": ((), 1, {"index": INDEX}),
    "scatter": ((), 1, {"index": INDEX, "src": ag.ones(2, 1, 4, dtype=ag.float64)}),
    "scatter_add": ((), 1, {"index": INDEX, "src": ag.ones(2, 1, 4, dtype=ag.float64)}),
    "index_select": ((), 1, {"index": ag.tensor([2, 0])}),
    "topk": ((2,), 1),
    "glu": ((), 2),
    "cosine_similarity": ((X,), 1),
    "cross": ((X,), 1),
    "index_add": ((), 1, {"index": ag.tensor([2, 0]), "source": ag.ones(2, 2, 4, dtype=ag.float64)}),
    "index_copy": ((), 1, {"index": ag.tensor([2, 0]), "source": ag.ones(2, 2, 4, dtype=ag.float64)}),
    "index_fill": ((), 1, {"index": ag.tensor([2, 0]), "value": 1.0}),
    "kthvalue": ((2,), 1),
    "quantile": ((0.5,), 1),
    "select": ((), 1, {"index": 0}),
    "tensor_split": ((2,), 1),
}
LISTS = {"cat", "stack"}  # take a list of tensors


def _has(fn, name):
    params = inspect.signature(fn).parameters
    return name in params and params[name].kind in (params[name].POSITIONAL_OR_KEYWORD, params[name].KEYWORD_ONLY)


WITH_DIM = sorted(name for name, e in FUNCTIONS.items() if _has(e.fn, "dim"))


def _arrays(out):
    """Every array in an op's result (a Tensor, or a tuple or list of them)."""
    if isinstance(out, ag.Tensor):
        return [out.numpy()]
    return [a for item in out for a in _arrays(item)]


def _call(fn, name, first, **keywords):
    args, dim, extra = (CALLS.get(name, ((), 1)) + ({},))[:3]
    return fn(first, *args, **extra, **keywords), dim


def _same(a, b):
    assert len(a) == len(b)
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)


def test_the_table_lists_the_ops_that_take_dim():
    assert len(WITH_DIM) > 40 and {"sum", "mean", "max", "cumsum", "softmax", "cat", "squeeze", "sort"} <= set(WITH_DIM)
    assert set(CALLS) <= set(WITH_DIM)


@pytest.mark.parametrize("name", WITH_DIM)
def test_axis_and_keepdims_are_dim_and_keepdim(name):
    export = FUNCTIONS[name]
    first = [X, X] if name in LISTS else X
    dim = (CALLS.get(name, ((), 1)))[1]
    by_dim, _ = _call(export.fn, name, first, dim=dim)
    by_axis, _ = _call(export.fn, name, first, axis=dim)
    _same(_arrays(by_dim), _arrays(by_axis))
    if _has(export.fn, "keepdim"):
        kept, _ = _call(export.fn, name, first, dim=dim, keepdim=True)
        _same(_arrays(kept), _arrays(_call(export.fn, name, first, axis=dim, keepdims=True)[0]))
    with pytest.raises(TypeError, match="both axis= and dim="):
        _call(export.fn, name, first, dim=dim, axis=dim)
    if name in LISTS:
        return
    for method_name, impl in export.methods.items():
        in_place = method_name.endswith("_")  # x.index_add_(...) would change the shared X
        if callable(impl) and not method_name.startswith("__") and not in_place and _has(impl, "dim"):
            method = getattr(X, method_name)
            _same(_arrays(_call(lambda _, *a, **k: method(*a, **k), name, X, dim=dim)[0]), _arrays(by_dim))
            _same(_arrays(_call(lambda _, *a, **k: method(*a, **k), name, X, axis=dim)[0]), _arrays(by_dim))


def test_aliases_are_the_two_numpy_names():
    assert KEYWORD_ALIASES == {"axis": "dim", "keepdims": "keepdim"}
    assert X.sum(axis=(0, 2), keepdims=True).shape == (1, 3, 1)
    assert ag.amax(X, axis=-1).shape == (2, 3)


def test_an_op_registered_later_takes_the_aliases_too():
    from autograd.extend import export

    @export(name="test_alias_total")
    def total(x, dim=None, keepdim=False):
        """Σ over dim (a test op)."""
        return x.sum(dim, keepdim)

    try:
        assert ag.test_alias_total(X, axis=1, keepdims=True).shape == (2, 1, 4)
        assert X.test_alias_total(axis=2).shape == (2, 3)
    finally:
        FUNCTIONS.pop("test_alias_total")
        delattr(ag.Tensor, "test_alias_total")
        vars(ag).pop("test_alias_total")
