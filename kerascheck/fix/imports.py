"""Reaching a Keras name from a fix, in the file's own import style.

`reference(ctx, 'metrics', 'BinaryAccuracy')` returns the expression to write and
the edits that make it valid:

- a name already bound to it is reused (`BinaryAccuracy`, or an alias);
- a file that imports Keras names with `from keras.layers import Dense` gets the name
  added to its `from <root>.metrics import ...` line, or a new such line after its last
  Keras import (same root: `keras`, `tensorflow.keras` or `tf_keras`);
- a file that reaches Keras through modules (`import tensorflow as tf`, `import keras`,
  `from tensorflow.keras import metrics`) gets `tf.keras.metrics.BinaryAccuracy`,
  `keras.metrics.BinaryAccuracy`, `metrics.BinaryAccuracy`;
- a pasted snippet that imports nothing from Keras gets the bare name, as it writes
  every other Keras name.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Optional

import libcst as cst

from kerascheck import knowledge
from kerascheck.fix.cst_names import dotted_name as _dotted
from kerascheck.extract.values import Ref
from kerascheck.fix.context import FixContext, FixUnavailable
from kerascheck.fix.edits import Edit, overlaps
from kerascheck.fix.statements import sharing_lines


def _module_refs(ctx: FixContext) -> list:
    """[(name, Ref)]: the module-scope names bound to a dotted reference (its imports, mostly), in order."""
    if "module refs" not in ctx.memo:
        ctx.memo["module refs"] = [(alias, value) for alias, value in ctx.module_scope.vars.items()
                                   if isinstance(value, Ref)]
    return ctx.memo["module refs"]


def _top_level_imports(ctx: FixContext) -> list:
    """[(SimpleStatementLine, Import|ImportFrom)] of the module body, in order."""
    if "imports" in ctx.memo:
        return ctx.memo["imports"]
    found = ctx.memo["imports"] = []
    for statement in ctx.module.body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, (cst.Import, cst.ImportFrom)):
                    found.append((statement, small))
    return found


def _module_of(node) -> Optional[str]:
    if isinstance(node, cst.ImportFrom):
        return None if node.relative or node.module is None else _dotted(node.module)
    return None


def _keras_root(module: str) -> Optional[str]:
    for root in knowledge.KERAS_ROOTS:
        if module == root or module.startswith(root + "."):
            return root
    return None


@dataclass(frozen=True)
class _ImportLine:
    """A top-level import as CPython's ast sees it: enough to choose an edit without libcst."""

    line: int  # where its line of statements starts
    end_line: int  # where that line of statements ends (`import a; x = (\n 1)` ends on the second)
    alone: bool  # the only statement on its line
    is_from: bool
    module: Optional[str]  # the module of a non-relative from-import
    star: bool
    names: tuple  # (name, asname) of each alias
    keras: bool  # imports from Keras or TensorFlow


def _top_level_import_lines(ctx: FixContext) -> list:
    """[_ImportLine] of the module body, in order: the file's imports, without parsing it with libcst."""
    if "import lines" in ctx.memo:
        return ctx.memo["import lines"]
    tree = ctx.ast_module
    found = ctx.memo["import lines"] = []
    for index, statement in enumerate(tree.body if tree is not None else ()):
        if not isinstance(statement, (ast.Import, ast.ImportFrom)):
            continue
        # Statements joined by `;` are one line of statements, as libcst's SimpleStatementLine.
        start, end = sharing_lines(tree.body, index)
        line, end_line, alone = tree.body[start].lineno, tree.body[end].end_lineno, start == end
        names = tuple((alias.name, alias.asname) for alias in statement.names)
        if isinstance(statement, ast.ImportFrom):
            module = None if statement.level or statement.module is None else statement.module
            keras = module is not None and (_keras_root(module) is not None or module == "tensorflow")
            star = any(alias.name == "*" for alias in statement.names)
            found.append(_ImportLine(line, end_line, alone, True, module, star, names, keras))
        else:
            keras = any(_keras_root(alias.name) is not None or alias.name == "tensorflow" for alias in statement.names)
            found.append(_ImportLine(line, end_line, alone, False, None, False, names, keras))
    return found


def reference(ctx: FixContext, module_path: str, name: str, near: Optional[str] = None) -> Optional[tuple]:
    """(expression text, [Edit]) reaching keras `module_path.name`, or None when no clean way exists.

    `near`: a name whose from-import line is the preferred home of the new name.
    """
    want = f"{module_path}.{name}"
    scope_vars = ctx.module_scope.vars
    bound = scope_vars.get(name)
    if isinstance(bound, Ref) and knowledge.keras_path(bound.qualified) == want:
        return name, []
    module_refs = _module_refs(ctx)
    for alias, value in module_refs:
        if knowledge.keras_path(value.qualified) == want:
            return alias, []
    stars = ctx.module_scope.star_imports
    if name not in scope_vars and any(knowledge.keras_path(module) == module_path for module in stars):
        return name, []  # `from keras.metrics import *` already brings it
    free = name not in scope_vars and not stars
    # The file's imports as ast sees them: libcst is needed only to rewrite one of them.
    keras_imports = [line for line in _top_level_import_lines(ctx) if line.keras]
    name_imports = [line for line in keras_imports
                    if line.is_from and not line.star and _keras_root(line.module or "") is not None
                    and knowledge.keras_path(line.module) != ""]
    if name_imports:  # the file imports Keras names: from <root>.<module_path> import <name>
        if not free:
            return None
        same_module = [line for line in name_imports if knowledge.keras_path(line.module) == module_path and line.alone]
        same_module.sort(key=lambda line: (near, None) not in line.names)
        if same_module:
            small = _import_at(ctx, same_module[0].line)
            return name, [ctx.replace(small, _with_alias(small, name))]
        root = _keras_root(name_imports[0].module)
        return name, [_insert_line(ctx, keras_imports[-1].end_line, f"from {root}.{module_path} import {name}")]
    # The file reaches Keras through modules: tf.keras.metrics.X, keras.metrics.X, metrics.X.
    for rank in (0, 1, 2):
        for alias, value in module_refs:
            path = knowledge.keras_path(value.qualified)
            if rank == 0 and path == module_path:
                return f"{alias}.{name}", []
            if rank == 1 and path == "":
                return f"{alias}.{module_path}.{name}", []
            if rank == 2 and value.qualified == "tensorflow":
                return f"{alias}.keras.{module_path}.{name}", []
    if not free:
        return None
    if not keras_imports:  # a pasted snippet: Keras's own names, unimported
        return name, []
    return name, [_insert_line(ctx, keras_imports[-1].end_line, f"from keras.{module_path} import {name}")]


def _import_at(ctx: FixContext, line: int) -> cst.ImportFrom:
    """The libcst node of the from-import alone on its top-level `line` (the whole file's parse)."""
    for statement, small in _top_level_imports(ctx):
        if ctx.positions[statement].start.line == line and isinstance(small, cst.ImportFrom):
            return small
    raise FixUnavailable("the import ast found is not where libcst has it")


def _with_alias(node: cst.ImportFrom, name: str) -> cst.ImportFrom:
    names = list(node.names)
    last = names[-1]
    between = names[-2].comma if len(names) > 1 else cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    new = cst.ImportAlias(name=cst.Name(name), comma=last.comma)
    names[-1] = last.with_changes(comma=between)
    return node.with_changes(names=names + [new])


def _insert_line(ctx: FixContext, end_line: int, code: str) -> Edit:
    """A new line after the line of statements ending on `end_line`."""
    offset = ctx.lines.line_start_after(end_line)
    if offset == len(ctx.text) and not ctx.text.endswith(("\n", "\r")):
        return Edit(offset, offset, ctx.newline + code)
    return Edit(offset, offset, code + ctx.newline)


def remove_if_unused(ctx: FixContext, name: str, replaced: tuple) -> list:
    """Edits removing `name` from its top-level from-import when nothing but `replaced` nodes use it."""
    if _other_uses(ctx, name, replaced):
        return []
    for line, small in _top_level_imports(ctx):
        if not isinstance(small, cst.ImportFrom) or isinstance(small.names, cst.ImportStar):
            continue
        for index, alias in enumerate(small.names):
            bound = alias.asname.name if alias.asname is not None else alias.name
            if isinstance(bound, cst.Name) and bound.value == name:
                return [_remove_alias(ctx, line, small, index)]
    return []


def _is_definition(node: cst.Name, parent: Optional[cst.CSTNode]) -> bool:
    """A Name that is not a use: an imported name, an attribute, a keyword argument's name."""
    if isinstance(parent, (cst.ImportAlias, cst.AsName)):
        return True
    if isinstance(parent, cst.Attribute) and parent.attr is node:
        return True
    if isinstance(parent, cst.Arg) and parent.keyword is node:
        return True
    return False


def _remove_alias(ctx: FixContext, line: cst.SimpleStatementLine, small: cst.ImportFrom, index: int) -> Edit:
    names = list(small.names)
    if len(names) > 1:
        removed = names.pop(index)
        if index == len(names):  # it was the last one: its comma (trailing or none) moves to the new last
            names[-1] = names[-1].with_changes(comma=removed.comma)
        return ctx.replace(small, small.with_changes(names=names))
    if len(line.body) == 1:
        start_line = ctx.positions[line].start.line
        end_line = ctx.positions[line].end.line
        block = ctx.parent(line)
        siblings = getattr(block, "body", ())
        if isinstance(block, cst.Module) or len(siblings) > 1:
            return Edit(ctx.lines.offset(start_line, 0), ctx.lines.line_start_after(end_line), "")
    return ctx.replace(small, "pass")


def swap_name(ctx: FixContext, node: cst.Name, module_path: str, new_name: str) -> Optional[tuple]:
    """(text, import edits) to write keras `module_path.new_name` in place of the bare name `node`.

    When nothing else uses the old name, its import goes: renamed in place
    (`from keras.layers import Convolution2D` → `... import Conv2D`) or removed.
    """
    old = node.value
    unused = not _other_uses(ctx, old, (node,))
    if unused and new_name not in ctx.module_scope.vars:
        for line, small in _top_level_imports(ctx):
            if isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar) \
                    and knowledge.keras_path(_module_of(small) or "") == module_path:
                for alias in small.names:
                    if alias.asname is None and isinstance(alias.name, cst.Name) and alias.name.value == old:
                        return new_name, [ctx.replace(alias.name, new_name)]
    found = reference(ctx, module_path, new_name, near=old)
    if found is None:
        return None
    text, edits = found
    if unused:
        removal = remove_if_unused(ctx, old, (node,))
        if not any(overlaps(mine, theirs) for mine in removal for theirs in edits):
            edits = edits + removal
    return text, edits


def _other_uses(ctx: FixContext, name: str, replaced: tuple) -> bool:
    """Whether a use of `name` is left in the file once the `replaced` nodes are rewritten.

    The uses are counted in the whole file and the replaced ones taken off, rather than
    compared node by node: the replaced nodes may come from a parse of the statements
    around the finding, not from the whole file's.
    """
    key = f"uses of {name}"
    if key not in ctx.memo:
        ctx.memo[key] = sum(1 for node, parent in ctx.names_in_file(name) if not _is_definition(node, parent))
    uses = ctx.memo[key]
    replaced_uses = sum(1 for node in replaced if isinstance(node, cst.Name) and node.value == name
                        and not _is_definition(node, ctx.parent(node)))
    return uses > replaced_uses
