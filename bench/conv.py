"""conv2d forward+backward (N=64, C=16→32, 16×16, k=3, padding 1) vs PyTorch CPU and a naive loop."""

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


def run(quick=False, torch_ok=True):
    rng = np.random.default_rng(0)
    N, C, O, S = (4, 4, 8, 8) if quick else (64, 16, 32, 16)
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
    fns["naive loop"] = lambda: _naive(a, wa, ba)
    r = compare(fns, rounds=2 if quick else 7, inner=1, warmup=1)
    print_result(f"conv2d fwd+bwd N={N} C={C}→{O} {S}×{S} k=3", r)
    return {"conv2d": r}
