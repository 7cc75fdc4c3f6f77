"""Every notebook in notebooks/ runs top to bottom from a clean kernel; its assert cells are its
claims, so a claim that breaks fails here."""

import glob
import os

import pytest

pytestmark = pytest.mark.slow  # `make test-fast` leaves these out

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# Sized for a loaded machine: the longest cell (training a small CNN) takes about a minute on a
# quiet core, and a machine shared with other jobs can be several times slower.
CELL_TIMEOUT = 1200
KERNEL_STARTUP_TIMEOUT = 180
NOTEBOOKS = sorted(glob.glob(os.path.join(ROOT, "notebooks", "*.ipynb")))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[os.path.basename(p) for p in NOTEBOOKS])
def test_notebook_runs(path, tmp_path, monkeypatch):
    nbformat = pytest.importorskip("nbformat", reason="the notebooks extra is not installed")
    nbclient = pytest.importorskip("nbclient", reason="the notebooks extra is not installed")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        monkeypatch.setenv(var, "1")  # one BLAS thread per kernel: two kernels run at once on two cores
    monkeypatch.setenv("PYTHONPATH", ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    nb = nbformat.read(path, as_version=4)
    # Run in a scratch copy of the folder so files a notebook writes never land in the checkout.
    client = nbclient.NotebookClient(
        nb,
        timeout=CELL_TIMEOUT,
        startup_timeout=KERNEL_STARTUP_TIMEOUT,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()
    errors = [
        out
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
        if out.get("output_type") == "error"
    ]
    assert not errors


def test_every_notebook_checks_its_claims():
    nbformat = pytest.importorskip("nbformat", reason="the notebooks extra is not installed")
    assert NOTEBOOKS, "notebooks/ is empty"
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        sources = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
        assert "assert " in sources, f"{os.path.basename(path)} has no assert cell"
