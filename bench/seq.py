"""Sequence models forward+backward vs PyTorch CPU, float32, the same weights in both.

An LSTM and a GRU (input 64, hidden 128, 32 steps, batch 32, ``nn.LSTM``/``nn.GRU``) and a Transformer encoder layer
(d_model 64, 4 heads, feed-forward 256, 32 tokens, batch 32, dropout 0): the loss is the sum of
the output, and the gradients are those of the input and every parameter.
"""

from __future__ import annotations

import numpy as np

import autograd as ag
import nn

from .common import compare, print_result

LSTM_SIZES = {"input": 64, "hidden": 128, "steps": 32, "batch": 32}
ENCODER_SIZES = {"d_model": 64, "heads": 4, "ff": 256, "tokens": 32, "batch": 32}
QUICK_LSTM = {"input": 4, "hidden": 8, "steps": 3, "batch": 2}
QUICK_ENCODER = {"d_model": 8, "heads": 2, "ff": 16, "tokens": 3, "batch": 2}


def _step(model, x):
    """One forward+backward of ``model`` on the Tensor ``x``: the gradients are cleared first."""

    def run():
        x.grad = None
        for p in model.parameters():
            p.grad = None
        out = model(x)
        (out[0] if isinstance(out, tuple) else out).sum().backward()

    return run


def _torch_twin(model, twin, a):
    """The forward+backward of a torch module given ``model``'s weights, on a copy of ``a``."""
    import torch

    twin.load_state_dict({k: torch.tensor(np.asarray(v)) for k, v in model.state_dict().items()}, strict=True)
    return _step(twin, torch.tensor(a, requires_grad=True))


def _fns(make, make_torch, shape, torch_ok):
    """glassgrad's and torch's callables for one model on a seeded float32 input of ``shape``."""
    a = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    model = make()
    fns = {"glassgrad": _step(model, ag.Tensor(a, requires_grad=True))}
    if torch_ok:
        fns["torch"] = _torch_twin(model, make_torch(), a)
    return fns


def lstm_fns(sizes, torch_ok=True, name="LSTM"):
    """The LSTM (or GRU) benchmark's callables (sequence-first input (L, N, H_in))."""

    def make_torch():
        import torch

        return getattr(torch.nn, name)(sizes["input"], sizes["hidden"])

    make = lambda: getattr(nn, name)(sizes["input"], sizes["hidden"], generator=np.random.default_rng(0))  # noqa: E731
    shape = (sizes["steps"], sizes["batch"], sizes["input"])
    fns = _fns(make, make_torch, shape, torch_ok)
    if torch_ok and name == "LSTM":
        fns["torch LSTMCell loop"] = _torch_cell_loop(make(), shape)
    if name == "LSTM":
        fns["hand-written NumPy"] = _numpy_lstm_step(make(), shape)
    return fns


def _torch_cell_loop(model, shape):
    """torch.nn.LSTMCell stepped in a Python loop with ``model``'s weights: the per-step algorithm
    glassgrad runs, where torch.nn.LSTM runs oneDNN's fused kernel for the whole layer."""
    import torch

    cell = torch.nn.LSTMCell(model.input_size, model.hidden_size)
    weights = {k.removesuffix("_l0"): torch.tensor(np.asarray(v)) for k, v in model.state_dict().items()}
    cell.load_state_dict(weights, strict=True)
    a = np.random.default_rng(0).standard_normal(shape).astype(np.float32)

    class Loop(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.cell = cell

        def forward(self, x):
            h = c = torch.zeros(x.shape[1], model.hidden_size)
            outputs = []
            for t in range(x.shape[0]):
                h, c = self.cell(x[t], (h, c))
                outputs.append(h)
            return torch.stack(outputs)

    return _step(Loop(), torch.tensor(a, requires_grad=True))


def _sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def numpy_lstm(weights, x):
    """A hand-written NumPy LSTM layer (PyTorch's gates i, f, g, o) and its backward through time
    for the loss Σ output: the floor for an engine on NumPy. Returns (output, {name: gradient})."""
    w_ih, w_hh, b = weights["weight_ih_l0"], weights["weight_hh_l0"], weights["bias_ih_l0"] + weights["bias_hh_l0"]
    steps, batch, _ = x.shape
    hidden = w_hh.shape[1]
    gates_in = (x.reshape(steps * batch, -1) @ w_ih.T + b).reshape(steps, batch, 4 * hidden)
    hs = np.zeros((steps + 1, batch, hidden), x.dtype)
    cs = np.zeros((steps + 1, batch, hidden), x.dtype)
    acts = np.empty((steps, batch, 4 * hidden), x.dtype)
    tanh_c = np.empty((steps, batch, hidden), x.dtype)
    for t in range(steps):
        z = gates_in[t] + hs[t] @ w_hh.T
        a = acts[t]
        a[:, : 2 * hidden] = _sigmoid(z[:, : 2 * hidden])
        a[:, 2 * hidden : 3 * hidden] = np.tanh(z[:, 2 * hidden : 3 * hidden])
        a[:, 3 * hidden :] = _sigmoid(z[:, 3 * hidden :])
        i, f, g, o = np.split(a, 4, axis=1)
        cs[t + 1] = f * cs[t] + i * g
        tanh_c[t] = np.tanh(cs[t + 1])
        hs[t + 1] = o * tanh_c[t]
    dz = np.empty_like(acts)
    dh = np.zeros((batch, hidden), x.dtype)
    dc = np.zeros((batch, hidden), x.dtype)
    for t in reversed(range(steps)):
        dh = dh + 1.0  # ∂(Σ output)/∂h_t
        i, f, g, o = np.split(acts[t], 4, axis=1)
        dc = dc + dh * o * (1.0 - tanh_c[t] ** 2)
        parts = (dc * g * i * (1 - i), dc * cs[t] * f * (1 - f), dc * i * (1 - g * g), dh * tanh_c[t] * o * (1 - o))
        dz[t] = np.concatenate(parts, axis=1)
        dc = dc * f
        dh = dz[t] @ w_hh
    flat = dz.reshape(steps * batch, -1)
    db = flat.sum(0)
    grads = {
        "input": (flat @ w_ih).reshape(x.shape),
        "weight_ih_l0": flat.T @ x.reshape(steps * batch, -1),
        "weight_hh_l0": flat.T @ hs[:-1].reshape(steps * batch, hidden),
        "bias_ih_l0": db,
        "bias_hh_l0": db,
    }
    return hs[1:], grads


def _numpy_lstm_step(model, shape):
    weights = {k: np.asarray(v) for k, v in model.state_dict().items()}
    a = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    return lambda: numpy_lstm(weights, a)


def encoder_fns(sizes, torch_ok=True):
    """The Transformer encoder layer benchmark's callables (post-norm, relu, batch-first input (N, L, E))."""
    args = (sizes["d_model"], sizes["heads"], sizes["ff"])

    def make_torch():
        import torch

        return torch.nn.TransformerEncoderLayer(*args, dropout=0.0, batch_first=True)

    make = lambda: nn.TransformerEncoderLayer(  # noqa: E731
        *args, dropout=0.0, batch_first=True, generator=np.random.default_rng(0)
    )
    return _fns(make, make_torch, (sizes["batch"], sizes["tokens"], sizes["d_model"]), torch_ok)


def run(quick=False, torch_ok=True):
    """Time the three models; the result keys are the README table's row labels."""
    rounds = 2 if quick else 15
    lstm, enc = (QUICK_LSTM, QUICK_ENCODER) if quick else (LSTM_SIZES, ENCODER_SIZES)
    results = {}
    label = f"LSTM {lstm['input']}→{lstm['hidden']}, {lstm['steps']} steps, batch {lstm['batch']}, fwd+bwd"
    results[label] = compare(lstm_fns(lstm, torch_ok), rounds=rounds, inner=1, warmup=1 if quick else 3)
    print_result(label, results[label])
    label = f"GRU {lstm['input']}→{lstm['hidden']}, {lstm['steps']} steps, batch {lstm['batch']}, fwd+bwd"
    results[label] = compare(lstm_fns(lstm, torch_ok, "GRU"), rounds=rounds, inner=1, warmup=1 if quick else 3)
    print_result(label, results[label])
    label = (
        f"Transformer encoder layer d={enc['d_model']}, {enc['heads']} heads, ff {enc['ff']}, "
        f"{enc['tokens']} tokens, batch {enc['batch']}, fwd+bwd"
    )
    results[label] = compare(encoder_fns(enc, torch_ok), rounds=rounds, inner=1, warmup=1 if quick else 3)
    print_result(label, results[label])
    return results
