"""autograd.viz.graph: the data of a module call named (input, target), and the course's layer names."""

import numpy as np
import pytest
from viz_testutil import backward_edges, cluster_body, parse_dot

import autograd as ag
import nn
from autograd import viz


def dropout_net():
    """A Linear-Tanh-Dropout-Linear net under MSELoss, after backward; returns (loss, params)."""
    ag.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Dropout(0.5), nn.Linear(4, 2))
    x = ag.tensor(np.linspace(-1.0, 1.0, 15, dtype=np.float32).reshape(5, 3))
    y = ag.tensor(np.zeros((5, 2), dtype=np.float32))
    with viz.watch():
        loss = nn.MSELoss()(model(x), y)
        loss.backward()
    return loss, dict(model.named_parameters())


def test_the_input_and_the_target_are_named():
    loss, params = dropout_net()
    g = viz.build([loss], params=params)
    data = {it.name: it for it in g.items if it.role}
    assert sorted(data) == ["input", "target"]
    assert data["input"].module is None and data["target"].module is None  # drawn outside every box
    assert data["input"].shape == (5, 3)
    src = viz.draw(loss, params=params).source
    assert "<b>input</b>" in src and "<b>target</b>" in src


def test_a_modules_constant_stays_in_its_box():
    loss, params = dropout_net()
    g = viz.build([loss], params=params)
    mask = [it for it in g.items if it.kind == "const" and not it.role]
    assert len(mask) == 1 and mask[0].module == "2"  # the Dropout mask
    src = viz.draw(loss, params=params).source
    assert f"{mask[0].id} [" in cluster_body(src, "2 (Dropout)")
    # collapsed, the mask is part of the Dropout node; the input and target are still drawn
    nodes, _ = parse_dot(viz.draw(loss, params=params, collapse_modules=True).source)
    assert mask[0].id not in nodes and any("<b>input</b>" in a for a in nodes.values())


def test_a_users_own_name_wins():
    ag.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 1))
    x = ag.tensor(np.ones((3, 2), dtype=np.float32), name="pixels")
    g = viz.build([model(x).sum()])
    assert [it.name for it in g.items if it.kind == "const"] == ["pixels"]


def two_layer_mlp(backward=True):
    """A 2-layer MLP (Linear-Tanh-Linear) under MSELoss; returns (loss, params, (z⁽¹⁾, a⁽¹⁾, z⁽²⁾))."""
    ag.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1)).double()
    x = ag.tensor([[0.2, 0.3], [1.0, -1.0], [0.5, 0.1]], dtype=np.float64)
    y = ag.tensor([[1.0], [0.0], [0.5]], dtype=np.float64)
    with viz.watch():
        z1 = model[0](x)
        a1 = model[1](z1)
        z2 = model[2](a1)
        loss = nn.MSELoss()(z2, y)
        for t in (z1, a1, z2):
            t.retain_grad()
        if backward:
            loss.backward()
    return loss, dict(model.named_parameters()), (z1, a1, z2)


def test_course_names_z_a_and_delta_on_a_two_layer_mlp():
    loss, params, (z1, a1, z2) = two_layer_mlp()
    g = viz.build([loss], params=params)
    values, edges = viz.graph.layer_names(g)
    by_name = {name: g.value_item[id(t.grad_fn)].id for name, t in (("z⁽¹⁾", z1), ("a⁽¹⁾", a1), ("z⁽²⁾", z2))}
    assert values == {item: name for name, item in by_name.items()}
    assert set(edges.values()) == {"δ⁽¹⁾", "δ⁽²⁾"}
    for k, name in edges.items():  # δ⁽ˡ⁾ = ∂L/∂z⁽ˡ⁾ is what the edge carries
        z = z1 if name == "δ⁽¹⁾" else z2
        np.testing.assert_allclose(g.edges[k].grad, z.grad.array)
    src = viz.draw(loss, params=params, course_names=True).source
    for name in ("z⁽¹⁾", "a⁽¹⁾", "z⁽²⁾"):
        assert f"<b>{name}</b>" in src
    labelled = [a for _, _, a in backward_edges(parse_dot(src)[1]) if "δ⁽" in a]
    assert len(labelled) == 2 and any("δ⁽¹⁾\\n(3, 3)" in a for a in labelled)
    assert "z⁽" not in viz.draw(loss, params=params).source  # off by default
    collapsed = viz.draw(loss, params=params, course_names=True, collapse_modules=True).source
    assert "→ z⁽¹⁾ (3, 3)" in collapsed and "→ a⁽¹⁾ (3, 3)" in collapsed


@pytest.mark.skipif(not viz.has_dot(), reason="the Graphviz `dot` program is not installed")
def test_course_names_in_the_player():
    loss, params, _ = two_layer_mlp(backward=False)
    html = viz.step_through(loss, params=params, course_names=True).body()
    assert "z⁽¹⁾" in html and "δ⁽²⁾" in html
