"""The scalar MLP 2-16-16-1 (micrograd's README network) on 100 points: one training step.

glassgrad ``Scalar`` vs micrograd's ``Value`` (both under Python's default garbage collector),
and glassgrad ``Tensor`` for the same network.
"""

from __future__ import annotations

import random

import numpy as np

import autograd as ag

from .common import compare, print_result


class _Neuron:
    def __init__(self, n_in, rng, value, nonlin):
        self.w = [value(rng.uniform(-1, 1)) for _ in range(n_in)]
        self.b = value(0.0)
        self.nonlin = nonlin

    def __call__(self, x):
        act = self.b
        for wi, xi in zip(self.w, x):
            act = act + wi * xi
        return act.relu() if self.nonlin else act

    def parameters(self):
        return self.w + [self.b]


class ScalarMLP:
    """micrograd's MLP(2, [16, 16, 1]), written once for any micrograd-style value class."""

    def __init__(self, value, sizes=(2, 16, 16, 1), seed=0):
        rng = random.Random(seed)
        self.layers = [
            [_Neuron(sizes[i], rng, value, nonlin=i != len(sizes) - 2) for _ in range(sizes[i + 1])]
            for i in range(len(sizes) - 1)
        ]

    def __call__(self, x):
        for layer in self.layers:
            x = [n(x) for n in layer]
        return x[0]

    def parameters(self):
        return [p for layer in self.layers for n in layer for p in n.parameters()]


def data(n=100, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 2))
    y = np.where(X[:, 0] * X[:, 1] > 0, 1.0, -1.0)
    return X, y


def scalar_step(model, X, y):
    params = model.parameters()
    for p in params:
        p.grad = 0.0
    loss = None
    for xi, yi in zip(X.tolist(), y.tolist()):
        d = model(xi) - yi
        loss = d * d if loss is None else loss + d * d
    loss.backward()
    return loss


class TensorMLP:
    def __init__(self, sizes=(2, 16, 16, 1), seed=0):
        rng = np.random.default_rng(seed)
        self.params = []
        for i in range(len(sizes) - 1):
            W = ag.Tensor(rng.uniform(-1, 1, (sizes[i + 1], sizes[i])), requires_grad=True, dtype=np.float64)
            b = ag.Tensor(np.zeros(sizes[i + 1]), requires_grad=True, dtype=np.float64)
            self.params += [W, b]

    def step(self, X, y):
        for p in self.params:
            p.grad = None
        h = X
        n = len(self.params) // 2
        for i in range(n):
            h = ag.linear(h, self.params[2 * i], self.params[2 * i + 1])
            if i < n - 1:
                h = h.relu()
        d = h.reshape(-1) - y
        loss = (d * d).sum()
        loss.backward()
        return loss


def run(quick=False):
    n = 10 if quick else 100
    X, y = data(n)
    results = {}
    gg = ScalarMLP(ag.Scalar)
    fns = {"glassgrad Scalar": lambda: scalar_step(gg, X, y)}
    try:
        from micrograd.engine import Value
    except ImportError:
        Value = None
        print("(micrograd not installed: pip install micrograd — skipping that baseline)")
    if Value is not None:
        mg = ScalarMLP(Value)
        fns["micrograd"] = lambda: scalar_step(mg, X, y)
    r = compare(fns, rounds=2 if quick else 7, inner=1, warmup=1)
    print_result(f"scalar MLP 2-16-16-1 step, {n} pts", r)
    results["scalar_mlp"] = r

    tm = TensorMLP()
    Xt = ag.Tensor(X, dtype=np.float64)
    yt = ag.Tensor(y, dtype=np.float64)
    fns = {"glassgrad Tensor": lambda: tm.step(Xt, yt)}
    if Value is not None:
        fns["micrograd"] = lambda: scalar_step(mg, X, y)
    r = compare(fns, rounds=2 if quick else 5, inner=1, warmup=1)
    print_result(f"tensor MLP 2-16-16-1 step, {n} pts", r)
    results["tensor_mlp_vs_micrograd"] = r
    return results
