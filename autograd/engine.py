"""The backward engine: one iterative reverse-mode pass over the graph.

A graph has three kinds of vertices, all walked by the same loop:

- ``Node``: made by an op on Tensors (a Tensor's ``grad_fn``); its ``next`` holds, for each input,
  the vertex that input's gradient flows to.
- a leaf ``Tensor``: a sink; its gradient is accumulated into ``.grad``.
- a ``Scalar``: micrograd-style, the value is its own node (Scalars have no in-place ops, so the
  merge is safe) and every Scalar keeps its gradient.

Every VJP is pure: it receives the upstream gradient ``g`` and returns the gradient for one
input. Ordering, accumulation, unbroadcasting, pruning, hooks, anomaly checks and freeing the
values saved for backward are done here, once. Observers (``autograd.viz``'s stepper) are called
with what each vertex received and sent; the engine knows nothing of drawing.
"""

from __future__ import annotations

import gc
import threading

import numpy as np

from .broadcast import unbroadcast_array
from .errors import AnomalyError
from .mode import state as grad_mode
from .node import Node
from .scalar import Scalar
from .tensor import Tensor, wrap

__all__ = ["run_backward", "topological_order", "accumulate_grad", "check_versions"]


def run_backward(roots, seeds, retain_graph=False, create_graph=False, inputs=None, allow_unused=False, observer=None):
    """Propagate ``seeds`` (∂L/∂root for each root) to every leaf, or to ``inputs`` only.

    ``roots`` are vertices (Nodes, leaf Tensors or Scalars). With ``inputs`` (a list of
    vertices) the gradients reaching them are returned and no ``.grad`` is touched.
    ``observer(vertex, g, sent)``, if given, is called once per vertex in backward order with
    its total gradient ``g`` and the list ``sent`` of (input index, edge, gradient) it passed
    on (empty for leaves); it must copy what it keeps, as buffers may be summed into later.
    """
    backward = BackwardPass(retain_graph, create_graph, inputs, observer)
    prev_enabled = grad_mode.enabled
    with PausedCollector():
        try:
            order = topological_order(roots)
            backward.seed(roots, seeds)
            grad_mode.enabled = bool(create_graph)
            backward.run(order)
        except AnomalyError as e:
            if e.roots is None:
                e.roots = tuple(roots)
            raise
        finally:
            grad_mode.enabled = prev_enabled
    return backward.captured_grads(allow_unused)


class PausedCollector:
    """Pause Python's cyclic garbage collector for a block.

    NOTE: the traversal makes no reference cycles, so the collector has nothing to find in what it
    allocates; pausing it (from the topological sort on) saves its repeated scans of a large live
    graph (backward of a 10⁵-op chain: 317 → 132 ms).
    """

    def __enter__(self):
        self.was_enabled = gc.isenabled()
        if self.was_enabled:
            gc.disable()
        return self

    def __exit__(self, *exc):
        if self.was_enabled:
            gc.enable()
        return False


def topological_order(roots):
    """Vertices reachable from ``roots``, each before every vertex it sends gradient to.

    An iterative DFS (no recursion limit) with the edges looked up inline: it runs once per
    backward over every node.
    """
    order = []
    seen = set()
    for root in roots:
        if root in seen:
            continue
        seen.add(root)
        stack = [(root, iter(_edges(root)))]
        while stack:
            vertex, it = stack[-1]
            for e in it:
                if e is not None and e not in seen:
                    seen.add(e)
                    cls = e.__class__
                    if cls is Node and not e.freed:
                        stack.append((e, iter(e.next)))
                        break
                    if cls is Scalar:
                        stack.append((e, iter((e.input_a, e.input_b))))  # None where there is no input
                        break
                    if cls is Node:
                        _edges(e)  # a freed node: raises, saying how to keep the graph
                    order.append(e)  # a leaf Tensor: nothing below it, done at once
            else:
                stack.pop()
                order.append(vertex)
    order.reverse()
    return order


def _edges(vertex):
    cls = vertex.__class__
    if cls is Node:
        if vertex.freed:
            raise RuntimeError(
                f"Trying to backward through the graph a second time: the values saved by "
                f"{vertex.name()} were freed after the first backward. Pass retain_graph=True "
                f"to the first backward() (or autograd.grad) to keep them."
            )
        return vertex.next
    if cls is Scalar:
        return vertex.next
    return ()  # a leaf Tensor


class BackwardPass:
    """The state of one backward pass: pending gradients, and what to do at each kind of vertex."""

    def __init__(self, retain_graph, create_graph, inputs, observer):
        self.retain_graph = retain_graph
        self.create_graph = create_graph
        self.observer = observer
        self.anomaly = grad_mode.anomaly
        self.watch = grad_mode.retain_values
        self.reporting = observer is not None or self.watch  # someone reads what each vertex sent
        # The options a Node step reads, in one tuple: one attribute load per node instead of five.
        self.node_flags = (self.watch, create_graph, self.anomaly, self.reporting, retain_graph)
        self.grads = {}
        # Vertices whose pending gradient the engine allocated itself: those may be summed into in
        # place and stored as a leaf's .grad without a copy. Anything else (the seed, g passed
        # straight through, a view) may alias another gradient or the caller's array.
        self.owned = set()
        self.wanted = None if inputs is None else {id(v): k for k, v in enumerate(inputs)}
        self.captured = None if inputs is None else [None] * len(inputs)

    def seed(self, roots, seeds):
        """Start each root with its seed gradient (summed where a root repeats)."""
        grads = self.grads
        for root, seed in zip(roots, seeds):
            prev = grads.get(root)
            grads[root] = seed if prev is None else prev + seed

    def run(self, order):
        """Visit the vertices in order; each passes its total gradient on to its inputs.

        NOTE: a Node's step (its VJPs, the sums into pending gradients, freeing what it saved) is
        written out in this loop: a method call per node cost 5–8% of the backward of a 10⁵-op
        chain. Rare work (hooks, watch mode, captured inputs) is in ``prepare``; Scalars and leaves
        have their own steps.
        """
        grads, owned, plain_scalar = self.grads, self.owned, self.plain_scalar
        watch, create_graph, anomaly, reporting, retain_graph = self.node_flags
        plain = not (create_graph or anomaly or self.wanted is not None or self.observer is not None)
        accumulating = not (create_graph or anomaly or reporting)
        for vertex in order:
            g = grads.pop(vertex, None)
            if g is None:
                continue
            cls = vertex.__class__
            if cls is Scalar:
                plain_scalar(vertex, g) if plain and not vertex.hooks else self.scalar(vertex, g)
                continue
            if cls is not Node:
                self.leaf(vertex, g)
                continue
            if vertex.hooks or watch or self.wanted is not None or vertex.retain is not None:
                g = self.prepare(vertex, g)
            ins = vertex.inputs
            versions = vertex.versions
            if versions is not None:
                for i, expected in versions:
                    if ins[i]._version != expected:
                        check_versions(vertex)  # raises, naming the input
            if vertex.dirty is not None:
                check_versions(vertex)
            if create_graph:
                out, xs, g = graph_arguments(vertex, g)
            elif vertex.op.variadic:  # cat, stack: the VJPs read only g
                out, xs = vertex.out, ()
            elif len(ins) == 1:  # most ops: no list to build
                out, x = vertex.out, ins[0]
                xs = (None if x is None else x.array,)
            else:
                out = vertex.out
                xs = [None if x is None else x.array for x in ins]
            shapes, vjps, ctx = vertex.shapes, vertex.op.vjps, vertex.ctx
            sent = [] if reporting else None
            for i, edge in enumerate(vertex.next):
                if edge is None:
                    continue
                if accumulating and vertex.op.accumulate is not None and edge in owned:
                    prev = grads.get(edge)
                    if prev is not None and prev.dtype == g.dtype and prev.flags.writeable:
                        # x[t] in a loop over t: add g at the key, not a zero array of x's shape
                        if vertex.op.accumulate(prev, g, ctx):
                            continue
                gi = vjps[i](g, ctx, out, *xs)
                if shapes is not None and gi.shape != shapes[i]:
                    gi = gi.sum_to_size(shapes[i]) if isinstance(gi, Tensor) else unbroadcast_array(gi, shapes[i])
                if anomaly:
                    check_finite(vertex, i, gi)
                if sent is not None:
                    # A copy: a later input of this same node may be summed into gi in place.
                    sent.append((i, edge, gi.copy() if gi.__class__ is np.ndarray else gi))
                prev = grads.get(edge)
                if prev is None:
                    grads[edge] = gi
                    if not create_graph and gi is not g and getattr(gi, "base", 0) is None:
                        owned.add(edge)
                else:
                    self.add(edge, prev, gi)
            if sent is not None:
                self.report(vertex, g, sent)
            if not retain_graph:  # free what the node saved: memory is released after the pass
                vertex.out = None
                if not watch:  # watch mode keeps what a drawing reads: saved inputs, op attributes
                    vertex.inputs = None
                    vertex.ctx = None
                vertex.freed = True

    def prepare(self, vertex, g):
        """A Node's rare work before its VJPs: hooks, watch mode, captured inputs, retain_grad()."""
        if vertex.hooks:
            g = run_hooks(vertex.hooks, g)
        if self.watch:
            vertex.grad_value = g
        if self.wanted is not None or vertex.retain is not None:
            self.capture_or_retain(vertex, g)
        return g

    def plain_scalar(self, vertex, g):
        """A Scalar with no hooks in a first-order pass: keep ``g``, pass it on through the VJPs."""
        grads = self.grads
        vertex.grad += g
        op = vertex.op
        if op is None:
            return
        a, b = vertex.input_a, vertex.input_b
        vjps = op.vjps
        try:
            if b is None:
                ga = vjps[0](g, vertex.ctx, vertex.data, a.data)
            else:
                ga = vjps[0](g, vertex.ctx, vertex.data, a.data, b.data)
                gb = vjps[1](g, vertex.ctx, vertex.data, a.data, b.data)
        except ArithmeticError:  # e.g. 1/0 in log's VJP at 0: IEEE values, as a Tensor gives
            ga, gb = ieee_scalar_vjps(vertex, g)
        prev = grads.get(a)
        grads[a] = ga if prev is None else prev + ga
        if b is not None:
            prev = grads.get(b)
            grads[b] = gb if prev is None else prev + gb

    def scalar(self, vertex, g):
        """A Scalar keeps its gradient, then passes it on through its op's VJPs."""
        if vertex.hooks:
            g = run_hooks(vertex.hooks, g)
        if self.wanted is not None:
            if id(vertex) in self.wanted:
                self.captured[self.wanted[id(vertex)]] = g
        elif self.create_graph:
            vertex.grad = g if isinstance(vertex.grad, float) and vertex.grad == 0.0 else vertex.grad + g
        else:
            vertex.grad += g
        op = vertex.op
        if op is None:
            if self.observer is not None:
                self.observer(vertex, g, [])
            return
        a, b = vertex.input_a, vertex.input_b
        ins = (a,) if b is None else (a, b)
        if self.create_graph:
            out, xs = vertex, ins
            if not isinstance(g, Scalar):
                g = Scalar(float(g))
        else:
            out = vertex.data
            xs = (a.data,) if b is None else (a.data, b.data)
        vjps = op.vjps
        grads = self.grads
        sent = [] if self.observer is not None else None
        for i, edge in enumerate(ins):
            gi = vjps[i](g, vertex.ctx, out, *xs)
            if self.anomaly:
                check_finite(vertex, i, gi)
            if sent is not None:
                sent.append((i, edge, gi))
            prev = grads.get(edge)
            grads[edge] = gi if prev is None else prev + gi
        if sent is not None:
            self.observer(vertex, g, sent)

    def leaf(self, vertex, g):
        """A leaf Tensor: its hooks run, then ``g`` is accumulated into ``.grad`` (or captured)."""
        owned = vertex in self.owned
        if vertex._hooks:
            hooked = run_hooks(vertex._hooks, g)
            if hooked is not g:  # the hook's array is the caller's: never sum into it
                owned = False
                g = hooked
        if self.observer is not None:
            self.observer(vertex, g, [])
        if self.wanted is not None:
            if id(vertex) in self.wanted:
                self.captured[self.wanted[id(vertex)]] = g
            return
        with GRAD_LOCK:
            if vertex.grad is None and owned and g.dtype == vertex.array.dtype and g.flags.writeable:
                # The common case, inlined: a fresh array the engine made becomes .grad as is.
                vertex.grad = wrap(g)
            else:
                _accumulate(vertex, g, self.create_graph, owned)

    def add(self, edge, prev, gi):
        """Sum a second gradient for ``edge``: in place into a buffer the engine owns."""
        if self.create_graph:
            self.grads[edge] = prev + gi
        elif edge in self.owned and prev.shape == gi.shape and prev.flags.writeable:
            prev += gi
        else:
            self.grads[edge] = prev + gi
            self.owned.add(edge)

    def capture_or_retain(self, vertex, g):
        """Keep ``g`` if this node's output is one of ``inputs``, or its Tensor asked retain_grad()."""
        if self.wanted is not None:
            k = self.wanted.get(id(vertex))
            if k is not None:
                self.captured[k] = g
            return
        t = vertex.retain()
        if t is not None:
            accumulate_grad(t, g, self.create_graph, False)

    def report(self, vertex, g, sent):
        """Tell the observer, and record for drawings what each input was sent."""
        if self.watch:
            grads = [None] * len(vertex.next)
            for i, _, gi in sent:
                grads[i] = gi
            vertex.grad_sent = tuple(grads)
        if self.observer is not None:
            self.observer(vertex, g, sent)

    def captured_grads(self, allow_unused):
        """The gradients reaching ``inputs`` (None without inputs), checking every one was reached."""
        if self.captured is None:
            return None
        for k, g in enumerate(self.captured):
            if g is None and not allow_unused:
                raise RuntimeError(
                    f"One of the differentiated inputs (index {k}) was not used to compute the "
                    f"outputs, so it has no gradient. Pass allow_unused=True to get None for it."
                )
        return self.captured


def ieee_scalar_vjps(vertex, g):
    """A Scalar's VJPs in NumPy float64, where Python's floats raise (division by 0, overflow)."""
    ins = (vertex.input_a,) if vertex.input_b is None else (vertex.input_a, vertex.input_b)
    xs = [np.float64(x.data) for x in ins]
    with np.errstate(all="ignore"):
        grads = [
            float(vjp(np.float64(g), vertex.ctx, np.float64(vertex.data), *xs)) for vjp in vertex.op.vjps[: len(ins)]
        ]
    return grads[0], (grads[1] if len(grads) > 1 else None)


def graph_arguments(node, g):
    """The VJP arguments as Tensors, for a backward that records its own graph (create_graph)."""
    out = None
    if node.out is not None:
        out = wrap(node.out, True)
        out.grad_fn = node
    if not isinstance(g, Tensor):
        g = wrap(np.asarray(g))
    return out, (() if node.op.variadic else node.inputs), g


def run_hooks(hooks, g):
    """Call each hook on the gradient; a hook that returns a value replaces it."""
    for hook in list(hooks):
        if isinstance(g, np.ndarray):
            result = hook(wrap(g))
            if result is not None:
                g = result.array if isinstance(result, Tensor) else np.asarray(result)
        else:
            result = hook(g)
            if result is not None:
                g = result
    return g


def check_finite(vertex, i, gi):
    """Raise ``AnomalyError`` if the gradient for input ``i`` holds NaN or inf (anomaly mode)."""
    data = gi.array if isinstance(gi, Tensor) else gi.data if isinstance(gi, Scalar) else gi
    if np.all(np.isfinite(data)):
        return
    kind = "nan" if np.any(np.isnan(data)) else "inf"
    trace = getattr(vertex, "trace", None)  # Scalars record no creation trace
    where = trace or "(creation trace not recorded: the op was made outside detect_anomaly())\n"
    name = vertex.name() if isinstance(vertex, Node) else f"{vertex.op.name} (Scalar)"
    raise AnomalyError(
        f"Function '{name}' returned {kind} values in its gradient for input {i}. "
        f"The forward call that created it:\n{where}",
        node=vertex,
        trace=trace,
    )


# Sums into a ``.grad`` are read-modify-write (and NumPy releases the GIL inside ``+=``): backward
# passes running in several threads into one shared leaf take turns there, so none is lost.
GRAD_LOCK = threading.Lock()


def accumulate_grad(t, g, create_graph=False, owned=False):
    """Add ``g`` into the leaf ``t``'s ``.grad`` (``owned``: the engine made ``g`` and may keep it)."""
    with GRAD_LOCK:
        _accumulate(t, g, create_graph, owned)


def _accumulate(t, g, create_graph, owned):
    if create_graph:
        g_t = g if isinstance(g, Tensor) else wrap(np.asarray(g))
        t.grad = g_t if t.grad is None else t.grad + g_t
        return
    if isinstance(g, Tensor):
        g = g.array
    if g.dtype != t.array.dtype:
        g = g.astype(t.array.dtype)
        owned = True
    if t.grad is None:
        # NOTE: an array the engine did not allocate (the seed, g passed straight through, a
        # view) may alias another tensor's gradient, so it is copied before it is stored.
        if not owned or not isinstance(g, np.ndarray) or not g.flags.writeable:
            g = np.array(g, copy=True)
        t.grad = wrap(np.asarray(g))
        return
    buf = t.grad.array
    if buf.shape == g.shape and buf.flags.writeable:
        buf += g
        t.grad._version += 1
    else:
        t.grad = wrap(buf + g)


def check_versions(node):
    """Raise if a value the node saved was changed in place since (its version moved on)."""
    if node.dirty is not None:
        raise RuntimeError(
            f"The output of {node.name()} is needed for gradient computation but was modified "
            f"by an in-place operation ({node.dirty}). Use an out-of-place op, or .clone() the "
            f"tensor before changing it."
        )
    for i, expected in node.versions or ():
        x = node.inputs[i]
        if x._version != expected:
            raise RuntimeError(
                f"One of the tensors needed for gradient computation has been modified by an "
                f"in-place operation: input {i} of {node.name()} (shape {tuple(x.shape)}) is at "
                f"version {x._version}; expected version {expected}. Use an out-of-place op "
                f"(x = x + y instead of x += y), or .clone() the tensor before changing it."
            )
