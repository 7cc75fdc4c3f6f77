"""Optimizer: parameter groups, per-parameter state, zero_grad/step and state_dict, as in PyTorch."""

from __future__ import annotations

from collections import defaultdict

import numpy as np

import autograd as ag

__all__ = ["Optimizer", "check", "lerp_"]

# State entries that are counters (Python numbers), not parameter-shaped arrays.
_SCALAR_STATE = ("step",)


class Optimizer:
    """Base class: holds ``param_groups`` (hyperparameters per group) and ``state`` (per parameter).

    ``step()`` owns the loop: for every parameter p whose ``grad`` is not None it makes p's state
    on first use (``init_state``), adds the penalties to the gradient, ∇ = ∂L/∂θ + λ₂·θ + λ₁·sign(θ)
    (``penalties``), calls the update rule ``update(p, ∇, state, group)`` and bumps ``p._version``.
    A subclass checks its hyperparameters, calls ``super().__init__(params, defaults)`` and
    writes ``update`` (and ``init_state`` if it keeps state), computing in place with ``scratch``.
    """

    def __init__(self, params, defaults):
        self.defaults = dict(defaults)
        # defaultdict as in PyTorch: ``opt.state[p]`` is {} before p's first update.
        self.state = defaultdict(dict)
        self.param_groups = []
        # Scratch arrays for in-place updates, one set per parameter. They hold no information
        # between steps, so they are not part of ``state`` (nor of ``state_dict``).
        self._scratch = {}

        if isinstance(params, ag.Tensor):
            raise TypeError(
                "params must be an iterable of Tensors or of dicts, got a single Tensor; "
                "pass [tensor] or model.parameters()"
            )
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for group in param_groups:
            self.add_param_group(group)

    def __repr__(self):
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            for key in sorted(group):
                if key not in ("params", "param_names"):
                    lines.append(f"    {key}: {group[key]}")
        lines.append(")")
        return "\n".join(lines)

    # --- parameter groups -----------------------------------------------------------------
    def add_param_group(self, param_group):
        """Add a group (a dict with "params" and optional hyperparameters; the rest from defaults)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, got {type(param_group).__name__}")
        group = dict(param_group)
        params = group["params"]
        if isinstance(params, ag.Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters must be an ordered collection (a list), not a set")
        params = list(params)
        if len(params) == 0:
            raise ValueError("optimizer got an empty parameter list")

        # model.named_parameters() gives (name, Tensor) pairs: keep the names, as PyTorch does.
        names = []
        tensors = []
        for item in params:
            if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str):
                names.append(item[0])
                item = item[1]
            tensors.append(item)
        if names and len(names) != len(tensors):
            raise ValueError("all optimizer params should be with or without names; some names are missing")
        if names:
            group["param_names"] = names

        for p in tensors:
            if not isinstance(p, ag.Tensor):
                raise TypeError(f"optimizer can only optimize Tensors, but one of the params is {type(p).__name__}")
            if not p.is_leaf:
                raise ValueError("can't optimize a non-leaf Tensor (it was computed from others; use .detach())")
            if p.array.dtype.kind != "f":
                raise TypeError(f"optimizer can only optimize floating point Tensors, got dtype {p.array.dtype}")
        group["params"] = tensors

        # NOTE: PyTorch only warns about a parameter listed twice in one group; we raise, since
        # the second update would silently apply the step twice.
        seen = set()
        for i, p in enumerate(tensors):
            if id(p) in seen:
                raise ValueError(
                    f"parameter {i} of the group (shape {tuple(p.shape)}) appears twice in the "
                    f"parameter list; give each parameter once"
                )
            seen.add(id(p))
        for k, other in enumerate(self.param_groups):
            for p in other["params"]:
                if id(p) in seen:
                    raise ValueError(
                        f"some parameters appear in more than one parameter group: one of shape "
                        f"{tuple(p.shape)} is already in group {k}"
                    )
            if ("param_names" in other) != ("param_names" in group):
                raise ValueError("all optimizer param groups should be with or without names")

        for key, value in self.defaults.items():
            group.setdefault(key, value)
        check_hyperparameters(group)
        self.param_groups.append(group)

    # --- the training-loop calls ----------------------------------------------------------
    def zero_grad(self, set_to_none=True):
        """Reset the gradients: drop them (``set_to_none=True``) or fill them with zeros in place."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                    continue
                g = p.grad
                if g.grad_fn is not None or g.requires_grad:
                    # A gradient made with create_graph=True: cut it from its graph first.
                    g = p.grad = g.detach()
                g.array[...] = 0
                g._version += 1

    def step(self, closure=None):
        """One update of every parameter that has a gradient; ``closure`` (re)computes and returns the loss."""
        loss = None
        if closure is not None:
            with ag.enable_grad():
                loss = closure()
        with ag.no_grad():
            for group in self.param_groups:
                self._step_group(group)
        return loss

    def _step_group(self, group):
        """The loop of ``step()`` over one group's parameters."""
        l2, l1 = self.penalties(group)
        penalized = l2 != 0 or l1 != 0
        for p in group["params"]:
            if p.grad is None:
                continue
            state = self.state[p]
            if not state:
                state.update(self.init_state(p, group))
            grad = p.grad.array
            if penalized:
                grad = self._penalized_grad(p, grad, l2, l1)
            self.update(p, grad, state, group)
            p._version += 1

    def _penalized_grad(self, p, grad, l2, l1):
        """∇ = g + λ₂·θ + λ₁·sign(θ) in a scratch array: ``p.grad`` stays the loss gradient."""
        bufs = self.scratch(p, self.n_scratch + 1)
        d = bufs[self.n_scratch]
        theta = p.array
        if l2 != 0:
            np.multiply(theta, l2, out=d)
            d += grad
        else:
            d[...] = grad
        if l1 != 0:
            tmp = bufs[0]  # the update's scratch: free until update() runs
            np.sign(theta, out=tmp)
            tmp *= l1
            d += tmp
        return d

    # --- what a subclass writes -----------------------------------------------------------
    #: How many scratch arrays ``update`` uses (``scratch(p)[:n_scratch]``, at least 1); ``step()``
    #: keeps the penalized gradient in the next one.
    n_scratch = 1

    def init_state(self, p, group):
        """The state of ``p`` before its first update, as a dict (none by default)."""
        return {}

    def penalties(self, group):
        """(λ₂, λ₁) that ``step()`` adds to the loss gradient: the group's ``weight_decay`` and ``l1`` (0 if absent)."""
        return float(group.get("weight_decay", 0.0)), float(group.get("l1", 0.0))

    def update(self, p, grad, state, group):
        """Write the new θ into ``p.array`` in place, from ∇ = ``grad`` (an array), ``state`` and ``group``."""
        raise NotImplementedError(f"{type(self).__name__} must implement update(p, grad, state, group)")

    def scratch(self, p, n=1):
        """A list of at least ``n`` arrays shaped and typed like ``p.array``, reused from step to step (contents undefined)."""
        bufs = self._scratch.get(p)
        data = p.array
        if not bufs or bufs[0].shape != data.shape or bufs[0].dtype != data.dtype:
            bufs = self._scratch[p] = []
        while len(bufs) < n:
            bufs.append(np.empty_like(data))
        return bufs

    # --- saving and resuming --------------------------------------------------------------
    def state_dict(self):
        """{"state": {index: {name: array or number}}, "param_groups": [{hyperparameters, "params": [indices]}]}.

        Parameters are numbered in group order. Arrays are copies, so training on does not change
        a saved state_dict.
        """
        index = {}
        groups = []
        for group in self.param_groups:
            packed = {key: value for key, value in group.items() if key != "params"}
            packed["params"] = []
            for p in group["params"]:
                index.setdefault(id(p), len(index))
                packed["params"].append(index[id(p)])
            groups.append(packed)
        state = {}
        for group in self.param_groups:
            for p in group["params"]:
                entry = self.state.get(p)
                if entry:
                    state[index[id(p)]] = {
                        key: value.copy() if isinstance(value, np.ndarray) else value for key, value in entry.items()
                    }
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        """Load a ``state_dict()``: hyperparameters per group and state per parameter (copied)."""
        if not isinstance(state_dict, dict) or "state" not in state_dict or "param_groups" not in state_dict:
            raise ValueError('an optimizer state_dict is a dict with keys "state" and "param_groups"')
        saved_groups = state_dict["param_groups"]
        problems = []
        if len(saved_groups) != len(self.param_groups):
            problems.append(
                f"the state_dict has {len(saved_groups)} parameter groups, this optimizer has {len(self.param_groups)}"
            )
        else:
            for k, (saved, group) in enumerate(zip(saved_groups, self.param_groups)):
                if len(saved["params"]) != len(group["params"]):
                    problems.append(
                        f"parameter group {k} has {len(saved['params'])} parameters in the state_dict and "
                        f"{len(group['params'])} in this optimizer"
                    )
        if problems:
            raise ValueError("cannot load the optimizer state_dict: " + "; ".join(problems))

        by_index = {}
        for saved, group in zip(saved_groups, self.param_groups):
            for i, p in zip(saved["params"], group["params"]):
                by_index[int(i)] = p

        state = defaultdict(dict)
        for i, entry in state_dict["state"].items():
            p = by_index.get(int(i))
            if p is None:
                problems.append(f"state[{i}] belongs to no parameter of the state_dict's groups")
                continue
            expected = set(self.init_state(p, _group_of(self.param_groups, p)))
            if not expected <= set(entry):
                problems.append(
                    f"state[{i}] has {sorted(entry)} but {type(self).__name__} keeps {sorted(expected)}: the "
                    f"state_dict was saved by another optimizer"
                )
                continue
            loaded = {}
            for key, value in entry.items():
                if key in _SCALAR_STATE:
                    loaded[key] = value.item() if isinstance(value, (np.ndarray, np.generic)) else value
                    continue
                arr = np.asarray(value)
                if arr.shape != p.array.shape:
                    problems.append(
                        f"state[{i}][{key!r}] has shape {arr.shape}, its parameter has shape {p.array.shape}"
                    )
                    continue
                # NOTE: as PyTorch, floating state takes the parameter's dtype (so a float64
                # checkpoint resumes a float32 model without upcasting it).
                dtype = p.array.dtype if arr.dtype.kind == "f" else arr.dtype
                loaded[key] = np.array(arr, dtype=dtype, copy=True)
            state[p] = loaded
        if problems:
            raise ValueError("cannot load the optimizer state_dict: " + "; ".join(problems))

        for saved, group in zip(saved_groups, self.param_groups):
            values = {}
            for key, value in saved.items():
                if key == "params":
                    continue
                # A serialized tuple (betas) may come back as a list.
                if isinstance(group.get(key), tuple) and isinstance(value, list):
                    value = tuple(value)
                values[key] = value
            check_hyperparameters({**group, **values})
            group.update(values)
        self.state = state
        self._scratch = {}


def _group_of(groups, p):
    for group in groups:
        if any(q is p for q in group["params"]):
            return group
    return groups[0]


# The hyperparameters every optimizer shares, with what PyTorch accepts.
_NON_NEGATIVE = ("lr", "momentum", "dampening", "weight_decay", "l1", "eps", "alpha", "lr_decay")


def check_hyperparameters(group):
    """Raise ValueError for a group whose hyperparameters PyTorch would refuse (an lr < 0, β ∉ [0, 1))."""
    for key in _NON_NEGATIVE:
        value = group.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool) and not value >= 0:
            raise ValueError(f"Invalid {key} value: {value} ({key} must be >= 0, in every param group)")
    betas = group.get("betas")
    if betas is not None:
        if len(betas) != 2 or not all(0.0 <= b < 1.0 for b in betas):
            raise ValueError(f"Invalid betas: {tuple(betas)} (each beta must be in [0, 1), in every param group)")
    if group.get("nesterov") and (group.get("momentum", 0) <= 0 or group.get("dampening", 0) != 0):
        raise ValueError("Nesterov momentum requires a momentum and zero dampening")


def check(ok, message):
    """Raise ValueError(message) unless ``ok``: the hyperparameter checks of every optimizer."""
    if not ok:
        raise ValueError(message)


def lerp_(start, end, weight, scratch):
    """start ← start + weight·(end − start), in place, rounded as torch.lerp_ rounds it.

    NOTE: PyTorch evaluates ``end − (end − start)·(1 − weight)`` when weight ≥ 0.5; we do the
    same so that float64 trajectories agree with PyTorch's to the last bits.
    """
    np.subtract(end, start, out=scratch)
    if abs(weight) < 0.5:
        scratch *= weight
        start += scratch
    else:
        scratch *= 1 - weight
        np.subtract(end, scratch, out=start)
