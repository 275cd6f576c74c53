"""The one finding type every rule produces and every reporter formats, and one file's result."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional


@dataclass
class Finding:
    path: str
    line: int  # 1-based
    column: int  # 1-based
    code: str
    name: str
    message: str
    end_line: Optional[int] = None
    end_column: Optional[int] = None
    # Evidence from the runtime pass, when it ran (JSON object).
    runtime: Optional[dict] = None
    # A fix (set by the fix machinery): dict with 'safety' and 'edits'.
    fix: Optional[dict] = field(default=None, repr=False)
    # In a notebook: the cell (1-based, every cell counted, as ruff); line is then the line in that cell.
    cell: Optional[int] = None

    def sort_key(self) -> tuple:
        return (self.path, self.cell or 0, self.line, self.column, self.code, self.message)

    def to_json(self) -> dict:
        data = {
            "path": self.path,
            **({"cell": self.cell} if self.cell is not None else {}),
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line if self.end_line is not None else self.line,
            "end_column": self.end_column if self.end_column is not None else self.column,
            "code": self.code,
            "name": self.name,
            "message": self.message,
        }
        if self.runtime is not None:
            data["runtime"] = self.runtime
        if self.fix is not None:
            data["fix"] = self.fix
        return data


@dataclass
class FileResult:
    """One file checked: its findings, its facts when kept, or the internal error that stopped its check."""

    path: str
    findings: list = field(default_factory=list)
    facts: Any = None  # kerascheck.facts.FileFacts, when kept
    internal_error: Optional[str] = None
    fix_counts: tuple = (0, 0)  # (attached, hidden): set by kerascheck.pipeline when it attaches fixes
    # The program's other modules its findings rest on: (path, content digest, stat key), from FileFacts.
    dependencies: tuple = ()


def display_path(path: Path) -> str:
    """A path as findings show it: relative to the working directory when inside it, as given otherwise."""
    try:
        return os.path.relpath(path) if not os.path.relpath(path).startswith("..") else str(path)
    except ValueError:  # another drive on Windows
        return str(path)
