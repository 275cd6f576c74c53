"""`--output-format pylint`: `path:line: [CODE] message`, as ruff writes it for tools that read pylint's
parseable output (Jenkins' Warnings NG, SonarQube's pylint import). No column: the format has none. In a
notebook the line is the cell's and the cell goes into the message."""

from __future__ import annotations

from kerascheck.report import line_message


def render(findings: list, context: dict) -> str:
    lines = []
    for finding in findings:
        where = f" (cell {finding.cell})" if finding.cell is not None else ""
        lines.append(f"{finding.path}:{finding.line}: [{finding.code}] {line_message(finding)}{where}")
    return "\n".join(lines) + ("\n" if lines else "")
