"""The shape of the package, read from its imports with `ast` (nothing is imported).

- No import cycle among kerascheck's modules, counting the imports inside functions: an import moved
  into a function hides a cycle from Python, not from a reader.
- An import inside a function says why on its line or on the line above (a measured start-up cost,
  an optional dependency, code that runs in the user's Keras interpreter): otherwise it belongs at
  the top of its module.
- The floors the README describes ("facts, then rules, then reports"): the rules and extraction
  never import, even through another module, what is built above them.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parent.parent / "kerascheck"


def _module_files() -> dict:
    """{dotted module name: path} of every module of the package."""
    modules = {}
    for path in sorted(PACKAGE_ROOT.rglob("*.py")):
        parts = path.relative_to(PACKAGE_ROOT.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join(parts)] = path
    return modules


MODULES = _module_files()


def _known_module(name: str) -> str | None:
    """The kerascheck module `name` is, or is inside (`kerascheck.extract.DecodeError` -> `kerascheck.extract`)."""
    while name not in MODULES and "." in name:
        name = name.rsplit(".", 1)[0]
    return name if name in MODULES else None


def _imported_modules(module: str, node: ast.AST) -> list:
    """The kerascheck modules an import statement of `module` imports."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        base = node.module or ""
        if node.level:
            package = module.split(".")
            if MODULES[module].name != "__init__.py":
                package = package[:-1]
            package = package[:len(package) - (node.level - 1)]
            base = ".".join(package + ([node.module] if node.module else []))
        # `from package import submodule` imports the submodule; `from module import name`, the module.
        names = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base for alias in node.names]
    found = []
    for name in names:
        target = _known_module(name) if name.startswith("kerascheck") else None
        if target is not None and target != module and target not in found:
            found.append(target)
    return found


def _imports(module: str):
    """(import node, inside a function?) for every import statement of `module`."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    inner = set()
    for function in ast.walk(tree):
        if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            inner.update(id(node) for node in ast.walk(function) if isinstance(node, (ast.Import, ast.ImportFrom)))
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node, id(node) in inner


def _imported_by_name(module: str) -> set:
    """The modules `module` imports by name with importlib: a string that names one (kerascheck.report's
    FORMAT_MODULES table, `importlib.import_module("kerascheck.report.inspect_format")`); all_rules() imports every
    module of kerascheck/rules/ (pkgutil)."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    named = {node.value for node in ast.walk(tree)
             if isinstance(node, ast.Constant) and isinstance(node.value, str) and "." in node.value}
    if module == "kerascheck.rules":
        named.update(name for name in MODULES if name.startswith("kerascheck.rules."))
    return {name for name in named if name in MODULES and name != module}


def _graph() -> dict:
    """{module: set of the kerascheck modules it imports}, the imports inside functions and by name included."""
    return {module: {target for node, _ in _imports(module) for target in _imported_modules(module, node)}
            | _imported_by_name(module) for module in MODULES}


GRAPH = _graph()


def _cycles(graph: dict) -> list:
    """The strongly connected components of more than one module (Tarjan's algorithm, iterative)."""
    index: dict = {}
    low: dict = {}
    stack: list = []
    on_stack: set = set()
    components = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    components.append(sorted(component))
    return components


def _reachable(start: str) -> set:
    seen, todo = set(), [start]
    while todo:
        for target in GRAPH[todo.pop()]:
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def test_the_graph_is_read():
    # A check that reads nothing passes everything: the graph must hold the package's known edges.
    assert len(MODULES) > 50
    assert "kerascheck.pipeline" in GRAPH["kerascheck.cli"]
    assert "kerascheck.extract" in GRAPH["kerascheck.runner"]
    assert "kerascheck.extract.evaluator" in GRAPH["kerascheck.extract.interpreter"]
    assert "kerascheck.report.sarif_format" in GRAPH["kerascheck.report"]  # by name, when used
    assert "kerascheck.rules.kc1_metrics" in GRAPH["kerascheck.rules"]  # by pkgutil, in all_rules()
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle():
    assert _cycles(GRAPH) == []


def test_every_import_inside_a_function_says_why():
    silent = []
    for module, path in MODULES.items():
        lines = path.read_text(encoding="utf-8").splitlines()
        for node, inside_function in _imports(module):
            if not inside_function:
                continue
            line = lines[node.lineno - 1]
            above = lines[node.lineno - 2].strip() if node.lineno > 1 else ""
            if "#" not in line and not above.startswith("#"):
                silent.append(f"{path.relative_to(PACKAGE_ROOT.parent)}:{node.lineno}: {line.strip()}")
    assert silent == [], "an import inside a function without a comment saying why:\n" + "\n".join(silent)


def _package(module: str) -> str:
    """The floor a module belongs to: `kerascheck.rules.kc1_metrics` -> `kerascheck.rules`."""
    return ".".join(module.split(".")[:2])


def test_the_rules_import_nothing_built_above_them():
    above = {"kerascheck.fix", "kerascheck.report", "kerascheck.cli", "kerascheck.pipeline", "kerascheck.lsp",
             "kerascheck.integrations", "kerascheck.runner", "kerascheck.extract"}
    for module in MODULES:
        if _package(module) == "kerascheck.rules":
            assert {_package(target) for target in _reachable(module)} & above == set(), module


def test_extraction_imports_no_rule_fix_or_report():
    above = {"kerascheck.rules", "kerascheck.fix", "kerascheck.report", "kerascheck.cli", "kerascheck.pipeline",
             "kerascheck.runner", "kerascheck.lsp", "kerascheck.integrations"}
    for module in MODULES:
        if _package(module) == "kerascheck.extract":
            assert {_package(target) for target in _reachable(module)} & above == set(), module
