"""A self-contained HTML player: one laid-out SVG, per-frame data, pan/zoom, keys and a side panel.

Graphviz lays the graph out once (every node and edge any frame shows, each label sized by its
widest text over all frames); a frame only changes classes and texts, so nothing moves. No network
and no widget server: the SVG, a JSON block and a small inline script make one page that works
saved to disk, inline in Jupyter, and (with scripts stripped) as a static picture of the last frame.
"""

from __future__ import annotations

import html
import json
import os
import re
import uuid

from . import page
from .caption import backward_lines, brief, full, panel_text
from .draw import Painter, module_groups, svg, to_dot
from .stepper import BackwardStepper

_CODES = {"pending": "p", "current": "c", "done": "d", "hidden": "h", "active": "a", "anomaly": "x"}
_ELEMENT = re.compile(r'<g id="([^"]+)" class="(?:node|edge|cluster)[^"]*">')
_TEXT = re.compile(r"(<text\b[^>]*>)(.*?)(</text>)", re.S)
_DRAW_OPTIONS = (
    "values",
    "grads",
    "collapse_modules",
    "show_saved",
    "grad_colors",
    "rankdir",
    "legend",
    "course_names",
)


class Player:
    """Steps through a backward pass (and, with ``forward=True``, the forward pass before it)."""

    def __init__(self, stepper, forward=True, interval_ms=900, max_frames=4000, **draw_kwargs):
        unknown = set(draw_kwargs) - set(_DRAW_OPTIONS) - {"show", "max_nodes", "hide_constants"}
        if unknown:
            raise TypeError(f"step_through: unknown drawing options {sorted(unknown)} (have {_DRAW_OPTIONS})")
        self.stepper = stepper
        self.forward = forward
        self.max_frames = max_frames
        self.interval_ms = int(interval_ms)
        self.draw_kwargs = {k: v for k, v in draw_kwargs.items() if k in _DRAW_OPTIONS}
        self.uid = "gg" + uuid.uuid4().hex[:10]
        self._built = None

    def frames(self):
        """[(overlay, caption, current item id, panel text)] of every frame, forward then backward."""
        todo = self.stepper.frames(self.forward)
        if len(todo) > self.max_frames:
            raise ValueError(
                f"the player would have {len(todo)} frames (max_frames={self.max_frames}): step through a "
                f"smaller graph, pass forward=False, or raise max_frames"
            )
        steps = {self.stepper.graph.op_item[id(s.node)].id: s for s in self.stepper.steps}
        out = []
        for overlay, caption, node, _ in todo:
            caption, panel = self.caption(overlay, caption, node, steps)
            out.append((overlay, caption, node, panel))
        return out

    def caption(self, overlay, header, node, steps):
        """(caption with numbers, side panel text) of one frame."""
        graph = self.stepper.graph
        op = graph.op_item.get(id(steps[node].node)) if overlay.phase == "backward" and node in steps else None
        out_item = next((it for it in graph.items if it.op_item is not None and it.op_item.id == node), None)
        value = out_item.value if out_item is not None else None
        if op is not None:
            step = steps[node]
            return "\n".join([header.split("   ‖g‖")[0]] + backward_lines(step, graph)), panel_text(step, graph, value)
        if overlay.phase == "forward" and out_item is not None:
            made = brief(value) if value is not None else "not kept"
            return f"{header}\n= {made}", f"{out_item.op_item.op}: output\n{full(value)}"
        return header, ""

    def painter(self, overlay, id_prefix):
        """A ``Painter`` for one frame, with the player's drawing options."""
        kw = self.draw_kwargs
        collapse = kw.get("collapse_modules", False)
        graph = self.stepper.graph
        return Painter(
            graph,
            overlay,
            module_groups(graph) if collapse else {},
            None,
            id_prefix,
            show="both",
            values=kw.get("values", True),
            grads=kw.get("grads", True),
            collapse_modules=collapse,
            show_saved=kw.get("show_saved", False),
            grad_colors=kw.get("grad_colors", False),
            course_names=kw.get("course_names", False),
        )

    def build(self):
        """(SVG text of the one layout, frame data as a dict), computed once."""
        if self._built is not None:
            return self._built
        frames = self.frames()
        prefix = self.uid + "_"
        painters = [self.painter(ov, prefix) for ov, _, _, _ in frames]
        states = [p.states() for p in painters]
        # With grad_colors a node's fill follows the gradient that has reached it so far.
        fills = [p.fills() for p in painters] if self.draw_kwargs.get("grad_colors") else None
        final = states[-1]
        widest = {}
        for st in states:
            for dom, (_, rows) in st.items():
                slots = widest.setdefault(dom, {})
                for slot, _, text in rows:
                    if len(text) > len(slots.get(slot, "")):
                        slots[slot] = text
        layout = frames[-1][0]
        layout.layout = widest
        dot = to_dot(self.stepper.graph, overlay=layout, id_prefix=prefix, show="both", **self.draw_kwargs)
        layout.layout = {}
        picture, counts = _static_svg(svg(dot), {d: [t for _, _, t in rows] for d, (_, rows) in final.items()})
        order = {d: [slot for slot, _, _ in rows] for d, (_, rows) in final.items()}
        data = _frame_data(frames, states, order, counts)
        if fills is not None:
            _fill_diffs(data, fills)
        data.update(u=self.uid, t=self.interval_ms)
        self._built = (picture, data)
        return self._built

    def body(self, page_keys=False):
        """The player as an HTML fragment (style, controls, the picture, the panel, data, script)."""
        picture, data = self.build()
        uid, n = self.uid, len(data["f"])
        data = dict(data, page=page_keys)
        bar = (
            '<div class="gg-bar"><button class="gg-prev" title="previous (←)">◀ prev</button>'
            '<button class="gg-play" title="play/pause (space)">▶ play</button>'
            '<button class="gg-next" title="next (→)">next ▶</button>'
            f'<input class="gg-slider" type="range" min="0" max="{n - 1}" value="0" style="flex: 1; min-width: 120px">'
            f'<span class="gg-count">1/{n}</span><button class="gg-zout" title="zoom out (−)">−</button>'
            '<button class="gg-zin" title="zoom in (+)">+</button><button class="gg-fit" title="fit (f)">fit</button></div>'
        )
        static = (
            '<div class="gg-static">Static picture of the last frame (scripts are off here). To step through '
            'backprop, run the notebook trusted (JupyterLab, Notebook 7, VS Code) or open player.save("backprop.html") '
            "in a browser.</div>"
        )
        blob = json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
        script = page.SCRIPT.replace("__UID__", uid)
        return "\n".join(
            [
                f'<div class="gg-player" id="{uid}" tabindex="0">',
                "<style>" + page.STYLE.replace("__UID__", uid) + "</style>",
                bar,
                f'<div class="gg-caption">{html.escape(data["f"][-1]["c"])}</div>',
                static,
                f'<div class="gg-main"><div class="gg-view">{picture}</div><div class="gg-panel"></div></div>',
                f'<script type="application/json" id="{uid}-data">{blob}</script>',
                f"<script>{script}</script></div>",
            ]
        )

    def html(self):
        """One self-contained HTML document (for a browser, or ``save``); its keys work page-wide."""
        return (
            '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>glassgrad: backprop step by step</title>'
            f'</head><body style="margin: 8px">\n{self.body(page_keys=True)}\n'
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
        return len(self.stepper.frames(self.forward)) if self._built is None else len(self._built[1]["f"])


def _static_svg(text, final_texts):
    """The SVG with its texts set to the last frame's, sized by CSS; and {DOM id: its text count}."""
    text = re.sub(r'<svg width="[^"]*" height="[^"]*"', "<svg", text, count=1)
    starts = [(m.start(), m.group(1)) for m in _ELEMENT.finditer(text)] + [(len(text), None)]
    out, counts, pos = [], {}, 0
    for (start, dom), (end, _) in zip(starts, starts[1:]):
        out.append(text[pos:start])
        chunk = text[start:end]
        want = final_texts.get(dom)
        found = _TEXT.findall(chunk)
        if want is not None and len(found) == len(want):
            counts[dom] = len(want)
            it = iter(want)
            chunk = _TEXT.sub(lambda m: m.group(1) + html.escape(next(it), quote=False) + m.group(3), chunk)
        out.append(chunk)
        pos = end
    out.append(text[pos:])
    return "".join(out), counts


def _frame_data(frames, states, order, counts):
    """{"e": element ids, "f": [{c: caption, n: node, p: panel, d: diffs}]} of all frames."""
    elements = list(order)
    index = {d: k for k, d in enumerate(elements)}
    previous = {}
    out = []
    for (_, caption, node, panel), st in zip(frames, states):
        diffs = []
        for dom, (status, rows) in st.items():
            code = _CODES.get(status, "")
            texts = None
            if dom in counts:
                by_slot = {slot: t for slot, _, t in rows}
                texts = [by_slot.get(slot, "") for slot in order[dom]]
            state = (code, texts)
            if previous.get(dom) != state:
                diffs.append([index[dom], code] + ([texts] if texts is not None else []))
                previous[dom] = state
        out.append({"c": caption, "n": node, "p": panel, "d": diffs})
    return {"e": elements, "f": out}


def _fill_diffs(data, fills):
    """Add to each frame ``k``: [[element, fill]] of the elements whose fill differs from frame k − 1."""
    index = {d: n for n, d in enumerate(data["e"])}
    previous = {}
    for frame, fill in zip(data["f"], fills):
        frame["k"] = [[index[d], c] for d, c in fill.items() if d in index and previous.get(d) != c]
        previous.update(fill)


def step_through(loss, gradient=None, params=None, forward=True, **draw_kwargs):
    """A ``Player`` for ``loss``'s backward pass (runs it, as ``loss.backward()`` would)."""
    stepper = loss if isinstance(loss, BackwardStepper) else BackwardStepper(loss, gradient=gradient, params=params)
    return Player(stepper, forward=forward, **draw_kwargs)


__all__ = ["Player", "step_through"]
