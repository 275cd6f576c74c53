"""Reading, writing and showing fixed files: encodings kept, writes atomic, diffs unified."""

from __future__ import annotations

import difflib
import io
import tokenize
from typing import Optional


def decode(data: bytes) -> Optional[tuple]:
    """(text, encoding to write it back with) as CPython reads the file; None when it cannot be decoded."""
    if b"\x00" in data:
        return None
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return data.decode(encoding), encoding  # 'utf-8-sig' keeps a BOM on the way back
    except (SyntaxError, UnicodeDecodeError, LookupError):
        return None


def unified_diff(before: str, after: str, shown: str) -> str:
    """A unified diff as `ruff check --diff` prints it (the path on both header lines)."""
    lines = []
    for line in difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                     fromfile=shown, tofile=shown):
        if not line.endswith(("\n", "\r")):
            line += "\n\\ No newline at end of file\n"
        lines.append(line)
    return "".join(lines)
