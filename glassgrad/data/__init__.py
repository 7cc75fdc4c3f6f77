"""Data: datasets and batching (``TensorDataset``, ``DataLoader``, splits), the offline datasets
(``datasets.digits()``, ``moons()``, ...) and the transforms (``Standardize``, augmentations).

PyTorch's names, NumPy underneath, reproducible with a seed; nothing downloads.
"""

from . import datasets, transforms
from .datasets import digits, load_idx, moons, rings, spirals, xor
from .loader import DataLoader, Dataset, Subset, TensorDataset, collate, random_split, stratified_split
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
]
