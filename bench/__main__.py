"""Run the benchmark suite: ``python -m bench [--threads N] [--quick] [--only NAME ...]``."""

from __future__ import annotations

import argparse
import os

from . import conv, deep, mlp, ops, scalar_mlp, seq
from .common import machine, pinned_threads, save

SUITES = {"mlp": mlp.run, "ops": ops.run, "scalar": scalar_mlp.run, "deep": deep.run, "conv": conv.run, "seq": seq.run}


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--threads", type=int, default=1, help="BLAS/torch threads (default 1: stable ratios)")
    parser.add_argument("--quick", action="store_true", help="tiny sizes, one round: a smoke run")
    parser.add_argument("--only", nargs="*", choices=sorted(SUITES), help="run only these benchmarks")
    parser.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "results.json"))
    args = parser.parse_args(argv)
    try:
        import torch  # noqa: F401

        torch_ok = True
    except ImportError:
        torch_ok = False
        print("(torch not installed: PyTorch baselines skipped; pip install torch==2.13.0)")
    results = {"machine": machine(), "threads": args.threads, "quick": args.quick, "results": {}}
    with pinned_threads(args.threads):
        for name in args.only or list(SUITES):
            fn = SUITES[name]
            kwargs = {"quick": args.quick}
            if name in ("ops", "conv", "mlp", "deep", "seq"):
                kwargs["torch_ok"] = torch_ok
            results["results"][name] = fn(**kwargs)
    if not args.quick:
        if args.only and os.path.exists(args.out):
            results = _merged(args.out, results)
        save(results, args.out)
        print(f"wrote {args.out}")
    return results


def _merged(path, results):
    """The saved results with the suites just run replaced: ``--only`` updates its rows, keeps the rest."""
    import json

    with open(path) as f:
        saved = json.load(f)
    if saved.get("threads") != results["threads"]:
        return results
    saved["machine"] = results["machine"]
    saved["results"].update(results["results"])
    return saved


if __name__ == "__main__":
    main()
