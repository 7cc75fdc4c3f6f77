"""Captions with numbers: what a backward step received and sent, and a Scalar rule with its values put in."""

from __future__ import annotations

import numpy as np

from .draw import fmt, norm


def number(v):
    """A number for a caption: %.4g, a true minus sign, and ".0" on whole numbers ("−3.0")."""
    text = fmt(v)
    if text.lstrip("-").isdigit():
        text += ".0"
    return text.replace("-", "−")


def brief(a, limit=16):
    """A tensor's values (up to ``limit`` entries), else its shape, norm and mean; a float as a number."""
    if a is None:
        return "pending"
    if isinstance(a, float):
        return number(a)
    a = np.asarray(a)
    if a.size <= limit:
        if a.ndim == 0:
            return number(a)
        text = np.array2string(a, separator=", ", max_line_width=10**6, formatter={"all": number})
        return text.replace("\n", "")
    mean = float(np.mean(a.astype(np.float64)))
    return f"shape {tuple(a.shape)}, ‖·‖ = {number(norm(a))}, mean = {number(mean)}"


def full(a):
    """A value or gradient written out for the side panel (NumPy's summary past 400 entries)."""
    if a is None:
        return "not kept"
    if isinstance(a, float):
        return repr(a)
    a = np.asarray(a)
    if a.ndim == 0:
        return repr(float(a)) if a.dtype.kind == "f" else str(a)
    body = np.array2string(a, separator=", ", threshold=400, edgeitems=4, max_line_width=72, precision=6)
    return f"shape {tuple(a.shape)} {a.dtype}\n{body}" if a.ndim else body


def _scalar_formulas(op, g, xs, out, ctx, names):
    """{input index: "expression = numbers"} of a Scalar op's VJP, for the ops micrograd has."""
    n = [number(x) for x in xs]
    G, o = number(g), number(out)
    table = {
        "add": {0: "g", 1: "g"},
        "sub": {0: "g", 1: "−g"},
        "neg": {0: "−g"},
        "tanh": {0: f"g·(1 − out²) = {G} × (1 − {_paren(o)}²)"},
        "exp": {0: f"g·out = {G} × {o}"},
        "sigmoid": {0: f"g·out·(1 − out) = {G} × {o} × (1 − {o})"},
        "log": {0: f"g / {names[0]} = {G} / {n[0]}"},
        "relu": {0: f"g·[{names[0]} > 0] = {G} × {1 if xs[0] > 0 else 0}"},
    }
    if len(xs) == 2:
        a, b = names
        table["mul"] = {0: f"g·{b} = {G} × {n[1]}", 1: f"g·{a} = {G} × {n[0]}"}
        table["div"] = {0: f"g / {b} = {G} / {n[1]}", 1: f"−g·{a} / {b}² = −{G} × {n[0]} / {_paren(n[1])}²"}
    if op == "pow" and ctx is not None:
        c = number(ctx)
        table["pow"] = {0: f"g·c·{names[0]}^(c−1) = {G} × {c} × {_paren(n[0])}^({c} − 1)"}
    return table.get(op, {})


def _paren(text):
    """A negative number in parentheses, as it goes into a product or a power."""
    return f"({text})" if text.startswith("−") else text


def input_name(item, index):
    """How a caption names input ``index`` of an op: its name, else a, b, c, ... ."""
    if item is not None and item.name:
        return item.name
    return "xyzuvw"[index] if index < 6 else f"x{index}"


def backward_lines(step, graph):
    """The lines of a backward step's caption after its header: g in, and what went to each input."""
    ins = {e.index: e.src for e in graph.edges if e.dst is graph.op_item[id(step.node)] and e.index is not None}
    lines = [f"incoming g = {brief(step.grad)}"]
    scalar = isinstance(step.grad, float)
    formulas = {}
    if scalar:
        xs = [x.data for x in step.node.next]
        names = [input_name(ins.get(i), i) for i in range(len(xs))]
        formulas = _scalar_formulas(step.op, step.grad, xs, step.node.data, step.node.ctx, names)
    for sent in step.sent:
        name = input_name(ins.get(sent.index), sent.index)
        if sent.index in formulas:
            lines.append(f"∂L/∂{name} = {formulas[sent.index]} = {number(sent.grad)}")
        else:
            lines.append(f"→ {name}: {brief(sent.grad)}")
    return lines


def panel_text(step, graph, value):
    """The side panel of a backward step: the node's value, the gradient in, and each gradient out."""
    ins = {e.index: e.src for e in graph.edges if e.dst is graph.op_item[id(step.node)] and e.index is not None}
    parts = [
        f"{step.op}: {step.rule}",
        "",
        "value (this op's output):",
        full(value),
        "",
        "incoming g:",
        full(step.grad),
    ]
    for sent in step.sent:
        parts += ["", f"sent to {input_name(ins.get(sent.index), sent.index)}:", full(sent.grad)]
    return "\n".join(parts)


__all__ = ["number", "brief", "full", "input_name", "backward_lines", "panel_text"]
