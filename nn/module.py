"""Module, Parameter and the containers (Sequential, ModuleList).

A Module registers what is assigned to it: ``self.fc = Linear(2, 3)`` makes a child named ``fc``,
``self.w = Parameter(...)`` a parameter named ``w``, so ``parameters()``, ``state_dict()``,
``train()``/``eval()`` and ``zero_grad()`` find them by walking the tree, as in PyTorch.
"""

from __future__ import annotations

import itertools
from collections import OrderedDict, namedtuple

import numpy as np

from autograd import Tensor, get_default_dtype
from autograd.device import check_device
from autograd.tensor import to_arguments

__all__ = ["Parameter", "Module", "Sequential", "ModuleList", "IncompatibleKeys", "RemovableHandle"]


class Parameter(Tensor):
    """A leaf Tensor that requires grad and is registered when assigned to a Module attribute.

    ``Parameter(t)`` shares ``t``'s array (as PyTorch shares storage); lists are copied.
    """

    __slots__ = ()

    def __init__(self, data=None, requires_grad=True):
        if data is None:
            data = np.empty((0,), dtype=get_default_dtype())
        shared = data.array if isinstance(data, Tensor) else data
        super().__init__(shared, requires_grad=requires_grad)
        if isinstance(shared, np.ndarray) and shared.dtype.kind == "f":
            self.array = shared

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()


IncompatibleKeys = namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])


_HOOK_KEYS = itertools.count()  # a key per hook, never reused (a stale handle removes nothing)


class RemovableHandle:
    """What ``register_forward_hook`` returns: ``remove()`` takes the hook off again."""

    def __init__(self, hooks, key):
        self.hooks = hooks
        self.key = key

    def remove(self):
        """Take the hook off (a second call does nothing)."""
        self.hooks.pop(self.key, None)


class Module:
    """Base class of every layer and model: subclass it, assign children and parameters in
    ``__init__`` (after ``super().__init__()``), and write ``forward``.

    Calling the module runs ``forward`` and records the module's dotted name on the output's
    ``grad_fn.meta`` (``{"module": "layers.0"}``), so a graph drawing can group nodes by module.
    """

    training: bool

    def __init__(self):
        # NOTE: registries hold the registered values; the same objects are also kept in
        # __dict__ so that reading ``self.weight`` is a plain attribute lookup (this runs on every
        # forward, and __getattr__ fallbacks cost time in a hot training loop).
        d = self.__dict__
        d["training"] = True
        d["_parameters"] = {}
        d["_buffers"] = {}
        d["_non_persistent_buffers"] = set()
        d["_modules"] = {}
        d["_qualname"] = ""
        d["_node_name"] = type(self).__name__
        d["_meta"] = {"module": d["_node_name"], "type": type(self).__name__}
        d["_forward_hooks"] = {}

    def forward(self, *args, **kwargs):
        """The computation; subclasses override it."""
        raise NotImplementedError(f"{type(self).__name__} has no forward(): define forward(self, ...) in the subclass")

    def __call__(self, *args, **kwargs):
        out = self.forward(*args, **kwargs)
        if isinstance(out, Tensor):
            node = out.grad_fn
            if node is not None and node.meta is None:
                node.meta = self._meta  # one dict per module, shared by its nodes (read-only)
        hooks = self.__dict__.get("_forward_hooks")
        if hooks:
            for hook in tuple(hooks.values()):
                result = hook(self, args, out)
                out = out if result is None else result
        return out

    def register_forward_hook(self, hook):
        """Call ``hook(module, args, output)`` after every forward (a non-None result replaces the output),
        as PyTorch does; returns a handle whose ``remove()`` takes it off."""
        hooks = self.__dict__.setdefault("_forward_hooks", {})
        key = next(_HOOK_KEYS)
        hooks[key] = hook
        return RemovableHandle(hooks, key)

    # --- registration --------------------------------------------------------------------------
    def __setattr__(self, name, value):
        d = self.__dict__
        params = d.get("_parameters")
        if isinstance(value, Parameter):
            self._check_initialized(params, "parameter", name)
            self._discard(name)
            params[name] = value
        elif params is not None and name in params:
            if value is not None:
                raise TypeError(
                    f"cannot assign a {type(value).__name__} as parameter '{name}' of {type(self).__name__} "
                    f"(nn.Parameter or None expected): wrap it as nn.Parameter(value), or change the "
                    f"existing parameter's values with `with autograd.no_grad(): self.{name}.copy_(value)`"
                )
            params[name] = None
        elif isinstance(value, Module):
            self._check_initialized(params, "child module", name)
            self._discard(name)
            d["_modules"][name] = value
            value._rename(self._child_name(name))
        elif params is not None and name in d["_modules"]:
            if value is not None:
                raise TypeError(
                    f"cannot assign a {type(value).__name__} as child module '{name}' of "
                    f"{type(self).__name__} (nn.Module or None expected)"
                )
            d["_modules"][name] = None
        elif params is not None and name in d["_buffers"]:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(
                    f"cannot assign a {type(value).__name__} as buffer '{name}' of {type(self).__name__} "
                    f"(Tensor or None expected)"
                )
            d["_buffers"][name] = value
        elif isinstance(value, (list, tuple)) and any(isinstance(v, (Module, Parameter)) for v in value):
            # NOTE: PyTorch silently leaves modules in a plain list unregistered (their parameters
            # are then never trained); we refuse instead.
            raise TypeError(
                f"{type(self).__name__}.{name}: modules or parameters in a plain {type(value).__name__} "
                f"are not registered (parameters() would miss them); use nn.ModuleList([...]) for "
                f"modules, nn.ParameterList([...]) for parameters"
            )
        elif isinstance(value, dict) and any(isinstance(v, (Module, Parameter)) for v in value.values()):
            raise TypeError(
                f"{type(self).__name__}.{name}: modules or parameters in a plain dict are not registered "
                f"(parameters() would miss them); use nn.ModuleDict({{...}}) for modules, "
                f"nn.ParameterDict({{...}}) for parameters"
            )
        object.__setattr__(self, name, value)

    def __delattr__(self, name):
        self._discard(name)
        object.__delattr__(self, name)

    def __getattr__(self, name):
        # Only reached when normal lookup fails (registered values live in __dict__ too).
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def _check_initialized(self, params, what, name):
        if params is None:
            raise AttributeError(
                f"cannot assign {what} '{name}' before Module.__init__() call: call super().__init__() "
                f"first in {type(self).__name__}.__init__"
            )

    def _discard(self, name):
        d = self.__dict__
        for registry in ("_parameters", "_buffers", "_modules"):
            d.get(registry, {}).pop(name, None)
        d.get("_non_persistent_buffers", set()).discard(name)

    def _child_name(self, name):
        return f"{self._qualname}.{name}" if self._qualname else name

    def _rename(self, prefix):
        """Record dotted names (for grad_fn.meta) on this module and everything under it."""
        for qualname, m in self.named_modules(prefix=prefix):
            m.__dict__["_qualname"] = qualname
            m.__dict__["_node_name"] = qualname or type(m).__name__
            m.__dict__["_meta"] = {"module": m._node_name, "type": type(m).__name__}

    def register_parameter(self, name, param):
        """Add a parameter (or None, a declared but absent one, like Linear(bias=False).bias)."""
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"register_parameter('{name}'): expected nn.Parameter or None, got {type(param).__name__}")
        self._check_name(name)
        self._check_initialized(self.__dict__.get("_parameters"), "parameter", name)
        self._discard(name)
        self._parameters[name] = param
        object.__setattr__(self, name, param)

    def register_buffer(self, name, tensor, persistent=True):
        """Add a Tensor that is state but not a parameter (BatchNorm's running mean and variance).

        Persistent buffers are saved in ``state_dict``; buffers never require grad.
        """
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"register_buffer('{name}'): expected a Tensor or None, got {type(tensor).__name__}")
        self._check_name(name)
        self._check_initialized(self.__dict__.get("_parameters"), "buffer", name)
        self._discard(name)
        self._buffers[name] = tensor
        if not persistent:
            self._non_persistent_buffers.add(name)
        object.__setattr__(self, name, tensor)

    def add_module(self, name, module):
        """Add a child module (what ``self.name = module`` does)."""
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"add_module('{name}'): expected an nn.Module or None, got {type(module).__name__}")
        self._check_name(name)
        self._check_initialized(self.__dict__.get("_parameters"), "child module", name)
        self._discard(name)
        self._modules[name] = module
        object.__setattr__(self, name, module)
        if module is not None:
            module._rename(self._child_name(name))

    def _check_name(self, name):
        if not isinstance(name, str) or not name or "." in name:
            raise KeyError(f"invalid name {name!r}: use a non-empty string without '.'")
        d = self.__dict__
        registered = any(name in d.get(r, {}) for r in ("_parameters", "_buffers", "_modules"))
        if name in d and not registered:
            raise KeyError(f"attribute '{name}' already exists on {type(self).__name__}")

    # --- walking the tree ----------------------------------------------------------------------
    def named_modules(self, memo=None, prefix=""):
        """(dotted name, module) for this module and every descendant, each module once."""
        if memo is None:
            memo = set()
        if id(self) in memo:
            return
        memo.add(id(self))
        yield prefix, self
        for name, child in self._modules.items():
            if child is not None:
                yield from child.named_modules(memo, f"{prefix}.{name}" if prefix else name)

    def modules(self):
        """This module and every descendant."""
        for _, m in self.named_modules():
            yield m

    def named_children(self):
        """(name, module) for the direct children."""
        seen = set()
        for name, child in self._modules.items():
            if child is not None and id(child) not in seen:
                seen.add(id(child))
                yield name, child

    def children(self):
        """The direct children."""
        for _, child in self.named_children():
            yield child

    def named_parameters(self, prefix="", recurse=True, remove_duplicate=True):
        """(dotted name, Parameter) pairs, e.g. ``("layers.0.weight", W)``.

        ``{id(p): name for name, p in model.named_parameters()}`` maps parameters to names (what a
        graph drawing needs to label leaves).
        """
        yield from self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse=True):
        """Every parameter, each once (what an optimizer takes)."""
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix="", recurse=True, remove_duplicate=True):
        """(dotted name, buffer) pairs."""
        yield from self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse=True):
        """Every buffer."""
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    def _named_members(self, registry, prefix, recurse, remove_duplicate):
        modules = self.named_modules(prefix=prefix) if recurse else [(prefix, self)]
        seen = set()
        for mod_prefix, m in modules:
            for name, v in m.__dict__[registry].items():
                if v is None or (remove_duplicate and id(v) in seen):
                    continue
                seen.add(id(v))
                yield (f"{mod_prefix}.{name}" if mod_prefix else name), v

    def get_submodule(self, target):
        """The module at dotted path ``target`` ("" is self)."""
        m = self
        for part in target.split(".") if target else ():
            child = m._modules.get(part)
            if child is None:
                raise AttributeError(f"{type(m).__name__} has no submodule '{part}' (looking up '{target}')")
            m = child
        return m

    def apply(self, fn):
        """Call ``fn`` on every descendant, then on self (e.g. a custom init); returns self."""
        for child in self.children():
            child.apply(fn)
        fn(self)
        return self

    # --- modes and gradients -------------------------------------------------------------------
    def train(self, mode=True):
        """Training mode (Dropout drops, BatchNorm uses batch statistics); returns self."""
        if not isinstance(mode, bool):
            raise ValueError(f"train(mode): mode must be a bool, got {mode!r}")
        for m in self.modules():
            m.__dict__["training"] = mode
        return self

    def eval(self):
        """Evaluation mode (Dropout is the identity, BatchNorm uses running statistics)."""
        return self.train(False)

    def requires_grad_(self, requires_grad=True):
        """Turn gradient tracking on or off for every parameter (freeze layers); returns self."""
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none=True):
        """Reset every parameter's ``.grad`` (to None by default, as PyTorch)."""
        for p in self.parameters():
            if p.grad is None:
                continue
            if set_to_none:
                p.grad = None
            else:
                p.grad.array[...] = 0
                p.grad._version += 1

    # --- dtype ---------------------------------------------------------------------------------
    def to(self, *args, dtype=None, device=None, non_blocking=False):
        """Cast floating point parameters and buffers to ``dtype`` in place; returns self.

        PyTorch's forms: ``to(dtype)``, ``to("cpu")``, ``to(device, dtype)``, ``to(tensor)``; the
        CPU is the only device.
        """
        dtype = to_arguments(args, dtype, device)
        if dtype is None:
            return self
        if dtype.kind != "f":
            raise TypeError(f"Module.to: expected a floating point dtype, got {dtype}")
        for t in list(self.parameters()) + list(self.buffers()):
            if t.array.dtype.kind == "f" and t.array.dtype != dtype:
                t.array = t.array.astype(dtype)
                t._version += 1
                if t.grad is not None:
                    t.grad = Tensor(t.grad.array.astype(dtype))
        return self

    def cpu(self):
        """This module (it is on the CPU already)."""
        return self

    def cuda(self, device=None):
        """Refused with a clear error: there is only the CPU."""
        check_device("cuda" if device is None else device)

    def float(self):
        """Cast to float32."""
        return self.to(np.float32)

    def double(self):
        """Cast to float64 (for gradcheck)."""
        return self.to(np.float64)

    # --- state ---------------------------------------------------------------------------------
    def state_dict(self, prefix="", keep_vars=False):
        """Parameters and persistent buffers by dotted name, with PyTorch's keys and shapes.

        Values are detached Tensors sharing the module's arrays (``keep_vars=True``: the
        Parameters themselves). Shared modules appear under each of their names, as in PyTorch.
        """
        out = OrderedDict()
        self._save_to_state_dict(out, prefix, keep_vars)
        return out

    def _save_to_state_dict(self, out, prefix, keep_vars):
        for name, p in self._parameters.items():
            if p is not None:
                out[prefix + name] = p if keep_vars else p.detach()
        for name, b in self._buffers.items():
            if b is not None and name not in self._non_persistent_buffers:
                out[prefix + name] = b if keep_vars else b.detach()
        for name, child in self._modules.items():
            if child is not None:
                child._save_to_state_dict(out, prefix + name + ".", keep_vars)

    def load_state_dict(self, state_dict, strict=True):
        """Copy values from ``state_dict`` (Tensors, ndarrays, numbers, or torch tensors) into the
        parameters and buffers; returns ``IncompatibleKeys(missing_keys, unexpected_keys)``.

        Every problem is checked before anything is copied, and all of them are reported in one
        RuntimeError: missing and unexpected keys (only when ``strict``), and shape or dtype
        mismatches (always).
        """
        if not hasattr(state_dict, "items"):
            raise TypeError(f"load_state_dict: expected a dict of name -> array, got {type(state_dict).__name__}")
        own = self.state_dict(keep_vars=True)
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        problems = []
        arrays = {}
        for key, target in own.items():
            if key not in state_dict:
                continue
            arr = _to_array(state_dict[key], key)
            if arr.shape != target.array.shape:
                problems.append(
                    f"size mismatch for {key}: copying a value of shape {arr.shape} from the checkpoint, "
                    f"the shape in the current model is {target.array.shape}"
                )
            elif not np.can_cast(arr.dtype, target.array.dtype, casting="same_kind"):
                problems.append(
                    f"dtype mismatch for {key}: the checkpoint holds {arr.dtype}, which cannot be "
                    f"converted to the model's {target.array.dtype}"
                )
            else:
                arrays[key] = arr
        if problems or (strict and (missing or unexpected)):
            lines = []
            if strict and missing:
                lines.append("Missing key(s) in state_dict: " + ", ".join(f'"{k}"' for k in missing) + ".")
            if strict and unexpected:
                lines.append("Unexpected key(s) in state_dict: " + ", ".join(f'"{k}"' for k in unexpected) + ".")
            lines.extend(problems)
            hint = (
                "\nThe checkpoint was saved from a different architecture (compare model.state_dict().keys() "
                "with the checkpoint's keys)"
                + ("; strict=False skips missing and unexpected keys, but not shape mismatches." if strict else ".")
            )
            raise RuntimeError(
                f"Error(s) in loading state_dict for {type(self).__name__}:\n\t" + "\n\t".join(lines) + hint
            )
        for key, arr in arrays.items():
            target = own[key]
            np.copyto(target.array, arr, casting="same_kind")
            target._version += 1
        return IncompatibleKeys(missing, unexpected)

    # --- printing ------------------------------------------------------------------------------
    def extra_repr(self):
        """The text inside the parentheses of this module's repr (its constructor arguments)."""
        return ""

    def __repr__(self):
        extra = self.extra_repr()
        lines = extra.split("\n") if extra else []
        for name, child in self._modules.items():
            text = _indent(repr(child), 2)
            lines.append(f"({name}): {text}")
        main = type(self).__name__ + "("
        if lines:
            if len(lines) == 1 and not self._modules:
                main += lines[0]
            else:
                main += "\n  " + "\n  ".join(lines) + "\n"
        return main + ")"


def _indent(text, spaces):
    first, *rest = text.split("\n")
    if not rest:
        return first
    pad = " " * spaces
    return first + "\n" + "\n".join(pad + line for line in rest)


def _to_array(value, key):
    if isinstance(value, Tensor):
        return value.array
    if isinstance(value, np.ndarray):
        return value
    if hasattr(value, "detach") and hasattr(value, "numpy"):  # a torch tensor
        return value.detach().cpu().numpy()
    if isinstance(value, (int, float, bool, np.generic)):
        return np.asarray(value)
    raise TypeError(f"load_state_dict: the value for '{key}' is a {type(value).__name__}; expected an array or Tensor")


class Sequential(Module):
    """Children called in order: ``Sequential(Linear(2, 8), ReLU(), Linear(8, 1))``.

    Children are named ``0``, ``1``, … (or by the keys of an OrderedDict), as in PyTorch.
    """

    def __init__(self, *args):
        super().__init__()
        if len(args) == 1 and isinstance(args[0], (dict, OrderedDict)):
            for name, module in args[0].items():
                self.add_module(name, module)
        else:
            for i, module in enumerate(args):
                self.add_module(str(i), _require_module(module, f"Sequential argument {i}"))

    def forward(self, x):
        for module in self._modules.values():
            x = module(x)
        return x

    def __getitem__(self, idx):
        items = list(self._modules.items())
        if isinstance(idx, slice):
            return _view(Sequential(), items[idx])
        return items[_index(idx, len(items), "Sequential")][1]

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def append(self, module):
        """Add a module at the end; returns self."""
        self.add_module(str(len(self._modules)), _require_module(module, "Sequential.append"))
        return self


class _Listed(Module):
    """What ModuleList and ParameterList share: entries named ``0``, ``1``, … in one registry."""

    _registry = "_modules"

    def _entries(self):
        return self.__dict__[self._registry]

    def __len__(self):
        return len(self._entries())

    def __iter__(self):
        return iter(self._entries().values())

    def __iadd__(self, entries):
        return self.extend(entries)

    def extend(self, entries):
        """Append each entry; returns self."""
        for e in entries:
            self.append(e)
        return self


class ModuleList(_Listed):
    """A list of modules that registers them (children named ``0``, ``1``, …); has no forward."""

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            return _view(ModuleList(), list(self._modules.items())[idx])
        return self._modules[str(_index(idx, len(self._modules), "ModuleList"))]

    def __setitem__(self, idx, module):
        self.add_module(str(_index(idx, len(self._modules), "ModuleList")), _require_module(module, "ModuleList"))

    def append(self, module):
        """Add a module at the end; returns self."""
        self.add_module(str(len(self._modules)), _require_module(module, "ModuleList.append"))
        return self

    def insert(self, index, module):
        """Insert a module before ``index`` (later ones are renumbered)."""
        items = list(self._modules.values())
        items.insert(index, _require_module(module, "ModuleList.insert"))
        for name in list(self._modules):
            self._discard(name)
            object.__delattr__(self, name)
        self.extend(items)

    def forward(self, *args, **kwargs):
        raise NotImplementedError("ModuleList has no forward(): iterate over it in your module's forward")


class _Keyed(Module):
    """What ModuleDict and ParameterDict share: a dict API over one of the module's registries."""

    _registry = "_modules"
    _what = "module"

    def _entries(self):
        return self.__dict__[self._registry]

    def __getitem__(self, key):
        try:
            return self._entries()[key]
        except KeyError:
            raise KeyError(
                f"{type(self).__name__} has no {self._what} {key!r}; keys: {list(self._entries())}"
            ) from None

    def __delitem__(self, key):
        self[key]  # a KeyError that lists the keys
        delattr(self, key)

    def __len__(self):
        return len(self._entries())

    def __iter__(self):
        return iter(self._entries())

    def __contains__(self, key):
        return key in self._entries()

    def keys(self):
        return self._entries().keys()

    def values(self):
        return self._entries().values()

    def items(self):
        return self._entries().items()

    def update(self, entries):
        """Add (or replace) entries from a dict or an iterable of (key, value) pairs."""
        pairs = entries.items() if hasattr(entries, "items") else entries
        for key, value in pairs:
            self[key] = value

    def pop(self, key):
        """Remove the entry under ``key`` and return it."""
        value = self[key]
        del self[key]
        return value

    def clear(self):
        for key in list(self._entries()):
            del self[key]

    def forward(self, *args, **kwargs):
        raise NotImplementedError(
            f"{type(self).__name__} has no forward(): look entries up by key in your module's forward"
        )


class ModuleDict(_Keyed):
    """A dict of modules that registers them under their keys (insertion order kept); has no forward."""

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __setitem__(self, key, module):
        _check_key(self, key)
        self.add_module(key, _require_module(module, f"ModuleDict[{key!r}]"))


def _describe_parameters(params):
    return "\n".join(f"({k}): Parameter of shape {tuple(p.shape)}, dtype {p.dtype}" for k, p in params.items())


def _check_key(container, key):
    # Entries are attributes too (model.heads.cls works); a key may not hide a method such as keys().
    if isinstance(key, str) and hasattr(type(container), key):
        raise KeyError(
            f"{type(container).__name__}: the key {key!r} is the name of a method or attribute; choose another"
        )


def _as_parameter(value, where):
    """A Parameter as is; a Tensor or array becomes one (sharing its array), as PyTorch does."""
    if isinstance(value, Parameter):
        return value
    if isinstance(value, (Tensor, np.ndarray)):
        return Parameter(value)
    raise TypeError(f"{where}: expected an nn.Parameter, a Tensor or an ndarray, got {type(value).__name__}")


class ParameterList(_Listed):
    """A list of parameters that registers them (named ``0``, ``1``, …); Tensors become Parameters."""

    _registry = "_parameters"

    def __init__(self, values=None):
        super().__init__()
        if values is not None:
            self.extend(values)

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            return ParameterList(list(self._parameters.values())[idx])
        return self._parameters[str(_index(idx, len(self._parameters), "ParameterList", "parameters"))]

    def __setitem__(self, idx, value):
        name = str(_index(idx, len(self._parameters), "ParameterList", "parameters"))
        self.register_parameter(name, _as_parameter(value, "ParameterList"))

    def append(self, value):
        """Add a parameter at the end; returns self."""
        self.register_parameter(str(len(self._parameters)), _as_parameter(value, "ParameterList.append"))
        return self

    def extra_repr(self):
        return _describe_parameters(self._parameters)

    def forward(self, *args, **kwargs):
        raise NotImplementedError("ParameterList has no forward(): iterate over it in your module's forward")


class ParameterDict(_Keyed):
    """A dict of parameters registered under their keys; Tensors become Parameters."""

    _registry = "_parameters"
    _what = "parameter"

    def __init__(self, parameters=None):
        super().__init__()
        if parameters is not None:
            self.update(parameters)

    def __setitem__(self, key, value):
        _check_key(self, key)
        self.register_parameter(key, _as_parameter(value, f"ParameterDict[{key!r}]"))

    def extra_repr(self):
        return _describe_parameters(self._parameters)


def _view(container, items):
    """``container`` holding ``items`` without renaming them: a slice is a view of modules that
    keep their place (and dotted names, for grad_fn.meta) in the model they come from."""
    for name, module in items:
        container._modules[name] = module
        object.__setattr__(container, name, module)
    return container


def _require_module(module, where):
    if not isinstance(module, Module):
        raise TypeError(f"{where}: expected an nn.Module, got {type(module).__name__}")
    return module


def _index(idx, n, name, what="modules"):
    idx = int(idx)
    if not -n <= idx < n:
        raise IndexError(f"{name} index {idx} is out of range for {n} {what}")
    return idx % n
