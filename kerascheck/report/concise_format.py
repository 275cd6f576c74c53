"""`--output-format concise` (also `text`): one finding a line, `path:line:col: CODE message`, flake8's and ruff's
concise format, which editors' problem matchers, Vim's `errorformat` and Emacs' `M-x compile` read. Lines and
columns are kerascheck's own, 1-based; in a notebook the cell comes first (`nb.ipynb:cell 3:2:7:`), as ruff
writes it."""

from __future__ import annotations

from kerascheck.report import line_message
from kerascheck.report.full_format import fix_marker


def render(findings: list, context: dict) -> str:
    lines = []
    for finding in findings:
        cell = f"cell {finding.cell}:" if finding.cell is not None else ""
        lines.append(f"{finding.path}:{cell}{finding.line}:{finding.column}: {finding.code}"
                     f"{fix_marker(finding, context)} {line_message(finding)}")
    return "\n".join(lines) + ("\n" if lines else "")
