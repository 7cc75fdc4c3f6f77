"""In-place ops: ``add_ sub_ mul_ div_ pow_ clamp_ copy_ zero_ fill_ normal_ uniform_``, ``+= -= *= /=``.

On a tensor that is part of a graph, an in-place op rebinds the tensor's history
(``update_inplace``); ``x[key] = v`` does the same. Outside the graph it writes the array.
"""

from __future__ import annotations

import numpy as np

from .creation import default_generator
from .errors import ShapeError
from .mode import no_grad
from .mode import state as grad_mode
from .ops import arithmetic
from .ops.shape import broadcast_to, cast, clone
from .ops.unary import clamp
from .tensor import Tensor, raw, wrap

__all__ = ["update_inplace", "METHODS"]


def add_(self, other, alpha=1):
    """self += alpha·other."""
    if alpha != 1:
        other = arithmetic.mul(other, alpha)
    return update_inplace(self, arithmetic.add, other, "add_")


def sub_(self, other, alpha=1):
    """self −= alpha·other."""
    if alpha != 1:
        other = arithmetic.mul(other, alpha)
    return update_inplace(self, arithmetic.sub, other, "sub_")


def mul_(self, other):
    """self *= other."""
    return update_inplace(self, arithmetic.mul, other, "mul_")


def div_(self, other):
    """self /= other."""
    return update_inplace(self, arithmetic.div, other, "div_")


def pow_(self, exponent):
    """self **= exponent."""
    return update_inplace(self, arithmetic.pow, exponent, "pow_")


def clamp_(self, min=None, max=None):
    """Clip self to [min, max]."""
    return update_inplace(self, lambda x, _: clamp(x, min, max), None, "clamp_")


def copy_(self, src):
    """Overwrite with ``src`` (broadcast); gradient flows to ``src``, none to the old value."""
    try:
        np.broadcast_to(raw(src), self.shape)
    except ValueError:
        raise ShapeError(f"copy_: source of shape {np.shape(raw(src))} cannot be broadcast to {self.shape}") from None
    if isinstance(src, Tensor) and src.requires_grad:
        return update_inplace(self, _copy_from, src, "copy_")
    return update_inplace(self, None, src, "copy_")


def zero_(self):
    """Fill with zeros."""
    return update_inplace(self, None, 0, "zero_")


def fill_(self, value):
    """Fill with ``value``."""
    return update_inplace(self, None, value, "fill_")


def normal_(self, mean=0.0, std=1.0, *, generator=None):
    """Fill with samples of N(mean, std²) from the seeded generator (or ``generator``)."""
    rng = generator or default_generator()
    return update_inplace(self, None, rng.normal(mean, std, self.shape), "normal_")


def uniform_(self, a=0.0, b=1.0, *, generator=None):
    """Fill with samples of U(a, b) from the seeded generator (or ``generator``)."""
    rng = generator or default_generator()
    return update_inplace(self, None, rng.uniform(a, b, self.shape), "uniform_")


def _copy_from(x, src):
    return clone(broadcast_to(cast(src, x.dtype), x.shape))


def update_inplace(self, fn, other, name):
    """Run ``fn(self, other)`` and make self hold the result, keeping the graph right."""
    other_t = other if isinstance(other, Tensor) else None
    if grad_mode.enabled and self.requires_grad and self.grad_fn is None:
        raise RuntimeError(
            f"{name}: a leaf tensor that requires grad is being used in an in-place operation. "
            f"Wrap the update in `with no_grad():` (as optimizers do) or work on a .clone()."
        )
    recording = grad_mode.enabled and (self.requires_grad or (other_t is not None and other_t.requires_grad))
    if recording and fn is not None:
        return _rebind(self, fn, other, name)
    _write(self, fn, other, name)
    node = self.grad_fn
    if node is not None and node.out is not None and np.shares_memory(node.out, self.array):
        node.dirty = name  # its VJP reads this output: backward must refuse
    if recording:
        # Overwritten by a constant: no gradient reaches the old value.
        self.grad_fn = None
        self.requires_grad = False
    self._version += 1
    return self


def _rebind(self, fn, other, name):
    """Under autograd: self becomes the output of ``fn`` applied to its old value.

    The old array moves to a stand-in tensor (nodes that saved it keep reading it unchanged, and
    it keeps the version counter its views share) and self takes the result's array and a counter
    of its own, one version on. NOTE: so under autograd, NumPy views of the old array do not see
    the change (PyTorch writes into the shared memory and rebases the views' history; we do not).
    """
    old = wrap(self.array, self.requires_grad)
    old.grad_fn = self.grad_fn
    old._vc = self._vc
    result = fn(old, other)
    if result.shape != self.shape:
        raise ShapeError(
            f"{name}: the result has shape {result.shape}, which cannot be written into a tensor of shape {self.shape}"
        )
    if result.dtype != self.dtype:
        result = cast(result, self.dtype)
    self.array = result.array
    self.grad_fn = result.grad_fn
    self.requires_grad = result.requires_grad
    self._vc = [self._vc[0] + 1]
    return self


def _write(self, fn, other, name):
    """Outside the graph: write the result into self's array (and so into every view of it)."""
    value = raw(other)
    with no_grad():
        try:
            if name in ("zero_", "fill_", "copy_", "normal_", "uniform_"):
                np.copyto(self.array, value, casting="unsafe" if name != "copy_" else "same_kind")
            elif name == "add_":
                np.add(self.array, value, out=self.array)
            elif name == "sub_":
                np.subtract(self.array, value, out=self.array)
            elif name == "mul_":
                np.multiply(self.array, value, out=self.array)
            elif name == "div_":
                np.divide(self.array, value, out=self.array)
            else:
                np.copyto(self.array, fn(wrap(self.array), other).array, casting="same_kind")
        except TypeError as e:  # NumPy refuses the cast: a dtype problem, not a shape one
            raise TypeError(
                f"{name}: the result of dtype {np.result_type(self.array, value)} cannot be written into a "
                f"tensor of dtype {self.dtype} ({e}); convert the tensor first, e.g. t = t.float()"
            ) from None
        except ValueError as e:
            raise ShapeError(
                f"{name}: cannot apply to a tensor of shape {self.shape} and dtype {self.dtype} "
                f"with an operand of shape {np.shape(value)} and dtype {np.asarray(value).dtype}: {e}"
            ) from None


def _iadd(self, other):
    return add_(self, other)


def _isub(self, other):
    return sub_(self, other)


def _imul(self, other):
    return mul_(self, other)


def _itruediv(self, other):
    return div_(self, other)


# The Tensor methods this module provides (installed by autograd/methods.py).
METHODS = {
    "add_": add_,
    "sub_": sub_,
    "mul_": mul_,
    "div_": div_,
    "pow_": pow_,
    "clamp_": clamp_,
    "copy_": copy_,
    "zero_": zero_,
    "fill_": fill_,
    "normal_": normal_,
    "uniform_": uniform_,
    "__iadd__": _iadd,
    "__isub__": _isub,
    "__imul__": _imul,
    "__itruediv__": _itruediv,
}
