"""glassgrad: a define-by-run autograd engine on NumPy, a small deep-learning library on it, and
the application that trains with them: data, the training loop, search and the ``glassgrad`` command.

The packages are layered, each importing only those to its left::

    autograd  ←  optim  ←  nn  ←  glassgrad

``import glassgrad as gg`` gives the engine's main names (``gg.tensor``, ``gg.no_grad``, ...), the
library's packages (``gg.nn``, ``gg.optim``, ``gg.autograd``) and the application's
(``gg.data``, ``gg.train``, ``gg.search``; ``gg.fit``, ``gg.DataLoader``, ...).
"""

import autograd
import nn
import optim
from autograd import (
    Scalar,
    Tensor,
    arange,
    as_tensor,
    enable_grad,
    eye,
    float16,
    float32,
    float64,
    full,
    grad,
    gradcheck,
    int32,
    int64,
    is_grad_enabled,
    linspace,
    manual_seed,
    no_grad,
    ones,
    ones_like,
    rand,
    randn,
    set_grad_enabled,
    tensor,
    zeros,
    zeros_like,
)

from . import aliases, data, search, train, utils
from .data import DataLoader, Dataset, Subset, TensorDataset, random_split, stratified_split
from .train import (
    Callback,
    Checkpoint,
    EarlyStopping,
    GradientClipping,
    History,
    TrainingDiverged,
    check_initial_loss,
    evaluate,
    fit,
    lr_range_test,
    overfit_batch,
)

# One version for the one distribution, read from its metadata by nn.
__version__ = nn.__version__

# Every public name of the engine as well (gg.exp, gg.cat, gg.float, gg.Function, ...), and the
# checkpoint functions, so a PyTorch program's ``torch.`` names read as ``gg.``; ``import
# glassgrad.nn as nn`` and ``from glassgrad.utils.data import DataLoader`` work too.
ENGINE_NAMES = [name for name in autograd.__all__ if name not in globals()]
globals().update({name: getattr(autograd, name) for name in ENGINE_NAMES})
# PyTorch's dtype names that shadow builtins (autograd leaves them out of its __all__, so a star
# import keeps the builtins; here they are attributes only: gg.float is float32, as torch.float).
float, int, bool = autograd.float, autograd.int, autograd.bool  # noqa: A001
save, load = nn.save, nn.load
aliases.install()

__all__ = [
    # the layers below
    "autograd",
    "optim",
    "nn",
    # the engine's main names
    "Tensor",
    "Scalar",
    "tensor",
    "as_tensor",
    "zeros",
    "ones",
    "zeros_like",
    "ones_like",
    "full",
    "arange",
    "linspace",
    "eye",
    "rand",
    "randn",
    "manual_seed",
    "float16",
    "float32",
    "float64",
    "int32",
    "int64",
    "no_grad",
    "enable_grad",
    "set_grad_enabled",
    "is_grad_enabled",
    "grad",
    "gradcheck",
    # the application
    "data",
    "train",
    "search",
    "utils",
    "save",
    "load",
    *ENGINE_NAMES,
    "Dataset",
    "TensorDataset",
    "Subset",
    "DataLoader",
    "random_split",
    "stratified_split",
    "fit",
    "evaluate",
    "History",
    "Callback",
    "EarlyStopping",
    "Checkpoint",
    "GradientClipping",
    "TrainingDiverged",
    "check_initial_loss",
    "overfit_batch",
    "lr_range_test",
]
