"""The graph's records: ``Node`` (what one op on Tensors leaves behind), hooks, and graph walks."""

from __future__ import annotations

import os
import traceback

__all__ = ["Node", "AccumulateGrad", "HookHandle", "backward_name", "postorder", "creation_trace"]


class Node:
    """The record one op leaves in the graph: a Tensor's ``grad_fn``.

    ``op`` is the op's record, ``ctx`` its attributes, ``inputs`` the input Tensors its VJPs
    read (None where unused), ``next`` the vertex each input's gradient flows to (its grad_fn,
    the input itself if it is a leaf that requires grad, or None). ``next`` is fixed when the node
    is made, so rebinding a tensor's history later (an in-place op) never redirects it.
    """

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
        self.out = out  # the output, when the VJPs read it (op.saves_out)
        self.shapes = shapes  # the inputs' shapes, when the output broadcast them
        self.versions = versions  # (input index, version when saved) for the saved inputs
        self.hooks = None
        self.retain = None  # a weak reference to the output Tensor, after retain_grad()
        self.meta = meta  # set by nn: the module that made this node
        self.trace = None  # where it was created (anomaly mode)
        self.freed = False  # backward ran without retain_graph: the saved values are gone
        self.dirty = None  # the in-place op that overwrote the saved output
        self.value = None  # the output value (retain_values mode)
        self.grad_value = None  # the output gradient (retain_values mode)
        self.grad_sent = None  # the gradient sent to each input (retain_values mode)

    def name(self) -> str:
        """PyTorch-style name, e.g. ``MulBackward0``."""
        return backward_name(self.op.name)

    @property
    def next_functions(self):
        """PyTorch's ``(node, output index)`` pair per input: the input's ``grad_fn``, an
        ``AccumulateGrad`` for a leaf that requires grad, or ``(None, 0)`` where no gradient flows."""
        return tuple((v if v is None or isinstance(v, Node) else AccumulateGrad(v), 0) for v in self.next)

    def register_hook(self, fn):
        """Call ``fn(grad_output)`` when this node's output gradient is ready."""
        if self.hooks is None:
            self.hooks = []
        self.hooks.append(fn)
        return HookHandle(self.hooks, fn)

    def __repr__(self):
        return f"<{self.name()}>"


def backward_name(op_name: str) -> str:
    """``"leaky_relu"`` → ``"LeakyReluBackward0"``, as PyTorch names its built-in nodes.

    A Function's class name (it has capitals) keeps them and gets PyTorch's ``Backward`` with no
    number: ``"LegendrePolynomial3"`` → ``"LegendrePolynomial3Backward"``.
    """
    if op_name.lower() != op_name:
        return op_name + "Backward"
    return "".join(part[:1].upper() + part[1:] for part in op_name.split("_")) + "Backward0"


class AccumulateGrad:
    """What PyTorch's ``next_functions`` shows for a leaf: the node that accumulates its ``.grad``.

    ``variable`` is the leaf tensor. Made when asked for (the engine walks ``Node.next``, where a
    leaf stands for itself); two of them for the same leaf compare equal.
    """

    __slots__ = ("variable",)
    next_functions = ()

    def __init__(self, variable):
        self.variable = variable

    def name(self) -> str:
        """``"AccumulateGrad"``, PyTorch's name."""
        return "AccumulateGrad"

    def __eq__(self, other):
        return isinstance(other, AccumulateGrad) and other.variable is self.variable

    def __hash__(self):
        return id(self.variable)

    def __repr__(self):
        return "<AccumulateGrad>"


class HookHandle:
    """Returned by ``register_hook``; ``remove()`` unregisters the hook."""

    __slots__ = ("hooks", "fn")

    def __init__(self, hooks, fn):
        self.hooks = hooks
        self.fn = fn

    def remove(self):
        """Unregister the hook (a second call does nothing)."""
        try:
            self.hooks.remove(self.fn)
        except ValueError:
            pass


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


_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


def creation_trace():
    """file:line of the user code that created a node (anomaly mode only)."""
    frames = traceback.extract_stack()[:-1]
    user = [f for f in frames if not os.path.abspath(f.filename).startswith(_PACKAGE_DIR + os.sep)]
    return "".join(traceback.format_list(user[-4:] or frames[-4:]))
