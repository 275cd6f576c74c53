"""A JSON array of findings, 1-based lines and columns."""

from __future__ import annotations

import json


def render(findings: list, context: dict) -> str:
    return json.dumps([finding.to_json() for finding in findings], indent=2, ensure_ascii=False) + "\n"
