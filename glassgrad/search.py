"""Hyperparameter search: ``random_search`` and ``grid_search`` run trials in parallel processes
with joblib (whose Dask or Ray backend can spread them over machines), and return the trials as
a table sorted best first.

The course's recipe: a coarse random search over wide, log-scaled ranges for a few epochs, then
a finer one around the best; random search covers each important dimension better than a grid.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

__all__ = ["LogUniform", "Uniform", "IntUniform", "SearchResult", "random_search", "grid_search"]


class LogUniform:
    """A value drawn log-uniformly from [low, high] (learning rates, weight decay)."""

    def __init__(self, low, high):
        if not 0 < low < high:
            raise ValueError(f"LogUniform needs 0 < low < high, got {low}, {high}")
        self.low, self.high = low, high

    def sample(self, rng):
        """One draw, from the NumPy generator ``rng``."""
        return float(math.exp(rng.uniform(math.log(self.low), math.log(self.high))))

    def __repr__(self):
        return f"LogUniform({self.low}, {self.high})"


class Uniform:
    """A value drawn uniformly from [low, high]."""

    def __init__(self, low, high):
        self.low, self.high = low, high

    def sample(self, rng):
        """One draw, from the NumPy generator ``rng``."""
        return float(rng.uniform(self.low, self.high))

    def __repr__(self):
        return f"Uniform({self.low}, {self.high})"


class IntUniform:
    """An integer drawn uniformly from low..high inclusive."""

    def __init__(self, low, high):
        self.low, self.high = int(low), int(high)

    def sample(self, rng):
        """One draw, from the NumPy generator ``rng``."""
        return int(rng.integers(self.low, self.high + 1))

    def __repr__(self):
        return f"IntUniform({self.low}, {self.high})"


def _sample(space, rng):
    params = {}
    for name, dist in space.items():
        if hasattr(dist, "sample"):
            params[name] = dist.sample(rng)
        elif isinstance(dist, (list, tuple)):
            params[name] = dist[int(rng.integers(len(dist)))]
        else:
            params[name] = dist  # a constant
    return params


class SearchResult(list):
    """Trials sorted best first: each a dict of the parameters, ``score`` and ``trial``."""

    def __init__(self, trials, mode):
        super().__init__(trials)
        self.mode = mode

    @property
    def best(self):
        """The best trial."""
        return self[0]

    def table(self, digits=4):
        """The trials as an aligned text table."""
        if not self:
            return "(no trials)"
        keys = [k for k in self[0] if k not in ("score", "trial")]
        header = ["trial", *keys, "score"]

        def cell(v):
            return f"{v:.{digits}g}" if isinstance(v, float) else str(v)

        rows = [[cell(t["trial"]), *(cell(t[k]) for k in keys), cell(t["score"])] for t in self]
        widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
        lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths))]
        lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths)) for r in rows]
        return "\n".join(lines)

    def __str__(self):
        return self.table()


def _run(train_fn, trial, params):
    score = train_fn(**params)
    if isinstance(score, dict):
        score = score["score"]
    return {**params, "score": float(score), "trial": trial}


def _parallel(train_fn, trials, n_jobs, backend):
    if n_jobs == 1:
        return [_run(train_fn, k, p) for k, p in trials]
    try:
        from joblib import Parallel, delayed
    except ImportError as e:  # pragma: no cover - environment dependent
        raise ImportError(
            "parallel search needs joblib: pip install joblib, or from a checkout pip install -e '.[train]' (or pass n_jobs=1)"
        ) from e
    return Parallel(n_jobs=n_jobs, backend=backend)(delayed(_run)(train_fn, k, p) for k, p in trials)


def _sorted(results, mode):
    if mode not in ("min", "max"):
        raise ValueError(f"mode must be 'min' or 'max', got {mode!r}")
    key = (
        (lambda t: (math.isnan(t["score"]), t["score"]))
        if mode == "min"
        else (lambda t: (math.isnan(t["score"]), -t["score"]))
    )
    return SearchResult(sorted(results, key=key), mode)


def random_search(train_fn, space, n_trials=10, seed=0, n_jobs=1, mode="max", backend="loky"):
    """Call ``train_fn(**params)`` (→ a score, or a dict with "score") for ``n_trials`` draws from
    ``space`` ({name: list of choices | LogUniform | Uniform | IntUniform | constant}).

    ``train_fn`` must be picklable (a module-level function) when ``n_jobs`` > 1.
    """
    rng = np.random.default_rng(seed)
    trials = [(k, _sample(space, rng)) for k in range(n_trials)]
    return _sorted(_parallel(train_fn, trials, n_jobs, backend), mode)


def grid_search(train_fn, grid, n_jobs=1, mode="max", backend="loky"):
    """Call ``train_fn(**params)`` for every combination of ``grid`` ({name: list of values})."""
    names = list(grid)
    combos = itertools.product(*(grid[n] for n in names))
    trials = [(k, dict(zip(names, values))) for k, values in enumerate(combos)]
    return _sorted(_parallel(train_fn, trials, n_jobs, backend), mode)
