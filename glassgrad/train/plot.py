"""matplotlib, imported only when a plot is asked for (it is an optional dependency)."""

from __future__ import annotations

import os
import sys

__all__ = ["pyplot"]


def pyplot():
    """``matplotlib.pyplot``, on the Agg backend outside notebooks unless ``MPLBACKEND`` says otherwise."""
    try:
        import matplotlib

        if os.environ.get("MPLBACKEND") is None and "ipykernel" not in sys.modules:
            matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as e:  # pragma: no cover - environment dependent
        raise ImportError(
            "plotting needs matplotlib: pip install matplotlib, or from a checkout pip install -e '.[train]'"
        ) from e
    return plt
