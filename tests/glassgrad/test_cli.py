"""The glassgrad command: the demo in a subprocess, and its refusals."""

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

import optim
from glassgrad import cli

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _run(*args, timeout=300):
    return subprocess.run(
        [sys.executable, "-m", "glassgrad", *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout
    )


@pytest.mark.slow
def test_demo_produces_all_four_files(tmp_path):
    out = tmp_path / "demo"
    proc = _run("demo", "--out", str(out), "--no-progress")
    assert proc.returncode == 0, proc.stderr
    for name in ("model.safetensors", "history.json", "curves.png", "gradient_flow.png", "graph.svg"):
        assert (out / name).stat().st_size > 0, name
    root = ET.parse(out / "graph.svg").getroot()
    assert root.tag.endswith("svg")
    accuracy = float(proc.stdout.split("test accuracy:")[1].split()[0])
    assert accuracy >= 0.95
    history = json.loads((out / "history.json").read_text())
    assert len(history["epochs"]) == cli.DEMO["epochs"]
    ev = _run("eval", str(out / "model.safetensors"))
    assert ev.returncode == 0 and f"test accuracy: {accuracy:.4f}" in ev.stdout


def test_existing_out_is_not_overwritten(tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    for extra in ([], ["--overwrite"]):
        code = cli.main(["train", "--data", "xor", "--epochs", "1", "--out", str(out), "--no-progress", *extra])
        assert code == 2 and (out / "keep.txt").read_text() == "mine"


def test_unknown_names_list_the_choices(capsys):
    with pytest.raises(SystemExit):
        cli.main(["train", "--opt", "adamax"])
    err = capsys.readouterr().err
    assert "invalid choice: 'adamax'" in err and "nesterov" in err


def test_divergence_stops_with_a_hint(tmp_path, capsys):
    code = cli.main(
        [
            "train",
            "--data",
            "moons",
            "--opt",
            "sgd",
            "--lr",
            "1e30",
            "--epochs",
            "3",
            "--out",
            str(tmp_path / "r"),
            "--no-progress",
        ]
    )
    assert code == 1
    assert "Lower the learning rate" in capsys.readouterr().err


@pytest.mark.parametrize("act", ["maxout", "selu", "tanh"])
def test_train_variants(tmp_path, act):
    model, history, accuracy, _ = cli.run_training(
        dict(
            cli.TRAIN,
            data="moons",
            hidden=[16],
            act=act,
            epochs=3,
            schedule="onecycle",
            out=str(tmp_path / act),
            seed=0,
        ),
        progress=False,
    )
    assert len(history) == 3 and 0 <= accuracy <= 1
    assert (tmp_path / act / "gradient_flow.png").stat().st_size > 1000  # one column per epoch


def test_eval_rejects_foreign_files(tmp_path, capsys):
    bad = tmp_path / "x.safetensors"
    bad.write_bytes(b"not a checkpoint")
    assert cli.main(["eval", str(bad)]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_plateau_schedule_is_the_scheduler_itself_after_a_warmup():
    model = cli.build_mlp(2, [4], 2)
    opt = optim.SGD(model.parameters(), lr=0.1)
    scheduler, unit = cli.make_schedule("plateau", opt, epochs=10, warmup=2, steps_per_epoch=5)
    assert unit == "epoch" and [type(s).__name__ for s in scheduler] == ["LinearLR", "ReduceLROnPlateau"]
    scheduler, unit = cli.make_schedule("plateau", optim.SGD(model.parameters(), lr=0.1), 10, 0, 5)
    assert [type(s).__name__ for s in scheduler] == ["ReduceLROnPlateau"]


def test_train_with_plateau_schedule(tmp_path):
    config = dict(
        cli.TRAIN, data="moons", hidden=[8], epochs=3, schedule="plateau", warmup=1, out=str(tmp_path / "p"), seed=0
    )
    _, history, accuracy, _ = cli.run_training(config, progress=False)
    assert len(history) == 3 and 0 <= accuracy <= 1
