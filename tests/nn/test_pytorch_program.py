"""A short PyTorch program, run with ``torch`` and with ``autograd`` in its place: the same numbers."""

import numpy as np
import torch
import torch.nn as torch_nn

import autograd as ag
import nn as ag_nn


def program(torch, nn):
    """Creation, dtypes, devices, promotion, dim keywords and a layer, written against PyTorch's API."""
    device = torch.device("cpu")
    x = torch.arange(12, device=device).reshape(3, 4) / 10  # int64 / int: float32
    labels = torch.tensor([0, 1, 1])
    assert labels.dtype == torch.long and x.dtype == torch.float
    layer = nn.Linear(4, 2, device="cpu").to(device)
    with torch.no_grad():
        layer.weight.copy_(torch.linspace(-1, 1, 8).reshape(2, 4))
        layer.bias.fill_(0.25)
    z = layer(x.to(device, torch.float32))
    scale = torch.tensor(2.0, dtype=torch.float64)  # a 0-d float64 does not promote float32
    probs = (z * scale).softmax(dim=1)
    picked = probs.gather(1, labels.unsqueeze(1)).squeeze(1)
    loss = -(picked.log()).mean() + labels.sum() * 0.01  # int64 tensor times a Python float
    loss.backward()
    steps = torch.arange(0, 1, 0.1)
    counts = torch.full((3,), 7).div(2, rounding_mode="floor")
    return {
        "loss": loss.detach().numpy(),
        "loss_dtype": str(loss.dtype).removeprefix("torch."),
        "grad": layer.weight.grad.numpy(),
        "bias_grad": layer.bias.grad.numpy(),
        "steps": steps.numpy(),
        "counts": counts.numpy(),
        "kept": probs.amax(dim=1, keepdim=True).detach().numpy(),
        "size": (x.size(-1), x.numel(), x.dim(), x.new_zeros(2, 3).tolist()),
    }


def test_the_program_gives_pytorch_numbers():
    ours, theirs = program(ag, ag_nn), program(torch, torch_nn)
    assert ours.keys() == theirs.keys()
    for key in ours:
        if isinstance(ours[key], np.ndarray):
            assert ours[key].dtype == theirs[key].dtype, key
            np.testing.assert_allclose(ours[key], theirs[key], rtol=1e-6, atol=1e-7, err_msg=key)
        else:
            assert ours[key] == theirs[key], key
