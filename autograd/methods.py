"""Load every op family and give Tensor and Scalar their methods, from the registry.

Each op declares its Tensor methods next to its forward (``export(methods=...)`` in
``autograd/ops/*.py``); this module imports the families (filling the registry), then installs
those methods, the Scalar functions of ops that declare a forward on floats, the in-place methods
and ``backward``. Nothing else adds methods to the classes.
"""

from __future__ import annotations

import math

from . import api, inplace
from .op import FUNCTIONS
from .ops import activation, arithmetic, conv, indexing, join, linalg, loss, normalization, reduction, shape, unary
from .scalar import Scalar, make_scalar
from .tensor import Tensor

__all__ = ["FAMILIES", "install"]

# The op families, in the order the README's op table lists them.
FAMILIES = (arithmetic, linalg, unary, activation, reduction, shape, indexing, join, conv, normalization, loss)


def _scalar_method(name, op, forward):
    """``Scalar.<name>()``: the op's forward on the float, recorded with the op's VJP."""

    def method(self):
        try:
            data = forward(self.data)
        except (ArithmeticError, ValueError):
            data = math.nan  # math raises where NumPy would give inf or NaN (e.g. a domain error)
        return make_scalar(float(data), op, self)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"{name} of this Scalar, recorded for backward (see ``autograd.{name}``)."
    return method


def install():
    """Install every registered op's methods on Tensor and Scalar (runs once, on import)."""
    for export in FUNCTIONS.values():
        for method_name, impl in export.methods.items():
            setattr(Tensor, method_name, impl)
        if export.scalar is not None:
            op, forward = export.scalar
            setattr(Scalar, export.name, _scalar_method(export.name, op, forward))
    for method_name, impl in inplace.METHODS.items():
        setattr(Tensor, method_name, impl)
    Tensor.backward = api.backward
    Scalar.backward = api.scalar_backward


install()
