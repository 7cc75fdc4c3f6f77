"""Helpers beside the layers (PyTorch's ``torch.nn.utils``): ``rnn.pad_sequence``."""

from . import rnn

__all__ = ["rnn"]
