"""A self-contained HTML player: one SVG per step, a caption, buttons, a slider, arrow keys.

No network and no widget server: the frames are inline SVG and the controls a few lines of
inline JavaScript, so the page works saved to disk, inline in Jupyter, and in exported notebooks.
"""

from __future__ import annotations

import html
import os
import uuid

from .draw import svg, to_dot
from .stepper import BackwardStepper

_STYLE = """
#__UID__ {font-family: Helvetica, Arial, sans-serif; outline: none; max-width: 100%}
#__UID__ .gg-frame {display: none}
#__UID__ .gg-frame.gg-on {display: block}
#__UID__ .gg-frame svg {max-width: 100%; height: auto}
#__UID__ .gg-bar {display: flex; gap: 6px; align-items: center; margin: 4px 0}
#__UID__ .gg-caption {font-size: 14px; margin: 6px 0; min-height: 1.4em}
"""

# show(i) toggles the visible SVG, the caption, the counter and the slider; the rest wires controls.
_SCRIPT = """(function () {
var r = document.getElementById("__UID__"), f = r.querySelectorAll(".gg-frame"), s = r.querySelector(".gg-slider"),
    c = r.querySelector(".gg-caption"), n = r.querySelector(".gg-count"), p = r.querySelector(".gg-play"), i = 0, t = null;
function show(k) { i = Math.max(0, Math.min(f.length - 1, k)); f.forEach(function (e, j) { e.classList.toggle("gg-on", j == i); });
  s.value = i; c.textContent = f[i].dataset.caption; n.textContent = (i + 1) + "/" + f.length; r.dataset.node = f[i].dataset.node; }
function stop() { clearInterval(t); t = null; p.textContent = "\u25b6 play"; }
r.querySelector(".gg-prev").onclick = function () { stop(); show(i - 1); };
r.querySelector(".gg-next").onclick = function () { stop(); show(i + 1); };
p.onclick = function () { if (t) { stop(); return; } p.textContent = "\u275a\u275a pause"; if (i == f.length - 1) show(0);
  t = setInterval(function () { if (i >= f.length - 1) stop(); else show(i + 1); }, __INTERVAL__); };
s.oninput = function () { stop(); show(+s.value); };
r.onkeydown = function (e) { var d = {ArrowRight: 1, ArrowLeft: -1}[e.key]; if (d) { stop(); show(i + d); e.preventDefault(); } };
show(0);
})();"""


class Player:
    """Steps through a backward pass (and, with ``forward=True``, the forward pass before it)."""

    def __init__(self, stepper, forward=True, interval_ms=900, max_frames=400, **draw_kwargs):
        self.stepper = stepper
        self.forward = forward
        self.max_frames = max_frames
        self.interval_ms = int(interval_ms)
        self.draw_kwargs = draw_kwargs
        self.uid = "gg" + uuid.uuid4().hex[:10]
        self._frames = None

    def frames(self):
        """[(svg text, caption, current item id)], rendered once with ``dot``."""
        if self._frames is None:
            todo = self.stepper.frames(self.forward)
            if len(todo) > self.max_frames:
                raise ValueError(
                    f"the player would have {len(todo)} frames (max_frames={self.max_frames}), one rendered "
                    f"graph each: step through a smaller graph, pass forward=False, or raise max_frames"
                )
            frames = []
            for n, (overlay, caption, node, show) in enumerate(todo):
                kwargs = dict(self.draw_kwargs)
                kwargs.setdefault("show", show)
                dot = to_dot(self.stepper.graph, overlay=overlay, id_prefix=f"{self.uid}_{n}_", **kwargs)
                frames.append((svg(dot), caption, node))
            self._frames = frames
        return self._frames

    def body(self):
        """The player as an HTML fragment (style, controls, frames, script)."""
        frames = self.frames()
        uid = self.uid
        parts = [
            f'<div class="gg-player" id="{uid}" tabindex="0">',
            "<style>" + _STYLE.replace("__UID__", uid) + "</style>",
        ]
        parts.append(
            '<div class="gg-bar"><button class="gg-prev" title="previous (←)">◀ prev</button>'
            '<button class="gg-play">▶ play</button><button class="gg-next" title="next (→)">next ▶</button>'
            f'<input class="gg-slider" type="range" min="0" max="{len(frames) - 1}" value="0" style="flex: 1">'
            f'<span class="gg-count">1/{len(frames)}</span></div>'
        )
        parts.append(f'<div class="gg-caption">{html.escape(frames[0][1])}</div>')
        for n, (svg_text, caption, node) in enumerate(frames):
            on = " gg-on" if n == 0 else ""
            parts.append(
                f'<div class="gg-frame{on}" data-caption="{html.escape(caption, quote=True)}" '
                f'data-node="{html.escape(node, quote=True)}">{svg_text}</div>'
            )
        script = _SCRIPT.replace("__UID__", uid).replace("__INTERVAL__", str(self.interval_ms))
        parts.append(f"<script>{script}</script></div>")
        return "\n".join(parts)

    def html(self):
        """One self-contained HTML document (for a browser, or ``save``)."""
        return (
            '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>glassgrad: backprop step by step</title>'
            f"</head><body>\n{self.body()}\n"
            f'<script>document.getElementById("{self.uid}").focus();</script>\n</body></html>\n'
        )

    def _repr_html_(self):
        # The fragment: Jupyter puts it inside its own page (a nested <html> would be dropped anyway).
        return self.body()

    def save(self, path):
        """Write the HTML document to ``path`` (e.g. "backprop.html"); returns the path."""
        path = os.fspath(path)
        with open(path, "w", encoding="utf-8") as f:
            f.write(self.html())
        return path

    def __len__(self):
        return len(self.stepper.frames(self.forward)) if self._frames is None else len(self._frames)


def step_through(loss, gradient=None, params=None, forward=True, **draw_kwargs):
    """A ``Player`` for ``loss``'s backward pass (runs it, as ``loss.backward()`` would)."""
    stepper = loss if isinstance(loss, BackwardStepper) else BackwardStepper(loss, gradient=gradient, params=params)
    return Player(stepper, forward=forward, **draw_kwargs)
