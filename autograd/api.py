"""Starting a backward pass: ``Tensor.backward``, ``Scalar.backward`` and ``autograd.grad``."""

from __future__ import annotations

import numpy as np

from .engine import accumulate_grad, run_backward
from .mode import enable_grad
from .scalar import Scalar
from .tensor import Tensor, seed_gradient, wrap

__all__ = ["grad", "function_grad", "backward", "scalar_backward"]


def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
    """Accumulate ∂self/∂leaf into every leaf's ``.grad`` (``Tensor.backward``).

    ``gradient`` is ∂L/∂self; it may be omitted only when self has one element. With ``inputs``
    only those tensors' ``.grad`` are accumulated.
    """
    if not self.requires_grad:
        raise RuntimeError(
            "backward() on a tensor that does not require grad and has no grad_fn: no input "
            "of the computation has requires_grad=True (or it ran under no_grad())"
        )
    seed = seed_gradient(self, gradient, create_graph, "backward()")
    if retain_graph is None:
        retain_graph = create_graph
    root = self.grad_fn if self.grad_fn is not None else self
    if inputs is None:
        run_backward([root], [seed], retain_graph, create_graph)
        return
    targets = [inputs] if isinstance(inputs, Tensor) else list(inputs)
    vertices = [t.grad_fn if t.grad_fn is not None else t for t in targets]
    grads = run_backward([root], [seed], retain_graph, create_graph, vertices, allow_unused=True)
    for t, g in zip(targets, grads):
        if g is not None:
            accumulate_grad(t, g, create_graph, False)


def scalar_backward(self, gradient=1.0, create_graph=False):
    """Accumulate ∂self/∂v into ``v.grad`` for every Scalar v in the graph (``Scalar.backward``)."""
    run_backward([self], [gradient], True, create_graph)


def _as_list(v):
    if isinstance(v, (Tensor, Scalar)):
        return [v]
    return list(v)


def _roots_and_seeds(outputs, grad_outputs, create_graph):
    roots, seeds = [], []
    for k, (out, go) in enumerate(zip(outputs, grad_outputs)):
        if isinstance(out, Scalar):
            roots.append(out)
            seeds.append(1.0 if go is None else go)
            continue
        if not out.requires_grad:
            raise RuntimeError(
                f"grad: output {k} does not require grad and has no grad_fn (no input of its "
                f"computation requires grad, or it ran under no_grad())"
            )
        roots.append(out.grad_fn if out.grad_fn is not None else out)
        seeds.append(seed_gradient(out, go, create_graph, f"grad (output {k})"))
    return roots, seeds


def grad(outputs, inputs=0, grad_outputs=None, retain_graph=None, create_graph=False, allow_unused=False):
    """Return ∂(Σ outputs·grad_outputs)/∂input for each input, without touching any ``.grad``.

    With ``create_graph=True`` the result is itself differentiable (second derivatives,
    Hessian-vector products, gradient penalties). Given a function instead, ``grad(fun, argnum=0)``
    is HIPS autograd's: the function x ↦ ∂fun/∂x (see ``function_grad``).
    """
    if callable(outputs) and not isinstance(outputs, (Tensor, Scalar, list, tuple)):
        return function_grad(outputs, inputs)
    outputs = _as_list(outputs)
    inputs = _as_list(inputs)
    if grad_outputs is None:
        grad_outputs = [None] * len(outputs)
    else:
        grad_outputs = _as_list(grad_outputs) if not isinstance(grad_outputs, (list, tuple)) else list(grad_outputs)
    if len(grad_outputs) != len(outputs):
        raise ValueError(f"grad: got {len(grad_outputs)} grad_outputs for {len(outputs)} outputs")
    if retain_graph is None:
        retain_graph = create_graph
    roots, seeds = _roots_and_seeds(outputs, grad_outputs, create_graph)
    vertices = []
    for k, x in enumerate(inputs):
        if isinstance(x, Tensor) and not x.requires_grad:
            raise RuntimeError(f"grad: input {k} does not require grad")
        vertices.append(x.grad_fn if isinstance(x, Tensor) and x.grad_fn is not None else x)
    grads = run_backward(roots, seeds, retain_graph, create_graph, vertices, allow_unused)
    result = []
    for x, g in zip(inputs, grads):
        if g is not None and isinstance(x, Tensor) and not isinstance(g, Tensor):
            g = wrap(np.array(g, dtype=x.dtype, copy=True))
        result.append(g)
    return tuple(result)


def function_grad(fun, argnum=0):
    """HIPS autograd's ``grad(fun, argnum)``: a function with fun's arguments that returns
    ∂fun/∂(argument ``argnum``) — a float for a number, an ndarray for an array (float64 throughout).
    ``fun`` must return one number; it may use Tensor ops or NumPy's ufuncs (``np.sin(x)``)."""

    def gradient(*args, **kwargs):
        args = list(args)
        x = args[argnum]
        # Inside an outer grad, x is that grad's Tensor: differentiate in its graph (grad(grad(f))).
        nested = isinstance(x, Tensor) and x.requires_grad
        number = not isinstance(x, Tensor) and np.ndim(x) == 0
        t = x if nested else Tensor(np.asarray(x.array if isinstance(x, Tensor) else x, np.float64), requires_grad=True)
        args[argnum] = t
        with enable_grad():
            out = fun(*args, **kwargs)
        if not isinstance(out, Tensor) or not out.requires_grad:  # fun does not depend on x
            g = None
        elif out.array.size != 1:
            raise TypeError(
                f"grad: the function must return one number, got shape {out.shape}; "
                f"differentiate out.sum() for an elementwise gradient"
            )
        else:
            (g,) = grad(out.reshape(()), [t], create_graph=nested, allow_unused=True)
        if nested:
            return t * 0.0 if g is None else g
        g = np.zeros(t.shape) if g is None else g.array
        return float(g) if number else g

    gradient.__name__ = f"grad_of_{getattr(fun, '__name__', 'function')}"
    return gradient
