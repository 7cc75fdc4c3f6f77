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


def load_from_torch(ours, theirs):
    """Copy a torch module's state_dict into ours with strict=True (the keys must match exactly)."""
    ours.load_state_dict({k: ag.tensor(v.detach().numpy().copy()) for k, v in theirs.state_dict().items()}, strict=True)


def _leaves(out):
    """The tensors in a nested tuple of outputs, in order (None skipped)."""
    if out is None:
        return []
    if isinstance(out, (tuple, list)):
        return [t for item in out for t in _leaves(item)]
    return [out]


def _convert(value, torch, leaves):
    """(ours, theirs) for one argument: float arrays become float64 tensors, leaves that require
    grad (appended to ``leaves``) unless ``leaves`` is None."""
    if isinstance(value, tuple):
        pairs = [_convert(v, torch, leaves) for v in value]
        return tuple(p[0] for p in pairs), tuple(p[1] for p in pairs)
    if isinstance(value, np.ndarray) and value.dtype.kind == "f":
        grad = leaves is not None
        ours = ag.tensor(value, dtype=np.float64, requires_grad=grad)
        theirs = torch.tensor(value, dtype=torch.float64, requires_grad=grad)
        if grad:
            leaves.append((ours, theirs))
        return ours, theirs
    if isinstance(value, np.ndarray):
        return value, torch.tensor(value)
    return value, value


def compare_twins(ours, theirs, *args, tol=1e-6, seed=0, **kwargs):
    """Run both with the same arguments and weights (float64): outputs, and the gradients of every
    positional float argument and parameter under one random upstream gradient, agree to ``tol``."""
    import torch

    theirs.double()
    ours.double()
    load_from_torch(ours, theirs)
    leaves = []
    ours_args, theirs_args = zip(*[_convert(a, torch, leaves) for a in args]) if args else ((), ())
    ours_kw, theirs_kw = {}, {}
    for name, value in kwargs.items():  # keyword arguments (masks) are constants
        ours_kw[name], theirs_kw[name] = _convert(value, torch, None)
    outs, touts = _leaves(ours(*ours_args, **ours_kw)), _leaves(theirs(*theirs_args, **theirs_kw))
    assert len(outs) == len(touts)
    rng = np.random.default_rng(seed)
    loss, tloss = 0.0, 0.0
    for out, tout in zip(outs, touts):
        assert tuple(out.shape) == tuple(tout.shape)
        np.testing.assert_allclose(out.array, tout.detach().numpy(), rtol=tol, atol=tol)
        g = rng.standard_normal(out.shape)
        finite = np.isfinite(out.array)
        loss = loss + (out * ag.tensor(np.where(finite, g, 0.0))).sum()
        tloss = tloss + (tout.nan_to_num(0.0) * torch.tensor(np.where(finite, g, 0.0))).sum()
    loss.backward()
    tloss.backward()
    for x, tx in leaves:
        np.testing.assert_allclose(x.grad.array, tx.grad.numpy(), rtol=tol, atol=tol)
    their_params = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        tgrad = their_params[name].grad
        expected = np.zeros(p.shape) if tgrad is None else tgrad.numpy()
        got = np.zeros(p.shape) if p.grad is None else p.grad.array
        np.testing.assert_allclose(got, expected, rtol=tol, atol=tol, err_msg=name)
    return outs
