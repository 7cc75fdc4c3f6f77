"""Load every op family and give Tensor and Scalar their methods, from the registry.

Each op declares its Tensor methods next to its forward (``export(methods=...)`` in
``autograd/ops/*.py``); this module imports the families (filling the registry), then installs
those methods, the Scalar functions of ops that declare a forward on floats, the in-place methods
and ``backward``. Nothing else adds methods to the classes.
"""

from __future__ import annotations

import math

from . import api, inplace
from .op import FUNCTIONS, LISTENERS, OPS
from .ops import (
    activation,
    arithmetic,
    conv,
    distance,
    indexing,
    interpolation,
    join,
    linalg,
    logic,
    loss,
    matrix,
    normalization,
    recurrent,
    reduction,
    shape,
    unary,
)
from .scalar import Scalar, make_scalar
from .tensor import Tensor

__all__ = [
    "FAMILIES",
    "BUILTIN_OPS",
    "install",
    "install_export",
    "install_aliases",
    "ALIASES",
    "ALIAS_FUNCTIONS",
    "op_table_markdown",
    "OP_TABLE_START",
    "OP_TABLE_END",
]

# The op families, in the order the README's op table lists them.
FAMILIES = (
    arithmetic,
    linalg,
    matrix,
    unary,
    logic,
    activation,
    reduction,
    shape,
    indexing,
    join,
    conv,
    distance,
    interpolation,
    normalization,
    recurrent,
    loss,
)
# Every primitive the families declare (ops made later, e.g. by users' own code, are not in it).
BUILTIN_OPS = tuple(OPS)


def _scalar_method(name, op, forward):
    """``Scalar.<name>()``: the op's forward on the float, recorded with the op's VJP.

    An op with two VJPs is a method of two Scalars, ``a.atan2(b)`` (a number for b is a constant).
    """

    def method(self):
        try:
            data = forward(self.data)
        except (ArithmeticError, ValueError):
            data = math.nan  # math raises where NumPy would give inf or NaN (e.g. a domain error)
        return make_scalar(data, op, self)

    def binary_method(self, other):
        other = other if isinstance(other, Scalar) else Scalar(other)
        try:
            data = forward(self.data, other.data)
        except (ArithmeticError, ValueError):
            data = math.nan
        return make_scalar(data, op, self, other)

    if len(op.vjps) == 2:
        method = binary_method

    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"{name} of this Scalar, recorded for backward (see ``autograd.{name}``)."
    return method


def install_export(export):
    """Give Tensor (and Scalar, if the op has a float forward) the methods of one registered op."""
    for method_name, impl in export.methods.items():
        setattr(Tensor, method_name, impl)
    if export.scalar is not None:
        op, forward = export.scalar
        setattr(Scalar, export.name, _scalar_method(export.name, op, forward))


# Other names for registered ops: NumPy's (as HIPS autograd code calls them) and PyTorch's own
# aliases. Each is ``autograd.<alias>``, the Tensor method (where PyTorch has it) and, where the op
# has a float forward, the Scalar method; the same function, so nothing else to test or draw.
ALIASES = {
    "absolute": "abs",
    "negative": "neg",
    "subtract": "sub",
    "multiply": "mul",
    "divide": "div",
    "true_divide": "div",
    "power": "pow",
    "float_power": "pow",
    "arcsin": "asin",
    "arccos": "acos",
    "arctan": "atan",
    "arcsinh": "asinh",
    "arccosh": "acosh",
    "arctanh": "atanh",
    "arctan2": "atan2",
    "mod": "remainder",
    "radians": "deg2rad",
    "degrees": "rad2deg",
    "fix": "trunc",
    "rint": "round",
    "clip": "clamp",
    "concat": "cat",
    "concatenate": "cat",
    "greater": "gt",
    "greater_equal": "ge",
    "less": "lt",
    "less_equal": "le",
    "not_equal": "ne",
    "swapdims": "swapaxes",
    "sgn": "sign",
    "ger": "outer",
    "ravel": "flatten",
    "row_stack": "vstack",
    "moveaxis": "movedim",
}
# NumPy's names that are not Tensor methods in PyTorch (only functions here, as there).
NOT_METHODS = {"mod", "radians", "degrees", "concatenate", "concat"}


def install_aliases():
    """Give each alias in ``ALIASES`` its Tensor and Scalar methods; returns {alias: function}."""
    functions = {}
    for alias, target in ALIASES.items():
        export = FUNCTIONS.get(target)
        if export is None:
            continue
        functions[alias] = export.fn
        if alias not in NOT_METHODS and target in export.methods and not hasattr(Tensor, alias):
            setattr(Tensor, alias, export.methods[target])
        if hasattr(Scalar, target) and not hasattr(Scalar, alias):
            setattr(Scalar, alias, getattr(Scalar, target))
    return functions


def install():
    """Install every registered op's methods on Tensor and Scalar, and those of ops registered later."""
    for export in FUNCTIONS.values():
        install_export(export)
    LISTENERS.append(install_export)
    for method_name, impl in inplace.METHODS.items():
        setattr(Tensor, method_name, impl)
    Tensor.backward = api.backward
    Scalar.backward = api.scalar_backward


install()
ALIAS_FUNCTIONS = install_aliases()

OP_TABLE_START = "<!-- op-table:start (generated from the op registry by `python -m scripts.update_docs`) -->"
OP_TABLE_END = "<!-- op-table:end -->"

_OPERATORS = {
    "__add__": "+",
    "__sub__": "-",
    "__mul__": "*",
    "__truediv__": "/",
    "__pow__": "**",
    "__neg__": "-x",
    "__matmul__": "@",
    "__abs__": "abs()",
    "__floordiv__": "//",
    "__mod__": "%",
    "__and__": "&",
    "__or__": "\\|",  # escaped: a bare | would end the table cell
    "__xor__": "^",
    "__invert__": "~",
    "__getitem__": "x[key]",
    "__setitem__": "x[key] = v",
}


def _method_text(name):
    if name in _OPERATORS:
        return f"`{_OPERATORS[name]}`"
    if name.startswith("__"):
        return None  # a reflected operator: the same symbol as its forward one
    return f"`.{name}`" if name in ("T", "mT") else f"`.{name}()`"


def op_table_markdown():
    """The README's op table, one row per family, from the registry."""
    rows = ["| family | functions (`autograd.*`) | Tensor methods and operators | Scalar |", "|---|---|---|---|"]
    for module in FAMILIES:
        family = module.__name__.rsplit(".", 1)[-1]
        exports = [e for e in FUNCTIONS.values() if e.family == family]
        title = module.TITLE
        functions = " ".join(f"`{e.name}`" for e in exports)
        methods = [_method_text(m) for e in exports for m in e.methods]
        scalar = " ".join(f"`{e.name}`" for e in exports if e.scalar is not None)
        rows.append(f"| {title} (`ops/{family}.py`) | {functions} | {' '.join(m for m in methods if m)} | {scalar} |")
    aliases = ", ".join(f"`{alias}` = `{target}`" for alias, target in ALIASES.items() if alias in ALIAS_FUNCTIONS)
    rows.append("")
    rows.append(
        f"The same ops under NumPy's and PyTorch's other names (functions, and methods where PyTorch has them): {aliases}."
    )
    return "\n".join(rows) + "\n"
