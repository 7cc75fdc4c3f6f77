"""glassgrad's nn: modules, layers, losses, initializers and checkpoints on the autograd engine.

Names, arguments and ``state_dict`` layouts are PyTorch's, so code and checkpoints carry over:
``nn.Linear(784, 10)``, ``nn.CrossEntropyLoss()``, ``nn.save(model, "m.safetensors")``.
"""

import autograd

from . import functional, init
from .conv import AdaptiveAvgPool2d, AvgPool1d, AvgPool2d, Conv1d, Conv2d, MaxPool1d, MaxPool2d
from .layers import (
    ELU,
    GELU,
    SELU,
    Dropout,
    Flatten,
    Identity,
    LeakyReLU,
    Linear,
    LogSoftmax,
    Maxout,
    PReLU,
    ReLU,
    Sigmoid,
    Softmax,
    Softplus,
    Tanh,
)
from .loss import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    HuberLoss,
    L1Loss,
    MSELoss,
    NLLLoss,
    l1_penalty,
    l2_penalty,
)
from .module import (
    IncompatibleKeys,
    Module,
    ModuleDict,
    ModuleList,
    Parameter,
    ParameterDict,
    ParameterList,
    Sequential,
)
from .normalization import BatchNorm1d, BatchNorm2d, LayerNorm
from .serialization import CheckpointError, load, save

__version__ = autograd.__version__  # the distribution's version, read once (in autograd)

__all__ = [
    "functional",
    "init",
    "Conv1d",
    "Conv2d",
    "MaxPool1d",
    "MaxPool2d",
    "AvgPool1d",
    "AvgPool2d",
    "AdaptiveAvgPool2d",
    "Module",
    "Parameter",
    "Sequential",
    "ModuleList",
    "ModuleDict",
    "ParameterList",
    "ParameterDict",
    "IncompatibleKeys",
    "Identity",
    "Flatten",
    "Linear",
    "Maxout",
    "ReLU",
    "LeakyReLU",
    "PReLU",
    "GELU",
    "ELU",
    "SELU",
    "Sigmoid",
    "Tanh",
    "Softplus",
    "Softmax",
    "LogSoftmax",
    "Dropout",
    "BatchNorm1d",
    "BatchNorm2d",
    "LayerNorm",
    "CrossEntropyLoss",
    "NLLLoss",
    "MSELoss",
    "L1Loss",
    "BCELoss",
    "BCEWithLogitsLoss",
    "HuberLoss",
    "l1_penalty",
    "l2_penalty",
    "save",
    "load",
    "CheckpointError",
]
