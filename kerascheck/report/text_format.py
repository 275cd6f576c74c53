"""flake8-style text: one finding a line, `path:line:col: CODE message`."""

from __future__ import annotations


def render(findings: list, context: dict) -> str:
    lines = []
    for finding in findings:
        marker = " [*]" if finding.fix else ""
        cell = f"cell {finding.cell}:" if finding.cell is not None else ""
        lines.append(f"{finding.path}:{cell}{finding.line}:{finding.column}: {finding.code}{marker} {finding.message}")
    return "\n".join(lines) + ("\n" if lines else "")
