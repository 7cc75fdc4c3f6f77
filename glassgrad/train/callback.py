"""Callbacks of ``fit``: ``EarlyStopping``, ``Checkpoint`` (save the best model) and ``GradientClipping``.

A learning-rate schedule is not a callback: pass it to ``fit(scheduler=...)``, including
``optim.lr_scheduler.ReduceLROnPlateau``, which ``fit`` steps with the monitored metric.
"""

from __future__ import annotations

import copy
import math

import nn
import optim

from .metric import monitor_mode

__all__ = ["Callback", "Checkpoint", "EarlyStopping", "GradientClipping"]


class Callback:
    """Hooks into ``fit``; each receives the ``Trainer`` (model, optimizer, history, ...)."""

    def on_train_begin(self, trainer):
        """Before the first epoch."""

    def on_after_backward(self, trainer):
        """After each batch's backward, before the optimizer's step."""

    def on_epoch_end(self, trainer, record):
        """After each epoch, with its record (train/val loss and metrics, lr, time)."""

    def on_train_end(self, trainer):
        """After the last epoch (not after Ctrl-C: then ``on_interrupt``)."""

    def on_interrupt(self, trainer):
        """On Ctrl-C, before ``fit`` returns the history so far."""

    def on_diverged(self, trainer, error):
        """When the loss turned NaN or inf, before ``fit`` raises ``TrainingDiverged`` (``error``)."""


def _monitored(name, monitor, record):
    value = record.get(monitor)
    if value is None:
        raise KeyError(
            f"{name}: {monitor!r} is not recorded (have {sorted(record)}); pass val_loader= for val_ metrics"
        )
    return value


class EarlyStopping(Callback):
    """Stop when ``monitor`` has not improved by ``min_delta`` for ``patience`` epochs; with
    ``restore_best`` put the best epoch's weights back at the end."""

    def __init__(self, monitor="val_loss", patience=5, min_delta=0.0, mode="auto", restore_best=True):
        self.monitor = monitor
        self.patience = patience
        self.min_delta = min_delta
        self.mode = monitor_mode(monitor, mode)
        self.restore_best = restore_best
        self.best = None
        self.best_epoch = None
        self.best_state = None
        self.wait = 0

    def on_epoch_end(self, trainer, record):
        """Keep the best value (and weights) so far, or count one more epoch without improvement."""
        value = _monitored("EarlyStopping", self.monitor, record)
        if optim.improved(value, self.best, self.mode, threshold=self.min_delta):
            self.best, self.best_epoch, self.wait = value, record["epoch"], 0
            if self.restore_best:
                self.best_state = copy.deepcopy(trainer.model.state_dict())
        else:
            self.wait += 1
            if self.wait >= self.patience:
                trainer.stop = True
                trainer.history.stopped_early = True

    def on_train_end(self, trainer):
        """Put the best epoch's weights back (with ``restore_best``)."""
        if self.restore_best and self.best_state is not None:
            trainer.model.load_state_dict(self.best_state)


class Checkpoint(Callback):
    """Save the model to ``path`` (safetensors, atomically) whenever ``monitor`` improves.

    ``save_last`` also writes ``<path stem>.last.safetensors`` every epoch, and on Ctrl-C.
    """

    def __init__(self, path, monitor="val_loss", mode="auto", save_last=False, metadata=None):
        self.path = str(path)
        self.monitor = monitor
        self.mode = monitor_mode(monitor, mode)
        self.save_last = save_last
        self.metadata = metadata
        self.best = None

    @property
    def last_path(self):
        """Where the last weights go: ``<path stem>.last.safetensors``."""
        stem = self.path[: -len(".safetensors")] if self.path.endswith(".safetensors") else self.path
        return f"{stem}.last.safetensors"

    def on_epoch_end(self, trainer, record):
        """Save when the (finite) monitored value improved; with ``save_last`` save the last weights too."""
        value = _monitored("Checkpoint", self.monitor, record)
        if math.isfinite(value) and optim.improved(value, self.best, self.mode):
            self.best = value
            nn.save(trainer.model, self.path, metadata=self.metadata)
        if self.save_last:
            nn.save(trainer.model, self.last_path, metadata=self.metadata)

    def on_interrupt(self, trainer):
        """Save the last weights on Ctrl-C."""
        nn.save(trainer.model, self.last_path, metadata=self.metadata)


class GradientClipping(Callback):
    """Clip the global gradient norm to ``max_norm`` after each backward (before the step)."""

    def __init__(self, max_norm, norm_type=2.0):
        self.max_norm = max_norm
        self.norm_type = norm_type

    def on_after_backward(self, trainer):
        """‖∇θ‖ ≤ max_norm by ``optim.clip_grad_norm_``."""
        optim.clip_grad_norm_(trainer.params, self.max_norm, self.norm_type)
