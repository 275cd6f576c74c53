"""`--output-format json-lines`: one JSON object a line, each exactly an element of `--output-format json`
(1-based lines and columns), for `jq -c`, log shippers and streaming readers."""

from __future__ import annotations

import json

from kerascheck.report.json_format import finding_json


def render(findings: list, context: dict) -> str:
    return "".join(json.dumps(finding_json(finding), ensure_ascii=False) + "\n" for finding in findings)
