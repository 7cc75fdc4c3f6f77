"""The README's Python code blocks run as written, top to bottom, in one fresh interpreter.

Blocks in another language (```bash) are commands, not run here; a Python block that is only a
fragment says so on the line above it with ``<!-- fragment -->`` and is skipped.
"""

import os
import re
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FENCE = re.compile(r"^```(\w*)\n(.*?)^```$", re.S | re.M)
FRAGMENT = "<!-- fragment -->"


def readme_blocks(text):
    """(language, code, is_fragment) for every fenced block of a Markdown text, in order."""
    blocks = []
    for match in FENCE.finditer(text):
        before = text[: match.start()].rstrip("\n").rsplit("\n", 1)[-1]
        blocks.append((match.group(1), match.group(2), before.strip() == FRAGMENT))
    return blocks


def python_blocks():
    """The README's Python blocks that are meant to run."""
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        blocks = readme_blocks(f.read())
    return [code for lang, code, fragment in blocks if lang == "python" and not fragment]


def test_blocks_are_found():
    text = "a\n```python\nx = 1\n```\n<!-- fragment -->\n```python\ny\n```\n```bash\nmake\n```\n"
    assert readme_blocks(text) == [("python", "x = 1\n", False), ("python", "y\n", True), ("bash", "make\n", False)]
    assert len(python_blocks()) >= 5


@pytest.mark.slow
def test_readme_python_blocks_run_top_to_bottom(tmp_path):
    pytest.importorskip("sklearn", reason="the README's data examples need the train extra")
    script = tmp_path / "readme.py"
    script.write_text("\n\n".join(python_blocks()), encoding="utf-8")
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    for name in ("graph.svg", "backprop.html", "mlp.safetensors", "curves.png", "history.json"):
        assert (tmp_path / name).stat().st_size > 0, name
