"""The ``glassgrad search`` command: a study of training runs, kept in a database so that the same
command resumes it and workers on several machines share it.

Without ``--storage`` the study is ``study.db`` (SQLite) in the run folder. The run folder gets
``trials.csv``, ``best.json`` (the best configuration), ``model.safetensors`` (the best trial's
checkpoint, for ``glassgrad eval``), ``history.png`` and ``importances.png``; each trial's own
run folder is under ``trials/``.
"""

from __future__ import annotations

import json
import os
import shutil
import sys

from .search import (
    PRUNERS,
    SAMPLERS,
    ConfigObjective,
    SearchError,
    join_study,
    make_pruner,
    make_sampler,
    optimize,
    parse_space,
    plot_study,
    require_optuna,
    start_workers,
    write_trials_csv,
)

__all__ = ["DEFAULT_SPACE", "add_search_args", "report_trial", "run_search", "save_results"]

DEFAULT_SPACE = "lr=1e-4:1e-1:log,hidden=32|64|128,dropout=0:0.5"
MONITOR = "val_accuracy"


def add_search_args(p):
    """The options of ``glassgrad search`` besides the model's."""
    p.add_argument("--trials", type=int, default=20, help="trials the study should hold (a rerun adds the missing)")
    p.add_argument("--jobs", type=int, default=1, help="worker processes on this machine")
    p.add_argument(
        "--storage",
        default=None,
        help="database URL shared by workers, e.g. postgresql://user:pass@host/db (default: study.db in --out)",
    )
    p.add_argument("--study", default="search", help="the study's name in the storage")
    p.add_argument(
        "--space",
        default=DEFAULT_SPACE,
        help="name=low:high[:log|:int] or name=a|b|c, comma-separated; hidden=128-64 is two layers",
    )
    p.add_argument("--sampler", default="tpe", metavar="|".join(SAMPLERS), help="how trials pick parameters")
    p.add_argument("--pruner", default="median", metavar="|".join(PRUNERS), help="how bad trials are stopped early")


def report_trial(study, trial):
    """Print one line per finished trial (an Optuna callback)."""
    params = ", ".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}" for k, v in trial.params.items())
    if trial.state.name == "COMPLETE":
        print(f"trial {trial.number}: {MONITOR} {trial.value:.4f} ({params})", flush=True)
    else:
        print(
            f"trial {trial.number}: {trial.state.name.lower()} after {len(trial.intermediate_values)} epochs ({params})"
        )


def _checked(args, config, train):
    """(space, objective) once every input is valid; raises SearchError with a one-line message."""
    if args.trials < 1 or args.jobs < 1:
        raise SearchError("--trials and --jobs must be at least 1")
    space = parse_space(args.space)
    objective = ConfigObjective(config, train, MONITOR)
    objective.check(space)
    make_sampler(args.sampler, space, args.seed)
    make_pruner(args.pruner)
    return space, objective


def _open(args, config, space):
    """Join the study; without --storage it is study.db in the run folder (removed again on failure)."""
    out = config["out"]
    if args.overwrite and os.path.exists(out):
        shutil.rmtree(out)
    storage, created = args.storage, not os.path.exists(out)
    if storage is None:
        os.makedirs(out, exist_ok=True)
        storage = "sqlite:///" + os.path.abspath(os.path.join(out, "study.db"))
    try:
        study = join_study(storage, args.study, "maximize", args.sampler, args.pruner, space, args.seed)
    except SearchError:
        if created and os.path.exists(out):
            shutil.rmtree(out)
        raise
    return study, storage


def _best_checkpoint(objective, best, out):
    """Copy the best trial's checkpoint to ``out``; retrain it when another machine ran it."""
    target = os.path.join(out, "model.safetensors")
    source = os.path.join(best.user_attrs.get("out", ""), "model.safetensors")
    if not os.path.exists(source):
        config = dict(objective.trial_config(best.params, None), out=os.path.join(out, "best"), overwrite=True)
        objective.train(config, progress=False)
        source = os.path.join(config["out"], "model.safetensors")
    shutil.copyfile(source, target + ".tmp")
    os.replace(target + ".tmp", target)
    return target


def save_results(study, objective, out):
    """Write trials.csv, best.json, the best checkpoint and the plots to ``out``; returns the names written."""
    os.makedirs(out, exist_ok=True)
    write_trials_csv(study, os.path.join(out, "trials.csv"))
    best = study.best_trial
    config = {k: v for k, v in objective.trial_config(best.params, None).items() if k not in ("out", "overwrite")}
    summary = {"study": study.study_name, "trial": best.number, MONITOR: best.value, "params": best.params}
    with open(os.path.join(out, "best.json"), "w") as f:
        json.dump(dict(summary, config=config), f, indent=2)
    _best_checkpoint(objective, best, out)
    written = ["trials.csv", "best.json", "model.safetensors"]
    for name, result in plot_study(study, out).items():
        written.append(name if result.endswith(name) else f"{name} ({result})")
    return written


def run_search(args, config, train):
    """Run ``glassgrad search`` (``config`` from the model options, ``train`` = cli.run_training); returns the exit code."""
    optuna = require_optuna()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    try:
        space, objective = _checked(args, config, train)
        study, storage = _open(args, config, space)
    except SearchError as e:
        print(f"glassgrad: {e}", file=sys.stderr)
        return 1
    spec = (storage, args.study, "maximize", args.sampler, args.pruner, args.seed, objective, space, args.trials)
    workers = start_workers(args.jobs - 1, spec, (report_trial,))
    try:
        optimize(study, objective, space, args.trials, (report_trial,))
    except KeyboardInterrupt:
        print(f"interrupted: run the same command again to resume study {args.study!r}", file=sys.stderr)
        return 130
    finally:
        for worker in workers:
            worker.join()
    failed = [w.exitcode for w in workers if w.exitcode != 0]
    complete = study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,))
    if not complete:
        print("glassgrad: no trial finished (all were pruned or failed)", file=sys.stderr)
        return 1
    written = save_results(study, objective, config["out"])
    best = study.best_trial
    print(f"best trial {best.number}: {MONITOR} {best.value:.4f} {json.dumps(best.params)}")
    print(f"{len(study.trials)} trials in study {args.study!r}; wrote {config['out']}/: {', '.join(written)}")
    if failed:
        print(f"glassgrad: {len(failed)} worker process(es) failed (exit codes {failed})", file=sys.stderr)
        return 1
    return 0
