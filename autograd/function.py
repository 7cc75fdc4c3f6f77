"""Custom ops as classes, with PyTorch's interface: ``autograd.Function``.

Subclass ``Function`` and write two static methods: ``forward(ctx, *args)`` computes the outputs
from the arguments (Tensors or anything else) and saves what backward needs on ``ctx``;
``backward(ctx, *grad_outputs)`` gets ∂L/∂output for each output and returns ∂L/∂arg for each
argument (None where there is none). ``MyFunction.apply(*args)`` runs it and records it.

NOTE: several outputs are several nodes. The engine sends each output's gradient to that output's
node, and a node has one output, so output k gets a node of its own whose VJPs call ``backward``
with ∂L/∂output k and zeros for the other outputs; the engine sums what the nodes return. That is
correct (backward is linear in the gradients) and keeps drawings and hooks as for any op, at the
cost of one ``backward`` call per output that receives a gradient (PyTorch makes one call with
all of them).
"""

from __future__ import annotations

import weakref

import numpy as np

from .extend import Node, Op, Tensor, apply, grad_mode, no_grad, unbroadcast_array, wrap

__all__ = ["Function", "FunctionCtx"]

# The Op record of each Function subclass, made on its first apply.
_RECORDS = weakref.WeakKeyDictionary()


class FunctionCtx:
    """What ``forward`` leaves for ``backward``: saved tensors, flags, and any attribute you set."""

    def __init__(self, needs_input_grad):
        self.needs_input_grad = needs_input_grad
        self.materialize_grads = True
        self.to_save = ()
        self.non_differentiable = ()
        self._versions = ()
        self._saved = None  # after forward: what save_for_backward kept, as _Saved records

    def save_for_backward(self, *tensors):
        """Keep tensors (inputs, outputs or None) for backward; in-place changes to them are caught."""
        for t in tensors:
            if t is not None and not isinstance(t, Tensor):
                raise TypeError(f"save_for_backward can only save Tensors or None, got a {type(t).__name__}")
        self.to_save = tensors
        self._versions = tuple(None if t is None else t._version for t in tensors)

    def mark_non_differentiable(self, *tensors):
        """Outputs that get no gradient (no grad_fn; backward receives zeros for them)."""
        self.non_differentiable = tensors

    def mark_dirty(self, *tensors):
        """Not supported: a Function's forward must not change its inputs in place."""
        raise NotImplementedError(
            "mark_dirty: glassgrad's Function does not support in-place forwards; return a new tensor "
            "(e.g. x.clone() changed in place) instead"
        )

    def set_materialize_grads(self, value):
        """Whether backward gets zeros (True, the default) or None for outputs without a gradient."""
        self.materialize_grads = bool(value)

    @property
    def saved_tensors(self):
        """The tensors given to ``save_for_backward``; raises if one was changed in place since."""
        if self._saved is None:
            return tuple(self.to_save)
        return tuple(None if s is None else s.unpack() for s in self._saved)


class _Saved:
    """One saved tensor: the tensor itself (an input or an intermediate), or an output's data."""

    __slots__ = ("tensor", "array", "vc_owner", "version", "output", "call")

    def __init__(self, tensor, version, output, call):
        self.version = version
        self.output = output
        self.call = call
        if output is None:  # an input or an intermediate: kept as it is
            self.tensor = tensor
            self.array = None
            self.vc_owner = tensor
        else:  # an output: its data and version counter only, so the node it belongs to is not kept alive
            self.tensor = None
            self.array = tensor.array
            self.vc_owner = tensor.detach()

    def unpack(self):
        """The saved tensor, checking its version; an output is rebuilt, in the graph under create_graph."""
        current = self.vc_owner._version
        if current != self.version:
            raise RuntimeError(
                f"One of the tensors saved by {self.call.op.name}.forward (save_for_backward) has been "
                f"modified by an in-place operation: it is at version {current}; expected version "
                f"{self.version}. Use an out-of-place op, or .clone() the tensor before changing it."
            )
        if self.output is None:
            return self.tensor
        t = self.vc_owner.detach()
        if grad_mode.enabled and self.call.next is not None:
            # A differentiable backward reads this output: it must lead back to the inputs.
            t.requires_grad_(True)
            state = _NodeState(self.call, self.output)
            nothing = (None,) * len(self.call.next)
            t.grad_fn = Node(self.call.op, state, nothing, self.call.next, None, None, None, None)
        return t


class _Call:
    """What the nodes of one ``apply`` share: the context, where the tensors were, their shapes."""

    __slots__ = ("op", "cls", "ctx", "n_args", "positions", "shapes", "dtypes", "outputs", "needed", "next")

    def __init__(self, op, cls, ctx, args, positions):
        self.op = op
        self.cls = cls
        self.ctx = ctx
        self.n_args = len(args)
        self.positions = positions  # the argument index of each node input (the Tensor arguments)
        self.shapes = tuple(args[p].shape for p in positions)
        self.dtypes = tuple(args[p].dtype for p in positions)
        self.outputs = ()  # (shape, dtype) of each Tensor output, None for other outputs
        self.needed = sum(1 for p in positions if args[p].requires_grad)
        self.next = None  # the vertices the nodes send gradients to (set once a node is recorded)


class _NodeState:
    """A node's ``ctx``: which output it is, and the gradients of its last ``backward`` call."""

    __slots__ = ("call", "index", "pending")

    def __init__(self, call, index):
        self.call = call
        self.index = index
        self.pending = None  # [g, gradients per input, how many inputs have yet to take theirs]


class Function:
    """A custom op: subclass it, write static ``forward(ctx, *args)`` and ``backward(ctx, *grads)``.

    ``forward`` runs under ``no_grad()``. Or, PyTorch's newer style: ``forward(*args)`` without
    ``ctx`` and a static ``setup_context(ctx, inputs, output)`` that fills it. ``backward`` returns one gradient per argument of forward
    (None for non-Tensor ones); written with Tensor ops, it is differentiable, so
    ``create_graph=True`` and ``gradgradcheck`` work through it. A drawing shows the op under the
    class name, with the first line of the class docstring as its tooltip.
    """

    @staticmethod
    def forward(ctx, *args):
        """The outputs (a Tensor, or a tuple) from the arguments."""
        raise NotImplementedError("write forward(ctx, *args) as a @staticmethod of your Function subclass")

    @staticmethod
    def setup_context(ctx, inputs, output):
        """Fill ``ctx`` from the arguments and the outputs, for a ``forward`` without ``ctx``."""
        raise NotImplementedError("setup_context is optional: write it only for a forward(*args) without ctx")

    @staticmethod
    def backward(ctx, *grad_outputs):
        """∂L/∂arg for each argument of forward, from ∂L/∂output for each output."""
        raise NotImplementedError("write backward(ctx, *grad_outputs) as a @staticmethod of your Function subclass")

    @classmethod
    def apply(cls, *args):
        """Run ``forward`` on ``args`` and record one node per differentiable output."""
        positions = tuple(i for i, a in enumerate(args) if isinstance(a, Tensor))
        ctx = FunctionCtx(tuple(isinstance(a, Tensor) and a.requires_grad for a in args))
        with no_grad():
            if cls.setup_context is Function.setup_context:
                result = cls.forward(ctx, *args)
            else:  # PyTorch's newer style: forward(*args), then setup_context(ctx, inputs, output)
                result = cls.forward(*args)
                cls.setup_context(ctx, args, result)
        outputs = result if isinstance(result, tuple) else (result,)
        call = _Call(op_record(cls), cls, ctx, args, positions)
        ctx._saved = _saved_records(ctx, args, outputs, call)
        if not (grad_mode.enabled and call.needed):
            return result
        recorded = _record_outputs(call, args, outputs)
        return recorded if isinstance(result, tuple) else recorded[0]


def op_record(cls):
    """The ``Op`` record of a Function subclass: its name, its docstring's first line as the rule."""
    op = _RECORDS.get(cls)
    if op is None:
        doc = (cls.__dict__.get("__doc__") or "").strip()
        rule = doc.splitlines()[0] if doc else f"{cls.__name__}.backward (a custom Function)"
        op = Op(cls.__name__, (), rule=rule, keeps_shape=False)
        _RECORDS[cls] = op
    return op


def _vjps_for(op, n):
    """Make sure ``op`` has a VJP for each of ``n`` inputs (a Function may be called with any number)."""
    if len(op.vjps) < n:
        op.vjps = tuple(_input_vjp(i) for i in range(n))


def _input_vjp(i):
    """The VJP for node input ``i``: its share of the node's ``backward`` call."""

    def vjp(g, state, out, *xs):
        return _gradient(state, i, g)

    return vjp


def _saved_records(ctx, args, outputs, call):
    """What ``save_for_backward`` kept, each as a ``_Saved`` (outputs by data, the rest as they are)."""
    records = []
    for t, version in zip(ctx.to_save, ctx._versions):
        if t is None:
            records.append(None)
            continue
        is_input = any(t is a for a in args)
        k = None if is_input else next((k for k, o in enumerate(outputs) if o is t), None)
        records.append(_Saved(t, version, k, call))
    return tuple(records)


def _record_outputs(call, args, outputs):
    """One node per differentiable output; the outputs, now in the graph, in forward's order."""
    inputs = tuple(args[p] for p in call.positions)
    _vjps_for(call.op, len(inputs))
    non_diff = call.ctx.non_differentiable
    call.outputs = tuple((o.shape, o.dtype) if isinstance(o, Tensor) else None for o in outputs)
    recorded = []
    for k, o in enumerate(outputs):
        if not isinstance(o, Tensor) or o.dtype.kind != "f" or any(o is t for t in non_diff):
            recorded.append(o)
            continue
        node = apply(call.op, o.array, inputs, _NodeState(call, k)).grad_fn
        call.next = node.next
        if o.grad_fn is None and not o.requires_grad and not any(o is a for a in args):
            t = o  # made by forward: it joins the graph itself (a saved reference to it stays valid)
        else:  # an input or a tensor from elsewhere, returned as it is: a new tensor on its data
            t = o.detach()
        t.requires_grad_(True)
        t.grad_fn = node
        recorded.append(t)
    return tuple(recorded)


def _gradient(state, i, g):
    """∂L/∂(node input i): from this node's ``backward`` call, made once for all its inputs."""
    # NOTE: one list, read once: a backward in another thread through this node replaces it
    # rather than changing it, so it costs at most an extra call, never a wrong gradient.
    pending = state.pending
    if pending is None or pending[0] is not g:
        pending = [g, _call_backward(state, g), state.call.needed]
        state.pending = pending
    pending[2] -= 1
    if pending[2] <= 0 and state.pending is pending:  # every input has its share: drop them
        state.pending = None
    return pending[1][i]


def _call_backward(state, g):
    """Call the user's ``backward`` with g for this node's output and zeros for the others."""
    call = state.call
    graph = isinstance(g, Tensor)
    grads = []
    for k, spec in enumerate(call.outputs):
        if k == state.index:
            grads.append(g if graph else wrap(g))
        elif spec is None or not call.ctx.materialize_grads:
            grads.append(None)
        else:
            grads.append(wrap(np.zeros(spec[0], dtype=spec[1])))
    result = call.cls.backward(call.ctx, *grads)
    result = result if isinstance(result, tuple) else (result,)
    _check_count(call, result)
    return [_input_gradient(call, j, result[p], graph) for j, p in enumerate(call.positions)]


def _check_count(call, result):
    """backward must return one gradient per argument of forward (extra ones only if None)."""
    n = call.n_args
    if len(result) < n or any(r is not None for r in result[n:]):
        raise RuntimeError(
            f"function {call.op.name}Backward returned an incorrect number of gradients "
            f"(expected {n}, got {len(result)})"
        )


def _input_gradient(call, j, gi, graph):
    """The gradient backward returned for node input j, as the engine takes it (None: zeros)."""
    shape, dtype = call.shapes[j], call.dtypes[j]
    if gi is None:
        zeros = np.zeros(shape, dtype=dtype)
        return wrap(zeros) if graph else zeros
    if not isinstance(gi, Tensor):
        raise TypeError(
            f"{call.op.name}.backward returned a {type(gi).__name__} as the gradient of argument "
            f"{call.positions[j]}; return a Tensor (or None)"
        )
    if gi.shape != shape:
        if np.broadcast_shapes(gi.shape, shape) != gi.shape:
            raise RuntimeError(
                f"Function {call.op.name}Backward returned an invalid gradient at index {call.positions[j]} - "
                f"got {list(gi.shape)} but expected shape compatible with {list(shape)}"
            )
        gi = gi.sum_to_size(shape) if graph else wrap(unbroadcast_array(gi.array, shape))
    if graph:
        return gi
    data = gi.array if gi.dtype == dtype else gi.array.astype(dtype)
    # NOTE: a view, so the engine never sums into the array in place: backward may have returned
    # an array it keeps (a saved tensor, ctx.something), which must not change.
    return data.view()
