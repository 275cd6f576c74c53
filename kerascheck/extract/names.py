"""What a name in the program stands for: imports, star imports, builtins, a pasted snippet's bare names.

The one name resolver of extraction: the evaluator (extract/evaluator.py) and the call
extractor (extract/calls.py) both bind imports and look names up here, so
`Conv2D`, `layers.Conv2D`, `tf.keras.layers.Conv2D` and an alias of any of them
become the same qualified name everywhere.
"""

from __future__ import annotations

import ast
from typing import Optional

from kerascheck import knowledge
from kerascheck.extract.values import UNKNOWN, Ref, Value

# Builtins the evaluator gives a meaning to (len of a literal list, int of a constant...).
BUILTINS = frozenset({"len", "int", "super", "print", "range", "max", "min", "round", "float", "str", "list",
                      "tuple", "dict", "isinstance", "getattr", "setattr", "hasattr", "sum", "abs"})


class Scope:
    """Names bound in one body (module, class or function), with the enclosing scope as parent."""

    def __init__(self, parent: Optional["Scope"] = None):
        self.vars: dict = {}
        self.parent = parent
        self.star_imports: list = []  # modules star-imported here

    def lookup(self, name: str) -> Optional[Value]:
        scope = self
        while scope is not None:
            if name in scope.vars:
                return scope.vars[name]
            scope = scope.parent
        return None

    def root(self) -> "Scope":
        scope = self
        while scope.parent is not None:
            scope = scope.parent
        return scope


def dotted(node: ast.AST) -> Optional[str]:
    """'a.b.c' for a chain of names and attributes; None for anything else."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = dotted(node.value)
        return f"{base}.{node.attr}" if base else None
    return None


def bind_import(node: ast.Import, scope: Scope) -> None:
    for alias in node.names:
        if alias.asname is not None:
            scope.vars[alias.asname] = Ref(alias.name)
        else:
            top = alias.name.split(".")[0]
            scope.vars[top] = Ref(top)


def bind_import_from(node: ast.ImportFrom, scope: Scope, relative=None) -> None:
    """`from m import a as b`. A relative import binds what `relative(node, name)` gives (UNKNOWN when None)."""
    star = any(alias.name == "*" for alias in node.names)
    if node.level or node.module is None:
        if not star:
            for alias in node.names:
                value = relative(node, alias.name) if relative is not None else UNKNOWN
                scope.vars[alias.asname or alias.name] = value
        return
    if star:
        scope.star_imports.append(node.module)
        return
    for alias in node.names:
        scope.vars[alias.asname or alias.name] = Ref(f"{node.module}.{alias.name}")


def lookup(name: str, scope: Scope, snippet_extra: Optional[dict] = None) -> Value:
    """The value of a name: bound in a scope, from a Keras star import, a snippet's Keras name, a builtin.

    `snippet_extra`: more bare names that mean Keras in a snippet (the Keras 1 APIs the call
    extractor looks at), used only when no star import of another package could have bound them.
    """
    found = scope.lookup(name)
    if found is not None:
        return found
    # `from keras.layers import *`: the name comes from the star-imported module.
    current = scope
    while current is not None:
        for module in current.star_imports:
            if knowledge.keras_path(module) is not None:
                return Ref(f"{module}.{name}")
        current = current.parent
    # A pasted snippet: Keras's own names with no import still mean Keras.
    if name in knowledge.SNIPPET_MODULE:
        return Ref(knowledge.SNIPPET_MODULE[name], snippet=True)
    if name in BUILTINS:
        return Ref("builtins." + name)
    if snippet_extra and name in snippet_extra and not has_foreign_star_import(scope):
        return Ref(snippet_extra[name], snippet=True)
    return UNKNOWN


def has_foreign_star_import(scope: Optional[Scope]) -> bool:
    """Whether a star import of a package that is not Keras could have bound a name here."""
    while scope is not None:
        if any(knowledge.keras_path(module) is None for module in scope.star_imports):
            return True
        scope = scope.parent
    return False
