"""``torch.cuda`` and ``torch.backends`` as a CPU-only PyTorch reports them, so the usual device
line of a PyTorch program, ``"cuda" if torch.cuda.is_available() else "cpu"``, picks the CPU."""

from __future__ import annotations

from types import SimpleNamespace

__all__ = ["is_available", "device_count", "manual_seed", "manual_seed_all", "backends", "use_deterministic_algorithms"]


def is_available() -> bool:
    """False: glassgrad computes with NumPy on the CPU."""
    return False


def device_count() -> int:
    """0 GPUs."""
    return 0


def manual_seed(seed) -> None:
    """Nothing to seed without a GPU (as PyTorch, which ignores it then); ``autograd.manual_seed`` seeds the CPU."""


manual_seed_all = manual_seed

# torch.backends.cudnn.deterministic = True and the like: settable flags with nothing behind them.
backends = SimpleNamespace(
    cudnn=SimpleNamespace(deterministic=False, benchmark=False, enabled=False, is_available=is_available),
    mps=SimpleNamespace(is_available=is_available, is_built=is_available),
    cuda=SimpleNamespace(is_built=is_available),
)


def use_deterministic_algorithms(mode=True, *, warn_only=False) -> None:
    """Nothing to do: every op here is deterministic (NumPy on one thread per op)."""
