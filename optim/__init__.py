"""glassgrad's optimizers, learning-rate schedules and gradient clipping (PyTorch's interface).

Parameters are ``autograd`` Tensors; updates write ``p.array`` in place with NumPy and bump
``p._version``. This package imports only ``autograd``.

A new optimizer subclasses ``Optimizer`` and writes only its update rule, ``update(p, grad,
state, group)`` (and ``init_state(p, group)`` if it keeps state); ``Optimizer.step`` loops over
the groups and parameters. ``optim.optimizer.check`` and ``optim.optimizer.lerp_`` are the
helpers the built-in optimizers share.
"""

import autograd

from . import lr_scheduler
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .clip import clip_grad_norm_, clip_grad_value_
from .lr_scheduler import improved
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD

__version__ = autograd.__version__  # the distribution's version, read once (in autograd)

__all__ = [
    "Optimizer",
    "SGD",
    "Adagrad",
    "RMSprop",
    "Adam",
    "AdamW",
    "clip_grad_norm_",
    "clip_grad_value_",
    "lr_scheduler",
    "improved",
]
