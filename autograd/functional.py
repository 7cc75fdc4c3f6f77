"""Higher-level derivatives of small functions: ``jacobian``, ``hessian``, ``vjp``, ``hvp``.

Built on ``autograd.grad``; each Jacobian row is one backward pass, so keep the functions small.
"""

from __future__ import annotations

import numpy as np

from .api import grad
from .ops.join import stack
from .tensor import Tensor, wrap


def _inputs(inputs):
    single = isinstance(inputs, Tensor)
    xs = (inputs,) if single else tuple(inputs)
    fresh = tuple(wrap(x.data.copy(), True) for x in xs)
    return single, fresh


def vjp(func, inputs, v=None, create_graph=False):
    """(func(inputs), vᵀ·J): the vector-Jacobian product at ``inputs``."""
    single, xs = _inputs(inputs)
    out = func(*xs)
    gs = grad(out, xs, grad_outputs=v, create_graph=create_graph, allow_unused=True)
    gs = tuple(wrap(np.zeros_like(x.data)) if g is None else g for x, g in zip(xs, gs))
    return (out if create_graph else out.detach()), (gs[0] if single else gs)


def jacobian(func, inputs, create_graph=False):
    """∂func(inputs)/∂inputs, of shape out.shape + in.shape (a tuple per input when several)."""
    single, xs = _inputs(inputs)
    out = func(*xs)
    rows = [[] for _ in xs]
    n = out.data.size
    for k in range(n):
        seed = np.zeros(out.data.size, dtype=out.dtype)
        seed[k] = 1.0
        gs = grad(
            out,
            xs,
            grad_outputs=wrap(seed.reshape(out.shape)),
            retain_graph=True,
            create_graph=create_graph,
            allow_unused=True,
        )
        for j, (x, g) in enumerate(zip(xs, gs)):
            rows[j].append(wrap(np.zeros_like(x.data)) if g is None else g)
    jacs = []
    for j, x in enumerate(xs):
        if n == 0:
            jacs.append(wrap(np.zeros(out.shape + x.shape, dtype=x.dtype)))
        else:
            jacs.append(stack(rows[j]).reshape(out.shape + x.shape))
    return jacs[0] if single else tuple(jacs)


def hessian(func, inputs):
    """∂²func/∂inputs² for a scalar-valued func (one input: shape in.shape + in.shape)."""
    single, xs = _inputs(inputs)
    if not single:
        raise NotImplementedError("hessian: pass a single input tensor (concatenate several into one)")

    def gradient(x):
        out = func(x)
        if out.data.size != 1:
            raise ValueError(f"hessian: func must return a single value, got shape {out.shape}")
        (g,) = grad(out, x, create_graph=True)
        return g

    return jacobian(gradient, xs[0])


def hvp(func, inputs, v):
    """(func(inputs), H·v): a Hessian-vector product by double backward, no Hessian built."""
    single, xs = _inputs(inputs)
    vs = (v,) if isinstance(v, Tensor) else tuple(v)
    out = func(*xs)
    if out.data.size != 1:
        raise ValueError(f"hvp: func must return a single value, got shape {out.shape}")
    gs = grad(out, xs, create_graph=True)
    dot = None
    for g, vi in zip(gs, vs):
        term = (g * vi).sum()
        dot = term if dot is None else dot + term
    hv = grad(dot, xs, allow_unused=True)
    hv = tuple(wrap(np.zeros_like(x.data)) if h is None else h.detach() for x, h in zip(xs, hv))
    return out.detach(), (hv[0] if single else hv)
