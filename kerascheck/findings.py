"""The one finding type every rule produces and every reporter formats, and one file's result."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from kerascheck.intents import Fix


@dataclass
class Finding:
    path: str
    line: int  # 1-based
    column: int  # 1-based
    code: str
    name: str
    message: str  # as the rule wrote it: nothing rewrites it; renderers add the runtime's evidence (report.message)
    end_line: Optional[int] = None
    end_column: Optional[int] = None
    # Evidence from the runtime pass, when it ran (JSON object): kerascheck/runtime/verify.py.
    runtime: Optional[dict] = None
    # What the rule says to change (kerascheck/intents.py): its message, safety and changes. None: no fix.
    fix: Optional[Fix] = field(default=None, repr=False)
    # The fix as text edits of the file, when computed (the formats that print fixes): a list of
    # {line, column, end_line, end_column, content} (and `cell` in a notebook). None: not computed.
    edits: Optional[list] = field(default=None, repr=False)
    # In a notebook: the cell (1-based, every cell counted, as ruff); line is then the line in that cell.
    cell: Optional[int] = None
    # The output the finding is about (KC1, KC2): {activation, units, line (of its layer), cell (in a notebook)}.
    output: Optional[dict] = None

    def sort_key(self) -> tuple:
        return (self.path, self.cell or 0, self.line, self.column, self.code, self.message)

    def fix_json(self) -> Optional[dict]:
        """The fix as the machine formats print it; None without a fix or before its edits are computed."""
        if self.fix is None or self.edits is None:
            return None
        return {"safety": self.fix.safety, "message": self.fix.message, "edits": self.edits}

    # The results cache keeps findings as JSON: every field, the fix intent as plain data.

    def to_cache(self) -> dict:
        data = dict(vars(self))
        if self.fix is not None:
            data["fix"] = self.fix.to_json()
        return data

    @classmethod
    def from_cache(cls, data: dict) -> "Finding":
        data = dict(data)
        if data.get("fix") is not None:
            data["fix"] = Fix.from_json(data["fix"])
        return cls(**data)


@dataclass
class FileResult:
    """One file checked: its findings, its facts when kept, or the internal error that stopped its check."""

    path: str
    findings: list = field(default_factory=list)
    facts: Any = None  # kerascheck.facts.FileFacts, when kept
    internal_error: Optional[str] = None
    # The program's other modules its findings rest on: (path, content digest, stat key), from FileFacts.
    dependencies: tuple = ()


def display_path(path: Path) -> str:
    """A path as findings show it: relative to the working directory when inside it, as given otherwise."""
    try:
        return os.path.relpath(path) if not os.path.relpath(path).startswith("..") else str(path)
    except ValueError:  # another drive on Windows
        return str(path)
