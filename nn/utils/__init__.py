"""Helpers beside the layers (PyTorch's ``torch.nn.utils``): ``rnn.pad_sequence``, gradient
clipping (``clip_grad_norm_``, ``clip_grad_value_``, the ones in ``optim``) and the flat views
``parameters_to_vector`` / ``vector_to_parameters``."""

import numpy as np

import autograd as ag
from optim import clip_grad_norm_, clip_grad_value_

from . import rnn

__all__ = ["rnn", "clip_grad_norm_", "clip_grad_value_", "parameters_to_vector", "vector_to_parameters"]


def parameters_to_vector(parameters):
    """The parameters flattened and joined into one 1-D tensor (in the graph, as PyTorch's)."""
    return ag.cat([p.reshape(-1) for p in parameters])


def vector_to_parameters(vec, parameters):
    """Write the entries of the 1-D ``vec`` into the parameters, in order (outside the graph)."""
    if not isinstance(vec, ag.Tensor) or vec.ndim != 1:
        raise TypeError(f"vector_to_parameters: expected a 1-D Tensor, got {type(vec).__name__}")
    params = list(parameters)
    total = sum(p.numel() for p in params)
    if vec.numel() != total:
        raise ValueError(f"vector_to_parameters: the vector has {vec.numel()} entries, the parameters {total}")
    start = 0
    for p in params:
        n = p.numel()
        np.copyto(p.array, vec.array[start : start + n].reshape(p.shape), casting="same_kind")
        p._version += 1  # a write, as PyTorch counts it
        start += n
