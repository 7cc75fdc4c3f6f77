"""BackwardStepper: steps compose to exactly what backward() gives; each step is drawable."""

import numpy as np
import pytest
from viz_testutil import count_op_nodes, parse_dot, random_scalar_graph, random_tensor_graph

import autograd as ag
from autograd import viz


def sent_sums(stepper, leaves):
    """Σ over steps of the gradients sent to each leaf, summed in step order."""
    sums = {}
    for step in stepper:
        for s in step.sent:
            if any(s.to is leaf for leaf in leaves):
                sums[id(s.to)] = s.grad.copy() if id(s.to) not in sums else sums[id(s.to)] + s.grad
    return sums


@pytest.mark.parametrize("seed", range(8))
def test_random_tensor_graphs_compose_exactly_to_backward(seed):
    loss, leaves = random_tensor_graph(seed)
    loss.backward()
    expected = [None if t.grad is None else t.grad.array.copy() for t in leaves]
    twin, twin_leaves = random_tensor_graph(seed)
    stepper = twin.backward_steps()
    assert len(stepper) == count_op_nodes(twin) > 0
    sums = sent_sums(stepper, twin_leaves)
    for want, leaf in zip(expected, twin_leaves):
        if want is None:
            assert leaf.grad is None and id(leaf) not in sums
            continue
        assert np.array_equal(leaf.grad.array, want)  # the real engine ran: bit for bit
        assert np.array_equal(sums[id(leaf)], want)  # and the recorded steps add up to it
        assert np.array_equal(stepper[-1].grad_of(leaf), want)


@pytest.mark.parametrize("seed", range(5))
def test_random_scalar_graphs_compose_exactly_to_backward(seed):
    loss, leaves = random_scalar_graph(seed)
    loss.backward()
    expected = [v.grad for v in leaves]
    twin, twin_leaves = random_scalar_graph(seed)
    stepper = viz.BackwardStepper(twin)
    assert len(stepper) == count_op_nodes(twin)
    final = stepper[-1].accumulated
    for want, leaf in zip(expected, twin_leaves):
        assert leaf.grad == want
        got = next((g for v, g in final.items() if v is leaf), 0.0)
        assert got == want


def test_each_step_exposes_node_op_incoming_and_sent_gradients():
    x = ag.tensor([[0.5, -1.0]], requires_grad=True)
    W = ag.tensor([[2.0], [1.0]], requires_grad=True)
    z = x @ W
    a = z.tanh()
    loss = (a * a).sum()
    steps = list(loss.backward_steps())
    assert [s.op for s in steps] == ["sum", "mul", "tanh", "matmul"]
    first = steps[0]
    assert first.node is loss.grad_fn and np.array_equal(first.grad, np.ones(()))
    # a * a sends g ⊙ a to both of its inputs: the same vertex twice, each its own share
    mul = steps[1]
    assert [s.index for s in mul.sent] == [0, 1] and all(s.to is a.grad_fn for s in mul.sent)
    for s in mul.sent:
        np.testing.assert_allclose(s.grad, np.tanh(z.array), rtol=1e-6)
    tanh = steps[2]
    np.testing.assert_allclose(tanh.grad, 2 * np.tanh(z.array), rtol=1e-6)
    assert tanh.caption == "tanh: δ = g ⊙ (1 − a²)"
    # accumulated so far: after the tanh step x has nothing yet, after matmul its final gradient
    assert tanh.grad_of(x) is None
    np.testing.assert_array_equal(steps[3].grad_of(x), x.grad.array)
    np.testing.assert_array_equal(steps[3].grad_of(W), W.grad.array)


def test_stepper_reads_values_and_attributes_before_backward_frees_them():
    x = ag.tensor([[1.0, -2.0]], requires_grad=True)
    h = x.leaky_relu(0.2)
    loss = (h * h).sum()
    stepper = loss.backward_steps()
    assert h.grad_fn.freed  # the real backward ran
    src = stepper.draw(1).source
    assert "slope=0.2" in src and "data [[1, -0.4]]" in src


def test_step_draw_highlights_current_and_greys_pending():
    a, b = ag.Scalar(2.0, label="a"), ag.Scalar(-3.0, label="b")
    c = (a * b + b**2).tanh()
    stepper = viz.BackwardStepper(c)
    assert len(stepper) == 4
    nodes, edges = parse_dot(stepper[1].draw().source)
    current = [k for k, v in nodes.items() if "gg-current" in v]
    assert len(current) == 1 and "<b>add</b>" in nodes[current[0]]
    assert sum("gg-done" in v for v in nodes.values()) == 1  # tanh
    assert sum('class="op gg-pending"' in v for v in nodes.values()) == 2  # mul and pow
    assert "gg-pending" in nodes["v0"]  # a: no gradient has reached it yet
    active = [e for e in edges if "backward active" in e[2]]
    assert len(active) == 3  # into add, and to both of its inputs
    assert all("penwidth=3" in e[2] for e in active)
    # the finished pass: nothing pending, every gradient as backward() leaves it
    nodes, _ = parse_dot(stepper.draw().source)
    assert not any("gg-pending" in v for v in nodes.values())
    assert f"grad {a.grad:.4g}" in nodes["v0"]


def test_non_scalar_without_gradient_raises_as_backward_does():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2.0
    with pytest.raises(RuntimeError, match="implicitly created only for a tensor with one element"):
        y.backward()
    with pytest.raises(RuntimeError, match="implicitly created only for a tensor with one element"):
        y.backward_steps()
    stepper = viz.BackwardStepper(y, gradient=np.array([1.0, -1.0]))
    np.testing.assert_array_equal(x.grad.array, [2.0, -2.0])
    assert len(stepper) == 1
    with pytest.raises(RuntimeError, match="does not require grad"):
        ag.tensor([1.0]).backward_steps()
    with pytest.raises(TypeError):
        viz.BackwardStepper(3.0)


def test_a_second_stepper_on_a_freed_graph_raises_like_backward():
    x = ag.tensor([1.0], requires_grad=True)
    y = (x * 3.0).sum()
    y.backward_steps()
    with pytest.raises(RuntimeError, match="second time"):
        y.backward_steps()


def test_frames_forward_then_backward_then_done():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    loss = x.exp().sum()
    frames = viz.BackwardStepper(loss).frames(forward=True)
    captions = [f[1] for f in frames]
    assert len(frames) == 2 + 2 + 1
    assert captions[0].startswith("forward 1/2 — exp") and captions[2].startswith("backward 1/2 — sum")
    assert "exp: ∂L/∂x = g ⊙ eˣ" in captions[3] and captions[-1].startswith("done")


def test_scalar_backward_steps_matches_backward():
    a, b = ag.Scalar(0.5, label="a"), ag.Scalar(-1.5, label="b")
    out = (a * b).tanh() + a
    steps = out.backward_steps()
    stepped = (a.grad, b.grad)
    out.zero_grad()
    out.backward()
    assert stepped == (a.grad, b.grad)
    assert len(steps) == 3
