"""Rendering with the real Graphviz ``dot`` program, and the error when it is missing."""

import math
import os
import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from viz_testutil import mlp

import autograd as ag
from autograd import viz

needs_dot = pytest.mark.skipif(not viz.has_dot(), reason="the Graphviz `dot` program is not installed")
SVG = "{http://www.w3.org/2000/svg}"


def svg_nodes(path):
    """{element id: class} of the node groups in an SVG written by dot."""
    root = ET.parse(path).getroot()
    nodes = root.iter(f"{SVG}g")
    return {g.get("id"): g.get("class") for g in nodes if "node" in (g.get("class") or "") and g.get("id") != "legend"}


@needs_dot
def test_svg_parses_as_xml_with_the_expected_nodes(tmp_path):
    x = ag.tensor([[1.0, 2.0]], requires_grad=True, name="x")
    W = ag.tensor([[0.5], [-1.0]], requires_grad=True)
    y = (x @ W).tanh().sum()
    y.backward()
    path = viz.render(y.draw(params={"W": W}), tmp_path / "g.svg")
    assert path == str(tmp_path / "g.svg")
    nodes = svg_nodes(path)
    assert set(nodes) == {"v0", "v1", "op2", "v3", "op4", "v5", "op6", "v7"}
    assert nodes["op2"] == "node op"
    text = open(path, encoding="utf-8").read()
    titles = [a.get("{http://www.w3.org/1999/xlink}title") for a in ET.parse(path).getroot().iter(f"{SVG}a")]
    assert any(t and t.startswith("matmul: ∂L/∂A = G·Bᵀ,") and t.endswith("∂L/∂B = Aᵀ·G") for t in titles)  # tooltip
    assert ">x</text>" in text and ">W</text>" in text
    edges = [g for g in ET.parse(path).getroot().iter(f"{SVG}g") if (g.get("class") or "").startswith("edge")]
    assert sum("backward" in g.get("class") for g in edges) == 7


@needs_dot
def test_scalar_and_module_graphs_render(tmp_path):
    a, b = ag.Scalar(2.0, label="a"), ag.Scalar(-3.0, label="b")
    c = (a * b).relu() + b
    c.backward()
    nodes = svg_nodes(viz.render(c.draw(), tmp_path / "s.svg"))
    assert sum(cls == "node op" for cls in nodes.values()) == 3
    loss, params = mlp(depth=2)
    loss.backward()
    root = ET.parse(viz.render(viz.draw(loss, params=params), tmp_path / "m.svg")).getroot()
    clusters = [g for g in root.iter(f"{SVG}g") if g.get("class") == "cluster" and g.get("id") != "legend_box"]
    assert len(clusters) == 3
    titles = {t.text for g in root.iter(f"{SVG}g") for t in g.iter(f"{SVG}text")}
    assert "layers.0 (Linear)" in titles


@needs_dot
def test_png_and_pdf(tmp_path):
    y = (ag.tensor([1.0, 2.0], requires_grad=True) * 3.0).sum()
    g = y.draw()
    png = viz.render(g, tmp_path / "g.png", format="png")
    pdf = viz.render(g, tmp_path / "g.pdf", format="pdf")
    assert open(png, "rb").read(8) == b"\x89PNG\r\n\x1a\n"
    assert open(pdf, "rb").read(5) == b"%PDF-"
    with pytest.raises(ValueError, match="svg"):
        viz.render(g, tmp_path / "g.gif", format="gif")


def test_without_dot_drawing_works_and_rendering_says_how_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # nothing on PATH: no `dot`
    assert not viz.has_dot()
    x = ag.tensor([1.0, -1.0], requires_grad=True)
    y = x.relu().sum()
    g = viz.draw(y)
    assert g.source.startswith("digraph") and "<b>relu</b>" in g.source
    with pytest.raises(viz.GraphvizNotFoundError) as info:
        viz.render(g, tmp_path / "g.svg")
    msg = str(info.value)
    assert "apt-get install graphviz" in msg and "brew install graphviz" in msg and "conda install" in msg
    assert not os.path.exists(tmp_path / "g.svg")
    with pytest.raises(viz.GraphvizNotFoundError):
        viz.step_through(y).html()


@needs_dot
def test_readme_example_graph_is_committed_and_valid():
    path = os.path.join(os.path.dirname(__file__), "..", "..", "docs", "example_graph.svg")
    nodes = svg_nodes(path)
    assert sum(cls == "node op" for cls in nodes.values()) >= 4
    text = open(path, encoding="utf-8").read()
    assert "grad" in text and "stroke-dasharray" in text  # gradients and dashed backward edges


def test_a_signed_zero_gradient_is_drawn_as_0():
    # Regression (notebook 01): a dead ReLU sends 0.3·(−0.71)·0 = −0.0 back, which drew as "g=-0".
    z = ag.Scalar(-0.05, label="z")
    out = z.relu() * ag.Scalar(-0.213, label="w")
    out.backward()
    sent = [e.grad for e in viz.build([out]).edges if e.src.name == "z"]
    assert sent == [0.0] and math.copysign(1.0, sent[0]) == -1.0  # IEEE's −0.0 really reaches the drawing
    source = out.draw().source
    assert 'label="g=0"' in source and not re.search(r"(g=|grad )-0(?![.\d])", source)
    assert viz.fmt(-0.0) == "0" and viz.caption.number(-0.0) == "0.0"


def test_summaries_are_compact():
    assert viz.summarize(np.array([1.0, 2.0])) == "[1, 2]"
    assert viz.summarize(2.5) == "2.5" and viz.summarize(np.array([-0.0, 0.005])) == "[0, 0.005]"
    s = viz.summarize(np.array([np.nan] + [1.0] * 9))
    assert "μ=1" in s and "1 nan/inf" in s
    assert viz.summarize(np.ones(10, dtype=bool)) == "10 of 10 true"
