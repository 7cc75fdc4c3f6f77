"""Devices: ``device("cpu")``, the only one there is, and the check every ``device=`` goes through."""

from __future__ import annotations

__all__ = ["device", "check_device", "is_device"]

# What PyTorch names a device by; anything else given as a device is taken for a dtype or refused.
_KNOWN_TYPES = ("cpu", "cuda", "mps", "xpu", "xla", "meta", "hip", "ipu", "hpu", "mtia", "privateuseone")


class device:
    """A device, as ``torch.device``: only ``device("cpu")`` exists (NumPy computes on the CPU)."""

    __slots__ = ("type", "index")

    def __init__(self, type="cpu", index=None):
        if isinstance(type, device):
            type, index = type.type, type.index
        name, _, number = str(type).partition(":")
        if number:
            index = int(number)
        if name != "cpu":
            raise RuntimeError(
                f"device {str(type)!r}: glassgrad computes with NumPy on the CPU, the only device; "
                f"use device='cpu' (or leave device out)"
            )
        self.type = name
        self.index = index

    def __repr__(self):
        return (
            f"device(type='{self.type}')" if self.index is None else f"device(type='{self.type}', index={self.index})"
        )

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other):
        if isinstance(other, str):
            return is_device(other) and str(self) == other
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self):
        return hash((self.type, self.index))


CPU = device("cpu")


def is_device(v) -> bool:
    """Whether ``v`` names a device (a ``device``, or a string such as "cpu", "cuda:0", "mps")."""
    return isinstance(v, device) or (isinstance(v, str) and v.partition(":")[0] in _KNOWN_TYPES)


def check_device(v):
    """The CPU device for ``v`` (None or anything naming the CPU); a clear error for another device."""
    if v is None or v is CPU:
        return CPU
    return device(v)
