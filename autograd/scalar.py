"""Scalar: one Python float per graph node, micrograd-style, for teaching.

It shares the engine, the ops' VJP rules and the drawing with Tensor; a Scalar is its own graph
node (it keeps its inputs in ``next``) and every Scalar keeps ``.grad`` after backward, so a drawn
graph shows the gradient at each node. Scalar graphs are not freed by backward: calling it again
accumulates, as in micrograd (reset with ``zero_grad()``).

The operators are written here; the functions (``exp``, ``tanh``, ``relu``...) come from the op
records that declare a forward on floats, and ``backward`` from the engine, both installed by
``autograd/methods.py``.
"""

from __future__ import annotations

import math
import numbers

from .node import HookHandle, postorder
from .ops import arithmetic


class Scalar:
    """A number that records the ops made on it: ``.data`` and ``.grad`` are Python floats."""

    # NOTE: the inputs sit in two slots rather than a tuple: a tuple of Scalars is one more object
    # for Python's cyclic garbage collector to track and scan, per node (a third to two thirds of a
    # training step, depending on how big the rest of the heap is: see bench/scalar_mlp.py).
    __slots__ = ("data", "grad", "label", "op", "ctx", "input_a", "input_b", "hooks", "__weakref__")

    def __init__(self, data, label=""):
        if isinstance(data, Scalar):
            data = data.data
        if not isinstance(data, numbers.Real):
            raise TypeError(f"Scalar holds a real number, got {type(data).__name__}")
        self.data = float(data)
        self.grad = 0.0
        self.label = label
        self.op = None
        self.ctx = None
        self.input_a = None  # the first input (None for a leaf)
        self.input_b = None  # the second input (None for a leaf or a one-input op)
        self.hooks = None

    @property
    def next(self):
        """The Scalars this one was computed from, the vertices its gradient flows to."""
        a = self.input_a
        if a is None:
            return ()
        b = self.input_b
        return (a,) if b is None else (a, b)

    @property
    def inputs(self):
        """The Scalars this one was computed from (micrograd's ``_prev``)."""
        return self.next

    @property
    def _prev(self):
        """micrograd's name for the inputs, a set, so micrograd's own graph-drawing code runs on a Scalar."""
        return set(self.next)

    @property
    def _op(self):
        """micrograd's name for the op that made this Scalar: ``'+'``, ``'*'``, ``'**2'``, ``'tanh'``...; ``''`` for a leaf."""
        if self.op is None:
            return ""
        name = self.op.name
        if name == "pow" and self.ctx is not None:
            return f"**{self.ctx:g}"
        return _MICROGRAD_OPS.get(name, name)

    @property
    def is_leaf(self):
        """True for a Scalar no op made."""
        return self.op is None

    def __repr__(self):
        name = f"{self.label}: " if self.label else ""
        return f"Scalar({name}data={self.data:.6g}, grad={self.grad:.6g})"

    def zero_grad(self):
        """Reset ``.grad`` of every Scalar in this graph to 0."""
        for v in postorder([self], lambda v: v.next):
            v.grad = 0.0

    def register_hook(self, hook):
        """Call ``hook(grad)`` when this Scalar's gradient is ready; it may return a new one."""
        if self.hooks is None:
            self.hooks = []
        self.hooks.append(hook)
        return HookHandle(self.hooks, hook)

    def backward_steps(self):
        """Run backward one node at a time (see ``autograd.viz.BackwardStepper``)."""
        from . import viz

        return viz.BackwardStepper(self)

    def draw(self, **kwargs):
        """Draw this Scalar's graph (see ``autograd.viz.draw``)."""
        from . import viz

        return viz.draw(self, **kwargs)

    # --- arithmetic ------------------------------------------------------------------------
    def __add__(self, other):
        other = other if other.__class__ is Scalar else _const(other)
        return make_scalar(self.data + other.data, arithmetic.ADD, self, other)

    def __radd__(self, other):
        return _const(other) + self

    def __sub__(self, other):
        other = other if other.__class__ is Scalar else _const(other)
        return make_scalar(self.data - other.data, arithmetic.SUB, self, other)

    def __rsub__(self, other):
        return _const(other) - self

    def __mul__(self, other):
        other = other if other.__class__ is Scalar else _const(other)
        return make_scalar(self.data * other.data, arithmetic.MUL, self, other)

    def __rmul__(self, other):
        return _const(other) * self

    def __truediv__(self, other):
        other = other if other.__class__ is Scalar else _const(other)
        try:
            data = self.data / other.data
        except ZeroDivisionError:
            data = math.copysign(math.inf, self.data) if self.data else math.nan
        return make_scalar(data, arithmetic.DIV, self, other)

    def __rtruediv__(self, other):
        return _const(other) / self

    def __pow__(self, exponent):
        if isinstance(exponent, Scalar) or not isinstance(exponent, numbers.Real):
            raise TypeError(
                "Scalar ** supports a constant int or float exponent (as micrograd); use exp/log for x ** y"
            )
        try:
            data = self.data**exponent
        except ZeroDivisionError:
            data = math.inf
        if isinstance(data, complex):
            data = math.nan
        return make_scalar(data, arithmetic.POW_CONST, self, None, exponent)

    def __neg__(self):
        return make_scalar(-self.data, arithmetic.NEG, self)

    def __mod__(self, other):
        return self.remainder(other)  # installed from the op record, as the other functions

    def __rmod__(self, other):
        return _const(other).remainder(self)

    def __float__(self):
        return self.data

    # The operators under their function names (PyTorch's Tensor methods), for code written for either.
    add, sub, mul, div, pow, neg = __add__, __sub__, __mul__, __truediv__, __pow__, __neg__


# The symbols micrograd's Value writes in ``_op`` (its tanh, exp and the rest keep their names).
_MICROGRAD_OPS = {"add": "+", "sub": "-", "mul": "*", "div": "/", "neg": "neg", "relu": "ReLU", "pow": "**"}


def _const(v):
    if isinstance(v, Scalar):
        return v
    return Scalar(v)


def make_scalar(data, op, a, b=None, ctx=None):
    """The Scalar that ``op`` made from ``a`` (and ``b``): value ``data``, no gradient yet."""
    out = Scalar.__new__(Scalar)
    out.data = data
    out.grad = 0.0
    out.label = ""
    out.op = op
    out.ctx = ctx
    out.input_a = a
    out.input_b = b
    out.hooks = None
    return out
