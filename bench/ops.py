"""Per-op cost: a 100-op chain on 8×8 tensors, forward and forward+backward.

Baselines: the same chain written by hand in NumPy (forward, then its backward by hand), and
PyTorch CPU autograd.
"""

from __future__ import annotations

import numpy as np

import autograd as ag

from .common import compare, print_result

N_OPS = 100


def _glassgrad(kind, a, w, backward):
    x = ag.Tensor(a, requires_grad=True)
    W = ag.Tensor(w)

    def run():
        y = x
        if kind == "add":
            for _ in range(N_OPS):
                y = y + W
        elif kind == "mul":
            for _ in range(N_OPS):
                y = y * W
        elif kind == "matmul":
            for _ in range(N_OPS):
                y = y @ W
        elif kind == "tanh":
            for _ in range(N_OPS):
                y = y.tanh()
        elif kind == "sum":
            for _ in range(N_OPS):
                y = y.sum(dim=1, keepdim=True)  # (8, 1) after the first; each sum is one node
        if backward:
            x.grad = None
            y.backward(np.ones(y.shape, dtype=y.dtype))
        return y

    return run


def _numpy(kind, a, w, backward):
    def run():
        y = a
        saved = []
        if kind == "add":
            for _ in range(N_OPS):
                y = y + w
        elif kind == "mul":
            for _ in range(N_OPS):
                saved.append(y)
                y = y * w
        elif kind == "matmul":
            for _ in range(N_OPS):
                saved.append(y)
                y = y @ w
        elif kind == "tanh":
            for _ in range(N_OPS):
                y = np.tanh(y)
                saved.append(y)
        elif kind == "sum":
            for _ in range(N_OPS):
                saved.append(y.shape)
                y = y.sum(axis=1, keepdims=True)
        if backward:
            g = np.ones_like(y)
            if kind == "add":
                for _ in range(N_OPS):
                    g = g
            elif kind == "mul":
                for _ in range(N_OPS):
                    saved.pop()
                    g = g * w
            elif kind == "matmul":
                for _ in range(N_OPS):
                    saved.pop()
                    g = g @ w.T
            elif kind == "tanh":
                for _ in range(N_OPS):
                    out = saved.pop()
                    g = g * (1 - out * out)
            elif kind == "sum":
                for _ in range(N_OPS):
                    g = np.broadcast_to(g, saved.pop())
        return y

    return run


def _torch(kind, a, w, backward):
    import torch

    x = torch.tensor(a, requires_grad=True)
    W = torch.tensor(w)

    def run():
        y = x
        if kind == "add":
            for _ in range(N_OPS):
                y = y + W
        elif kind == "mul":
            for _ in range(N_OPS):
                y = y * W
        elif kind == "matmul":
            for _ in range(N_OPS):
                y = y @ W
        elif kind == "tanh":
            for _ in range(N_OPS):
                y = y.tanh()
        elif kind == "sum":
            for _ in range(N_OPS):
                y = y.sum(dim=1, keepdim=True)
        if backward:
            x.grad = None
            y.backward(torch.ones_like(y))
        return y

    return run


def run(quick=False, torch_ok=True):
    rng = np.random.default_rng(0)
    a = rng.standard_normal((8, 8)).astype(np.float32)
    w = (np.eye(8) * 0.9 + 0.01 * rng.standard_normal((8, 8))).astype(np.float32)
    rounds = 2 if quick else 25
    inner = 1 if quick else 10
    results = {}
    for kind in ("add", "mul", "matmul", "tanh", "sum"):
        for backward in (False, True):
            fns = {"glassgrad": _glassgrad(kind, a, w, backward), "numpy": _numpy(kind, a, w, backward)}
            if torch_ok:
                fns["torch"] = _torch(kind, a, w, backward)
            name = f"op {kind} {'fwd+bwd' if backward else 'fwd'} (per op)"
            r = compare(fns, rounds=rounds, inner=inner, warmup=1)
            print_result(name, r, per=N_OPS)
            results[name] = r
    return results
