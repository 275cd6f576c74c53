"""`--output-format junit`: JUnit XML, for CI test report views (GitLab's `reports: junit:`, Jenkins,
Azure Pipelines).

One `<testsuite>` per checked file; in it one failing `<testcase>` per finding (named by
its code and rule, the message and position in its `<failure>`), or, for a file without
findings, one passing test case, so a clean run shows what was checked instead of an
empty report. Only the attributes of the common JUnit schema (Jenkins' junit-10.xsd,
which the tests validate against) are written. Lines and columns are kerascheck's own,
1-based, in the failure's text; in a notebook the cell too.
"""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from kerascheck.report import message


def _position(finding) -> str:
    """The one place where a finding's position is written for JUnit readers (1-based, as kerascheck's)."""
    cell = f"cell {finding.cell}, " if finding.cell is not None else ""
    return f"{cell}line {finding.line}, column {finding.column}"


def _text(value: str) -> str:
    # XML 1.0 cannot carry most control characters, even escaped: a message quoting odd source keeps the rest.
    return "".join(char if char in "\t\n\r" or ord(char) >= 0x20 else "\ufffd" for char in value)


def render(findings: list, context: dict) -> str:
    by_path: dict = {}
    for path in context.get("files") or ():
        by_path.setdefault(Path(path).as_posix() if path != "-" else path, [])
    for finding in findings:
        by_path.setdefault(Path(finding.path).as_posix(), []).append(finding)
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             f'<testsuites name="kerascheck" tests="{sum(max(len(f), 1) for f in by_path.values())}" '
             f'failures="{len(findings)}" errors="0">']
    for path, file_findings in sorted(by_path.items()):
        name = quoteattr(_text(path))
        classname = quoteattr(_text(path.rsplit(".", 1)[0].replace("/", ".")))
        lines.append(f'  <testsuite name={name} tests="{max(len(file_findings), 1)}" '
                     f'failures="{len(file_findings)}" errors="0" skipped="0" file={name}>')
        if not file_findings:
            lines.append(f'    <testcase name="kerascheck" classname={classname}/>')
        for finding in file_findings:
            lines.append(f'    <testcase name={quoteattr(f"{finding.code} {finding.name}")} classname={classname}>')
            lines.append(f'      <failure type={quoteattr(finding.code)} message={quoteattr(_text(message(finding)))}>'
                         f'{escape(_text(f"{path}: {_position(finding)}: {message(finding)}"))}</failure>')
            lines.append('    </testcase>')
        lines.append('  </testsuite>')
    lines.append('</testsuites>')
    return "\n".join(lines) + "\n"
