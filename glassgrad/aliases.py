"""``import glassgrad.nn``, ``glassgrad.nn.functional``, ``glassgrad.optim.lr_scheduler``,
``glassgrad.utils.data``: the library's packages under the names a PyTorch program imports them by.

``nn``, ``optim`` and ``autograd`` are top-level packages (the layers may not import upward), so
``glassgrad.nn`` is an attribute, which ``import glassgrad.nn as nn`` does not look up. This finder
answers those imports with the real module — the one object, never a second copy of its code.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys

__all__ = ["ALIASES", "PackageAliases", "install"]

# alias prefix → the real package it names
ALIASES = {
    "glassgrad.nn": "nn",
    "glassgrad.optim": "optim",
    "glassgrad.autograd": "autograd",
    "glassgrad.utils.data": "glassgrad.data",
}


class PackageAliases(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds ``glassgrad.nn.X`` as the module ``nn.X`` (imported once, under its own name too)."""

    def find_spec(self, fullname, path=None, target=None):
        """A spec for an aliased name, None for any other (so the normal finders take it)."""
        if real_name(fullname) is None:
            return None
        return importlib.util.spec_from_loader(fullname, self)

    def create_module(self, spec):
        """The real module, which the import system then files under the alias too."""
        module = importlib.import_module(real_name(spec.name))
        self.original_spec = module.__spec__
        return module

    def exec_module(self, module):
        """Nothing to run (the real module ran once); put back its own spec, which the import set."""
        module.__spec__ = self.original_spec


def real_name(fullname):
    """``"glassgrad.nn.functional"`` → ``"nn.functional"``; None for a name that is no alias."""
    for alias, real in ALIASES.items():
        if fullname == alias or fullname.startswith(alias + "."):
            return real + fullname[len(alias) :]
    return None


def install():
    """Add the finder to ``sys.meta_path`` (once)."""
    if not any(isinstance(f, PackageAliases) for f in sys.meta_path):
        sys.meta_path.insert(0, PackageAliases())
