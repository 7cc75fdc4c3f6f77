"""Grad mode: whether ops record a graph, anomaly detection, and whether nodes keep their values.

``state`` is per thread. Ops read ``state.enabled`` when they run; the context managers below
change it for a block (or, used as decorators, for a function).
"""

from __future__ import annotations

import functools
import threading

__all__ = [
    "state",
    "is_grad_enabled",
    "set_grad_enabled",
    "no_grad",
    "inference_mode",
    "enable_grad",
    "detect_anomaly",
    "set_detect_anomaly",
    "is_anomaly_enabled",
    "retain_values",
]


class GradState(threading.local):
    """The grad mode of one thread.

    ``enabled``: ops on tensors that require grad record nodes. ``anomaly``: nodes record where
    they were created and backward checks every gradient for NaN/inf. ``retain_values``: nodes keep
    their output value and, after backward, their gradients, so a drawing can show them (off by
    default: it keeps alive arrays that backward would free).
    """

    enabled = True
    anomaly = False
    retain_values = False


state = GradState()


def is_grad_enabled() -> bool:
    """Whether ops on tensors that require grad record a graph."""
    return state.enabled


def is_anomaly_enabled() -> bool:
    """Whether ``detect_anomaly`` is active."""
    return state.anomaly


class _ModeSwitch:
    """Set one field of ``state`` for a ``with`` block, or for every call of a decorated function."""

    field = ""

    def __init__(self, value):
        self.value = bool(value)
        self.prev = []

    def __enter__(self):
        self.prev.append(getattr(state, self.field))
        setattr(state, self.field, self.value)
        return self

    def __exit__(self, *exc):
        setattr(state, self.field, self.prev.pop())
        return False

    def __call__(self, fn):
        field, value = self.field, self.value

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            prev = getattr(state, field)
            setattr(state, field, value)
            try:
                return fn(*args, **kwargs)
            finally:
                setattr(state, field, prev)

        return wrapper


class _Immediate(_ModeSwitch):
    """A switch that takes effect when made, as PyTorch's ``set_grad_enabled(False)`` called as a
    function does; as a context manager it restores the old mode on exit, as a decorator it first
    puts the old mode back and then sets its own for each call."""

    def __init__(self, value):
        super().__init__(value)
        self.prev.append(getattr(state, self.field))
        setattr(state, self.field, self.value)

    def __enter__(self):
        return self  # already set when made

    def __call__(self, fn):
        setattr(state, self.field, self.prev[-1])
        return super().__call__(fn)


class set_grad_enabled(_Immediate):
    """Turn graph recording on or off: at once (``set_grad_enabled(False)``), or for a ``with``
    block or a decorated function."""

    field = "enabled"


class _GradSwitch(_ModeSwitch):
    field = "enabled"


class no_grad(_GradSwitch):
    """Ops inside record no graph (evaluation, optimizer updates)."""

    def __init__(self):
        super().__init__(False)


class inference_mode(_GradSwitch):
    """PyTorch's ``inference_mode(mode=True)``: here ``no_grad`` (``mode=False`` records as usual)."""

    def __init__(self, mode=True):
        super().__init__(not mode)


class enable_grad(_GradSwitch):
    """Turn recording back on inside a ``no_grad`` block."""

    def __init__(self):
        super().__init__(True)


class detect_anomaly(_ModeSwitch):
    """Record where each op was created and raise in backward at the first NaN/inf gradient.

    Slows every op (a stack trace per node); use it to find a bug, not to train.
    """

    field = "anomaly"

    def __init__(self, check_nan: bool = True):
        super().__init__(check_nan)


class set_detect_anomaly(_Immediate):
    """Anomaly mode on or off at once (PyTorch's function), or for a ``with`` block."""

    field = "anomaly"

    def __init__(self, mode: bool, check_nan: bool = True):
        super().__init__(mode)


class retain_values(_ModeSwitch):
    """Nodes made inside keep their value, and backward their gradients (for drawings).

    Costs memory (arrays backward would free stay alive); use it to look, not to train.
    """

    field = "retain_values"

    def __init__(self, retain: bool = True):
        super().__init__(retain)
