"""The training loop: ``fit`` with metrics, a progress bar, schedules, callbacks and a ``History``.

One epoch: for each batch, z = model(x), L = loss(z, t), δ = ∂L/∂θ by backward, θ ← update(θ, δ);
then the validation pass in eval mode, the schedules' step, and the callbacks.
"""

from __future__ import annotations

import math
import signal
import threading
import time

import autograd as ag
from optim.lr_scheduler import ReduceLROnPlateau

from .history import History
from .metric import get_metric

__all__ = ["Trainer", "TrainingDiverged", "Terminated", "evaluate", "fit", "train_epoch", "step_schedulers"]


class TrainingDiverged(RuntimeError):
    """The loss became NaN or inf; ``epoch`` and ``batch`` say where."""

    def __init__(self, epoch, batch, loss, history=None):
        super().__init__(
            f"training diverged: the loss is {loss} at epoch {epoch}, batch {batch}. "
            f"Lower the learning rate (or add gradient clipping / check the inputs for NaN); "
            f"the best checkpoint saved so far is intact."
        )
        self.epoch = epoch
        self.batch = batch
        self.loss = loss
        self.history = history  # the epochs that finished before it (set by fit)


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived during ``fit``: handled like Ctrl-C (the history and last weights are kept)."""


class Trainer:
    """The state ``fit`` shares with its callbacks: model, loss, optimizer, history, the stop flag."""

    def __init__(self, model, loss_fn, optimizer, callbacks=(), metrics=("accuracy",)):
        self.model = model
        self.loss_fn = loss_fn
        self.optimizer = optimizer
        self.callbacks = list(callbacks)
        self.metrics = tuple(metrics)
        for m in self.metrics:
            get_metric(m)  # an unknown metric fails before training, not after the first epoch
        self.history = History()
        self.stop = False
        self.params = [p for group in optimizer.param_groups for p in group["params"]]


def evaluate(model, loss_fn, loader, metrics=("accuracy",)):
    """Mean loss and metrics over a loader, in eval mode without a graph."""
    named = [get_metric(m) for m in metrics]
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
    if count == 0:
        raise ValueError("evaluate: the loader yields no samples, so there is no loss or accuracy to report")
    out = {"loss": total / max(count, 1)}
    out.update({name: s / max(count, 1) for name, s in sums.items()})
    return out


def _train_step(trainer, x, t, epoch, batch):
    """One update on one batch; returns the logits and the loss value."""
    trainer.optimizer.zero_grad()
    z = trainer.model(x)
    loss = trainer.loss_fn(z, t)
    value = float(loss.item())
    if not math.isfinite(value):
        raise TrainingDiverged(epoch, batch, value)
    loss.backward()
    for cb in trainer.callbacks:
        cb.on_after_backward(trainer)
    trainer.optimizer.step()
    return z, value


def train_epoch(trainer, loader, epoch=1, batch_schedulers=(), bar=None):
    """One pass over ``loader`` in train mode; returns {"train_loss": ..., "train_<metric>": ...}.

    ``batch_schedulers`` step after every batch; ``bar`` (a tqdm bar) shows the running means.
    """
    named = [get_metric(m) for m in trainer.metrics]
    trainer.model.train()
    total, count = 0.0, 0
    sums = {name: 0.0 for name, _ in named}
    for b, (x, t) in enumerate(loader):
        z, value = _train_step(trainer, x, t, epoch, b)
        for scheduler in batch_schedulers:
            scheduler.step()
        n = len(t)
        total += value * n
        count += n
        for name, fn in named:
            sums[name] += fn(z, t) * n
        if bar is not None:
            bar.set_postfix(
                loss=f"{total / count:.4f}", **{k: f"{v / count:.3f}" for k, v in sums.items()}, refresh=False
            )
            bar.update(1)
    if count == 0:
        raise ValueError("train_epoch: the loader yields no samples; nothing was trained")
    record = {"train_loss": total / max(count, 1)}
    record.update({f"train_{k}": v / max(count, 1) for k, v in sums.items()})
    return record


def step_schedulers(schedulers, record, monitor=None):
    """Step each epoch schedule; a ``ReduceLROnPlateau`` gets ``record[monitor]``.

    ``monitor`` None means "val_loss" when it is recorded, else "train_loss".
    """
    for scheduler in schedulers:
        if isinstance(scheduler, ReduceLROnPlateau):
            scheduler.step(_monitored_value(record, monitor))
        else:
            scheduler.step()


def _monitored_value(record, monitor):
    if monitor is None:
        monitor = "val_loss" if "val_loss" in record else "train_loss"
    if monitor not in record:
        raise KeyError(
            f"fit: monitor {monitor!r} is not recorded (have {sorted(record)}); pass val_loader= for val_ metrics"
        )
    return record[monitor]


def _split_schedulers(scheduler, scheduler_step):
    """(per-batch, per-epoch) schedulers; ReduceLROnPlateau always steps per epoch (it needs a metric)."""
    if scheduler_step not in ("epoch", "batch"):
        raise ValueError(f"scheduler_step must be 'epoch' or 'batch', got {scheduler_step!r}")
    schedulers = [] if scheduler is None else list(scheduler) if isinstance(scheduler, (list, tuple)) else [scheduler]
    per_epoch = [s for s in schedulers if scheduler_step == "epoch" or isinstance(s, ReduceLROnPlateau)]
    per_batch = [s for s in schedulers if s not in per_epoch]
    return per_batch, per_epoch


def _run_epoch(trainer, train_loader, val_loader, epoch, schedulers, monitor, bar):
    """Train one epoch, validate, step the epoch schedules; returns the epoch's record."""
    t0 = time.perf_counter()
    per_batch, per_epoch = schedulers
    record = {"epoch": epoch, "lr": float(trainer.optimizer.param_groups[0]["lr"])}
    record.update(train_epoch(trainer, train_loader, epoch, per_batch, bar))
    if bar is not None:
        bar.close()
    if val_loader is not None:
        val = evaluate(trainer.model, trainer.loss_fn, val_loader, trainer.metrics)
        record.update({f"val_{k}": v for k, v in val.items()})
    step_schedulers(per_epoch, record, monitor)
    record["time"] = time.perf_counter() - t0
    return record


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
    monitor=None,
    verbose=None,
):
    """Train ``model`` and return its ``History``.

    ``scheduler`` (one schedule or a list) is stepped after every epoch (``scheduler_step="batch"``
    for per-batch schedules such as OneCycleLR); an ``optim.lr_scheduler.ReduceLROnPlateau`` is
    stepped every epoch with ``record[monitor]`` (default: "val_loss", or "train_loss" without a
    ``val_loader``). A NaN/inf loss raises ``TrainingDiverged``; Ctrl-C stops training and returns
    the history so far (``history.interrupted``), after the callbacks' ``on_interrupt``
    (``Checkpoint`` saves the last weights). ``verbose`` prints one summary line per epoch
    (default: when ``progress`` shows a bar), so a run without a bar can still report.
    """
    schedulers = _split_schedulers(scheduler, scheduler_step)
    trainer = Trainer(model, loss_fn, optimizer, callbacks, metrics)
    bar_cls = _tqdm() if progress else None
    verbose = progress if verbose is None else verbose
    _check_not_empty("train_loader", train_loader)
    for cb in trainer.callbacks:
        cb.on_train_begin(trainer)
    try:
        with _sigterm_as_interrupt():
            for epoch in range(1, epochs + 1):
                bar = None if bar_cls is None else _bar(bar_cls, len(train_loader), epoch, epochs)
                record = _run_epoch(trainer, train_loader, val_loader, epoch, schedulers, monitor, bar)
                trainer.history.append(record)
                for cb in trainer.callbacks:
                    cb.on_epoch_end(trainer, record)
                if verbose:
                    print(_summary(record), flush=True)
                if trainer.stop:
                    break
    except TrainingDiverged as e:
        e.history = trainer.history  # the finished epochs are not lost
        for cb in trainer.callbacks:
            cb.on_diverged(trainer, e)
        raise
    except KeyboardInterrupt as e:
        trainer.history.interrupted = True
        trainer.history.signal = "SIGTERM" if isinstance(e, Terminated) else "SIGINT"
        for cb in trainer.callbacks:
            cb.on_interrupt(trainer)
        return trainer.history
    for cb in trainer.callbacks:
        cb.on_train_end(trainer)
    return trainer.history


class _sigterm_as_interrupt:
    """Within the block, SIGTERM raises ``Terminated`` (main thread only; elsewhere nothing changes)."""

    def __enter__(self):
        self.previous = None
        if threading.current_thread() is threading.main_thread():
            self.previous = signal.signal(signal.SIGTERM, self._raise)
        return self

    @staticmethod
    def _raise(signum, frame):
        raise Terminated()

    def __exit__(self, *exc):
        if self.previous is not None:
            signal.signal(signal.SIGTERM, self.previous)
        return False


def _check_not_empty(name, loader):
    """Refuse a loader with no batches: training or evaluating on nothing reports numbers that mean nothing."""
    try:
        n = len(loader)
    except TypeError:
        return  # an iterable without a length: the epoch itself checks
    if n == 0:
        raise ValueError(
            f"{name} yields no batches (an empty dataset, or drop_last=True with fewer samples than batch_size)"
        )


def _summary(record):
    parts = [f"epoch {record['epoch']}"]
    for key in ("train_loss", "train_accuracy", "val_loss", "val_accuracy"):
        if key in record:
            parts.append(f"{key} {record[key]:.4f}")
    parts.append(f"lr {record['lr']:.2e}")
    return "  ".join(parts)


def _bar(bar_cls, batches, epoch, epochs):
    # Counted by hand: a bar wrapping the loader shows a stale count next to set_postfix.
    return bar_cls(total=batches, desc=f"epoch {epoch}/{epochs}", leave=False, dynamic_ncols=True)


def _tqdm():
    try:
        from tqdm.auto import tqdm
    except ImportError as e:  # pragma: no cover - environment dependent
        raise ImportError(
            "the progress bar needs tqdm: pip install tqdm, or from a checkout pip install -e '.[train]' (or pass progress=False)"
        ) from e
    return tqdm
