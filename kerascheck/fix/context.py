"""What a fixer sees of the text being fixed: nodes by position, parents, and edits that keep formatting.

Fixes are local, so by default only the statements around the findings are parsed
(kerascheck/fix/statements.py), each indented one inside an `if True:` of its own,
with positions mapped back to the file's lines. What only the whole file can tell
(its module scope, its top-level imports, every use of a name) comes from a parse of
the whole file, made when first asked. A question the pieces cannot answer exactly
raises NeedsWholeFile, and the fix is computed again on the whole file: the pieces
are a shortcut, never a different answer.
"""

from __future__ import annotations

import ast
import bisect
import dataclasses
import warnings
from dataclasses import dataclass
from typing import Optional

import libcst as cst
from libcst._nodes.internal import CodegenState
from libcst._position import CodePosition, CodeRange

from kerascheck import knowledge
from kerascheck.extract import last_tree
from kerascheck.extract.calls import module_resolver
from kerascheck.extract.values import Ref
from kerascheck.fix.cst_parse import parse_module
from kerascheck.fix.edits import Edit, LineIndex, trimmed
from kerascheck.fix.positions import LazyPositions
from kerascheck.fix.statements import statement_runs, uniform_newline

# Nodes without an indented block: their code does not depend on the module's default
# indent, the one thing a piece's module may not share with the whole file's (the
# pieces share its newline: statements.uniform_newline).
_RENDERED_ALIKE = (cst.BaseExpression, cst.Arg, cst.BaseSmallStatement, cst.ImportAlias, cst.BaseElement,
                   cst.BaseDictElement)


class FixUnavailable(Exception):
    """The code around a finding is not in a shape the fix knows how to rewrite."""


class NeedsWholeFile(Exception):
    """The statements parsed around the findings cannot answer this exactly: ask the whole file."""


class WholeFileDoesNotParse(Exception):
    """libcst cannot parse the file: nothing in it can be fixed (--fix could not check its result)."""


@dataclass(frozen=True)
class _Piece:
    """Lines file_first..file_last of the file, parsed from line module_first on."""

    module_first: int
    file_first: int
    file_last: int

    @property
    def module_last(self) -> int:
        return self.module_first + self.file_last - self.file_first


class _Parse:
    """One libcst parse, of the whole file or of pieces of it; positions and parents computed when asked."""

    def __init__(self, module: cst.Module, pieces: Optional[list] = None):
        self.module = module
        self.pieces = pieces  # None: the whole file, its lines as they are (else sorted, disjoint)
        # Each piece's first line, in the file and in the parse: a piece is found by a binary search.
        self._file_firsts = [piece.file_first for piece in pieces] if pieces is not None else []
        self._module_firsts = [piece.module_first for piece in pieces] if pieces is not None else []
        self.positions = LazyPositions(module)
        self._parents: Optional[dict] = None  # id(node) -> parent node
        self._names: dict = {}  # Name.value -> [(Name, parent)]

    def module_line_offset(self, first: int, last: int) -> Optional[int]:
        """What to add to file lines first..last to get this parse's lines; None when they were not parsed."""
        if self.pieces is None:
            return 0
        index = bisect.bisect_right(self._file_firsts, first) - 1  # the last piece starting at or before `first`
        if index >= 0 and last <= self.pieces[index].file_last:
            piece = self.pieces[index]
            return piece.module_first - piece.file_first
        return None

    def file_range(self, node) -> Optional[tuple]:
        """((line, column), (line, column)) of a node in the file; None for a node not of this parse."""
        found = self.positions.range(node)
        if found is None or self.pieces is None:
            return found
        (start_line, start_column), (end_line, end_column) = found
        # The last piece starting at or before the node; the one before it only for an empty node at the very
        # start of a piece, which also ends "at column 0 of the line after" the previous piece (it wins, first).
        index = bisect.bisect_right(self._module_firsts, start_line) - 1
        for piece in self.pieces[max(index - 1, 0):index + 1]:
            # A range may end at column 0 of the line after the piece: a trailing newline.
            if piece.module_first <= start_line and (end_line <= piece.module_last
                                                     or (end_line == piece.module_last + 1 and end_column == 0)):
                offset = piece.file_first - piece.module_first
                return (start_line + offset, start_column), (end_line + offset, end_column)
        raise NeedsWholeFile("a node of the lines added around the pieces")

    def parent(self, node) -> Optional[cst.CSTNode]:
        if self.pieces is None and any(node is statement for statement in self.module.body):
            return self.module  # a top-level statement (an import): no need to walk the file
        self._walk()
        found = self._parents.get(id(node))
        if found is not None and self.pieces is not None:
            if found is self.module:
                raise NeedsWholeFile("the parent of a statement parsed on its own")
            self.file_range(found)  # the `if True:` added around an indented piece: NeedsWholeFile
        return found

    def raw_parents(self) -> dict:
        """id(node) -> parent, as parsed (the lines added around the pieces included): for indentation only."""
        self._walk()
        return self._parents

    def names(self, value: str) -> list:
        """(Name node, its parent) for every Name spelled `value`."""
        self._walk()
        return self._names.get(value, [])

    def _walk(self) -> None:
        """Parents (as libcst's ParentNodeProvider gives them) and Names, in one walk of the fields."""
        if self._parents is not None:
            return
        parents, names = {}, self._names
        stack = [self.module]
        while stack:
            node = stack.pop()
            for name in _child_fields(type(node)):
                value = getattr(node, name)
                children = value if isinstance(value, (tuple, list)) else (value,)
                for child in children:
                    if isinstance(child, cst.CSTNode):
                        parents[id(child)] = node
                        stack.append(child)
                        if isinstance(child, cst.Name):
                            names.setdefault(child.value, []).append((child, node))
        self._parents = parents


_CHILD_FIELDS: dict = {}


def _child_fields(node_type) -> tuple:
    fields = _CHILD_FIELDS.get(node_type)
    if fields is None:
        fields = _CHILD_FIELDS[node_type] = tuple(field.name for field in dataclasses.fields(node_type))
    return fields


class _FilePositions:
    """node -> CodeRange in the file's lines, for nodes of the pieces and of the whole file alike."""

    def __init__(self, context: "FixContext"):
        self._context = context

    def get(self, node, default=None):
        found = self._context._file_range(node)
        if found is None:
            return default
        (start_line, start_column), (end_line, end_column) = found
        return CodeRange(CodePosition(start_line, start_column), CodePosition(end_line, end_column))

    def __getitem__(self, node) -> CodeRange:
        found = self.get(node)
        if found is None:
            raise KeyError(node)
        return found


class FixContext:
    def __init__(self, text: str, near: Optional[list] = None, _whole: Optional[_Parse] = None):
        """near: (first line, last line) of the findings to fix: only the statements around them are
        parsed, the whole file only when asked about (None: the whole file at once)."""
        self.text = text
        self.lines = LineIndex(text)
        self.positions = _FilePositions(self)
        self._resolved = None
        self._ast = None  # ast.Module once parsed, False when it does not parse
        # What the fixes ask about the whole file, computed once per context (a file with thousands of findings
        # asks it thousands of times): see kerascheck/fix/imports.py.
        self.memo: dict = {}
        self._whole: Optional[_Parse] = _whole
        self._local: Optional[_Parse] = self._parse_pieces(near) if near is not None and _whole is None else None
        if self._local is None:
            self._local = self._whole_parse()

    def _parse_pieces(self, near: list) -> Optional[_Parse]:
        runs = statement_runs(self.text, near, self.lines, self.ast_module)
        if not runs:
            return None
        newline = uniform_newline(self.text)
        parts, pieces, module_line = [], [], 1
        for first, last in runs:
            chunk = self.text[self.lines.offset(first, 0):self.lines.line_start_after(last)]
            if chunk[:1] in (" ", "\t"):  # an indented statement: a block of its own
                parts.append("if True:" + newline)
                module_line += 1
            pieces.append(_Piece(module_line, first, last))
            parts.append(chunk)
            module_line += last - first + 1
        try:
            module = parse_module("".join(parts))
        except (cst.ParserSyntaxError, RecursionError):
            return None
        return _Parse(module, pieces)

    def _whole_parse(self) -> _Parse:
        if self._whole is None:
            try:
                self._whole = _Parse(parse_module(self.text))
            except (cst.ParserSyntaxError, RecursionError) as error:
                raise WholeFileDoesNotParse(str(error)) from error
        return self._whole

    @property
    def parsed_whole_file(self) -> bool:
        """True when this context's nodes are those of the whole file (not of pieces of it)."""
        return self._local is self._whole

    def whole_file(self) -> "FixContext":
        """A context of the whole file, sharing this one's parse of it."""
        if self.parsed_whole_file:
            return self
        whole = FixContext(self.text, _whole=self._whole_parse())
        whole._ast, whole._resolved = self._ast, self._resolved  # the ast side is the same file's
        return whole

    @property
    def module(self) -> cst.Module:
        """The whole file's module (parsed on first use when only pieces were)."""
        return self._whole_parse().module

    def _file_range(self, node) -> Optional[tuple]:
        found = self._local.file_range(node)
        if found is None and not self.parsed_whole_file and self._whole is not None:
            found = self._whole.file_range(node)
        return found

    # ---------------------------------------------------------------- finding nodes

    def node_at(self, finding, *types) -> Optional[cst.CSTNode]:
        """The node of one of `types` spanning exactly the finding's range."""
        first, last = finding.line, finding.end_line or finding.line
        offset = self._local.module_line_offset(first, last)
        if offset is None:
            raise NeedsWholeFile("the finding is outside the statements parsed")
        end = (last + offset, (finding.end_column or finding.column) - 1)
        positions = self._local.positions
        for node in positions.starting_at(first + offset, finding.column - 1):
            if positions.range(node)[1] == end and isinstance(node, types):
                return node
        return None

    def parent(self, node: cst.CSTNode) -> Optional[cst.CSTNode]:
        found = self._local.parent(node)
        if found is None and not self.parsed_whole_file and self._whole is not None:
            found = self._whole.parent(node)
        return found

    def names_in_file(self, value: str) -> list:
        """(Name node, its parent) for every Name of the whole file spelled `value`."""
        return self._whole_parse().names(value)

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

    def code_for(self, node: cst.CSTNode, where: Optional[cst.CSTNode] = None) -> str:
        """The code libcst writes for a node in this file, in place of `where` (default: the node itself).

        In place: inside the indented blocks around `where`, whose indentation libcst writes at the start of
        every continuation line of a call spread over lines (Module.code_for_node would write none).
        """
        if not self.parsed_whole_file and not isinstance(node, _RENDERED_ALIKE):
            raise NeedsWholeFile("code with an indented block follows the file's default indent")
        module = self._local.module
        state = CodegenState(default_indent=module.default_indent, default_newline=module.default_newline)
        for indent in self._block_indents(where if where is not None else node):
            state.increase_indent(indent)
        node._codegen(state)
        return "".join(state.tokens)

    def _block_indents(self, node: cst.CSTNode) -> list:
        """The indentation of each indented block around a node of this context's parses, outermost first."""
        for parse in (self._local, self._whole):
            if parse is None:
                continue
            parents = parse.raw_parents()
            if id(node) not in parents:
                continue
            indents = []
            current = parents.get(id(node))
            while current is not None:
                if isinstance(current, cst.IndentedBlock):
                    indents.append(current.indent if current.indent is not None else parse.module.default_indent)
                current = parents.get(id(current))
            return indents[::-1]
        return []  # a node made by a fix, or at the top level

    def render(self, node: cst.CSTNode, where: Optional[cst.CSTNode] = None) -> str:
        """The code of a node as its position range covers it (no own parentheses, comma or semicolon)."""
        return self.code_for(_bare(node), where if where is not None else node)

    def replace(self, old: cst.CSTNode, new) -> Edit:
        """Replace old's range by a node (rendered like old's range, in its place) or by text."""
        start, end = self.span(old)
        if self.text[start:end] != self.render(old):
            raise FixUnavailable(f"position range of {type(old).__name__} does not match its code")
        return Edit(start, end, new if isinstance(new, str) else self.render(new, where=old))

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
        # The pieces have the file's own newline (statements.uniform_newline): no parse of the whole file.
        return self._local.module.default_newline

    # ---------------------------------------------------------------- names

    @property
    def ast_module(self) -> Optional[ast.Module]:
        """The file as CPython's `ast` reads it (cheap: a tenth of a libcst parse); None if it does not parse."""
        if self._ast is None:
            self._ast = last_tree(self.text)  # the tree extraction just built, when it is this text's
        if self._ast is None:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # SyntaxWarning: invalid escape sequences ...
                    self._ast = ast.parse(self.text)
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                self._ast = False
        return self._ast or None

    def _resolver(self):
        if self._resolved is None:
            self._resolved = module_resolver(self.ast_module or ast.Module(body=[], type_ignores=[]))
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
