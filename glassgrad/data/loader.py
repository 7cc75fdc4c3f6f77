"""Datasets and batching: ``Dataset``, ``TensorDataset``, ``DataLoader``, ``random_split``,
``stratified_split`` — PyTorch's names, NumPy underneath, reproducible with a seed."""

from __future__ import annotations

import math
import numbers

import numpy as np

import autograd as ag

__all__ = ["Dataset", "TensorDataset", "Subset", "DataLoader", "collate", "random_split", "stratified_split"]


class Dataset:
    """A sized collection of samples: subclasses define ``__len__`` and ``__getitem__``."""

    def __len__(self):
        raise NotImplementedError

    def __getitem__(self, index):
        raise NotImplementedError


class TensorDataset(Dataset):
    """Samples are the rows of equally long tensors (e.g. inputs X and targets y)."""

    def __init__(self, *tensors):
        if not tensors:
            raise ValueError("TensorDataset needs at least one tensor")
        self.tensors = tuple(t if isinstance(t, ag.Tensor) else ag.tensor(t) for t in tensors)
        n = len(self.tensors[0])
        for t in self.tensors:
            if t.ndim == 0 or len(t) != n:
                shapes = ", ".join(str(tuple(x.shape)) for x in self.tensors)
                raise ValueError(f"TensorDataset: every tensor needs the same first dimension, got shapes {shapes}")

    def __len__(self):
        return len(self.tensors[0])

    def __getitem__(self, index):
        return tuple(ag.tensor(t.array[index]) for t in self.tensors)

    def take(self, indices):
        """The samples at ``indices`` as one batch (a fancy index per tensor, no Python loop)."""
        return tuple(ag.tensor(t.array[indices]) for t in self.tensors)


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``."""

    def __init__(self, dataset, indices):
        self.dataset = dataset
        self.indices = np.asarray(indices, dtype=np.int64)

    def __len__(self):
        return len(self.indices)

    def __getitem__(self, index):
        return self.dataset[int(self.indices[index])]

    def take(self, indices):
        """The samples at ``indices`` (positions in the subset) as one batch."""
        return _take(self.dataset, self.indices[np.asarray(indices)])

    @property
    def tensors(self):
        """The subset as tensors (for a subset of a TensorDataset)."""
        return _take(self.dataset, self.indices)


def _take(dataset, indices):
    if hasattr(dataset, "take"):
        return dataset.take(indices)
    return collate([dataset[int(i)] for i in indices])


def collate(samples):
    """Stack a list of samples (tuples of tensors, arrays or numbers) into a batch."""
    first = samples[0]
    if isinstance(first, (tuple, list)):
        return tuple(collate([s[k] for s in samples]) for k in range(len(first)))
    arrays = [s.array if isinstance(s, ag.Tensor) else np.asarray(s) for s in samples]
    return ag.tensor(np.stack(arrays))


# PyTorch's DataLoader options that change how batches are made in parallel, not what they are: accepted
# so that its programs run, with the batches made in this process (NumPy batches are cheap to make).
_PROCESS_OPTIONS = {
    "pin_memory",
    "timeout",
    "worker_init_fn",
    "multiprocessing_context",
    "prefetch_factor",
    "persistent_workers",
    "pin_memory_device",
    "in_order",
}


def _check_loader_options(num_workers, options):
    if not isinstance(num_workers, numbers.Integral) or num_workers < 0:
        raise ValueError(f"DataLoader: num_workers must be a non-negative integer, got {num_workers!r}")
    unknown = sorted(set(options) - _PROCESS_OPTIONS)
    if unknown:
        raise TypeError(
            f"DataLoader: unknown argument(s) {', '.join(unknown)}; samplers are not supported (shuffle=True "
            f"or a Subset / random_split gives the order)"
        )


class DataLoader:
    """Batches of a dataset: ``for x, y in DataLoader(ds, batch_size=64, shuffle=True, seed=0)``.

    With ``shuffle`` the order is redrawn at every epoch (every ``iter``) from a generator seeded
    by ``seed`` (or by ``autograd.manual_seed`` when ``seed`` is None), so a run is reproducible.
    ``transform(batch)`` (e.g. an augmentation) is applied to each batch. PyTorch's ``collate_fn``
    (a list of samples → a batch), ``generator`` (seeds the order) and ``num_workers``,
    ``pin_memory``, ``persistent_workers``... are accepted; batches are always made in this process.
    """

    def __init__(
        self,
        dataset,
        batch_size=1,
        shuffle=False,
        drop_last=False,
        seed=None,
        transform=None,
        *,
        collate_fn=None,
        generator=None,
        num_workers=0,
        **ignored,
    ):
        if not isinstance(batch_size, numbers.Integral) or batch_size < 1:
            raise ValueError(f"DataLoader: batch_size must be a positive integer, got {batch_size!r}")
        _check_loader_options(num_workers, ignored)
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = drop_last
        self.transform = transform
        self.collate_fn = collate_fn
        self.num_workers = num_workers  # NOTE: batches are always made in this process (see below)
        if generator is not None:  # PyTorch's way to seed the order: an autograd.Generator
            seed = int(generator.integers(2**63))
        self.generator = np.random.default_rng(seed if seed is not None else ag.default_generator().integers(2**63))

    def __len__(self):
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)

    def __iter__(self):
        n = len(self.dataset)
        order = self.generator.permutation(n) if self.shuffle else np.arange(n)
        for start in range(0, n, self.batch_size):
            idx = order[start : start + self.batch_size]
            if self.drop_last and len(idx) < self.batch_size:
                break
            if self.collate_fn is not None:
                batch = self.collate_fn([self.dataset[int(i)] for i in idx])
            else:
                batch = _take(self.dataset, idx)
            if self.transform is not None:
                batch = self.transform(batch)
            yield batch

    def state_dict(self):
        """The shuffling generator's state (plain numbers), to resume the same order."""
        state = self.generator.bit_generator.state
        return {
            "bit_generator": state["bit_generator"],
            "state": int(state["state"]["state"]),
            "inc": int(state["state"]["inc"]),
        }

    def load_state_dict(self, state):
        """Restore the shuffling generator from ``state_dict()``."""
        self.generator.bit_generator.state = {
            "bit_generator": state["bit_generator"],
            "state": {"state": int(state["state"]), "inc": int(state["inc"])},
            "has_uint32": 0,
            "uinteger": 0,
        }


def _lengths(n, lengths, name):
    lengths = list(lengths)
    if all(isinstance(v, float) for v in lengths) and math.isclose(sum(lengths), 1.0):
        counts = [int(math.floor(n * f)) for f in lengths]
        for k in range(n - sum(counts)):  # hand out the remainder round-robin, as PyTorch does
            counts[k % len(counts)] += 1
        return counts
    if sum(lengths) != n or any(v < 0 for v in lengths):
        raise ValueError(
            f"{name}: lengths {lengths} must be non-negative and sum to the dataset size {n} (or be fractions summing to 1)"
        )
    return [int(v) for v in lengths]


def random_split(dataset, lengths, seed=None):
    """Split into non-overlapping random subsets of the given lengths (ints, or fractions)."""
    n = len(dataset)
    counts = _lengths(n, lengths, "random_split")
    rng = np.random.default_rng(seed if seed is not None else ag.default_generator().integers(2**63))
    perm = rng.permutation(n)
    offsets = np.cumsum([0] + counts)
    return [Subset(dataset, perm[offsets[k] : offsets[k + 1]]) for k in range(len(counts))]


def stratified_split(dataset, fractions, labels=None, seed=None):
    """Split so that every subset has (nearly) the class proportions of the whole.

    ``labels`` defaults to the last tensor of a TensorDataset.
    """
    fractions = list(fractions)
    if not math.isclose(sum(fractions), 1.0) or any(f < 0 for f in fractions):
        raise ValueError(f"stratified_split: fractions {fractions} must be non-negative and sum to 1")
    if labels is None:
        if not hasattr(dataset, "tensors"):
            raise ValueError("stratified_split: pass labels= for a dataset that is not a TensorDataset")
        labels = dataset.tensors[-1]
    labels = np.asarray(labels.array if isinstance(labels, ag.Tensor) else labels)
    if labels.ndim != 1 or len(labels) != len(dataset):
        raise ValueError(f"stratified_split: labels must be 1-D with one entry per sample, got shape {labels.shape}")
    rng = np.random.default_rng(seed if seed is not None else ag.default_generator().integers(2**63))
    parts = [[] for _ in fractions]
    for cls in np.unique(labels):
        idx = rng.permutation(np.flatnonzero(labels == cls))
        counts = [int(round(len(idx) * f)) for f in fractions[:-1]]
        counts.append(len(idx) - sum(counts))
        start = 0
        for k, c in enumerate(counts):
            parts[k].append(idx[start : start + c])
            start += c
    return [Subset(dataset, rng.permutation(np.concatenate(p)) if p else np.array([], dtype=np.int64)) for p in parts]
