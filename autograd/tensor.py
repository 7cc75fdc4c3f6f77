"""Tensor: a NumPy array that records the ops made on it, and ``apply``, which records one op.

The class holds the data and the autograd attributes. What a Tensor can *do* — ``x + y``,
``x.exp()``, ``x.sum(1)``, ``x.backward()``, ``x.add_(1)`` — is installed by ``autograd/methods.py``
from the op records in ``autograd/ops`` (each op declares its methods next to its forward), so
this module needs no op and the ops can build on it.
"""

from __future__ import annotations

import numbers
import weakref

import numpy as np

from .device import CPU, check_device, is_device
from .errors import ShapeError
from .mode import state as grad_mode
from .node import HookHandle, Node, creation_trace
from .promotion import default_dtype, get_default_dtype, set_default_dtype

__all__ = [
    "Tensor",
    "wrap",
    "as_tensor",
    "apply",
    "seed_gradient",
    "shape_arg",
    "to_arguments",
    "set_default_dtype",
    "get_default_dtype",
    "default_dtype",
    "float16",
    "float32",
    "float64",
    "int8",
    "int16",
    "int32",
    "int64",
    "uint8",
    "bool_",
]

float16 = np.float16
float32 = np.float32
float64 = np.float64
int8 = np.int8
int16 = np.int16
int32 = np.int32
int64 = np.int64
uint8 = np.uint8
bool_ = np.bool_

# PyTorch's legacy type names, for Tensor.type().
_TYPE_NAMES = {
    "float32": "Float",
    "float64": "Double",
    "float16": "Half",
    "int64": "Long",
    "int32": "Int",
    "int16": "Short",
    "int8": "Char",
    "uint8": "Byte",
    "bool": "Bool",
}

_NUMERIC_KINDS = "fiub"  # float, signed and unsigned int, bool: what a Tensor holds


def _to_array(data, dtype):
    if isinstance(data, Tensor):
        data = data.array
    if dtype is not None:
        dtype = np.dtype(dtype)
        if dtype.kind not in _NUMERIC_KINDS:
            raise TypeError(f"a Tensor holds float, int or bool data; dtype {dtype} is not supported")
        try:
            return np.array(data, dtype=dtype)
        except (TypeError, ValueError) as e:
            raise TypeError(f"cannot make a Tensor of dtype {dtype} from a {type(data).__name__}: {e}") from None
    arr = np.array(data)
    if arr.dtype.kind == "f" and not isinstance(data, (np.ndarray, np.generic)):
        arr = arr.astype(default_dtype(), copy=False)  # Python floats become the default dtype
    if arr.dtype.kind not in _NUMERIC_KINDS:
        what = f"data of dtype {arr.dtype}" if arr.dtype.kind != "O" else f"a {type(data).__name__}"
        raise TypeError(
            f"cannot make a Tensor from {what}: use numbers (float, int or bool), nested lists of "
            f"them, or a numeric ndarray (a Scalar is a graph value of its own: float(s) gives its number)"
        )
    return arr


class Tensor:
    """An n-dimensional array that records the ops made on it for reverse-mode autodiff.

    ``array`` is the ndarray (``data`` a Tensor on it, as PyTorch's), ``grad`` a Tensor filled by
    ``backward()`` (None until then),
    ``grad_fn`` the Node that made it (None for a leaf).
    """

    # NOTE: ``_vc`` is the version counter, a one-element list shared by a tensor and every tensor
    # that views its memory (``detach()``, reshapes, basic slices), as PyTorch shares one: a write
    # through any of them makes a backward that saved another raise.
    __slots__ = ("array", "_grad", "_requires_grad", "grad_fn", "_vc", "name", "_hooks", "__weakref__")

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return numpy_ufunc(ufunc, method, inputs, kwargs)

    def __init__(self, data, requires_grad=False, dtype=None, name=None, device=None):
        if type(requires_grad) is int and isinstance(data, numbers.Integral):
            raise TypeError(
                f"Tensor({data}, {requires_grad}, ...) reads as a shape, PyTorch's uninitialized constructor: "
                f"use autograd.zeros({data}, {requires_grad}) or autograd.empty(...); Tensor(data) holds data"
            )
        if device is not None:
            check_device(device)
        arr = _to_array(data, dtype)
        self.array = arr
        self._grad = None
        self.grad_fn = None
        self._vc = [0]
        self.name = name
        self._hooks = None
        self._requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    @property
    def data(self):
        """This tensor's memory as a Tensor outside the graph, as PyTorch's ``.data``.

        Writes through it (``w.data.normal_(0, 0.02)``, ``p.data.add_(u)``) are not tracked: unlike
        ``detach()``, it has a version counter of its own, so a backward that saved this tensor
        does not notice them. The ndarray itself is ``.numpy()`` or ``.array``.
        """
        return wrap(self.array)

    @data.setter
    def data(self, value):
        arr = value.array if isinstance(value, Tensor) else _to_array(value, None)
        if self._requires_grad and arr.dtype.kind != "f":
            raise TypeError(f"data of a tensor that requires grad must be floating point, got dtype {arr.dtype}")
        self.array = arr

    @property
    def requires_grad(self):
        """Whether ops on this tensor record a graph (only float tensors may require grad)."""
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value):
        self.requires_grad_(value)

    @property
    def grad(self):
        """∂L/∂self after ``backward()`` (a Tensor of this tensor's shape and dtype), or None."""
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad must be a Tensor or None, got a {type(value).__name__}")
            if value.array.shape != self.array.shape:
                raise RuntimeError(
                    f"assigned grad has data of a different size: the tensor has shape {self.array.shape}, the "
                    f"gradient {value.array.shape} (a gradient always has its tensor's shape)"
                )
            if value.array.dtype != self.array.dtype:
                raise RuntimeError(
                    f"assigned grad has data of a different type: the tensor is {self.array.dtype}, the "
                    f"gradient {value.array.dtype}; convert it with .to({self.array.dtype})"
                )
        self._grad = value

    @property
    def _version(self):
        """How many times this tensor's memory was changed in place (shared with its views)."""
        return self._vc[0]

    @_version.setter
    def _version(self, value):
        self._vc[0] = value

    # --- attributes PyTorch users expect -------------------------------------------------
    @property
    def shape(self):
        """The shape, a tuple (as ``data.shape``)."""
        return self.array.shape

    @property
    def ndim(self):
        """The number of dims."""
        return self.array.ndim

    @property
    def dtype(self):
        """The NumPy dtype of the data."""
        return self.array.dtype

    @property
    def device(self):
        """The device the data is on: always ``device(type='cpu')``."""
        return CPU

    @property
    def is_cuda(self):
        """False: there is only the CPU."""
        return False

    def cpu(self):
        """This tensor (it is on the CPU already)."""
        return self

    def cuda(self, device=None, non_blocking=False):
        """Refused with a clear error: there is only the CPU."""
        check_device("cuda" if device is None else device if not isinstance(device, int) else f"cuda:{device}")

    def is_floating_point(self):
        """Whether the dtype is a floating point one."""
        return self.array.dtype.kind == "f"

    def element_size(self):
        """The size of one entry in bytes."""
        return self.array.itemsize

    def type(self, dtype=None):
        """The type name (``'torch.FloatTensor'``, as PyTorch), or a copy converted to ``dtype``."""
        if dtype is None:
            return "torch." + _TYPE_NAMES.get(self.array.dtype.name, self.array.dtype.name) + "Tensor"
        return self.to(dtype)

    def new_tensor(self, data, dtype=None, device=None, requires_grad=False):
        """A new leaf holding a copy of ``data``, of this tensor's dtype unless ``dtype``."""
        return Tensor(data, requires_grad=requires_grad, dtype=dtype or self.array.dtype, device=device)

    def new_zeros(self, *size, dtype=None, device=None, requires_grad=False):
        """Zeros of ``size``, of this tensor's dtype unless ``dtype``."""
        return self.new_full(shape_arg(size), 0, dtype=dtype, device=device, requires_grad=requires_grad)

    def new_ones(self, *size, dtype=None, device=None, requires_grad=False):
        """Ones of ``size``, of this tensor's dtype unless ``dtype``."""
        return self.new_full(shape_arg(size), 1, dtype=dtype, device=device, requires_grad=requires_grad)

    def new_full(self, size, fill_value, dtype=None, device=None, requires_grad=False):
        """``fill_value`` in ``size``, of this tensor's dtype unless ``dtype``."""
        check_device(device)
        data = np.full(shape_arg((size,)), fill_value, dtype=dtype or self.array.dtype)
        return Tensor(data, requires_grad=requires_grad)

    def new_empty(self, *size, dtype=None, device=None, requires_grad=False):
        """A tensor of ``size`` (NOTE: zeros; PyTorch leaves it uninitialized)."""
        return self.new_zeros(*size, dtype=dtype, device=device, requires_grad=requires_grad)

    @property
    def is_leaf(self):
        """True for a tensor no recorded op made (its ``.grad`` is kept)."""
        return self.grad_fn is None

    def size(self, dim=None):
        """The shape, or its length along ``dim`` (negative counts from the end)."""
        if dim is None:
            return self.array.shape
        try:
            return self.array.shape[dim]
        except IndexError:
            n = self.array.ndim
            raise IndexError(
                f"size: dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})"
            ) from None

    def dim(self):
        """The number of dims (PyTorch's method)."""
        return self.array.ndim

    def numel(self):
        """The number of elements."""
        return self.array.size

    def numpy(self):
        """The data as an ndarray (shared, not copied).

        NOTE: PyTorch refuses this on a tensor that requires grad (use .detach().numpy()); here
        reading the array is allowed, and writing into it is what version counters cannot see.
        """
        return self.array

    def item(self):
        """The value of a one-element tensor as a Python number."""
        if self.array.size != 1:
            raise ValueError(f"item() needs a tensor with one element, got shape {self.shape}")
        return self.array.item()

    def tolist(self):
        """The data as nested Python lists."""
        return self.array.tolist()

    def __len__(self):
        if self.array.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.array.shape[0]

    def __iter__(self):
        if self.array.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self.array.shape[0]))

    def __bool__(self):
        if self.array.size != 1:
            raise RuntimeError(
                f"Boolean value of a tensor with {self.array.size} elements is ambiguous; use .any() or .all()"
            )
        return bool(self.array)

    def __format__(self, spec):
        # as PyTorch: a 0-d tensor formats as its number (f"{loss:.3f}")
        if self.array.ndim == 0:
            return format(self.array.item(), spec)
        return object.__format__(self, spec)

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __index__(self):
        if self.array.dtype.kind not in "iu" or self.array.size != 1:
            raise TypeError("only integer tensors of a single element can be used as an index")
        return int(self.array)

    def __array__(self, dtype=None, copy=None):
        return self.array if dtype is None else self.array.astype(dtype)

    __hash__ = object.__hash__

    def __repr__(self):
        body = np.array2string(self.array, separator=", ", prefix="tensor(", precision=4)
        extra = ""
        dtype = self.array.dtype
        if dtype != default_dtype() and dtype.name not in ("int64", "bool"):  # PyTorch omits these three
            extra += f", dtype={dtype}"
        if self.grad_fn is not None:
            extra += f", grad_fn=<{self.grad_fn.name()}>"
        elif self.requires_grad:
            extra += ", requires_grad=True"
        return f"tensor({body}{extra})"

    # --- autograd --------------------------------------------------------------------------
    def requires_grad_(self, requires_grad=True):
        """Turn gradient tracking on (or off) for this leaf; returns self."""
        if requires_grad and self.array.dtype.kind != "f":
            raise TypeError(
                f"only floating point tensors can require gradients, got dtype {self.array.dtype}; "
                f"make it with dtype=float32 (or .float()) first"
            )
        if not requires_grad and self.grad_fn is not None:
            raise RuntimeError(
                "requires_grad_(False) on a non-leaf tensor: use .detach() to get a tensor outside the graph"
            )
        self._requires_grad = bool(requires_grad)
        return self

    def detach(self):
        """The same data (shared, with the version counter) outside the graph."""
        t = wrap(self.array)
        t._vc = self._vc
        return t

    def detach_(self):
        """Cut this tensor from its graph, in place."""
        self.grad_fn = None
        self._requires_grad = False
        return self

    def retain_grad(self):
        """Keep ``.grad`` for this non-leaf tensor after backward (leaves always keep it)."""
        if self.grad_fn is None:
            if not self.requires_grad:
                raise RuntimeError("can't retain_grad on a tensor that does not require grad")
            return
        self.grad_fn.retain = weakref.ref(self)

    @property
    def retains_grad(self):
        """Whether ``retain_grad()`` was called on this non-leaf tensor."""
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
        return HookHandle(self._hooks, hook)

    def __pos__(self):
        return self

    def draw(self, **kwargs):
        """Draw this tensor's graph (see ``autograd.viz.draw``)."""
        from . import viz  # a convenience: drawing is imported only when asked for

        return viz.draw(self, **kwargs)

    def backward_steps(self, gradient=None, params=None):
        """Run backward one node at a time (see ``autograd.viz.BackwardStepper``)."""
        from . import viz

        return viz.BackwardStepper(self, gradient=gradient, params=params)


def shape_arg(args):
    """A shape given as ``f(2, 3)`` or ``f((2, 3))``, as a tuple."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        return tuple(int(a) for a in args[0])
    return tuple(int(a) for a in args)


def to_arguments(args, dtype=None, device=None):
    """The dtype that ``.to(...)`` arguments ask for (None: keep it), refusing a device but the CPU.

    PyTorch's forms: ``.to(dtype)``, ``.to(device)``, ``.to(device, dtype)``, ``.to(other_tensor)``,
    ``.to(dtype=..., device=...)``.
    """
    for a in args:
        if isinstance(a, Tensor):
            dtype = a.array.dtype
        elif is_device(a):
            device = a
        elif a is not None:
            dtype = a
    check_device(device)
    return None if dtype is None else np.dtype(dtype)


def raw(v):
    """The ndarray under a Tensor; anything else as it is."""
    return v.array if isinstance(v, Tensor) else v


def numpy_ufunc(ufunc, method, inputs, kwargs):
    """A NumPy ufunc called on Tensors (``ndarray + t``, ``np.exp(t)``, ``np.isfinite(t)``).

    A plain call is the Tensor op of the same name, recorded in the graph (``ndarray + t`` is
    ``t.__radd__``); anything else (``out=``, ``np.add.reduce``, a ufunc with no Tensor op) runs on
    the arrays and gives a Tensor outside the graph — refused when a float result would lose the
    gradient of an input that requires grad.
    """
    name = ufunc.__name__  # NumPy's names (arcsin, subtract, ...) are Tensor methods too (methods.ALIASES)
    if method == "__call__" and not kwargs and len(inputs) in (1, 2) and hasattr(Tensor, name):
        return getattr(Tensor, name)(*inputs)  # the op's function, taking numbers and arrays too
    arrays = [x.array if isinstance(x, Tensor) else x for x in inputs]
    out = kwargs.get("out")
    if out is not None:
        kwargs["out"] = tuple(o.array if isinstance(o, Tensor) else o for o in out)
    result = getattr(ufunc, method)(*arrays, **kwargs)
    results = result if isinstance(result, tuple) else (result,)
    tracked = any(isinstance(x, Tensor) and x._requires_grad for x in inputs)
    if tracked and any(np.asarray(r).dtype.kind == "f" for r in results):
        where = ufunc.__name__ if method == "__call__" else f"{ufunc.__name__}.{method}"
        raise TypeError(
            f"numpy.{where} on a Tensor that requires grad is not recorded in the graph, so its "
            f"gradient would be lost: use the autograd function of that name, or .detach() first"
        )
    if out is not None:
        return out[0] if len(out) == 1 else out
    wrapped = tuple(wrap(np.asarray(r)) for r in results)
    return wrapped if isinstance(result, tuple) else wrapped[0]


def wrap(data, requires_grad=False):
    """A Tensor around an ndarray, without copying or converting (for arrays an op made)."""
    t = Tensor.__new__(Tensor)
    t.array = data if data.__class__ is np.ndarray else np.asarray(data)
    t._grad = None
    t._requires_grad = requires_grad
    t.grad_fn = None
    t._vc = [0]
    t.name = None
    t._hooks = None
    return t


def share_versions(view, x):
    """Give ``view`` the version counter of ``x`` when its array is a view of ``x``'s memory."""
    data = view.array
    if data.base is not None and np.may_share_memory(data, x.array):
        view._vc = x._vc
    return view


def as_tensor(v, like=None):
    """``v`` as a Tensor: Tensors pass through, numbers take ``like``'s dtype (if float)."""
    if isinstance(v, Tensor):
        return v
    if isinstance(v, np.ndarray) and v.ndim == 0 and v.dtype.kind in "fiu":
        v = v.item()  # a 0-d array is a scalar in type promotion (float32 op 0-d float64 stays float32)
    if isinstance(v, numbers.Number) and not isinstance(v, bool):
        if like is not None and like.array.dtype.kind == "f":
            return wrap(np.asarray(v, dtype=like.array.dtype))
        if isinstance(v, float):
            return wrap(np.asarray(v, dtype=default_dtype()))
        return wrap(np.asarray(v))
    return Tensor(v)


_NOTHING_SAVED = ((), (None,), (None, None), (None, None, None))


def apply(op, data, inputs, ctx=None):
    """Wrap ``data`` (the forward result of ``op`` on ``inputs``) and record a Node if needed."""
    n = len(inputs)
    if not grad_mode.enabled:
        return _unrecorded(data, inputs)
    # The one- and two-input cases are most ops; they skip the general loops.
    if n == 1:
        x = inputs[0]
        if not x._requires_grad:
            return _unrecorded(data, inputs)
        next_ = (x.grad_fn or x,)
    elif n == 2:
        x, y = inputs
        rx = x._requires_grad
        ry = y._requires_grad
        if not (rx or ry):
            return wrap(data)
        next_ = ((x.grad_fn or x) if rx else None, (y.grad_fn or y) if ry else None)
    else:
        needs = [x._requires_grad for x in inputs]
        if True not in needs:
            return wrap(data)
        next_ = tuple([(x.grad_fn or x) if r else None for x, r in zip(inputs, needs)])
    if data.__class__ is not np.ndarray:
        data = np.asarray(data)
    saves = op.saves
    if not saves:
        saved = _NOTHING_SAVED[n] if n < 4 else (None,) * n  # shared: no new tuple per node
        versions = None
    elif n == 1:
        saved = inputs
        versions = ((0, inputs[0]._vc[0]),)
    elif n == 2 and len(saves) == 2:
        saved = inputs
        versions = ((0, inputs[0]._vc[0]), (1, inputs[1]._vc[0]))
    else:
        saved, versions = _saved_inputs(saves, inputs)
    shapes = None
    if op.broadcasts:
        out_shape = data.shape
        for x in inputs:
            if x.array.shape != out_shape:
                shapes = tuple([x.array.shape for x in inputs])
                break
    node = Node(op, ctx, saved, next_, data if op.saves_out else None, shapes, versions, None)
    if grad_mode.anomaly:
        node.trace = creation_trace()
    if grad_mode.retain_values:
        node.value = data
    t = Tensor.__new__(Tensor)  # wrap() written out: this runs once per recorded op
    t.array = data
    t._grad = None
    t._requires_grad = True
    t.grad_fn = node
    t._vc = [0]
    t.name = None
    t._hooks = None
    if n == 1 and data.base is not None:
        share_versions(t, inputs[0])
    return t


def _unrecorded(data, inputs):
    """The result of an op that records nothing; a view keeps its input's version counter."""
    t = wrap(data)
    if len(inputs) == 1 and t.array.base is not None:
        share_versions(t, inputs[0])
    return t


def _saved_inputs(saves, inputs):
    """The inputs a node keeps (None where its VJPs need none), and their versions now."""
    saved = [None] * len(inputs)
    versions = []
    for i in saves:
        x = inputs[i]
        saved[i] = x
        versions.append((i, x._vc[0]))
    return tuple(saved), tuple(versions)


def seed_gradient(t, gradient, create_graph, where):
    """∂L/∂t for a backward from ``t``: ``gradient``, or ones for a one-element ``t``."""
    if gradient is None:
        if t.array.size != 1:
            raise RuntimeError(
                f"{where}: grad can be implicitly created only for a tensor with one element; "
                f"this one has shape {t.shape}. Pass gradient= (∂L/∂output, same shape), or "
                f"reduce it first (e.g. .sum())."
            )
        seed = np.ones_like(t.array)
        return wrap(seed) if create_graph else seed
    g = gradient.array if isinstance(gradient, Tensor) else np.asarray(gradient, dtype=t.dtype)
    if g.shape != t.shape:
        raise ShapeError(f"{where}: gradient has shape {g.shape} but the output has shape {t.shape}")
    if create_graph:
        return gradient if isinstance(gradient, Tensor) else wrap(g)
    return g
