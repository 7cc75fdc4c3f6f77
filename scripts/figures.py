"""Run notebooks and collect their figures: the README's figures are made by the notebooks themselves.

``python -m scripts.figures`` runs every notebook that saves a named figure (a cell calling
``glassgrad.plot.save(fig, name)``) with ``$GLASSGRAD_FIGURES`` set to ``docs/``, so
``docs/<name>.png`` is regenerated from the notebook. ``--images DIR`` also writes every image a
notebook shows into DIR (to look at them all), and ``--write`` stores the executed notebooks back for
the ones committed with their outputs (the others stay without). Notebooks run as the tests run them:
a scratch working folder, the Agg backend, one BLAS thread per kernel.
"""

from __future__ import annotations

import argparse
import base64
import concurrent.futures
import os
import pathlib
import sys
import tempfile

from glassgrad.plot import FIGURES_ENV

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
DOCS = ROOT / "docs"
SAVE_CALLS = ("gplot.save(", "plot.save(")


def saves_figures(path):
    """Whether a notebook's code saves a named figure."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    return any(call in c.source for c in nb.cells if c.cell_type == "code" for call in SAVE_CALLS)


def has_outputs(nb):
    """Whether a notebook is stored with outputs (then ``--write`` keeps them up to date)."""
    return any(c.get("outputs") for c in nb.cells if c.cell_type == "code")


def run(path, images=None, write=False, timeout=1200):
    """Execute one notebook from a clean kernel; return (its name, [image files written])."""
    import nbclient
    import nbformat

    nb = nbformat.read(path, as_version=4)
    stored_with_outputs = has_outputs(nb)
    with tempfile.TemporaryDirectory() as scratch:
        client = nbclient.NotebookClient(
            nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": scratch}}
        )
        client.execute()
    written = extract_images(nb, path.stem, images) if images else []
    if write and stored_with_outputs:
        nbformat.write(nb, path)
    return path.name, written


def extract_images(nb, stem, folder):
    """Write every PNG a notebook displays as ``<stem>_cell<N>_<k>.png`` into ``folder``; return the paths."""
    folder = pathlib.Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for n, cell in enumerate(nb.cells):
        pngs = [o["data"]["image/png"] for o in cell.get("outputs", []) if "image/png" in o.get("data", {})]
        for k, png in enumerate(pngs):
            target = folder / f"{stem}_cell{n:02d}_{k}.png"
            target.write_bytes(base64.b64decode(png))
            written.append(str(target))
    return written


def environment(out):
    """Set what a kernel inherits: the figures folder, Agg, one BLAS thread, this checkout on the path."""
    os.environ[FIGURES_ENV] = str(pathlib.Path(out).resolve())
    os.environ["MPLBACKEND"] = "Agg"
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = "1"
    os.environ["PYTHONPATH"] = str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")


def parse(argv):
    """The command line."""
    p = argparse.ArgumentParser(prog="python -m scripts.figures", description=__doc__.split("\n\n")[0])
    p.add_argument("notebooks", nargs="*", help="notebooks to run (default: those that save a named figure)")
    p.add_argument("--out", default=str(DOCS), help="where named figures go (default: docs/)")
    p.add_argument("--images", help="also write every image the notebooks show into this folder")
    p.add_argument("--write", action="store_true", help="store outputs back into notebooks committed with them")
    p.add_argument("--jobs", type=int, default=2, help="notebooks run at once (default 2)")
    return p.parse_args(argv)


def main(argv=None):
    """Run the notebooks; print what each wrote."""
    args = parse(argv)
    paths = [pathlib.Path(p).resolve() for p in args.notebooks] or [
        p for p in sorted(NOTEBOOKS.glob("*.ipynb")) if saves_figures(p)
    ]
    environment(args.out)
    with concurrent.futures.ProcessPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        jobs = [pool.submit(run, p, args.images, args.write) for p in paths]
        for job in jobs:
            name, images = job.result()
            print(f"figures: ran {name}" + (f", {len(images)} images" if args.images else ""))
    saved = sorted(pathlib.Path(args.out).glob("*.png"))
    print(f"figures: named figures in {args.out}: {', '.join(p.name for p in saved) or 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
