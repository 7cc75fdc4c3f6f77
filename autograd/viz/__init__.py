"""See the graph: Graphviz drawings of forward and backward flow, and backprop step by step.

``draw(*roots)`` returns a ``graphviz.Digraph`` (shown inline in Jupyter), ``render`` writes it to
a file, ``BackwardStepper(loss)`` exposes the backward pass one op at a time and
``step_through(loss)`` wraps it in a self-contained HTML player. Inside ``watch()`` every node keeps
its value and gradients, so drawings after backward show them for intermediates too.

It depends only on the engine: module names come from ``node.meta`` (set by ``nn``) or a
``params={name: tensor}`` map. ``graphviz`` is imported only when a graph is drawn.
"""

from __future__ import annotations

from ..mode import retain_values
from . import caption
from .draw import (
    GraphTooLargeError,
    GraphvizNotFoundError,
    Overlay,
    creation_site,
    draw,
    draw_anomaly,
    fmt,
    has_dot,
    render,
    summarize,
    summary_lines,
    svg,
    to_dot,
)
from .graph import Graph, build
from .player import Player, step_through
from .stepper import BackwardStepper, Sent, Step

# Inside ``watch()`` nodes keep their value, and backward their gradients, so drawings made
# after backward show them for intermediates too (it costs memory: use it to look, not to train).
watch = retain_values


__all__ = [
    "draw",
    "caption",
    "render",
    "svg",
    "to_dot",
    "watch",
    "build",
    "Graph",
    "Overlay",
    "BackwardStepper",
    "Step",
    "Sent",
    "Player",
    "step_through",
    "draw_anomaly",
    "creation_site",
    "summarize",
    "summary_lines",
    "fmt",
    "has_dot",
    "GraphvizNotFoundError",
    "GraphTooLargeError",
]
