"""What an op author needs, in one place: the API the built-in ops are written with.

Write a new primitive in three parts, as ``autograd/ops/*.py`` do (see "Writing your own op" in
the README)::

    from autograd.extend import Op, apply, export

    CUBE = Op("cube", (lambda g, ctx, out, x: g * 3.0 * x * x,), saves=(0,), keeps_shape=True,
              rule="∂L/∂x = 3x² ⊙ g")

    @export
    def cube(x):
        return apply(CUBE, x.array ** 3, (x,))

or, for a one-input elementwise op, in one statement with ``elementwise``. A VJP written with
operators and the functions of ``dual`` works on arrays (first order) and on Tensors (any order).
"""

from __future__ import annotations

import functools

from . import dual
from .broadcast import broadcast_view, unbroadcast_array
from .errors import ShapeError
from .mode import is_grad_enabled, no_grad
from .mode import state as grad_mode
from .node import Node
from .op import FUNCTIONS, OPS, Export, Op, export
from .promotion import default_dtype
from .tensor import Tensor, apply, as_tensor, raw, shape_arg, wrap

__all__ = [
    "Op",
    "Export",
    "export",
    "elementwise",
    "on_array_or_recorded",
    "apply",
    "wrap",
    "as_tensor",
    "raw",
    "shape_arg",
    "Tensor",
    "Node",
    "ShapeError",
    "dual",
    "broadcast_view",
    "unbroadcast_array",
    "is_grad_enabled",
    "no_grad",
    "grad_mode",
    "OPS",
    "FUNCTIONS",
]


def elementwise(vjp, *, rule, saves=(), saves_out=False, scalar=None, methods=None):
    """Declare a one-input elementwise op from its forward on arrays (a decorator).

    The decorated function maps an ndarray to an ndarray of the same float dtype (float32 stays
    float32); the result is the op on Tensors, with
    the record ``Op(name, (vjp,), ...)`` as its ``.op``, registered with ``export`` (a Tensor
    method of the same name, and ``Scalar.<name>()`` when ``scalar`` — the forward on a Python
    float, returning a float — is given). A forward that can overflow or leave its domain silences
    NumPy's warnings itself (``np.errstate``): inf and NaN are values, as in PyTorch.
    """

    def declare(forward):
        op = Op(forward.__name__, (vjp,), rule=rule, keeps_shape=True, saves=saves, saves_out=saves_out)

        @functools.wraps(forward)
        def fn(x):
            try:
                a = x.array
                data = forward(a)
                if a.dtype.kind != "f" and data.dtype.kind == "f":
                    # an integer or bool input of a float function: computed in the default float
                    # dtype, as PyTorch (exp of an int64 tensor is float32, not NumPy's float64)
                    data = forward(a.astype(default_dtype()))
                return apply(op, data, (x,))
            except AttributeError:
                if isinstance(x, Tensor):
                    raise
                raise TypeError(
                    f"{op.name}(): expected a Tensor, got a {type(x).__name__}; wrap it first, e.g. "
                    f"autograd.{op.name}(autograd.tensor(...))"
                ) from None

        fn.op = op
        return export(fn, methods=methods, scalar=None if scalar is None else (op, scalar))

    return declare


def on_array_or_recorded(op, forward, x, ctx):
    """``forward(x, ctx)`` for an array ``x``; for a Tensor, the same result recorded as ``op``.

    For the primitives whose VJPs are each other (pooling and its scatter, unfold and fold, gather
    and scatter-add): a first-order backward passes arrays and gets arrays; under
    ``create_graph=True`` it passes Tensors, and the VJP is itself a node of the graph.
    """
    if isinstance(x, Tensor):
        return apply(op, forward(x.array, ctx), (x,), ctx)
    return forward(x, ctx)
