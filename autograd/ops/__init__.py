"""Primitive ops, one file per family; each op is one record: its forward, VJPs, rule and methods.

The families are loaded by ``autograd/methods.py`` (which also installs their Tensor methods).
"""

__all__ = [
    "activation",
    "arithmetic",
    "conv",
    "dims",
    "distance",
    "indexing",
    "interpolation",
    "join",
    "linalg",
    "logic",
    "loss",
    "matrix",
    "normalization",
    "recurrent",
    "reduction",
    "shape",
    "unary",
]
