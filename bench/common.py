"""Timing that alternates glassgrad and its baselines, and the machine record kept with results."""

from __future__ import annotations

import gc
import json
import os
import platform
import statistics
import time
from contextlib import contextmanager


@contextmanager
def pinned_threads(n):
    """Pin NumPy's BLAS (and torch, if present) to ``n`` threads for stable ratios."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - the compare extra brings it
        limiter = None
    else:
        limiter = threadpool_limits(limits=n)
    torch_threads = None
    try:
        import torch

        torch_threads = torch.get_num_threads()
        torch.set_num_threads(n)
    except ImportError:
        pass
    try:
        yield
    finally:
        if limiter is not None:
            limiter.unregister() if hasattr(limiter, "unregister") else limiter.restore_original_limits()
        if torch_threads is not None:
            import torch

            torch.set_num_threads(torch_threads)


def machine():
    """The machine, Python, NumPy's BLAS and its kernel, for the record."""
    import numpy as np

    info = {
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": np.__version__,
    }
    try:
        from threadpoolctl import threadpool_info

        info["blas"] = [
            {k: p.get(k) for k in ("internal_api", "version", "architecture", "num_threads")} for p in threadpool_info()
        ]
    except ImportError:
        pass
    try:
        import torch

        info["torch"] = torch.__version__
    except ImportError:
        pass
    return info


def compare(fns, rounds=15, inner=1, warmup=2):
    """Time each callable ``rounds`` times, alternating between them; return medians and ratios.

    ``fns`` maps a label to a callable; the first label is the one compared (glassgrad). Each
    round runs every callable ``inner`` times in turn; ratios are paired per round.
    """
    labels = list(fns)
    for _ in range(warmup):
        for label in labels:
            fns[label]()
    times = {label: [] for label in labels}
    for _ in range(rounds):
        for label in labels:
            fn = fns[label]
            # Each timed call starts from a collected heap, so no callable pays for the cyclic
            # garbage another left behind (micrograd makes a cycle per node).
            gc.collect()
            t0 = time.perf_counter()
            for _ in range(inner):
                fn()
            times[label].append((time.perf_counter() - t0) / inner)
    main = labels[0]
    result = {"median_s": {k: statistics.median(v) for k, v in times.items()}, "ratio": {}}
    for label in labels[1:]:
        paired = [a / b for a, b in zip(times[main], times[label])]
        result["ratio"][label] = {
            "median": statistics.median(paired),
            "min": min(paired),
            "max": max(paired),
        }
    return result


def gc_collect():
    gc.collect()


def fmt_time(s):
    if s < 1e-3:
        return f"{s * 1e6:8.1f} µs"
    if s < 1:
        return f"{s * 1e3:8.2f} ms"
    return f"{s:8.3f} s "


def print_result(name, result, per=1, unit=""):
    med = result["median_s"]
    labels = list(med)
    cells = "  ".join(f"{k}: {fmt_time(v / per)}{unit}" for k, v in med.items())
    print(f"{name:<34} {cells}")
    for label, r in result["ratio"].items():
        print(f"{'':<34} {labels[0]}/{label} = {r['median']:.4g}  (paired min {r['min']:.4g}, max {r['max']:.4g})")


def save(results, path):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(results, f, indent=2, sort_keys=True)
    os.replace(tmp, path)
