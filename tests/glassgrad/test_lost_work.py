"""Nothing is lost: diverged and stopped runs keep their history, saves are all or nothing."""

import json
import os
import signal
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import autograd as ag
import nn
import optim
from glassgrad import data, train
from glassgrad.train import History, TrainingDiverged

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _setup(lr=0.05):
    ag.manual_seed(0)
    moons = data.moons(n=64, seed=0)
    model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 2))
    return model, optim.SGD(model.parameters(), lr=lr), data.DataLoader(moons, batch_size=16)


class _Poison(train.Callback):
    """Make the weights inf after epoch ``at``: the next loss is not finite."""

    def __init__(self, at):
        self.at = at

    def on_epoch_end(self, trainer, record):
        if record["epoch"] == self.at:
            with ag.no_grad():
                for p in trainer.params:
                    p.fill_(np.inf)


def test_a_diverged_run_keeps_the_epochs_that_finished():
    model, opt, loader = _setup()
    with pytest.raises(TrainingDiverged) as info:
        train.fit(model, nn.CrossEntropyLoss(), opt, loader, epochs=5, progress=False, callbacks=[_Poison(2)])
    assert [e["epoch"] for e in info.value.history.epochs] == [1, 2]


@pytest.mark.parametrize("empty", [[], data.DataLoader(data.TensorDataset(ag.zeros(0, 2), ag.zeros(0)), batch_size=4)])
def test_training_or_evaluating_on_nothing_is_refused(empty):
    model, opt, _ = _setup()
    with pytest.raises(ValueError, match="no batches|no samples"):
        train.fit(model, nn.CrossEntropyLoss(), opt, empty, epochs=1, progress=False)
    with pytest.raises(ValueError, match="no samples"):
        train.evaluate(model, nn.CrossEntropyLoss(), empty)


_SIGNAL_SCRIPT = textwrap.dedent(
    """
    import os, signal, sys
    sys.path.insert(0, {root!r})
    import autograd as ag, nn, optim
    from glassgrad import data, train

    class Kill(train.Callback):
        def on_epoch_end(self, trainer, record):
            if record["epoch"] == 2:
                os.kill(os.getpid(), signal.{sig})

    ag.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 4), nn.Linear(4, 2))
    loader = data.DataLoader(data.moons(n=32, seed=0), batch_size=8)
    history = train.fit(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1), loader,
                        epochs=50, progress=False, callbacks=[Kill()])
    print(history.interrupted, history.signal, len(history.epochs))
    """
)


@pytest.mark.parametrize("sig", ["SIGINT", "SIGTERM"])
def test_a_signal_stops_fit_and_keeps_the_history(sig):
    script = _SIGNAL_SCRIPT.format(root=ROOT, sig=sig)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", sig, "2"]


@pytest.mark.parametrize("sig,code", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_the_command_line_saves_and_reports_a_signal(tmp_path, sig, code):
    out = tmp_path / "run"
    # Far more epochs than can finish before the signal (a loaded machine included): it must stop the run.
    command = [sys.executable, "-m", "glassgrad", "train", "--data", "moons", "--epochs", "100000", "--out", str(out)]
    command.append("--no-progress")
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for line in proc.stdout:  # wait for the first finished epoch, then stop the run
        if line.startswith("epoch 1"):
            break
    proc.send_signal(sig)
    try:
        _, err = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert proc.returncode == code, err
    assert "Traceback" not in err and "interrupted" in err
    history = json.loads((out / "history.json").read_text())
    assert history["interrupted"] and len(history["epochs"]) >= 1
    assert (out / "model.safetensors").exists()


def test_the_command_line_keeps_the_history_of_a_diverged_run(tmp_path):
    out = tmp_path / "run"
    args = ["train", "--data", "moons", "--opt", "sgd", "--lr", "1e30", "--epochs", "3", "--out", str(out)]
    done = subprocess.run(
        [sys.executable, "-m", "glassgrad", *args, "--no-progress"], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "history.json" in done.stderr
    assert json.loads((out / "history.json").read_text())["epochs"] is not None


def test_a_failed_save_leaves_the_old_file_and_no_temporary_file(tmp_path):
    path = tmp_path / "history.json"
    path.write_text("old")

    def fail(tmp):
        with open(tmp, "w") as f:
            f.write("half")
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError):
        nn.serialization.atomic_write(path, fail)
    assert path.read_text() == "old"
    assert sorted(os.listdir(tmp_path)) == ["history.json"]


def test_a_save_removes_what_a_killed_process_left(tmp_path):
    path = tmp_path / "model.safetensors"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = tmp_path / f".model.safetensors.{int(dead.stdout)}.abc123.tmp"
    stale.write_bytes(b"\\0" * 1000)
    mine = tmp_path / "notes.txt.tmp"  # not ours: kept
    mine.write_text("keep")
    nn.save({"w": ag.ones(2)}, path)
    assert sorted(os.listdir(tmp_path)) == ["model.safetensors", "notes.txt.tmp"]


def test_history_save_round_trips(tmp_path):
    h = History()
    h.append({"epoch": 1, "train_loss": 0.5})
    h.save(tmp_path / "h.json")
    assert History.load(tmp_path / "h.json").epochs == h.epochs
