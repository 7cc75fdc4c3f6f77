"""The course's training recipe as helpers: check the initial loss, overfit one batch, then sweep
learning rates (``check_initial_loss``, ``overfit_batch``, ``lr_range_test``)."""

from __future__ import annotations

import math

import numpy as np

import autograd as ag

from .plot import pyplot

__all__ = ["check_initial_loss", "lr_range_test", "overfit_batch"]


def check_initial_loss(model, loss_fn, x, t, num_classes):
    """The loss of the untrained model against log C (what a softmax over C classes that knows
    nothing should give). Returns (loss, log C)."""
    model.eval()
    with ag.no_grad():
        loss = float(loss_fn(model(x), t).item())
    model.train()
    return loss, math.log(num_classes)


def overfit_batch(model, loss_fn, optimizer, x, t, steps=200):
    """Train on one small batch only; a correct setup drives its loss to ~0. Returns the losses."""
    model.train()
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = loss_fn(model(x), t)
        loss.backward()
        optimizer.step()
        losses.append(float(loss.item()))
    return losses


def _loss_after(model, loss_fn, optimizer, loader, steps):
    """Train for ``steps`` batches (cycling through ``loader``); returns the last batch's loss."""
    seen = 0
    loss = None
    while seen < steps:
        for x, t in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(x), t)
            loss.backward()
            optimizer.step()
            seen += 1
            if seen >= steps:
                break
    return float(loss.item()) if loss is not None else float("nan")


def lr_range_test(make_model, loss_fn, make_optimizer, loader, lrs=None, steps=100, plot_path=None):
    """For each learning rate (default 1e-1 … 1e-5), train a fresh model for ``steps`` batches and
    record the final loss; the best rate drops the loss fastest. Returns {lr: loss}."""
    lrs = list(np.logspace(-1, -5, 9) if lrs is None else lrs)
    results = {}
    for lr in lrs:
        model = make_model()
        results[float(lr)] = _loss_after(model, loss_fn, make_optimizer(model.parameters(), float(lr)), loader, steps)
    if plot_path is not None:
        plt = pyplot()
        fig, ax = plt.subplots(figsize=(5, 3.5))
        ax.semilogx(list(results), list(results.values()), "o-")
        ax.set_xlabel("learning rate")
        ax.set_ylabel(f"loss after {steps} steps")
        ax.grid(alpha=0.3)
        fig.tight_layout()
        fig.savefig(plot_path, dpi=110)
    return results
