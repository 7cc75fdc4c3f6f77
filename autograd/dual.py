"""The few functions VJPs need beyond operators, for arrays, floats, Tensors and Scalars alike.

A VJP written with these (and ``+ - * / @ .mT``) computes first-order gradients on NumPy arrays
(or floats, for Scalars) and, under ``create_graph=True``, records a differentiable graph on
Tensors (or Scalars): one rule for every order.
"""

from __future__ import annotations

import math

import numpy as np

from .broadcast import broadcast_view, unbroadcast_array
from .special import erf_array, sigmoid_array, sigmoid_float
from .tensor import Tensor

# Plain numbers and arrays; anything else is a graph value (Tensor or Scalar) with methods.
# NumPy scalars count as arrays: 0-d arithmetic hands them out in place of 0-d arrays.
ARRAY = (np.ndarray, np.generic)
NUMERIC = (np.ndarray, np.generic, float, int)


def raw(v):
    """The plain value under a graph value (for masks and other constants of a VJP)."""
    if isinstance(v, NUMERIC):
        return v
    return v.array if isinstance(v, Tensor) else v.data  # a Scalar's data is its float


def exp(v):
    """eᵛ for an array, a float or a graph value."""
    if isinstance(v, ARRAY):
        return np.exp(v)
    if isinstance(v, NUMERIC):
        return math.exp(v)
    return v.exp()


def log(v):
    """ln v for an array, a float or a graph value."""
    if isinstance(v, ARRAY):
        return np.log(v)
    if isinstance(v, NUMERIC):
        return math.log(v)
    return v.log()


def tanh(v):
    """tanh v for an array, a float or a graph value."""
    if isinstance(v, ARRAY):
        return np.tanh(v)
    if isinstance(v, NUMERIC):
        return math.tanh(v)
    return v.tanh()


def sigmoid(v):
    """σ(v) for an array, a float or a graph value."""
    if isinstance(v, ARRAY):
        return sigmoid_array(np.asarray(v))
    if isinstance(v, NUMERIC):
        return sigmoid_float(v)
    return v.sigmoid()


def sin(v):
    """sin v for an array, a float or a graph value."""
    if isinstance(v, ARRAY):
        return np.sin(v)
    if isinstance(v, NUMERIC):
        return math.sin(v)
    return v.sin()


def cos(v):
    """cos v for an array, a float or a graph value."""
    if isinstance(v, ARRAY):
        return np.cos(v)
    if isinstance(v, NUMERIC):
        return math.cos(v)
    return v.cos()


def sinh(v):
    """sinh v for an array, a float or a graph value."""
    if isinstance(v, ARRAY):
        return np.sinh(v)
    if isinstance(v, NUMERIC):
        return math.sinh(v)
    return v.sinh()


def cosh(v):
    """cosh v for an array, a float or a graph value."""
    if isinstance(v, ARRAY):
        return np.cosh(v)
    if isinstance(v, NUMERIC):
        return math.cosh(v)
    return v.cosh()


def rsqrt(v):
    """1/√v for an array, a float or a graph value (inf at 0 and NaN below, as NumPy)."""
    if isinstance(v, ARRAY):
        with np.errstate(divide="ignore", invalid="ignore"):
            return 1.0 / np.sqrt(v)
    if isinstance(v, NUMERIC):
        return 1.0 / math.sqrt(v) if v > 0 else (math.inf if v == 0 else math.nan)
    return v.rsqrt()


def erf(v):
    """erf v for an array, a float or a graph value."""
    if isinstance(v, ARRAY):
        return erf_array(v)
    if isinstance(v, NUMERIC):
        return math.erf(v)
    return v.erf()


def where(cond, a, b):
    """``a`` where the constant ``cond`` holds, else ``b``."""
    if isinstance(cond, bool):  # a Scalar's VJP
        return a if cond else b
    if isinstance(a, NUMERIC):
        if isinstance(b, NUMERIC):
            return np.where(cond, a, b)
        return b.where(np.logical_not(cond), a)  # a Tensor's where(condition, other)
    return a.where(cond, b)


def sum(v, dim, keepdim=False):
    """Σ over ``dim`` for an array or a Tensor."""
    if isinstance(v, ARRAY):
        return v.sum(axis=dim, keepdims=keepdim)
    return v.sum(dim, keepdim)


def broadcast_to(v, shape):
    """``v`` broadcast to ``shape`` (a read-only view for arrays)."""
    if isinstance(v, ARRAY):
        return broadcast_view(np.asarray(v), shape)
    return v.broadcast_to(shape)


def sum_to(v, shape):
    """Sum ``v`` down to ``shape`` (the adjoint of broadcasting)."""
    if isinstance(v, ARRAY):
        return unbroadcast_array(v, shape)
    return v.sum_to_size(shape)
