"""Matrix products: matmul (1-D, 2-D, batched with broadcasting), the fused linear layer, einsum,
and composites (diag, diagonal, trace, outer, dot, mm, bmm, tensordot, addmm, baddbmm, addmv, mv,
inner, cross, kron)."""

from __future__ import annotations

import numpy as np

from ..extend import Op, ShapeError, Tensor, apply, as_tensor, dual, export
from .dims import normalize_dims
from .indexing import index_add_zeros
from .join import cat
from .unary import where

TITLE = "matrix products"  # the family's name in the README op table


def _check_dtypes(name, x, y):
    if x.dtype != y.dtype and x.dtype.kind == "f" and y.dtype.kind == "f":
        raise TypeError(
            f"{name}: both operands must have the same dtype, got {x.dtype} and {y.dtype}; "
            f"convert one with .float() or .double()"
        )


@export(methods=("matmul", "__matmul__", ("__rmatmul__", lambda self, other: matmul(other, self))))
def matmul(x, y):
    """x @ y with NumPy's rules: 1-D operands are promoted and the added dim removed."""
    if not isinstance(x, Tensor):
        x = as_tensor(x, like=y)
    if not isinstance(y, Tensor):
        y = as_tensor(y, like=x)
    if x.ndim == 0 or y.ndim == 0:
        raise ShapeError(f"matmul: both operands need at least 1 dim, got shapes {x.shape} and {y.shape}")
    _check_dtypes("matmul", x, y)
    try:
        data = np.matmul(x.array, y.array)
    except ValueError:
        k1 = x.shape[-1]
        k2 = y.shape[-2] if y.ndim > 1 else y.shape[0]
        raise ShapeError(
            f"matmul: shapes {x.shape} and {y.shape} do not fit: the last dim of the first ({k1}) "
            f"must equal the {'second-to-last' if y.ndim > 1 else 'only'} dim of the second ({k2}), "
            f"and batch dims must broadcast"
        ) from None
    return apply(MATMUL, np.asarray(data), (x, y))


def _matmul_vjp_x(g, ctx, out, x, y):
    if y.ndim == 1:
        if x.ndim == 1:
            return g * y
        return g[..., None] * y  # outer product per batch: (..., n, 1) * (k,)
    if x.ndim == 1:
        return (y @ g[..., None])[..., 0]
    return g @ y.mT


def _matmul_vjp_y(g, ctx, out, x, y):
    if x.ndim == 1:
        if y.ndim == 1:
            return g * x
        return x[..., :, None] * g[..., None, :]
    if y.ndim == 1:
        return (x.mT @ g[..., None])[..., 0]
    return x.mT @ g


MATMUL = Op(
    "matmul",
    (_matmul_vjp_x, _matmul_vjp_y),
    saves=(0, 1),
    broadcasts=True,
    keeps_shape=False,
    rule="∂L/∂A = G·Bᵀ,  ∂L/∂B = Aᵀ·G",
)


# NOTE: a primitive (not matmul + add) for speed: one node, and the bias gradient is one sum.
@export(methods=())
def linear(x, weight, bias=None):
    """z = x Wᵀ + b for x of shape (..., in_features), W of shape (out_features, in_features)."""
    xd = x.array
    wd = weight.array
    # One combined test on the arrays for the layer's hot path; the messages are built only on failure.
    if wd.ndim != 2 or xd.ndim == 0 or xd.shape[-1] != wd.shape[1] or xd.dtype != wd.dtype:
        _check_linear(x, weight)
    data = xd @ wd.T
    if bias is None:
        return apply(LINEAR_NO_BIAS, data, (x, weight))
    if bias.array.shape != (wd.shape[0],):
        raise ShapeError(
            f"linear: bias has shape {bias.shape}, expected ({weight.shape[0]},) for weight {weight.shape}"
        )
    data += bias.array
    return apply(LINEAR, data, (x, weight, bias))


def _check_linear(x, weight):
    if weight.ndim != 2:
        raise ShapeError(f"linear: weight must be 2-D (out_features, in_features), got shape {weight.shape}")
    if x.ndim == 0 or x.shape[-1] != weight.shape[1]:
        raise ShapeError(
            f"linear: input of shape {x.shape} has {x.shape[-1] if x.ndim else 0} features in its last "
            f"dim, but the weight of shape {weight.shape} expects in_features={weight.shape[1]}"
        )
    _check_dtypes("linear", x, weight)


def _linear_vjp_x(g, ctx, out, x, w, b=None):
    return g @ w


def _linear_vjp_w(g, ctx, out, x, w, b=None):
    if g.ndim == 2:
        return g.mT @ x
    g2 = g.reshape((-1, g.shape[-1]))
    x2 = x.reshape((-1, x.shape[-1]))
    return g2.mT @ x2


def _linear_vjp_b(g, ctx, out, x, w, b):
    if g.__class__ is np.ndarray and g.ndim == 2:
        return np.add.reduce(g, 0)  # the layer's case, without the generic sum's dispatch
    return dual.sum(g, tuple(range(g.ndim - 1))) if g.ndim > 1 else g


LINEAR = Op(
    "linear",
    (_linear_vjp_x, _linear_vjp_w, _linear_vjp_b),
    saves=(0, 1),
    keeps_shape=False,
    rule="δ(l−1) = δ W,  ∂L/∂W = δᵀ a(l−1),  ∂L/∂b = Σ δ",
)
LINEAR_NO_BIAS = Op(
    "linear",
    (_linear_vjp_x, _linear_vjp_w),
    saves=(0, 1),
    keeps_shape=False,
    rule="δ(l−1) = δ W,  ∂L/∂W = δᵀ a(l−1)",
)


# Composites of matmul, indexing and reshape (their gradients come from those ops).


def _need(name, x, ndims, what):
    if x.ndim not in ndims:
        raise ShapeError(f"{name}: expected {what}, got a tensor of shape {x.shape}")


def _tensor_pair(x, y):
    if not isinstance(x, Tensor):
        x = as_tensor(x, like=y)
    if not isinstance(y, Tensor):
        y = as_tensor(y, like=x)
    return x, y


def _diagonal_index(m, n, offset):
    if offset >= 0:
        k = max(0, min(m, n - offset))
        return np.arange(k), np.arange(k) + offset
    k = max(0, min(m + offset, n))
    return np.arange(k) - offset, np.arange(k)


@export
def diagonal(x, offset=0, dim1=0, dim2=1):
    """The diagonal of the (dim1, dim2) planes, as the last dim (``offset`` > 0: above the main one)."""
    if x.ndim < 2:
        raise ShapeError(f"diagonal: input must have at least 2 dims, got shape {x.shape}")
    a = normalize_dims((dim1,), x.ndim, "diagonal")[0]
    b = normalize_dims((dim2,), x.ndim, "diagonal")[0]
    if a == b:
        raise ValueError(f"diagonal: dim1 and dim2 cannot be the same dim ({dim1}, {dim2})")
    rest = [d for d in range(x.ndim) if d not in (a, b)]
    moved = x.permute(rest + [a, b]) if rest + [a, b] != list(range(x.ndim)) else x
    rows, cols = _diagonal_index(x.shape[a], x.shape[b], int(offset))
    return moved[..., rows, cols]


_diagonal = diagonal


@export
def diag(x, diagonal=0):
    """1-D: the square matrix with x on its ``diagonal``; 2-D: that diagonal of x."""
    _need("diag", x, (1, 2), "a 1-D or 2-D tensor")
    d = int(diagonal)
    if x.ndim == 2:
        return _diagonal(x, d)
    n = x.shape[0] + abs(d)
    rows, cols = _diagonal_index(n, n, d)
    return index_add_zeros(x, ((rows, cols), False, (n, n)))


@export
def trace(x):
    """The sum of the main diagonal of a 2-D tensor."""
    _need("trace", x, (2,), "a 2-D tensor")
    return diagonal(x).sum()


@export
def outer(x, y):
    """The outer product of two 1-D tensors: out[i, j] = x[i] y[j]."""
    x, y = _tensor_pair(x, y)
    if x.ndim != 1 or y.ndim != 1:
        raise ShapeError(f"outer: both operands must be 1-D, got shapes {x.shape} and {y.shape}")
    _check_dtypes("outer", x, y)
    return x.reshape((-1, 1)) * y


@export
def dot(x, y):
    """The inner product of two 1-D tensors of the same length."""
    x, y = _tensor_pair(x, y)
    if x.ndim != 1 or y.ndim != 1 or x.shape != y.shape:
        raise ShapeError(f"dot: expected two 1-D tensors of the same length, got shapes {x.shape} and {y.shape}")
    return matmul(x, y)


@export
def mm(x, y):
    """The product of two matrices (n, k) @ (k, m)."""
    x, y = _tensor_pair(x, y)
    if x.ndim != 2 or y.ndim != 2 or x.shape[1] != y.shape[0]:
        raise ShapeError(f"mm: expected 2-D tensors (n, k) and (k, m), got shapes {x.shape} and {y.shape}")
    return matmul(x, y)


@export
def bmm(x, y):
    """Batched matrix products (b, n, k) @ (b, k, m), without broadcasting."""
    x, y = _tensor_pair(x, y)
    if x.ndim != 3 or y.ndim != 3 or x.shape[0] != y.shape[0] or x.shape[2] != y.shape[1]:
        raise ShapeError(f"bmm: expected 3-D tensors (b, n, k) and (b, k, m), got shapes {x.shape} and {y.shape}")
    return matmul(x, y)


@export(methods=())
def tensordot(x, y, dims=2):
    """Contract x's dims ``dims[0]`` with y's ``dims[1]`` (an int n: x's last n with y's first n)."""
    x, y = _tensor_pair(x, y)
    if isinstance(dims, (int, np.integer)):
        n = int(dims)
        if n < 0 or n > min(x.ndim, y.ndim):
            raise ShapeError(f"tensordot: cannot contract {n} dims of shapes {x.shape} and {y.shape}")
        da, db = list(range(x.ndim - n, x.ndim)), list(range(n))
    else:
        da, db = ([d] if isinstance(d, (int, np.integer)) else list(d) for d in dims)
        if len(da) != len(db):
            raise ShapeError(f"tensordot: dims {dims} must list as many dims of each operand")
        da = [int(d) % x.ndim if x.ndim else int(d) for d in da]
        db = [int(d) % y.ndim if y.ndim else int(d) for d in db]
    for a, b in zip(da, db):
        if not (a < x.ndim and b < y.ndim) or x.shape[a] != y.shape[b]:
            raise ShapeError(
                f"tensordot: dims {da} of shape {x.shape} and {db} of shape {y.shape} do not match in size"
            )
    fa = [d for d in range(x.ndim) if d not in da]
    fb = [d for d in range(y.ndim) if d not in db]
    k = int(np.prod([x.shape[d] for d in da]))
    xa = x.permute(fa + da).reshape((-1, k)) if x.ndim else x.reshape((1, 1))
    yb = y.permute(db + fb).reshape((k, -1)) if y.ndim else y.reshape((1, 1))
    return matmul(xa, yb).reshape(tuple(x.shape[d] for d in fa) + tuple(y.shape[d] for d in fb))


_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _parse_einsum(equation, shapes):
    """The equation with '...' spelled out in letters: (input subscripts, output subscript)."""
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    subs = lhs.split(",")
    if len(subs) != len(shapes):
        raise ValueError(f"einsum: the equation {equation!r} has {len(subs)} operands, got {len(shapes)} tensors")
    used = set(c for c in eq if c.isalpha())
    spare = [c for c in _LETTERS if c not in used]
    n_ell = 0
    for s, shape in zip(subs, shapes):
        named = len(s.replace("...", ""))
        if any(not (c.isalpha() or c == ".") for c in s) or (s.count(".") not in (0, 3)):
            raise ValueError(f"einsum: invalid subscripts {s!r} in {equation!r}")
        if ("..." in s and named > len(shape)) or ("..." not in s and named != len(shape)):
            raise ShapeError(f"einsum: subscripts {s!r} do not fit an operand of shape {tuple(shape)} in {equation!r}")
        if "..." in s:
            n_ell = max(n_ell, len(shape) - named)
    ell = "".join(spare[:n_ell])
    full = [s.replace("...", ell[n_ell - (len(shape) - len(s.replace("...", ""))) :]) for s, shape in zip(subs, shapes)]
    if arrow:
        out = rhs.replace("...", ell)
    else:
        counts = {}
        for s in lhs.replace("...", "").replace(",", ""):
            counts[s] = counts.get(s, 0) + 1
        out = ell + "".join(sorted(c for c, n in counts.items() if n == 1))
    sizes = {}
    for s, shape in zip(full, shapes):
        for c, n in zip(s, shape):
            if sizes.get(c, 1) not in (1, n) and n != 1:
                raise ShapeError(
                    f"einsum: subscript {c!r} has size {sizes[c]} in one operand and {n} in another "
                    f"(shapes {[tuple(sh) for sh in shapes]}, equation {equation!r})"
                )
            sizes[c] = max(sizes.get(c, 1), n)
    if len(set(out)) != len(out) or any(c not in sizes for c in out):
        raise ValueError(f"einsum: invalid output subscripts {rhs!r} in {equation!r}")
    return full, out


@export(methods=())
def einsum(equation, *operands):
    """Einstein summation as NumPy's einsum; '...' broadcasts.

    More than two operands are contracted two at a time in the order ``np.einsum_path`` picks
    (NumPy's optimized path), each step one recorded node.
    """
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    if not operands:
        raise ValueError("einsum: expected at least one operand")
    ops = [t if isinstance(t, Tensor) else as_tensor(t) for t in operands]
    for t in ops[1:]:
        _check_dtypes("einsum", ops[0], t)
    subs, out = _parse_einsum(equation, [t.shape for t in ops])
    if len(ops) <= 2:
        return _einsum_node(subs, out, ops)
    eq = ",".join(subs) + "->" + out
    path = np.einsum_path(eq, *[t.array for t in ops], optimize="optimal" if len(ops) <= 4 else "greedy")[0][1:]
    subs, ops = list(subs), list(ops)
    for step in path:
        picked = sorted(step, reverse=True)
        these = [(subs.pop(k), ops.pop(k)) for k in picked][::-1]
        needed = set(out).union(*subs) if subs else set(out)
        letters = "".join(dict.fromkeys("".join(sub for sub, _ in these)))
        inter = out if not subs else "".join(c for c in letters if c in needed)
        subs.append(inter)
        ops.append(_einsum_node([sub for sub, _ in these], inter, [t for _, t in these]))
    (result,) = ops
    if subs[0] != out:  # the last step already produced ``out``'s order; this only reorders
        result = _einsum_node([subs[0]], out, [result])
    return result


def _einsum_node(subs, out, ops):
    eq = ",".join(subs) + "->" + out
    data = np.asarray(np.einsum(eq, *[t.array for t in ops], optimize=len(ops) > 1))
    if data.dtype != ops[0].dtype and ops[0].dtype.kind == "f":
        data = data.astype(ops[0].dtype)
    ctx = (tuple(subs), out, tuple(tuple(t.shape) for t in ops), ops[0].dtype)
    return apply(EINSUM if len(ops) == 1 else EINSUM2, data, tuple(ops), ctx)


def _einsum_any(eq, *xs):
    if any(isinstance(v, Tensor) for v in xs):
        like = next(v for v in xs if isinstance(v, Tensor))
        return einsum(eq, *[v if isinstance(v, Tensor) else as_tensor(v, like=like) for v in xs])
    return np.asarray(np.einsum(eq, *xs, optimize=len(xs) > 1))


def _einsum_vjp(i, g, ctx, out, *xs):
    subs, out_sub, shapes, dtype = ctx
    mine = subs[i]
    others = [s for j, s in enumerate(subs) if j != i]
    rest = [x for j, x in enumerate(xs) if j != i]
    reached = set(out_sub).union(*others) if others else set(out_sub)
    unique = "".join(dict.fromkeys(mine))
    present = "".join(c for c in unique if c in reached)
    grad = _einsum_any(",".join([out_sub] + others) + "->" + present, g, *rest)
    shape = shapes[i]
    size = dict(zip(mine, shape))
    # letters only this operand has were summed out: broadcast the gradient over them
    if present != unique:
        spread = tuple(grad.shape[present.index(c)] if c in present else 1 for c in unique)
        grad = dual.broadcast_to(grad.reshape(spread), tuple(max(n, size[c]) for n, c in zip(spread, unique)))
    # a letter repeated in the operand (a diagonal): put the gradient back on the diagonal
    if len(unique) != len(mine):
        spare = iter(c for c in _LETTERS if c not in "".join(subs) + out_sub)
        renamed, eyes, seen = [], [], set()
        for c in mine:
            if c in seen:
                r = next(spare)
                renamed.append(r)
                eyes.append((c + r, np.eye(size[c], dtype=dtype)))
            else:
                renamed.append(c)
                seen.add(c)
        grad = _einsum_any(
            ",".join([unique] + [e for e, _ in eyes]) + "->" + "".join(renamed), grad, *[m for _, m in eyes]
        )
    if tuple(grad.shape) != shape:
        grad = dual.sum_to(grad, shape)
    return grad


EINSUM = Op(
    "einsum",
    (lambda g, ctx, out, x: _einsum_vjp(0, g, ctx, out, x),),
    saves=(),
    keeps_shape=False,
    describe=lambda ctx: ",".join(ctx[0]) + "->" + ctx[1],
    rule="∂L/∂x = g spread back to x's subscripts (broadcast, diagonal)",
)
EINSUM2 = Op(
    "einsum",
    (
        lambda g, ctx, out, x, y: _einsum_vjp(0, g, ctx, out, x, y),
        lambda g, ctx, out, x, y: _einsum_vjp(1, g, ctx, out, x, y),
    ),
    saves=(0, 1),
    keeps_shape=False,
    describe=lambda ctx: ",".join(ctx[0]) + "->" + ctx[1],
    rule="∂L/∂A = einsum(g, B → A's subscripts),  ∂L/∂B = einsum(g, A → B's subscripts)",
)


def _scaled_sum(input, product, beta, alpha):
    """β·input + α·product; with β = 0 the input is ignored (its NaNs too), as PyTorch."""
    if alpha != 1:
        product = product * alpha
    if beta == 0:  # input's gradient is 0, as PyTorch's, and its NaNs do not reach the result
        return where(np.ones(np.broadcast_shapes(np.shape(input), product.shape), bool), product, input)
    return (input if beta == 1 else input * beta) + product


@export
def addmm(input, mat1, mat2, *, beta=1, alpha=1):
    """β·input + α·(mat1 @ mat2)."""
    return _scaled_sum(input, mm(mat1, mat2), beta, alpha)


@export
def baddbmm(input, batch1, batch2, *, beta=1, alpha=1):
    """β·input + α·(batch1 @ batch2), batched."""
    return _scaled_sum(input, bmm(batch1, batch2), beta, alpha)


@export
def addmv(input, mat, vec, *, beta=1, alpha=1):
    """β·input + α·(mat @ vec)."""
    return _scaled_sum(input, mv(mat, vec), beta, alpha)


@export
def mv(input, vec):
    """The product of a matrix (n, m) and a vector (m,)."""
    input, vec = _tensor_pair(input, vec)
    if input.ndim != 2 or vec.ndim != 1 or input.shape[1] != vec.shape[0]:
        raise ShapeError(f"mv: expected a matrix (n, m) and a vector (m,), got shapes {input.shape} and {vec.shape}")
    return matmul(input, vec)


@export
def inner(input, other):
    """Σ over the last dims of both: the dot product for vectors, a number times a tensor for 0-d."""
    input, other = _tensor_pair(input, other)
    if input.ndim == 0 or other.ndim == 0:
        return input * other
    if input.shape[-1] != other.shape[-1]:
        raise ShapeError(f"inner: the last dims must match, got shapes {input.shape} and {other.shape}")
    return tensordot(input, other, ([-1], [-1]))


@export
def cross(input, other, dim=None):
    """The cross product along ``dim`` (of size 3; the first such dim when None, as torch.cross)."""
    input, other = _tensor_pair(input, other)
    shape = np.broadcast_shapes(input.shape, other.shape)
    if dim is None:
        dim = next((i for i, n in enumerate(shape) if n == 3), None)
        if dim is None:
            raise ShapeError(f"cross: no dim of size 3 in shapes {input.shape} and {other.shape}")
    (d,) = normalize_dims(dim, len(shape), "cross")
    if shape[d] != 3:
        raise ShapeError(f"cross: dim {dim} must have size 3, got shapes {input.shape} and {other.shape}")
    a, b = input.broadcast_to(shape), other.broadcast_to(shape)
    a0, a1, a2 = (a.narrow(d, i, 1) for i in range(3))
    b0, b1, b2 = (b.narrow(d, i, 1) for i in range(3))
    return cat([a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0], d)


@export
def kron(input, other):
    """The Kronecker product: every entry of input times all of other, in blocks."""
    input, other = _tensor_pair(input, other)
    nd = max(input.ndim, other.ndim)
    sa = (1,) * (nd - input.ndim) + input.shape
    sb = (1,) * (nd - other.ndim) + other.shape
    # a[i, j] b[k, l] laid out as (i, k, j, l), then merged in pairs: block (i, j) is a[i, j]·b
    a = input.reshape(tuple(v for n in sa for v in (n, 1)))
    b = other.reshape(tuple(v for n in sb for v in (1, n)))
    return (a * b).reshape(tuple(m * n for m, n in zip(sa, sb)))
