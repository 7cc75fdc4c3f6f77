"""``History``: the per-epoch records of a training run, with columns, the best epoch, JSON and plots."""

from __future__ import annotations

import json

import numpy as np

import nn
import optim

from .metric import monitor_mode
from .plot import pyplot

__all__ = ["History"]

# The y-axis of a metric's panel in ``History.plot``, with its unit.
YLABELS = {"accuracy": "accuracy (fraction correct)", "loss": "loss (the criterion's value)"}


class History:
    """Per-epoch records: train/val loss and metrics, learning rate and time."""

    def __init__(self):
        self.epochs = []
        self.interrupted = False
        self.signal = None  # "SIGINT" or "SIGTERM" when a signal stopped training
        self.stopped_early = False

    def append(self, record):
        """Add one epoch's record (a dict)."""
        self.epochs.append(record)

    def __len__(self):
        return len(self.epochs)

    def __getitem__(self, key):
        """``history["val_loss"]``: that column over the epochs."""
        return [e.get(key) for e in self.epochs]

    @property
    def last(self):
        """The last epoch's record ({} before the first epoch)."""
        return self.epochs[-1] if self.epochs else {}

    def best(self, monitor="val_loss", mode="auto"):
        """The epoch record where ``monitor`` was best (the first one on a tie)."""
        mode = monitor_mode(monitor, mode)
        best, best_record = None, None
        for record in self.epochs:
            value = record.get(monitor)
            if value is not None and optim.improved(value, best, mode):
                best, best_record = value, record
        if best_record is None:
            raise KeyError(f"History: no epoch recorded {monitor!r}; recorded: {sorted(self.last)}")
        return best_record

    def to_dict(self):
        """The history as plain JSON-ready values."""
        return {
            "epochs": self.epochs,
            "interrupted": self.interrupted,
            "signal": self.signal,
            "stopped_early": self.stopped_early,
        }

    def save(self, path):
        """Write the history as JSON, all or nothing (a full disk leaves the old file and no leftovers)."""
        text = json.dumps(self.to_dict(), indent=2)

        def write(tmp):
            with open(tmp, "w") as f:
                f.write(text)

        nn.serialization.atomic_write(path, write)

    @classmethod
    def load(cls, path):
        """Read a history written by ``save``."""
        with open(path) as f:
            d = json.load(f)
        h = cls()
        h.epochs = d["epochs"]
        h.interrupted = d.get("interrupted", False)
        h.signal = d.get("signal")
        h.stopped_early = d.get("stopped_early", False)
        return h

    def plot(self, path=None, metrics=("loss", "accuracy"), ylabels=None):
        """Loss and metric curves for train and val (matplotlib); saved as PNG when ``path`` is given.

        ``ylabels`` ({metric: label}) names each panel's y-axis with its unit (e.g. "cross-entropy (nats)")."""
        plt = pyplot()
        labels = {**YLABELS, **(ylabels or {})}
        present = [m for m in metrics if any(f"{s}_{m}" in e for e in self.epochs for s in ("train", "val"))]
        fig, axes = plt.subplots(1, max(len(present), 1), figsize=(5 * max(len(present), 1), 3.6), squeeze=False)
        x = [e["epoch"] for e in self.epochs]
        for ax, m in zip(axes[0], present):
            for split, style in (("train", "-"), ("val", "--")):
                ys = self[f"{split}_{m}"]
                if any(y is not None for y in ys):
                    ax.plot(x, [np.nan if y is None else y for y in ys], style, label=split)
            ax.set_title(f"{m} per epoch, train and val")
            ax.set_xlabel("epoch")
            ax.set_ylabel(labels.get(m, m))
            ax.grid(alpha=0.3)
            ax.legend(loc="best")
        fig.tight_layout()
        if path is not None:
            fig.savefig(path, dpi=110)
        return fig
