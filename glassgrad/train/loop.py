"""The training loop: ``fit`` with metrics, a progress bar, callbacks and a ``History``; and the
course's training recipe as helpers (``check_initial_loss``, ``overfit_batch``, ``lr_range_test``).

One epoch: for each batch, z = model(x), L = loss(z, t), δ = ∂L/∂θ by backward, θ ← update(θ, δ);
then the validation pass in eval mode, the schedule's step, and the callbacks.
"""

from __future__ import annotations

import copy
import json
import math
import os
import time

import numpy as np

import autograd as ag

from .serialization import save


class TrainingDiverged(RuntimeError):
    """The loss became NaN or inf; ``epoch`` and ``batch`` say where."""

    def __init__(self, epoch, batch, loss):
        super().__init__(
            f"training diverged: the loss is {loss} at epoch {epoch}, batch {batch}. "
            f"Lower the learning rate (or add gradient clipping / check the inputs for NaN); "
            f"the best checkpoint saved so far is intact."
        )
        self.epoch = epoch
        self.batch = batch
        self.loss = loss


# --- metrics ------------------------------------------------------------------------------------
def accuracy(logits, targets):
    """Share of samples whose arg-max class equals the target (probability targets: their arg-max)."""
    z = logits.data if isinstance(logits, ag.Tensor) else np.asarray(logits)
    t = targets.data if isinstance(targets, ag.Tensor) else np.asarray(targets)
    if t.ndim == z.ndim and t.dtype.kind == "f" and z.ndim > 1:
        t = t.argmax(axis=-1)
    if z.ndim == 1 or z.shape[-1] == 1:  # one logit: binary classification at 0
        pred = (z.reshape(-1) > 0).astype(np.int64)
        t = t.reshape(-1)
    else:
        pred = z.argmax(axis=-1)
    return float((pred == t).mean()) if len(t) else 0.0


METRICS = {"accuracy": accuracy}


def _metric(name):
    if callable(name):
        return getattr(name, "__name__", "metric"), name
    if name not in METRICS:
        raise ValueError(f"unknown metric {name!r}; choose from {sorted(METRICS)} or pass a function (logits, targets) -> float")
    return name, METRICS[name]


# --- history ------------------------------------------------------------------------------------
class History:
    """Per-epoch records: train/val loss and metrics, learning rate and time."""

    def __init__(self):
        self.epochs = []
        self.interrupted = False
        self.stopped_early = False

    def append(self, record):
        self.epochs.append(record)

    def __len__(self):
        return len(self.epochs)

    def __getitem__(self, key):
        """``history["val_loss"]``: that column over the epochs."""
        return [e.get(key) for e in self.epochs]

    @property
    def last(self):
        return self.epochs[-1] if self.epochs else {}

    def best(self, monitor="val_loss", mode="auto"):
        """The epoch record where ``monitor`` was best."""
        mode = _mode_for(monitor, mode)
        values = [(e[monitor], k) for k, e in enumerate(self.epochs) if e.get(monitor) is not None]
        if not values:
            raise KeyError(f"History: no epoch recorded {monitor!r}; recorded: {sorted(self.last)}")
        value, k = (min if mode == "min" else max)(values)
        return self.epochs[k]

    def to_dict(self):
        return {"epochs": self.epochs, "interrupted": self.interrupted, "stopped_early": self.stopped_early}

    def save(self, path):
        """Write the history as JSON (atomically: a temporary file, then a rename)."""
        tmp = f"{path}.tmp"
        with open(tmp, "w") as f:
            json.dump(self.to_dict(), f, indent=2)
        os.replace(tmp, path)

    @classmethod
    def load(cls, path):
        with open(path) as f:
            d = json.load(f)
        h = cls()
        h.epochs = d["epochs"]
        h.interrupted = d.get("interrupted", False)
        h.stopped_early = d.get("stopped_early", False)
        return h

    def plot(self, path=None, metrics=("loss", "accuracy")):
        """Loss and metric curves for train and val (matplotlib); saved as PNG when ``path`` is given."""
        plt = _pyplot()
        present = [m for m in metrics if any(f"{s}_{m}" in e for e in self.epochs for s in ("train", "val"))]
        fig, axes = plt.subplots(1, max(len(present), 1), figsize=(5 * max(len(present), 1), 3.6), squeeze=False)
        x = [e["epoch"] for e in self.epochs]
        for ax, m in zip(axes[0], present):
            for split, style in (("train", "-"), ("val", "--")):
                ys = self[f"{split}_{m}"]
                if any(y is not None for y in ys):
                    ax.plot(x, [np.nan if y is None else y for y in ys], style, label=split)
            ax.set_xlabel("epoch")
            ax.set_ylabel(m)
            ax.grid(alpha=0.3)
            ax.legend()
        fig.tight_layout()
        if path is not None:
            fig.savefig(path, dpi=110)
        return fig


def _pyplot():
    try:
        import matplotlib

        if os.environ.get("MPLBACKEND") is None and "ipykernel" not in __import__("sys").modules:
            matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as e:  # pragma: no cover - environment dependent
        raise ImportError("plotting needs matplotlib: pip install 'glassgrad[train]'") from e
    return plt


def _mode_for(monitor, mode):
    if mode != "auto":
        if mode not in ("min", "max"):
            raise ValueError(f"mode must be 'min', 'max' or 'auto', got {mode!r}")
        return mode
    return "min" if "loss" in monitor else "max"


# --- callbacks ----------------------------------------------------------------------------------
class Callback:
    """Hooks into ``fit``; each receives the ``Trainer`` (model, optimizer, history, ...)."""

    def on_train_begin(self, trainer):
        pass

    def on_after_backward(self, trainer):
        pass

    def on_epoch_end(self, trainer, record):
        pass

    def on_train_end(self, trainer):
        pass

    def on_interrupt(self, trainer):
        pass


class EarlyStopping(Callback):
    """Stop when ``monitor`` has not improved by ``min_delta`` for ``patience`` epochs; with
    ``restore_best`` put the best epoch's weights back at the end."""

    def __init__(self, monitor="val_loss", patience=5, min_delta=0.0, mode="auto", restore_best=True):
        self.monitor = monitor
        self.patience = patience
        self.min_delta = min_delta
        self.mode = _mode_for(monitor, mode)
        self.restore_best = restore_best
        self.best = None
        self.best_epoch = None
        self.best_state = None
        self.wait = 0

    def _improved(self, value):
        if self.best is None:
            return True
        if self.mode == "min":
            return value < self.best - self.min_delta
        return value > self.best + self.min_delta

    def on_epoch_end(self, trainer, record):
        value = record.get(self.monitor)
        if value is None:
            raise KeyError(f"EarlyStopping: {self.monitor!r} is not recorded (have {sorted(record)}); pass val_loader= for val_ metrics")
        if self._improved(value):
            self.best, self.best_epoch, self.wait = value, record["epoch"], 0
            if self.restore_best:
                self.best_state = copy.deepcopy(trainer.model.state_dict())
        else:
            self.wait += 1
            if self.wait >= self.patience:
                trainer.stop = True
                trainer.history.stopped_early = True

    def on_train_end(self, trainer):
        if self.restore_best and self.best_state is not None:
            trainer.model.load_state_dict(self.best_state)


class Checkpoint(Callback):
    """Save the model to ``path`` (safetensors, atomically) whenever ``monitor`` improves.

    ``save_last`` also writes ``<path stem>.last.safetensors`` every epoch, and on Ctrl-C.
    """

    def __init__(self, path, monitor="val_loss", mode="auto", save_last=False, metadata=None):
        self.path = str(path)
        self.monitor = monitor
        self.mode = _mode_for(monitor, mode)
        self.save_last = save_last
        self.metadata = metadata
        self.best = None

    @property
    def last_path(self):
        stem = self.path[: -len(".safetensors")] if self.path.endswith(".safetensors") else self.path
        return f"{stem}.last.safetensors"

    def on_epoch_end(self, trainer, record):
        value = record.get(self.monitor)
        if value is None:
            raise KeyError(f"Checkpoint: {self.monitor!r} is not recorded (have {sorted(record)})")
        if math.isfinite(value) and (self.best is None or (value < self.best if self.mode == "min" else value > self.best)):
            self.best = value
            save(trainer.model, self.path, metadata=self.metadata)
        if self.save_last:
            save(trainer.model, self.last_path, metadata=self.metadata)

    def on_interrupt(self, trainer):
        save(trainer.model, self.last_path, metadata=self.metadata)


class ReduceLROnPlateau(Callback):
    """Step an ``optim.lr_scheduler.ReduceLROnPlateau`` with ``monitor`` after every epoch."""

    def __init__(self, monitor="val_loss", **kwargs):
        self.monitor = monitor
        self.kwargs = kwargs
        self.scheduler = None

    def on_train_begin(self, trainer):
        from optim.lr_scheduler import ReduceLROnPlateau as Plateau

        kwargs = dict(self.kwargs)
        kwargs.setdefault("mode", _mode_for(self.monitor, "auto"))
        self.scheduler = Plateau(trainer.optimizer, **kwargs)

    def on_epoch_end(self, trainer, record):
        self.scheduler.step(record[self.monitor])


class GradientClipping(Callback):
    """Clip the global gradient norm to ``max_norm`` after each backward (before the step)."""

    def __init__(self, max_norm, norm_type=2.0):
        self.max_norm = max_norm
        self.norm_type = norm_type

    def on_after_backward(self, trainer):
        from optim import clip_grad_norm_

        clip_grad_norm_(trainer.params, self.max_norm, self.norm_type)


# --- the loop -----------------------------------------------------------------------------------
class Trainer:
    """The state ``fit`` shares with its callbacks."""

    def __init__(self, model, optimizer, history):
        self.model = model
        self.optimizer = optimizer
        self.history = history
        self.stop = False
        self.params = [p for group in optimizer.param_groups for p in group["params"]]


def _lr(optimizer):
    return float(optimizer.param_groups[0]["lr"])


def evaluate(model, loss_fn, loader, metrics=("accuracy",)):
    """Mean loss and metrics over a loader, in eval mode without a graph."""
    named = [_metric(m) for m in metrics]
    was_training = model.training
    model.eval()
    total, count = 0.0, 0
    sums = {name: 0.0 for name, _ in named}
    with ag.no_grad():
        for x, t in loader:
            z = model(x)
            n = len(t)
            total += float(loss_fn(z, t).item()) * n
            for name, fn in named:
                sums[name] += fn(z, t) * n
            count += n
    model.train(was_training)
    out = {"loss": total / max(count, 1)}
    out.update({name: s / max(count, 1) for name, s in sums.items()})
    return out


def fit(
    model,
    loss_fn,
    optimizer,
    train_loader,
    val_loader=None,
    epochs=10,
    scheduler=None,
    callbacks=(),
    metrics=("accuracy",),
    progress=True,
    scheduler_step="epoch",
):
    """Train ``model`` and return its ``History``.

    ``scheduler`` is stepped after every epoch (``scheduler_step="batch"`` for per-batch
    schedules such as OneCycleLR). A NaN/inf loss raises ``TrainingDiverged``; Ctrl-C stops
    training and returns the history so far (``history.interrupted``), after the callbacks'
    ``on_interrupt`` (``Checkpoint`` saves the last weights).
    """
    if scheduler_step not in ("epoch", "batch"):
        raise ValueError(f"scheduler_step must be 'epoch' or 'batch', got {scheduler_step!r}")
    named = [_metric(m) for m in metrics]
    history = History()
    trainer = Trainer(model, optimizer, history)
    callbacks = list(callbacks)
    bar_cls = _tqdm() if progress else None
    for cb in callbacks:
        cb.on_train_begin(trainer)
    try:
        for epoch in range(1, epochs + 1):
            t0 = time.perf_counter()
            model.train()
            lr = _lr(optimizer)
            total, count = 0.0, 0
            sums = {name: 0.0 for name, _ in named}
            bar = None
            if bar_cls is not None:
                # Counted by hand: a bar wrapping the loader shows a stale count next to set_postfix.
                bar = bar_cls(total=len(train_loader), desc=f"epoch {epoch}/{epochs}", leave=False, dynamic_ncols=True)
            for b, (x, t) in enumerate(train_loader):
                optimizer.zero_grad()
                z = model(x)
                loss = loss_fn(z, t)
                value = float(loss.item())
                if not math.isfinite(value):
                    raise TrainingDiverged(epoch, b, value)
                loss.backward()
                for cb in callbacks:
                    cb.on_after_backward(trainer)
                optimizer.step()
                if scheduler is not None and scheduler_step == "batch":
                    scheduler.step()
                n = len(t)
                total += value * n
                count += n
                for name, fn in named:
                    sums[name] += fn(z, t) * n
                if bar is not None:
                    bar.set_postfix(loss=f"{total / count:.4f}", **{k: f"{v / count:.3f}" for k, v in sums.items()}, refresh=False)
                    bar.update(1)
            if bar is not None:
                bar.close()
            record = {"epoch": epoch, "lr": lr, "train_loss": total / max(count, 1)}
            record.update({f"train_{k}": v / max(count, 1) for k, v in sums.items()})
            if val_loader is not None:
                val = evaluate(model, loss_fn, val_loader, metrics)
                record.update({f"val_{k}": v for k, v in val.items()})
            if scheduler is not None and scheduler_step == "epoch":
                if scheduler.__class__.__name__ == "ReduceLROnPlateau":
                    scheduler.step(record.get("val_loss", record["train_loss"]))
                else:
                    scheduler.step()
            record["time"] = time.perf_counter() - t0
            history.append(record)
            for cb in callbacks:
                cb.on_epoch_end(trainer, record)
            if progress:
                print(_summary(record), flush=True)
            if trainer.stop:
                break
    except KeyboardInterrupt:
        history.interrupted = True
        for cb in callbacks:
            cb.on_interrupt(trainer)
        return history
    for cb in callbacks:
        cb.on_train_end(trainer)
    return history


def _summary(record):
    parts = [f"epoch {record['epoch']}"]
    for key in ("train_loss", "train_accuracy", "val_loss", "val_accuracy"):
        if key in record:
            parts.append(f"{key} {record[key]:.4f}")
    parts.append(f"lr {record['lr']:.2e}")
    return "  ".join(parts)


def _tqdm():
    try:
        from tqdm.auto import tqdm
    except ImportError as e:  # pragma: no cover - environment dependent
        raise ImportError("the progress bar needs tqdm: pip install 'glassgrad[train]' (or pass progress=False)") from e
    return tqdm


# --- the training recipe ------------------------------------------------------------------------
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


def lr_range_test(make_model, loss_fn, make_optimizer, loader, lrs=None, steps=100, plot_path=None):
    """For each learning rate (default 1e-1 … 1e-5), train a fresh model for ``steps`` batches and
    record the final loss; the best rate drops the loss fastest. Returns {lr: loss}."""
    lrs = list(np.logspace(-1, -5, 9) if lrs is None else lrs)
    results = {}
    for lr in lrs:
        model = make_model()
        optimizer = make_optimizer(model.parameters(), float(lr))
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
        results[float(lr)] = float(loss.item()) if loss is not None else float("nan")
    if plot_path is not None:
        plt = _pyplot()
        fig, ax = plt.subplots(figsize=(5, 3.5))
        ax.semilogx(list(results), list(results.values()), "o-")
        ax.set_xlabel("learning rate")
        ax.set_ylabel(f"loss after {steps} steps")
        ax.grid(alpha=0.3)
        fig.tight_layout()
        fig.savefig(plot_path, dpi=110)
    return results
