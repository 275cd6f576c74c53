"""The one finding type every rule produces and every reporter formats."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional


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
