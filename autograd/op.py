"""The op record and the registry of every op.

An op is declared once, in its family's file under ``autograd/ops``: an ``Op`` record (its VJPs,
what they read, its rule in the course notation, how a drawing shows its attributes, whether it
keeps its input's shape) and the public function that runs its forward, registered with
``export``. Everything else is derived from the registry: the package's exports, the Tensor and
Scalar methods (``autograd/methods.py``), the op tables in the README, and the test that every
op has a gradcheck row.
"""

from __future__ import annotations

import functools
import inspect

__all__ = ["Op", "Export", "OPS", "FUNCTIONS", "LISTENERS", "KEYWORD_ALIASES", "export", "family_of", "accept_aliases"]

# Every Op record, in the order the op files declare them.
OPS = []
# Every public op function by name, in declaration order.
FUNCTIONS = {}
# Called with each new Export (autograd installs its methods and exports it): an op registered
# after ``import autograd``, by a user, is as complete as a built-in one.
LISTENERS = []


class Op:
    """A primitive: its name, one VJP per input, what its VJPs read, and how it is shown.

    ``vjps[i](g, ctx, out, *xs)`` returns ∂L/∂xs[i] given g = ∂L/∂out. In a first-order backward
    ``g, out, xs`` are NumPy arrays (or floats for Scalars); under ``create_graph=True`` they are
    Tensors, so the same rule records a differentiable graph. A VJP returns a new array, ``g``
    itself, or a view of ``g``, never an array it saved.

    ``saves`` lists the inputs the VJPs read (their versions are checked against in-place
    changes), ``saves_out`` whether they read the output, ``broadcasts`` whether the engine must
    sum gradients back to broadcast inputs' shapes. ``rule`` is the VJP in course notation;
    ``keeps_shape`` says the output has the (single) input's shape; ``describe(ctx)`` gives the
    attributes a drawing prints (``"dim=1"``), None when the op has none worth showing.
    ``variadic`` marks an op of any number of inputs (cat, stack) whose VJPs read only
    ``(g, ctx, out)``: they are not handed the n inputs, so the backward stays linear in n.
    ``accumulate(buffer, g, ctx)``, for a one-input op whose VJP is mostly zeros (indexing), adds
    that VJP into ``buffer`` in place and returns True (False if it cannot: the VJP then runs): a
    first-order pass calls it instead of the VJP when the input already has a gradient buffer the
    engine owns, so no zero array is made and summed.
    """

    __slots__ = (
        "name",
        "vjps",
        "saves",
        "saves_out",
        "broadcasts",
        "rule",
        "keeps_shape",
        "describe",
        "variadic",
        "accumulate",
    )

    def __init__(
        self,
        name,
        vjps,
        *,
        rule,
        keeps_shape,
        saves=(),
        saves_out=False,
        broadcasts=False,
        describe=None,
        variadic=False,
        accumulate=None,
    ):
        if len(set(saves)) != len(tuple(saves)):
            raise ValueError(f"Op {name}: saves lists an input twice: {tuple(saves)}")
        if not rule:
            raise ValueError(f"Op {name}: give its rule in the course notation (rule=...)")
        self.name = name
        self.vjps = vjps
        self.saves = tuple(saves)
        self.saves_out = saves_out
        self.broadcasts = broadcasts
        self.rule = rule
        self.keeps_shape = bool(keeps_shape)
        self.describe = describe
        self.variadic = variadic
        self.accumulate = accumulate
        OPS.append(self)

    def __repr__(self):
        return f"Op({self.name})"


class Export:
    """A public op function: ``autograd.<name>``, its Tensor methods and, maybe, a Scalar method.

    ``methods`` maps a Tensor method name to the function that implements it (the op function
    itself, or a wrapper for PyTorch's method signature, e.g. ``x.reshape(2, 3)``). ``scalar`` is
    ``(op, forward)``: the Op record and its forward on a Python float, for ``Scalar.<name>()``.
    """

    __slots__ = ("name", "fn", "family", "methods", "scalar")

    def __init__(self, name, fn, family, methods, scalar):
        self.name = name
        self.fn = fn
        self.family = family
        self.methods = methods
        self.scalar = scalar

    def __repr__(self):
        return f"Export({self.name}, family={self.family})"


def family_of(fn) -> str:
    """The family of an op function: the name of the file it is declared in."""
    return fn.__module__.rsplit(".", 1)[-1]


# NumPy's keyword names that PyTorch also accepts, for every op function and method that takes
# the PyTorch one: ``x.sum(axis=1, keepdims=True)`` is ``x.sum(dim=1, keepdim=True)``.
KEYWORD_ALIASES = {"axis": "dim", "keepdims": "keepdim"}
_NAMED = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)


def accept_aliases(f, name=None):
    """``f``, taking ``KEYWORD_ALIASES`` for the parameters it has (``f`` itself when it has none)."""
    try:
        params = inspect.signature(f).parameters
    except (TypeError, ValueError):  # a property or a builtin: nothing to rename
        return f
    renames = {
        alias: target
        for alias, target in KEYWORD_ALIASES.items()
        if target in params and params[target].kind in _NAMED and alias not in params
    }
    if not renames:
        return f
    where = name or f.__name__

    # NOTE: one wrapper per op with a dim; it costs ~0.1 µs a call and does nothing without keywords.
    @functools.wraps(f)
    def accepting(*args, **kwargs):
        if kwargs:
            for alias in renames.keys() & kwargs.keys():
                target = renames[alias]
                if target in kwargs:
                    raise TypeError(f"{where}() got both {alias}= and {target}= (they are the same argument)")
                kwargs[target] = kwargs.pop(alias)
        return f(*args, **kwargs)

    return accepting


def export(fn=None, *, name=None, methods=None, scalar=None):
    """Register ``fn`` as a public op (a decorator).

    ``methods``: Tensor method names (default: the function's own name) or ``(name, function)``
    pairs for methods whose signature differs; ``()`` for none. ``scalar``: see ``Export``. The
    function and methods take ``KEYWORD_ALIASES`` too (``axis=`` for ``dim=``).
    """

    def register(f):
        public = name or f.__name__
        if public in FUNCTIONS:
            raise ValueError(f"export: an op named {public!r} is already registered ({FUNCTIONS[public].fn})")
        f = accept_aliases(f, public)
        names = (public,) if methods is None else methods
        bound = {}
        for m in names:
            method_name, impl = (m, f) if isinstance(m, str) else (m[0], accept_aliases(m[1], m[0]))
            bound[method_name] = impl
        entry = Export(public, f, family_of(f), bound, scalar)
        FUNCTIONS[public] = entry
        for listener in LISTENERS:
            listener(entry)
        return f

    return register if fn is None else register(fn)
