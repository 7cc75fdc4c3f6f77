"""The backward engine: graph nodes, grad mode, and one iterative reverse-mode traversal.

A graph has three kinds of vertices, all walked by the same loop:

- ``Node``: made by an op on Tensors (a Tensor's ``grad_fn``). It holds the op, the op's
  attributes (``ctx``), the inputs its VJPs read, and its *edges* ``next``: for each input, the
  vertex its gradient flows to (the input's ``grad_fn``, the input itself if it is a leaf that
  requires grad, or ``None``). Edges are fixed when the node is made, so rebinding a tensor's
  history later (an in-place op) never redirects an older consumer.
- a leaf ``Tensor``: a sink; its gradient is accumulated into ``.grad``.
- a ``Scalar``: micrograd-style, the value is its own node (Scalars have no in-place ops, so the
  merge is safe) and every Scalar keeps its gradient.

Every VJP is pure: it receives the upstream gradient ``g`` and returns the gradient for one
input. Ordering, accumulation, unbroadcasting, pruning, hooks, anomaly checks and freeing the
values saved for backward are done here, once.
"""

from __future__ import annotations

import gc
import os
import threading
import traceback
import weakref

import numpy as np

__all__ = [
    "Op",
    "Node",
    "no_grad",
    "enable_grad",
    "set_grad_enabled",
    "is_grad_enabled",
    "detect_anomaly",
    "is_anomaly_enabled",
    "AnomalyError",
    "run_backward",
]


class _GradMode(threading.local):
    enabled = True
    anomaly = False
    # Drawing support (autograd.viz.watch): nodes keep their output value and, after backward,
    # the gradient of that output, so a drawn graph can show both. Off by default: it keeps
    # arrays alive that backward would otherwise free.
    watch = False


_mode = _GradMode()


def is_grad_enabled() -> bool:
    """Whether ops on tensors that require grad record a graph."""
    return _mode.enabled


class set_grad_enabled:
    """Context manager / decorator that turns graph recording on or off."""

    def __init__(self, mode: bool):
        self.mode = bool(mode)
        self.prev = None

    def __enter__(self):
        self.prev = _mode.enabled
        _mode.enabled = self.mode
        return self

    def __exit__(self, *exc):
        _mode.enabled = self.prev
        return False

    def __call__(self, fn):
        import functools

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.__class__(self.mode):
                return fn(*args, **kwargs)

        return wrapper


class no_grad(set_grad_enabled):
    """Ops inside record no graph (evaluation, optimizer updates)."""

    def __init__(self):
        super().__init__(False)

    def __call__(self, fn):
        import functools

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with no_grad():
                return fn(*args, **kwargs)

        return wrapper


class enable_grad(set_grad_enabled):
    """Turn recording back on inside a ``no_grad`` block."""

    def __init__(self):
        super().__init__(True)

    def __call__(self, fn):
        import functools

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with enable_grad():
                return fn(*args, **kwargs)

        return wrapper


class AnomalyError(RuntimeError):
    """A backward pass produced NaN or inf; ``.node`` is the culprit and ``.trace`` its origin."""

    def __init__(self, message, node=None, trace=None):
        super().__init__(message)
        self.node = node
        self.trace = trace
        self.roots = None  # the vertices backward started from (set by run_backward)

    @property
    def graph(self):
        """The graph (a ``graphviz.Digraph``) with the offending node in red; drawn on first use."""
        from . import viz

        return viz.draw_anomaly(self)


class detect_anomaly:
    """Record where each op was created and raise in backward at the first NaN/inf gradient.

    Slows every op (a stack trace per node); use it to find a bug, not to train.
    """

    def __init__(self, check_nan: bool = True):
        self.check_nan = check_nan
        self.prev = None

    def __enter__(self):
        self.prev = _mode.anomaly
        _mode.anomaly = self.check_nan
        return self

    def __exit__(self, *exc):
        _mode.anomaly = self.prev
        return False


def is_anomaly_enabled() -> bool:
    """Whether ``detect_anomaly`` is active."""
    return _mode.anomaly


class Op:
    """A primitive: its name, one VJP per input, and what its VJPs read.

    ``vjps[i](g, ctx, out, *xs)`` returns ∂L/∂xs[i] given g = ∂L/∂out. In a first-order backward
    ``g, out, xs`` are NumPy arrays (or floats for Scalars); under ``create_graph=True`` they are
    Tensors, so the same rule records a differentiable graph. A VJP returns a new array, ``g``
    itself, or a view of ``g``, never an array it saved.

    ``saves`` lists the inputs the VJPs read (their versions are checked against in-place
    changes), ``saves_out`` whether they read the output, ``broadcasts`` whether the engine must
    sum gradients back to broadcast inputs' shapes. ``rule`` is the VJP in course notation.
    """

    __slots__ = ("name", "vjps", "saves", "saves_out", "broadcasts", "rule")

    def __init__(self, name, vjps, saves=(), saves_out=False, broadcasts=False, rule=""):
        if len(set(saves)) != len(tuple(saves)):
            raise ValueError(f"Op {name}: saves lists an input twice: {tuple(saves)}")
        self.name = name
        self.vjps = vjps
        self.saves = tuple(saves)
        self.saves_out = saves_out
        self.broadcasts = broadcasts
        self.rule = rule

    def __repr__(self):
        return f"Op({self.name})"


class Node:
    """The record one op leaves in the graph: a Tensor's ``grad_fn``."""

    __slots__ = (
        "op",
        "ctx",
        "inputs",
        "next",
        "out",
        "shapes",
        "versions",
        "hooks",
        "retain",
        "meta",
        "trace",
        "freed",
        "dirty",
        "value",
        "grad_value",
        "grad_sent",
        "__weakref__",
    )

    def __init__(self, op, ctx, inputs, next_, out, shapes, versions, meta):
        self.op = op
        self.ctx = ctx
        self.inputs = inputs
        self.next = next_
        self.out = out
        self.shapes = shapes
        self.versions = versions
        self.hooks = None
        self.retain = None
        self.meta = meta
        self.trace = None
        self.freed = False
        self.dirty = None
        self.value = None
        self.grad_value = None
        self.grad_sent = None

    def name(self) -> str:
        """PyTorch-style name, e.g. ``MulBackward``."""
        return _backward_name(self.op.name)

    @property
    def next_functions(self):
        """The vertices gradients flow to, one per input (None where none flows)."""
        return self.next

    def register_hook(self, fn):
        """Call ``fn(grad_output)`` when this node's output gradient is ready."""
        if self.hooks is None:
            self.hooks = []
        self.hooks.append(fn)
        return _HookHandle(self.hooks, fn)

    def __repr__(self):
        return f"<{self.name()}>"


def _backward_name(op_name: str) -> str:
    return "".join(part.capitalize() for part in op_name.split("_")) + "Backward"


class _HookHandle:
    """Returned by ``register_hook``; ``remove()`` unregisters the hook."""

    __slots__ = ("hooks", "fn")

    def __init__(self, hooks, fn):
        self.hooks = hooks
        self.fn = fn

    def remove(self):
        try:
            self.hooks.remove(self.fn)
        except ValueError:
            pass


# The engine is written once for both value types; they register here on import.
_tensor_cls = None
_scalar_cls = None
_tensor_backend = None  # module with wrap/unbroadcast helpers for Tensors


def register_value_types(tensor_cls, scalar_cls, tensor_backend):
    global _tensor_cls, _scalar_cls, _tensor_backend
    if tensor_cls is not None:
        _tensor_cls = tensor_cls
        _tensor_backend = tensor_backend
    if scalar_cls is not None:
        _scalar_cls = scalar_cls


_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


def creation_trace():
    """file:line of the user code that created a node (anomaly mode only)."""
    frames = traceback.extract_stack()[:-1]
    user = [f for f in frames if not os.path.abspath(f.filename).startswith(_PACKAGE_DIR + os.sep)]
    return "".join(traceback.format_list(user[-4:] or frames[-4:]))


def broadcast_view(a, shape):
    """A read-only view of ``a`` broadcast to ``shape`` (np.broadcast_to, ~9× cheaper for the
    common case of an equal-rank C-contiguous array)."""
    if a.shape == shape:
        return a
    if a.__class__ is np.ndarray and a.ndim == len(shape) and a.flags.c_contiguous:
        strides = tuple(0 if n != m else st for n, m, st in zip(a.shape, shape, a.strides))
        view = np.ndarray(shape, a.dtype, a, 0, strides)
        view.flags.writeable = False
        return view
    return np.broadcast_to(a, shape)


def unbroadcast_array(g, shape):
    """Sum ``g`` over the axes that broadcasting added or stretched, giving ``shape``."""
    if g.shape == shape:
        return g
    extra = g.ndim - len(shape)
    axes = tuple(range(extra)) + tuple(
        extra + i for i, n in enumerate(shape) if n == 1 and g.shape[extra + i] != 1
    )
    if axes:
        g = g.sum(axis=axes, keepdims=True)
    if extra:
        g = g.reshape(g.shape[extra:])
    return g.reshape(shape) if g.shape != shape else g


def postorder(roots, edges):
    """Every vertex reachable from ``roots`` through ``edges(vertex)``, each after all the vertices
    its edges lead to (iterative DFS: no recursion limit)."""
    order = []
    seen = set()
    for root in roots:
        if id(root) in seen:
            continue
        seen.add(id(root))
        stack = [(root, iter(edges(root)))]
        while stack:
            vertex, it = stack[-1]
            for e in it:
                if e is not None and id(e) not in seen:
                    seen.add(id(e))
                    stack.append((e, iter(edges(e))))
                    break
            else:
                stack.pop()
                order.append(vertex)
    return order


def _topological_order(roots):
    """Vertices reachable from ``roots``, each before every vertex it sends gradient to.

    ``postorder`` with the edges looked up inline: this runs once per backward over every node.
    """
    scalar_cls = _scalar_cls
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
                    if cls is scalar_cls:
                        stack.append((e, iter((e._a, e._b))))  # None where there is no input
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
    if cls is _scalar_cls:
        return vertex.next
    return ()  # a leaf Tensor


def _run_hooks(hooks, g, create_graph):
    Tensor = _tensor_cls
    for hook in list(hooks):
        if Tensor is not None and isinstance(g, np.ndarray):
            result = hook(_tensor_backend.wrap_grad(g))
            if result is not None:
                g = result.data if isinstance(result, Tensor) else np.asarray(result)
        else:
            result = hook(g)
            if result is not None:
                g = result
    return g


def _check_finite(node, i, gi):
    data = gi.data if hasattr(gi, "data") and not isinstance(gi, (np.ndarray, float)) else gi
    if not np.all(np.isfinite(data)):
        kind = "nan" if np.any(np.isnan(data)) else "inf"
        trace = getattr(node, "trace", None)  # Scalars record no creation trace
        where = trace or "(creation trace not recorded: the op was made outside detect_anomaly())\n"
        name = node.name() if isinstance(node, Node) else f"{node.op.name} (Scalar)"
        raise AnomalyError(
            f"Function '{name}' returned {kind} values in its gradient for input {i}. "
            f"The forward call that created it:\n{where}",
            node=node,
            trace=trace,
        )


def run_backward(roots, seeds, retain_graph=False, create_graph=False, inputs=None, allow_unused=False, observer=None):
    """Propagate ``seeds`` (∂L/∂root for each root) to every leaf, or to ``inputs`` only.

    ``roots`` are vertices (Nodes, leaf Tensors or Scalars). With ``inputs`` (a list of
    vertices) the gradients reaching them are returned and no ``.grad`` is touched.
    ``observer(vertex, g, sent)``, if given, is called once per vertex in backward order with
    its total gradient ``g`` and the list ``sent`` of (input index, edge, gradient) it passed
    on (empty for leaves); it must copy what it keeps, as buffers may be summed into later.
    """
    Tensor = _tensor_cls
    Scalar = _scalar_cls
    wrap = _tensor_backend.wrap if _tensor_backend is not None else None
    anomaly = _mode.anomaly
    watch = _mode.watch
    # The traversal makes no reference cycles, so the cyclic collector has nothing to find in
    # what it allocates; pausing it (from the topological sort on) saves its repeated scans of a
    # large live graph.
    gc_was_enabled = gc.isenabled()
    if gc_was_enabled:
        gc.disable()
    prev_mode = _mode.enabled
    try:
        order = _topological_order(roots)
        grads = {}
        for root, seed in zip(roots, seeds):
            prev = grads.get(root)
            grads[root] = seed if prev is None else prev + seed
        # Vertices whose pending gradient the engine allocated itself: those may be summed into in
        # place and stored as a leaf's .grad without a copy. Anything else (the seed, g passed
        # straight through, a view) may alias another gradient or the caller's array.
        owned = set()
        wanted = None
        captured = None
        if inputs is not None:
            wanted = {id(v): k for k, v in enumerate(inputs)}
            captured = [None] * len(inputs)
        _mode.enabled = bool(create_graph)
        for vertex in order:
            g = grads.pop(vertex, None)
            if g is None:
                continue
            cls = vertex.__class__
            if cls is Node:
                if vertex.hooks:
                    g = _run_hooks(vertex.hooks, g, create_graph)
                if watch:
                    vertex.grad_value = g
                if wanted is not None and id(vertex) in wanted:
                    captured[wanted[id(vertex)]] = g
                elif vertex.retain is not None and wanted is None:
                    t = vertex.retain()
                    if t is not None:
                        _accumulate_tensor_grad(t, g, create_graph, False)
                ins = vertex.inputs
                versions = vertex.versions
                if versions is not None:
                    for i, expected in versions:
                        if ins[i]._version != expected:
                            _check_versions(vertex)  # raises, naming the input
                if vertex.dirty is not None:
                    _check_versions(vertex)
                op = vertex.op
                ctx = vertex.ctx
                if create_graph:
                    out = None if vertex.out is None else _tensor_backend.wrap_graph_output(vertex)
                    xs = ins
                    if not isinstance(g, Tensor):
                        g = _tensor_backend.wrap_grad(g)
                else:
                    out = vertex.out
                    if len(ins) == 1:
                        x = ins[0]
                        xs = (None if x is None else x.data,)
                    else:
                        xs = [None if x is None else x.data for x in ins]
                shapes = vertex.shapes
                vjps = op.vjps
                sent = [] if observer is not None or watch else None
                for i, edge in enumerate(vertex.next):
                    if edge is None:
                        continue
                    gi = vjps[i](g, ctx, out, *xs)
                    if shapes is not None and gi.shape != shapes[i]:
                        gi = _tensor_backend.unbroadcast(gi, shapes[i])
                    if anomaly:
                        _check_finite(vertex, i, gi)
                    if sent is not None:
                        # A copy: a later input of this same node may be summed into gi in place.
                        sent.append((i, edge, gi.copy() if gi.__class__ is np.ndarray else gi))
                    prev = grads.get(edge)
                    if prev is None:
                        grads[edge] = gi
                        if not create_graph and gi is not g and getattr(gi, "base", 0) is None:
                            owned.add(edge)
                    else:
                        _add_grad(grads, owned, edge, prev, gi, create_graph)
                if watch:
                    gs = [None] * len(vertex.next)
                    for i, _, gi in sent:
                        gs[i] = gi
                    vertex.grad_sent = tuple(gs)
                if observer is not None:
                    observer(vertex, g, sent)
                if not retain_graph:
                    vertex.out = None
                    if not watch:  # watch mode keeps what a drawing reads: saved inputs, op attributes
                        vertex.inputs = None
                        vertex.ctx = None
                    vertex.freed = True
            elif cls is Scalar:  # its own node, and every Scalar keeps its gradient
                if vertex.hooks:
                    g = _run_hooks(vertex.hooks, g, create_graph)
                if wanted is not None:
                    if id(vertex) in wanted:
                        captured[wanted[id(vertex)]] = g
                elif create_graph:
                    vertex.grad = g if isinstance(vertex.grad, float) and vertex.grad == 0.0 else vertex.grad + g
                else:
                    vertex.grad += g
                op = vertex.op
                if op is None:
                    if observer is not None:
                        observer(vertex, g, [])
                    continue
                b = vertex._b
                ins = (vertex._a,) if b is None else (vertex._a, b)
                if create_graph:
                    out = vertex
                    xs = ins
                    if not isinstance(g, Scalar):
                        g = Scalar(float(g))
                else:
                    out = vertex.data
                    xs = (ins[0].data,) if b is None else (ins[0].data, b.data)
                vjps = op.vjps
                sent = [] if observer is not None else None
                for i, edge in enumerate(ins):
                    gi = vjps[i](g, vertex.ctx, out, *xs)
                    if anomaly:
                        _check_finite(vertex, i, gi)
                    if sent is not None:
                        sent.append((i, edge, gi))
                    prev = grads.get(edge)
                    grads[edge] = gi if prev is None else prev + gi
                if sent is not None:
                    observer(vertex, g, sent)
            else:  # a leaf Tensor (or Parameter)
                if vertex._hooks:
                    hooked = _run_hooks(vertex._hooks, g, create_graph)
                    if hooked is not g:  # the hook's array is the caller's: never sum into it
                        owned.discard(vertex)
                        g = hooked
                if observer is not None:
                    observer(vertex, g, [])
                if wanted is not None:
                    if id(vertex) in wanted:
                        captured[wanted[id(vertex)]] = g
                elif vertex.grad is None and vertex in owned and g.dtype == vertex.data.dtype and g.flags.writeable:
                    # The common case, inlined: a fresh array the engine made becomes .grad as is.
                    vertex.grad = wrap(g)
                else:
                    _accumulate_tensor_grad(vertex, g, create_graph, vertex in owned)
    except AnomalyError as e:
        if e.roots is None:
            e.roots = tuple(roots)
        raise
    finally:
        _mode.enabled = prev_mode
        if gc_was_enabled:
            gc.enable()

    if captured is not None:
        for k, g in enumerate(captured):
            if g is None and not allow_unused:
                raise RuntimeError(
                    f"One of the differentiated inputs (index {k}) was not used to compute the "
                    f"outputs, so it has no gradient. Pass allow_unused=True to get None for it."
                )
        return captured
    return None


def _add_grad(grads, owned, edge, prev, gi, create_graph):
    if create_graph:
        grads[edge] = prev + gi
    elif edge in owned and prev.shape == gi.shape and prev.flags.writeable:
        prev += gi
    else:
        grads[edge] = prev + gi
        owned.add(edge)


def _accumulate_tensor_grad(t, g, create_graph, owned):
    Tensor = _tensor_cls
    if create_graph:
        g_t = g if isinstance(g, Tensor) else _tensor_backend.wrap_grad(g)
        t.grad = g_t if t.grad is None else t.grad + g_t
        return
    if isinstance(g, Tensor):
        g = g.data
    if g.dtype != t.data.dtype:
        g = g.astype(t.data.dtype)
        owned = True
    if t.grad is None:
        # NOTE: an array the engine did not allocate (the seed, g passed straight through, a
        # view) may alias another tensor's gradient, so it is copied before it is stored.
        if not owned or not isinstance(g, np.ndarray) or not g.flags.writeable:
            g = np.array(g, copy=True)
        t.grad = _tensor_backend.wrap_grad(g)
    else:
        buf = t.grad.data
        if buf.shape == g.shape and buf.flags.writeable:
            buf += g
            t.grad._version += 1
        else:
            t.grad = _tensor_backend.wrap_grad(buf + g)


def _check_versions(node):
    if node.dirty is not None:
        raise RuntimeError(
            f"The output of {node.name()} is needed for gradient computation but was modified "
            f"by an in-place operation ({node.dirty}). Use an out-of-place op, or .clone() the "
            f"tensor before changing it."
        )
    versions = node.versions
    if versions is None:
        return
    for (i, expected) in versions:
        x = node.inputs[i] if i >= 0 else None
        current = x._version if x is not None else None
        if current is not None and current != expected:
            raise RuntimeError(
                f"One of the tensors needed for gradient computation has been modified by an "
                f"in-place operation: input {i} of {node.name()} (shape {tuple(x.shape)}) is at "
                f"version {current}; expected version {expected}. Use an out-of-place op "
                f"(x = x + y instead of x += y), or .clone() the tensor before changing it."
            )


def weak(t):
    return weakref.ref(t)
