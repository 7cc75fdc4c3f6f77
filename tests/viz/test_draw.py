"""autograd.viz.draw: the DOT source of known graphs (counts, labels, edges, clusters, options)."""

import re
import subprocess
import sys

import numpy as np
import pytest
from viz_testutil import backward_edges, cluster_body, cluster_labels, forward_edges, graph_items, mlp, parse_dot

import autograd as ag
from autograd import mode, viz
from autograd.viz.draw import legend_kinds


def tanh_matmul():
    x = ag.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True, name="x")
    W = ag.tensor([[0.1, -0.2, 0.3], [0.4, 0.5, -0.6]], requires_grad=True)
    y = (x @ W).tanh().sum()
    return x, W, y


def test_known_tensor_graph_counts_and_reversed_dashed_edges():
    x, W, y = tanh_matmul()
    nodes, edges = parse_dot(viz.draw(y).source)
    # x, W, matmul, its value, tanh, its value, sum, the loss
    assert len(nodes) == 8
    assert sum("class=op" in a for a in nodes.values()) == 3
    fwd, bwd = forward_edges(edges), backward_edges(edges)
    assert len(fwd) == 7 and len(bwd) == 7
    assert all("style=dashed" in a for _, _, a in bwd)
    assert all("dashed" not in a for _, _, a in fwd)
    assert {(a, b) for a, b, _ in bwd} == {(a, b) for a, b, _ in fwd}  # beside its forward edge ...
    assert all("dir=back" in a for _, _, a in bwd)  # ... with the arrow the other way


def test_show_forward_and_backward_only():
    _, _, y = tanh_matmul()
    _, edges = parse_dot(viz.draw(y, show="forward").source)
    assert len(forward_edges(edges)) == 7 and not backward_edges(edges)
    _, edges = parse_dot(viz.draw(y, show="backward").source)
    assert len(backward_edges(edges)) == 7
    visible = [e for e in edges if "style=invis" not in e[2]]
    assert visible == backward_edges(edges)  # forward edges stay only as invisible layout guides
    with pytest.raises(ValueError, match="show must be one of"):
        viz.draw(y, show="sideways")


def test_value_labels_carry_name_shape_dtype_values_and_grads():
    x, W, y = tanh_matmul()
    params = {"layers.0.weight": W}
    before = viz.draw(y, params=params).source
    assert "<b>x</b>" in before and "<b>layers.0.weight</b>" in before
    assert "(2, 2) float32" in before and "(2, 3) float32" in before
    assert "data [[1, 2]," in before and "grad " not in parse_dot(before)[0]["v0"]
    y.backward()
    after = viz.draw(y, params=params).source
    gx = viz.summary_lines(x.grad.array)[0]
    assert "grad " + gx in after
    # the backward edge into W is labelled with the gradient's shape and norm
    norm = float(np.linalg.norm(W.grad.array))
    assert f"(2, 3)\\n‖g‖={viz.fmt(norm)}" in after
    no_vals = viz.draw(y, values=False, grads=False).source
    assert "data [[1, 2]," not in no_vals and "‖g‖" not in no_vals


def test_large_tensor_is_summarised_by_mean_std_min_max():
    big = ag.tensor(np.arange(100.0).reshape(10, 10), requires_grad=True)
    (big * 2.0).sum().backward()
    src = viz.draw(big).source
    assert "μ=49.5" in src and "min=0 max=99" in src and "grad μ=2 σ=0" in src


def test_scalar_graph_is_a_micrograd_record():
    a, b = ag.Scalar(2.0, label="a"), ag.Scalar(-3.0, label="b")
    c = (a * b + b**2).tanh()
    c.backward()
    nodes, edges = parse_dot(c.draw().source)
    assert len(nodes) == 10  # a, b and four ops, each with its value
    assert len(forward_edges(edges)) == 10 and len(backward_edges(edges)) == 10
    assert "<b>a</b>" in nodes["v0"] and "data 2" in nodes["v0"] and f"grad {a.grad:.4g}" in nodes["v0"]
    assert "c=2" in c.draw().source  # the pow op's exponent
    # Scalars keep their inputs, so each backward edge carries its own gradient
    assert f"g={a.grad:.4g}" in c.draw().source


def test_op_nodes_show_attributes_and_vjp_tooltip():
    x = ag.ones(2, 3, requires_grad=True)
    y = (x.leaky_relu(0.05).softmax(dim=1) @ ag.ones(3, 2)).sum(dim=0)
    src = viz.draw(y).source
    assert "slope=0.05" in src and re.search(r"<b>softmax</b><br/><font point-size=\"10\">dim=1</font>", src)
    assert '<b>sum</b><br/><font point-size="10">dim=0</font>' in src
    assert 'tooltip="matmul: ∂L/∂A = G·Bᵀ,  ∂L/∂B = Aᵀ·G"' in src
    assert "δ = g ⊙ (1 if z &gt; 0 else α)" in src or "δ = g ⊙ (1 if z > 0 else α)" in src


def test_watch_keeps_intermediate_values_grads_and_attributes():
    assert mode.state.retain_values is False
    with viz.watch():
        assert mode.state.retain_values is True
        x = ag.tensor([[1.0, -2.0]], requires_grad=True)
        h = x.leaky_relu(0.1)
        y = (h * h).sum()
        y.backward()
    assert mode.state.retain_values is False
    src = viz.draw(y).source
    assert "data [[1, -0.2]]" in src  # h, freed by backward outside watch
    assert "grad [[2, -0.4]]" in src  # ∂y/∂h = 2h
    assert "slope=0.1" in src  # ctx kept after backward
    # h * h: two edges, each carrying g ⊙ h = h (not their sum)
    _, edges = parse_dot(src)
    assert sum("‖g‖=1.02" in a for _, _, a in backward_edges(edges)) == 2


def test_outside_watch_shows_what_is_available():
    x, W, y = tanh_matmul()
    y.backward()
    nodes, _ = parse_dot(viz.draw(y).source)
    assert "grad" in nodes["v0"] and "grad" in nodes["v1"]  # leaves
    assert "data" not in nodes["v3"]  # x @ W was freed
    assert "data" in nodes["v7"]  # the root is known


def test_tensor_without_graph_draws_one_node():
    t = ag.tensor([1.0, 2.0], name="lonely")
    nodes, edges = parse_dot(t.draw().source)
    assert list(nodes) == ["v0"] and edges == []
    assert "<b>lonely</b>" in nodes["v0"]


def test_constants_are_drawn_and_can_be_hidden():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    c = ag.tensor([3.0, 4.0])
    y = (x * c).sum()
    nodes, edges = parse_dot(viz.draw(y).source)
    assert len(nodes) == 6 and sum("<b>const</b>" in a for a in nodes.values()) == 1
    assert len(backward_edges(edges)) == 4  # no gradient flows back to the constant
    nodes, edges = parse_dot(viz.draw(y, hide_constants=True).source)
    assert len(nodes) == 5 and "const" not in "".join(nodes.values())


def test_show_saved_marks_what_ops_keep_for_backward():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    w = ag.tensor([0.5, 0.5], requires_grad=True)
    y = (x * w).tanh().sum()  # mul saves both inputs, tanh its output, sum nothing
    _, edges = parse_dot(viz.draw(y, show_saved=True).source)
    saved = [e for e in edges if "class=saved" in e[2]]
    assert len(saved) == 3 and all("style=dotted" in a for _, _, a in saved)
    _, edges = parse_dot(viz.draw(y).source)
    assert not [e for e in edges if "class=saved" in e[2]]


def test_highlight_bolds_the_path_to_one_parameter():
    loss, params = mlp(depth=3)
    loss.backward()
    src = viz.draw(loss, params=params, highlight="layers.4.weight").source
    nodes, edges = parse_dot(src)
    bold = [e for e in forward_edges(edges) if "penwidth=2.5" in e[2]]
    grey = [e for e in forward_edges(edges) if 'color="#d1d5db"' in e[2]]
    # layers.4.weight → linear → value → sub → value → pow → value → mean → loss
    assert len(bold) == 8 and len(grey) == len(forward_edges(edges)) - 8
    with pytest.raises(ValueError, match="not a value in this graph"):
        viz.draw(loss, highlight="no.such.param")
    # a tensor works as well as its name
    assert viz.draw(loss, params=params, highlight=params["layers.4.weight"]).source == src


def test_grad_colors_show_vanishing_gradients_with_a_legend():
    loss, params = mlp(depth=6, scale=0.01, seed=1)
    loss.backward()
    nodes, _ = parse_dot(viz.draw(loss, params=params, grad_colors=True).source)
    nodes = parse_dot(viz.draw(loss, params=params, grad_colors=True).source.replace("legend", "key"))[0]
    assert "key" in nodes and "vanishing" in nodes["key"] and "exploding" in nodes["key"]
    first = next(a for a in nodes.values() if "<b>layers.0.weight</b>" in a)
    last = next(a for a in nodes.values() if "<b>layers.10.bias</b>" in a)
    assert 'bgcolor="#60a5fa"' in first  # ‖g‖ < 1e-6 deep down
    assert 'bgcolor="#d1fae5"' in last  # healthy next to the loss


def test_module_clusters_from_node_meta_and_param_names():
    loss, params = mlp(depth=2)
    src = viz.draw(loss, params=params).source
    assert sorted(cluster_labels(src)) == ["layers.0 (Linear)", "layers.1 (Tanh)", "layers.2 (Linear)"]
    block = cluster_body(src, "layers.0 (Linear)")
    assert "<b>layers.0.weight</b>" in block and "<b>linear</b>" in block


def test_meta_may_be_absent_nameonly_or_a_string():
    x = ag.tensor(np.ones((2, 2)), requires_grad=True)
    a = x.tanh()
    a.grad_fn.meta = {"module": "enc.block"}  # no type
    b = a.exp()
    b.grad_fn.meta = "head"  # a bare name
    c = b.sum()  # meta None
    src = viz.draw(c).source
    assert sorted(cluster_labels(src)) == ["enc.block", "head"]


def test_unlabelled_ops_inside_a_module_join_its_cluster():
    rng = np.random.default_rng(0)
    x = ag.tensor(rng.standard_normal((3, 2)))
    W = ag.tensor(rng.standard_normal((2, 2)), requires_grad=True)
    h = (x @ W.T).tanh()  # a block whose last op (tanh) is the one nn labels
    h.grad_fn.meta = {"module": "block", "type": "Block"}
    src = viz.draw(h.sum(), params={"block.weight": W}).source
    block = cluster_body(src, "block (Block)")
    assert "<b>matmul</b>" in block and "<b>permute</b>" in block and "<b>tanh</b>" in block
    assert "<b>sum</b>" not in block


def test_collapse_modules_and_max_nodes():
    loss, params = mlp(depth=25, width=3)
    with pytest.raises(viz.GraphTooLargeError, match="collapse_modules=True"):
        viz.draw(loss, params=params, max_nodes=100)
    nodes, edges = parse_dot(viz.draw(loss, params=params, collapse_modules=True, max_nodes=100).source)
    modules = [a for a in nodes.values() if "class=module" in a]
    assert len(modules) == 49  # 25 Linear + 24 Tanh, one node each
    assert "layers.0 (Linear)" in "".join(modules) and "weight (3, 3)" in "".join(modules)
    assert len(graph_items(nodes)) < 100
    fwd = forward_edges(edges)
    assert len(fwd) == len({(a, b) for a, b, _ in fwd})  # parallel edges merged


def test_draw_needs_roots_of_known_types():
    with pytest.raises(TypeError):
        viz.draw()
    with pytest.raises(TypeError, match="cannot draw"):
        viz.draw(np.ones(3))


def test_import_autograd_does_not_import_graphviz():
    code = "import sys, autograd, autograd.viz; print('graphviz' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_anomaly_error_carries_the_graph_with_the_node_in_red():
    with ag.detect_anomaly():
        x = ag.tensor([0.0, 1.0], requires_grad=True)
        y = (x.sqrt() * 2.0).sum()  # line of the offending forward call
        line = sys._getframe().f_lineno - 1
        with pytest.raises(ag.AnomalyError) as info, np.errstate(divide="ignore"):
            y.backward()
    src = info.value.graph.source
    nodes, _ = parse_dot(src)
    red = [a for a in nodes.values() if "gg-anomaly" in a]
    assert len(red) == 1 and "<b>sqrt</b>" in red[0] and 'fillcolor="#ef4444"' in red[0]
    assert f"test_draw.py:{line}" in red[0]
    assert "<b>sum</b>" in src  # drawn from the root of the backward pass


def test_anomaly_graph_for_scalars():
    with ag.detect_anomaly():
        a = ag.Scalar(1e200, label="a")
        d = (a * a) * 1e200  # the second mul sends inf to its constant input
        with pytest.raises(ag.AnomalyError) as info:
            d.backward()
    nodes, _ = parse_dot(info.value.graph.source)
    assert sum("gg-anomaly" in a for a in nodes.values()) == 1


def test_hide_constants_drops_the_numbers_scalars_wrap():
    a = ag.Scalar(3.0, label="a")
    y = a * 2.0 + 1.0
    assert len(parse_dot(y.draw().source)[0]) == 7  # a, 2.0, mul, value, 1.0, add, y
    nodes, edges = parse_dot(y.draw(hide_constants=True).source)
    assert len(nodes) == 5 and len(forward_edges(edges)) == 4


def test_watch_restores_the_mode_after_an_error():
    with pytest.raises(KeyError):
        with viz.watch():
            raise KeyError("boom")
    assert mode.state.retain_values is False


def test_conv_and_pool_nodes_show_kernel_and_stride():
    x = ag.randn(1, 2, 6, 6)
    w = ag.randn(3, 2, 3, 3, requires_grad=True)
    out = ag.max_pool2d(ag.conv2d(x, w, stride=2, padding=1), 2).sum()
    dot = viz.draw(out).source
    assert "kernel=(3, 3), stride=(2, 2), padding=(1, 1)" in dot
    assert "kernel=(2, 2), stride=(2, 2)" in dot
    assert "flip(W)" in dot  # the VJP rule in the tooltip


def test_legend_lists_only_the_kinds_a_graph_has():
    a, b = ag.Scalar(2.0, label="a"), ag.Scalar(-3.0, label="b")
    c = (a * b).tanh()
    c.backward()
    kinds = [kind for kind, _ in legend_kinds(viz.build([c]))]
    assert kinds == ["op", "value"]  # no parameter, input, intermediate or constant fill is drawn
    legend = c.draw().source.split("legend [")[1]
    assert "parameter" not in legend and "constant" not in legend and "input" not in legend
    loss, params = mlp(depth=2)
    kinds = [kind for kind, _ in legend_kinds(viz.build([loss], params=params))]
    assert kinds == ["op", "param", "input", "value"]


def test_collapsed_module_titles_read_each_weight_layout():
    # Regression: an Embedding(27, 10) was titled "Embedding(10→27)", its (num, dim) weight read as
    # Linear's (out, in); and MultiheadAttention took a size from its in_proj_weight.
    import nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Embedding(27, 10)
            self.attn = nn.MultiheadAttention(10, 2, batch_first=True)
            self.lin = nn.Linear(10, 4)

        def forward(self, x):
            e = self.embed(x)
            return self.lin(self.attn(e, e, e, need_weights=False)[0])

    ag.manual_seed(0)
    net = Net()
    with viz.watch():
        loss = net(np.array([[1, 2, 3]])).sum()
        loss.backward()
    src = viz.draw(loss, params=dict(net.named_parameters()), collapse_modules=True).source
    titles = re.findall(r"<b>([^<]*)</b>", src)
    assert "embed Embedding(27, 10)" in titles and "lin Linear(10→4)" in titles, titles
    assert not any("MultiheadAttention(" in t for t in titles), titles
