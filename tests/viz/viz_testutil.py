"""Helpers for the drawing tests: a DOT parser and small graphs with known structure."""

from __future__ import annotations

import re

import numpy as np

import autograd as ag

_NODE = re.compile(r"^\s*(\w+) \[(.*)\]\s*$")
_EDGE = re.compile(r"^\s*(\w+) -> (\w+) \[(.*)\]\s*$")


def parse_dot(source):
    """(nodes {name: attribute text}, edges [(src, dst, attribute text)]) of a DOT source (no legend)."""
    nodes, edges = {}, []
    for line in source.splitlines():
        m = _EDGE.match(line)
        if m:
            edges.append(m.groups())
            continue
        m = _NODE.match(line)
        if m and m.group(1) not in ("graph", "node", "edge") and not m.group(1).endswith("legend"):
            nodes[m.group(1)] = m.group(2)
    return nodes, edges


def forward_edges(edges):
    return [e for e in edges if "class=forward" in e[2]]


def backward_edges(edges):
    return [e for e in edges if 'class="backward' in e[2] or "class=backward" in e[2]]


def graph_items(nodes):
    """Drawn graph nodes (the legend left out)."""
    return {k: v for k, v in nodes.items() if "legend" not in k}


def mlp(depth=3, width=4, scale=1.0, seed=0, meta=True):
    """A tanh MLP on float64 with nn-style node meta; returns (loss, params {dotted name: tensor})."""
    rng = np.random.default_rng(seed)
    x = ag.tensor(rng.standard_normal((5, width)))
    params = {}
    h = x
    for i in range(depth):
        out = 1 if i == depth - 1 else width
        W = ag.tensor(scale * rng.standard_normal((out, width)), requires_grad=True)
        b = ag.tensor(np.zeros(out), requires_grad=True)
        params[f"layers.{2 * i}.weight"], params[f"layers.{2 * i}.bias"] = W, b
        h = ag.linear(h, W, b)
        if meta:
            h.grad_fn.meta = {"module": f"layers.{2 * i}", "type": "Linear"}
        if i < depth - 1:
            h = h.tanh()
            if meta:
                h.grad_fn.meta = {"module": f"layers.{2 * i + 1}", "type": "Tanh"}
    loss = ((h - 1.0) ** 2).mean()
    return loss, params


def random_tensor_graph(seed, n_ops=12):
    """A random float64 DAG (reuse, broadcasting, constants); returns (loss, leaves)."""
    rng = np.random.default_rng(seed)
    leaves = [ag.tensor(rng.standard_normal((3, 4)), dtype=np.float64, requires_grad=True) for _ in range(3)]
    leaves.append(ag.tensor(rng.standard_normal((4,)), dtype=np.float64, requires_grad=True))
    const = ag.tensor(rng.standard_normal((3, 4)), dtype=np.float64)
    pool = list(leaves) + [const]
    for _ in range(n_ops):
        a = pool[int(rng.integers(len(pool)))]
        b = pool[int(rng.integers(len(pool)))]
        k = int(rng.integers(8))
        if k == 0:
            out = a + b
        elif k == 1:
            out = a * b
        elif k == 2:
            out = a - b * 0.5
        elif k == 3:
            out = a.tanh()
        elif k == 4:
            out = a.sigmoid() * a
        elif k == 5:
            out = (a * 0.1).exp()
        elif k == 6:
            out = a.sum(dim=-1, keepdim=True) + b
        else:
            out = a.leaky_relu(0.2)
        pool.append(out)
    loss = pool[-1].sum() + pool[-2].mean() + (pool[-3] * pool[-3]).sum()
    return loss, leaves


def random_scalar_graph(seed, n_ops=15):
    """A random Scalar DAG; returns (loss, leaves)."""
    rng = np.random.default_rng(seed)
    leaves = [ag.Scalar(float(rng.standard_normal()), label=f"x{i}") for i in range(3)]
    pool = list(leaves)
    for _ in range(n_ops):
        a = pool[int(rng.integers(len(pool)))]
        b = pool[int(rng.integers(len(pool)))]
        k = int(rng.integers(5))
        out = [a + b, a * b, (a * 0.3).tanh(), a - b, (a * 0.2).exp()][k]
        pool.append(out)
    return pool[-1] + pool[-2] * 2.0, leaves


def count_op_nodes(root):
    """Op vertices behind a Tensor or Scalar, counted independently of autograd.viz."""
    start = root.grad_fn if isinstance(root, ag.Tensor) else root
    seen, stack, n = set(), [start], 0
    while stack:
        v = stack.pop()
        if v is None or id(v) in seen:
            continue
        seen.add(id(v))
        if isinstance(v, ag.Node) or (isinstance(v, ag.Scalar) and v.op is not None):
            n += 1
            stack.extend(v.next)
    return n


def cluster_labels(source):
    """The labels of the clusters (subgraph cluster_*) in a DOT source."""
    labels = []
    for attrs in re.findall(r"subgraph cluster_\w+ \{\n\s*([^\n]*)", source):
        m = re.search(r'label=(?:"([^"]*)"|(\S+))', attrs)
        if m and (m.group(1) or m.group(2)):
            labels.append(m.group(1) or m.group(2))
    return labels


def cluster_body(source, label):
    """The DOT text inside the cluster with ``label`` (up to its first nested closing brace)."""
    start = source.index(f'label="{label}"') if f'label="{label}"' in source else source.index(f"label={label} ")
    return source[start:].split("\n\t}")[0]
