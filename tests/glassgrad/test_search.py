"""Hyperparameter search on Optuna: spaces, studies that resume, workers sharing one SQLite study,
pruning, and the ``glassgrad search`` command end to end (seeded; no network; no timings)."""

import csv
import json
import math
import os
import subprocess
import sys

import pytest

optuna = pytest.importorskip("optuna", reason="the train extra is not installed")

import autograd as ag  # noqa: E402
import nn  # noqa: E402
import optim  # noqa: E402
from glassgrad import cli, data, search, train  # noqa: E402
from glassgrad.data import datasets  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _score(trial, params):
    """A deterministic stand-in for a training run: best at lr=1e-2, hidden=32."""
    return -abs(math.log10(params["lr"]) + 2) - abs(params["hidden"] - 32) / 32


SPACE = {"lr": search.LogUniform(1e-4, 1e-1), "hidden": [16, 32, 64]}


def _run(*args, timeout=300):
    return subprocess.run(
        [sys.executable, "-m", "glassgrad", *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout
    )


def test_parse_space_reads_the_course_notation():
    space = search.parse_space("lr=1e-4:1e-1:log,hidden=32|64|128-64,dropout=0:0.5,warmup=0:3:int,opt=adam")
    assert isinstance(space["lr"], search.LogUniform) and (space["lr"].low, space["lr"].high) == (1e-4, 1e-1)
    assert space["hidden"] == [32, 64, "128-64"]
    assert isinstance(space["dropout"], search.Uniform) and isinstance(space["warmup"], search.IntUniform)
    assert space["opt"] == "adam"


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "empty"),
        ("lr", "name=low:high"),
        ("lr=1:2:cubic", "low:high:log"),
        ("lr=0:1:log", "0 < low < high"),
        ("lr=a:b", "must be numbers"),
        ("lr=1e-3:1e-1:log,lr=1|2", "twice"),
        ("opt=adam", "only constants"),
    ],
)
def test_malformed_spaces_are_refused_in_one_line(text, message):
    with pytest.raises(search.SearchError, match=message) as e:
        search.parse_space(text)
    assert "\n" not in str(e.value)


def test_search_finds_the_best_and_grid_covers_the_grid():
    study = search.search(_score, SPACE, n_trials=12, sampler="random", pruner="none", seed=0)
    assert len(study.trials) == 12 and study.best_value == max(t.value for t in study.trials)
    grid = search.search(_score, {"lr": [1e-3, 1e-2, 1e-1], "hidden": [16, 32]}, n_trials=100, sampler="grid")
    assert len(grid.trials) == 6 and grid.best_params == {"lr": 1e-2, "hidden": 32}
    with pytest.raises(search.SearchError, match="grid sampler needs a list"):
        search.search(_score, SPACE, n_trials=2, sampler="grid")


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"sampler": "cmaes"}, "unknown sampler"),
        ({"pruner": "hyperband"}, "unknown pruner"),
        ({"storage": "not a url", "study_name": "s"}, "not a database URL"),
        ({"storage": "sqlite:////no/such/folder/s.db", "study_name": "s"}, "cannot open storage"),
        ({"storage": "postgresql://u:p@127.0.0.1:1/db", "study_name": "s"}, "cannot open storage"),
        ({"n_jobs": 2}, "needs a storage"),
    ],
)
def test_bad_search_input_is_one_line(kwargs, message):
    with pytest.raises(search.SearchError, match=message) as e:
        search.search(_score, SPACE, n_trials=1, **kwargs)
    assert "\n" not in str(e.value)


def test_a_second_run_resumes_the_study(tmp_path):
    storage = f"sqlite:///{tmp_path / 'study.db'}"
    first = search.search(_score, SPACE, n_trials=3, storage=storage, study_name="s", sampler="random")
    params = [t.params for t in first.trials]
    again = search.search(_score, SPACE, n_trials=5, storage=storage, study_name="s", sampler="random")
    assert len(again.trials) == 5 and [t.params for t in again.trials[:3]] == params
    assert again.trials[3].params not in params  # a resumed sampler does not draw the same values again
    done = search.search(_score, SPACE, n_trials=5, storage=storage, study_name="s")
    assert len(done.trials) == 5  # already complete: nothing more to run
    with pytest.raises(search.SearchError, match="set to maximize"):
        search.search(_score, SPACE, n_trials=6, storage=storage, study_name="s", direction="minimize")
    assert len(optuna.load_study(study_name="s", storage=storage).trials) == 5


def test_two_workers_started_at_once_share_one_sqlite_study(tmp_path):
    """Two processes against a fresh SQLite file: both finish and every trial they ran is in the study."""
    storage = f"sqlite:///{tmp_path / 'shared.db'}"
    code = (
        "import sys; from glassgrad import search; from tests.glassgrad.test_search import _score, SPACE; "
        f"s = search.search(_score, SPACE, n_trials=8, storage={storage!r}, study_name='w', "
        "sampler='random', seed=int(sys.argv[1])); print('ran', len(s.trials))"
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", code, str(k)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
        for k in (0, 1)
    ]
    outputs = [p.communicate(timeout=300)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    study = optuna.load_study(study_name="w", storage=storage)
    states = {t.state for t in study.trials}
    assert states == {optuna.trial.TrialState.COMPLETE} and len(study.trials) >= 8
    assert len({t.number for t in study.trials}) == len(study.trials)


def test_n_jobs_processes_fill_one_study(tmp_path):
    storage = f"sqlite:///{tmp_path / 'jobs.db'}"
    study = search.search(_score, SPACE, n_trials=6, storage=storage, study_name="j", sampler="random", n_jobs=2)
    assert len(study.trials) >= 6
    assert all(t.state == optuna.trial.TrialState.COMPLETE for t in study.trials)


def _moons_objective(trial, params):
    ag.manual_seed(0)
    ds = datasets.moons(400, seed=0)
    train_set, val_set = data.stratified_split(ds, [0.75, 0.25], seed=0)
    model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 2))
    history = train.fit(
        model,
        nn.CrossEntropyLoss(),
        optim.SGD(model.parameters(), lr=params["lr"], momentum=0.9),
        data.DataLoader(train_set, batch_size=32, shuffle=True, seed=0),
        data.DataLoader(val_set, batch_size=512),
        epochs=4,
        callbacks=[search.PruningCallback(trial, "val_accuracy")],
        progress=False,
    )
    return history.last["val_accuracy"]


def test_the_pruning_callback_prunes_a_deliberately_bad_trial():
    study = optuna.create_study(direction="maximize", pruner=search.make_pruner("median"))
    for lr in (0.1, 0.05, 0.1, 1e-6):  # three good trials, then a learning rate that cannot learn
        study.enqueue_trial({"lr": lr})
    search.optimize(study, _moons_objective, {"lr": search.LogUniform(1e-6, 1.0)}, n_trials=4)
    states = [t.state for t in study.trials]
    assert states[:3] == [optuna.trial.TrialState.COMPLETE] * 3
    assert states[3] == optuna.trial.TrialState.PRUNED
    assert len(study.trials[3].intermediate_values) < 4  # stopped before its last epoch


def test_a_training_config_is_searched_with_run_training(tmp_path):
    config = dict(cli.TRAIN, data="xor", hidden=[4], epochs=2, out=str(tmp_path / "r"), seed=0)
    study = search.search(config, {"lr": [1e-2, 1e-1]}, n_trials=2, sampler="grid", train=cli.run_training)
    assert len(study.trials) == 2 and all(0 <= t.value <= 1 for t in study.trials)
    assert (tmp_path / "r" / "trials" / "0000" / "model.safetensors").exists()
    with pytest.raises(search.SearchError, match="not a training option"):
        search.search(config, {"colour": [1, 2]}, n_trials=1, train=cli.run_training)


def test_search_command_end_to_end_resumes_and_its_model_evaluates(tmp_path):
    out = tmp_path / "search"
    args = ["search", "--data", "moons", "--trials", "3", "--epochs", "3", "--out", str(out), "--no-progress"]
    args += ["--space", "lr=1e-3:1e-1:log,hidden=8|16-16", "--sampler", "random", "--jobs", "2"]
    proc = _run(*args)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    for name in ("trials.csv", "best.json", "model.safetensors", "history.png", "importances.png", "study.db"):
        assert (out / name).stat().st_size > 0, name
    rows = list(csv.DictReader((out / "trials.csv").open()))
    assert len(rows) >= 3 and {"number", "state", "value", "lr", "hidden"} <= set(rows[0])
    best = json.loads((out / "best.json").read_text())
    assert best["val_accuracy"] == max(float(r["value"]) for r in rows if r["state"] == "COMPLETE")
    ev = _run("eval", str(out / "model.safetensors"))
    assert ev.returncode == 0 and f"test accuracy: {best['val_accuracy']:.4f}" in ev.stdout
    again = _run(*[a if a != "3" else "5" for a in args])  # the same command, two more trials
    assert again.returncode == 0, again.stderr
    assert len(list(csv.DictReader((out / "trials.csv").open()))) >= 5


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--sampler", "cmaes"], "unknown sampler 'cmaes'"),
        (["--pruner", "wilcoxon"], "unknown pruner 'wilcoxon'"),
        (["--space", ""], "search space is empty"),
        (["--space", "lr=1:"], "low and high must be numbers"),
        (["--space", "colour=1|2"], "not a training option"),
        (["--storage", "nonsense"], "not a database URL"),
        (["--storage", "postgresql://u:p@127.0.0.1:1/db"], "cannot open storage"),
        (["--trials", "0"], "at least 1"),
    ],
)
def test_search_command_refuses_bad_input_in_one_line(tmp_path, capsys, extra, message):
    out = tmp_path / "never"
    code = cli.main(["search", "--data", "xor", "--trials", "1", "--epochs", "1", "--out", str(out), *extra])
    err = capsys.readouterr().err
    assert code == 1 and message in err and len(err.strip().splitlines()) == 1, err
    assert not out.exists()  # nothing half-written


def test_search_command_refuses_a_study_with_another_direction(tmp_path, capsys):
    storage = f"sqlite:///{tmp_path / 'other.db'}"
    optuna.create_study(storage=storage, study_name="mine", direction="minimize")
    out = tmp_path / "never"
    code = cli.main(["search", "--data", "xor", "--storage", storage, "--study", "mine", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 1 and "set to minimize" in err and len(err.strip().splitlines()) == 1
    assert not out.exists()
