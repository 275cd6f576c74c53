"""Node positions of a parsed module, exactly as libcst's PositionProvider gives them, computed lazily.

PositionProvider regenerates the whole module through a codegen state that builds a
CodeRange for every node; with ParentNodeProvider it cost the fixer about three parses
of the file. This state follows the very same rules (the same codegen, the same
whitespace-inclusive range unless a syntactic one was recorded, the same start/end
hoisting from child nodes) but keeps plain tuples, and generates the module one
top-level statement at a time, only as far as a question needs: positions only
depend on the code before a node, so the imports at the top of a file are answered
without generating the rest of it. (Extraction reads CPython's `ast`; only fixes need this.)
"""

from __future__ import annotations

from typing import Optional

import libcst as cst
from libcst._nodes.internal import CodegenState


class _LeanPositionState(CodegenState):
    """A CodegenState that tracks (line, column) as libcst's PositionProvidingCodegenState does.

    `computed` maps id(node) -> (node, (line, column), (line, column)) in the order
    PositionProvider fills its mapping; the node is kept, so ids stay valid.
    `by_start` maps a start position to the ids recorded there, so that the nodes
    starting at a position are found without a scan of every node (a file with
    thousands of findings asks once per finding).
    The state is its own context manager for record_syntactic_position: no object
    per call.
    """

    # CodegenState is a slotted dataclass; plain attributes need a __dict__ here.
    def __init__(self, default_indent: str, default_newline: str):
        super().__init__(default_indent=default_indent, default_newline=default_newline)
        self.line = 1  # one-indexed
        self.column = 0  # zero-indexed
        self.stack: list = []
        self.syntactic: list = []
        self.computed: dict = {}
        self.by_start: dict = {}  # (line, column) -> [id(node)], in the order they were recorded
        self.rank: dict = {}  # id(node) -> its place in `computed` (the order of first record)

    def add_indent_tokens(self) -> None:
        for token in self.indent_tokens:
            self.add_token(token)

    def add_token(self, value: str) -> None:
        self.tokens.append(value)
        if "\n" in value or "\r" in value:
            # Same rule as libcst's NEWLINE_RE (\r\n?|\n).
            normalised = value.replace("\r\n", "\n").replace("\r", "\n")
            self.line += normalised.count("\n")
            self.column = len(normalised) - normalised.rfind("\n") - 1
        else:
            self.column += len(value)

    def before_codegen(self, node) -> None:
        self.stack.append((self.line, self.column))

    def after_codegen(self, node) -> None:
        # A syntactic range recorded inside the node's codegen wins (as in libcst).
        start = self.stack.pop()
        key = id(node)
        if key not in self.computed:
            self.rank[key] = len(self.computed)
            self.computed[key] = (node, start, (self.line, self.column))
            found = self.by_start.get(start)
            if found is None:
                self.by_start[start] = [key]
            else:
                found.append(key)

    def record_syntactic_position(self, node, *, start_node=None, end_node=None):
        self.syntactic.append((node, start_node, end_node, (self.line, self.column)))
        return self

    def __enter__(self):
        return None

    def __exit__(self, *exc):
        node, start_node, end_node, start = self.syntactic.pop()
        computed = self.computed
        if start_node is not None:
            start = computed[id(start_node)][1]
        end = computed[id(end_node)][2] if end_node is not None else (self.line, self.column)
        key = id(node)
        previous = computed.get(key)
        if previous is None:
            self.rank[key] = len(computed)
        computed[key] = (node, start, end)
        if previous is None or previous[1] != start:
            self.by_start.setdefault(start, []).append(key)
        return False


class LazyPositions:
    """(start, end) of a module's nodes, as ((line, column), (line, column)); lines 1-based, columns 0-based."""

    def __init__(self, module: cst.Module):
        self.module = module
        self._state: Optional[_LeanPositionState] = None
        self._generated = 0  # top-level statements generated so far
        self._complete = False

    def _generate_next(self) -> bool:
        """Generate one more top-level statement; False when the body is done."""
        module = self.module
        if self._state is None:
            self._state = _LeanPositionState(module.default_indent, module.default_newline)
            for line in module.header:
                line._codegen(self._state)
        if self._generated >= len(module.body):
            return False
        module.body[self._generated]._codegen(self._state)
        self._generated += 1
        return True

    def _complete_table(self) -> dict:
        """Every node, the module's footer and the module itself included: one codegen of the whole module."""
        if not self._complete:
            state = _LeanPositionState(self.module.default_indent, self.module.default_newline)
            self.module._codegen(state)
            self._state, self._generated, self._complete = state, len(self.module.body), True
        return self._state.computed

    def range(self, node) -> Optional[tuple]:
        while not self._complete:
            if self._state is not None and id(node) in self._state.computed:
                break
            if not self._generate_next():
                self._complete_table()
        found = self._state.computed.get(id(node))
        return None if found is None else (found[1], found[2])

    def starting_at(self, line: int, column: int) -> list:
        """The nodes whose range starts at (line, column), in PositionProvider's order."""
        # Statements are generated in order: once the codegen has passed `line`, no later
        # statement holds a node that starts on it.
        while not self._complete and (self._state is None or self._state.line <= line):
            if not self._generate_next():
                self._complete_table()
        computed = self._state.computed
        found = []
        for key in self._state.by_start.get((line, column), ()):
            node, start, _ = computed[key]
            if start == (line, column) and not any(node is seen for seen in found):
                found.append(node)
        # PositionProvider's order is the order of first record (dict order): an id recorded again at a
        # new start (a syntactic range replacing a node's own) keeps its first place.
        rank = self._state.rank
        found.sort(key=lambda node: rank[id(node)])
        return found

