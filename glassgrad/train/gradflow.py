"""Gradient flow over training: each layer's gradient norm and activation statistics, and a picture.

``GradientFlow`` records ‖∂L/∂W‖ of every parameter (grouped by layer) after each backward, and
the mean and standard deviation of every leaf module's output a⁽ˡ⁾ (through forward hooks), per
step or per epoch; ``plot_gradient_flow`` draws a layers × time heat map of log10 ‖g‖ beside one
line per layer and the activations' mean/std, so vanishing (blue, falling lines) or exploding (red,
rising lines) gradients and saturating or dying activations show in one figure.
"""

from __future__ import annotations

import numpy as np

from .callback import Callback
from .plot import pyplot

__all__ = ["GradientFlow", "plot_gradient_flow"]

PER = ("step", "epoch")


def _layer(name):
    """The layer a parameter belongs to: its dotted name without the last part ("0.weight" → "0")."""
    return name.rsplit(".", 1)[0] if "." in name else name


def _append(table, key, value, length):
    """Append ``value`` to ``table[key]``, padding a new row with NaN to ``length`` - 1 entries."""
    table.setdefault(key, [np.nan] * (length - 1)).append(value)


class GradientFlow(Callback):
    """Record each layer's gradient norm (√Σ‖∂L/∂W‖² over its parameters) and its output's mean/std.

    ``per="step"`` adds a column every ``every`` training steps (that step's values); ``per="epoch"``
    one per epoch (the mean over its steps). ``activations=False`` skips the forward hooks.
    """

    def __init__(self, every=1, per="step", activations=True):
        if per not in PER:
            raise ValueError(f"GradientFlow: per must be one of {PER}, got {per!r}")
        self.every = int(every)
        self.per = per
        self.activations = activations
        self.steps = []  # the step (or epoch) numbers recorded
        self.norms = {}  # {layer: [‖g‖ at each recorded step]}
        self.act_mean = {}  # {module: [mean of its output at each recorded step]}
        self.act_std = {}  # {module: [std of its output at each recorded step]}
        self._count = 0
        self._pending = []  # [(gradient norms, activation stats)] of the steps not yet recorded
        self._latest = {}  # {module: (mean, std)} of the last training forward
        self._handles = []

    def on_train_begin(self, trainer):
        """Hook every leaf module's forward (its output's mean and std while training)."""
        if not self.activations:
            return
        for name, m in trainer.model.named_modules():
            if not any(True for _ in m.children()):
                self._handles.append(m.register_forward_hook(self._hook(name or type(m).__name__)))

    def _hook(self, name):
        """The forward hook that keeps module ``name``'s output statistics."""

        def hook(module, args, out):
            """Keep the mean and std of a training forward's output."""
            if module.training and hasattr(out, "data"):
                a = np.asarray(out.array, dtype=np.float64)
                self._latest[name] = (float(a.mean()), float(a.std()))

        return hook

    def on_after_backward(self, trainer):
        """Note this step's gradient norms and activations; add a column when one is due."""
        self._count += 1
        if self.per == "step" and (self._count - 1) % self.every:
            return
        sums = {}
        for name, p in trainer.model.named_parameters():
            if p.grad is not None:
                g = np.asarray(p.grad.array, dtype=np.float64)
                sums[_layer(name)] = sums.get(_layer(name), 0.0) + float(np.sum(g * g))
        self._pending.append(({k: v**0.5 for k, v in sums.items()}, dict(self._latest)))
        if self.per == "step":
            self._record(self._count)

    def on_epoch_end(self, trainer, record):
        """With ``per="epoch"``: add the epoch's column (means over its steps)."""
        if self.per == "epoch":
            self._record(len(self.steps) + 1)

    def on_train_end(self, trainer):
        """Take the forward hooks off."""
        for h in self._handles:
            h.remove()
        self._handles = []

    def on_interrupt(self, trainer):
        """Ctrl-C: the hooks come off too."""
        self.on_train_end(trainer)

    def on_diverged(self, trainer, error):
        """A diverged run: the hooks come off too (the steps recorded so far stay)."""
        self.on_train_end(trainer)

    def _record(self, x):
        """Add one column at ``x`` from the pending steps (their mean), then forget them."""
        if not self._pending:
            return
        self.steps.append(x)
        n = len(self.steps)
        grads = [p[0] for p in self._pending]
        acts = [p[1] for p in self._pending]
        for layer in dict.fromkeys(k for g in grads for k in g):
            _append(self.norms, layer, float(np.mean([g[layer] for g in grads if layer in g])), n)
        for name in dict.fromkeys(k for a in acts for k in a):
            stats = np.array([a[name] for a in acts if name in a])
            _append(self.act_mean, name, float(stats[:, 0].mean()), n)
            _append(self.act_std, name, float(stats[:, 1].mean()), n)
        for table in (self.norms, self.act_mean, self.act_std):
            for row in table.values():
                if len(row) < n:
                    row.append(np.nan)
        self._pending = []

    def matrix(self):
        """(layer names, array [layers, recorded steps] of gradient norms)."""
        layers = list(self.norms)
        return layers, np.array([self.norms[k] for k in layers], dtype=np.float64).reshape(len(layers), len(self.steps))

    def activation_stats(self):
        """(module names, means [modules, recorded steps], stds [modules, recorded steps])."""
        names = list(self.act_mean)
        shape = (len(names), len(self.steps))
        mean = np.array([self.act_mean[k] for k in names], dtype=np.float64).reshape(shape)
        return names, mean, np.array([self.act_std[k] for k in names], dtype=np.float64).reshape(shape)

    def plot(self, path=None):
        """The figure of ``plot_gradient_flow`` (written to ``path`` if given)."""
        return plot_gradient_flow(self, path)


def plot_gradient_flow(flow, path=None):
    """A layers × time heat map of log10 ‖g‖, one line per layer and the activations' mean/std.

    Lines are coloured by depth (dark: next to the input, light: next to the output), the same in
    both line panels, so a vanishing gradient reads as a fan of colours spreading apart."""
    plt = pyplot()
    layers, m = flow.matrix()
    names, mean, std = flow.activation_stats() if hasattr(flow, "activation_stats") else ([], None, None)
    n = 3 if names else 2
    fig, axes = plt.subplots(1, n, figsize=(5.8 * n, 0.4 * len(layers) + 2.8))
    unit = "epoch" if getattr(flow, "per", "step") == "epoch" else "step"
    _plot_heat_map(fig, axes[0], flow.steps, layers, m, unit)
    colours = _depth_colours(plt, len(layers))
    for layer, row, colour in zip(layers, m, colours):
        axes[1].plot(flow.steps, row, color=colour, label=layer)
    axes[1].set_yscale("log")
    axes[1].set_title("‖∂L/∂W‖ per layer")
    axes[1].set_xlabel(unit)
    axes[1].set_ylabel("‖∂L/∂W‖ (Frobenius norm, log scale)")
    _legend_beside(axes[1], "layer")
    if names:
        _plot_activations(axes[2], flow.steps, names, mean, std, unit, _depth_colours(plt, len(names)))
    fig.tight_layout()
    if path is not None:
        fig.savefig(path, dpi=110)
    return fig


def _depth_colours(plt, n):
    """``n`` colours from dark to light (input side to output side)."""
    return [plt.get_cmap("viridis")(0.9 * k / max(n - 1, 1)) for k in range(n)]


def _legend_beside(ax, title):
    """A legend to the right of ``ax``, off the data."""
    ax.legend(title=title, fontsize=7, title_fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)


def _plot_heat_map(fig, ax, steps, layers, m, unit):
    """log10 ‖∂L/∂W‖ as an image: one row per layer, one column per recorded step, with its colour bar."""
    logs = np.log10(np.where(m > 0, m, np.nan))
    lo, hi = (steps[0], steps[-1]) if steps else (0, 1)
    half = 0.5 * (hi - lo) / max(len(steps) - 1, 1) if len(steps) > 1 else 0.5
    extent = (lo - half, hi + half, len(layers) - 0.5, -0.5)  # columns centred on the recorded steps
    image = ax.imshow(logs, aspect="auto", cmap="coolwarm", interpolation="nearest", extent=extent)
    ax.set_yticks(range(len(layers)), layers)
    ax.set_xlabel(unit)
    ax.set_ylabel("layer (input at the top)")
    ax.set_title("log10 ‖∂L/∂W‖ per layer")
    ax.grid(False)
    fig.colorbar(image, ax=ax, label="log10 ‖∂L/∂W‖")


def _plot_activations(ax, steps, names, mean, std, unit, colours):
    """One line per module: its output's std (solid) and mean (dashed, same colour)."""
    for name, mu, sigma, colour in zip(names, mean, std, colours):
        ax.plot(steps, sigma, color=colour, label=name)
        ax.plot(steps, mu, "--", color=colour, linewidth=0.8)
    ax.set_xlabel(unit)
    ax.set_ylabel("std (solid) and mean (dashed) of a⁽ˡ⁾")
    ax.set_title("each module's output a⁽ˡ⁾")
    _legend_beside(ax, "module")
