"""Small datasets, all offline: generated (xor, rings, spirals, moons), shipped with scikit-learn
(digits), or read from MNIST-format IDX files you already have (``load_idx``). Nothing downloads.

Each generator returns a ``TensorDataset`` of float32 inputs and int64 class labels.
"""

from __future__ import annotations

import gzip
import os
import struct

import numpy as np

import autograd as ag

from .loader import TensorDataset

__all__ = ["xor", "rings", "spirals", "moons", "digits", "load_idx"]


def _dataset(X, y):
    return TensorDataset(ag.tensor(np.asarray(X, dtype=np.float32)), ag.tensor(np.asarray(y, dtype=np.int64)))


def xor():
    """The four points of XOR: (0,0)→0, (0,1)→1, (1,0)→1, (1,1)→0."""
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    return _dataset(X, [0, 1, 1, 0])


def rings(n=1000, noise=0.1, radii=(1.0, 2.0), seed=0):
    """Two concentric rings (class 0 inside, class 1 outside) with Gaussian noise."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    angle = rng.uniform(0, 2 * np.pi, n)
    r = np.where(y == 0, radii[0], radii[1]) + noise * rng.standard_normal(n)
    X = np.stack([r * np.cos(angle), r * np.sin(angle)], axis=1)
    return _dataset(X, y)


def spirals(n=900, classes=3, noise=0.2, turns=1.0, seed=0):
    """``classes`` interleaved spiral arms (the classic CS231n toy problem)."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % classes
    t = rng.uniform(0, 1, n)
    angle = turns * 4 * t + y * 2 * np.pi / classes + noise * rng.standard_normal(n)
    X = np.stack([t * np.sin(angle), t * np.cos(angle)], axis=1)
    return _dataset(X, y)


def moons(n=1000, noise=0.1, seed=0):
    """Two interleaving half circles (as scikit-learn's make_moons), with Gaussian noise."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    t = rng.uniform(0, np.pi, n)
    X = np.where(
        (y == 0)[:, None],
        np.stack([np.cos(t), np.sin(t)], axis=1),
        np.stack([1 - np.cos(t), 0.5 - np.sin(t)], axis=1),
    )
    X = X + noise * rng.standard_normal(X.shape)
    return _dataset(X, y)


def digits(images=False):
    """The 1,797 8×8 handwritten digits that scikit-learn ships (no download).

    Inputs are scaled to [0, 1]: shape (1797, 64), or (1797, 1, 8, 8) with ``images=True``.
    """
    try:
        from sklearn.datasets import load_digits
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError(
            "digits() needs scikit-learn, which ships the data: pip install scikit-learn, or from a checkout pip install -e '.[train]'"
        ) from e
    bunch = load_digits()
    X = bunch.data.astype(np.float32) / 16.0
    if images:
        X = X.reshape(-1, 1, 8, 8)
    return _dataset(X, bunch.target)


_IDX_DTYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def load_idx(path):
    """Read an IDX file (the MNIST format), raw or gzip-compressed, into an ndarray.

    The file must already be on disk: nothing is downloaded.
    """
    opener = gzip.open if str(path).endswith(".gz") else open
    if not os.path.exists(path):
        raise FileNotFoundError(f"load_idx: no file at {path!r} (IDX files are not downloaded; point to a local copy)")
    with opener(path, "rb") as f:
        raw = f.read()
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _IDX_DTYPES:
        raise ValueError(
            f"load_idx: {path!r} is not an IDX file (bad magic number {raw[:4].hex() if raw else 'empty'})"
        )
    dtype = np.dtype(_IDX_DTYPES[raw[2]])
    ndim = raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(f"load_idx: {path!r} is truncated (its header needs {header} bytes, file has {len(raw)})")
    shape = struct.unpack(f">{ndim}I", raw[4:header])
    expected = int(np.prod(shape)) * dtype.itemsize
    if len(raw) - header != expected:
        raise ValueError(
            f"load_idx: {path!r} holds {len(raw) - header} data bytes, but its header says shape {shape} ({expected} bytes)"
        )
    return np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape).astype(dtype.newbyteorder("="))
