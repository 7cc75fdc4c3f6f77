"""Text for sequence models, offline: the names that ship with glassgrad (``load_names``), a
character vocabulary (``CharTokenizer``), and two datasets built from a list of words —
(context window → next character) pairs (``NextCharDataset``) and whole padded sequences
(``SequenceDataset``, batched by ``collate_sequences``).

The one special token ``.`` (id 0) both starts and ends a word, as in Karpathy's makemore: a
word ``emma`` is read as ``.emma.``, and a model learns to predict the final ``.`` to stop.
"""

from __future__ import annotations

import math
import os

import numpy as np

import autograd as ag

from .loader import Dataset, TensorDataset

__all__ = [
    "NAMES_PATH",
    "load_names",
    "split_words",
    "CharTokenizer",
    "NextCharDataset",
    "SequenceDataset",
    "collate_sequences",
]

NAMES_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "names.txt")


def load_names(path=None):
    """The 32,033 lowercase first names shipped in ``glassgrad/data/names.txt``, in file order.

    From the ``names.txt`` of Andrej Karpathy's makemore (MIT licence), derived from the US Social
    Security Administration's public baby-name records; see ``glassgrad/data/README.md``. ``path``
    reads another file with one word per line instead (blank lines are skipped).
    """
    path = NAMES_PATH if path is None else path
    with open(path, encoding="utf-8") as f:
        return [line.strip() for line in f if line.strip()]


def split_words(words, fractions=(0.8, 0.1, 0.1), seed=0):
    """Shuffle ``words`` with ``seed`` and cut them into parts of the given fractions (e.g. train/val/test).

    The same words and seed always give the same parts; the parts are disjoint and cover every word.
    """
    fractions = [float(f) for f in fractions]
    if any(f < 0 for f in fractions) or not math.isclose(sum(fractions), 1.0):
        raise ValueError(f"split_words: fractions {fractions} must be non-negative and sum to 1")
    words = list(words)
    order = np.random.default_rng(seed).permutation(len(words))
    ends = np.round(np.cumsum(fractions) * len(words)).astype(int)
    starts = np.concatenate([[0], ends[:-1]])
    return [[words[i] for i in order[a:b]] for a, b in zip(starts, ends)]


class CharTokenizer:
    """Characters ↔ integer ids: ``special`` (``.``) is id 0, the other characters follow in sorted order."""

    def __init__(self, chars, special="."):
        chars = sorted(set(chars) - {special})
        if len(special) != 1:
            raise ValueError(f"CharTokenizer: special must be one character, got {special!r}")
        self.special = special
        self.itos = [special] + chars
        self.stoi = {c: i for i, c in enumerate(self.itos)}

    @classmethod
    def from_texts(cls, texts, special="."):
        """The vocabulary of every character that occurs in ``texts`` (an iterable of strings)."""
        return cls({c for t in texts for c in t}, special=special)

    @property
    def special_id(self):
        """The id of the start/end token (always 0)."""
        return 0

    @property
    def vocab_size(self):
        """How many ids there are (characters + the special token)."""
        return len(self.itos)

    def __len__(self):
        return len(self.itos)

    def encode(self, text, bos=False, eos=False):
        """The ids of ``text``; ``bos``/``eos`` put the special token before/after it."""
        try:
            ids = [self.stoi[c] for c in text]
        except KeyError as e:
            raise ValueError(
                f"CharTokenizer.encode: character {e.args[0]!r} in {text!r} is not in the vocabulary "
                f"{''.join(self.itos)!r}"
            ) from None
        return [0] * bos + ids + [0] * eos

    def decode(self, ids, stop=False):
        """The string of ``ids`` (a list, array or Tensor); with ``stop``, up to the first special token."""
        ids = np.asarray(ids).ravel().tolist() if not isinstance(ids, list) else ids
        chars = []
        for i in ids:
            i = int(i)
            if not 0 <= i < len(self.itos):
                raise ValueError(f"CharTokenizer.decode: id {i} is out of range for a vocabulary of {len(self.itos)}")
            if stop and i == 0:
                break
            chars.append(self.itos[i])
        return "".join(chars)

    def __repr__(self):
        return f"CharTokenizer(vocab_size={len(self.itos)}, chars={''.join(self.itos)!r})"


class NextCharDataset(TensorDataset):
    """Every (context, next character) pair of ``words``: for ``.emma.`` with ``block_size`` 3, the
    contexts ``...``, ``..e``, ``.em``, ``emm``, ``mma`` and targets ``e``, ``m``, ``m``, ``a``, ``.``.

    ``tensors`` are ``X`` (N, block_size) and ``Y`` (N,), both int64; the context is left-padded with the
    special token, so every word gives ``len(word) + 1`` samples.
    """

    def __init__(self, words, tokenizer, block_size):
        if int(block_size) < 1:
            raise ValueError(f"NextCharDataset: block_size must be at least 1, got {block_size!r}")
        self.tokenizer = tokenizer
        self.block_size = int(block_size)
        self.words = list(words)
        contexts, targets = [], []
        for word in self.words:
            context = [0] * self.block_size
            for i in tokenizer.encode(word, eos=True):
                contexts.append(context)
                targets.append(i)
                context = context[1:] + [i]
        X = np.array(contexts, dtype=np.int64).reshape(-1, self.block_size)
        super().__init__(ag.tensor(X), ag.tensor(np.array(targets, dtype=np.int64)))


def collate_sequences(samples, padding_value=0, target_padding=-100):
    """Pad a list of (input, target) id sequences of different lengths into one batch.

    Returns ``(inputs, targets, lengths)``: int64 tensors (N, L_max), (N, L_max) and (N,). Inputs are
    right-padded with ``padding_value``, targets with ``target_padding`` — the default -100 is the
    ``ignore_index`` of ``nn.CrossEntropyLoss``, so padding adds nothing to the loss.
    """
    inputs = [np.asarray(x, dtype=np.int64).ravel() for x, _ in samples]
    targets = [np.asarray(y, dtype=np.int64).ravel() for _, y in samples]
    lengths = np.array([len(x) for x in inputs], dtype=np.int64)
    longest = int(lengths.max()) if len(lengths) else 0
    X = np.full((len(samples), longest), padding_value, dtype=np.int64)
    Y = np.full((len(samples), longest), target_padding, dtype=np.int64)
    for k, (x, y) in enumerate(zip(inputs, targets)):
        X[k, : len(x)] = x
        Y[k, : len(y)] = y
    return ag.tensor(X), ag.tensor(Y), ag.tensor(lengths)


class SequenceDataset(Dataset):
    """Whole words as sequences: sample k is (input ``.w₁…wₙ``, target ``w₁…wₙ.``), each of length n + 1.

    ``dataset[k]`` gives the two unpadded int64 tensors; a ``DataLoader`` over it yields padded batches
    ``(inputs, targets, lengths)`` from ``collate_sequences`` (targets padded with -100, ignored by the loss).
    """

    def __init__(self, words, tokenizer, padding_value=0, target_padding=-100):
        self.tokenizer = tokenizer
        self.words = list(words)
        self.padding_value = padding_value
        self.target_padding = target_padding
        self.sequences = [np.array(tokenizer.encode(w, bos=True, eos=True), dtype=np.int64) for w in self.words]

    def __len__(self):
        return len(self.sequences)

    def __getitem__(self, index):
        ids = self.sequences[index]
        return ag.tensor(ids[:-1]), ag.tensor(ids[1:])

    def take(self, indices):
        """The samples at ``indices`` as one padded batch ``(inputs, targets, lengths)``."""
        samples = [(self.sequences[int(i)][:-1], self.sequences[int(i)][1:]) for i in np.asarray(indices).ravel()]
        return collate_sequences(samples, self.padding_value, self.target_padding)
