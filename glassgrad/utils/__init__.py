"""PyTorch's ``torch.utils`` place: ``glassgrad.utils.data`` is ``glassgrad.data`` (Dataset, DataLoader...)."""

from .. import data

__all__ = ["data"]
