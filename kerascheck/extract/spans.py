"""Spans and source text of `ast` nodes, in the units findings use.

CPython's `ast` gives 1-based lines and 0-based columns counted in UTF-8 bytes;
findings (like flake8's and ruff's) count columns in characters. Lines that are
pure ASCII need no conversion, which is nearly every line of nearly every file.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from typing import Optional

from kerascheck.facts import Span

# The line ends CPython's tokenizer counts: \r\n, a lone \r, \n (not \f or \u2028).
_LINE_END = re.compile(r"\r\n|\r|\n")
NO_SPAN = Span(1, 1, 1, 1)


class SourceSpans:
    def __init__(self, text: str):
        self.text = text
        self.ascii = text.isascii()
        self._line_starts: Optional[list] = None  # character offset of each line's start, index 0 = line 1

    def line_starts(self) -> list:
        if self._line_starts is None:
            starts = [0]
            starts.extend(match.end() for match in _LINE_END.finditer(self.text))
            self._line_starts = starts
        return self._line_starts

    def column(self, line: int, byte_column: int) -> int:
        """0-based character column of a 0-based UTF-8 byte column on a 1-based line."""
        if self.ascii:
            return byte_column
        starts = self.line_starts()
        if not 1 <= line <= len(starts):
            return byte_column
        start = starts[line - 1]
        end = starts[line] if line < len(starts) else len(self.text)
        line_text = self.text[start:end]
        if line_text.isascii():
            return byte_column
        return len(line_text.encode("utf-8")[:byte_column].decode("utf-8", errors="ignore"))

    def span(self, node) -> Span:
        """The node's range: 1-based lines and columns, end exclusive.

        As libcst (the fixes' tree) has it, so a fix finds the node a finding points at: a
        parenthesized tuple's range is its elements, where `ast` counts the parentheses in.
        """
        line = getattr(node, "lineno", None)
        end_line = getattr(node, "end_lineno", None)
        if line is None or end_line is None:
            return NO_SPAN
        span = Span(line, self.column(line, node.col_offset) + 1,
                    end_line, self.column(end_line, node.end_col_offset) + 1)
        if isinstance(node, ast.Tuple):
            text = self._text_of(span)
            content = _tuple_content(text) if text is not None else None
            if content is not None:
                (start_row, start_column), (end_row, end_column) = content
                span = Span(span.line + start_row - 1, start_column + (span.column if start_row == 1 else 1),
                            span.line + end_row - 1, end_column + (span.column if end_row == 1 else 1))
        return span

    def source(self, node) -> Optional[str]:
        """The node's own text (without the parentheses around it)."""
        span = self.span(node)
        return None if span is NO_SPAN else self._text_of(span)

    def _text_of(self, span: Span) -> Optional[str]:
        starts = self.line_starts()
        if span.end_line > len(starts):
            return None
        return self.text[starts[span.line - 1] + span.column - 1:starts[span.end_line - 1] + span.end_column - 1]


def _tuple_content(text: str) -> Optional[tuple]:
    """((row, column), (row, column)) of a parenthesized tuple's elements, trailing comma included.

    '(a, b,)' -> the range of 'a, b,'; None for 'a, b' and '(a), (b)' (no parentheses of its own).
    Rows count from 1 within `text`, columns from 0 in characters, the end is exclusive.
    """
    if not (text.startswith("(") and text.endswith(")")):
        return None
    try:
        tokens = [token for token in tokenize.generate_tokens(io.StringIO(text).readline)
                  if token.type not in _NOT_CODE]
    except (tokenize.TokenError, SyntaxError):
        return None
    depth = 0
    for index, token in enumerate(tokens):
        if token.type == tokenize.OP and token.string in "([{":
            depth += 1
        elif token.type == tokenize.OP and token.string in ")]}":
            depth -= 1
            if depth == 0 and index != len(tokens) - 1:
                return None  # '(a), (b)': the first parenthesis closes early
    inner = tokens[1:-1]
    if not inner:  # '()': an empty range just inside
        return tokens[0].end, tokens[0].end
    return inner[0].start, inner[-1].end


_NOT_CODE = (tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT, tokenize.ENDMARKER, tokenize.INDENT, tokenize.DEDENT)
