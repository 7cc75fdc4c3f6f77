"""The drawn graph as plain data: one iterative walk over the vertices behind some roots.

An op on Tensors becomes two items, the op and the value it made; a leaf Tensor one value item;
an input that needs no gradient (``None`` in ``node.next``) a constant item; a Scalar a value item
plus, if an op made it, an op item (micrograd's picture). Values and gradients are taken from
whatever the engine still holds: leaf data and ``.grad``, the roots, the inputs and outputs a node
saved (until backward frees them) and, under ``autograd.viz.watch()``, every node's value and
gradients.
"""

from __future__ import annotations

import numpy as np

from ..node import Node, postorder
from ..scalar import Scalar
from ..tensor import Tensor


class Item:
    """One drawn node: kind is "op", "value" or "const"."""

    __slots__ = (
        "id",
        "kind",
        "vertex",
        "name",
        "shape",
        "dtype",
        "value",
        "grad",
        "op",
        "attrs",
        "rule",
        "module",
        "root",
        "param",
        "scalar",
        "trace",
        "op_item",
        "keeps_shape",
        "role",
    )

    def __init__(self, id_, kind, vertex):
        self.id = id_
        self.kind = kind
        self.vertex = vertex
        self.name = ""
        self.shape = None
        self.dtype = None
        self.value = None
        self.grad = None
        self.op = ""
        self.attrs = ""
        self.rule = ""
        self.module = None
        self.root = False
        self.param = False
        self.scalar = False
        self.trace = None
        self.op_item = None  # for the value an op made: that op's item
        self.keeps_shape = False  # for an op: its output has its input's shape
        self.role = None  # for data a module call was given: "input" or "target"

    def __repr__(self):
        return f"<Item {self.id} {self.kind} {self.op or self.name}>"


class Edge:
    """A forward edge src → dst; when it ``flows``, a gradient ``grad`` goes back dst → src."""

    __slots__ = ("src", "dst", "index", "flows", "grad", "saved")

    def __init__(self, src, dst, index, flows, saved):
        self.src = src
        self.dst = dst
        self.index = index
        self.flows = flows
        self.grad = None
        self.saved = saved  # the op keeps this value for its backward (its output, for op → value)


class Graph:
    """Items in forward order (inputs first), edges, and lookups from engine vertices."""

    def __init__(self):
        self.items = []
        self.edges = []
        self.value_item = {}  # id(vertex) -> value item
        self.op_item = {}  # id(vertex) -> op item
        self.in_edge = {}  # (id(vertex), input index) -> edge index
        self.out_edge = {}  # id(vertex) -> index of the op → value edge
        self.module_types = {}
        self.roots = []
        self._keep = []  # the vertices, so ids stay unique while the graph lives

    def op_items(self):
        """The op items, in forward order."""
        return [it for it in self.items if it.kind == "op"]


def as_array(x):
    """A gradient or value as an ndarray (Tensors unwrapped), or a float for Scalars."""
    if x is None:
        return None
    if isinstance(x, Tensor):
        return x.array
    if isinstance(x, Scalar):
        return x.data
    if isinstance(x, (float, int, np.floating)):
        return float(x)
    return np.asarray(x)


def root_vertex(r):
    """The graph vertex of a Tensor (its grad_fn, or itself), Scalar or Node."""
    if isinstance(r, Tensor):
        return r.grad_fn if r.grad_fn is not None else r
    if isinstance(r, (Scalar, Node)):
        return r
    raise TypeError(f"cannot draw a {type(r).__name__}: pass Tensors or Scalars (or graph Nodes)")


def forward_order(roots):
    """Vertices reachable from ``roots``, each after all its inputs."""
    return postorder(roots, _inputs)


def _inputs(vertex):
    """The input vertices of a vertex (None where no gradient flows), for the walk."""
    if isinstance(vertex, (Node, Scalar)):
        return vertex.next  # structure survives backward, unlike node.inputs
    return ()


def param_names(params):
    """{id(value): name} from a {name: tensor} map or (name, tensor) pairs."""
    if params is None:
        return {}
    pairs = params.items() if hasattr(params, "items") else params
    return {id(t): str(name) for name, t in pairs}


def meta_module(meta):
    """(module name, type name) from a node's meta: a dict, an object or a plain name."""
    if meta is None:
        return None, None
    if isinstance(meta, str):
        return meta, None
    if isinstance(meta, dict):
        return meta.get("module"), meta.get("type")
    return getattr(meta, "module", None), getattr(meta, "type", None)


class _Builder:
    """Adds the items and edges of one vertex after another (in forward order) to a ``Graph``."""

    def __init__(self, graph, names, root_tensors, known, hide_constants):
        self.graph = graph
        self.names = names  # {id(value): parameter name}
        self.root_tensors = root_tensors  # {id(root vertex): the Tensor passed as that root}
        self.known = known  # {id(node): a Tensor holding its output}
        self.hide_constants = hide_constants
        self.count = 0

    def new(self, kind, vertex):
        """A new item with the next id ("op0", "v1", "c2"), appended to the graph's items."""
        prefix = {"op": "op", "value": "v", "const": "c"}[kind]
        item = Item(f"{prefix}{self.count}", kind, vertex)
        self.count += 1
        self.graph.items.append(item)
        return item

    def edge(self, src, dst, index, flows, saved):
        """Append an edge to the graph; returns its index."""
        self.graph.edges.append(Edge(src, dst, index, flows, saved))
        return len(self.graph.edges) - 1

    def add(self, v):
        """The items and edges of one vertex: a Node, a Scalar, or a leaf Tensor."""
        if isinstance(v, Node):
            self.add_node(v)
        elif isinstance(v, Scalar):
            self.add_scalar(v)
        else:  # a leaf Tensor (or a tensor with no graph at all)
            self.add_leaf(v)

    # --- an op on Tensors: its op item, its input edges (and constants), the value it made ---
    def add_node(self, v):
        """A Node: its op item, an edge from each input, the value it made, the gradients it sent."""
        op = self.node_op(v)
        self.node_inputs(v, op)
        self.node_output(v, op)
        _sent_grads(self.graph, v)

    def node_op(self, v):
        """The op item of a Node, with its attributes, creation trace and module."""
        g = self.graph
        op = self.new("op", v)
        _fill_op(op, v.op, v.ctx)
        op.trace = v.trace
        module, type_ = meta_module(v.meta)
        op.module = module
        if module and type_:
            g.module_types[module] = type_
        g.op_item[id(v)] = op
        return op

    def node_inputs(self, v, op):
        """An edge into ``op`` per input: from the input's value item, or from a new constant."""
        g = self.graph
        saves = set(v.op.saves)
        for i, e in enumerate(v.next):
            if e is not None:
                g.in_edge[(id(v), i)] = self.edge(g.value_item[id(e)], op, i, True, i in saves)
            elif not self.hide_constants:
                self.edge(self.constant(v, i), op, i, False, i in saves)

    def constant(self, v, i):
        """A const item for input ``i`` of Node ``v``: its value while saved, else its shape."""
        c = self.new("const", None)
        inputs = v.inputs
        x = inputs[i] if inputs is not None and i < len(inputs) else None
        if x is not None:
            c.value = x.array
            c.shape, c.dtype = x.array.shape, x.array.dtype
            c.name = self.names.get(id(x)) or x.name or ""
        elif v.shapes is not None:
            c.shape = v.shapes[i]
        return c

    def node_output(self, v, op):
        """The value item of the Node's output, and the op → value edge."""
        g = self.graph
        out = self.new("value", v)
        out.op_item = op
        t = self.root_tensors.get(id(v))
        _fill_node_value(out, v, t if t is not None else self.known.get(id(v)), self.names)
        g.value_item[id(v)] = out
        g.out_edge[id(v)] = self.edge(op, out, None, True, bool(v.op.saves_out))

    # --- a Scalar: micrograd's picture, a value item and (if an op made it) an op item ---
    def add_scalar(self, v):
        """A Scalar: its op item (after its inputs' items, as for Nodes), value item and edges."""
        if self.hide_constants and v.op is None and not v.label and id(v) not in self.names:
            return  # a bare number a Scalar op wrapped, hidden
        op = self.scalar_op(v) if v.op is not None else None
        item = self.scalar_value(v)
        if op is not None:
            self.scalar_edges(v, op, item)

    def scalar_op(self, v):
        """The op item of a Scalar made by an op."""
        op = self.new("op", v)
        _fill_op(op, v.op, v.ctx)
        self.graph.op_item[id(v)] = op
        return op

    def scalar_value(self, v):
        """The value item of a Scalar: its label (or parameter name), data and grad."""
        item = self.new("value", v)
        item.scalar = True
        item.name = v.label or self.names.get(id(v), "")
        item.param = id(v) in self.names
        item.value, item.grad = v.data, v.grad
        self.graph.value_item[id(v)] = item
        return item

    def scalar_edges(self, v, op, item):
        """The edges into a Scalar's op, its op → value edge, and the gradient each carries."""
        g = self.graph
        item.op_item = op
        saves = set(v.op.saves)
        for i, e in enumerate(v.next):
            if id(e) in g.value_item:
                g.in_edge[(id(v), i)] = self.edge(g.value_item[id(e)], op, i, True, i in saves)
        g.out_edge[id(v)] = self.edge(op, item, None, True, bool(v.op.saves_out))
        _scalar_edge_grads(g, v)

    def add_leaf(self, v):
        """The value item of a leaf Tensor: its data, grad and name."""
        item = self.new("value", v)
        item.value = v.array
        item.shape, item.dtype = v.array.shape, v.array.dtype
        item.grad = as_array(v.grad)
        item.name = self.names.get(id(v)) or v.name or ""
        item.param = id(v) in self.names
        self.graph.value_item[id(v)] = item


def _root_vertices(roots):
    """The vertex of each root, and {id(vertex): root} for the roots that are Tensors."""
    vertices = []
    root_tensors = {}
    for r in roots:
        v = root_vertex(r)
        vertices.append(v)
        if isinstance(r, Tensor):
            root_tensors[id(v)] = r
    return vertices, root_tensors


def _sent_grads(g, v):
    """Put the gradients a Node sent its inputs (kept under ``watch()``) on their edges."""
    if v.grad_sent is None:
        return
    for i, gi in enumerate(v.grad_sent):
        if gi is not None and (id(v), i) in g.in_edge:
            g.edges[g.in_edge[(id(v), i)]].grad = as_array(gi)


def _mark_roots(g, vertices):
    """Mark the value items of the roots."""
    for v in vertices:
        if id(v) in g.value_item:
            g.value_item[id(v)].root = True


def build(roots, params=None, hide_constants=False):
    """Walk the graph behind ``roots`` (Tensors, Scalars or Nodes) into a ``Graph``."""
    names = param_names(params)
    vertices, root_tensors = _root_vertices(roots)
    order = forward_order(vertices)
    g = Graph()
    g._keep = order
    g.roots = vertices
    builder = _Builder(g, names, root_tensors, _known_tensors(order), hide_constants)
    for v in order:
        builder.add(v)
    _mark_roots(g, vertices)
    _infer_shapes(g)
    _single_consumer_grads(g)
    _assign_modules(g)
    _name_data(g)
    return g


def _infer_shapes(g):
    """Fill the shapes backward freed: from a gradient, an edge's gradient, or a shape-keeping op."""
    for it in g.items:
        if it.shape is None and it.grad is not None and not it.scalar:
            it.shape = np.shape(it.grad)
    for e in g.edges:
        if e.src.shape is None and e.grad is not None and not e.src.scalar and e.dst.kind == "op":
            e.src.shape = np.shape(e.grad)
    ins = {}
    for e in g.edges:
        if e.dst.kind == "op":
            ins.setdefault(e.dst.id, []).append(e.src)
    same = []
    for it in g.items:
        if it.kind == "value" and it.op_item is not None and it.op_item.keeps_shape:
            xs = ins.get(it.op_item.id, [])
            if len(xs) == 1:
                same.append((xs[0], it))
    # One pass each way (inputs to outputs, then back) covers chains without repeated sweeps.
    for x, out in same:
        if out.shape is None and x.shape is not None:
            out.shape = x.shape
    for x, out in reversed(same):
        if x.shape is None and out.shape is not None:
            x.shape = out.shape


def _fill_op(item, op, ctx):
    item.op = op.name
    item.rule = op.rule
    item.keeps_shape = op.keeps_shape
    item.attrs = op_attrs(op, ctx)


def _fill_node_value(item, node, tensor, names):
    """Fill the value item of a Node's output (value, grad, name, shape) from whatever still holds them."""
    value = node.value
    if value is None:
        value = node.out
    if value is None and tensor is not None:
        value = tensor.array
    grad = node.grad_value
    retained = node.retain() if node.retain is not None else None
    if grad is None and retained is not None and retained.grad is not None:
        grad = retained.grad
    if grad is None and tensor is not None and tensor.grad is not None:
        grad = tensor.grad
    item.value = as_array(value)
    item.grad = as_array(grad)
    if item.value is not None:
        item.shape, item.dtype = item.value.shape, item.value.dtype
    for t in (tensor, retained):
        if t is not None:
            item.name = item.name or names.get(id(t)) or t.name or ""
            if item.shape is None:
                item.shape, item.dtype = t.array.shape, t.array.dtype


def _known_tensors(order):
    """{id(node): a Tensor holding its output}, from the inputs other nodes saved (pre-backward)."""
    known = {}
    for v in order:
        if isinstance(v, Node):
            if v.retain is not None:
                t = v.retain()
                if t is not None:
                    known[id(v)] = t
            if v.inputs is None:
                continue
            for i, x in enumerate(v.inputs):
                if isinstance(x, Tensor) and x.grad_fn is not None and v.next[i] is x.grad_fn:
                    known.setdefault(id(x.grad_fn), x)
    return known


def _scalar_edge_grads(g, v):
    """A Scalar keeps its inputs and ctx, so the gradient sent to each input can be recomputed."""
    try:
        xs = tuple(x.data for x in v.next)
        for i in range(len(v.next)):
            k = g.in_edge.get((id(v), i))
            if k is not None:
                g.edges[k].grad = float(v.op.vjps[i](v.grad, v.ctx, v.data, *xs))
    except (ArithmeticError, TypeError, ValueError):
        pass  # e.g. 0 · inf; the edge is then drawn without its gradient


def _single_consumer_grads(g):
    """An edge that is its source's only way back carries the source's whole gradient."""
    uses = {}
    for k, e in enumerate(g.edges):
        if e.flows and e.dst.kind == "op":
            uses.setdefault(e.src.id, []).append(k)
    for k, e in enumerate(g.edges):
        if e.grad is not None or not e.flows:
            continue
        if e.src.kind == "op":  # op → its value: the value's gradient flows back into the op
            e.grad = e.dst.grad
        elif len(uses.get(e.src.id, ())) == 1 and not e.src.scalar:
            e.grad = e.src.grad


def _assign_modules(g):
    """Module of every item: node meta, parameter name prefix, then absorb unlabelled ops."""
    for it in g.items:
        if it.kind == "value" and it.op_item is not None:
            it.module = it.op_item.module
        elif it.kind == "value" and it.param and "." in it.name:
            it.module = it.name.rsplit(".", 1)[0]
    inputs = {}
    consumers = {}
    for e in g.edges:
        if e.dst.kind == "op":
            inputs.setdefault(e.dst.id, []).append(e.src)
            consumers.setdefault(e.src.id, []).append(e.dst)
    # nn labels only the last node a module made. An unlabelled op joins module M when everything
    # that uses its value is in M (or joins M) and a chain of such ops leads back to something of
    # M (its parameter, an earlier labelled op): the matmul under a block's labelled tanh does, a
    # relu between two layers does not.
    cand = {}
    for it in reversed(g.items):
        if it.kind != "op" or it.module is not None:
            continue
        out = g.value_item.get(id(it.vertex))
        mods = {u.module or cand.get(u.id) for u in consumers.get(out.id, [])} if out is not None else set()
        if len(mods) == 1 and None not in mods:
            cand[it.id] = mods.pop()
    for it in g.items:
        m = cand.get(it.id)
        if m is not None and any(x.module == m for x in inputs.get(it.id, [])):
            it.module = m
            out = g.value_item.get(id(it.vertex))
            if out is not None:
                out.module = m


def _consumers(g):
    """{item id: the op items its value feeds}."""
    out = {}
    for e in g.edges:
        if e.dst.kind == "op":
            out.setdefault(e.src.id, []).append(e.dst)
    return out


def is_loss(g, module):
    """Whether nn recorded ``module`` as a loss (its type name ends in "Loss")."""
    return bool(module) and (g.module_types.get(module) or "").endswith("Loss")


def _name_data(g):
    """Name the data of a module call (its input, a loss's target) and put internal constants in their module."""
    consumers = _consumers(g)
    _absorb_into_losses(g, consumers)
    first = next((it for it in g.items if it.kind == "op" and it.module and not is_loss(g, it.module)), None)
    for it in g.items:
        users = consumers.get(it.id, [])
        data = it.kind == "const" or (it.kind == "value" and it.op_item is None and not it.param and not it.scalar)
        if not data or len(users) != 1 or it.name:
            continue
        op = users[0]
        if op is first and _index(g, it, op) == 0:
            it.role = "input"
        elif is_loss(g, op.module) and _index(g, it, op) >= 1:
            it.role = "target"
        elif it.kind == "const" and op.module:
            it.module = op.module  # a module's own constant (a Dropout mask) stays in its box
        if it.role:
            it.name = it.role


def _absorb_into_losses(g, consumers):
    """An unlabelled op whose value only a loss uses is part of that loss (MSELoss's sub and square)."""
    for it in reversed(g.items):
        if it.kind != "op" or it.module is not None:
            continue
        out = g.value_item.get(id(it.vertex))
        users = consumers.get(out.id, []) if out is not None else []
        mods = {u.module for u in users}
        if len(mods) == 1 and is_loss(g, next(iter(mods))):
            it.module = out.module = mods.pop()


def _index(g, src, op):
    """The input position of ``src`` in ``op`` (-1 if it is not an input)."""
    return next((e.index for e in g.edges if e.src is src and e.dst is op), -1)


def op_attrs(op, ctx):
    """The op's attributes as short text ("dim=1", "slope=0.01"), from its record's ``describe``."""
    if ctx is None or op.describe is None:
        return ""
    try:
        return op.describe(ctx)
    except (TypeError, ValueError, IndexError):
        return ""  # e.g. a bound given as an array: nothing short to say


# --- the course's names for a layered network ----------------------------------------------------
# Module types (as nn records them) that are a layer's affine map z = W a + b, and activations a = f(z).
AFFINE_TYPES = ("Linear", "Conv1d", "Conv2d")
ACTIVATION_TYPES = (
    "ReLU",
    "LeakyReLU",
    "PReLU",
    "GELU",
    "ELU",
    "SELU",
    "Sigmoid",
    "Tanh",
    "Softplus",
    "Softmax",
    "LogSoftmax",
)
_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def layer_index(n):
    """The course's layer superscript: 1 → "⁽¹⁾"."""
    return "⁽" + str(n).translate(_SUPERSCRIPT) + "⁾"


def module_outputs(g):
    """[(module, its output value item)] in forward order, for the modules nn labelled."""
    out, where = {}, {}
    for n, it in enumerate(g.items):
        if it.kind == "value" and it.op_item is not None and it.module:
            out[it.module], where[it.module] = it, n  # the last value a module made is what it hands on
    return sorted(out.items(), key=lambda kv: where[kv[0]])


def layer_names(g):
    """({value item id: "z⁽ˡ⁾" or "a⁽ˡ⁾"}, {edge index: "δ⁽ˡ⁾"}): the course's names on a layered net.

    The output of the l-th affine layer (Linear, Conv) is z⁽ˡ⁾, that of the activation after it
    a⁽ˡ⁾, and the gradient flowing back into z⁽ˡ⁾ is δ⁽ˡ⁾ = ∂L/∂z⁽ˡ⁾ (on z's only way back).
    """
    values, edges = {}, {}
    layer, last = 0, None
    for module, out in module_outputs(g):
        kind = g.module_types.get(module)
        if kind in AFFINE_TYPES:
            layer += 1
            values[out.id] = "z" + layer_index(layer)
            k = _delta_edge(g, out)
            if k is not None:
                edges[k] = "δ" + layer_index(layer)
            last = "z"
        elif kind in ACTIVATION_TYPES and last == "z":
            values[out.id] = "a" + layer_index(layer)
            last = "a"
    return values, edges


def _delta_edge(g, z):
    """The edge whose gradient is all of ∂L/∂z: z's only way back, else the edge into the op that made z."""
    uses = [k for k, e in enumerate(g.edges) if e.src is z and e.flows and e.dst.kind == "op"]
    return uses[0] if len(uses) == 1 else g.out_edge.get(id(z.vertex))
