"""Learning-rate schedules: each ``step()`` sets every param group's ``lr`` for the next epoch.

Call ``scheduler.step()`` after ``optimizer.step()``, once per epoch (or per batch for
OneCycleLR). η₀ is a group's starting lr (``base_lrs``), t the number of ``step()`` calls so far
(``last_epoch``), η_t the lr the next optimizer step uses.

Each schedule computes its rate by one formula, its ``get_lr()``. Those marked ``chainable``
(StepLR, MultiStepLR, ExponentialLR, LinearLR, CosineAnnealingLR) compute η_t from the group's
current lr, η_t = η_{t−1}·ratio(t), as PyTorch does: several schedules can then act on one
optimizer, and an lr changed by hand carries on. The others (LambdaLR, InverseTimeLR,
CosineAnnealingWarmRestarts, OneCycleLR) are closed forms of t. Values equal the closed forms in
the docstrings up to rounding, and PyTorch's bit for bit.

NOTE: ``step(epoch)`` (deprecated in PyTorch) jumps to ``epoch``: a chainable schedule replays its
formula from η₀ (the lrs a fresh schedule reaches after ``epoch`` steps), where PyTorch evaluates a
separate closed form; the two agree up to rounding (exactly at epoch 0, where SequentialLR starts
each schedule).
"""

from __future__ import annotations

import math
import types
from bisect import bisect_right

from .optimizer import Optimizer

__all__ = [
    "LRScheduler",
    "LambdaLR",
    "StepLR",
    "MultiStepLR",
    "ExponentialLR",
    "InverseTimeLR",
    "LinearLR",
    "CosineAnnealingLR",
    "CosineAnnealingWarmRestarts",
    "OneCycleLR",
    "SequentialLR",
    "ReduceLROnPlateau",
]


def _current_lrs(optimizer):
    """The lr of every param group, in order."""
    return [group["lr"] for group in optimizer.param_groups]


def _set_lrs(optimizer, lrs):
    """Write one lr into each param group."""
    for group, lr in zip(optimizer.param_groups, lrs):
        group["lr"] = lr


def _per_group(name, optimizer, value):
    """``value`` for each param group: a list of one per group, or one value for all."""
    if isinstance(value, (list, tuple)):
        if len(value) != len(optimizer.param_groups):
            raise ValueError(
                f"{name} must have one value per param group: got {len(value)} values for "
                f"{len(optimizer.param_groups)} groups"
            )
        return list(value)
    return [value] * len(optimizer.param_groups)


class LRScheduler:
    """Base class: keeps ``base_lrs`` and ``last_epoch`` and writes ``get_lr()`` into the groups.

    A subclass writes ``get_lr()``, the lrs at epoch ``last_epoch``, and sets ``chainable = True``
    if that formula reads the groups' current lrs (η_{t−1}) rather than only ``base_lrs`` and t.
    """

    #: Whether ``get_lr()`` computes η_t from the groups' current lr η_{t−1}.
    chainable = False

    def __init__(self, optimizer, last_epoch=-1):
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            missing = [i for i, group in enumerate(optimizer.param_groups) if "initial_lr" not in group]
            if missing:
                raise KeyError(
                    f"param 'initial_lr' is not specified in param_groups {missing} when resuming a "
                    f"scheduler with last_epoch={last_epoch}: load the optimizer's state_dict first"
                )
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._initial_step()

    def _initial_step(self):
        """Set the lr for epoch 0 (PyTorch does this in the constructor)."""
        self._step_count = 0
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    def get_lr(self):
        """The lr of every group at epoch ``last_epoch``: the schedule's one formula."""
        raise NotImplementedError(f"{type(self).__name__} must implement get_lr()")

    def get_last_lr(self):
        """The lrs the last ``step()`` set, one per param group."""
        return self._last_lr

    def step(self, epoch=None):
        """Advance one epoch (or jump to ``epoch``) and set every group's lr."""
        self._step_count += 1
        self._update_lr(epoch)

    def _update_lr(self, epoch=None):
        """Set the lrs of the next epoch, or of ``epoch`` (a jump: see the module's NOTE)."""
        if epoch is None:
            self.last_epoch += 1
            _set_lrs(self.optimizer, self.get_lr())
        elif self.chainable:
            _set_lrs(self.optimizer, self.base_lrs)
            for t in range(int(epoch) + 1):
                self.last_epoch = t
                _set_lrs(self.optimizer, self.get_lr())
            self.last_epoch = epoch
        else:
            self.last_epoch = epoch
            _set_lrs(self.optimizer, self.get_lr())
        self._last_lr = _current_lrs(self.optimizer)

    def state_dict(self):
        """Everything but the optimizer, as plain Python values."""
        return {key: value for key, value in self.__dict__.items() if key != "optimizer"}

    def load_state_dict(self, state_dict):
        """Restore a ``state_dict()``, and the lr it last set in every param group.

        NOTE: PyTorch leaves the groups' lr alone here, so a scheduler built after
        ``optimizer.load_state_dict`` resumes from the lr its constructor set; we restore it.
        A state_dict of another kind of scheduler is refused (PyTorch merges it silently).
        """
        check_scheduler_state(self, state_dict)
        self.__dict__.update(state_dict)
        self._restore_lrs()

    def _restore_lrs(self):
        _set_lrs(self.optimizer, self._last_lr)


def check_scheduler_state(scheduler, state_dict):
    """Raise unless ``state_dict`` has the keys this scheduler's own ``state_dict()`` has."""
    if not isinstance(state_dict, dict):
        raise TypeError(f"{type(scheduler).__name__}.load_state_dict: expected a dict, got {type(state_dict).__name__}")
    mine, theirs = set(scheduler.state_dict()), set(state_dict)
    if mine != theirs:
        extra, missing = sorted(theirs - mine), sorted(mine - theirs)
        raise ValueError(
            f"{type(scheduler).__name__}.load_state_dict: this state_dict was saved by another kind of "
            f"scheduler (unexpected keys {extra}, missing keys {missing}); load it into the scheduler that saved it"
        )


class LambdaLR(LRScheduler):
    """η_t = η₀·λ(t), with ``lr_lambda`` = λ (one function, or one per group)."""

    def __init__(self, optimizer, lr_lambda, last_epoch=-1):
        self.optimizer = optimizer
        if isinstance(lr_lambda, (list, tuple)):
            if len(lr_lambda) != len(optimizer.param_groups):
                raise ValueError(f"Expected {len(optimizer.param_groups)} lr_lambdas, but got {len(lr_lambda)}")
            self.lr_lambdas = list(lr_lambda)
        else:
            self.lr_lambdas = [lr_lambda] * len(optimizer.param_groups)
        for fn in self.lr_lambdas:
            if not callable(fn):
                raise TypeError(f"lr_lambda should be a function, but got {type(fn).__name__}")
        super().__init__(optimizer, last_epoch)

    def state_dict(self):
        """As the base, but functions are not saved: a callable object's attributes are (as PyTorch)."""
        state = {key: value for key, value in self.__dict__.items() if key not in ("optimizer", "lr_lambdas")}
        state["lr_lambdas"] = [
            None if isinstance(fn, types.FunctionType) or not hasattr(fn, "__dict__") else dict(fn.__dict__)
            for fn in self.lr_lambdas
        ]
        return state

    def load_state_dict(self, state_dict):
        """Restore a ``state_dict()``, putting the saved attributes back into callable objects."""
        check_scheduler_state(self, state_dict)
        state_dict = dict(state_dict)
        saved = state_dict.pop("lr_lambdas", [None] * len(self.lr_lambdas))
        self.__dict__.update(state_dict)
        for fn, attrs in zip(self.lr_lambdas, saved):
            if attrs is not None:
                fn.__dict__.update(attrs)
        self._restore_lrs()

    def get_lr(self):
        """η₀·λ(t) for each group."""
        return [base_lr * fn(self.last_epoch) for fn, base_lr in zip(self.lr_lambdas, self.base_lrs)]


class StepLR(LRScheduler):
    """η_t = η₀·γ^⌊t / step_size⌋: multiply by γ (``gamma``) every ``step_size`` epochs."""

    chainable = True

    def __init__(self, optimizer, step_size, gamma=0.1, last_epoch=-1):
        if not isinstance(step_size, int) or step_size <= 0:
            raise ValueError(f"step_size must be a positive integer, got {step_size!r}")
        self.step_size = step_size
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        """η_t = γ·η_{t−1} when t is a multiple of ``step_size``, else η_{t−1}."""
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return _current_lrs(self.optimizer)
        return [group["lr"] * self.gamma for group in self.optimizer.param_groups]


class MultiStepLR(LRScheduler):
    """η_t = η₀·γ^(number of milestones ≤ t): multiply by γ at each epoch in ``milestones``."""

    chainable = True

    def __init__(self, optimizer, milestones, gamma=0.1, last_epoch=-1):
        # A sorted list (a milestone may repeat: γ applies once per copy), kept plain for state_dict.
        self.milestones = sorted(int(m) for m in milestones)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        """η_t = γᵏ·η_{t−1}, k the number of copies of t in ``milestones``."""
        count = self.milestones.count(self.last_epoch)
        if count == 0:
            return _current_lrs(self.optimizer)
        return [group["lr"] * self.gamma**count for group in self.optimizer.param_groups]


class ExponentialLR(LRScheduler):
    """η_t = η₀·γᵗ: multiply by γ (``gamma``) every epoch."""

    chainable = True

    def __init__(self, optimizer, gamma, last_epoch=-1):
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        """η_t = γ·η_{t−1}; η_0 is the group's lr."""
        if self._is_initial or self.last_epoch == 0:
            return _current_lrs(self.optimizer)
        return [group["lr"] * self.gamma for group in self.optimizer.param_groups]


class InverseTimeLR(LRScheduler):
    """η_t = η₀ / (1 + k·t): inverse-time decay (Robbins–Monro style, Σηₜ = ∞, Σηₜ² < ∞ needs k > 0).

    NOTE: not in PyTorch; it equals ``LambdaLR(optimizer, lambda t: 1 / (1 + k * t))`` bit for bit.
    """

    def __init__(self, optimizer, k, last_epoch=-1):
        if k < 0:
            raise ValueError(f"Invalid decay rate k: {k} (it must be >= 0)")
        self.k = k
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        """η₀·(1 / (1 + k·t)), rounded as LambdaLR rounds it."""
        return [base_lr * (1 / (1 + self.k * self.last_epoch)) for base_lr in self.base_lrs]


class LinearLR(LRScheduler):
    """η_t = η₀·(s + (e − s)·min(t, T) / T): a linear ramp of the factor from s to e over T epochs.

    With ``start_factor`` s < 1 and ``end_factor`` e = 1 this is a linear warmup; chain it with the
    main schedule by ``SequentialLR``.
    """

    chainable = True

    def __init__(self, optimizer, start_factor=1.0 / 3, end_factor=1.0, total_iters=5, last_epoch=-1):
        if start_factor > 1.0 or start_factor <= 0:
            raise ValueError(f"start_factor must be in (0, 1], got {start_factor}")
        if end_factor > 1.0 or end_factor < 0:
            raise ValueError(f"end_factor must be in [0, 1], got {end_factor}")
        if total_iters <= 0:
            raise ValueError(f"total_iters must be positive, got {total_iters}")
        self.start_factor = start_factor
        self.end_factor = end_factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        """η_t = η_{t−1}·factor(t) / factor(t − 1) up to T, from η_0 = s·η."""
        if self.last_epoch == 0:
            return [group["lr"] * self.start_factor for group in self.optimizer.param_groups]
        if self._is_initial or self.last_epoch > self.total_iters:
            return _current_lrs(self.optimizer)
        # factor(t) / factor(t − 1)
        ratio = 1.0 + (self.end_factor - self.start_factor) / (
            self.total_iters * self.start_factor + (self.last_epoch - 1) * (self.end_factor - self.start_factor)
        )
        return [group["lr"] * ratio for group in self.optimizer.param_groups]


class CosineAnnealingLR(LRScheduler):
    """η_t = η_min + (η₀ − η_min)·(1 + cos(π·t / T_max)) / 2: half a cosine from η₀ down to η_min.

    NOTE: as PyTorch, past T_max the cosine goes on (η rises back to η₀ at 2·T_max); use
    CosineAnnealingWarmRestarts for restarts.
    """

    chainable = True

    def __init__(self, optimizer, T_max, eta_min=0.0, last_epoch=-1):
        if T_max <= 0:
            raise ValueError(f"T_max must be positive, got {T_max}")
        self.T_max = T_max
        self.eta_min = eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        """η_t = η_min + (η_{t−1} − η_min)·(1 + cos(πt/T)) / (1 + cos(π(t − 1)/T)); η_0 is the group's lr."""
        t, T = self.last_epoch, self.T_max
        if self._is_initial:
            return _current_lrs(self.optimizer)
        if t == 0:
            # NOTE: η_min + (η − η_min) is η up to rounding; PyTorch's restart (in SequentialLR) rounds so.
            return [self.eta_min + (group["lr"] - self.eta_min) for group in self.optimizer.param_groups]
        if (t - 1 - T) % (2 * T) == 0:
            # At the bottom of the cosine the ratio below is 0/0: add the first step up instead.
            return [
                group["lr"] + (base_lr - self.eta_min) * (1 - math.cos(math.pi / T)) / 2
                for base_lr, group in zip(self.base_lrs, self.optimizer.param_groups)
            ]
        ratio = (1 + math.cos(math.pi * t / T)) / (1 + math.cos(math.pi * (t - 1) / T))
        return [ratio * (group["lr"] - self.eta_min) + self.eta_min for group in self.optimizer.param_groups]


class CosineAnnealingWarmRestarts(LRScheduler):
    """η_t = η_min + (η₀ − η_min)·(1 + cos(π·T_cur / T_i)) / 2, restarting at η₀ when T_cur reaches T_i.

    T_cur counts epochs since the last restart; the i-th period is T_i = T_0·T_multⁱ (SGDR).
    ``step(epoch)`` accepts a fractional epoch, to anneal within an epoch.
    """

    def __init__(self, optimizer, T_0, T_mult=1, eta_min=0.0, last_epoch=-1):
        if not isinstance(T_0, int) or T_0 <= 0:
            raise ValueError(f"Expected positive integer T_0, but got {T_0}")
        if not isinstance(T_mult, int) or T_mult < 1:
            raise ValueError(f"Expected integer T_mult >= 1, but got {T_mult}")
        if not isinstance(eta_min, (float, int)):
            raise ValueError(f"Expected float or int eta_min, but got {eta_min} of type {type(eta_min).__name__}")
        self.T_0 = T_0
        self.T_i = T_0
        self.T_mult = T_mult
        self.eta_min = eta_min
        self.T_cur = last_epoch
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        """η_min + (η₀ − η_min)·(1 + cos(π·T_cur / T_i)) / 2 for each group."""
        return [
            self.eta_min + (base_lr - self.eta_min) * (1 + math.cos(math.pi * self.T_cur / self.T_i)) / 2
            for base_lr in self.base_lrs
        ]

    def step(self, epoch=None):
        """Advance one epoch, or go to ``epoch`` (may be fractional)."""
        self._step_count += 1
        if epoch is None and self.last_epoch < 0:
            epoch = 0
        if epoch is None:
            epoch = self.last_epoch + 1
            self.T_cur = self.T_cur + 1
            if self.T_cur >= self.T_i:
                self.T_cur = self.T_cur % self.T_i
                self.T_i = self.T_i * self.T_mult
        else:
            if epoch < 0:
                raise ValueError(f"Expected non-negative epoch, but got {epoch}")
            if epoch >= self.T_0:
                if self.T_mult == 1:
                    self.T_cur = epoch % self.T_0
                else:
                    # the number of whole periods before ``epoch``: T_0·(T_multⁿ − 1)/(T_mult − 1) ≤ epoch
                    n = int(math.log(epoch / self.T_0 * (self.T_mult - 1) + 1, self.T_mult))
                    self.T_cur = epoch - self.T_0 * (self.T_mult**n - 1) / (self.T_mult - 1)
                    self.T_i = self.T_0 * self.T_mult**n
            else:
                self.T_i = self.T_0
                self.T_cur = epoch
        self.last_epoch = math.floor(epoch)
        _set_lrs(self.optimizer, self.get_lr())
        self._last_lr = _current_lrs(self.optimizer)


class OneCycleLR(LRScheduler):
    """The 1cycle policy: η rises from η_max/div_factor to η_max over ``pct_start`` of the steps, then
    anneals to η_max/(div_factor·final_div_factor); momentum μ (or β₁) moves the opposite way.

    Each phase goes from a to b by cosine, a + (b − a)·(1 − cos(π·p)) / 2, or linearly, p the
    fraction of the phase done. Step it once per batch; ``total_steps`` (or epochs·steps_per_epoch)
    steps in all. ``three_phase=True`` comes back down to the start lr before the final anneal.

    NOTE: as PyTorch, it ignores the optimizer's lr and sets ``initial_lr``, ``max_lr``,
    ``min_lr`` (and ``max_momentum``/``base_momentum``) in every param group.
    """

    def __init__(
        self,
        optimizer,
        max_lr,
        total_steps=None,
        epochs=None,
        steps_per_epoch=None,
        pct_start=0.3,
        anneal_strategy="cos",
        cycle_momentum=True,
        base_momentum=0.85,
        max_momentum=0.95,
        div_factor=25.0,
        final_div_factor=1e4,
        three_phase=False,
        last_epoch=-1,
    ):
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        self.optimizer = optimizer
        if total_steps is not None:
            if not isinstance(total_steps, int) or total_steps <= 0:
                raise ValueError(f"Expected positive integer total_steps, but got {total_steps}")
            self.total_steps = total_steps
        elif epochs is not None and steps_per_epoch is not None:
            if not isinstance(epochs, int) or epochs <= 0:
                raise ValueError(f"Expected positive integer epochs, but got {epochs}")
            if not isinstance(steps_per_epoch, int) or steps_per_epoch <= 0:
                raise ValueError(f"Expected positive integer steps_per_epoch, but got {steps_per_epoch}")
            self.total_steps = epochs * steps_per_epoch
        else:
            raise ValueError("You must define either total_steps OR (epochs AND steps_per_epoch)")
        if not isinstance(pct_start, float) or not 0 <= pct_start <= 1:
            raise ValueError(f"Expected float between 0 and 1 pct_start, but got {pct_start}")
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(f"anneal_strategy must be one of 'cos' or 'linear', instead got {anneal_strategy}")
        self.anneal_strategy = anneal_strategy

        # Each phase: the step it ends at, and the group keys it goes from and to.
        rise = float(pct_start * self.total_steps) - 1
        if three_phase:
            self._schedule_phases = [
                {"end_step": rise, "start_lr": "initial_lr", "end_lr": "max_lr",
                 "start_momentum": "max_momentum", "end_momentum": "base_momentum"},
                {"end_step": float(2 * pct_start * self.total_steps) - 2, "start_lr": "max_lr",
                 "end_lr": "initial_lr", "start_momentum": "base_momentum", "end_momentum": "max_momentum"},
                {"end_step": self.total_steps - 1, "start_lr": "initial_lr", "end_lr": "min_lr",
                 "start_momentum": "max_momentum", "end_momentum": "max_momentum"},
            ]  # fmt: skip
        else:
            self._schedule_phases = [
                {"end_step": rise, "start_lr": "initial_lr", "end_lr": "max_lr",
                 "start_momentum": "max_momentum", "end_momentum": "base_momentum"},
                {"end_step": self.total_steps - 1, "start_lr": "max_lr", "end_lr": "min_lr",
                 "start_momentum": "base_momentum", "end_momentum": "max_momentum"},
            ]  # fmt: skip

        max_lrs = _per_group("max_lr", optimizer, max_lr)
        if last_epoch == -1:
            for group, group_max_lr in zip(optimizer.param_groups, max_lrs):
                group["initial_lr"] = group_max_lr / div_factor
                group["max_lr"] = group_max_lr
                group["min_lr"] = group["initial_lr"] / final_div_factor

        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
                raise ValueError("optimizer must support momentum or beta1 with `cycle_momentum` option enabled")
            self.use_beta1 = "betas" in optimizer.defaults
            max_momentums = _per_group("max_momentum", optimizer, max_momentum)
            base_momentums = _per_group("base_momentum", optimizer, base_momentum)
            if last_epoch == -1:
                for group, m_max, m_base in zip(optimizer.param_groups, max_momentums, base_momentums):
                    self._set_momentum(group, m_max)
                    group["max_momentum"] = m_max
                    group["base_momentum"] = m_base
        super().__init__(optimizer, last_epoch)

    def _set_momentum(self, group, value):
        """Write μ (SGD, RMSprop) or β₁ (Adam) into ``group``."""
        if self.use_beta1:
            group["betas"] = (value, *group["betas"][1:])
        else:
            group["momentum"] = value

    def _anneal(self, start, end, pct):
        """From ``start`` (pct = 0) to ``end`` (pct = 1), by cosine or linearly."""
        if self.anneal_strategy == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
        return (end - start) * pct + start

    def get_lr(self):
        """The lr of the phase that step t is in (and, with ``cycle_momentum``, set μ or β₁ likewise)."""
        step = self.last_epoch
        if step > self.total_steps:
            raise ValueError(f"Tried to step {step} times. The specified number of total steps is {self.total_steps}")
        lrs = []
        for group in self.optimizer.param_groups:
            start_step = 0.0
            for i, phase in enumerate(self._schedule_phases):
                end_step = phase["end_step"]
                if step <= end_step or i == len(self._schedule_phases) - 1:
                    pct = (step - start_step) / (end_step - start_step)
                    lrs.append(self._anneal(group[phase["start_lr"]], group[phase["end_lr"]], pct))
                    if self.cycle_momentum:
                        momentum = self._anneal(group[phase["start_momentum"]], group[phase["end_momentum"]], pct)
                        self._set_momentum(group, momentum)
                    break
                start_step = phase["end_step"]
        return lrs


class SequentialLR(LRScheduler):
    """Run ``schedulers[i]`` from ``milestones[i − 1]`` to ``milestones[i]``: e.g. warmup, then the main schedule.

    Each scheduler after the first starts from its own epoch 0 (η₀) at its milestone.
    """

    def __init__(self, optimizer, schedulers, milestones, last_epoch=-1):
        if len(schedulers) < 1:
            raise ValueError("SequentialLR expects at least one scheduler, but got no scheduler")
        for i, scheduler in enumerate(schedulers):
            if isinstance(scheduler, ReduceLROnPlateau):
                raise ValueError(
                    f"SequentialLR does not support ReduceLROnPlateau (its step needs a metric); one is at index {i}"
                )
            if getattr(scheduler, "optimizer", None) is not optimizer:
                raise ValueError(
                    f"SequentialLR expects all schedulers to belong to the same optimizer, but the "
                    f"{type(scheduler).__name__} at index {i} has another one"
                )
        if len(milestones) != len(schedulers) - 1:
            raise ValueError(
                f"SequentialLR expects one milestone fewer than schedulers, but got {len(schedulers)} "
                f"schedulers and {len(milestones)} milestones"
            )
        self._schedulers = list(schedulers)
        self._milestones = list(milestones)
        self.last_epoch = last_epoch + 1
        self.optimizer = optimizer
        # The schedulers' constructors each took a step: undo them, then take the first one's.
        for group in optimizer.param_groups:
            group["lr"] = group["initial_lr"]
        for scheduler in self._schedulers:
            scheduler.last_epoch -= 1
        active = self._schedulers[bisect_right(self._milestones, 0)]
        active._initial_step()
        self._last_lr = active.get_last_lr()

    def step(self):
        """Advance one epoch with the scheduler whose turn it is."""
        self.last_epoch += 1
        idx = bisect_right(self._milestones, self.last_epoch)
        scheduler = self._schedulers[idx]
        if idx > 0 and self._milestones[idx - 1] == self.last_epoch:
            scheduler._update_lr(0)
        else:
            scheduler.step()
        self._last_lr = scheduler.get_last_lr()

    def state_dict(self):
        """Its counters and each scheduler's state_dict."""
        state = {key: value for key, value in self.__dict__.items() if key not in ("optimizer", "_schedulers")}
        state["_schedulers"] = [scheduler.state_dict() for scheduler in self._schedulers]
        return state

    def load_state_dict(self, state_dict):
        """Restore a ``state_dict()``: its counters and each scheduler's state."""
        check_scheduler_state(self, state_dict)
        state_dict = dict(state_dict)
        saved = state_dict.pop("_schedulers")
        self.__dict__.update(state_dict)
        for scheduler, state in zip(self._schedulers, saved):
            scheduler.load_state_dict(state)
        self._restore_lrs()


def improved(value, best, mode="min", threshold=0.0, threshold_mode="abs"):
    """Whether ``value`` beats ``best`` (None: nothing to beat yet) by more than ``threshold``.

    mode "min": value < best − threshold ("abs") or value < best·(1 − threshold) ("rel");
    mode "max" mirrors both. The one test of improvement for schedulers, early stopping and
    checkpoints (PyTorch's ReduceLROnPlateau rule).
    """
    if threshold_mode not in ("rel", "abs"):
        raise ValueError(f"improved: threshold_mode must be 'rel' or 'abs', got {threshold_mode!r}")
    if best is None:
        return True
    if mode == "min":
        return value < (best * (1.0 - threshold) if threshold_mode == "rel" else best - threshold)
    if mode == "max":
        return value > (best * (1.0 + threshold) if threshold_mode == "rel" else best + threshold)
    raise ValueError(f"improved: mode must be 'min' or 'max', got {mode!r}")


class ReduceLROnPlateau(LRScheduler):
    """η ← max(η·factor, min_lr) when the metric passed to ``step(metric)`` has not improved for ``patience`` epochs.

    Improvement in mode "min" with threshold_mode "rel" means metric < best·(1 − threshold)
    ("abs": metric < best − threshold; mode "max" mirrors both). After a reduction, ``cooldown``
    epochs pass before bad epochs count again; a change smaller than ``eps`` is skipped.
    """

    def __init__(
        self,
        optimizer,
        mode="min",
        factor=0.1,
        patience=10,
        threshold=1e-4,
        threshold_mode="rel",
        cooldown=0,
        min_lr=0,
        eps=1e-8,
    ):
        if factor >= 1.0:
            raise ValueError(f"Factor should be < 1.0, got {factor}")
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        if mode not in ("min", "max"):
            raise ValueError(f"mode must be 'min' or 'max', got {mode!r}")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(f"threshold_mode must be 'rel' or 'abs', got {threshold_mode!r}")
        self.factor = factor
        self.optimizer = optimizer
        if isinstance(min_lr, (list, tuple)):
            self.default_min_lr = None
            self.min_lrs = _per_group("min_lr", optimizer, min_lr)
        else:
            self.default_min_lr = min_lr
            self.min_lrs = [min_lr] * len(optimizer.param_groups)
        self.patience = patience
        self.cooldown = cooldown
        self.eps = eps
        self.last_epoch = 0
        self._last_lr = _current_lrs(optimizer)
        self.mode = mode
        self.threshold = threshold
        self.threshold_mode = threshold_mode
        self.mode_worse = math.inf if mode == "min" else -math.inf
        self.best = self.mode_worse
        self.cooldown_counter = 0
        self.num_bad_epochs = 0

    @property
    def in_cooldown(self):
        """Whether the epochs after a reduction are still being waited out."""
        return self.cooldown_counter > 0

    def step(self, metrics):
        """Record this epoch's metric (a number or a one-element Tensor) and reduce the lr if it stalled."""
        current = float(metrics)
        self.last_epoch += 1
        if improved(current, self.best, self.mode, self.threshold, self.threshold_mode):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.in_cooldown:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0  # bad epochs in cooldown do not count
        if self.num_bad_epochs > self.patience:
            self._reduce_lr()
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self._last_lr = _current_lrs(self.optimizer)

    def _reduce_lr(self):
        if len(self.min_lrs) != len(self.optimizer.param_groups):
            if self.default_min_lr is None:
                raise RuntimeError(
                    f"the optimizer has {len(self.optimizer.param_groups)} param groups but min_lr has "
                    f"{len(self.min_lrs)} values: set min_lrs for the new group"
                )
            self.min_lrs = [self.default_min_lr] * len(self.optimizer.param_groups)
        for group, min_lr in zip(self.optimizer.param_groups, self.min_lrs):
            old_lr = float(group["lr"])
            new_lr = max(old_lr * self.factor, min_lr)
            if old_lr - new_lr > self.eps:
                group["lr"] = new_lr
