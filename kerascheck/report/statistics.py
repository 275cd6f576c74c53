"""`--statistics`: how many findings of each code, and how many of them `--fix` would fix, as ruff prints it.

    3	KC201	[ ] softmax-output-with-binary-crossentropy
    2	KC301	[*] keras1-layer-argument

Sorted by count (most first), then code. `[*]`: some of them have a fix `--fix` applies
(with `--unsafe-fixes`, unsafe ones too). With `--output-format json` (or json-lines),
the same as JSON objects: code, name, count, fixable, fixable_count.
"""

from __future__ import annotations

import json
from collections import Counter

from kerascheck.report.full_format import fix_marker


def rows(findings: list, context: dict) -> list:
    counts, fixable, names = Counter(), Counter(), {}
    for finding in findings:
        counts[finding.code] += 1
        names[finding.code] = finding.name
        if fix_marker(finding, context):
            fixable[finding.code] += 1
    return [{"code": code, "name": names[code], "count": count, "fixable": fixable[code] > 0,
             "fixable_count": fixable[code]}
            for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]


def render(findings: list, context: dict, output_format: str = "concise") -> str:
    table = rows(findings, context)
    if output_format == "json":
        return json.dumps(table, indent=2) + "\n"
    if output_format == "json-lines":
        return "".join(json.dumps(row) + "\n" for row in table)
    if not table:
        return ""
    count_width = max(len(str(row["count"])) for row in table)
    code_width = max(len(row["code"]) for row in table)
    return "".join(f"{row['count']:>{count_width}}\t{row['code']:<{code_width}}\t"
                   f"{'[*]' if row['fixable'] else '[ ]'} {row['name']}\n" for row in table)
