"""Tensor: a NumPy array that records the ops made on it, and the factories that make one."""

from __future__ import annotations

import numbers

import numpy as np

from . import engine
from .engine import Node, _mode, run_backward

float16 = np.float16
float32 = np.float32
float64 = np.float64
int32 = np.int32
int64 = np.int64
bool_ = np.bool_

_default_dtype = np.dtype(np.float32)


class ShapeError(ValueError, RuntimeError):
    """Operand shapes do not fit an op; the message names the op and every shape."""


def set_default_dtype(dtype) -> None:
    """Set the dtype that Python floats become (float32 unless changed; float64 for gradcheck)."""
    global _default_dtype
    d = np.dtype(dtype)
    if d not in (np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64)):
        raise TypeError(f"default dtype must be a floating point type, got {d}")
    _default_dtype = d


def get_default_dtype():
    """The dtype Python floats become."""
    return _default_dtype.type


def _to_array(data, dtype):
    if isinstance(data, Tensor):
        data = data.data
    if dtype is not None:
        dtype = np.dtype(dtype)
        return np.array(data, dtype=dtype)
    if isinstance(data, np.ndarray):
        arr = np.array(data)
    elif isinstance(data, np.generic):
        arr = np.array(data)
    else:
        arr = np.array(data)
        if arr.dtype.kind == "f":
            arr = arr.astype(_default_dtype, copy=False)
    if arr.dtype.kind not in "fiub":
        raise TypeError(
            f"cannot make a Tensor from data of dtype {arr.dtype}: use numbers (float, int or "
            f"bool), nested lists of them, or a numeric ndarray"
        )
    return arr


class Tensor:
    """An n-dimensional array that records the ops made on it for reverse-mode autodiff.

    ``data`` is the ndarray, ``grad`` a Tensor filled by ``backward()`` (None until then),
    ``grad_fn`` the Node that made it (None for a leaf).
    """

    __slots__ = ("data", "grad", "requires_grad", "grad_fn", "_version", "name", "_hooks", "__weakref__")
    # ndarray (op) Tensor hands the op to Tensor's reflected method instead of looping over it.
    __array_ufunc__ = None

    def __init__(self, data, requires_grad=False, dtype=None, name=None):
        arr = _to_array(data, dtype)
        self.data = arr
        self.grad = None
        self.grad_fn = None
        self._version = 0
        self.name = name
        self._hooks = None
        self.requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    # --- attributes PyTorch users expect -------------------------------------------------
    @property
    def shape(self):
        return self.data.shape

    @property
    def ndim(self):
        return self.data.ndim

    @property
    def dtype(self):
        return self.data.dtype

    @property
    def is_leaf(self):
        return self.grad_fn is None

    @property
    def T(self):
        return shape.permute(self, tuple(range(self.ndim - 1, -1, -1)))

    @property
    def mT(self):
        return shape.transpose(self, -2, -1)

    def size(self, dim=None):
        """The shape, or its length along ``dim``."""
        return self.data.shape if dim is None else self.data.shape[dim]

    def dim(self):
        return self.data.ndim

    def numel(self):
        return self.data.size

    def numpy(self):
        """The data as an ndarray (shared, not copied).

        NOTE: PyTorch refuses this on a tensor that requires grad (use .detach().numpy()); here
        reading the array is allowed, and writing into it is what version counters cannot see.
        """
        return self.data

    def item(self):
        """The value of a one-element tensor as a Python number."""
        if self.data.size != 1:
            raise ValueError(f"item() needs a tensor with one element, got shape {self.shape}")
        return self.data.item()

    def tolist(self):
        return self.data.tolist()

    def __len__(self):
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.data.shape[0]

    def __iter__(self):
        if self.data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self.data.shape[0]))

    def __bool__(self):
        if self.data.size != 1:
            raise RuntimeError(
                f"Boolean value of a tensor with {self.data.size} elements is ambiguous; "
                f"use .any() or .all()"
            )
        return bool(self.data)

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __index__(self):
        if self.data.dtype.kind not in "iu" or self.data.size != 1:
            raise TypeError("only integer tensors of a single element can be used as an index")
        return int(self.data)

    def __array__(self, dtype=None, copy=None):
        return self.data if dtype is None else self.data.astype(dtype)

    __hash__ = object.__hash__

    def __repr__(self):
        body = np.array2string(self.data, separator=", ", prefix="tensor(", precision=4)
        extra = ""
        if self.data.dtype != _default_dtype and self.data.dtype.kind == "f":
            extra += f", dtype={self.data.dtype}"
        elif self.data.dtype.kind != "f":
            extra += f", dtype={self.data.dtype}"
        if self.grad_fn is not None:
            extra += f", grad_fn=<{self.grad_fn.name()}>"
        elif self.requires_grad:
            extra += ", requires_grad=True"
        return f"tensor({body}{extra})"

    # --- autograd --------------------------------------------------------------------------
    def requires_grad_(self, requires_grad=True):
        """Turn gradient tracking on (or off) for this leaf; returns self."""
        if requires_grad and self.data.dtype.kind != "f":
            raise TypeError(
                f"only floating point tensors can require gradients, got dtype {self.data.dtype}; "
                f"make it with dtype=float32 (or .float()) first"
            )
        if not requires_grad and self.grad_fn is not None:
            raise RuntimeError(
                "requires_grad_(False) on a non-leaf tensor: use .detach() to get a tensor "
                "outside the graph"
            )
        self.requires_grad = bool(requires_grad)
        return self

    def detach(self):
        """The same data (shared) outside the graph."""
        return _wrap(self.data)

    def detach_(self):
        """Cut this tensor from its graph, in place."""
        self.grad_fn = None
        self.requires_grad = False
        return self

    def retain_grad(self):
        """Keep ``.grad`` for this non-leaf tensor after backward (leaves always keep it)."""
        if self.grad_fn is None:
            if not self.requires_grad:
                raise RuntimeError("can't retain_grad on a tensor that does not require grad")
            return
        self.grad_fn.retain = engine.weak(self)

    @property
    def retains_grad(self):
        return self.grad_fn is not None and self.grad_fn.retain is not None

    def register_hook(self, hook):
        """Call ``hook(grad)`` when this tensor's gradient is computed; it may return a new one."""
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that does not require grad")
        if self.grad_fn is not None:
            return self.grad_fn.register_hook(hook)
        if self._hooks is None:
            self._hooks = []
        self._hooks.append(hook)
        return engine._HookHandle(self._hooks, hook)

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Accumulate ∂self/∂leaf into every leaf's ``.grad``.

        ``gradient`` is ∂L/∂self; it may be omitted only when self has one element.
        """
        if not self.requires_grad:
            raise RuntimeError(
                "backward() on a tensor that does not require grad and has no grad_fn: no input "
                "of the computation has requires_grad=True (or it ran under no_grad())"
            )
        seed = _seed_gradient(self, gradient, create_graph, "backward()")
        if retain_graph is None:
            retain_graph = create_graph
        root = self.grad_fn if self.grad_fn is not None else self
        if inputs is not None:
            targets = [inputs] if isinstance(inputs, Tensor) else list(inputs)
            vertices = [t.grad_fn if t.grad_fn is not None else t for t in targets]
            grads = run_backward([root], [seed], retain_graph, create_graph, vertices, allow_unused=True)
            for t, g in zip(targets, grads):
                if g is not None:
                    engine._accumulate_tensor_grad(t, g, create_graph, False)
            return
        run_backward([root], [seed], retain_graph, create_graph)

    def draw(self, **kwargs):
        """Draw this tensor's graph (see ``autograd.viz.draw``)."""
        from . import viz

        return viz.draw(self, **kwargs)

    def backward_steps(self, gradient=None, params=None):
        """Run backward one node at a time (see ``autograd.viz.BackwardStepper``)."""
        from . import viz

        return viz.BackwardStepper(self, gradient=gradient, params=params)

    # --- arithmetic ------------------------------------------------------------------------
    def __add__(self, other):
        return arithmetic.add(self, other)

    def __radd__(self, other):
        return arithmetic.add(other, self)

    def __sub__(self, other):
        return arithmetic.sub(self, other)

    def __rsub__(self, other):
        return arithmetic.sub(other, self)

    def __mul__(self, other):
        return arithmetic.mul(self, other)

    def __rmul__(self, other):
        return arithmetic.mul(other, self)

    def __truediv__(self, other):
        return arithmetic.div(self, other)

    def __rtruediv__(self, other):
        return arithmetic.div(other, self)

    def __pow__(self, other):
        return arithmetic.pow(self, other)

    def __rpow__(self, other):
        return arithmetic.pow(other, self)

    def __neg__(self):
        return arithmetic.neg(self)

    def __pos__(self):
        return self

    def __matmul__(self, other):
        return linalg.matmul(self, other)

    def __rmatmul__(self, other):
        return linalg.matmul(other, self)

    def __abs__(self):
        return unary.abs(self)

    # In-place operators change this tensor itself (as PyTorch does).
    def __iadd__(self, other):
        return self.add_(other)

    def __isub__(self, other):
        return self.sub_(other)

    def __imul__(self, other):
        return self.mul_(other)

    def __itruediv__(self, other):
        return self.div_(other)

    # Comparisons give boolean tensors outside the graph.
    def __lt__(self, other):
        return _wrap(self.data < _raw(other))

    def __le__(self, other):
        return _wrap(self.data <= _raw(other))

    def __gt__(self, other):
        return _wrap(self.data > _raw(other))

    def __ge__(self, other):
        return _wrap(self.data >= _raw(other))

    def __eq__(self, other):
        return _wrap(self.data == _raw(other))

    def __ne__(self, other):
        return _wrap(self.data != _raw(other))

    def eq(self, other):
        return self == other

    def any(self):
        return _wrap(np.asarray(self.data.any()))

    def all(self):
        return _wrap(np.asarray(self.data.all()))

    def add(self, other):
        return arithmetic.add(self, other)

    def sub(self, other):
        return arithmetic.sub(self, other)

    def mul(self, other):
        return arithmetic.mul(self, other)

    def div(self, other):
        return arithmetic.div(self, other)

    def pow(self, exponent):
        return arithmetic.pow(self, exponent)

    def neg(self):
        return arithmetic.neg(self)

    def matmul(self, other):
        return linalg.matmul(self, other)

    # --- elementwise math and activations --------------------------------------------------
    def exp(self):
        return unary.exp(self)

    def log(self):
        return unary.log(self)

    def sqrt(self):
        return unary.sqrt(self)

    def abs(self):
        return unary.abs(self)

    def sin(self):
        return unary.sin(self)

    def cos(self):
        return unary.cos(self)

    def erf(self):
        return unary.erf(self)

    def sign(self):
        return _wrap(np.sign(self.data))

    def clamp(self, min=None, max=None):
        return unary.clamp(self, min, max)

    clip = clamp

    def maximum(self, other):
        return unary.maximum(self, other)

    def minimum(self, other):
        return unary.minimum(self, other)

    def tanh(self):
        return activation.tanh(self)

    def sigmoid(self):
        return activation.sigmoid(self)

    def relu(self):
        return activation.relu(self)

    def leaky_relu(self, negative_slope=0.01):
        return activation.leaky_relu(self, negative_slope)

    def gelu(self, approximate="none"):
        return activation.gelu(self, approximate)

    def elu(self, alpha=1.0):
        return activation.elu(self, alpha)

    def selu(self):
        return activation.selu(self)

    def softplus(self, beta=1.0, threshold=20.0):
        return activation.softplus(self, beta, threshold)

    # --- reductions ------------------------------------------------------------------------
    def sum(self, dim=None, keepdim=False):
        return reduction.sum(self, dim, keepdim)

    def mean(self, dim=None, keepdim=False):
        return reduction.mean(self, dim, keepdim)

    def var(self, dim=None, unbiased=True, keepdim=False, correction=None):
        return reduction.var(self, dim, unbiased, keepdim, correction)

    def std(self, dim=None, unbiased=True, keepdim=False, correction=None):
        return reduction.std(self, dim, unbiased, keepdim, correction)

    def max(self, dim=None, keepdim=False):
        return reduction.max(self, dim, keepdim)

    def min(self, dim=None, keepdim=False):
        return reduction.min(self, dim, keepdim)

    def amax(self, dim=None, keepdim=False):
        return reduction.amax(self, dim, keepdim)

    def amin(self, dim=None, keepdim=False):
        return reduction.amin(self, dim, keepdim)

    def argmax(self, dim=None, keepdim=False):
        return reduction.argmax(self, dim, keepdim)

    def argmin(self, dim=None, keepdim=False):
        return reduction.argmin(self, dim, keepdim)

    def logsumexp(self, dim=None, keepdim=False):
        return reduction.logsumexp(self, dim, keepdim)

    def softmax(self, dim=-1):
        return reduction.softmax(self, dim)

    def log_softmax(self, dim=-1):
        return reduction.log_softmax(self, dim)

    # --- shape -----------------------------------------------------------------------------
    def reshape(self, *shape_):
        return shape.reshape(self, _shape_arg(shape_))

    def view(self, *shape_):
        return shape.reshape(self, _shape_arg(shape_))

    def flatten(self, start_dim=0, end_dim=-1):
        return shape.flatten(self, start_dim, end_dim)

    def transpose(self, dim0, dim1):
        return shape.transpose(self, dim0, dim1)

    def permute(self, *dims):
        return shape.permute(self, _shape_arg(dims))

    def squeeze(self, dim=None):
        return shape.squeeze(self, dim)

    def unsqueeze(self, dim):
        return shape.unsqueeze(self, dim)

    def expand(self, *sizes):
        return shape.expand(self, _shape_arg(sizes))

    def broadcast_to(self, shape_):
        return shape.broadcast_to(self, tuple(shape_))

    def expand_as(self, other):
        return shape.broadcast_to(self, other.shape)

    def view_as(self, other):
        return shape.reshape(self, other.shape)

    def reshape_as(self, other):
        return shape.reshape(self, other.shape)

    def __getitem__(self, key):
        return indexing.index(self, key)

    def __setitem__(self, key, value):
        indexing.index_put_(self, key, value)

    def clone(self):
        """A copy that stays in the graph."""
        return shape.clone(self)

    # --- dtype -----------------------------------------------------------------------------
    def to(self, dtype):
        """Cast to ``dtype`` (differentiable between float types)."""
        return shape.cast(self, dtype)

    def float(self):
        return shape.cast(self, np.float32)

    def double(self):
        return shape.cast(self, np.float64)

    def half(self):
        return shape.cast(self, np.float16)

    def long(self):
        return _wrap(self.data.astype(np.int64))

    def int(self):
        return _wrap(self.data.astype(np.int32))

    def bool(self):
        return _wrap(self.data.astype(np.bool_))

    def type_as(self, other):
        return shape.cast(self, other.dtype)

    # --- in place ----------------------------------------------------------------------------
    def add_(self, other, alpha=1):
        if alpha != 1:
            other = arithmetic.mul(other, alpha)
        return _inplace(self, arithmetic.add, other, "add_")

    def sub_(self, other, alpha=1):
        if alpha != 1:
            other = arithmetic.mul(other, alpha)
        return _inplace(self, arithmetic.sub, other, "sub_")

    def mul_(self, other):
        return _inplace(self, arithmetic.mul, other, "mul_")

    def div_(self, other):
        return _inplace(self, arithmetic.div, other, "div_")

    def pow_(self, exponent):
        return _inplace(self, arithmetic.pow, exponent, "pow_")

    def clamp_(self, min=None, max=None):
        return _inplace(self, lambda x, _: unary.clamp(x, min, max), None, "clamp_")

    def copy_(self, src):
        """Overwrite with ``src`` (broadcast); gradient flows to ``src``, none to the old value."""
        try:
            np.broadcast_to(_raw(src), self.shape)
        except ValueError:
            raise ShapeError(
                f"copy_: source of shape {np.shape(_raw(src))} cannot be broadcast to {self.shape}"
            ) from None
        if isinstance(src, Tensor) and src.requires_grad:
            return _inplace(self, _copy_from, src, "copy_")
        return _inplace(self, None, src, "copy_")

    def zero_(self):
        return _inplace(self, None, 0, "zero_")

    def fill_(self, value):
        return _inplace(self, None, value, "fill_")


def _copy_from(x, src):
    return shape.clone(shape.broadcast_to(shape.cast(src, x.dtype), x.shape))


def _shape_arg(args):
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        return tuple(args[0])
    return tuple(int(a) for a in args)


def _raw(v):
    return v.data if isinstance(v, Tensor) else v


def _wrap(data, requires_grad=False):
    """Make a Tensor around an ndarray without copying or converting (internal fast path)."""
    t = Tensor.__new__(Tensor)
    t.data = data if data.__class__ is np.ndarray else np.asarray(data)
    t.grad = None
    t.requires_grad = requires_grad
    t.grad_fn = None
    t._version = 0
    t.name = None
    t._hooks = None
    return t


def as_tensor(v, like=None):
    """``v`` as a Tensor: Tensors pass through, numbers take ``like``'s dtype (if float)."""
    if isinstance(v, Tensor):
        return v
    if isinstance(v, numbers.Number) and not isinstance(v, bool):
        if like is not None and like.data.dtype.kind == "f":
            return _wrap(np.asarray(v, dtype=like.data.dtype))
        if isinstance(v, float):
            return _wrap(np.asarray(v, dtype=_default_dtype))
        return _wrap(np.asarray(v))
    return Tensor(v)


_NOTHING_SAVED = ((), (None,), (None, None), (None, None, None))


def apply(op, data, inputs, ctx=None):
    """Wrap ``data`` (the forward result of ``op`` on ``inputs``) and record a Node if needed."""
    if not _mode.enabled:
        return _wrap(data)
    # The one- and two-input cases are most ops; they skip the general loops.
    n = len(inputs)
    if n == 1:
        x = inputs[0]
        if not x.requires_grad:
            return _wrap(data)
        next_ = (x.grad_fn or x,)
    elif n == 2:
        x, y = inputs
        rx = x.requires_grad
        ry = y.requires_grad
        if not (rx or ry):
            return _wrap(data)
        next_ = ((x.grad_fn or x) if rx else None, (y.grad_fn or y) if ry else None)
    elif n == 3:  # linear with a bias, and a few others
        x, y, z = inputs
        rx = x.requires_grad
        ry = y.requires_grad
        rz = z.requires_grad
        if not (rx or ry or rz):
            return _wrap(data)
        next_ = ((x.grad_fn or x) if rx else None, (y.grad_fn or y) if ry else None, (z.grad_fn or z) if rz else None)
    else:
        needs = [x.requires_grad for x in inputs]
        if True not in needs:
            return _wrap(data)
        next_ = tuple([(x.grad_fn or x) if r else None for x, r in zip(inputs, needs)])
    if data.__class__ is not np.ndarray:
        data = np.asarray(data)
    saves = op.saves
    if not saves:
        saved = _NOTHING_SAVED[n] if n < 4 else (None,) * n  # shared: no new tuple per node
        versions = None
    elif n == 1:
        x = inputs[0]
        saved = (x,)
        versions = ((0, x._version),)
    elif n == 2 and len(saves) == 2:
        x, y = inputs
        saved = (x, y)
        versions = ((0, x._version), (1, y._version))
    else:
        saved = [None] * n
        versions = []
        for i in saves:
            x = inputs[i]
            saved[i] = x
            versions.append((i, x._version))
        saved = tuple(saved)
        versions = tuple(versions)
    shapes = None
    if op.broadcasts:
        out_shape = data.shape
        for x in inputs:
            if x.data.shape != out_shape:
                shapes = tuple([x.data.shape for x in inputs])
                break
    node = Node(op, ctx, saved, next_, data if op.saves_out else None, shapes, versions, None)
    if _mode.anomaly:
        node.trace = engine.creation_trace()
    if _mode.watch:
        node.value = data
    t = Tensor.__new__(Tensor)
    t.data = data
    t.grad = None
    t.requires_grad = True
    t.grad_fn = node
    t._version = 0
    t.name = None
    t._hooks = None
    return t


def _inplace(self, fn, other, name):
    """Run ``fn(self, other)`` and make self hold the result, keeping the graph right."""
    other_t = other if isinstance(other, Tensor) else None
    if _mode.enabled and self.requires_grad and self.grad_fn is None:
        raise RuntimeError(
            f"{name}: a leaf tensor that requires grad is being used in an in-place operation. "
            f"Wrap the update in `with no_grad():` (as optimizers do) or work on a .clone()."
        )
    recording = _mode.enabled and (self.requires_grad or (other_t is not None and other_t.requires_grad))
    if recording and fn is not None:
        # History is rebound: self becomes the output of fn applied to its old value. The old
        # array moves to a stand-in tensor (nodes that saved it keep reading it unchanged) and
        # self takes the result's array. NOTE: so under autograd, NumPy views of the old array
        # do not see the change (PyTorch tracks views; we do not).
        old = _wrap(self.data, self.requires_grad)
        old.grad_fn = self.grad_fn
        result = fn(old, other)
        if result.shape != self.shape:
            raise ShapeError(
                f"{name}: the result has shape {result.shape}, which cannot be written into a "
                f"tensor of shape {self.shape}"
            )
        if result.dtype != self.dtype:
            result = shape.cast(result, self.dtype)
        self.data = result.data
        self.grad_fn = result.grad_fn
        self.requires_grad = result.requires_grad
        self._version += 1
        return self
    value = _raw(other)
    with engine.no_grad():
        try:
            if name in ("zero_", "fill_", "copy_"):
                np.copyto(self.data, value, casting="unsafe" if name != "copy_" else "same_kind")
            elif name == "add_":
                np.add(self.data, value, out=self.data)
            elif name == "sub_":
                np.subtract(self.data, value, out=self.data)
            elif name == "mul_":
                np.multiply(self.data, value, out=self.data)
            elif name == "div_":
                np.divide(self.data, value, out=self.data)
            else:
                np.copyto(self.data, fn(_wrap(self.data), other).data)
        except (ValueError, TypeError) as e:
            raise ShapeError(
                f"{name}: cannot apply to a tensor of shape {self.shape} and dtype {self.dtype} "
                f"with an operand of shape {np.shape(value)} and dtype {np.asarray(value).dtype}: {e}"
            ) from None
    node = self.grad_fn
    if node is not None and node.out is not None and np.shares_memory(node.out, self.data):
        node.dirty = name  # its VJP reads this output: backward must refuse
    if recording:
        # Overwritten by a constant: no gradient reaches the old value.
        self.grad_fn = None
        self.requires_grad = False
    self._version += 1
    return self


def _seed_gradient(t, gradient, create_graph, where):
    if gradient is None:
        if t.data.size != 1:
            raise RuntimeError(
                f"{where}: grad can be implicitly created only for a tensor with one element; "
                f"this one has shape {t.shape}. Pass gradient= (∂L/∂output, same shape), or "
                f"reduce it first (e.g. .sum())."
            )
        seed = np.ones_like(t.data)
        return _wrap(seed) if create_graph else seed
    g = gradient.data if isinstance(gradient, Tensor) else np.asarray(gradient, dtype=t.dtype)
    if g.shape != t.shape:
        raise ShapeError(f"{where}: gradient has shape {g.shape} but the output has shape {t.shape}")
    if create_graph:
        return gradient if isinstance(gradient, Tensor) else _wrap(g)
    return g


# --- what the engine needs to handle Tensors ----------------------------------------------------
class _Backend:
    wrap = staticmethod(_wrap)  # an ndarray the engine made, as a Tensor (no checks)

    @staticmethod
    def wrap_grad(g):
        return _wrap(g if isinstance(g, np.ndarray) else np.asarray(g))

    @staticmethod
    def wrap_graph_output(node):
        t = _wrap(node.out, True)
        t.grad_fn = node
        return t

    @staticmethod
    def unbroadcast(g, shape_):
        if isinstance(g, Tensor):
            return shape.sum_to(g, shape_)
        return engine.unbroadcast_array(g, shape_)


# --- factories ---------------------------------------------------------------------------------
def tensor(data, requires_grad=False, dtype=None, name=None):
    """A new leaf Tensor holding a copy of ``data``."""
    return Tensor(data, requires_grad=requires_grad, dtype=dtype, name=name)


def _size(shape_):
    return _shape_arg(shape_)


def _dtype(dtype):
    return _default_dtype if dtype is None else np.dtype(dtype)


def zeros(*shape_, dtype=None, requires_grad=False):
    return Tensor(np.zeros(_size(shape_), dtype=_dtype(dtype)), requires_grad=requires_grad)


def ones(*shape_, dtype=None, requires_grad=False):
    return Tensor(np.ones(_size(shape_), dtype=_dtype(dtype)), requires_grad=requires_grad)


def full(shape_, fill_value, dtype=None, requires_grad=False):
    if dtype is None and isinstance(fill_value, (bool, np.bool_)):
        dtype = np.bool_
    elif dtype is None and isinstance(fill_value, numbers.Integral):
        dtype = np.int64
    return Tensor(np.full(tuple(shape_) if not isinstance(shape_, int) else (shape_,), fill_value, dtype=_dtype(dtype)), requires_grad=requires_grad)


def zeros_like(t, dtype=None, requires_grad=False):
    return Tensor(np.zeros(t.shape, dtype=dtype or t.dtype), requires_grad=requires_grad)


def ones_like(t, dtype=None, requires_grad=False):
    return Tensor(np.ones(t.shape, dtype=dtype or t.dtype), requires_grad=requires_grad)


_rng = np.random.default_rng()


def manual_seed(seed: int):
    """Seed the generator behind ``randn``/``rand`` (and everything in nn that draws from it)."""
    global _rng
    _rng = np.random.default_rng(seed)
    return _rng


def default_generator():
    """The NumPy Generator behind ``randn``/``rand``."""
    return _rng


def randn(*shape_, dtype=None, requires_grad=False, generator=None):
    rng = generator or _rng
    return Tensor(rng.standard_normal(_size(shape_)).astype(_dtype(dtype)), requires_grad=requires_grad)


def rand(*shape_, dtype=None, requires_grad=False, generator=None):
    rng = generator or _rng
    return Tensor(rng.random(_size(shape_)).astype(_dtype(dtype)), requires_grad=requires_grad)


def arange(start, end=None, step=1, dtype=None, requires_grad=False):
    if end is None:
        start, end = 0, start
    if dtype is None:
        ints = all(isinstance(v, numbers.Integral) for v in (start, end, step))
        dtype = np.int64 if ints else _default_dtype
    return Tensor(np.arange(start, end, step, dtype=np.dtype(dtype)), requires_grad=requires_grad)


def linspace(start, end, steps, dtype=None, requires_grad=False):
    return Tensor(np.linspace(start, end, steps, dtype=_dtype(dtype)), requires_grad=requires_grad)


def eye(n, m=None, dtype=None, requires_grad=False):
    return Tensor(np.eye(n, m, dtype=_dtype(dtype)), requires_grad=requires_grad)


# Op families; imported last because they build on Tensor and apply.
from .ops import activation, arithmetic, conv, indexing, join, linalg, reduction, shape, unary  # noqa: E402, F401

engine.register_value_types(Tensor, None, _Backend)
