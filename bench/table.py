"""Print bench/results.json as the README's markdown table: ``python -m bench.table``."""

from __future__ import annotations

import json
import os
import sys


def _ms(s):
    return f"{s * 1e3:.3g} ms" if s >= 1e-3 else f"{s * 1e6:.3g} µs"


def table(results):
    r = results["results"]
    m = results["machine"]
    blas = ", ".join(
        f"{b['internal_api']} {b.get('version')} (kernel {b.get('architecture')})"
        for b in m.get("blas", [])
        if b.get("architecture")
    )
    lines = [
        f"Measured on {m['cpus']} cores ({m['processor']}), Python {m['python']}, NumPy {m['numpy']} with {blas}, "
        f"torch {m.get('torch', '—')}, {results['threads']} BLAS/torch thread(s).",
        "",
        "| benchmark | glassgrad | baseline | glassgrad / baseline (median, paired min–max) |",
        "|---|---|---|---|",
    ]

    def row(name, res, per=1):
        med = res["median_s"]
        main = next(iter(med))
        for label, ratio in res["ratio"].items():
            lines.append(
                f"| {name} | {_ms(med[main] / per)} | {label}: {_ms(med[label] / per)} | "
                f"{ratio['median']:.3g} ({ratio['min']:.3g}–{ratio['max']:.3g}) |"
            )

    mlp = r.get("mlp", {})
    for key in sorted(k for k in mlp if k.startswith("mlp_step")):
        batch = key.split("_b")[-1]
        row(f"MLP 784-256-128-10 train step, batch {batch}", mlp[key])
        if "torch_vs_numpy" in mlp[key]:
            lines.append(f"| (baseline check, batch {batch}: torch / numpy) | | | {mlp[key]['torch_vs_numpy']:.3g} |")
    for key, res in r.get("ops", {}).items():
        if "fwd+bwd" in key:
            row(key.replace(" (per op)", ", per op"), res, per=100)
    for key, res in r.get("scalar", {}).items():
        row(
            {
                "scalar_mlp": "Scalar MLP 2-16-16-1 step, 100 points",
                "tensor_mlp_vs_micrograd": "Tensor MLP 2-16-16-1 step",
            }.get(key, key),
            res,
        )
    for key, res in r.get("deep", {}).items():
        row("chain of 10⁵ ops, fwd+bwd", res)
    conv = r.get("conv", {})
    # conv2d before pooling, the first shape first, max before avg (the file's keys are sorted)
    for key in sorted(conv, key=lambda k: (not k.startswith("conv2d"), k.startswith("avg"), "N=64" not in k, k)):
        row("conv2d fwd+bwd, N=64, 16→32 ch, 16×16, k=3" if key == "conv2d" else key, conv[key])
    for key, res in r.get("seq", {}).items():
        row(key, res)
    if "memory_peak" in mlp:
        mem = mlp["memory_peak"]
        peaks = ", ".join(f"{k} {v['peak_kib'] / 1024:.0f} MiB" for k, v in mem["runs"].items())
        lines.append(
            f"| peak RSS, {mem['steps']} steps at batch {mem['batch']} | {peaks} | | glassgrad / numpy {mem['ratio_vs_numpy']:.3g} |"
        )
    if "memory_growth" in mlp:
        g = mlp["memory_growth"]
        lines.append(f"| RSS growth from step 100 to 10,000 (batch 128) | {g['growth_kib'] / 1024:+.1f} MiB | | |")
    return "\n".join(lines)


def main(path=None):
    path = path or os.path.join(os.path.dirname(__file__), "results.json")
    with open(path) as f:
        print(table(json.load(f)))


if __name__ == "__main__":
    main(*sys.argv[1:])
