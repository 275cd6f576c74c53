"""flake8-style text: one finding a line, `path:line:col: CODE message`; `[*]` when its fix applies."""

from __future__ import annotations

from kerascheck.report import marked, message


def render(findings: list, context: dict) -> str:
    lines = []
    for finding in findings:
        marker = " [*]" if marked(finding, context) else ""
        cell = f"cell {finding.cell}:" if finding.cell is not None else ""
        lines.append(f"{finding.path}:{cell}{finding.line}:{finding.column}: {finding.code}{marker} {message(finding)}")
    return "\n".join(lines) + ("\n" if lines else "")
