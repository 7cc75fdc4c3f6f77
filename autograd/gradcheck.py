"""Check analytic gradients against central finite differences, in float64."""

from __future__ import annotations

import numpy as np

from .api import grad
from .mode import enable_grad, no_grad
from .tensor import Tensor, wrap


class GradcheckError(AssertionError):
    """An analytic Jacobian entry disagrees with its finite-difference estimate."""


def _as_tuple(v):
    return (v,) if isinstance(v, Tensor) else tuple(v)


def _check_inputs(inputs):
    for i, x in enumerate(inputs):
        if isinstance(x, Tensor) and x.requires_grad and x.dtype != np.float64:
            raise ValueError(
                f"gradcheck: input {i} has dtype {x.dtype}; finite differences need float64 "
                f"(make it with dtype=float64 or call .double())"
            )


def _numerical_jacobians(fn, inputs, diff, outputs, eps):
    """J[o][i] of shape (out_o.size, in_i.size) by central differences."""
    jac = [[np.zeros((o.array.size, inputs[i].array.size)) for i in diff] for o in outputs]
    with no_grad():
        for col, i in enumerate(diff):
            flat = inputs[i].array.reshape(-1)
            for j in range(flat.size):
                orig = flat[j]
                flat[j] = orig + eps
                plus = [o.array.astype(np.float64).ravel() for o in _as_tuple(fn(*inputs))]
                flat[j] = orig - eps
                minus = [o.array.astype(np.float64).ravel() for o in _as_tuple(fn(*inputs))]
                flat[j] = orig
                for k in range(len(outputs)):
                    jac[k][col][:, j] = (plus[k] - minus[k]) / (2 * eps)
    return jac


def _analytical_jacobians(outputs, inputs, diff):
    jac = [[np.zeros((o.array.size, inputs[i].array.size)) for i in diff] for o in outputs]
    xs = [inputs[i] for i in diff]
    for k, out in enumerate(outputs):
        if not out.requires_grad:
            continue
        for r in range(out.array.size):
            seed = np.zeros(out.array.size, dtype=out.dtype)
            seed[r] = 1.0
            gs = grad(out, xs, grad_outputs=wrap(seed.reshape(out.shape)), retain_graph=True, allow_unused=True)
            for col, g in enumerate(gs):
                if g is not None:
                    jac[k][col][r, :] = g.array.astype(np.float64).ravel()
    return jac


def gradcheck(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True):
    """True if every analytic Jacobian entry of ``fn`` at ``inputs`` matches central differences.

    Differentiates with respect to the inputs that require grad (they must be float64). On a
    mismatch raises ``GradcheckError`` naming the input, the output entry and both values.
    """
    inputs = _as_tuple(inputs)
    _check_inputs(inputs)
    diff = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    if not diff:
        raise ValueError("gradcheck: no input requires grad, so there is nothing to check")
    outputs = [o for o in _as_tuple(fn(*inputs)) if o.dtype.kind == "f"]
    analytical = _analytical_jacobians(outputs, inputs, diff)
    numerical = _numerical_jacobians(fn, inputs, diff, outputs, eps)
    for k, out in enumerate(outputs):
        for col, i in enumerate(diff):
            a = analytical[k][col]
            n = numerical[k][col]
            bad = ~(np.abs(a - n) <= atol + rtol * np.abs(n))
            if bad.any():
                r, c = np.argwhere(bad)[0]
                out_idx = np.unravel_index(r, out.shape) if out.shape else ()
                in_idx = np.unravel_index(c, inputs[i].shape) if inputs[i].shape else ()
                msg = (
                    f"Jacobian mismatch for output {k} with respect to input {i}: at output entry "
                    f"{tuple(int(v) for v in out_idx)}, input entry {tuple(int(v) for v in in_idx)}, "
                    f"analytical = {a[r, c]:.10g}, numerical = {n[r, c]:.10g} "
                    f"({int(bad.sum())} of {bad.size} entries differ; atol={atol}, rtol={rtol})"
                )
                if raise_exception:
                    raise GradcheckError(msg)
                return False
    return True


def gradgradcheck(fn, inputs, grad_outputs=None, eps=1e-6, atol=1e-5, rtol=1e-3, seed=0, raise_exception=True):
    """gradcheck of the backward pass itself: second derivatives against finite differences
    of first derivatives (the backward is recorded with ``create_graph=True``)."""
    inputs = _as_tuple(inputs)
    _check_inputs(inputs)
    diff = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    outputs = [o for o in _as_tuple(fn(*inputs)) if o.dtype.kind == "f" and o.requires_grad]
    if grad_outputs is None:
        rng = np.random.default_rng(seed)
        grad_outputs = tuple(
            Tensor(rng.standard_normal(o.shape), dtype=np.float64, requires_grad=True) for o in outputs
        )
    grad_outputs = _as_tuple(grad_outputs)
    n_in = len(inputs)

    def first_derivatives(*args):
        xs, gos = args[:n_in], args[n_in:]
        # gradcheck's finite differences run under no_grad; the first derivatives need a graph.
        with enable_grad():
            outs = [o for o in _as_tuple(fn(*xs)) if o.dtype.kind == "f" and o.requires_grad]
            gs = grad(outs, [xs[i] for i in diff], grad_outputs=list(gos), create_graph=True, allow_unused=True)
        return tuple(g for g in gs if g is not None)

    return gradcheck(first_derivatives, inputs + grad_outputs, eps, atol, rtol, raise_exception)
