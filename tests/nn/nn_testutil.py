"""Helpers shared by the nn tests (imported as a sibling module; tests/nn has no __init__.py so
that it never shadows the ``nn`` package)."""

import numpy as np

import autograd as ag


def t64(*shape, seed=0, scale=1.0, requires_grad=True):
    """A float64 leaf of standard normals (times ``scale``) that requires grad."""
    rng = np.random.default_rng(seed)
    return ag.tensor(rng.standard_normal(shape) * scale, dtype=np.float64, requires_grad=requires_grad)


def gradcheck_module(module, *inputs, **kwargs):
    """gradcheck of ``module(*inputs)`` with respect to the inputs and every parameter (float64)."""
    module.double()
    params = list(module.parameters())
    n = len(inputs)
    return ag.gradcheck(lambda *args: module(*args[:n]), (*inputs, *params), **kwargs)
