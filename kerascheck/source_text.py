"""Bytes -> source text, as CPython decodes a file: BOM, PEP 263 cookie, else UTF-8.

Its own module, below extraction: the baseline, the source lines of the reports and the import
follower of extract/project.py decode files without importing the extractor.
"""

from __future__ import annotations

import io
import re
import tokenize


class DecodeError(Exception):
    """Why a file cannot be decoded, and where (1-based line and column, in characters of that line)."""

    def __init__(self, message: str, line: int = 1, column: int = 1):
        super().__init__(message)
        self.line, self.column = line, column


def _position_of_byte(data: bytes, offset: int, encoding: str) -> tuple:
    """(line, column) of a byte offset: 1-based, the column in characters of that line before it."""
    line_start = data.rfind(b"\n", 0, offset) + 1
    try:
        column = len(data[line_start:offset].decode(encoding, errors="replace")) + 1
    except LookupError:
        column = offset - line_start + 1
    return data.count(b"\n", 0, offset) + 1, column


def decode_source(data: bytes) -> str:
    """Decode like CPython: BOM, PEP 263 cookie, else UTF-8."""
    if b"\x00" in data:
        line, column = _position_of_byte(data, data.index(b"\x00"), "latin-1")
        raise DecodeError(f"a NUL byte at line {line}, column {column} (binary file?)", line, column)
    try:
        encoding, cookie_lines = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as error:
        # PEP 263: the declaration is on line 1 or 2.
        line = 1 if re.match(rb"[ \t\f]*#[^\n]*coding[:=]", data) else 2
        raise DecodeError(f"bad encoding declaration on line {line}: {error}", line) from None
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as error:
        line, column = _position_of_byte(data, error.start, encoding)
        byte = data[error.start:error.start + 1].hex()
        raise DecodeError(f"line {line}, column {column}: byte 0x{byte} is not valid {encoding} ({error.reason}); "
                          f"save the file as UTF-8 or declare its encoding on the first line "
                          f"(# -*- coding: latin-1 -*-)", line, column) from None
    except LookupError as error:
        raise DecodeError(f"cannot decode as {encoding}: {one_line(str(error))}") from None
    if text.startswith("\ufeff"):
        text = text[1:]
    return text


def one_line(text: str, limit: int = 120) -> str:
    """`text` on one line, cut to `limit` characters."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
