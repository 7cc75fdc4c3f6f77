"""The command line with bad input: one line on stderr, exit code 2, nothing written, no traceback."""

import importlib.util
import json
import os
import subprocess
import sys

import pytest

import nn
from glassgrad import cli

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
QUICK = ["--data", "xor", "--hidden", "4", "--epochs", "2", "--no-progress"]


def _cli(capsys, *args):
    """Run ``glassgrad *args`` in this process: (exit code, stdout, stderr)."""
    try:
        code = cli.main(list(args))
    except SystemExit as e:
        code = e.code
    out, err = capsys.readouterr()
    return code, out, err


def _usage_error(capsys, *args, says):
    code, out, err = _cli(capsys, *args)
    assert code == 2, (code, out, err)
    assert says in err and "Traceback" not in err + out
    assert len(err.strip().splitlines()) == 1, err
    return err


@pytest.mark.parametrize(
    "args, says",
    [
        (["--hidden", "abc"], "--hidden"),
        (["--hidden", "64,,8"], "--hidden"),
        (["--lr", "-1"], "--lr"),
        (["--lr", "nan"], "--lr"),
        (["--dropout", "1.5"], "--dropout"),
        (["--batch-size", "0"], "--batch-size"),
        (["--epochs", "0"], "--epochs"),
        (["--epochs", "two"], "not an integer"),
        (["--warmup", "-1"], "--warmup"),
        (["--weight-decay", "-0.1"], "--weight-decay"),
        (["--seed", "-3"], "--seed"),
        (["--opt", "adamax"], "invalid choice"),
    ],
)
@pytest.mark.parametrize("command", ["train", "demo"])
def test_bad_values_are_usage_errors(capsys, tmp_path, command, args, says):
    out = tmp_path / "run"
    _usage_error(capsys, command, "--out", str(out), *args, says=says)
    assert not out.exists()


def test_out_that_is_a_file(capsys, tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("mine")
    _usage_error(capsys, "train", *QUICK, "--out", str(path), "--overwrite", says="is a file")
    _usage_error(capsys, "train", *QUICK, "--out", str(path / "run"), says="is a file")
    assert path.read_text() == "mine"


def test_overwrite_never_deletes_a_folder_glassgrad_did_not_make(capsys, tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "config.json").write_text("my own config")
    _usage_error(capsys, "train", *QUICK, "--out", str(out), "--overwrite", says="not made by glassgrad")
    assert (out / "config.json").read_text() == "my own config"


def test_a_run_folder_with_a_foreign_file_is_kept(capsys, tmp_path):
    out = tmp_path / "run"
    assert _cli(capsys, "train", *QUICK, "--out", str(out))[0] == 0
    (out / "notes.txt").write_text("mine")
    _usage_error(capsys, "train", *QUICK, "--out", str(out), "--overwrite", says="notes.txt")
    assert (out / "notes.txt").read_text() == "mine" and (out / "model.safetensors").exists()


def test_a_folder_inside_a_run_folder_is_kept(capsys, tmp_path):
    out = tmp_path / "run"
    assert _cli(capsys, "train", *QUICK, "--out", str(out))[0] == 0
    (out / "graph.svg").unlink()
    (out / "graph.svg").mkdir()
    _usage_error(capsys, "train", *QUICK, "--out", str(out), "--overwrite", says="graph.svg")
    assert (out / "graph.svg").is_dir()


def test_a_finished_run_needs_overwrite_and_then_is_replaced(capsys, tmp_path):
    out = tmp_path / "run"
    code, stdout, _ = _cli(capsys, "train", *QUICK, "--out", str(out))
    assert code == 0 and "model.safetensors" in stdout
    _usage_error(capsys, "train", *QUICK, "--out", str(out), says="--overwrite")
    assert _cli(capsys, "train", *QUICK, "--out", str(out), "--overwrite")[0] == 0


def test_a_crashed_run_does_not_block_the_next(capsys, tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    (out / cli.MARKER).write_text("")
    (out / "config.json").write_text("{}")  # what a run that crashed before its first epoch leaves
    assert _cli(capsys, "train", *QUICK, "--out", str(out))[0] == 0


def test_without_a_progress_bar_each_epoch_prints_a_line(capsys, tmp_path):
    code, stdout, _ = _cli(capsys, "train", *QUICK, "--out", str(tmp_path / "run"))
    assert code == 0
    assert [line.split()[:2] for line in stdout.splitlines() if line.startswith("epoch")] == [
        ["epoch", "1"],
        ["epoch", "2"],
    ]


def test_graph_out_into_a_missing_folder(capsys, tmp_path):
    _usage_error(capsys, "graph", "--data", "xor", "--out", str(tmp_path / "nope" / "g.svg"), says="does not exist")
    _usage_error(capsys, "graph", "--data", "xor", "--out", str(tmp_path / "g.txt"), says=".svg")
    _usage_error(capsys, "graph", "--data", "xor", "--out", str(tmp_path), says="is a folder")


def test_graph_has_its_own_flags(capsys):
    _usage_error(capsys, "graph", "--epochs", "3", says="unrecognized arguments")
    code, out, _ = _cli(capsys, "graph", "--help")
    assert code == 0 and "--hidden" in out and "--lr" not in out and "run folder" not in out


def test_help_shows_defaults_and_explains_every_flag(capsys):
    helps = {}
    for command in ("demo", "train"):
        code, out, _ = _cli(capsys, command, "--help")
        assert code == 0
        helps[command] = out
        for flag in ("--epochs", "--batch-size", "--seed", "--lr", "--out"):
            line = next(line for line in out.splitlines() if line.strip().startswith(flag))
            assert "default" in out[out.index(line) :].split("\n  -")[0], flag
    assert "(default: 30)" in helps["demo"] and helps["demo"] != helps["train"]


def _checkpoint(capsys, tmp_path):
    out = tmp_path / "run"
    assert _cli(capsys, "train", *QUICK, "--out", str(out))[0] == 0
    return out / "model.safetensors"


def test_eval_of_a_damaged_checkpoint(capsys, tmp_path):
    path = _checkpoint(capsys, tmp_path)
    data = bytearray(path.read_bytes())
    (tmp_path / "short.safetensors").write_bytes(bytes(data[: len(data) // 2]))
    data[-4] ^= 0xFF
    (tmp_path / "flipped.safetensors").write_bytes(bytes(data))
    _usage_error(capsys, "eval", str(tmp_path / "short.safetensors"), says="cannot read")
    _usage_error(capsys, "eval", str(tmp_path / "flipped.safetensors"), says="corrupted")
    _usage_error(capsys, "eval", str(tmp_path / "missing.safetensors"), says="no such file")


def test_eval_of_another_architecture(capsys, tmp_path):
    from safetensors import safe_open

    path = _checkpoint(capsys, tmp_path)
    with safe_open(str(path), framework="numpy") as f:
        meta = f.metadata()
    config = dict(json.loads(meta["glassgrad.config"]), hidden=[16, 4])
    other = tmp_path / "other.safetensors"
    nn.save(nn.load(str(path)), str(other), metadata=dict(meta, **{"glassgrad.config": json.dumps(config)}))
    _usage_error(capsys, "eval", str(other), says="does not fit")
    plain = tmp_path / "plain.safetensors"
    nn.save(nn.Linear(3, 2), str(plain))
    assert _cli(capsys, "eval", str(plain))[0] == 2


def test_a_usage_error_from_the_shell_has_no_traceback():
    proc = subprocess.run(
        [sys.executable, "-m", "glassgrad", "train", "--hidden", "abc"], cwd=ROOT, capture_output=True, text=True
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines() == [proc.stderr.strip()]


def test_a_missing_extra_names_a_command_that_works_from_the_checkout(capsys, tmp_path, monkeypatch):
    real = importlib.util.find_spec
    absent = {"sklearn", "matplotlib", "tqdm"}
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name in absent else real(name, *a))
    out = tmp_path / "demo"
    code, _, err = _cli(capsys, "demo", "--out", str(out))
    assert code == 1 and "pip install -e '.[train]'" in err and "glassgrad[train]" not in err
    assert "scikit-learn" in err and len(err.strip().splitlines()) == 1 and not out.exists()


def test_library_hints_for_missing_extras(monkeypatch):
    from glassgrad.data import datasets
    from glassgrad.train import plot

    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)  # `import sklearn.datasets` now fails
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    for fn in (datasets.digits, plot.pyplot):
        with pytest.raises(ImportError, match=r"pip install -e '\.\[train\]'"):
            fn()
