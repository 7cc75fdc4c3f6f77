"""glassgrad's autograd: a define-by-run, reverse-mode autodiff engine on NumPy.

``Tensor`` holds an ndarray, ``Scalar`` a Python float; both record a graph of ops whose VJPs
``backward()`` runs in reverse topological order.

NOTE: this package's import name, ``autograd``, is also that of the HIPS autograd package;
install only one of them in an environment.
"""

from . import functional
from .api import grad
from .engine import (
    AnomalyError,
    Node,
    Op,
    detect_anomaly,
    enable_grad,
    is_anomaly_enabled,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
)
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .ops.activation import elu, gelu, leaky_relu, relu, selu, sigmoid, softplus, tanh
from .ops.arithmetic import add, div, mul, neg, pow, sub
from .ops.conv import adaptive_avg_pool2d, avg_pool1d, avg_pool2d, conv1d, conv2d, max_pool1d, max_pool2d
from .ops.indexing import take_along_dim
from .ops.join import cat, pad, stack
from .ops.linalg import linear, matmul
from .ops.reduction import (
    amax,
    amin,
    argmax,
    argmin,
    log_softmax,
    logsumexp,
    max,
    mean,
    min,
    softmax,
    std,
    sum,
    var,
)
from .ops.shape import broadcast_to, clone, expand, flatten, permute, reshape, squeeze, sum_to, transpose, unsqueeze
from .ops.unary import abs, clamp, cos, erf, exp, log, maximum, minimum, sin, sqrt, where
from .scalar import Scalar
from .tensor import (
    ShapeError,
    Tensor,
    arange,
    as_tensor,
    bool_,
    default_generator,
    eye,
    float16,
    float32,
    float64,
    full,
    get_default_dtype,
    int32,
    int64,
    linspace,
    manual_seed,
    ones,
    ones_like,
    rand,
    randn,
    set_default_dtype,
    tensor,
    zeros,
    zeros_like,
)

clip = clamp
concat = cat

__version__ = "0.1.0"
