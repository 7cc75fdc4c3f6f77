"""Data: datasets and batching (``TensorDataset``, ``DataLoader``, splits), the offline datasets
(``datasets.digits()``, ``moons()``, ...), the transforms (``Standardize``, augmentations) and text
for sequence models (``load_names()``, ``CharTokenizer``, ``NextCharDataset``, ``SequenceDataset``).

PyTorch's names, NumPy underneath, reproducible with a seed; nothing downloads.
"""

from . import datasets, text, transforms
from .datasets import digits, load_idx, moons, rings, spirals, xor
from .loader import DataLoader, Dataset, Subset, TensorDataset, collate, random_split, stratified_split
from .text import (
    NAMES_PATH,
    CharTokenizer,
    NextCharDataset,
    SequenceDataset,
    collate_sequences,
    load_names,
    split_words,
)
from .transforms import Compose, Cutout, Mixup, RandomCrop, RandomHorizontalFlip, Standardize

__all__ = [
    "Dataset",
    "TensorDataset",
    "Subset",
    "DataLoader",
    "collate",
    "random_split",
    "stratified_split",
    "datasets",
    "xor",
    "rings",
    "spirals",
    "moons",
    "digits",
    "load_idx",
    "transforms",
    "Standardize",
    "Compose",
    "RandomHorizontalFlip",
    "RandomCrop",
    "Cutout",
    "Mixup",
    "text",
    "NAMES_PATH",
    "load_names",
    "split_words",
    "CharTokenizer",
    "NextCharDataset",
    "SequenceDataset",
    "collate_sequences",
]
