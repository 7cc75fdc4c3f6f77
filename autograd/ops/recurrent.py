"""Recurrent cells: one LSTM time step and one GRU time step, each a primitive with a closed-form VJP,
and a whole LSTM layer (``lstm_layer``: every step and the backward through time in one node).

NOTE: primitives rather than the composite of slices, sigmoid, tanh, products and sums for speed:
a step of the composite makes ~15 nodes (four slices whose adjoints each fill a zero array), the
fused step one (GRU) or three (LSTM: the step and its two output slices). nn.LSTM 64→128, 32 steps,
batch 32, forward+backward went from 2.3× to 2.1× PyTorch's time with the fused step alone (CPU time),
nn.GRU from 1.54× to 1.07× (the README's bench section has the rest). The VJPs read the gate values
the forward saved; under
``create_graph=True`` they recompute them from the input Tensors with differentiable ops, so the
same rule gives second derivatives.
"""

from __future__ import annotations

import numpy as np

from ..extend import Op, ShapeError, Tensor, apply, dual, export
from .join import cat, stack

TITLE = "recurrent cells and layers"  # the family's name in the README op table


def _sigmoid_into(z, out):
    """σ(z) = 1/(1 + e^(−z)) written into ``out``, three in-place passes.

    NOTE: e^(−z) overflows to inf for z below about −88 (float32), and 1/(1 + inf) = 0 is σ's
    limit there, so the overflow is silenced rather than avoided; elsewhere the relative error is
    a few ulps, as in special.sigmoid_array, at a third of its cost.
    """
    np.negative(z, out=out)
    with np.errstate(over="ignore"):
        np.exp(out, out=out)
    out += 1.0
    np.reciprocal(out, out=out)
    return out


def _cat(parts):
    """Join along the last dim: arrays in a first-order backward, Tensors under create_graph."""
    if isinstance(parts[0], Tensor):
        return cat(parts, dim=-1)
    return np.concatenate(parts, axis=-1)


def _check_cell(name, gates, state, n):
    """A ShapeError naming the shapes unless gates is (..., n·H) for a state (..., H) of the same batch."""
    hidden = state.shape[-1] if state.ndim else 0
    if gates.ndim == 0 or gates.shape[-1] != n * hidden or tuple(gates.shape[:-1]) != tuple(state.shape[:-1]):
        raise ShapeError(
            f"{name}: gates of shape {tuple(gates.shape)} need the state's batch dims and {n}·H = {n * hidden} "
            f"entries in the last dim for a state of shape {tuple(state.shape)}"
        )
    if gates.dtype != state.dtype:
        raise TypeError(f"{name}: gates are {gates.dtype} but the state is {state.dtype}")


# --- LSTM -------------------------------------------------------------------------------------


def _lstm_forward(z, c):
    """Arrays: the activated gates [σ(i), σ(f), tanh(g), σ(o)], tanh(c') and the packed output [h' | c']."""
    hidden = c.shape[-1]
    acts = _sigmoid_into(z, np.empty_like(z))
    np.tanh(z[..., 2 * hidden : 3 * hidden], out=acts[..., 2 * hidden : 3 * hidden])
    i, f, g, o = (acts[..., k * hidden : (k + 1) * hidden] for k in range(4))
    out = np.empty(c.shape[:-1] + (2 * hidden,), dtype=c.dtype)
    c_new = out[..., hidden:]
    np.multiply(f, c, out=c_new)
    c_new += i * g
    tc = np.tanh(c_new)
    np.multiply(o, tc, out=out[..., :hidden])
    return acts, tc, out


def _lstm_values(ctx, z, c):
    """(i, f, g, o, tanh c'): the saved arrays in a first-order backward, recomputed from Tensors otherwise."""
    hidden = ctx[0]
    if not isinstance(z, Tensor):
        acts, tc = ctx[1], ctx[2]
        return tuple(acts[..., k * hidden : (k + 1) * hidden] for k in range(4)) + (tc,)
    i, f, o = (dual.sigmoid(z[..., k * hidden : (k + 1) * hidden]) for k in (0, 1, 3))
    g = dual.tanh(z[..., 2 * hidden : 3 * hidden])
    return i, f, g, o, dual.tanh(f * c + i * g)


def _lstm_dc(gout, ctx, z, c):
    """∂L/∂c' in all: what reaches c' directly plus what reaches it through h' = o ⊙ tanh c'."""
    hidden = ctx[0]
    i, f, g, o, tc = _lstm_values(ctx, z, c)
    gh, gc = gout[..., :hidden], gout[..., hidden:]
    return gc + gh * o * (1.0 - tc * tc), (i, f, g, o, tc, gh)


def _lstm_vjp_gates(gout, ctx, out, z, c):
    if isinstance(gout, np.ndarray):
        return _lstm_gates_array(gout, ctx, c)
    dc, (i, f, g, o, tc, gh) = _lstm_dc(gout, ctx, z, c)
    return _cat([dc * g * i * (1.0 - i), dc * c * f * (1.0 - f), dc * i * (1.0 - g * g), gh * tc * o * (1.0 - o)])


def _lstm_gates_array(gout, ctx, c):
    """The gates' VJP of a first-order backward: the Tensor path's formulas as a few whole-array passes
    (a(1 − a) for all four gates, then the g column fixed to 1 − g²), 30 µs instead of 52 at (32, 4·128)."""
    hidden, acts, tc = ctx
    i, f, g, o = (acts[..., k * hidden : (k + 1) * hidden] for k in range(4))
    gh = gout[..., :hidden]
    dc = gh * o  # δc' = g_h ⊙ o ⊙ (1 − tanh²c') + g_c
    dc *= 1.0 - tc * tc
    dc += gout[..., hidden:]
    d = np.subtract(1.0, acts)
    d *= acts
    dg = d[..., 2 * hidden : 3 * hidden]
    np.multiply(g, g, out=dg)
    np.subtract(1.0, dg, out=dg)
    upstream = np.empty_like(acts)  # what multiplies each gate's derivative: δc' ⊙ [g, c, i], g_h ⊙ tanh c'
    np.multiply(dc, g, out=upstream[..., :hidden])
    np.multiply(dc, c, out=upstream[..., hidden : 2 * hidden])
    np.multiply(dc, i, out=upstream[..., 2 * hidden : 3 * hidden])
    np.multiply(gh, tc, out=upstream[..., 3 * hidden :])
    d *= upstream
    return d


def _lstm_vjp_c(gout, ctx, out, z, c):
    dc, (i, f, g, o, tc, gh) = _lstm_dc(gout, ctx, z, c)
    return dc * f


LSTM_CELL = Op(
    "lstm_cell",
    (_lstm_vjp_gates, _lstm_vjp_c),
    saves=(0, 1),
    keeps_shape=False,
    rule="δc' = g_c + g_h ⊙ o ⊙ (1 − tanh²c');  δ[i,f,g,o] = [δc'⊙g⊙i(1−i), δc'⊙c⊙f(1−f), δc'⊙i⊙(1−g²), "
    "g_h⊙tanh c'⊙o(1−o)];  ∂L/∂c = δc' ⊙ f",
)


@export(methods=())
def lstm_cell(gates, c):
    """One LSTM step from the gates' pre-activations z = W_ih x + b_ih + W_hh h + b_hh (..., 4H), in
    PyTorch's order i, f, g, o, and the cell state c (..., H): returns (h', c') with
    c' = σ(f) ⊙ c + σ(i) ⊙ tanh(g) and h' = σ(o) ⊙ tanh(c')."""
    _check_cell("lstm_cell", gates, c, 4)
    acts, tc, packed = _lstm_forward(gates.numpy(), c.numpy())
    both = apply(LSTM_CELL, packed, (gates, c), (c.shape[-1], acts, tc))
    hidden = c.shape[-1]
    return both[..., :hidden], both[..., hidden:]


# --- GRU --------------------------------------------------------------------------------------


def _gru_forward(gi, gh, h):
    """Arrays: the gates [σ(r), σ(z), tanh(n)] and h' = (1 − z) ⊙ n + z ⊙ h."""
    hidden = h.shape[-1]
    pre = gi[..., : 2 * hidden] + gh[..., : 2 * hidden]
    acts = np.empty(gi.shape, dtype=gi.dtype)
    _sigmoid_into(pre, acts[..., : 2 * hidden])
    r, z, n = (acts[..., k * hidden : (k + 1) * hidden] for k in range(3))
    np.multiply(r, gh[..., 2 * hidden :], out=n)
    n += gi[..., 2 * hidden :]
    np.tanh(n, out=n)
    out = h - n
    out *= z
    out += n
    return acts, out


def _gru_values(ctx, gi, gh, h):
    """(r, z, n, W_hn h + b_hn): saved arrays in a first-order backward, recomputed from Tensors otherwise."""
    hidden = ctx[0]
    hn = gh[..., 2 * hidden :]
    if not isinstance(gi, Tensor):
        acts = ctx[1]
        return acts[..., :hidden], acts[..., hidden : 2 * hidden], acts[..., 2 * hidden :], hn
    r = dual.sigmoid(gi[..., :hidden] + gh[..., :hidden])
    z = dual.sigmoid(gi[..., hidden : 2 * hidden] + gh[..., hidden : 2 * hidden])
    return r, z, dual.tanh(gi[..., 2 * hidden :] + r * hn), hn


def _gru_deltas(g, ctx, gi, gh, h):
    """δ of the r and z pre-activations, δ of n's pre-activation, and r."""
    r, z, n, hn = _gru_values(ctx, gi, gh, h)
    dn = g * (1.0 - z) * (1.0 - n * n)
    return dn * hn * r * (1.0 - r), g * (h - n) * z * (1.0 - z), dn, r


def _gru_vjp_gi(g, ctx, out, gi, gh, h):
    dr, dz, dn, r = _gru_deltas(g, ctx, gi, gh, h)
    return _cat([dr, dz, dn])


def _gru_vjp_gh(g, ctx, out, gi, gh, h):
    dr, dz, dn, r = _gru_deltas(g, ctx, gi, gh, h)
    return _cat([dr, dz, dn * r])


def _gru_vjp_h(g, ctx, out, gi, gh, h):
    hidden = ctx[0]
    if not isinstance(gi, Tensor):
        return g * ctx[1][..., hidden : 2 * hidden]
    return g * dual.sigmoid(gi[..., hidden : 2 * hidden] + gh[..., hidden : 2 * hidden])


GRU_CELL = Op(
    "gru_cell",
    (_gru_vjp_gi, _gru_vjp_gh, _gru_vjp_h),
    saves=(0, 1, 2),
    keeps_shape=False,
    rule="δn = g ⊙ (1 − z) ⊙ (1 − n²),  δz = g ⊙ (h − n) ⊙ z(1 − z),  δr = δn ⊙ (W_hn h + b_hn) ⊙ r(1 − r);  "
    "∂L/∂gi = [δr, δz, δn],  ∂L/∂gh = [δr, δz, δn ⊙ r],  ∂L/∂h = g ⊙ z",
)


@export(methods=())
def gru_cell(input_gates, hidden_gates, h):
    """One GRU step from W_ih x + b_ih and W_hh h + b_hh (each (..., 3H), PyTorch's order r, z, n) and
    h (..., H): r, z = σ(·_r), σ(·_z), n = tanh(i_n + r ⊙ h_n), h' = (1 − z) ⊙ n + z ⊙ h."""
    _check_cell("gru_cell", input_gates, h, 3)
    _check_cell("gru_cell", hidden_gates, h, 3)
    acts, out = _gru_forward(input_gates.numpy(), hidden_gates.numpy(), h.numpy())
    return apply(GRU_CELL, out, (input_gates, hidden_gates, h), (h.shape[-1], acts))


# --- a whole LSTM layer ------------------------------------------------------------------------
# NOTE: one node for the whole sequence, so the backward through time runs as one NumPy loop and the
# weight gradient as one (4H, T·N) @ (T·N, H) product instead of T small ones: nn.LSTM 64→128, 32
# steps, batch 32 went from 16.1 ms (per-step nodes) to the time of hand-written NumPy (README).
# Its four VJPs share one pass: the first to run computes every input's gradient for this g.


class LayerSaved:
    """What the forward of ``lstm_layer`` keeps: gate activations, tanh c_t, h_t and c_t, and the
    gradients of the last backward (the four VJPs get the same g one after another)."""

    __slots__ = ("acts", "tanh_c", "hs", "cs", "last_g", "last_grads")

    def __init__(self, acts, tanh_c, hs, cs):
        self.acts, self.tanh_c, self.hs, self.cs = acts, tanh_c, hs, cs
        self.last_g = self.last_grads = None


def _lstm_layer_forward(gates_in, h0, c0, w_hh):
    steps, hidden = gates_in.shape[0], h0.shape[-1]
    hs = np.empty((steps + 1,) + h0.shape, dtype=h0.dtype)
    cs = np.empty_like(hs)
    hs[0], cs[0] = h0, c0
    acts = np.empty(gates_in.shape, dtype=gates_in.dtype)
    tanh_c = np.empty((steps,) + h0.shape, dtype=h0.dtype)
    w_t = np.ascontiguousarray(w_hh.T)
    z = np.empty(gates_in.shape[1:], dtype=gates_in.dtype)
    for t in range(steps):  # written into the saved buffers: no array made per step
        np.matmul(hs[t], w_t, out=z)
        z += gates_in[t]
        a = acts[t]
        _sigmoid_into(z, a)
        np.tanh(z[:, 2 * hidden : 3 * hidden], out=a[:, 2 * hidden : 3 * hidden])
        c = cs[t + 1]
        np.multiply(a[:, hidden : 2 * hidden], cs[t], out=c)
        c += a[:, :hidden] * a[:, 2 * hidden : 3 * hidden]
        np.tanh(c, out=tanh_c[t])
        np.multiply(a[:, 3 * hidden :], tanh_c[t], out=hs[t + 1])
    out = np.concatenate([hs[1:], cs[-1:]], axis=0)  # [h_1 … h_T | c_T]
    return out, LayerSaved(acts, tanh_c, hs, cs)


def _lstm_layer_grads_array(g, saved, w_hh):
    """Backward through time on arrays: ∂L/∂(gates_in, h0, c0, W_hh) for g = ∂L/∂[h_1 … h_T | c_T]."""
    steps, hidden = saved.acts.shape[0], w_hh.shape[1]
    # σ'(a) = a(1 − a) for every gate, then tanh' = 1 − g² in the g column: whole-array passes
    deriv = np.subtract(1.0, saved.acts)
    deriv *= saved.acts
    g_col = saved.acts[..., 2 * hidden : 3 * hidden]
    np.subtract(1.0, g_col * g_col, out=deriv[..., 2 * hidden : 3 * hidden])
    tanh_d = np.subtract(1.0, saved.tanh_c * saved.tanh_c)
    dz = np.empty_like(saved.acts)
    dh = np.zeros_like(saved.hs[0])
    dc = np.array(g[steps], dtype=dh.dtype)
    tmp = np.empty_like(dh)
    for t in range(steps - 1, -1, -1):
        dh += g[t]
        a, d = saved.acts[t], dz[t]
        np.multiply(dh, a[:, 3 * hidden :], out=tmp)
        tmp *= tanh_d[t]
        dc += tmp  # δc_t = δc from t + 1 (through f) + δh_t ⊙ o ⊙ (1 − tanh² c_t)
        np.multiply(dc, a[:, 2 * hidden : 3 * hidden], out=d[:, :hidden])  # upstream of i: δc ⊙ g
        np.multiply(dc, saved.cs[t], out=d[:, hidden : 2 * hidden])  # of f: δc ⊙ c_{t−1}
        np.multiply(dc, a[:, :hidden], out=d[:, 2 * hidden : 3 * hidden])  # of g: δc ⊙ i
        np.multiply(dh, saved.tanh_c[t], out=d[:, 3 * hidden :])  # of o: δh ⊙ tanh c_t
        d *= deriv[t]
        dc *= a[:, hidden : 2 * hidden]
        dh = d @ w_hh
    flat = dz.reshape(-1, 4 * hidden)
    dw = flat.T @ saved.hs[:-1].reshape(-1, hidden)
    return dz, dh, dc, dw


def _lstm_layer_grads_tensor(g, gates_in, h0, c0, w_hh):
    """The same backward with Tensor ops from values recomputed from the inputs, so it is recorded
    (create_graph=True: second derivatives)."""
    steps, hidden = gates_in.shape[0], h0.shape[-1]
    h, c, states = h0, c0, []
    for t in range(steps):
        z = gates_in[t] + h @ w_hh.t()
        i, f, o = (dual.sigmoid(z[..., k * hidden : (k + 1) * hidden]) for k in (0, 1, 3))
        gg = dual.tanh(z[..., 2 * hidden : 3 * hidden])
        states.append((h, c, i, f, gg, o))
        c = f * c + i * gg
        h = o * dual.tanh(c)
    dh, dc, dzs = h0 * 0.0, g[steps], [None] * steps
    for t in range(steps - 1, -1, -1):
        h_prev, c_prev, i, f, gg, o = states[t]
        tc = dual.tanh(f * c_prev + i * gg)
        dh = dh + g[t]
        dc = dc + dh * o * (1.0 - tc * tc)
        dzs[t] = cat(
            [dc * gg * i * (1.0 - i), dc * c_prev * f * (1.0 - f), dc * i * (1.0 - gg * gg), dh * tc * o * (1.0 - o)],
            -1,
        )
        dc = dc * f
        dh = dzs[t] @ w_hh
    dz = stack(dzs, 0)
    hs = stack([s[0] for s in states], 0)
    dw = dz.reshape(-1, 4 * hidden).t() @ hs.reshape(-1, hidden)
    return dz, dh, dc, dw


def _lstm_layer_vjp(k):
    def vjp(g, saved, out, gates_in, h0, c0, w_hh):
        if saved.last_g is not g:
            if isinstance(g, Tensor):
                grads = _lstm_layer_grads_tensor(g, gates_in, h0, c0, w_hh)
            else:
                grads = _lstm_layer_grads_array(g, saved, dual.raw(w_hh))
            saved.last_g, saved.last_grads = g, grads
        return saved.last_grads[k]

    return vjp


LSTM_LAYER = Op(
    "lstm_layer",
    tuple(_lstm_layer_vjp(k) for k in range(4)),
    saves=(0, 1, 2, 3),
    keeps_shape=False,
    describe=lambda saved: f"{saved.acts.shape[0]} steps",
    rule="backward through time: δz_t = lstm_cell's δ at step t, δh_{t−1} = δz_t W_hh, ∂L/∂W_hh = Σ_t δz_tᵀ h_{t−1}",
)


@export(methods=())
def lstm_layer(gates_in, h0, c0, w_hh):
    """A whole LSTM layer: ``gates_in`` (T, N, 4H) = W_ih x_t + b for every step, the first state
    (h0, c0) (N, H) and W_hh (4H, H). Returns (T + 1, N, H): h_1 … h_T, then c_T (one node)."""
    if (
        gates_in.ndim != 3
        or gates_in.shape[0] == 0
        or h0.ndim != 2
        or h0.shape != c0.shape
        or gates_in.shape[1:] != (h0.shape[0], 4 * h0.shape[1])
        or w_hh.shape != (4 * h0.shape[1], h0.shape[1])
    ):
        raise ShapeError(
            f"lstm_layer: expected gates (T, N, 4H) with T ≥ 1, h0 and c0 (N, H), W_hh (4H, H); got {tuple(gates_in.shape)}, "
            f"{tuple(h0.shape)}, {tuple(c0.shape)}, {tuple(w_hh.shape)}"
        )
    if len({gates_in.dtype, h0.dtype, c0.dtype, w_hh.dtype}) != 1:
        raise TypeError(
            f"lstm_layer: gates, h0, c0 and W_hh must have one dtype, got {gates_in.dtype}, {h0.dtype}, "
            f"{c0.dtype}, {w_hh.dtype}"
        )
    out, saved = _lstm_layer_forward(gates_in.numpy(), h0.numpy(), c0.numpy(), w_hh.numpy())
    return apply(LSTM_LAYER, out, (gates_in, h0, c0, w_hh), saved)
