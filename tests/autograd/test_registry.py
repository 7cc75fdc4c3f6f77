"""The op registry is complete: every op has a test row, its record is truthful, and the docs are current.

Forgetting a part of an op fails here: a row in op_table.py (gradcheck, second order, PyTorch),
a record that lies about keeping its input's shape or cannot describe its attributes, a Scalar
function that disagrees with the Tensor op, or a README op table that was not regenerated.
"""

import itertools
import math
import pathlib

import numpy as np
import pytest
from op_table import CASES, make_inputs, params, second_order_params

import autograd as ag
from autograd import methods, mode
from autograd.node import Node, postorder
from autograd.op import FUNCTIONS

ROOT = pathlib.Path(__file__).resolve().parents[2]
BUILTIN_OPS = methods.BUILTIN_OPS


def _graph_nodes(out):
    """Every Node behind ``out``."""
    root = out.grad_fn
    if root is None:
        return []
    return [v for v in postorder([root], lambda v: v.next if isinstance(v, Node) else ()) if isinstance(v, Node)]


def _run_case(case, shapes, second_order=False):
    """The Nodes a row's forward makes (and, for second order, those its backward records)."""
    rng = np.random.default_rng(0)
    xs = [ag.tensor(a, requires_grad=True) for a in make_inputs(case, shapes, rng)]
    with mode.retain_values():
        out = case.fn(*xs)
    nodes = _graph_nodes(out)
    if second_order and out.requires_grad:
        weights = ag.tensor(rng.standard_normal(out.shape), requires_grad=True)
        grads = ag.grad((out * weights).sum(), xs, create_graph=True, allow_unused=True)
        for g in grads:
            if g is not None and g.requires_grad:
                nodes += _graph_nodes(g)
    return nodes


def _covered(second_order):
    """ids of the ops the rows reach: forward graphs of every row, or forward and backward graphs
    of the rows the second-order check runs."""
    rows = second_order_params() if second_order else [p for p in params() if p[0].grad]
    seen = set()
    for case, shapes, _ in rows:
        seen.update(id(n.op) for n in _run_case(case, shapes, second_order))
    return seen


BUILTIN_FUNCTIONS = [name for name, e in FUNCTIONS.items() if e.fn.__module__.startswith("autograd.")]


def test_every_registered_op_function_has_a_row():
    missing = [name for name in BUILTIN_FUNCTIONS if not any(case.covers(name) for case in CASES)]
    assert not missing, f"registered ops without a row in tests/autograd/op_table.py: {missing}"


def test_every_primitive_is_gradchecked_and_compared_with_torch():
    # An adjoint primitive (conv2d_input_grad, scatter_add...) runs only in a recorded backward;
    # the second-order check covers it.
    seen = _covered(second_order=False) | _covered(second_order=True)
    missing = [op for op in BUILTIN_OPS if id(op) not in seen]
    assert not missing, (
        f"primitives no row of tests/autograd/op_table.py reaches (so no gradcheck or PyTorch "
        f"comparison covers them): {missing}"
    )


def test_every_primitive_is_checked_to_second_order():
    seen = _covered(second_order=True)
    missing = [op for op in BUILTIN_OPS if id(op) not in seen]
    assert not missing, f"primitives no second-order row (second_order=True) reaches: {missing}"


def test_every_record_is_complete():
    for op in BUILTIN_OPS:
        assert op.rule, op
        assert isinstance(op.keeps_shape, bool), op
        assert op.describe is None or callable(op.describe), op


@pytest.mark.parametrize(
    "case,shapes", [(c, s) for c, s, _ in params() if c.grad], ids=[i for c, _, i in params() if c.grad]
)
def test_records_tell_the_truth(case, shapes):
    """keeps_shape holds for every node made, and describe gives text for every node's attributes."""
    for node in _run_case(case, shapes):
        op = node.op
        if op.describe is not None and node.ctx is not None:
            assert isinstance(op.describe(node.ctx), str), op
        if op.keeps_shape:
            x = node.inputs[0] if node.inputs is not None else None
            vertex = node.next[0]
            if x is not None:
                shape = x.shape
            elif isinstance(vertex, Node):
                shape = np.shape(vertex.value)
            elif vertex is not None:
                shape = vertex.shape
            else:
                continue  # a constant input the op did not save: nothing to compare with
            assert np.shape(node.value) == tuple(shape), f"{op} says it keeps its input's shape"


SCALAR_POINTS = [-1.3, -0.2, 0.4, 2.1]
# Where a function is defined only on part of the line, the points are mapped into its domain.
SCALAR_DOMAINS = {
    "log": abs,
    "sqrt": abs,
    "log2": abs,
    "log10": abs,
    "log1p": abs,
    "rsqrt": abs,
    "asin": lambda v: v / 2.5,
    "acos": lambda v: v / 2.5,
    "atanh": lambda v: v / 2.5,
    "acosh": lambda v: abs(v) + 1.0,
}


def _binary_scalar(name):
    return len(FUNCTIONS[name].scalar[0].vjps) == 2


@pytest.mark.parametrize("name", [n for n, e in FUNCTIONS.items() if e.scalar is not None and not _binary_scalar(n)])
def test_scalar_functions_match_the_tensor_op(name):
    export = FUNCTIONS[name]
    for v in SCALAR_POINTS:
        v = SCALAR_DOMAINS.get(name, float)(v)
        s = ag.Scalar(v)
        out = getattr(s, name)()
        out.backward()
        x = ag.tensor(np.float64(v), requires_grad=True)
        t = export.fn(x)
        t.backward()
        assert out.op is export.scalar[0]
        assert math.isclose(out.data, t.item(), rel_tol=1e-12, abs_tol=1e-15), (name, v)
        assert math.isclose(s.grad, x.grad.item(), rel_tol=1e-12, abs_tol=1e-15), (name, v)


@pytest.mark.parametrize("name", [n for n, e in FUNCTIONS.items() if e.scalar is not None and _binary_scalar(n)])
def test_two_input_scalar_functions_match_the_tensor_op(name):
    export = FUNCTIONS[name]
    for u, v in itertools.product(SCALAR_POINTS, repeat=2):
        a, b = ag.Scalar(u), ag.Scalar(v)
        out = getattr(a, name)(b)
        out.backward()
        x, y = (ag.tensor(np.float64(w), requires_grad=True) for w in (u, v))
        t = export.fn(x, y)
        t.backward()
        assert out.op is export.scalar[0]
        for got, want in ((out.data, t.item()), (a.grad, x.grad.item()), (b.grad, y.grad.item())):
            assert isinstance(got, float)
            assert math.isclose(got, want, rel_tol=1e-12, abs_tol=1e-15) or (math.isnan(got) and math.isnan(want)), (
                name,
                u,
                v,
            )


def test_tensor_methods_come_from_the_records():
    for export in FUNCTIONS.values():
        for method_name, impl in export.methods.items():
            assert getattr(ag.Tensor, method_name) is impl, (export.name, method_name)


def test_readme_op_table_is_current():
    readme = (ROOT / "README.md").read_text()
    start, end = methods.OP_TABLE_START, methods.OP_TABLE_END
    assert start in readme and end in readme, "README.md lost its op-table markers"
    current = readme[readme.index(start) + len(start) : readme.index(end)].strip()
    assert current == methods.op_table_markdown().strip(), (
        "the README op table is stale: run `make docs` (python -m scripts.update_docs rewrites it from the registry)"
    )


def test_an_op_registered_after_import_is_complete():
    """A user's op (the README's example) becomes autograd.<name>, a Tensor method and a Scalar one."""
    from autograd.extend import elementwise

    @elementwise(
        lambda g, ctx, out, x: g * 3.0, rule="∂L/∂x = 3g", scalar=lambda v: 3.0 * v, methods=("triple_test_op",)
    )
    def triple_test_op(a):
        """3x."""
        return 3.0 * a

    try:
        x = ag.tensor([1.0, 2.0], dtype=np.float64, requires_grad=True)
        assert ag.triple_test_op is triple_test_op
        x.triple_test_op().sum().backward()
        np.testing.assert_array_equal(x.grad.array, [3.0, 3.0])
        s = ag.Scalar(2.0)
        out = s.triple_test_op()
        out.backward()
        assert out.data == 6.0 and s.grad == 3.0
    finally:  # leave the registry as the other tests expect it
        del FUNCTIONS["triple_test_op"]
        ag.op.OPS.remove(triple_test_op.op)
