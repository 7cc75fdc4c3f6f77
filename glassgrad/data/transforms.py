"""Preprocessing and batch augmentations for (N, features) and (N, C, H, W) data.

Augmentations act on a whole batch ``(x, y)`` at once (vectorized, no per-sample Python loop
where avoidable) and are meant for ``DataLoader(..., transform=...)`` on the training set only.
"""

from __future__ import annotations

import numpy as np

import autograd as ag

__all__ = ["Standardize", "Compose", "RandomHorizontalFlip", "RandomCrop", "Cutout", "Mixup"]


def _array(v):
    return v.array if isinstance(v, ag.Tensor) else np.asarray(v)


def _rng(seed):
    return np.random.default_rng(seed if seed is not None else ag.default_generator().integers(2**63))


class Standardize:
    """x ← (x − μ) / σ with μ, σ fitted on the training data only, then applied to val/test.

    Per feature for (N, F) data, per channel for (N, C, ...) images (the course's per-channel
    normalization of images).
    """

    def __init__(self, eps=1e-8):
        self.eps = eps
        self.mean = None
        self.std = None

    def fit(self, x):
        """Compute μ and σ of ``x`` (the training data); returns self."""
        a = _array(x)
        axes = (0,) if a.ndim <= 2 else (0,) + tuple(range(2, a.ndim))
        self.mean = a.mean(axis=axes, keepdims=True)[0]
        std = a.std(axis=axes, keepdims=True)[0]
        # A feature constant on the training data (a border pixel that is always 0) keeps its
        # scale, as scikit-learn does: dividing by σ ≈ 0 would blow up the values it takes later.
        self.std = np.where(std > 0, std, 1.0).astype(std.dtype)
        return self

    def transform(self, x):
        """(x − μ) / σ with the fitted statistics (a Tensor for a Tensor, else an array)."""
        if self.mean is None:
            raise RuntimeError("Standardize: call fit(train_x) before transform")
        a = _array(x)
        if a.ndim != self.mean.ndim + 1 or a.shape[1] != self.mean.shape[0]:
            raise ValueError(
                f"Standardize: fitted on data with {self.mean.shape[0]} features/channels (statistics of "
                f"shape {self.mean.shape}), got data of shape {a.shape}"
            )
        out = ((a - self.mean) / (self.std + self.eps)).astype(a.dtype, copy=False)
        return ag.tensor(out) if isinstance(x, ag.Tensor) else out

    def fit_transform(self, x):
        """``fit(x)``, then ``transform(x)``."""
        return self.fit(x).transform(x)

    def __call__(self, batch):
        x, *rest = batch
        return (self.transform(x), *rest)

    def state_dict(self):
        """The fitted μ and σ as arrays."""
        return {"mean": self.mean, "std": self.std}

    def load_state_dict(self, state):
        """Restore μ and σ from ``state_dict()``."""
        self.mean = np.asarray(state["mean"])
        self.std = np.asarray(state["std"])


class Compose:
    """Apply batch transforms in order."""

    def __init__(self, transforms):
        self.transforms = list(transforms)

    def __call__(self, batch):
        for t in self.transforms:
            batch = t(batch)
        return batch


def _images(x, name):
    a = _array(x)
    if a.ndim != 4:
        raise ValueError(f"{name}: expected a batch of images (N, C, H, W), got shape {a.shape}")
    return a


class RandomHorizontalFlip:
    """Mirror each image left-right with probability p."""

    def __init__(self, p=0.5, seed=None):
        self.p = p
        self.rng = _rng(seed)

    def __call__(self, batch):
        x, *rest = batch
        a = _images(x, "RandomHorizontalFlip")
        flip = self.rng.random(a.shape[0]) < self.p
        out = a.copy()
        out[flip] = a[flip][..., ::-1]
        return (ag.tensor(out), *rest)


class RandomCrop:
    """Pad by ``padding`` (zeros) and cut a random ``size`` window from each image."""

    def __init__(self, size, padding=0, seed=None):
        self.size = (size, size) if isinstance(size, int) else tuple(size)
        self.padding = padding
        self.rng = _rng(seed)

    def __call__(self, batch):
        x, *rest = batch
        a = _images(x, "RandomCrop")
        p = self.padding
        padded = np.pad(a, ((0, 0), (0, 0), (p, p), (p, p)))
        h, w = self.size
        H, W = padded.shape[2:]
        if h > H or w > W:
            raise ValueError(f"RandomCrop: crop {self.size} is larger than the padded image {H}×{W}")
        n = a.shape[0]
        top = self.rng.integers(0, H - h + 1, n)
        left = self.rng.integers(0, W - w + 1, n)
        rows = top[:, None] + np.arange(h)  # (N, h)
        cols = left[:, None] + np.arange(w)  # (N, w)
        out = padded[
            np.arange(n)[:, None, None, None],
            np.arange(a.shape[1])[None, :, None, None],
            rows[:, None, :, None],
            cols[:, None, None, :],
        ]
        return (ag.tensor(out), *rest)


class Cutout:
    """Zero one random ``size``×``size`` square per image (it may hang over the border)."""

    def __init__(self, size, seed=None):
        self.size = size
        self.rng = _rng(seed)

    def __call__(self, batch):
        x, *rest = batch
        a = _images(x, "Cutout")
        n, _, H, W = a.shape
        cy = self.rng.integers(0, H, n)
        cx = self.rng.integers(0, W, n)
        ys = np.arange(H)[None, :]
        xs = np.arange(W)[None, :]
        half = self.size // 2
        in_rows = (ys >= (cy - half)[:, None]) & (ys < (cy - half + self.size)[:, None])  # (N, H)
        in_cols = (xs >= (cx - half)[:, None]) & (xs < (cx - half + self.size)[:, None])  # (N, W)
        mask = in_rows[:, None, :, None] & in_cols[:, None, None, :]
        return (ag.tensor(np.where(mask, 0, a).astype(a.dtype)), *rest)


class Mixup:
    """x̃ = λx_i + (1−λ)x_j and t̃ = λt_i + (1−λ)t_j with λ ~ Beta(α, α) and j a shuffled partner.

    Integer labels become probability targets of ``num_classes`` entries, which
    ``CrossEntropyLoss`` accepts.
    """

    def __init__(self, alpha=0.2, num_classes=None, seed=None):
        if alpha <= 0:
            raise ValueError(f"Mixup: alpha must be > 0, got {alpha}")
        self.alpha = alpha
        self.num_classes = num_classes
        self.rng = _rng(seed)

    def __call__(self, batch):
        x, y = batch
        a = _array(x)
        t = _array(y)
        if t.ndim == 1:
            if self.num_classes is None:
                raise ValueError("Mixup: pass num_classes= to turn integer labels into probability targets")
            t = np.eye(self.num_classes, dtype=a.dtype)[t]
        lam = self.rng.beta(self.alpha, self.alpha)
        perm = self.rng.permutation(a.shape[0])
        mixed = (lam * a + (1 - lam) * a[perm]).astype(a.dtype, copy=False)
        soft = (lam * t + (1 - lam) * t[perm]).astype(a.dtype, copy=False)
        return ag.tensor(mixed), ag.tensor(soft)
