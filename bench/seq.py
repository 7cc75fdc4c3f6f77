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
