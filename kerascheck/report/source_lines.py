"""The source lines a report quotes (the `full` format's snippets): each file read once, as the user wrote it.

A notebook's lines are those of the cell, magics included; a buffer checked from stdin is
given by the caller (`context["sources"]`, path -> text), since there is no file to read.
"""

from __future__ import annotations

import json
from typing import Optional


class SourceLines:
    def __init__(self, sources: Optional[dict] = None):
        self._texts = dict(sources or {})  # path -> text (stdin)
        self._lines: dict = {}  # (path, cell) -> list of lines, or None

    def lines(self, path: str, cell: Optional[int] = None) -> Optional[list]:
        key = (path, cell)
        if key not in self._lines:
            self._lines[key] = self._read(path, cell)
        return self._lines[key]

    def _read(self, path: str, cell: Optional[int]) -> Optional[list]:
        text = self._texts.get(path)
        data = None
        if isinstance(text, bytes):  # stdin as read
            data, text = text, None
        elif text is None:
            try:
                with open(path, "rb") as handle:
                    data = handle.read()
            except OSError:
                return None
        if cell is not None:
            try:
                document = json.loads(text if text is not None else data.decode("utf-8-sig"))
                source = document["cells"][cell - 1].get("source", "")
            except (ValueError, KeyError, IndexError, TypeError, AttributeError, UnicodeDecodeError):
                return None
            return ("".join(source) if isinstance(source, list) else str(source)).splitlines()
        if text is None:
            from kerascheck.extract import DecodeError, decode_source

            try:
                text = decode_source(data)
            except DecodeError:
                return None
        return text.splitlines()
