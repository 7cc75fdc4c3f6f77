"""The errors the engine raises: shapes that do not fit, and NaN/inf found by anomaly mode."""

from __future__ import annotations

__all__ = ["ShapeError", "AnomalyError"]


class ShapeError(ValueError, RuntimeError):
    """Operand shapes do not fit an op; the message names the op and every shape."""


class AnomalyError(RuntimeError):
    """A backward pass produced NaN or inf; ``.node`` is the culprit and ``.trace`` its origin.

    ``autograd.viz.draw_anomaly(error)`` draws the graph with the culprit in red.
    """

    def __init__(self, message, node=None, trace=None):
        super().__init__(message)
        self.node = node
        self.trace = trace
        self.roots = None  # the vertices backward started from (set by the engine)

    @property
    def graph(self):
        """The graph (a ``graphviz.Digraph``) with the offending node in red; drawn on first use."""
        from . import viz  # a convenience: drawing is imported only when asked for

        return viz.draw_anomaly(self)
