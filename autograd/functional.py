"""Higher-level derivatives of small functions: ``jacobian``, ``hessian``, ``vjp``, ``jvp``, ``hvp``, ``vhp``.

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
    fresh = tuple(wrap(x.array.copy(), True) for x in xs)
    return single, fresh


def vjp(func, inputs, v=None, create_graph=False):
    """(func(inputs), vᵀ·J): the vector-Jacobian product at ``inputs``."""
    single, xs = _inputs(inputs)
    out = func(*xs)
    gs = grad(out, xs, grad_outputs=v, create_graph=create_graph, allow_unused=True)
    gs = tuple(wrap(np.zeros_like(x.array)) if g is None else g for x, g in zip(xs, gs))
    return (out if create_graph else out.detach()), (gs[0] if single else gs)


def jacobian(func, inputs, create_graph=False):
    """∂func(inputs)/∂inputs, of shape out.shape + in.shape (a tuple per input when several)."""
    single, xs = _inputs(inputs)
    out = func(*xs)
    rows = [[] for _ in xs]
    n = out.array.size
    for k in range(n):
        seed = np.zeros(out.array.size, dtype=out.dtype)
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
            rows[j].append(wrap(np.zeros_like(x.array)) if g is None else g)
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
        if out.array.size != 1:
            raise ValueError(f"hessian: func must return a single value, got shape {out.shape}")
        (g,) = grad(out, x, create_graph=True)
        return g

    return jacobian(gradient, xs[0])


def hvp(func, inputs, v):
    """(func(inputs), H·v): a Hessian-vector product by double backward, no Hessian built."""
    single, xs = _inputs(inputs)
    vs = (v,) if isinstance(v, Tensor) else tuple(v)
    out = func(*xs)
    if out.array.size != 1:
        raise ValueError(f"hvp: func must return a single value, got shape {out.shape}")
    gs = grad(out, xs, create_graph=True)
    dot = None
    for g, vi in zip(gs, vs):
        term = (g * vi).sum()
        dot = term if dot is None else dot + term
    hv = grad(dot, xs, allow_unused=True)
    hv = tuple(wrap(np.zeros_like(x.array)) if h is None else h.detach() for x, h in zip(xs, hv))
    return out.detach(), (hv[0] if single else hv)


def _vectors(v, xs, where):
    """The vectors ``v`` (one per input, each of its input's shape); None means ones for 1-element inputs."""
    if v is None:
        if any(x.array.size != 1 for x in xs):
            raise RuntimeError(
                f"{where}: the vector v can be None only if the input to the function is a single element tensor"
            )
        return tuple(wrap(np.ones_like(x.array)) for x in xs)
    vs = (v,) if isinstance(v, Tensor) else tuple(v)
    if len(vs) != len(xs):
        raise RuntimeError(f"{where}: v has {len(vs)} tensors but there are {len(xs)} inputs")
    for k, (x, vi) in enumerate(zip(xs, vs)):
        if vi.shape != x.shape:
            raise RuntimeError(f"{where}: v[{k}] has shape {tuple(vi.shape)} but input {k} has shape {tuple(x.shape)}")
    return vs


def _second_grads(gs, wrt, vs, create_graph, strict, where):
    """∂(Σ gs·vs)/∂wrt, zeros where no gradient reaches (strict: raise instead)."""
    pairs = [(g, vi) for g, vi in zip(gs, vs) if g is not None and g.requires_grad]
    found = [None] * len(wrt)
    if pairs:
        found = grad([g for g, _ in pairs], wrt, [vi for _, vi in pairs], create_graph=create_graph, allow_unused=True)
    if strict and any(r is None for r in found):
        raise RuntimeError(f"{where}: the output is independent of an input (strict=True)")
    return tuple(
        wrap(np.zeros_like(w.array)) if r is None else (r if create_graph else r.detach()) for w, r in zip(wrt, found)
    )


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), J·v): the Jacobian-vector product, by the double-backward trick.

    The VJP u ↦ Jᵀu is linear in u, so its own VJP with v is J·v: two backward passes, no Jacobian.
    """
    _, xs = _inputs(inputs)
    vs = _vectors(v, xs, "jvp")
    out = func(*xs)
    single_out = isinstance(out, Tensor)
    outs = (out,) if single_out else tuple(out)
    live = [o for o in outs if o.requires_grad]
    us = tuple(wrap(np.zeros_like(o.array), True) for o in live)
    gs = grad(live, xs, grad_outputs=list(us), create_graph=True, allow_unused=True) if live else ()
    jv = iter(_second_grads(gs, us, vs, create_graph, strict, "jvp"))
    result = tuple(next(jv) if o.requires_grad else wrap(np.zeros_like(o.array)) for o in outs)
    outs = outs if create_graph else tuple(o.detach() for o in outs)
    return (outs[0], result[0]) if single_out else (outs, result)


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), vᵀ·H) for a scalar-valued func, by double backward (no Hessian built)."""
    single, xs = _inputs(inputs)
    vs = _vectors(v, xs, "vhp")
    out = func(*xs)
    if not isinstance(out, Tensor) or out.array.size != 1:
        raise RuntimeError("vhp: the function given to vhp must return a single element Tensor")
    gs = grad(out, xs, create_graph=True, allow_unused=True) if out.requires_grad else (None,) * len(xs)
    result = _second_grads(gs, xs, vs, create_graph, strict, "vhp")
    return (out if create_graph else out.detach()), (result[0] if single else result)
