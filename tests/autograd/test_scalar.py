"""Scalar: micrograd-style values on the same engine."""

import math
import random

import numpy as np
import pytest

import autograd as ag
from autograd import Scalar


def test_micrograd_readme_expression():
    # The example from micrograd's README, with its published results.
    a = Scalar(-4.0)
    b = Scalar(2.0)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    assert f"{g.data:.4f}" == "24.7041"
    g.backward()
    assert f"{a.grad:.4f}" == "138.8338"
    assert f"{b.grad:.4f}" == "645.5773"


def test_scalar_gradients_equal_tensor_gradients():
    vals = [0.3, -1.2, 2.0]
    xs = [Scalar(v) for v in vals]
    out = ((xs[0] * xs[1]).tanh() + xs[2].exp() / (xs[1] ** 2) - xs[0].sigmoid() * xs[2].log()).relu()
    out.backward()
    t = ag.tensor(np.array(vals), requires_grad=True)
    tout = ((t[0] * t[1]).tanh() + t[2].exp() / (t[1] ** 2) - t[0].sigmoid() * t[2].log()).relu()
    tout.backward()
    np.testing.assert_allclose([x.grad for x in xs], t.grad.data, rtol=1e-12)
    assert math.isclose(out.data, tout.item(), rel_tol=1e-12)


def test_every_scalar_keeps_its_gradient_and_zero_grad_resets():
    x = Scalar(2.0, label="x")
    h = x * 3.0
    y = h * h
    y.backward()
    assert h.grad == 2 * h.data and x.grad == 2 * h.data * 3
    y.zero_grad()
    assert x.grad == 0.0 and h.grad == 0.0
    assert "x: data=2" in repr(x)


def test_scalar_hooks_and_bad_exponent():
    x = Scalar(1.5)
    seen = []
    x.register_hook(lambda g: seen.append(g))
    (x * 4.0).backward()
    assert seen == [4.0]
    with pytest.raises(TypeError, match="exponent"):
        x ** Scalar(2.0)


class _Neuron:
    def __init__(self, n_in, rng, act=True):
        self.w = [Scalar(rng.uniform(-1, 1)) for _ in range(n_in)]
        self.b = Scalar(0.0)
        self.act = act

    def __call__(self, x):
        z = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return z.tanh() if self.act else z

    def parameters(self):
        return self.w + [self.b]


def test_scalar_mlp_trains():
    rng = random.Random(0)
    layers = [[_Neuron(2, rng) for _ in range(8)], [_Neuron(8, rng) for _ in range(8)], [_Neuron(8, rng, act=False)]]
    params = [p for layer in layers for n in layer for p in n.parameters()]
    data = [((0.0, 0.0), -1.0), ((0.0, 1.0), 1.0), ((1.0, 0.0), 1.0), ((1.0, 1.0), -1.0)]  # XOR

    def loss_fn():
        total = Scalar(0.0)
        for x, y in data:
            h = list(x)
            for layer in layers:
                h = [n(h) for n in layer]
            total = total + (h[0] - y) ** 2
        return total * (1.0 / len(data))

    first = loss_fn().data
    for _ in range(150):
        for p in params:
            p.grad = 0.0
        loss = loss_fn()
        loss.backward()
        for p in params:
            p.data -= 0.1 * p.grad
    assert loss_fn().data < 0.01 < first


def test_a_scalar_node_is_one_object_for_the_garbage_collector():
    # Python's cyclic collector scans every tracked container; a Scalar keeps its inputs in slots
    # (no tuple per node), so a graph of n nodes adds n tracked objects, not 2n (issue 9).
    import gc

    x = Scalar(0.5)
    gc.collect()
    before = len(gc.get_objects())
    v = x
    for _ in range(1000):
        v = (v * 1.0001 + x).tanh()  # 4 nodes per iteration (the constant 1.0001 is a Scalar too)
    after = len(gc.get_objects())
    assert 4000 <= after - before < 4100
    assert v.next == (v.input_a,) and v.input_a.next == (v.input_a.input_a, x)
    v.backward()
    assert x.grad != 0.0
