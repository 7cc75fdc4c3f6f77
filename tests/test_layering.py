"""The packages are layered autograd ← optim ← nn ← glassgrad, and no module imports in a circle.

Imports are read from the source with ``ast`` (nothing is imported): only module-level ones, i.e.
not inside a function, count, since those run when the module is imported. A package's
``__init__`` is the module named after the package; importing ``a.b.c`` is an edge to ``a.b.c``
only (Python runs the parents' ``__init__`` too, but that is not a dependency of the importer),
and ``from pkg import name`` is an edge to the submodule ``pkg.name`` when there is one, else to
``pkg``.
"""

import ast
import os

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LAYERS = ["autograd", "optim", "nn", "glassgrad"]  # each may import only those before it


def _module_name(path):
    rel = os.path.relpath(path, ROOT)[: -len(".py")].split(os.sep)
    return ".".join(rel[:-1] if rel[-1] == "__init__" else rel)


def _modules():
    """{module name: (path, is_package)} for every .py file of the four packages."""
    found = {}
    for package in LAYERS:
        for folder, _, files in os.walk(os.path.join(ROOT, package)):
            for name in sorted(files):
                if name.endswith(".py"):
                    path = os.path.join(folder, name)
                    found[_module_name(path)] = (path, name == "__init__.py")
    return found


MODULES = _modules()


def _module_level(tree):
    """The import statements of a module that are not inside a function (a class body or an
    ``if``/``try`` at module level still runs at import)."""
    todo = list(tree.body)
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            todo.extend(ast.iter_child_nodes(node))


def _resolve(module, is_package, node):
    """The library modules an import statement of ``module`` names (absolute, relative resolved)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level:
        parts = module.split(".")
        base = parts if is_package else parts[:-1]
        base = base[: len(base) - (node.level - 1)]
        origin = ".".join(base + ([node.module] if node.module else []))
    else:
        origin = node.module
    # `from pkg import sub` imports the submodule pkg.sub when there is one.
    targets = [f"{origin}.{a.name}" if f"{origin}.{a.name}" in MODULES else origin for a in node.names]
    return list(dict.fromkeys(targets))


def _all_imports(tree):
    """Every import statement of a module, inside functions too."""
    return [node for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom))]


def _graph(statements=_module_level):
    """{module: [modules of the four packages it imports]} (at module level, by default)."""
    graph = {}
    for module, (path, is_package) in MODULES.items():
        with open(path, encoding="utf-8") as f:
            tree = ast.parse(f.read(), filename=path)
        edges = []
        for node in statements(tree):
            for target in _resolve(module, is_package, node):
                while target and target not in MODULES and "." in target:
                    target = target.rsplit(".", 1)[0]  # `import a.b.name`: the module a.b
                if target in MODULES and target != module and target not in edges:
                    edges.append(target)
        graph[module] = edges
    return graph


GRAPH = _graph()


def _top(module):
    return module.split(".")[0]


def _cycle(graph, nodes):
    """One import cycle among ``nodes`` as a list [a, b, ..., a], or None (iterative DFS)."""
    state = {}  # 1: on the current path, 2: done
    for start in sorted(nodes):
        if start in state:
            continue
        path, stack = [start], [iter(graph[start])]
        state[start] = 1
        while stack:
            target = next((t for t in stack[-1] if t in nodes), None)
            if target is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(target) == 1:
                return path[path.index(target) :] + [target]
            elif target not in state:
                state[target] = 1
                path.append(target)
                stack.append(iter(graph[target]))
    return None


def test_every_package_is_found():
    assert {_top(m) for m in MODULES} == set(LAYERS)
    assert "glassgrad.train.loop" in MODULES and "autograd.engine" in MODULES


@pytest.mark.parametrize("package", LAYERS)
def test_packages_import_only_the_layers_below(package):
    allowed = set(LAYERS[: LAYERS.index(package) + 1])
    upward = [
        f"{module} imports {target}"
        for module, targets in GRAPH.items()
        if _top(module) == package
        for target in targets
        if _top(target) not in allowed
    ]
    assert not upward, f"{package} may import only {sorted(allowed)}:\n" + "\n".join(upward)


def test_nn_does_not_mention_glassgrad_at_all():
    """Not even inside a function: nn is a library, the application sits on top of it."""
    for module, (path, is_package) in MODULES.items():
        if _top(module) != "nn":
            continue
        with open(path, encoding="utf-8") as f:
            tree = ast.parse(f.read())
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                assert "glassgrad" not in {_top(t) for t in _resolve(module, is_package, node)}, module


@pytest.mark.parametrize("package", LAYERS)
def test_no_import_cycle(package):
    nodes = {m for m in GRAPH if _top(m) == package}
    cycle = _cycle(GRAPH, nodes)
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def _is_viz(module):
    return module == "autograd.viz" or module.startswith("autograd.viz.")


def test_no_cycle_even_through_imports_inside_functions():
    """Only conveniences such as ``Tensor.draw()`` may import ``autograd.viz`` lazily; no other
    import inside a function closes a circle."""
    graph = _graph(_all_imports)
    lazy = {m: [t for t in targets if not (_is_viz(t) and not _is_viz(m))] for m, targets in graph.items()}
    cycle = _cycle(lazy, set(lazy))
    assert cycle is None, "import cycle (counting imports inside functions): " + " -> ".join(cycle)


def _reachable(graph, start):
    seen, todo = {start}, [start]
    while todo:
        for target in graph[todo.pop()]:
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def test_engine_does_not_import_viz():
    """The engine knows nothing of drawing: viz observes it through a hook."""
    viz = {m for m in GRAPH if m == "autograd.viz" or m.startswith("autograd.viz.")}
    reached = _reachable(GRAPH, "autograd.engine") & viz
    assert not reached, f"autograd.engine reaches {sorted(reached)} at module level"


def test_the_cycle_finder_finds_cycles():
    graph = {"a": ["b"], "b": ["c"], "c": ["a"], "d": ["a"]}
    assert _cycle(graph, set(graph)) == ["a", "b", "c", "a"]
    assert _cycle({"a": ["b"], "b": []}, {"a", "b"}) is None


def test_no_private_name_is_imported_across_modules():
    """What one module needs from another is public: ``from x import _y`` is refused."""
    private = []
    for module, (path, _) in MODULES.items():
        with open(path, encoding="utf-8") as f:
            tree = ast.parse(f.read(), filename=path)
        for node in _all_imports(tree):
            if isinstance(node, ast.ImportFrom):
                names = [a.name for a in node.names if a.name.startswith("_") and not a.name.startswith("__")]
                private += [f"{module}: from {'.' * node.level}{node.module or ''} import {n}" for n in names]
    assert not private, "private names imported across modules:\n" + "\n".join(private)
