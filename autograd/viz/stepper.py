"""Backprop one node at a time.

The real engine runs the backward pass once (so the leaves end with exactly the gradients
``loss.backward()`` gives) and an observer keeps a copy of what each op received and sent; the
steps replay that record.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..engine import run_backward
from ..node import Node
from ..scalar import Scalar
from ..tensor import Tensor, seed_gradient
from .draw import Overlay, norm, to_dot
from .graph import build, root_vertex


class Sent(NamedTuple):
    """The gradient an op sent to its input ``index`` (``to`` is the input's vertex)."""

    index: int
    to: object
    grad: object


def _copy(g):
    if isinstance(g, np.ndarray):
        return g.copy()
    if isinstance(g, Tensor):
        return g.array.copy()
    return float(g)


def _add(acc, g):
    # The engine's order of summation (first gradient, then + each later one), so sums match bit for bit.
    return _copy(g) if acc is None else acc + g


class Step:
    """One op of the backward pass: the gradient it received and what it sent to each input."""

    def __init__(self, stepper, index, vertex, grad, sent):
        self.stepper = stepper
        self.index = index
        self.node = vertex  # the Node (or Scalar) being processed
        self.grad = grad  # ∂L/∂(its output), the total that reached it
        self.sent = sent  # [Sent(index, to, grad), ...]
        item = stepper.graph.op_item[id(vertex)]
        self.op = item.op
        self.rule = item.rule
        self.attrs = item.attrs

    @property
    def caption(self):
        """The op and its VJP rule, e.g. "tanh: δ = g ⊙ (1 − a²)"."""
        return f"{self.op}: {self.rule}" if self.rule else self.op

    @property
    def accumulated(self):
        """{vertex: gradient summed so far} after this step, for every vertex one has reached."""
        return self.stepper.accumulated(self.index)

    def grad_of(self, x):
        """The gradient accumulated so far for a Tensor or Scalar (None if none has reached it)."""
        v = root_vertex(x)
        for vertex, g in self.accumulated.items():
            if vertex is v:
                return g
        return None

    def draw(self, **kwargs):
        """The graph with this node highlighted, finished nodes with gradients, pending greyed."""
        return self.stepper.draw(self.index, **kwargs)

    def __repr__(self):
        return f"<Step {self.index + 1}/{len(self.stepper)} {self.caption}>"


class BackwardStepper:
    """Run ``loss``'s backward pass and expose it one op node at a time (``steps``)."""

    def __init__(self, loss, gradient=None, params=None):
        if isinstance(loss, Scalar):
            root = loss
            seed = 1.0 if gradient is None else float(gradient)
            retain = True  # as Scalar.backward: Scalar graphs are never freed
        elif isinstance(loss, Tensor):
            if not loss.requires_grad:
                raise RuntimeError(
                    "backward_steps() on a tensor that does not require grad and has no grad_fn: no "
                    "input of the computation has requires_grad=True (or it ran under no_grad())"
                )
            seed = seed_gradient(loss, gradient, False, "backward_steps()")
            root = root_vertex(loss)
            retain = False
        else:
            raise TypeError(f"BackwardStepper needs a Tensor or Scalar, got {type(loss).__name__}")
        self.loss = loss
        self.root = root
        self.seed = _copy(seed)
        # Walk the graph first: backward frees what nodes saved (values, op attributes).
        self.graph = build([loss], params=params)
        self.steps = []
        self.leaves = []  # [(vertex, total gradient it received)] in backward order
        run_backward([root], [seed], retain, False, observer=self._observe)
        self._acc_cache = {}

    def _observe(self, vertex, g, sent):
        if isinstance(vertex, Node) or (isinstance(vertex, Scalar) and vertex.op is not None):
            sent = [Sent(i, e, _copy(gi)) for i, e, gi in sent]
            self.steps.append(Step(self, len(self.steps), vertex, _copy(g), sent))
        else:
            self.leaves.append((vertex, _copy(g)))

    def __len__(self):
        return len(self.steps)

    def __getitem__(self, k):
        return self.steps[k]

    def __iter__(self):
        return iter(self.steps)

    def accumulated(self, k):
        """{vertex: gradient summed so far} after step ``k`` (-1: only the seed at the root)."""
        if k in self._acc_cache:
            return self._acc_cache[k]
        # Built on step k − 1's sums (each step adds what it sent): frame after frame stays linear.
        prev = self._acc_cache.get(k - 1) if k > -1 else None
        if prev is None and k > -1:
            prev = self.accumulated(k - 1) if k - 1 < 64 or (k - 1) in self._acc_cache else None
        if prev is not None:
            acc = {id(v): (v, g) for v, g in prev.items()}
            todo = self.steps[k : k + 1]
        else:
            acc = {id(self.root): (self.root, _copy(self.seed))}
            todo = self.steps[: k + 1]
        for step in todo:
            for s in step.sent:
                old = acc.get(id(s.to))
                acc[id(s.to)] = (s.to, _add(None if old is None else old[1], s.grad))
        result = {v: g for v, g in acc.values()}
        self._acc_cache[k] = result
        return result

    # --- drawing ------------------------------------------------------------------------------------
    def overlay(self, k):
        """What frame ``k`` of the backward pass shows (k = len(self): the finished pass)."""
        graph = self.graph
        done_upto = min(k, len(self.steps) - 1)
        acc = {id(v): g for v, g in self.accumulated(done_upto).items()}
        status, grads, edge_grads, active = {}, {}, {}, set()
        step_of = {id(s.node): s for s in self.steps}
        for it in graph.items:
            v = it.vertex
            if it.kind == "op":
                s = step_of.get(id(v))
                if s is None:
                    continue
                status[it.id] = "done" if s.index < k else "current" if s.index == k else "pending"
            elif it.kind == "value":
                s = step_of.get(id(v)) if it.op_item is not None else None
                if s is not None and s.index <= k:
                    grads[it.id] = s.grad
                elif id(v) in acc:
                    grads[it.id] = acc[id(v)]
                else:
                    status[it.id] = "pending"
        for s in self.steps[: k + 1]:
            v = id(s.node)
            out = graph.out_edge.get(v)
            if out is not None:
                edge_grads[out] = s.grad
            for sent in s.sent:
                e = graph.in_edge.get((v, sent.index))
                if e is not None:
                    edge_grads[e] = sent.grad
                    if s.index == k:
                        active.add(e)
            if s.index == k and out is not None:
                active.add(out)
        return Overlay(status=status, grads=grads, edge_grads=edge_grads, active=active, phase="backward")

    def forward_overlay(self, j):
        """Frame ``j`` of the forward pass: ops up to j have run, later ones are pending."""
        status = {}
        ops = self.graph.op_items()
        for n, it in enumerate(ops):
            status[it.id] = "done" if n < j else "current" if n == j else "pending"
        for it in self.graph.items:
            if it.kind == "value" and it.op_item is not None:
                st = status.get(it.op_item.id)
                if st == "pending":
                    status[it.id] = "pending"
        return Overlay(status=status, grads={}, edge_grads={}, phase="forward")

    def draw(self, k=None, **kwargs):
        """The graph at backward step ``k`` (default: the finished pass)."""
        k = len(self.steps) if k is None else k
        return to_dot(self.graph, overlay=self.overlay(k), **kwargs)

    def frames(self, forward=True):
        """[(overlay, caption, current item id, show)] for a player: forward ops, then backward."""
        out = []
        ops = self.graph.op_items()
        if forward:
            for j, it in enumerate(ops):
                shape = it.vertex and self.graph.value_item.get(id(it.vertex))
                made = f" → {tuple(shape.shape)}" if shape is not None and shape.shape is not None else ""
                attrs = f" ({it.attrs})" if it.attrs else ""
                out.append(
                    (self.forward_overlay(j), f"forward {j + 1}/{len(ops)} — {it.op}{attrs}{made}", it.id, "forward")
                )
        n = len(self.steps)
        for s in self.steps:
            item = self.graph.op_item[id(s.node)]
            cap = f"backward {s.index + 1}/{n} — {s.caption}   ‖g‖ = {norm(s.grad):.4g}"
            out.append((self.overlay(s.index), cap, item.id, "both"))
        out.append((self.overlay(n), "done — every gradient as loss.backward() leaves it", "", "both"))
        return out
