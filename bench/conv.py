"""conv2d and pooling forward+backward vs PyTorch CPU (and, at the first shape, a naive loop).

conv2d at (N, C→O, H×W) = (64, 16→32, 16×16), (32, 32→64, 16×16), (32, 3→32, 32×32), k=3, padding 1,
gradients of input, weight and bias; max_pool2d and avg_pool2d (2×2, and 3×3 stride 2 padding 1) on
(64, 32, 16×16).
"""

from __future__ import annotations

import numpy as np

import autograd as ag

from .common import compare, print_result


def _naive(x, w, b):
    """Forward and backward with a Python loop over output pixels: what im2col avoids."""
    N, C, H, W = x.shape
    O, _, k, _ = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    out = np.empty((N, O, H, W), dtype=x.dtype)
    for i in range(H):
        for j in range(W):
            out[:, :, i, j] = np.tensordot(xp[:, :, i : i + k, j : j + k], w, axes=([1, 2, 3], [1, 2, 3])) + b
    g = np.ones_like(out)
    dxp = np.zeros_like(xp)
    dw = np.zeros_like(w)
    for i in range(H):
        for j in range(W):
            gij = g[:, :, i, j]
            dw += np.tensordot(gij, xp[:, :, i : i + k, j : j + k], axes=([0], [0]))
            dxp[:, :, i : i + k, j : j + k] += np.tensordot(gij, w, axes=([1], [0]))
    return out, dxp[:, :, 1:-1, 1:-1], dw, g.sum(axis=(0, 2, 3))


SHAPES = ((64, 16, 32, 16), (32, 32, 64, 16), (32, 3, 32, 32))  # N, C, O, H (= W)
QUICK_SHAPES = ((4, 4, 8, 8), (2, 8, 8, 6), (2, 3, 4, 8))
POOLS = (("2×2", (2,), {}), ("3×3 stride 2 pad 1", (3,), {"stride": 2, "padding": 1}))


def _conv_fns(N, C, O, S, torch_ok, naive):
    """glassgrad's, torch's (and the naive loop's) conv2d forward+backward at one shape."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((N, C, S, S)).astype(np.float32)
    wa = (rng.standard_normal((O, C, 3, 3)) * 0.1).astype(np.float32)
    ba = np.zeros(O, dtype=np.float32)
    x = ag.Tensor(a, requires_grad=True)
    w = ag.Tensor(wa, requires_grad=True)
    b = ag.Tensor(ba, requires_grad=True)

    def glassgrad():
        x.grad = w.grad = b.grad = None
        ag.conv2d(x, w, b, padding=1).sum().backward()

    fns = {"glassgrad": glassgrad}
    if torch_ok:
        import torch

        tx = torch.tensor(a, requires_grad=True)
        tw = torch.tensor(wa, requires_grad=True)
        tb = torch.tensor(ba, requires_grad=True)

        def torch_step():
            tx.grad = tw.grad = tb.grad = None
            torch.nn.functional.conv2d(tx, tw, tb, padding=1).sum().backward()

        fns["torch"] = torch_step
    if naive:
        fns["naive loop"] = lambda: _naive(a, wa, ba)
    return fns


def _pool_fns(name, shape, args, kwargs, torch_ok):
    """glassgrad's and torch's pooling forward+backward."""
    a = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    x = ag.Tensor(a, requires_grad=True)
    pool = getattr(ag, name)

    def glassgrad():
        x.grad = None
        pool(x, *args, **kwargs).sum().backward()

    fns = {"glassgrad": glassgrad}
    if torch_ok:
        import torch

        tx = torch.tensor(a, requires_grad=True)
        tpool = getattr(torch.nn.functional, name)

        def torch_step():
            tx.grad = None
            tpool(tx, *args, **kwargs).sum().backward()

        fns["torch"] = torch_step
    return fns


def run(quick=False, torch_ok=True):
    """Time every shape and pooling; the result keys are the README table's row labels."""
    results = {}
    rounds = 2 if quick else 9
    for i, (N, C, O, S) in enumerate(QUICK_SHAPES if quick else SHAPES):
        r = compare(_conv_fns(N, C, O, S, torch_ok, naive=i == 0), rounds=rounds, inner=1, warmup=1)
        label = f"conv2d fwd+bwd, N={N}, {C}→{O} ch, {S}×{S}, k=3"
        print_result(label, r)
        results[label] = r
    shape = (2, 4, 8, 8) if quick else (64, 32, 16, 16)
    for name in ("max_pool2d", "avg_pool2d"):
        for window, args, kwargs in POOLS:
            r = compare(_pool_fns(name, shape, args, kwargs, torch_ok), rounds=rounds, inner=1, warmup=1)
            label = f"{name} {window} fwd+bwd, {shape[0]}×{shape[1]}×{shape[2]}×{shape[3]}"
            print_result(label, r)
            results[label] = r
    return results
