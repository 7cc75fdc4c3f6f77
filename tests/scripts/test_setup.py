"""The setup scripts' virtual-environment logic, run in temporary folders with stand-ins for
python3, pip and apt-get (so nothing is installed, and the system Python is never touched)."""

import os
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _checkout(tmp_path):
    """A scratch checkout holding the setup scripts and pyproject.toml."""
    root = tmp_path / "checkout"
    (root / "scripts").mkdir(parents=True)
    for name in ("scripts/setup.sh", "scripts/venv.sh", "pyproject.toml"):
        shutil.copy(os.path.join(ROOT, name), root / name)
    return root


def _stub(folder, name, body):
    path = folder / name
    path.write_text("#!/usr/bin/env bash\n" + body)
    path.chmod(0o755)
    return path


def _run(root, *args, env):
    return subprocess.run(["bash", *args], cwd=root, env=env, capture_output=True, text=True, timeout=300)


def _env(tmp_path, **extra):
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "GLASSGRAD_BASE_PYTHON", "PYTHON")}
    env.update(extra)
    return env


@pytest.mark.slow  # makes a real virtual environment (a few seconds)
def test_venv_is_made_in_the_checkout_installing_python3_venv_when_missing(tmp_path):
    root = _checkout(tmp_path)
    bin_ = tmp_path / "bin"
    bin_.mkdir()
    log = tmp_path / "apt.log"
    # python3 without the venv module until apt-get has "installed" python3-venv, as on Debian.
    _stub(
        bin_,
        "python3",
        f'if [ "$1 $2" = "-m venv" ] && [ ! -f {log} ]; then mkdir -p "$3"; '
        f'echo "ensurepip is not available" >&2; exit 1; fi\nexec {sys.executable} "$@"\n',
    )
    _stub(bin_, "apt-get", f'echo "$*" >> {log}\n')
    _stub(bin_, "sudo", '"$@"\n')
    env = _env(tmp_path, PATH=f"{bin_}{os.pathsep}{os.environ['PATH']}")
    first = _run(root, "scripts/venv.sh", env=env)
    assert first.returncode == 0, first.stderr
    venv_python = root / ".venv" / "bin" / "python"
    assert first.stdout.strip() == str(venv_python)
    assert subprocess.run([str(venv_python), "-m", "pip", "--version"], capture_output=True).returncode == 0
    assert any("install" in line and "venv" in line for line in log.read_text().splitlines())
    calls = log.read_text()
    again = _run(root, "scripts/venv.sh", env=env)
    assert again.stdout.strip() == str(venv_python) and "made" not in again.stderr
    assert log.read_text() == calls  # nothing installed the second time


def _fake_venv(tmp_path):
    """A folder that looks like an active virtual environment whose python logs its calls."""
    venv = tmp_path / "active-venv"
    (venv / "bin").mkdir(parents=True)
    log = tmp_path / "python.log"
    _stub(venv / "bin", "python", f'echo "$*" >> {log}\n')
    return venv, log


def test_the_active_venv_is_used_and_nothing_is_reinstalled(tmp_path):
    root = _checkout(tmp_path)
    venv, log = _fake_venv(tmp_path)
    env = _env(tmp_path, VIRTUAL_ENV=str(venv))
    if shutil.which("dot") is None:
        pytest.skip("setup.sh would install Graphviz")
    assert _run(root, "scripts/setup.sh", "train", env=env).returncode == 0
    assert log.read_text().splitlines() == ["-m pip install -q -e .[train]"]
    assert not (root / ".venv").exists()
    assert _run(root, "scripts/setup.sh", "train", env=env).returncode == 0
    assert _run(root, "scripts/setup.sh", "", env=env).returncode == 0  # a subset of what is installed
    assert len(log.read_text().splitlines()) == 1
    assert _run(root, "scripts/setup.sh", "compare,train", env=env).returncode == 0
    assert log.read_text().splitlines()[-1] == "-m pip install -q torch==2.13.0 -e .[compare,train]"
    with open(root / "pyproject.toml", "a") as f:
        f.write("\n# changed\n")
    assert _run(root, "scripts/setup.sh", "train", env=env).returncode == 0
    calls = log.read_text().splitlines()
    assert calls[-1] == "-m pip install -q -e .[train]" and len(calls) == 3
    assert not any("--upgrade" in call for call in calls)


def test_a_venv_without_python_is_refused(tmp_path):
    root = _checkout(tmp_path)
    proc = _run(root, "scripts/venv.sh", env=_env(tmp_path, VIRTUAL_ENV=str(tmp_path / "gone")))
    assert proc.returncode == 1 and "has no bin/python" in proc.stderr and proc.stdout == ""
