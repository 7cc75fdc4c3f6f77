"""Names other libraries' code reaches for: PyTorch's ``next_functions`` pairs and ``Backward0`` node
names, micrograd's ``_prev``/``_op`` on a Scalar, NumPy's function names (as HIPS autograd code uses)."""

import math

import graphviz
import numpy as np
import pytest

import autograd as ag
from autograd.methods import ALIASES, NOT_METHODS


def test_next_functions_are_pytorch_pairs():
    w = ag.tensor([1.0, 2.0], requires_grad=True)
    x = ag.tensor([3.0, 4.0])
    y = (w * x).sum()
    ((mul, index),) = y.grad_fn.next_functions
    assert index == 0 and mul.name() == "MulBackward0" and y.grad_fn.name() == "SumBackward0"
    (acc, i0), (none, i1) = mul.next_functions
    assert isinstance(acc, ag.AccumulateGrad) and acc.variable is w and acc.name() == "AccumulateGrad"
    assert none is None and i0 == i1 == 0 and acc.next_functions == ()
    assert repr(y).endswith("grad_fn=<SumBackward0>)")


def walk_like_torchviz(root):
    """The walk graph printers written for PyTorch do: grad_fn, next_functions, .variable."""
    seen, names, leaves = set(), [], []
    stack = [root.grad_fn]
    while stack:
        fn = stack.pop()
        if fn in seen:
            continue
        seen.add(fn)
        names.append(fn.name())
        if hasattr(fn, "variable"):
            leaves.append(fn.variable)
        stack.extend(u for u, _ in fn.next_functions if u is not None)
    return names, leaves


def test_a_pytorch_style_graph_walk_finds_every_node_and_leaf():
    w = ag.tensor([[1.0, 2.0]], requires_grad=True)
    b = ag.tensor([0.5], requires_grad=True)
    x = ag.tensor([[1.0], [2.0]])
    loss = ag.tanh(w @ x + b).mean()
    names, leaves = walk_like_torchviz(loss)
    assert sorted(names) == sorted(
        ["MeanBackward0", "TanhBackward0", "AddBackward0", "MatmulBackward0", "AccumulateGrad", "AccumulateGrad"]
    )
    assert {id(v) for v in leaves} == {id(w), id(b)}


def test_a_function_node_keeps_its_class_name():
    class Double(ag.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2

    y = Double.apply(ag.tensor([1.0], requires_grad=True))
    assert y.grad_fn.name() == "DoubleBackward"


def micrograd_style_dot(root):
    """A graph drawn the way micrograd's notebook draws a Value: through ``_prev`` and ``_op`` only."""
    nodes, edges, stack = set(), set(), [root]
    while stack:
        v = stack.pop()
        if v not in nodes:
            nodes.add(v)
            for child in v._prev:
                edges.add((child, v))
                stack.append(child)
    dot = graphviz.Digraph(graph_attr={"rankdir": "LR"})
    for n in nodes:
        dot.node(str(id(n)), f"{{ data {n.data:.4f} | grad {n.grad:.4f} }}", shape="record")
        if n._op:
            dot.node(str(id(n)) + n._op, n._op)
            dot.edge(str(id(n)) + n._op, str(id(n)))
    for a, b in edges:
        dot.edge(str(id(a)), str(id(b)) + b._op)
    return dot, nodes, edges


def test_micrograd_drawing_code_runs_on_a_scalar():
    a, b = ag.Scalar(2.0), ag.Scalar(-3.0)
    c = a * b + 10.0
    d = (c**2).tanh().relu()
    d.backward()
    dot, nodes, edges = micrograd_style_dot(d)
    assert len(nodes) == 8 and len(edges) == 7  # the constant 10.0 is a node too
    assert {n._op for n in nodes} == {"", "*", "+", "**2", "tanh", "ReLU"}
    assert a._prev == set() and (a * b)._prev == {a, b}
    source = dot.source
    assert "**2" in source and "ReLU" in source and f"grad {a.grad:.4f}" in source


def test_numpy_names_are_the_same_functions():
    for alias, target in ALIASES.items():
        assert getattr(ag, alias) is getattr(ag, target), alias
        if alias not in NOT_METHODS and hasattr(ag.Tensor, target):
            assert hasattr(ag.Tensor, alias), alias
    x = ag.tensor([0.25, 0.5], dtype=np.float64, requires_grad=True)
    ag.arcsin(x).sum().backward()
    np.testing.assert_allclose(x.grad.array, 1 / np.sqrt(1 - x.array**2), rtol=1e-15)
    assert ag.tensor([3.0]).negative().item() == -3.0
    assert ag.mod(ag.tensor([-7.0]), 3.0).item() == 2.0


def test_hips_style_scalar_functions():
    for name in (
        "log2",
        "log10",
        "log1p",
        "expm1",
        "exp2",
        "tan",
        "sinh",
        "cosh",
        "arcsin",
        "arccos",
        "arctan",
        "arcsinh",
        "arctanh",
        "sinc",
        "radians",
        "degrees",
        "negative",
        "reciprocal",
    ):
        s = ag.Scalar(0.3)
        out = getattr(s, name)()
        out.backward()
        t = ag.tensor(0.3, dtype=np.float64, requires_grad=True)
        tout = getattr(ag, name)(t)
        tout.backward()
        assert math.isclose(out.data, tout.item(), rel_tol=1e-14), name
        assert math.isclose(s.grad, t.grad.item(), rel_tol=1e-12), name
    s = ag.Scalar(1.5)
    assert ag.Scalar(1.5).arccosh().data == pytest.approx(math.acosh(1.5), rel=1e-15)
    out = s % 0.4 + s.mod(1.0) + 5.0 % s + s.atan2(2.0) + s.hypot(2.0) + s.logaddexp(0.5) + s.maximum(1.0)
    out.backward()
    # ∂/∂s of: s % 0.4 (1), s mod 1 (1), 5 % s (−floor(5/s) = −3), atan2(s, 2) (2/(s²+4)),
    # hypot (s/√(s²+4)), logaddexp (σ(s − 0.5)), maximum (1)
    expected = 1 + 1 - 3 + 2 / (1.5**2 + 4) + 1.5 / math.sqrt(1.5**2 + 4) + 1 / (1 + math.exp(-1.0)) + 1
    assert s.grad == pytest.approx(expected, rel=1e-14)
    assert math.isnan(ag.Scalar(1.0).mod(0.0).data)


def test_hips_style_grad_of_a_function():
    def f(x):
        return np.sin(x) * x + x**2  # NumPy's ufuncs on the Tensor the gradient passes in

    assert ag.grad(f)(0.5) == pytest.approx(math.cos(0.5) * 0.5 + math.sin(0.5) + 1.0, rel=1e-15)
    assert ag.grad(ag.grad(lambda x: x**3))(2.0) == pytest.approx(12.0, rel=1e-15)
    assert ag.grad(ag.grad(ag.grad(lambda x: np.exp(2 * x))))(0.0) == pytest.approx(8.0, rel=1e-15)
    np.testing.assert_allclose(
        ag.grad(lambda x, y: (x * y).sum(), 1)(np.array([1.0, 2.0]), np.array([3.0, 4.0])), [1.0, 2.0]
    )
    assert ag.grad(lambda x: 3.0)(1.0) == 0.0  # a constant function
    with pytest.raises(TypeError, match="one number"):
        ag.grad(lambda x: x * 2)(np.ones(3))


def test_autograd_numpy_is_numpy_that_records_on_tensors():
    import autograd.numpy as anp

    x = ag.tensor([0.3, 0.6], dtype=np.float64, requires_grad=True)
    y = anp.sinc(x).sum() + anp.sum(anp.dot(x, x)) + anp.mean(x**2, axis=0) + anp.max(x)
    y.backward()
    xs = x.numpy()
    dsinc = (np.cos(np.pi * xs) * np.pi * xs - np.sin(np.pi * xs)) / (np.pi * xs**2)
    np.testing.assert_allclose(x.grad.numpy(), dsinc + 2 * xs + xs + [0.0, 1.0], rtol=1e-12)
    assert anp.sum([1, 2]) == 3 and anp.sinc(0.0) == 1.0 and anp.pi == np.pi  # NumPy's own otherwise
    assert anp.transpose(ag.ones(2, 3)).shape == (3, 2)
    assert ag.grad(lambda v: 3.0 * anp.arcsin(v))(0.1) == pytest.approx(3.0 / math.sqrt(1 - 0.01), rel=1e-14)
