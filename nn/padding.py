"""Padding layers (PyTorch's names): reflect, replicate, circular, zero and constant padding of the
last 1, 2 or 3 dims, on ``F.pad``."""

from __future__ import annotations

from . import functional as F
from .module import Module

__all__ = [
    "ReflectionPad1d",
    "ReflectionPad2d",
    "ReflectionPad3d",
    "ReplicationPad1d",
    "ReplicationPad2d",
    "ReplicationPad3d",
    "CircularPad1d",
    "CircularPad2d",
    "CircularPad3d",
    "ZeroPad1d",
    "ZeroPad2d",
    "ZeroPad3d",
    "ConstantPad1d",
    "ConstantPad2d",
    "ConstantPad3d",
]


class _PadNd(Module):
    """Pads the last ``_dims`` dims by ``padding`` (an int for every side, or (left, right, top, bottom, ...))."""

    _dims = 1
    _mode = "constant"

    def __init__(self, padding, value=0.0):
        super().__init__()
        n = 2 * self._dims
        self.padding = tuple(padding) if isinstance(padding, (tuple, list)) else (int(padding),) * n
        if len(self.padding) != n:
            raise ValueError(f"{type(self).__name__}: padding must be an int or {n} ints, got {padding!r}")
        self.value = value

    def forward(self, input):
        if self._mode == "constant":
            return F.pad(input, self.padding, "constant", self.value)
        return F.pad(input, self.padding, self._mode)

    def extra_repr(self):
        return f"{self.padding}" + (f", value={self.value}" if self._mode == "constant" else "")


class ReflectionPad1d(_PadNd):
    """Mirror the last dim at its ends (the edge itself is not repeated)."""

    _dims, _mode = 1, "reflect"


class ReflectionPad2d(_PadNd):
    """Mirror the last two dims at their ends."""

    _dims, _mode = 2, "reflect"


class ReflectionPad3d(_PadNd):
    """Mirror the last three dims at their ends."""

    _dims, _mode = 3, "reflect"


class ReplicationPad1d(_PadNd):
    """Repeat the edge values of the last dim."""

    _dims, _mode = 1, "replicate"


class ReplicationPad2d(_PadNd):
    """Repeat the edge values of the last two dims."""

    _dims, _mode = 2, "replicate"


class ReplicationPad3d(_PadNd):
    """Repeat the edge values of the last three dims."""

    _dims, _mode = 3, "replicate"


class CircularPad1d(_PadNd):
    """Wrap the last dim around."""

    _dims, _mode = 1, "circular"


class CircularPad2d(_PadNd):
    """Wrap the last two dims around."""

    _dims, _mode = 2, "circular"


class CircularPad3d(_PadNd):
    """Wrap the last three dims around."""

    _dims, _mode = 3, "circular"


class ConstantPad1d(_PadNd):
    """Pad the last dim with ``value``."""

    _dims = 1


class ConstantPad2d(_PadNd):
    """Pad the last two dims with ``value``."""

    _dims = 2


class ConstantPad3d(_PadNd):
    """Pad the last three dims with ``value``."""

    _dims = 3


class ZeroPad1d(ConstantPad1d):
    """Pad the last dim with zeros."""

    def __init__(self, padding):
        super().__init__(padding, 0.0)


class ZeroPad2d(ConstantPad2d):
    """Pad the last two dims with zeros."""

    def __init__(self, padding):
        super().__init__(padding, 0.0)


class ZeroPad3d(ConstantPad3d):
    """Pad the last three dims with zeros."""

    def __init__(self, padding):
        super().__init__(padding, 0.0)
