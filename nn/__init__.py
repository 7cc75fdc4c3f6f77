"""glassgrad's nn: modules, layers, losses, initializers and checkpoints on the autograd engine.

Names, arguments and ``state_dict`` layouts are PyTorch's, so code and checkpoints carry over:
``nn.Linear(784, 10)``, ``nn.CrossEntropyLoss()``, ``nn.save(model, "m.safetensors")``.
"""

import autograd

from . import functional, init, utils
from .attention import MultiheadAttention
from .conv import (
    AdaptiveAvgPool2d,
    AvgPool1d,
    AvgPool2d,
    Conv1d,
    Conv2d,
    ConvTranspose1d,
    ConvTranspose2d,
    Fold,
    MaxPool1d,
    MaxPool2d,
    Unfold,
    Upsample,
    UpsamplingBilinear2d,
    UpsamplingNearest2d,
)
from .distance import CosineSimilarity, PairwiseDistance
from .layers import (
    CELU,
    ELU,
    GELU,
    GLU,
    SELU,
    Dropout,
    Flatten,
    Hardsigmoid,
    Hardswish,
    Hardtanh,
    Identity,
    LeakyReLU,
    Linear,
    LogSigmoid,
    LogSoftmax,
    Maxout,
    Mish,
    PReLU,
    ReLU,
    ReLU6,
    Sigmoid,
    SiLU,
    Softmax,
    Softmin,
    Softplus,
    Softsign,
    Tanh,
)
from .loss import (
    BCELoss,
    BCEWithLogitsLoss,
    CosineEmbeddingLoss,
    CrossEntropyLoss,
    HuberLoss,
    KLDivLoss,
    L1Loss,
    MarginRankingLoss,
    MSELoss,
    NLLLoss,
    PoissonNLLLoss,
    SmoothL1Loss,
    SoftMarginLoss,
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
from .padding import (
    CircularPad1d,
    CircularPad2d,
    CircularPad3d,
    ConstantPad1d,
    ConstantPad2d,
    ConstantPad3d,
    ReflectionPad1d,
    ReflectionPad2d,
    ReflectionPad3d,
    ReplicationPad1d,
    ReplicationPad2d,
    ReplicationPad3d,
    ZeroPad1d,
    ZeroPad2d,
    ZeroPad3d,
)
from .rnn import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNCell
from .serialization import CheckpointError, load, save
from .sparse import Embedding
from .transformer import TransformerEncoder, TransformerEncoderLayer

__version__ = autograd.__version__  # the distribution's version, read once (in autograd)

__all__ = [
    "CosineSimilarity",
    "PairwiseDistance",
    "ReflectionPad1d",
    "ReflectionPad2d",
    "ReflectionPad3d",
    "ReplicationPad1d",
    "ReplicationPad2d",
    "ReplicationPad3d",
    "CircularPad1d",
    "CircularPad2d",
    "CircularPad3d",
    "ZeroPad1d",
    "ZeroPad2d",
    "ZeroPad3d",
    "ConstantPad1d",
    "ConstantPad2d",
    "ConstantPad3d",
    "functional",
    "init",
    "utils",
    "Conv1d",
    "Conv2d",
    "ConvTranspose1d",
    "ConvTranspose2d",
    "Upsample",
    "Unfold",
    "Fold",
    "UpsamplingNearest2d",
    "UpsamplingBilinear2d",
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
    "SiLU",
    "Tanh",
    "Softplus",
    "ReLU6",
    "Hardtanh",
    "Hardsigmoid",
    "Hardswish",
    "Mish",
    "Softsign",
    "LogSigmoid",
    "CELU",
    "GLU",
    "Softmin",
    "Softmax",
    "LogSoftmax",
    "Dropout",
    "BatchNorm1d",
    "BatchNorm2d",
    "LayerNorm",
    "Embedding",
    "RNN",
    "LSTM",
    "GRU",
    "RNNCell",
    "LSTMCell",
    "GRUCell",
    "MultiheadAttention",
    "TransformerEncoderLayer",
    "TransformerEncoder",
    "CrossEntropyLoss",
    "NLLLoss",
    "MSELoss",
    "L1Loss",
    "BCELoss",
    "BCEWithLogitsLoss",
    "HuberLoss",
    "SmoothL1Loss",
    "KLDivLoss",
    "SoftMarginLoss",
    "MarginRankingLoss",
    "CosineEmbeddingLoss",
    "PoissonNLLLoss",
    "l1_penalty",
    "l2_penalty",
    "save",
    "load",
    "CheckpointError",
]

# The application (data, the training loop, search, the command line) moved from nn to the
# glassgrad package, above nn. nn does not import it; an old name says where it went.
_MOVED_MODULES = {
    "data": "glassgrad.data",
    "datasets": "glassgrad.data.datasets",
    "transforms": "glassgrad.data.transforms",
    "training": "glassgrad.train",
    "search": "glassgrad.search",
    "cli": "glassgrad.cli",
}
_MOVED_NAMES = {
    **dict.fromkeys(
        ["DataLoader", "Dataset", "Subset", "TensorDataset", "random_split", "stratified_split"], "glassgrad.data"
    ),
    **dict.fromkeys(
        ["Callback", "Checkpoint", "EarlyStopping", "GradientClipping", "History", "TrainingDiverged"]
        + ["check_initial_loss", "evaluate", "fit", "lr_range_test", "overfit_batch"],
        "glassgrad.train",
    ),
}


def __getattr__(name):
    if name in _MOVED_MODULES:
        hint = f"use `import {_MOVED_MODULES[name]}`"
    elif name in _MOVED_NAMES:
        hint = f"use `from {_MOVED_NAMES[name]} import {name}`"
    elif name == "ReduceLROnPlateau":
        hint = "pass optim.lr_scheduler.ReduceLROnPlateau(optimizer) to glassgrad.train.fit(scheduler=...)"
    else:
        raise AttributeError(f"module 'nn' has no attribute {name!r}")
    raise AttributeError(f"nn.{name} moved out of nn, which holds neural-network parts only: {hint}")
