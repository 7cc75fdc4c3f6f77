"""The HTML player: one SVG laid out once, per-frame data, captions with numbers, a static fallback."""

import json
import re

import pytest

import autograd as ag
from autograd import viz

pytestmark = pytest.mark.skipif(not viz.has_dot(), reason="the Graphviz `dot` program is not installed")


def tanh_net():
    x = ag.tensor([[0.5, -1.0]], requires_grad=True)
    W = ag.tensor([[0.3], [0.8]], requires_grad=True)
    return ((x @ W).tanh() * 2.0).sum(), x, W


def data_of(html):
    """The frame data the page's script reads."""
    blob = re.search(r'<script type="application/json" id="[^"]+">(.*?)</script>', html, re.S).group(1)
    return json.loads(blob.replace("<\\/", "</"))


def test_one_svg_and_a_frame_per_step_with_numbers():
    loss, x, W = tanh_net()
    player = viz.step_through(loss)
    html = player._repr_html_()
    assert html.count("<svg") == 1  # one layout for every frame
    data = data_of(html)
    frames = data["f"]
    assert len(frames) == 4 + 4 + 1 == len(player)  # 4 ops forward, 4 backward, the finished pass
    assert [f["n"] for f in frames[4:8]] == ["op8", "op6", "op4", "op2"]  # sum, mul, tanh, matmul
    tanh = frames[6]["c"]
    assert "tanh: δ = g ⊙ (1 − a²)" in tanh and "incoming g = [[2.0]]" in tanh
    assert "incoming g:" in frames[6]["p"] and "value (this op's output):" in frames[6]["p"]
    assert len(frames[0]["d"]) == len(data["e"])  # frame 0 sets every element; later frames only changes
    assert all(len(f["d"]) < len(data["e"]) for f in frames[1:])
    for el in data["e"]:
        assert f'id="{el}"' in html
    assert 'class="gg-slider" type="range" min="0" max="8"' in html
    for key in ("ArrowRight", "ArrowLeft", "Home", "End", '" "', "wheel", "pointerdown"):
        assert key in html
    # no network: nothing is fetched (the only URLs are XML namespaces inside the SVG)
    assert not re.search(r"(src|href)=\"https?:", html) and "<link" not in html and "import(" not in html
    ids = re.findall(r' id="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    assert x.grad is not None and W.grad is not None  # the real backward ran


def test_static_picture_is_the_last_frame_with_a_line_on_how_to_play():
    loss, _, _ = tanh_net()
    html = viz.step_through(loss).body()
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert "grad pending" not in svg and "grad [[" in svg  # texts set to the finished pass
    assert "Static picture of the last frame" in html and "step through" in html


def test_save_writes_one_html_document(tmp_path):
    a, b = ag.Scalar(0.5, label="a"), ag.Scalar(-3.0, label="b")
    c = (a * b).tanh()
    player = viz.step_through(c, forward=False)
    text = open(player.save(tmp_path / "backprop.html"), encoding="utf-8").read()
    assert text.startswith("<!DOCTYPE html>") and text.rstrip().endswith("</html>")
    assert '<meta charset="utf-8">' in text
    frames = data_of(text)["f"]
    assert len(frames) == 2 + 1
    assert frames[0]["c"].startswith("backward 1/2 — tanh: δ = g ⊙ (1 − a²)")
    mul = frames[1]["c"]
    g = c.grad * (1 - c.data**2)
    assert f"∂L/∂a = g·b = {viz.caption.number(g)} × −3.0 = " in mul


def test_captions_summarize_big_tensors():
    x = ag.randn(4, 8, requires_grad=True)
    frames = data_of(viz.step_through((x.tanh() * 3.0).sum()).body())["f"]
    assert any("shape (4, 8), ‖·‖ = " in f["c"] and "mean = " in f["c"] for f in frames)


def test_draw_options_reach_every_frame():
    loss, _, _ = tanh_net()
    html = viz.step_through(loss, forward=False, rankdir="TB", values=False).body()
    assert "data [[" not in html and "grad" in html
    loss, _, _ = tanh_net()
    with pytest.raises(TypeError, match="unknown drawing options"):
        viz.step_through(loss, colour=True)


def test_too_many_frames_is_refused_before_rendering():
    x = ag.tensor([0.5], requires_grad=True)
    h = x
    for _ in range(30):
        h = h.tanh()
    player = viz.step_through(h.sum(), max_frames=20)
    assert len(player) == 31 + 31 + 1
    with pytest.raises(ValueError, match="max_frames=20"):
        player.html()


def test_grad_colors_fill_each_node_as_its_gradient_arrives():
    loss, x, W = tanh_net()
    data = data_of(viz.step_through(loss, grad_colors=True).body())
    fills = {}  # element -> fill, frame by frame
    history = []
    for frame in data["f"]:
        fills.update({data["e"][k]: c for k, c in frame["k"]})
        history.append(dict(fills))
    w = next(el for el in data["e"] if el.endswith("_v1"))  # W, a leaf: its gradient comes last
    assert history[0][w] == "#dcfce7"  # a leaf's own colour before any gradient
    assert history[-1][w] != "#dcfce7"  # coloured by ‖grad‖ once it has one
    assert len({h[w] for h in history}) == 2
    assert "polygon:not([fill=none])" in viz.step_through(tanh_net()[0], grad_colors=True).body()
    assert "k" not in data_of(viz.step_through(tanh_net()[0]).body())["f"][0]  # only with grad_colors
