"""The lines a fix has to parse: the smallest run of whole statements around each finding.

Fixes are local (the node at a finding, its call, its arguments), and an expression
parses to the same nodes whether libcst reads it within the whole file or within the
statement that holds it. CPython's ast, several times faster than libcst, tells where
the statements are. A run of statements is taken only when it owns its lines
outright: nothing but indentation before it, nothing but a comment after it;
statements joined by `;` go together. When unsure the answer is None, and the caller
parses the whole file.
"""

from __future__ import annotations

import ast
import bisect
import warnings
from typing import Optional

from kerascheck.fix.edits import LineIndex

_INDENTATION = b" \t"


def uniform_newline(text: str) -> Optional[str]:
    """'\\n' or '\\r\\n' when every line ends that way, else None.

    libcst renders new code with the file's first newline, and the pieces must agree
    with the whole file on it; ast also counts lines as libcst does only then.
    """
    carriage_returns = text.count("\r")
    if carriage_returns == 0:
        return "\n"
    if carriage_returns == text.count("\r\n") == text.count("\n"):
        return "\r\n"
    return None


def statement_runs(text: str, ranges: list, lines: LineIndex, tree: Optional[ast.Module] = None) -> Optional[list]:
    """Sorted, disjoint (first line, last line) of the statement runs holding the (first, last) ranges.

    `tree`: the text's ast, when already parsed. None when the file does not parse with ast or
    its newlines are mixed. A range no run
    holds (a finding outside any statement) is left out: the caller asks the whole file.
    """
    if uniform_newline(text) is None:
        return None
    if tree is None:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # SyntaxWarning: invalid escape sequences ...
                tree = ast.parse(text)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return None
    source = _SourceLines(text, lines)
    firsts: dict = {}  # id(statement list) -> the first line of each statement: a binary search per range
    runs = set()
    for first, last in ranges:
        run = _run_in(tree.body, first, last, source, firsts)
        if run is not None:
            runs.add(run)
    return _outermost(runs)


def _outermost(runs: set) -> list:
    """The runs not inside another one (runs are nested or disjoint: they are whole statements)."""
    kept = []
    for first, last in sorted(runs, key=lambda run: (run[0], -run[1])):
        if kept and first <= kept[-1][1]:
            continue
        kept.append((first, last))
    return kept


def _first_line(statement: ast.stmt) -> int:
    decorators = getattr(statement, "decorator_list", None)
    return decorators[0].lineno if decorators else statement.lineno


def _blocks(statement: ast.stmt):
    """The statement lists inside a compound statement (bodies, else, finally, handlers, cases)."""
    for _, value in ast.iter_fields(statement):
        if not isinstance(value, list) or not value:
            continue
        if isinstance(value[0], ast.stmt):
            yield value
        else:
            for item in value:  # except handlers, match cases
                body = getattr(item, "body", None)
                if isinstance(body, list) and body and isinstance(body[0], ast.stmt):
                    yield body


def _run_in(body: list, first: int, last: int, source: "_SourceLines", firsts: dict) -> Optional[tuple]:
    lines = firsts.get(id(body))
    if lines is None:
        lines = firsts[id(body)] = [_first_line(statement) for statement in body]
    # Statements are in order and do not overlap: only the last one starting at or before `first` can hold it.
    index = bisect.bisect_right(lines, first) - 1
    if index < 0:
        return None
    statement = body[index]
    if last <= statement.end_lineno:
        for block in _blocks(statement):
            inner = _run_in(block, first, last, source, firsts)
            if inner is not None:
                return inner
        return _aligned_run(body, index, source)
    return None


def sharing_lines(body: list, index: int) -> tuple:
    """(start, end) indices of body[index] and the siblings joined to it on shared lines (`a; b`)."""
    start = end = index
    while start > 0 and _first_line(body[start]) <= body[start - 1].end_lineno:
        start -= 1
    while end + 1 < len(body) and _first_line(body[end + 1]) <= body[end].end_lineno:
        end += 1
    return start, end


def _aligned_run(body: list, index: int, source: "_SourceLines") -> Optional[tuple]:
    """(first, last) lines of body[index] and the siblings sharing its lines, when they own them."""
    start, end = sharing_lines(body, index)
    if not source.starts_its_line(body[start]) or not source.ends_its_line(body[end]):
        return None
    return _first_line(body[start]), body[end].end_lineno


class _SourceLines:
    """Lines of the text as UTF-8 bytes, the unit of ast's column offsets."""

    def __init__(self, text: str, lines: LineIndex):
        self.text = text
        self.lines = lines

    def line(self, number: int) -> bytes:
        start = self.lines.offset(number, 0)
        end = self.lines.line_start_after(number)
        return self.text[start:end].rstrip("\r\n").encode("utf-8", "surrogatepass")

    def starts_its_line(self, statement: ast.stmt) -> bool:
        decorators = getattr(statement, "decorator_list", None)
        if decorators:  # `@` and the decorator's expression: `    @ tf.function`
            before = self.line(decorators[0].lineno)[:decorators[0].col_offset]
            indentation = before.rstrip(_INDENTATION)
            return indentation[-1:] == b"@" and not indentation[:-1].strip(_INDENTATION)
        before = self.line(statement.lineno)[:statement.col_offset]
        return not before.strip(_INDENTATION)

    def ends_its_line(self, statement: ast.stmt) -> bool:
        after = self.line(statement.end_lineno)[statement.end_col_offset:].strip(_INDENTATION)
        if after.startswith(b";"):
            after = after[1:].strip(_INDENTATION)
        return not after or after.startswith(b"#")
