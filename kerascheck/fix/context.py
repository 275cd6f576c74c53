"""One parse of the text being fixed: nodes by position, parents, and edits that keep formatting."""

from __future__ import annotations

import ast
from collections import defaultdict
from typing import Optional

import libcst as cst
from libcst.metadata import MetadataWrapper, ParentNodeProvider, PositionProvider

from kerascheck import knowledge
from kerascheck.extract.calls import module_resolver
from kerascheck.extract.values import Ref
from kerascheck.fix.edits import Edit, LineIndex, trimmed


class FixUnavailable(Exception):
    """The code around a finding is not in a shape the fix knows how to rewrite."""


class FixContext:
    def __init__(self, text: str):
        self.text = text
        self.module = cst.parse_module(text)
        wrapper = MetadataWrapper(self.module, unsafe_skip_copy=True)
        self.positions = wrapper.resolve(PositionProvider)
        self.parents = wrapper.resolve(ParentNodeProvider)
        self.lines = LineIndex(text)
        self._by_start = defaultdict(list)
        for node, code_range in self.positions.items():
            self._by_start[(code_range.start.line, code_range.start.column)].append(node)
        self._resolved = None

    # ---------------------------------------------------------------- finding nodes

    def node_at(self, finding, *types) -> Optional[cst.CSTNode]:
        """The node of one of `types` spanning exactly the finding's range."""
        end = (finding.end_line or finding.line, (finding.end_column or finding.column) - 1)
        for node in self._by_start.get((finding.line, finding.column - 1), ()):
            code_range = self.positions[node]
            if (code_range.end.line, code_range.end.column) == end and isinstance(node, types):
                return node
        return None

    def parent(self, node: cst.CSTNode) -> Optional[cst.CSTNode]:
        return self.parents.get(node)

    def enclosing_call(self, arg: cst.Arg) -> cst.Call:
        call = self.parent(arg)
        if not isinstance(call, cst.Call):
            raise FixUnavailable("argument outside a call")
        return call

    # ---------------------------------------------------------------- text

    def span(self, node: cst.CSTNode) -> tuple:
        code_range = self.positions[node]
        return (self.lines.offset(code_range.start.line, code_range.start.column),
                self.lines.offset(code_range.end.line, code_range.end.column))

    def source(self, node: cst.CSTNode) -> str:
        start, end = self.span(node)
        return self.text[start:end]

    def render(self, node: cst.CSTNode) -> str:
        """The code of a node as its position range covers it (no own parentheses, comma or semicolon)."""
        return self.module.code_for_node(_bare(node))

    def replace(self, old: cst.CSTNode, new) -> Edit:
        """Replace old's range by a node (rendered like old's range) or by text."""
        start, end = self.span(old)
        if self.text[start:end] != self.render(old):
            raise FixUnavailable(f"position range of {type(old).__name__} does not match its code")
        return Edit(start, end, new if isinstance(new, str) else self.render(new))

    def rewrite(self, old: cst.CSTNode, new: cst.CSTNode) -> Edit:
        """Replace old by new, as the narrowest edit (a changed node keeps everything around the change)."""
        edit = self.replace(old, new)
        return trimmed(self.text, edit.start, edit.end, edit.content)

    def insert_before(self, node: cst.CSTNode, content: str) -> Edit:
        start, _ = self.span(node)
        return Edit(start, start, content)

    def between(self, first: cst.CSTNode, last: cst.CSTNode, content: str) -> Edit:
        """Replace the text from the start of first to the end of last."""
        start, _ = self.span(first)
        _, end = self.span(last)
        return Edit(start, end, content)

    @property
    def newline(self) -> str:
        return self.module.default_newline

    # ---------------------------------------------------------------- names

    def _resolver(self):
        if self._resolved is None:
            self._resolved = module_resolver(ast.parse(self.text))
        return self._resolved

    @property
    def module_scope(self):
        return self._resolver()[1]

    def keras_path(self, node: cst.CSTNode) -> Optional[str]:
        """'metrics.BinaryAccuracy' for a module-level reference to a Keras name, else None."""
        resolver, scope = self._resolver()
        try:  # names resolve on `ast`, as in extraction: the node's own code, read as an expression
            expression = ast.parse(f"(\n{self.source(node)}\n)", mode="eval").body
        except SyntaxError:
            return None
        value = resolver.value(expression, scope)
        return knowledge.keras_path(value.qualified) if isinstance(value, Ref) else None


def _bare(node: cst.CSTNode) -> cst.CSTNode:
    changes = {}
    if isinstance(node, cst.BaseExpression) and node.lpar:
        changes["lpar"] = ()
        changes["rpar"] = ()
    if isinstance(node, (cst.Arg, cst.Element, cst.DictElement, cst.ImportAlias, cst.StarredElement)) \
            and not isinstance(getattr(node, "comma", cst.MaybeSentinel.DEFAULT), cst.MaybeSentinel):
        changes["comma"] = cst.MaybeSentinel.DEFAULT
    if isinstance(node, cst.Arg):
        changes["whitespace_after_arg"] = cst.SimpleWhitespace("")
    if isinstance(node, cst.BaseSmallStatement) and not isinstance(getattr(node, "semicolon", cst.MaybeSentinel.DEFAULT),
                                                                   cst.MaybeSentinel):
        changes["semicolon"] = cst.MaybeSentinel.DEFAULT
    return node.with_changes(**changes) if changes else node
