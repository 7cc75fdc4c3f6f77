"""glassgrad's autograd: a define-by-run, reverse-mode autodiff engine on NumPy.

``Tensor`` holds an ndarray, ``Scalar`` a Python float; both record a graph of ops whose VJPs
``backward()`` runs in reverse topological order. Every op function (``autograd.exp``,
``autograd.sum``, ``autograd.conv2d``...) comes from the op registry (``autograd.op``); the names
below are the rest of the engine.

NOTE: this package's import name, ``autograd``, is also that of the HIPS autograd package;
install only one of them in an environment.
"""

from importlib import metadata as _metadata

from . import extend, functional
from .api import grad
from .creation import (
    arange,
    default_generator,
    eye,
    full,
    linspace,
    manual_seed,
    ones,
    ones_like,
    rand,
    randn,
    tensor,
    zeros,
    zeros_like,
)
from .errors import AnomalyError, ShapeError
from .function import Function
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .methods import ALIAS_FUNCTIONS, FAMILIES
from .mode import (
    detect_anomaly,
    enable_grad,
    is_anomaly_enabled,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
)
from .node import AccumulateGrad, Node
from .op import FUNCTIONS, LISTENERS, Op
from .scalar import Scalar
from .tensor import (
    Tensor,
    as_tensor,
    bool_,
    float16,
    float32,
    float64,
    from_numpy,
    get_default_dtype,
    int32,
    int64,
    is_tensor,
    numel,
    set_default_dtype,
)

# Every registered op function, e.g. autograd.exp, autograd.sum, autograd.conv2d.
OP_FUNCTIONS = {name: export.fn for name, export in FUNCTIONS.items()}
globals().update(OP_FUNCTIONS)

LISTENERS.append(lambda export: globals().__setitem__(export.name, export.fn))  # ops registered later

# Other names of those ops: NumPy's (arcsin, negative, mod...) and PyTorch's (clip, concat...).
globals().update(ALIAS_FUNCTIONS)

# The version is written once, in pyproject.toml, and read here; optim, nn and glassgrad reuse it.
try:
    __version__ = _metadata.version("glassgrad")
except _metadata.PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"

__all__ = [
    "Tensor",
    "Scalar",
    "Node",
    "AccumulateGrad",
    "Op",
    "Function",
    "tensor",
    "as_tensor",
    "from_numpy",
    "is_tensor",
    "numel",
    "zeros",
    "ones",
    "full",
    "zeros_like",
    "ones_like",
    "randn",
    "rand",
    "arange",
    "linspace",
    "eye",
    "manual_seed",
    "default_generator",
    "set_default_dtype",
    "get_default_dtype",
    "float16",
    "float32",
    "float64",
    "int32",
    "int64",
    "bool_",
    "grad",
    "no_grad",
    "enable_grad",
    "set_grad_enabled",
    "is_grad_enabled",
    "detect_anomaly",
    "is_anomaly_enabled",
    "AnomalyError",
    "ShapeError",
    "gradcheck",
    "gradgradcheck",
    "GradcheckError",
    "functional",
    "extend",
    "FAMILIES",
    *OP_FUNCTIONS,
]
