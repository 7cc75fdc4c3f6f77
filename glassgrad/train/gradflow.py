"""Gradient flow over training: each layer's gradient norm per step, and a picture of a whole run.

``GradientFlow`` records ‖∂L/∂W‖ of every parameter (grouped by layer) after each backward;
``plot_gradient_flow`` draws a layers × time heat map of log10 ‖g‖ beside one line per layer, so
vanishing (blue, falling lines) or exploding (red, rising lines) gradients show in one figure.
"""

from __future__ import annotations

import numpy as np

from .callback import Callback
from .plot import pyplot

__all__ = ["GradientFlow", "plot_gradient_flow"]


def _layer(name):
    """The layer a parameter belongs to: its dotted name without the last part ("0.weight" → "0")."""
    return name.rsplit(".", 1)[0] if "." in name else name


class GradientFlow(Callback):
    """Record each layer's gradient norm (√Σ‖∂L/∂W‖² over its parameters) every ``every`` steps."""

    def __init__(self, every=1):
        self.every = int(every)
        self.steps = []  # the step numbers recorded
        self.norms = {}  # {layer: [‖g‖ at each recorded step]}
        self._count = 0

    def on_after_backward(self, trainer):
        """Add one column: each layer's gradient norm now."""
        self._count += 1
        if (self._count - 1) % self.every:
            return
        sums = {}
        for name, p in trainer.model.named_parameters():
            if p.grad is not None:
                g = np.asarray(p.grad.data, dtype=np.float64)
                sums[_layer(name)] = sums.get(_layer(name), 0.0) + float(np.sum(g * g))
        self.steps.append(self._count)
        for layer, total in sums.items():
            self.norms.setdefault(layer, [np.nan] * (len(self.steps) - 1)).append(total**0.5)
        for layer, column in self.norms.items():
            if len(column) < len(self.steps):
                column.append(np.nan)

    def matrix(self):
        """(layer names, array [layers, recorded steps] of gradient norms)."""
        layers = list(self.norms)
        return layers, np.array([self.norms[k] for k in layers], dtype=np.float64).reshape(len(layers), -1)

    def plot(self, path=None):
        """The figure of ``plot_gradient_flow`` (written to ``path`` if given)."""
        return plot_gradient_flow(self, path)


def plot_gradient_flow(flow, path=None):
    """A layers × step heat map of log10 ‖g‖ and one line per layer; returns the figure."""
    plt = pyplot()
    layers, m = flow.matrix()
    fig, (ax_map, ax_lines) = plt.subplots(1, 2, figsize=(11, 0.4 * len(layers) + 2.5))
    logs = np.log10(np.where(m > 0, m, np.nan))
    image = ax_map.imshow(logs, aspect="auto", cmap="coolwarm", interpolation="nearest")
    ax_map.set_yticks(range(len(layers)), layers)
    ax_map.set_xlabel("recorded step")
    ax_map.set_title("log10 ‖∂L/∂W‖ per layer")
    fig.colorbar(image, ax=ax_map)
    for layer, row in zip(layers, m):
        ax_lines.plot(flow.steps, row, label=layer)
    ax_lines.set_yscale("log")
    ax_lines.set_xlabel("step")
    ax_lines.set_ylabel("‖∂L/∂W‖")
    ax_lines.legend(fontsize=8, ncol=2)
    fig.tight_layout()
    if path is not None:
        fig.savefig(path, dpi=110)
    return fig
