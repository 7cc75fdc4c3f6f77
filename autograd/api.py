"""``autograd.grad``: gradients of outputs with respect to chosen inputs, as PyTorch's."""

from __future__ import annotations

from .engine import run_backward
from .scalar import Scalar
from .tensor import Tensor, _seed_gradient


def _as_list(v):
    if isinstance(v, (Tensor, Scalar)):
        return [v]
    return list(v)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, allow_unused=False):
    """Return ∂(Σ outputs·grad_outputs)/∂input for each input, without touching any ``.grad``.

    With ``create_graph=True`` the result is itself differentiable (second derivatives,
    Hessian-vector products, gradient penalties).
    """
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
        seeds.append(_seed_gradient(out, go, create_graph, f"grad (output {k})"))
    vertices = []
    for k, x in enumerate(inputs):
        if isinstance(x, Tensor) and not x.requires_grad:
            raise RuntimeError(f"grad: input {k} does not require grad")
        vertices.append(x.grad_fn if isinstance(x, Tensor) and x.grad_fn is not None else x)
    grads = run_backward(roots, seeds, retain_graph, create_graph, vertices, allow_unused)
    result = []
    for x, g in zip(inputs, grads):
        if g is not None and isinstance(x, Tensor) and not isinstance(g, Tensor):
            import numpy as np

            from .tensor import _wrap

            g = _wrap(np.array(g, dtype=x.dtype, copy=True))
        result.append(g)
    return tuple(result)
