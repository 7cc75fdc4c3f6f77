"""``import autograd.numpy as np``, as HIPS autograd code begins: NumPy, whose functions are the
recorded ops when given a Tensor (``np.sinc(x)``, ``np.sum(x, axis=0)``, ``np.dot(a, b)``) and
NumPy's own otherwise. NumPy's ufuncs already dispatch on Tensors (``Tensor.__array_ufunc__``);
this covers the other functions that have an op here.

NOTE: the module is named after NumPy inside the ``autograd`` package; ``import numpy`` elsewhere in
the package still means NumPy (absolute imports), as in HIPS autograd.
"""

from __future__ import annotations

import builtins as _builtins

import numpy as _np
from numpy import *  # noqa: F403 — NumPy's whole namespace, then the Tensor-aware overrides below

from . import methods as _methods
from .op import FUNCTIONS as _FUNCTIONS
from .tensor import Tensor as _Tensor

# NumPy name → the op that does what it does on a Tensor, where the names differ.
_RENAMED = {
    "concatenate": "cat",
    "max": "amax",
    "min": "amin",
    "clip": "clamp",
    "transpose": "_transpose",
    "dot": "_dot",
    "absolute": "abs",
    "fabs": "abs",
}


def _has_tensor(values):
    # NOTE: builtins.any, since NumPy's `any` is one of this module's names
    return _builtins.any(isinstance(v, _Tensor) or (isinstance(v, (list, tuple)) and _has_tensor(v)) for v in values)


def _dispatching(name, ours):
    theirs = getattr(_np, name)

    def function(*args, **kwargs):
        if _has_tensor(args) or _has_tensor(kwargs.values()):
            return ours(*args, **kwargs)
        return theirs(*args, **kwargs)

    function.__name__ = name
    function.__doc__ = f"numpy.{name}, or the recorded op when an argument is a Tensor."
    return function


def _transpose(a, axes=None):
    return a.permute(tuple(_builtins.reversed(_builtins.range(a.ndim))) if axes is None else tuple(axes))


def _dot(a, b):
    if getattr(a, "ndim", 0) == 0 or getattr(b, "ndim", 0) == 0:
        return a * b
    return _FUNCTIONS["matmul"].fn(a, b)


def _ours(name):
    target = _RENAMED.get(name, name)
    if target == "_transpose":
        return _transpose
    if target == "_dot":
        return _dot
    if target in _FUNCTIONS:
        return _FUNCTIONS[target].fn
    alias = _methods.ALIASES.get(target)
    return _FUNCTIONS[alias].fn if alias in _FUNCTIONS else None


# Only NumPy's functions that are not ufuncs (those dispatch by themselves) and have an op here.
_OVERRIDES = {
    name: _dispatching(name, _ours(name))
    for name in dir(_np)
    if not name.startswith("_")
    and callable(getattr(_np, name))
    and not isinstance(getattr(_np, name), (_np.ufunc, type))
    and _ours(name) is not None
}
globals().update(_OVERRIDES)
