"""One small plotting style for the notebooks: titles, labelled axes, legends beside the data, seeds as
mean ± band. matplotlib is imported only when a function here is called (it is an optional dependency)."""

from __future__ import annotations

import os

import numpy as np

__all__ = ["pyplot", "style", "label", "legend_outside", "band", "save", "FIGURES_ENV"]

# Where ``save`` writes a notebook's named figures (``python -m scripts.figures`` sets it to docs/).
FIGURES_ENV = "GLASSGRAD_FIGURES"


def pyplot():
    """``matplotlib.pyplot`` (lazily imported; Agg outside notebooks unless ``MPLBACKEND`` says otherwise)."""
    from glassgrad.train.plot import pyplot as _pyplot

    return _pyplot()


STYLE = {
    "figure.dpi": 80,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.titlesize": 10,
    "axes.labelsize": 9,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "legend.fontsize": 8,
    "legend.framealpha": 0.9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def style():
    """Apply the notebooks' shared style; returns ``pyplot``."""
    plt = pyplot()
    plt.rcParams.update(STYLE)
    return plt


def label(ax, title=None, xlabel=None, ylabel=None):
    """Set an axes' title and axis labels (put units in the labels) in one call; returns ``ax``."""
    if title is not None:
        ax.set_title(title)
    if xlabel is not None:
        ax.set_xlabel(xlabel)
    if ylabel is not None:
        ax.set_ylabel(ylabel)
    return ax


def legend_outside(ax_or_fig, where="right", **kw):
    """A legend that cannot cover data: to the right of an axes, or below a figure (``where="below"``)."""
    if where == "below":
        fig = ax_or_fig
        handles, labels = [], []
        for ax in fig.axes:
            for h, lab in zip(*ax.get_legend_handles_labels()):
                if lab not in labels and not lab.startswith("_"):
                    handles.append(h)
                    labels.append(lab)
        kw.setdefault("ncol", min(len(labels), 6))
        return fig.legend(handles, labels, loc="lower center", bbox_to_anchor=(0.5, -0.02), frameon=False, **kw)
    kw.setdefault("loc", "upper left")
    return ax_or_fig.legend(bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0, **kw)


def band(ax, x, runs, color=None, label=None, show_runs=False, **kw):
    """Seeds summarized: the mean of ``runs`` (one row per seed) as a line, the min–max range as a shaded
    band, each run faint if ``show_runs``. Returns the mean."""
    runs = np.asarray(runs, dtype=float)
    mean = runs.mean(axis=0)
    (line,) = ax.plot(x, mean, color=color, label=label, **kw)
    color = line.get_color()
    ax.fill_between(x, runs.min(axis=0), runs.max(axis=0), color=color, alpha=0.2, lw=0)
    if show_runs:
        for r in runs:
            ax.plot(x, r, color=color, lw=0.5, alpha=0.3)
    return mean


def save(fig, name, dpi=90):
    """Write ``fig`` as ``name``.png into the folder ``$GLASSGRAD_FIGURES`` names, if it is set; returns the
    path written, else None. A notebook cell calls it so the README's figures are made from the notebook."""
    folder = os.environ.get(FIGURES_ENV)
    if not folder:
        return None
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, f"{name}.png")
    fig.savefig(path, dpi=dpi, bbox_inches="tight", facecolor="white")
    return path
