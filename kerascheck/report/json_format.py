"""A JSON array of findings, 1-based lines and columns."""

from __future__ import annotations

import json

from kerascheck.report.messages import message


def finding_json(finding) -> dict:
    data = {
        "path": finding.path,
        **({"cell": finding.cell} if finding.cell is not None else {}),
        "line": finding.line,
        "column": finding.column,
        "end_line": finding.end_line if finding.end_line is not None else finding.line,
        "end_column": finding.end_column if finding.end_column is not None else finding.column,
        "code": finding.code,
        "name": finding.name,
        "message": message(finding),
    }
    if finding.runtime is not None:
        data["runtime"] = finding.runtime
    fix = finding.fix_json()
    if fix is not None:
        data["fix"] = fix
    if finding.output is not None:
        data["output"] = finding.output
    return data


def render(findings: list, context: dict) -> str:
    return json.dumps([finding_json(finding) for finding in findings], indent=2, ensure_ascii=False) + "\n"
