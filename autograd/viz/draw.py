"""Graphviz drawings of a graph: values, ops, forward (solid) and backward (dashed) edges."""

from __future__ import annotations

import html
import math
import os
import re
import shutil

import numpy as np

from ..node import Node
from ..scalar import Scalar
from ..tensor import Tensor
from .graph import build, layer_names, root_vertex

INSTALL_HELP = (
    "Rendering needs the Graphviz `dot` program, which was not found on PATH. Install it:\n"
    "  Debian/Ubuntu: sudo apt-get install graphviz\n"
    "  macOS:         brew install graphviz\n"
    "  conda:         conda install -c conda-forge graphviz\n"
    "(the DOT source is still available as graph.source)"
)


class GraphvizNotFoundError(RuntimeError):
    """The Graphviz ``dot`` program is missing; the message says how to install it."""


class GraphTooLargeError(ValueError):
    """The drawing would have more than ``max_nodes`` nodes."""


# Colours: the course figure's palette kept plain; backward edges red and dashed.
_FORWARD = "#374151"
_BACKWARD = "#dc2626"
_SAVED = "#d97706"
_FILL = {"param": "#dbeafe", "input": "#dcfce7", "value": "#ffffff", "const": "#f3f4f6", "op": "#fef9c3"}
_MODULE_FILL = "#ede9fe"
_PENDING = ("#f9fafb", "#9ca3af")  # fill, text
_CURRENT = "#facc15"
_ANOMALY = "#ef4444"
_GREY = "#d1d5db"
# Log gradient norm bins for grad_colors (upper bound, colour, legend text).
_NORM_BINS = (
    (1e-6, "#60a5fa", "< 1e-6 (vanishing)"),
    (1e-3, "#bfdbfe", "1e-6 … 1e-3"),
    (1e1, "#d1fae5", "1e-3 … 10"),
    (1e3, "#fdba74", "10 … 1e3"),
    (math.inf, "#f87171", "≥ 1e3 (exploding)"),
)
_NONFINITE = "#e879f9"

SHOW = ("forward", "backward", "both")


class Overlay:
    """Per-frame state drawn over a graph (stepper, anomaly): item status, gradients so far.

    ``status`` maps item id → "pending", "current", "done" or "anomaly"; ``grads`` (item id →
    gradient) and ``edge_grads`` (edge index → gradient), when given, replace what the graph
    recorded; ``active`` edges are drawn bold; ``notes`` add a line to an item's label.
    ``layout`` gives texts to size labels by (a player lays out once with each line's widest text).
    """

    def __init__(self, status=None, grads=None, edge_grads=None, active=(), notes=None, phase="backward", layout=None):
        self.status = status or {}
        self.layout = layout or {}  # {DOM id: {slot: text}}: the texts to lay a node or edge out with
        self.grads = grads
        self.edge_grads = edge_grads
        self.active = set(active)
        self.notes = notes or {}
        self.phase = phase


def draw(
    *roots,
    params=None,
    show="both",
    values=True,
    grads=True,
    collapse_modules=False,
    rankdir=None,
    max_nodes=2000,
    show_saved=False,
    hide_constants=False,
    highlight=None,
    grad_colors=False,
    legend=True,
    course_names=False,
):
    """The computation graph behind ``roots`` (Tensors or Scalars) as a ``graphviz.Digraph``.

    Forward edges are solid, backward edges dashed and reversed, labelled with the shape and norm
    of the gradient they carry. ``params`` ({name: tensor}) names parameters; ``highlight`` (a
    parameter or its name) draws the gradient path from the roots to it in bold;
    ``grad_colors`` fills values by log gradient norm; ``show_saved`` marks what each op saved
    for backward; ``collapse_modules`` draws each nn module as one node; ``course_names`` names a
    layered net's values z⁽ˡ⁾, a⁽ˡ⁾ and the gradients into z⁽ˡ⁾ δ⁽ˡ⁾, as the course does.
    """
    if not roots:
        raise TypeError("draw() needs at least one Tensor or Scalar to draw")
    graph = build(roots, params=params, hide_constants=hide_constants)
    return to_dot(
        graph,
        show=show,
        values=values,
        grads=grads,
        collapse_modules=collapse_modules,
        rankdir=rankdir,
        max_nodes=max_nodes,
        show_saved=show_saved,
        highlight=highlight,
        grad_colors=grad_colors,
        legend=legend,
        course_names=course_names,
    )


def to_dot(
    graph,
    *,
    show="both",
    values=True,
    grads=True,
    collapse_modules=False,
    rankdir=None,
    max_nodes=2000,
    show_saved=False,
    highlight=None,
    grad_colors=False,
    overlay=None,
    id_prefix="",
    legend=True,
    course_names=False,
):
    """Draw a ``graph.Graph`` (built by ``graph.build``) as a ``graphviz.Digraph``."""
    import graphviz  # lazily: `import autograd` must not pay for it

    if show not in SHOW:
        raise ValueError(f"show must be one of {SHOW}, got {show!r}")
    ov = overlay or Overlay(phase=None)
    groups = module_groups(graph) if collapse_modules else {}
    _check_size(graph, groups, max_nodes)
    on_path = _path(graph, highlight) if highlight is not None else None
    painter = Painter(
        graph,
        ov,
        groups,
        on_path,
        id_prefix,
        show=show,
        values=values,
        grads=grads,
        collapse_modules=collapse_modules,
        show_saved=show_saved,
        grad_colors=grad_colors,
        course_names=course_names,
    )
    rankdir = rankdir or auto_rankdir(graph)
    dot = graphviz.Digraph("glassgrad", graph_attr={"rankdir": rankdir, "id": f"{id_prefix}graph", "bgcolor": "white"})
    dot.attr("node", fontname="Helvetica", fontsize="11")
    dot.attr("edge", fontname="Helvetica", fontsize="10")
    painter.nodes(dot)
    painter.edges(dot)
    if legend:
        _legend(dot, id_prefix, graph, show, grad_colors, show_saved)
    return dot


def auto_rankdir(graph):
    """Top-to-bottom (fits a notebook column) unless the graph is shallow and wide."""
    depth = {}
    for e in graph.edges:  # edges come in forward order: an edge's source is placed before it
        depth[e.dst.id] = max(depth.get(e.dst.id, 0), depth.get(e.src.id, 0) + 1)
    levels = max(depth.values(), default=0) + 1
    widest = max(np.bincount(list(depth.values()) or [0]), default=1)
    return "LR" if levels <= 3 and widest > levels else "TB"


def _check_size(graph, groups, max_nodes):
    """Raise ``GraphTooLargeError`` if the drawing would have more than ``max_nodes`` nodes."""
    count = len({groups.get(it.id, it.id) for it in graph.items})
    if count > max_nodes:
        raise GraphTooLargeError(
            f"the graph has {count} nodes, more than max_nodes={max_nodes}: pass collapse_modules=True "
            f"to draw each module as one node (modules come from nn or a params map), or raise max_nodes"
        )


class Painter:
    """Draws the items and edges of one graph into a Digraph, styled by an overlay and options.

    ``groups`` ({item id: module node id}) is empty unless modules are collapsed; ``on_path`` is
    None, or the ids of the items on the highlighted gradient path.
    """

    def __init__(
        self,
        graph,
        overlay,
        groups,
        on_path,
        id_prefix,
        *,
        show,
        values,
        grads,
        collapse_modules,
        show_saved,
        grad_colors,
        course_names=False,
    ):
        self.graph = graph
        self.ov = overlay
        self.groups = groups
        self.on_path = on_path
        self.id_prefix = id_prefix
        self.show = show
        self.values = values
        self.grads = grads
        self.collapse_modules = collapse_modules
        self.show_saved = show_saved
        self.grad_colors = grad_colors
        self.course, self.course_edges = layer_names(graph) if course_names else ({}, {})

    def item_grad(self, it):
        """The gradient drawn on an item: the overlay's when it has any, else the graph's."""
        if self.ov.grads is not None:
            return self.ov.grads.get(it.id)
        return it.grad

    def edge_grad(self, k):
        """The gradient drawn on edge ``k``: the overlay's when it has any, else the graph's."""
        if self.ov.edge_grads is not None:
            return self.ov.edge_grads.get(k)
        return self.graph.edges[k].grad

    def node_id(self, it):
        """The DOT node an item is drawn as: its own, or its collapsed module's."""
        return self.id_prefix + self.groups.get(it.id, it.id)

    # --- nodes ---------------------------------------------------------------------------------
    def nodes(self, dot):
        """Every item: in module clusters (nested by dotted name), or in collapsed modules."""
        if self.collapse_modules:
            self.module_nodes(dot)
            for it in self.graph.items:
                if it.id not in self.groups:
                    self.item(dot, it)
        else:
            _emit_clusters(dot, self.graph, self.item, self.id_prefix)

    def layout_rows(self, dom_id, rows):
        """Rows with the texts the overlay's ``layout`` gives for layout (the widest of a player's frames)."""
        texts = self.ov.layout.get(dom_id)
        if not texts:
            return rows
        return [(slot, kind, texts.get(slot, text)) for slot, kind, text in rows]

    def item_rows(self, it):
        """(status, rows) of an op or value item under the overlay."""
        status = self.ov.status.get(it.id)
        note = self.ov.notes.get(it.id)
        if it.kind == "op":
            return status, op_rows(it, note)
        pending = self.ov.phase == "forward" and status == "pending"
        g = self.item_grad(it)
        return status, value_rows(it, self.values, self.grads, g, note, pending, self.course.get(it.id))

    def item(self, container, it):
        """One op or value item as a node of ``container`` (the Digraph or a cluster)."""
        status, rows = self.item_rows(it)
        dom = self.id_prefix + it.id
        rows = self.layout_rows(dom, rows)
        grey = status == "pending" or (self.on_path is not None and it.id not in self.on_path)
        bold = self.on_path and it.id in self.on_path
        attrs = {"id": dom, "class": _css(it, status)}
        if it.kind == "op":
            label, style = _op_node(it, status, grey, bold, None, rows)
        else:
            label, style = self.value_node(it, status, grey, bold, rows)
        attrs.update(style)
        container.node(dom, label, **attrs)

    def value_node(self, it, status, grey, bold, rows):
        """(label, attributes) of a value or const item: a table of name, shape, data and grad."""
        g = self.item_grad(it)
        fill = _value_fill(it, g, status, grey, self.grad_colors)
        border = _CURRENT if status == "current" else ("#111827" if it.root else _GREY if grey else "#6b7280")
        width = 3 if status == "current" or it.root else (2 if bold else 1)
        table = (
            f'<table border="{width}" cellborder="0" cellspacing="0" cellpadding="2" '
            f'bgcolor="{fill}" color="{border}"'
            + (' style="rounded"' if it.kind == "const" else "")
            + f">{rows_html(rows, it.scalar)}</table>"
        )
        style = dict(shape="plain", fontcolor=_PENDING[1] if grey else "black", tooltip=_value_tooltip(it))
        return f"<{table}>", style

    def module_members(self):
        """{module node id: (module name, its items)}."""
        members = {}
        for it in self.graph.items:
            if it.id in self.groups:
                members.setdefault(self.groups[it.id], []).append(it)
        return {gid: (min((it.module for it in items), key=len), items) for gid, items in members.items()}

    def module_nodes(self, dot):
        """One node per collapsed module: its title, output shape, parameters' gradient norms."""
        for gid, (m, items) in self.module_members().items():
            self.module_node(dot, gid, m, items)

    def module_rows(self, m, items):
        """(status, rows) of a collapsed module under the overlay."""
        statuses = [self.ov.status.get(it.id) for it in items]
        status = "anomaly" if "anomaly" in statuses else "current" if "current" in statuses else None
        if status is None and statuses and all(s == "pending" for s in statuses):
            status = "pending"
        elif status is None and any(s == "done" for s in statuses):
            status = "done"
        return status, module_rows(self.graph, m, items, self.grads, self.item_grad, self.course)

    def module_node(self, dot, gid, m, items):
        """The node of collapsed module ``m`` (DOT id ``gid``) made of ``items``."""
        status, rows = self.module_rows(m, items)
        rows = self.layout_rows(self.id_prefix + gid, rows)
        grey = status == "pending" or (self.on_path is not None and not any(it.id in self.on_path for it in items))
        fill = self.module_fill(items)
        fill = _ANOMALY if status == "anomaly" else _CURRENT if status == "current" else _PENDING[0] if grey else fill
        table = (
            f'<<table border="{3 if status == "current" else 1}" cellborder="0" cellspacing="0" cellpadding="3" '
            f'bgcolor="{fill}" color="#6b7280">{rows_html(rows)}</table>>'
        )
        cls = "module" + (f" gg-{status}" if status else "")
        dot.node(
            self.id_prefix + gid,
            table,
            shape="plain",
            id=self.id_prefix + gid,
            fontcolor=_PENDING[1] if grey else "black",
            tooltip=_module_label(self.graph, m),
            **{"class": cls},
        )

    def module_fill(self, items):
        """A collapsed module's fill: by its output's gradient norm with grad_colors, else violet."""
        out = module_output(self.graph, items)
        if self.grad_colors and out is not None and self.item_grad(out) is not None:
            return _norm_colour(self.item_grad(out))
        return _MODULE_FILL

    def fills(self):
        """{DOM id: fill} of every value and module node under the overlay (what grad_colors changes)."""
        out = {}
        if self.collapse_modules:
            for gid, (_, items) in self.module_members().items():
                out[self.id_prefix + gid] = self.module_fill(items)
        for it in self.graph.items:
            if it.kind != "op" and it.id not in self.groups:
                anomaly = self.ov.status.get(it.id) == "anomaly"
                out[self.id_prefix + it.id] = _value_fill(it, self.item_grad(it), anomaly and "anomaly", False, True)
        return out

    def states(self):
        """{DOM id: (status, rows)} of every node and backward edge drawn (what a player frame changes)."""
        out = {}
        if self.collapse_modules:
            for gid, (m, items) in self.module_members().items():
                out[self.id_prefix + gid] = self.module_rows(m, items)
        for it in self.graph.items:
            if it.id not in self.groups:
                out[self.id_prefix + it.id] = self.item_rows(it)
        for k, e in self.drawn_edges():
            if e.flows and self.show != "forward":
                out[f"{self.id_prefix}b{k}"] = (self.edge_status(k, e), self.edge_rows(k, e))
        return out

    def edge_status(self, k, e):
        """A backward edge's status: "active", "pending" or None."""
        if k in self.ov.active:
            return "active"
        if self.ov.phase == "forward":
            return "hidden"
        return "pending" if self.ov.status.get(e.dst.id) == "pending" and self.ov.phase == "backward" else None

    def edge_rows(self, k, e):
        """The rows of backward edge ``k``'s label."""
        lines = edge_lines(e, self.edge_grad(k), self.grads)
        if k in self.course_edges:
            lines = [self.course_edges[k]] + lines
        return [(f"l{n}", "t", t) for n, t in enumerate(lines)]

    # --- edges ---------------------------------------------------------------------------------
    def drawn_edges(self):
        """(index, edge) of each edge drawn: not inside one collapsed module, parallel ones merged."""
        seen = set()
        for k, e in enumerate(self.graph.edges):
            a, b = self.node_id(e.src), self.node_id(e.dst)
            if a == b:
                continue  # inside one collapsed module
            # Collapsed modules merge parallel edges; otherwise x * x keeps both of its edges.
            key = (a, b) if self.collapse_modules else k
            if key not in seen:
                seen.add(key)
                yield k, e

    def edges(self, dot):
        """Every edge: forward (solid), backward (dashed, reversed) and, with show_saved, saved."""
        for k, e in self.drawn_edges():
            self.flow_edges(dot, k, e, self.node_id(e.src), self.node_id(e.dst))
        if self.show_saved:
            for k, e in enumerate(self.graph.edges):
                a, b = self.node_id(e.src), self.node_id(e.dst)
                if e.saved and a != b:
                    _saved_edge(dot, k, e, a, b, self.id_prefix)

    def flow_edges(self, dot, k, e, a, b):
        """Edge ``k`` (DOT nodes ``a`` → ``b``) forward and, where a gradient flows, backward."""
        bold = self.on_path is not None and e.src.id in self.on_path and e.dst.id in self.on_path
        greyed = self.on_path is not None and not bold
        if self.show != "backward":
            dot.edge(
                a,
                b,
                id=f"{self.id_prefix}f{k}",
                **{"class": "forward"},
                color=_GREY if greyed else _FORWARD,
                penwidth="2.5" if bold else "1",
            )
        if self.show != "forward" and e.flows:
            self.backward_edge(dot, k, e, a, b, bold, greyed)

    def backward_edge(self, dot, k, e, a, b, bold, greyed):
        """The dashed edge b → a of the gradient edge ``k`` carries back, labelled with it."""
        # NOTE: laid out as a → b with the arrow at a (dir=back), so Graphviz routes it beside its
        # forward edge instead of across the picture (what tangled small Scalar graphs).
        status = self.edge_status(k, e)
        active = status == "active"
        grey = greyed or status == "pending"
        rows = self.layout_rows(f"{self.id_prefix}b{k}", self.edge_rows(k, e))
        dot.edge(
            a,
            b,
            id=f"{self.id_prefix}b{k}",
            dir="back",
            style="dashed",
            color=_GREY if grey else _BACKWARD,
            fontcolor=_GREY if grey else _BACKWARD,
            penwidth="3" if active else ("2.5" if bold else "1"),
            label="\\n".join(text.replace("\\", "\\\\") for _, _, text in rows),
            **{"class": "backward active" if active else "backward"},
        )


def op_rows(it, note=None):
    """[(slot, kind, text)] of an op's label: its name, its attributes (defaults left out), a note."""
    rows = [("op", "b", it.op)]
    attrs = short_attrs(it.attrs)
    if attrs:
        rows.append(("attrs", "s", attrs))
    if note:
        rows.append(("note", "s", note))
    return rows


# Attribute values that are an op's defaults: a drawing leaves them out ("stride=(1, 1)").
_DEFAULT_ATTRS = {"stride": ("1", "(1, 1)"), "padding": ("0", "(0, 0)"), "dilation": ("1", "(1, 1)"), "groups": ("1",)}


def short_attrs(attrs):
    """An op's attribute text with default arguments removed."""
    if not attrs:
        return ""
    parts = re.split(r", (?=\w+=)", attrs)
    kept = [p for p in parts if p.split("=", 1)[-1] not in _DEFAULT_ATTRS.get(p.split("=", 1)[0], ())]
    return ", ".join(kept)


def _op_node(it, status, grey, bold, note, rows=None):
    """(label, attributes) of an op item: its name and attributes, its VJP rule as tooltip."""
    label = "<br/>".join(_cell(kind, text) for _, kind, text in (rows or op_rows(it, note)))
    style = dict(
        shape="ellipse",
        style="filled",
        fillcolor=_op_fill(status, grey),
        color=_GREY if grey else "#92400e",
        fontcolor=_PENDING[1] if grey else "black",
        penwidth="3" if status in ("current", "anomaly") else ("2" if bold else "1"),
        tooltip=f"{it.op}: {it.rule}" if it.rule else it.op,
    )
    return f"<{label}>", style


def _op_fill(status, grey):
    """The fill colour of an op node."""
    if status == "current":
        return _CURRENT
    if status == "anomaly":
        return _ANOMALY
    if grey:
        return _PENDING[0]
    return _FILL["op"]


def fill_kind(it):
    """The legend entry of a value or const node: "param", "input", "const" or "value"."""
    if it.param:
        return "param"
    if it.role or (it.kind == "value" and it.op_item is None and not it.scalar):
        return "input"
    return "const" if it.kind == "const" else "value"


def _value_fill(it, g, status, grey, grad_colors):
    """The fill colour of a value or const node (by gradient norm with ``grad_colors``)."""
    fill = _FILL[fill_kind(it)]
    if grad_colors and g is not None:
        fill = _norm_colour(g)
    if status == "anomaly":
        return _ANOMALY
    if grey:
        return _PENDING[0]
    return fill


def _saved_edge(dot, k, e, a, b, id_prefix):
    """The dotted "saved" edge of edge ``k``: the value an op keeps for its backward."""
    # The link between the two graphs: from the saved value to the op that keeps it.
    src, dst = (a, b) if e.dst.kind == "op" else (b, a)
    dot.edge(
        src,
        dst,
        id=f"{id_prefix}s{k}",
        style="dotted",
        color=_SAVED,
        fontcolor=_SAVED,
        label="saved",
        constraint="false",
        arrowhead="odot",
        **{"class": "saved"},
    )


# --- labels --------------------------------------------------------------------------------------
def _esc(s):
    """Text escaped for a Graphviz HTML label."""
    return html.escape(str(s), quote=True)


def fmt(v):
    """A number in %.4g style ("0.5", "-1.5", "3e-06"), with -0 shown as 0."""
    v = float(v)
    return f"{v + 0.0:.4g}" if v == v else "nan"


def summary_lines(a, limit=6):
    """Plain text lines: the values themselves when there are few, else mean/std/min/max."""
    if a is None:
        return ["not kept"]
    if isinstance(a, float):
        return [fmt(a)]
    a = np.asarray(a)
    if a.size == 0:
        return [f"[] {a.shape}"]
    if a.dtype.kind == "b":
        return [f"{int(a.sum())} of {a.size} true" if a.size > limit else np.array2string(a, separator=", ")]
    if a.size <= limit:
        if a.ndim == 0:
            return [fmt(a)]
        text = np.array2string(a, separator=", ", max_line_width=56, formatter={"all": _fmt_entry})
        return text.split("\n")
    x = a.astype(np.float64, copy=False)
    finite = np.isfinite(x)
    bad = x.size - int(finite.sum())
    f = x[finite] if bad else x
    if f.size == 0:
        return [f"all {x.size} non-finite"]
    lines = [f"μ={fmt(f.mean())} σ={fmt(f.std())}", f"min={fmt(f.min())} max={fmt(f.max())}"]
    if bad:
        lines.append(f"{bad} nan/inf")
    return lines


def _fmt_entry(v):
    """One array entry for ``np.array2string``: %.4g for numbers, str for anything else."""
    try:
        return fmt(v)
    except (TypeError, ValueError):
        return str(v)


def summarize(a, limit=6):
    """The values themselves when there are few, else mean/std/min/max (HTML-escaped lines)."""
    return "<br/>".join(_esc(line) for line in summary_lines(a, limit))


def norm(g):
    """‖g‖ (Euclidean) as a float; |g| for a Scalar gradient."""
    if isinstance(g, float):
        return abs(g)
    return float(np.linalg.norm(np.asarray(g, dtype=np.float64).ravel()))


def value_rows(it, values, grads, g, note, pending=False, course=None):
    """[(slot, kind, text)] of a value's label: one entry per drawn line (kind b/t/g/s)."""
    if it.scalar:  # micrograd's record: label | data | grad
        rows = [("title", "b", it.name)] if it.name else []
        if values:
            rows.append(("d0", "t", "data " + ("pending" if pending else summary_lines(it.value)[0])))
        if grads:
            rows.append(("g0", "g", "grad " + (fmt(g) if g is not None else "pending")))
        rows = rows or [("title", "t", "·")]
    else:
        title = it.name or ("const" if it.kind == "const" else "")
        title = f"{course} {title}".strip() if course else title
        rows = [("title", "b", title)] if title else []
        known = it.shape if it.shape is not None else (np.shape(g) if g is not None else None)
        shape = "shape not kept" if known is None else ("()" if known == () else str(tuple(known)))
        rows.append(("shape", "t", shape + (f" {it.dtype}" if it.dtype is not None else "")))
        if values and it.value is not None:
            lines = ["pending"] if pending else summary_lines(it.value)
            rows += [(f"d{n}", "t", ("data " if n == 0 else "") + t) for n, t in enumerate(lines)]
        if grads and g is not None:
            rows += [(f"g{n}", "g", ("grad " if n == 0 else "") + t) for n, t in enumerate(summary_lines(g))]
    if note:
        rows.append(("note", "s", note))
    return rows


def rows_html(rows, scalar=False):
    """The HTML table rows of a label from its [(slot, kind, text)] (one line each)."""
    cells = [_cell(kind, text) for _, kind, text in rows]
    if not scalar:
        return "".join(f"<tr><td>{c}</td></tr>" for c in cells)
    main = [c for (slot, _, _), c in zip(rows, cells) if slot != "note"]
    row = "".join(f'<td border="1" sides="r">{c}</td>' for c in main[:-1]) + f"<td>{main[-1]}</td>"
    extra = "".join(f'<tr><td colspan="{len(main)}">{c}</td></tr>' for (s, _, _), c in zip(rows, cells) if s == "note")
    return f"<tr>{row}</tr>{extra}"


def _cell(kind, text):
    """One line of a label as Graphviz HTML: bold, plain, gradient (red) or small."""
    t = _esc(text)
    if kind == "b":
        return f"<b>{t}</b>"
    if kind == "g":
        return f'<font color="{_BACKWARD}">{t}</font>'
    if kind == "s":
        return f'<font point-size="10">{t}</font>'
    return t


def _value_tooltip(it):
    """A value's tooltip: its name, shape and module."""
    parts = [it.name or ("constant" if it.kind == "const" else "value")]
    if it.shape is not None:
        parts.append(f"shape {tuple(it.shape)}")
    if it.module:
        parts.append(f"module {it.module}")
    return ", ".join(parts)


def edge_lines(e, g, grads):
    """The lines of a backward edge's label: the gradient's shape and norm (its value for a Scalar)."""
    if g is None:
        shape = e.src.shape
        return [] if shape is None or e.src.scalar else [str(tuple(shape))]
    if isinstance(g, float):
        return [f"g={fmt(g)}"] if grads else []
    g = np.asarray(g)
    return [str(tuple(g.shape))] + ([f"‖g‖={fmt(norm(g))}"] if grads else [])


def _norm_colour(g):
    """The fill colour of the log gradient norm bin ``g`` falls in."""
    n = norm(g)
    if not math.isfinite(n):
        return _NONFINITE
    for bound, colour, _ in _NORM_BINS:
        if n < bound:
            return colour
    return _NORM_BINS[-1][1]


def _legend(dot, id_prefix, graph, show, grad_colors, show_saved):
    """The legend: edge styles, node kinds and, with grad_colors, the ‖grad‖ bins, as one node."""
    rows = []
    if show != "backward":
        rows.append((f'<font color="{_FORWARD}">──▶</font>', "forward: value flows in"))
    if show != "forward":
        rows.append((f'<font color="{_BACKWARD}">◀╌╌</font>', "backward: gradient flows back"))
    if show_saved:
        rows.append((f'<font color="{_SAVED}">┈┈○</font>', "saved for backward"))
    for kind, text in legend_kinds(graph):
        rows.append((f'<table border="1" cellborder="0" bgcolor="{_FILL[kind]}"><tr><td> </td></tr></table>', text))
    if grad_colors:
        rows.append(("", "<b>fill: ‖grad‖</b>"))
        rows += [(f'<table border="0" bgcolor="{c}"><tr><td> </td></tr></table>', _esc(t)) for _, c, t in _NORM_BINS]
        rows.append((f'<table border="0" bgcolor="{_NONFINITE}"><tr><td> </td></tr></table>', "nan/inf"))
    body = "".join(f'<tr><td align="center">{a}</td><td align="left">{b}</td></tr>' for a, b in rows)
    table = f'<<table border="1" cellborder="0" cellspacing="2" color="#9ca3af" bgcolor="#ffffff">{body}</table>>'
    with dot.subgraph(name="cluster_legend") as c:
        c.attr(label="", style="invis", id=f"{id_prefix}legend_box")
        c.node(f"{id_prefix}legend", table, shape="plain", id=f"{id_prefix}legend", **{"class": "legend"})


def legend_kinds(graph):
    """[(fill kind, legend text)] of the kinds of node this graph has, in a fixed order."""
    shown = {fill_kind(it) for it in graph.items if it.kind != "op"}
    if any(it.kind == "op" for it in graph.items):
        shown.add("op")
    scalar = all(it.scalar for it in graph.items if it.kind == "value")
    texts = {
        "op": "op (hover: its VJP rule)",
        "param": "parameter",
        "input": "input / target / leaf",
        "value": "value" if scalar else "intermediate value",
        "const": "constant (no gradient)",
    }
    return [(kind, texts[kind]) for kind in ("op", "param", "input", "value", "const") if kind in shown]


def _css(it, status):
    """The CSS class of an item's node: its kind and, under an overlay, its status."""
    cls = it.kind
    if status:
        cls += f" gg-{status}"
    return cls


# --- modules ----------------------------------------------------------------------------------
def _module_tree(graph):
    """(sorted module names, {module: its nearest enclosing module or None})."""
    names = sorted({it.module for it in graph.items if it.module})
    parent = {}
    for m in names:
        parts = m.split(".")
        parent[m] = next(
            (".".join(parts[:i]) for i in range(len(parts) - 1, 0, -1) if ".".join(parts[:i]) in names), None
        )
    return names, parent


def _module_label(graph, m):
    """A module's caption: its name and, when known, its type."""
    t = graph.module_types.get(m)
    return f"{m} ({t})" if t and t != m else m


def _emit_clusters(dot, graph, emit_item, id_prefix):
    """Every item inside nested clusters, one per module (by dotted name); the rest outside."""
    names, parent = _module_tree(graph)
    children = {}
    for m in names:
        children.setdefault(parent[m], []).append(m)
    index = {m: k for k, m in enumerate(names)}
    members = {}
    for it in graph.items:
        members.setdefault(it.module, []).append(it)

    def emit(container, m, k):
        """The cluster of module ``m`` (number ``k``): its items, then its submodules' clusters."""
        with container.subgraph(name=f"cluster_{id_prefix}{k}") as c:
            c.attr(
                label=_module_label(graph, m),
                style="rounded,dashed",
                color="#6b7280",
                fontname="Helvetica",
                fontsize="10",
                id=f"{id_prefix}cluster{k}",
            )
            for it in members.get(m, []):
                emit_item(c, it)
            for child in children.get(m, []):
                emit(c, child, index[child])

    for it in members.get(None, []):
        emit_item(dot, it)
    for m in children.get(None, []):
        emit(dot, m, index[m])


def module_groups(graph):
    """{item id: group node id}: every item of a module goes to its outermost module."""
    names, parent = _module_tree(graph)
    top = {}
    for m in names:
        t = m
        while parent[t] is not None:
            t = parent[t]
        top[m] = t
    tops = list(dict.fromkeys(top[m] for m in names))
    gid = {m: f"m{k}" for k, m in enumerate(tops)}
    return {it.id: gid[top[it.module]] for it in graph.items if it.module}


def module_output(graph, items):
    """The value a collapsed module hands on: its last value item (None if it has none)."""
    values = [it for it in items if it.kind == "value" and not it.param]
    return values[-1] if values else None


def module_title(graph, m, items):
    """A module's title in PyTorch's style: "0 Linear(4→8)", "conv Conv2d(1→8, 3×3)", "embed Embedding(27, 10)"."""
    t = graph.module_types.get(m)
    weight = next((it for it in items if it.param and _own_name(m, it.name) == "weight" and it.shape is not None), None)
    if t == "Embedding" and weight is not None and len(weight.shape) == 2:
        # NOTE: an Embedding's weight is (num_embeddings, embedding_dim), not Linear's (out, in).
        t = f"{t}({weight.shape[0]}, {weight.shape[1]})"
    elif t and weight is not None and len(weight.shape) == 2:
        t = f"{t}({weight.shape[1]}→{weight.shape[0]})"
    elif t and weight is not None and len(weight.shape) == 4:
        t = f"{t}({weight.shape[1]}→{weight.shape[0]}, {weight.shape[2]}×{weight.shape[3]})"
    return f"{m} {t}" if t and t != m else m


def _own_name(m, name):
    """A parameter's name inside module ``m`` ("weight" for "embed.weight"; a submodule's keeps its dots)."""
    return name[len(m) + 1 :] if name.startswith(m + ".") else name


def module_rows(graph, m, items, grads, item_grad, course=None):
    """The rows of a collapsed module: its title, output shape (or loss), its parameters' ‖g‖."""
    rows = [("title", "b", module_title(graph, m, items))]
    out = module_output(graph, items)
    if out is not None and out.root and out.value is not None and np.size(out.value) == 1:
        rows.append(("out", "t", f"loss = {fmt(np.asarray(out.value).item())}"))
    elif out is not None and out.shape is not None:
        name = (course or {}).get(out.id)
        rows.append(("out", "t", f"→ {name + ' ' if name else ''}{tuple(out.shape)}"))
    for n, it in enumerate(it for it in items if it.kind == "value" and it.param):
        line = f"{it.name[len(m) + 1 :] if it.name.startswith(m + '.') else it.name} {tuple(it.shape)}"
        rows.append((f"p{n}", "t", line))
        g = item_grad(it)
        if grads and g is not None:
            rows.append((f"q{n}", "g", f"‖g‖={fmt(norm(g))}"))
    return rows


# --- highlight ------------------------------------------------------------------------------------
def _path(graph, target):
    """Ids of the items on a gradient path from the roots down to ``target``."""
    item = None
    if isinstance(target, str):
        item = next((it for it in graph.items if it.kind == "value" and it.name == target), None)
    elif isinstance(target, (Tensor, Scalar, Node)):
        item = graph.value_item.get(id(root_vertex(target)))
    if item is None:
        raise ValueError(
            f"highlight: {target!r} is not a value in this graph (pass a parameter, or its name with params=)"
        )
    consumers = {}
    for e in graph.edges:
        if e.flows:
            consumers.setdefault(e.src.id, []).append(e.dst)
    path = {item.id}
    stack = [item]
    while stack:
        it = stack.pop()
        for c in consumers.get(it.id, []):
            if c.id not in path:
                path.add(c.id)
                stack.append(c)
    return path


# --- files -------------------------------------------------------------------------------------------
def has_dot():
    """Whether the Graphviz ``dot`` program is on PATH."""
    return shutil.which("dot") is not None


def pipe(graph, format="svg"):
    """The rendered bytes of ``graph`` (raises ``GraphvizNotFoundError`` without ``dot``)."""
    import graphviz

    if not has_dot():
        raise GraphvizNotFoundError(INSTALL_HELP)
    try:
        return graph.pipe(format=format)
    except graphviz.ExecutableNotFound:
        raise GraphvizNotFoundError(INSTALL_HELP) from None


def render(graph, path, format="svg"):
    """Write ``graph`` (from ``draw``) to ``path`` as svg, png or pdf; returns the path."""
    if format not in ("svg", "png", "pdf"):
        raise ValueError(f"format must be 'svg', 'png' or 'pdf', got {format!r}")
    data = pipe(graph, format)
    path = os.fspath(path)
    with open(path, "wb") as f:
        f.write(data)
    return path


def svg(graph):
    """The SVG of ``graph`` as text to inline in HTML (no XML prolog or doctype)."""
    text = pipe(graph, "svg").decode("utf-8")
    text = re.sub(r"<\?xml[^>]*\?>", "", text)
    text = re.sub(r"<!DOCTYPE[^>]*>", "", text)
    return re.sub(r"<!--.*?-->", "", text, flags=re.S).strip()


# --- anomaly -------------------------------------------------------------------------------------------
def creation_site(trace):
    """The "file:line" of the last frame in a creation trace (``node.trace``), or None."""
    if not trace:
        return None
    found = re.findall(r'File "([^"]+)", line (\d+)', trace)
    if not found:
        return None
    path, line = found[-1]
    return f"{path}:{line}"


def draw_anomaly(err, **kwargs):
    """The graph of an ``AnomalyError``: the node whose gradient went NaN/inf in red, with the
    file:line of the forward call that created it."""
    node = err.node
    roots = err.roots or (node,)
    graph = build(roots, params=kwargs.pop("params", None))
    item = graph.op_item.get(id(node))
    status, notes = {}, {}
    if item is not None:
        status[item.id] = "anomaly"
        site = creation_site(getattr(node, "trace", None))
        notes[item.id] = f"nan/inf gradient; created at {site}" if site else "nan/inf gradient"
    kwargs.setdefault("show", "both")
    return to_dot(graph, overlay=Overlay(status=status, notes=notes, phase=None), **kwargs)


__all__ = [
    "draw",
    "render",
    "to_dot",
    "svg",
    "pipe",
    "summarize",
    "norm",
    "has_dot",
    "draw_anomaly",
    "creation_site",
    "Overlay",
    "Painter",
    "fmt",
    "summary_lines",
    "value_rows",
    "op_rows",
    "edge_lines",
    "module_rows",
    "module_title",
    "module_output",
    "short_attrs",
    "auto_rankdir",
    "module_groups",
    "GraphvizNotFoundError",
    "GraphTooLargeError",
    "INSTALL_HELP",
]
