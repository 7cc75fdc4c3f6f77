"""Every public function, class and method of the library says what it is, and every package
lists its public names (``__all__``)."""

import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
PACKAGES = ["autograd", "optim", "nn", "glassgrad"]
# Overrides whose meaning the base class documents (Module.forward, Module.extra_repr).
OVERRIDES = {"forward", "extra_repr"}
FILES = sorted(p for package in PACKAGES for p in (ROOT / package).rglob("*.py"))


def _is_setter(fn):
    """A property's setter shares the getter's docstring."""
    return any(isinstance(d, ast.Attribute) and d.attr == "setter" for d in fn.decorator_list)


def _undocumented(tree):
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and not node.name.startswith("_"):
            if not ast.get_docstring(node):
                yield node.name
            if isinstance(node, ast.ClassDef):
                for m in node.body:
                    public = isinstance(m, ast.FunctionDef) and not m.name.startswith("_") and not _is_setter(m)
                    if public and m.name not in OVERRIDES and not ast.get_docstring(m):
                        yield f"{node.name}.{m.name}"


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(ROOT)) for p in FILES])
def test_public_names_have_docstrings(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    assert ast.get_docstring(tree), f"{path.name}: the module has no docstring"
    missing = list(_undocumented(tree))
    assert not missing, f"{path.relative_to(ROOT)}: no docstring on {missing}"


@pytest.mark.parametrize("init", [p for p in FILES if p.name == "__init__.py"], ids=str)
def test_every_package_has_all(init):
    tree = ast.parse(init.read_text(encoding="utf-8"))
    names = {
        t.id for node in tree.body if isinstance(node, ast.Assign) for t in node.targets if isinstance(t, ast.Name)
    }
    assert "__all__" in names, f"{init.relative_to(ROOT)} lists no __all__"
