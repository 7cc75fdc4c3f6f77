"""Hyperparameter search on Optuna: spaces written the course's way, samplers (TPE, random, grid),
pruners (median, successive halving), and studies kept in a SQLite file or any SQL database, so that
a second run resumes a study and workers on several machines share one.

The course's recipe: a coarse search over wide, log-scaled ranges for a few epochs, then a finer
one around the best; random search covers each important dimension better than a grid. Optuna is
part of the ``train`` extra and is imported only when a search runs.
"""

from __future__ import annotations

import csv
import multiprocessing
import os
import time
import warnings

from .train import Callback, TrainingDiverged
from .train.plot import pyplot

__all__ = [
    "LogUniform",
    "Uniform",
    "IntUniform",
    "SearchError",
    "PruningCallback",
    "ConfigObjective",
    "SAMPLERS",
    "PRUNERS",
    "require_optuna",
    "check_space",
    "parse_space",
    "suggest",
    "make_sampler",
    "make_pruner",
    "connect",
    "open_study",
    "optimize",
    "join_study",
    "run_worker",
    "start_workers",
    "search",
    "write_trials_csv",
    "plot_study",
]

SAMPLERS = ("tpe", "random", "grid")
PRUNERS = ("median", "halving", "none")
# SQLite lets one writer in at a time: a writer waits this long (s) for the lock instead of failing.
SQLITE_TIMEOUT = 60
# A trial whose process died stops beating; after the grace period another worker marks it failed.
HEARTBEAT_INTERVAL = 30


class SearchError(ValueError):
    """Bad input to a search (space, sampler, pruner, storage, study): the message is one line."""


def require_optuna():
    """The ``optuna`` module, or an ImportError that names the extra to install."""
    try:
        import optuna
    except ImportError as e:  # pragma: no cover - environment dependent
        raise ImportError(
            "hyperparameter search needs optuna: pip install -e '.[train]' (from a checkout) "
            "or pip install 'glassgrad[train]'"
        ) from e
    return optuna


class LogUniform:
    """A value drawn log-uniformly from [low, high] (learning rates, weight decay)."""

    def __init__(self, low, high):
        if not 0 < low < high:
            raise SearchError(f"LogUniform needs 0 < low < high, got {low}, {high}")
        self.low, self.high = float(low), float(high)

    def suggest(self, trial, name):
        """The trial's value for ``name``."""
        return trial.suggest_float(name, self.low, self.high, log=True)

    def __repr__(self):
        return f"LogUniform({self.low}, {self.high})"


class Uniform:
    """A value drawn uniformly from [low, high] (dropout)."""

    def __init__(self, low, high):
        if not low < high:
            raise SearchError(f"Uniform needs low < high, got {low}, {high}")
        self.low, self.high = float(low), float(high)

    def suggest(self, trial, name):
        """The trial's value for ``name``."""
        return trial.suggest_float(name, self.low, self.high)

    def __repr__(self):
        return f"Uniform({self.low}, {self.high})"


class IntUniform:
    """An integer drawn uniformly from low..high inclusive."""

    def __init__(self, low, high):
        if int(low) != low or int(high) != high or not low < high:
            raise SearchError(f"IntUniform needs integers low < high, got {low}, {high}")
        self.low, self.high = int(low), int(high)

    def suggest(self, trial, name):
        """The trial's value for ``name``."""
        return trial.suggest_int(name, self.low, self.high)

    def __repr__(self):
        return f"IntUniform({self.low}, {self.high})"


RANGES = (LogUniform, Uniform, IntUniform)
PRIMITIVES = (bool, int, float, str, type(None))


def check_space(space):
    """Refuse an empty space, an empty list of choices, or a value Optuna cannot store."""
    if not isinstance(space, dict) or not space:
        raise SearchError("the search space is empty: give at least one parameter, e.g. lr=1e-4:1e-1:log")
    for name, dist in space.items():
        if isinstance(dist, RANGES):
            continue
        if isinstance(dist, (list, tuple)):
            if not dist:
                raise SearchError(f"search space: {name} has no choices")
            bad = [v for v in dist if not isinstance(v, PRIMITIVES)]
            if bad:
                raise SearchError(f"search space: the choices of {name} must be numbers or strings, got {bad[0]!r}")
        elif not isinstance(dist, PRIMITIVES):
            raise SearchError(
                f"search space: {name} is {dist!r}; use LogUniform, Uniform, IntUniform, a list or a value"
            )
    if not any(isinstance(d, (RANGES, list, tuple)) for d in space.values()):
        raise SearchError("the search space has only constants: give a range or a list of choices")
    return space


def _value(text):
    """A number when ``text`` reads as one, else the text."""
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def _range(name, text):
    parts = text.split(":")
    kind = parts[2] if len(parts) == 3 else ""
    if len(parts) not in (2, 3) or kind not in ("", "log", "int"):
        raise SearchError(f"--space: {name}={text} should be low:high, low:high:log or low:high:int")
    try:
        low, high = float(parts[0]), float(parts[1])
    except ValueError:
        raise SearchError(f"--space: {name}={text}: low and high must be numbers") from None
    if kind == "int":
        return IntUniform(low, high)
    return LogUniform(low, high) if kind == "log" else Uniform(low, high)


def parse_space(text):
    """A space from the command line's form: ``lr=1e-4:1e-1:log,hidden=32|64|128,dropout=0:0.5``.

    ``low:high`` is uniform, ``low:high:log`` log-uniform, ``low:high:int`` an integer range,
    ``a|b|c`` a choice, a single value a constant.
    """
    space = {}
    for item in (text or "").split(","):
        item = item.strip()
        if not item:
            continue
        name, sep, value = item.partition("=")
        name, value = name.strip(), value.strip()
        if not sep or not name or not value:
            raise SearchError(f"--space: {item!r} should be name=low:high[:log|:int] or name=a|b|c")
        if name in space:
            raise SearchError(f"--space: {name} is given twice")
        if ":" in value:
            space[name] = _range(name, value)
        elif "|" in value:
            space[name] = [_value(v.strip()) for v in value.split("|")]
        else:
            space[name] = _value(value)
    return check_space(space)


def suggest(trial, space):
    """The trial's parameters: a draw for each range or choice of ``space``, the constants as given."""
    params = {}
    for name, dist in space.items():
        if isinstance(dist, RANGES):
            params[name] = dist.suggest(trial, name)
        elif isinstance(dist, (list, tuple)):
            params[name] = trial.suggest_categorical(name, list(dist))
        else:
            params[name] = dist
    return params


def make_sampler(name, space, seed=0):
    """The Optuna sampler called ``name`` (one of ``SAMPLERS``), seeded."""
    optuna = require_optuna()
    if name == "tpe":
        return optuna.samplers.TPESampler(seed=seed)
    if name == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    if name == "grid":
        ranges = [n for n, d in space.items() if isinstance(d, RANGES)]
        if ranges:
            raise SearchError(
                f"the grid sampler needs a list of values for every parameter; {ranges[0]} is a range (write a|b|c)"
            )
        grid = {n: list(d) for n, d in space.items() if isinstance(d, (list, tuple))}
        return optuna.samplers.GridSampler(grid, seed=seed)
    raise SearchError(f"unknown sampler {name!r}; choose from {', '.join(SAMPLERS)}")


def make_pruner(name):
    """The Optuna pruner called ``name`` (one of ``PRUNERS``).

    "median" stops a trial whose value at an epoch is worse than the median of earlier trials at
    that epoch (after 3 finished trials, from epoch 3 on); "halving" is successive halving.
    """
    optuna = require_optuna()
    if name == "median":
        return optuna.pruners.MedianPruner(n_startup_trials=3, n_warmup_steps=2)
    if name == "halving":
        return optuna.pruners.SuccessiveHalvingPruner()
    if name == "none":
        return optuna.pruners.NopPruner()
    raise SearchError(f"unknown pruner {name!r}; choose from {', '.join(PRUNERS)}")


def _engine_kwargs(url):
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": SQLITE_TIMEOUT}}
    if url.startswith(("postgresql", "mysql")):
        return {"connect_args": {"connect_timeout": 10}, "pool_pre_ping": True}
    return {}


def _one_line(error):
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__


def _collided(url, error):
    """Whether ``error`` is two workers creating a fresh database's tables at once (worth a retry)."""
    # NOTE: seen here: a table that already exists, a UNIQUE constraint on the schema's version
    # (SQLite), a duplicate type name (PostgreSQL), a locked SQLite file.
    text = str(error).lower()
    if url.startswith("sqlite"):
        return "unable to open" not in text
    return any(word in text for word in ("duplicate", "unique", "already exists"))


def connect(storage, attempts=5):
    """An Optuna ``RDBStorage`` for a database URL (None stays None: a study in memory).

    ``sqlite:///path.db`` is a file; ``postgresql://user:pass@host/db`` or
    ``mysql+pymysql://user:pass@host/db`` a server that workers on several machines share.
    """
    if storage is None or not isinstance(storage, str):
        return storage
    optuna = require_optuna()
    url = "postgresql://" + storage[len("postgres://") :] if storage.startswith("postgres://") else storage
    if "://" not in url:
        raise SearchError(f"storage {storage!r} is not a database URL (e.g. sqlite:///study.db, postgresql://...)")
    for attempt in range(attempts):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)  # the heartbeat
                return optuna.storages.RDBStorage(
                    url,
                    engine_kwargs=_engine_kwargs(url),
                    heartbeat_interval=HEARTBEAT_INTERVAL,
                    grace_period=3 * HEARTBEAT_INTERVAL,
                )
        except ImportError as e:
            raise SearchError(f"storage {storage}: no database driver ({_one_line(e.__cause__ or e)})") from None
        except Exception as e:  # sqlalchemy's errors: a bad URL, an unreachable server, a locked file
            if _collided(url, e) and attempt + 1 < attempts:
                time.sleep(0.2 * (attempt + 1))
                continue
            raise SearchError(f"cannot open storage {storage}: {_one_line(e)}") from None
    raise AssertionError("unreachable")  # pragma: no cover


def open_study(storage=None, study_name=None, direction="maximize", sampler=None, pruner=None):
    """Create the study, or load it when ``storage`` has one called ``study_name`` (same direction)."""
    optuna = require_optuna()
    if direction not in ("maximize", "minimize"):
        raise SearchError(f"direction must be 'maximize' or 'minimize', got {direction!r}")
    storage = connect(storage)
    if storage is not None and study_name is None:
        raise SearchError("a study in a storage needs a name (study_name=, --study) to be found again")
    try:
        if storage is not None:
            names = {s.study_name: s for s in storage.get_all_studies()}
            if study_name in names:
                found = names[study_name].direction.name.lower()
                if found != direction:
                    raise SearchError(
                        f"study {study_name!r} exists and is set to {found}; this search would {direction}"
                    )
        return optuna.create_study(
            storage=storage,
            study_name=study_name,
            direction=direction,
            sampler=sampler,
            pruner=pruner,
            load_if_exists=True,
        )
    except SearchError:
        raise
    except Exception as e:
        raise SearchError(f"cannot open study {study_name!r}: {_one_line(e)}") from None


class PruningCallback(Callback):
    """Report ``monitor`` to an Optuna trial after each epoch; stop the trial when its pruner rejects it.

    Stopping raises ``optuna.TrialPruned`` out of ``fit``; ``study.optimize`` records the trial as pruned.
    """

    def __init__(self, trial, monitor="val_accuracy"):
        self.trial = trial
        self.monitor = monitor

    def on_epoch_end(self, trainer, record):
        """Report the epoch's value; raise ``optuna.TrialPruned`` when the pruner says so."""
        optuna = require_optuna()
        if self.monitor not in record:
            raise KeyError(f"PruningCallback: {self.monitor!r} is not recorded (have {sorted(record)})")
        value = float(record[self.monitor])
        self.trial.report(value, step=record["epoch"])
        if self.trial.should_prune():
            raise optuna.TrialPruned(f"pruned at epoch {record['epoch']}: {self.monitor} {value:.4f}")


HIDDEN_SEPARATOR = "-"  # a choice of hidden sizes "128-64" is two layers
FIXED = ("data", "out", "overwrite", "seed")  # training options a search does not vary


class ConfigObjective:
    """The objective for a training config: train ``config`` updated with the trial's parameters
    by ``train(config, progress, callbacks)`` (``glassgrad.cli.run_training``) and return the best
    ``monitor`` over the epochs. Each trial writes its run folder under ``<config out>/trials/``."""

    def __init__(self, config, train, monitor="val_accuracy"):
        self.config = dict(config)
        self.train = train
        self.monitor = monitor

    def check(self, space):
        """Refuse a parameter that is not a training option, or hidden sizes that are not "64" or "128-64"."""
        options = sorted(k for k in self.config if k not in FIXED)
        for name, dist in space.items():
            if name not in options:
                raise SearchError(f"search space: {name} is not a training option; choose from {', '.join(options)}")
        for value in space.get("hidden", []) if isinstance(space.get("hidden"), (list, tuple)) else []:
            if not all(h.isdigit() for h in str(value).split(HIDDEN_SEPARATOR)):
                raise SearchError(f"search space: hidden={value!r} should be sizes such as 64 or 128-64")
        return space

    def trial_config(self, params, number):
        """The training config of one trial (hidden sizes "128-64" become [128, 64])."""
        self.check(params)
        config = dict(self.config, overwrite=True)
        for name, value in params.items():
            if name == "hidden":
                value = [int(h) for h in str(value).split(HIDDEN_SEPARATOR)]
            config[name] = value
        if number is not None:
            config["out"] = os.path.join(self.config["out"], "trials", f"{number:04d}")
        return config

    def __call__(self, trial, params):
        """Train one trial; a diverging one is pruned, Ctrl-C stops the search."""
        optuna = require_optuna()
        config = self.trial_config(params, trial.number)
        trial.set_user_attr("out", os.path.abspath(config["out"]))
        try:
            _, history, _, _ = self.train(config, progress=False, callbacks=[PruningCallback(trial, self.monitor)])
        except TrainingDiverged as e:
            raise optuna.TrialPruned(f"diverged at epoch {e.epoch}") from None
        if history.interrupted:
            raise KeyboardInterrupt
        return float(history.best(self.monitor)[self.monitor])


def _counted(study):
    optuna = require_optuna()
    states = (optuna.trial.TrialState.COMPLETE, optuna.trial.TrialState.PRUNED, optuna.trial.TrialState.RUNNING)
    return len(study.get_trials(deepcopy=False, states=states))


def optimize(study, objective, space, n_trials, callbacks=()):
    """Run trials until ``study`` holds ``n_trials`` finished or running ones (other workers' count).

    ``objective(trial, params)`` returns the value; ``callbacks`` are Optuna's (study, frozen trial).
    """
    optuna = require_optuna()
    remaining = n_trials - _counted(study)
    if remaining <= 0:
        return study
    # MaxTrialsCallback counts every worker's trials: a worker stops once the study has enough.
    states = (optuna.trial.TrialState.COMPLETE, optuna.trial.TrialState.PRUNED, optuna.trial.TrialState.RUNNING)
    stop = optuna.study.MaxTrialsCallback(n_trials, states=states)
    study.optimize(
        lambda trial: objective(trial, suggest(trial, space)), n_trials=remaining, callbacks=[stop, *callbacks]
    )
    return study


def join_study(storage, study_name, direction, sampler, pruner, space, seed=0, worker=0):
    """Open (or create) the study with the named pruner and a sampler of its own for this worker.

    The sampler's seed is ``seed + 1000 * worker +`` the trials already in the study, so neither
    a second worker nor a resumed run draws the same parameters again.
    """
    make_sampler(sampler, space, seed)  # a bad name or space fails before the storage is touched
    study = open_study(storage, study_name, direction, pruner=make_pruner(pruner))
    study.sampler = make_sampler(sampler, space, seed + 1000 * worker + len(study.get_trials(deepcopy=False)))
    return study


def run_worker(storage, study_name, direction, sampler, pruner, seed, worker, objective, space, n_trials, callbacks=()):
    """One worker process: join the shared study and run trials in it; returns an exit code."""
    optuna = require_optuna()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = join_study(storage, study_name, direction, sampler, pruner, space, seed, worker)
    try:
        optimize(study, objective, space, n_trials, callbacks)
    except KeyboardInterrupt:
        return 130
    return 0


def start_workers(n, args, callbacks=()):
    """Start ``n`` worker processes (spawned) running ``run_worker(*args[:6], k, *args[6:])``, k = 1..n."""
    context = multiprocessing.get_context("spawn")
    workers = []
    for k in range(1, n + 1):
        worker = context.Process(target=run_worker, args=(*args[:6], k, *args[6:], callbacks))
        worker.start()
        workers.append(worker)
    return workers


def search(
    objective_or_config,
    space,
    n_trials,
    storage=None,
    study_name=None,
    direction="maximize",
    sampler="tpe",
    pruner="median",
    n_jobs=1,
    seed=0,
    train=None,
    callbacks=(),
):
    """Search ``space`` until the study holds ``n_trials`` trials; returns the ``optuna.Study``.

    ``objective_or_config`` is ``objective(trial, params) -> value`` (report to ``trial`` for pruning,
    e.g. with ``PruningCallback``), or a training config run by ``train`` (see ``ConfigObjective``).
    ``space``: {name: LogUniform | Uniform | IntUniform | list of choices | constant}. With a
    ``storage`` URL the study is kept there: the same call again resumes it, and ``n_jobs`` > 1
    starts processes that share it (the objective must then be picklable: a module-level function).
    """
    check_space(space)
    objective = objective_or_config
    if isinstance(objective_or_config, dict):
        if train is None:
            raise SearchError("searching a training config needs train= (e.g. glassgrad.cli.run_training)")
        objective = ConfigObjective(objective_or_config, train)
        objective.check(space)
    elif not callable(objective):
        raise SearchError(f"search needs an objective function or a training config, got {objective!r}")
    if n_jobs > 1 and storage is None:
        raise SearchError("n_jobs > 1 needs a storage the processes share (e.g. sqlite:///study.db)")
    study = join_study(storage, study_name, direction, sampler, pruner, space, seed)
    if n_jobs <= 1:
        return optimize(study, objective, space, n_trials, callbacks)
    args = (storage, study_name, direction, sampler, pruner, seed, objective, space, n_trials)
    workers = start_workers(n_jobs - 1, args, callbacks)
    try:
        optimize(study, objective, space, n_trials, callbacks)
    finally:
        for worker in workers:
            worker.join()
    return study


def write_trials_csv(study, path):
    """Write one row per trial: number, state, value, epochs reported, parameters, seconds."""
    trials = study.get_trials(deepcopy=False)
    names = list(dict.fromkeys(name for t in trials for name in t.params))
    tmp = f"{path}.tmp"
    with open(tmp, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["number", "state", "value", "epochs", *names, "seconds"])
        for t in trials:
            seconds = (t.datetime_complete - t.datetime_start).total_seconds() if t.datetime_complete else ""
            value = "" if t.value is None else t.value
            writer.writerow(
                [
                    t.number,
                    t.state.name,
                    value,
                    len(t.intermediate_values),
                    *(t.params.get(n, "") for n in names),
                    seconds,
                ]
            )
    os.replace(tmp, path)
    return path


def plot_study(study, out):
    """Optuna's optimization history and parameter importances (matplotlib) as PNGs in ``out``.

    Returns {name: path or the reason it was skipped}: importances need two finished trials.
    """
    optuna = require_optuna()
    plt = pyplot()
    plots = {
        "history.png": optuna.visualization.matplotlib.plot_optimization_history,
        "importances.png": optuna.visualization.matplotlib.plot_param_importances,
    }
    done = {}
    for name, plot in plots.items():
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # Optuna marks its matplotlib plots experimental
                ax = plot(study)
            fig = ax.figure
            fig.set_size_inches(6.5, 4)
            fig.tight_layout()
            path = os.path.join(out, name)
            fig.savefig(path, dpi=110)
            plt.close(fig)
            done[name] = path
        except (ValueError, RuntimeError, ZeroDivisionError) as e:
            done[name] = f"skipped: {_one_line(e)}"
    return done
