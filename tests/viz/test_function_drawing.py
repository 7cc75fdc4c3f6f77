"""A custom autograd.Function in drawings: its class name on the op, its docstring as the tooltip."""

import numpy as np
from viz_testutil import graph_items, parse_dot

import autograd as ag
from autograd import viz


class LegendrePolynomial3(ag.Function):
    """P3(x) = ½(5x³ − 3x), ∂L/∂x = g ⊙ 1.5(5x² − 1).

    Only the first line is the tooltip.
    """

    @staticmethod
    def forward(ctx, x):
        """P3 of each entry."""
        ctx.save_for_backward(x)
        return 0.5 * (5 * x**3 - 3 * x)

    @staticmethod
    def backward(ctx, g):
        """g · P3'(x)."""
        (x,) = ctx.saved_tensors
        return g * 1.5 * (5 * x**2 - 1)


class Undocumented(ag.Function):
    @staticmethod
    def forward(ctx, x):
        """2x."""
        return x * 2.0

    @staticmethod
    def backward(ctx, g):
        """2g."""
        return g * 2.0


def test_function_is_drawn_under_its_class_name_with_its_docstring():
    x = ag.tensor([0.5, -1.0], requires_grad=True, name="x")
    y = LegendrePolynomial3.apply(x).sum()
    nodes, _ = parse_dot(viz.draw(y).source)
    ops = [a for a in graph_items(nodes).values() if "class=op" in a]
    assert len(ops) == 2  # the Function, then sum
    (drawn,) = [a for a in ops if "<b>LegendrePolynomial3</b>" in a]
    assert 'tooltip="LegendrePolynomial3: P3(x) = ½(5x³ − 3x), ∂L/∂x = g ⊙ 1.5(5x² − 1)."' in drawn
    assert "Only the first line" not in viz.draw(y).source


def test_undocumented_function_still_has_a_tooltip():
    x = ag.tensor([0.5], requires_grad=True)
    src = viz.draw(Undocumented.apply(x).sum()).source
    assert "<b>Undocumented</b>" in src and 'tooltip="Undocumented: Undocumented.backward' in src


def test_stepper_and_watch_walk_through_a_function():
    x = ag.tensor([0.5, -1.0], requires_grad=True)
    with viz.watch():
        y = LegendrePolynomial3.apply(x).sum()
    steps = list(y.backward_steps())
    assert [s.op for s in steps] == ["sum", "LegendrePolynomial3"]
    assert steps[1].caption.startswith("LegendrePolynomial3: P3(x)")
    (sent,) = steps[1].sent
    np.testing.assert_allclose(sent.grad, 1.5 * (5 * x.array**2 - 1), rtol=1e-6)
