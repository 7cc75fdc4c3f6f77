"""A chain of 10⁵ ops, forward then backward: glassgrad vs PyTorch (no recursion limit either way)."""

from __future__ import annotations

import numpy as np

import autograd as ag

from .common import compare, print_result


def _glassgrad(n):
    x = ag.Tensor(np.ones(4, dtype=np.float32), requires_grad=True)

    def run():
        x.grad = None
        y = x
        for _ in range(n):
            y = y * 1.0001
        y.sum().backward()

    return run


def _torch(n):
    import torch

    x = torch.ones(4, requires_grad=True)

    def run():
        x.grad = None
        y = x
        for _ in range(n):
            y = y * 1.0001
        y.sum().backward()

    return run


def run(quick=False, torch_ok=True):
    n = 1000 if quick else 100_000
    fns = {"glassgrad": _glassgrad(n)}
    if torch_ok:
        fns["torch"] = _torch(n)
    r = compare(fns, rounds=2 if quick else 5, inner=1, warmup=1)
    print_result(f"deep chain of {n} ops, fwd+bwd", r)
    return {"deep_chain": r}
