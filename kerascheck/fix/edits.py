"""Text edits: what a fix changes, as ranges of the source it was computed on.

Positions are 1-based lines and 1-based columns counted in characters, end
exclusive, as everywhere else in kerascheck (Finding, Span). Internally an edit
is a pair of character offsets into the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

_NEWLINE = re.compile(r"\r\n|\r|\n")


class LineIndex:
    """Offsets of line starts, splitting lines as Python's tokenizer (and libcst) does."""

    def __init__(self, text: str):
        self.text = text
        self.starts = [0] + [match.end() for match in _NEWLINE.finditer(text)]

    def offset(self, line: int, column: int) -> int:
        """1-based line, 0-based column -> offset."""
        if line - 1 >= len(self.starts):
            return len(self.text)
        return min(self.starts[line - 1] + column, len(self.text))

    def position(self, offset: int) -> tuple:
        """offset -> (1-based line, 1-based column)."""
        low, high = 0, len(self.starts) - 1
        while low < high:
            middle = (low + high + 1) // 2
            if self.starts[middle] <= offset:
                low = middle
            else:
                high = middle - 1
        return low + 1, offset - self.starts[low] + 1

    def line_start_after(self, line: int) -> int:
        """Offset of the start of the line after `line` (the end of the text if there is none)."""
        return self.starts[line] if line < len(self.starts) else len(self.text)


@dataclass(frozen=True)
class Edit:
    start: int  # offsets into the text the fix was computed on
    end: int
    content: str

    def to_json(self, index: LineIndex) -> dict:
        line, column = index.position(self.start)
        end_line, end_column = index.position(self.end)
        return {"line": line, "column": column, "end_line": end_line, "end_column": end_column,
                "content": self.content}


def trimmed(text: str, start: int, end: int, content: str) -> Edit:
    """The edit replacing text[start:end] by content, narrowed to what actually changes."""
    old = text[start:end]
    prefix = 0
    limit = min(len(old), len(content))
    while prefix < limit and old[prefix] == content[prefix]:
        prefix += 1
    suffix = 0
    while suffix < limit - prefix and old[len(old) - 1 - suffix] == content[len(content) - 1 - suffix]:
        suffix += 1
    return Edit(start + prefix, end - suffix, content[prefix:len(content) - suffix])


def overlaps(first: Edit, second: Edit) -> bool:
    """Two edits conflict when their ranges intersect, or both insert at the same point."""
    if first.start == first.end and second.start == second.end:
        return first.start == second.start
    return first.start < second.end and second.start < first.end


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    """Apply non-overlapping edits (the caller has checked) to text."""
    parts = []
    position = 0
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        parts.append(text[position:edit.start])
        parts.append(edit.content)
        position = max(position, edit.end)
    parts.append(text[position:])
    return "".join(parts)
