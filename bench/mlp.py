"""An MLP 784-256-128-10 training step (forward, backward, SGD update; float32) and its memory.

Baselines: the textbook δ recursion written out in NumPy (below), and PyTorch CPU.
Memory is measured in a fresh process per implementation (peak RSS is per process).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np

from .common import compare, print_result

SIZES = (784, 256, 128, 10)
LR = 0.01


def _init(seed=0, sizes=SIZES):
    rng = np.random.default_rng(seed)
    params = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        bound = 1.0 / np.sqrt(n_in)
        params.append(rng.uniform(-bound, bound, (n_out, n_in)).astype(np.float32))
        params.append(rng.uniform(-bound, bound, n_out).astype(np.float32))
    return params


def _data(batch, seed=1, n_in=SIZES[0], n_out=SIZES[-1]):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((batch, n_in)).astype(np.float32), rng.integers(0, n_out, batch)


class NumpyMLP:
    """Hand-written backprop: δ(L) = (softmax(z) − t)/N, δ(l) = δ(l+1) W(l+1) ⊙ [z(l) > 0],
    ∂L/∂W(l) = δ(l)ᵀ a(l−1), ∂L/∂b(l) = Σ δ(l); then θ ← θ − η ∂L/∂θ in place."""

    def __init__(self, params):
        self.params = [p.copy() for p in params]

    def step(self, x, y):
        W1, b1, W2, b2, W3, b3 = self.params
        z1 = x @ W1.T
        z1 += b1
        a1 = np.maximum(z1, 0)
        z2 = a1 @ W2.T
        z2 += b2
        a2 = np.maximum(z2, 0)
        z3 = a2 @ W3.T
        z3 += b3
        z3 -= z3.max(axis=1, keepdims=True)
        e = np.exp(z3)
        p = e / e.sum(axis=1, keepdims=True)
        n = len(y)
        loss = -np.log(p[np.arange(n), y]).mean()
        d3 = p
        d3[np.arange(n), y] -= 1.0
        d3 /= n
        gW3 = d3.T @ a2
        gb3 = d3.sum(axis=0)
        d2 = d3 @ W3
        d2 *= a2 > 0
        gW2 = d2.T @ a1
        gb2 = d2.sum(axis=0)
        d1 = d2 @ W2
        d1 *= a1 > 0
        gW1 = d1.T @ x
        gb1 = d1.sum(axis=0)
        for param, grad in zip(self.params, (gW1, gb1, gW2, gb2, gW3, gb3)):
            grad *= LR
            param -= grad
        return loss


class GlassgradMLP:
    def __init__(self, params):
        import autograd as ag
        import nn
        import optim

        layers = []
        for k in range(0, len(params), 2):
            lin = nn.Linear(params[k].shape[1], params[k].shape[0])
            with ag.no_grad():
                lin.weight.array[...] = params[k]
                lin.bias.array[...] = params[k + 1]
            layers += [lin, nn.ReLU()]
        self.model = nn.Sequential(*layers[:-1])
        self.loss_fn = nn.CrossEntropyLoss()
        self.opt = optim.SGD(self.model.parameters(), lr=LR)
        self.ag = ag

    def step(self, x, y):
        self.opt.zero_grad()
        loss = self.loss_fn(self.model(x), y)
        loss.backward()
        self.opt.step()
        return loss


class TorchMLP:
    def __init__(self, params):
        import torch

        layers = []
        for k in range(0, len(params), 2):
            lin = torch.nn.Linear(params[k].shape[1], params[k].shape[0])
            with torch.no_grad():
                lin.weight.copy_(torch.from_numpy(params[k]))
                lin.bias.copy_(torch.from_numpy(params[k + 1]))
            layers += [lin, torch.nn.ReLU()]
        self.model = torch.nn.Sequential(*layers[:-1])
        self.loss_fn = torch.nn.CrossEntropyLoss()
        self.opt = torch.optim.SGD(self.model.parameters(), lr=LR)

    def step(self, x, y):
        self.opt.zero_grad()
        loss = self.loss_fn(self.model(x), y)
        loss.backward()
        self.opt.step()
        return loss


def _impls(torch_ok):
    impls = {"glassgrad": GlassgradMLP, "numpy": NumpyMLP}
    if torch_ok:
        impls["torch"] = TorchMLP
    return impls


def _inputs(name, x, y):
    if name == "glassgrad":
        import autograd as ag

        return ag.Tensor(x), ag.Tensor(y)
    if name == "torch":
        import torch

        return torch.from_numpy(x), torch.from_numpy(y)
    return x, y


def run(quick=False, torch_ok=True):
    params = _init()
    results = {}
    for batch in (16,) if quick else (128, 1024):
        x, y = _data(batch)
        fns = {}
        for name, cls in _impls(torch_ok).items():
            model = cls(params)
            xb, yb = _inputs(name, x, y)
            fns[name] = (lambda m, a, b: lambda: m.step(a, b))(model, xb, yb)
        # Each round times a block of consecutive steps per implementation (~50 ms: 50 steps at
        # batch 128, 10 at 1024), as a training loop runs them. NOTE: with blocks of 5 steps the
        # first step of each block runs on caches the other implementations have just evicted, and
        # that switching cost dominates: torch/numpy then comes out at 1.35 at batch 128 (1.61 with
        # single steps) instead of the 1.18 measured in steady state when the targets were set.
        steps = 1 if quick else (50 if batch <= 256 else 10)
        r = compare(fns, rounds=3 if quick else 20, inner=steps, warmup=1 if quick else 3)
        print_result(f"MLP 784-256-128-10 step, batch {batch}", r)
        if "torch" in r["median_s"]:
            r["torch_vs_numpy"] = r["median_s"]["torch"] / r["median_s"]["numpy"]
            print(f"{'':<34} (baselines: torch/numpy = {r['torch_vs_numpy']:.3f})")
        results[f"mlp_step_b{batch}"] = r
    results.update(memory(quick=quick, torch_ok=torch_ok))
    return results


# --- memory, one fresh process per implementation --------------------------------------------
def _rss_kib(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field):
                return int(line.split()[1])
    return 0


def _memory_child(name, batch, steps, checkpoints):
    """Run in a fresh process: RSS after imports, peak RSS, and RSS at the checkpoint steps."""
    import gc

    params = _init()
    x, y = _data(batch)
    model = _impls(True)[name](params)
    xb, yb = _inputs(name, x, y)
    model.step(xb, yb)
    gc.collect()
    base = _rss_kib("VmRSS:")
    at = {}
    for k in range(1, steps + 1):
        model.step(xb, yb)
        if k in checkpoints:
            gc.collect()
            at[k] = _rss_kib("VmRSS:")
    return {"base_kib": base, "peak_kib": _rss_kib("VmHWM:"), "rss_at_kib": at}


def _spawn(name, batch, steps, checkpoints):
    code = (
        "import json, sys; from bench.mlp import _memory_child; "
        f"print(json.dumps(_memory_child({name!r}, {batch}, {steps}, {sorted(checkpoints)!r})))"
    )
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    proc = subprocess.run([sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True, timeout=1800)
    if proc.returncode != 0:
        raise RuntimeError(f"memory run of {name} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def memory(quick=False, torch_ok=True):
    steps, batch = (5, 64) if quick else (200, 1024)
    out = {}
    print(f"{'peak memory, ' + str(steps) + ' steps, batch ' + str(batch):<34} ", end="")
    peaks = {}
    for name in _impls(torch_ok):
        r = _spawn(name, batch, steps, {steps})
        peaks[name] = r
        print(f"{name}: {r['peak_kib'] / 1024:7.1f} MiB (after imports {r['base_kib'] / 1024:6.1f})  ", end="")
    print()
    ratio = peaks["glassgrad"]["peak_kib"] / peaks["numpy"]["peak_kib"]
    print(f"{'':<34} glassgrad/numpy peak = {ratio:.3f}")
    out["memory_peak"] = {"steps": steps, "batch": batch, "runs": peaks, "ratio_vs_numpy": ratio}
    long_steps = 20 if quick else 10_000
    r = _spawn("glassgrad", 128, long_steps, {min(100, long_steps), long_steps})
    first, last = r["rss_at_kib"][str(min(100, long_steps))], r["rss_at_kib"][str(long_steps)]
    print(
        f"{'glassgrad RSS growth, batch 128':<34} after {min(100, long_steps)} steps {first / 1024:.1f} MiB, after {long_steps} {last / 1024:.1f} MiB"
    )
    out["memory_growth"] = {"after_100_kib": first, f"after_{long_steps}_kib": last, "growth_kib": last - first}
    return out
