"""The HTML player: one self-contained document, frames, captions and controls."""

import re
from html.parser import HTMLParser

import pytest

import autograd as ag
from autograd import viz

pytestmark = pytest.mark.skipif(not viz.has_dot(), reason="the Graphviz `dot` program is not installed")


class Frames(HTMLParser):
    """Collects the frame divs' data attributes and the tags used."""

    def __init__(self):
        super().__init__()
        self.frames, self.tags = [], set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        a = dict(attrs)
        if "gg-frame" in (a.get("class") or ""):
            self.frames.append(a)


def tanh_net():
    x = ag.tensor([[0.5, -1.0]], requires_grad=True)
    W = ag.tensor([[0.3], [0.8]], requires_grad=True)
    return ((x @ W).tanh() * 2.0).sum(), x, W


def test_repr_html_is_self_contained_with_controls_and_a_frame_per_step():
    loss, x, W = tanh_net()
    player = viz.step_through(loss)
    html = player._repr_html_()
    p = Frames()
    p.feed(html)
    # 4 ops forward, 4 backward, and the finished pass
    assert len(p.frames) == 4 + 4 + 1 == len(player)
    assert {"button", "input", "script", "svg", "style"} <= p.tags
    assert html.count("<svg") == len(p.frames)
    assert 'class="gg-slider" type="range" min="0" max="8"' in html
    assert "ArrowRight" in html and "ArrowLeft" in html and "setInterval" in html
    captions = [f["data-caption"] for f in p.frames]
    assert any("tanh: δ = g ⊙ (1 − a²)" in c for c in captions)
    assert [f["data-node"] for f in p.frames[4:8]] == ["op8", "op6", "op4", "op2"]  # sum, mul, tanh, matmul
    # no network: nothing is fetched (the only URLs are XML namespaces inside the SVGs)
    assert not re.search(r"(src|href)=\"https?:", html)
    assert "<link" not in html and "import(" not in html
    # element ids are unique across frames
    ids = re.findall(r' id="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    # the real backward ran
    assert x.grad is not None and W.grad is not None


def test_save_writes_one_html_document(tmp_path):
    a, b = ag.Scalar(0.5, label="a"), ag.Scalar(-1.5, label="b")
    c = (a * b).tanh()
    player = viz.step_through(c, forward=False)
    path = player.save(tmp_path / "backprop.html")
    text = open(path, encoding="utf-8").read()
    assert text.startswith("<!DOCTYPE html>") and text.rstrip().endswith("</html>")
    assert '<meta charset="utf-8">' in text and player.body() in text
    p = Frames()
    p.feed(text)
    assert len(p.frames) == 2 + 1
    assert p.frames[0]["data-caption"].startswith("backward 1/2 — tanh: δ = g ⊙ (1 − a²)")


def test_draw_options_reach_every_frame():
    loss, _, _ = tanh_net()
    html = viz.step_through(loss, forward=False, rankdir="TB", values=False).body()
    assert "data [[" not in html and "grad" in html


def test_too_many_frames_is_refused_before_rendering():
    x = ag.tensor([0.5], requires_grad=True)
    h = x
    for _ in range(30):
        h = h.tanh()
    player = viz.step_through(h.sum(), max_frames=20)
    assert len(player) == 31 + 31 + 1
    with pytest.raises(ValueError, match="max_frames=20"):
        player.html()
