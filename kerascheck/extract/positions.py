"""Node positions, exactly as libcst's PositionProvider gives them, at a fraction of the cost.

libcst's PositionProvider regenerates the whole module through a codegen state
that splits every token with a regular expression, allocates two CodePosition
objects and a CodeRange for every node, and enters a generator-based context
manager for every syntactic node: on Keras source it costs about twice the parse
itself. This state follows the very same rules (the same codegen, the same
whitespace-inclusive range unless a syntactic one was recorded, the same
start/end hoisting from child nodes) but keeps plain tuples and builds a
CodeRange only for the few nodes the interpreter asks about.

`tests/test_hostile.py` and `bench/` check it against PositionProvider, node
for node, on real files.
"""

from __future__ import annotations

from typing import Optional

import libcst as cst
from libcst._nodes.internal import CodegenState
from libcst._position import CodePosition, CodeRange


class _LeanPositionState(CodegenState):
    """A CodegenState that tracks (line, column) like libcst's position states, cheaply.

    Positions are keyed by id(node) (libcst's __hash__ is a Python-level call);
    the LazyPositions that owns the table keeps the module, so ids stay valid.
    The state is its own context manager for record_syntactic_position: no
    object per call.
    """

    # CodegenState is a slotted dataclass; plain attributes need a __dict__ here.
    def __init__(self, default_indent: str, default_newline: str):
        super().__init__(default_indent=default_indent, default_newline=default_newline)
        self.line = 1  # one-indexed
        self.column = 0  # zero-indexed
        self.stack: list = []
        self.syntactic: list = []
        self.computed: dict = {}  # id(node) -> ((line, column), (line, column))

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
        self.computed.setdefault(id(node), (self.stack.pop(), (self.line, self.column)))

    def record_syntactic_position(self, node, *, start_node=None, end_node=None):
        self.syntactic.append((node, start_node, end_node, (self.line, self.column)))
        return self

    def __enter__(self):
        return None

    def __exit__(self, *exc):
        node, start_node, end_node, start = self.syntactic.pop()
        computed = self.computed
        if start_node is not None:
            start = computed[id(start_node)][0]
        end = computed[id(end_node)][1] if end_node is not None else (self.line, self.column)
        computed[id(node)] = (start, end)
        return False


class LazyPositions:
    """A read-only mapping node -> CodeRange, the interface of PositionProvider's result.

    Nothing is computed until the first look-up: most files ask for no position
    at all (no compile() of a Keras model in them).
    """

    def __init__(self, module: cst.Module):
        self._module = module
        self._computed: Optional[dict] = None
        self._ranges: dict = {}

    def _table(self) -> dict:
        if self._computed is None:
            module = self._module
            state = _LeanPositionState(module.default_indent, module.default_newline)
            module._codegen(state)
            self._computed = state.computed
        return self._computed

    def get(self, node, default=None):
        found = self._ranges.get(node)
        if found is not None:
            return found
        raw = self._table().get(id(node))
        if raw is None:
            return default
        (start_line, start_column), (end_line, end_column) = raw
        found = CodeRange(CodePosition(start_line, start_column), CodePosition(end_line, end_column))
        self._ranges[node] = found
        return found

    def __getitem__(self, node) -> CodeRange:
        found = self.get(node)
        if found is None:
            raise KeyError(node)
        return found

    def __contains__(self, node) -> bool:
        return id(node) in self._table()

    def __len__(self) -> int:
        return len(self._table())


def lean_positions(module: cst.Module) -> LazyPositions:
    return LazyPositions(module)


__all__ = ["LazyPositions", "lean_positions"]
