"""glassgrad's autograd: a define-by-run, reverse-mode autodiff engine on NumPy.

``Tensor`` holds an ndarray, ``Scalar`` a Python float; both record a graph of ops whose VJPs
``backward()`` runs in reverse topological order. Every op function (``autograd.exp``,
``autograd.sum``, ``autograd.conv2d``...) comes from the op registry (``autograd.op``); the names
below are the rest of the engine.

NOTE: this package's import name, ``autograd``, is also that of the HIPS autograd package;
install only one of them in an environment.
"""

from importlib import metadata as _metadata

import numpy as _np

from . import cuda, extend, functional, linalg
from .api import grad
from .creation import (
    Generator,
    arange,
    bernoulli,
    default_generator,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    is_floating_point,
    is_tensor,
    linspace,
    logspace,
    manual_seed,
    multinomial,
    normal,
    numel,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randint_like,
    randn,
    randn_like,
    randperm,
    tensor,
    zeros,
    zeros_like,
)
from .cuda import backends, use_deterministic_algorithms
from .device import device
from .errors import AnomalyError, ShapeError
from .function import Function
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .methods import ALIAS_FUNCTIONS, FAMILIES
from .mode import (
    detect_anomaly,
    enable_grad,
    inference_mode,
    is_anomaly_enabled,
    is_grad_enabled,
    no_grad,
    set_detect_anomaly,
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
    get_default_dtype,
    int8,
    int16,
    int32,
    int64,
    set_default_dtype,
    uint8,
)

# Every registered op function, e.g. autograd.exp, autograd.sum, autograd.conv2d.
OP_FUNCTIONS = {name: export.fn for name, export in FUNCTIONS.items()}
globals().update(OP_FUNCTIONS)

LISTENERS.append(lambda export: globals().__setitem__(export.name, export.fn))  # ops registered later

# Other names of those ops: NumPy's (arcsin, negative, mod...) and PyTorch's (clip, concat...).
globals().update(ALIAS_FUNCTIONS)

# Machine limits of a dtype (``finfo(float32).eps``), NumPy's, which PyTorch's mirror.
finfo = _np.finfo
iinfo = _np.iinfo

# PyTorch's dtype names, as NumPy scalar types (``x.dtype == autograd.float`` holds for float32).
# NOTE: ``bool``, ``float`` and ``int`` shadow the builtins in this module's namespace only, so they
# are defined last, after every line here that could use the builtins, and are left out of __all__
# (``from autograd import *`` must not replace the user's ``float``).
half = float16
double = float64
long = int64
short = int16
bool = bool_  # noqa: A001
float = float32  # noqa: A001
int = int32  # noqa: A001

# The version is written once, in pyproject.toml, and read here; optim, nn and glassgrad reuse it.
try:
    __version__ = _metadata.version("glassgrad")
except _metadata.PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"

__all__ = [
    "linalg",
    "multinomial",
    "bernoulli",
    "normal",
    "cuda",
    "backends",
    "use_deterministic_algorithms",
    "inference_mode",
    "Generator",
    "Tensor",
    "Scalar",
    "Node",
    "AccumulateGrad",
    "Op",
    "Function",
    "tensor",
    "as_tensor",
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
    "empty",
    "empty_like",
    "full_like",
    "randn_like",
    "rand_like",
    "randint",
    "randint_like",
    "randperm",
    "logspace",
    "device",
    "from_numpy",
    "is_tensor",
    "is_floating_point",
    "numel",
    "finfo",
    "iinfo",
    "manual_seed",
    "default_generator",
    "set_default_dtype",
    "get_default_dtype",
    "float16",
    "float32",
    "float64",
    "int8",
    "int16",
    "int32",
    "int64",
    "uint8",
    "bool_",
    "half",
    "double",
    "long",
    "short",
    "grad",
    "no_grad",
    "enable_grad",
    "set_grad_enabled",
    "set_detect_anomaly",
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
