"""GitHub Actions workflow commands: `::error file=...,line=...,col=...,title=KC101::message`.

A step that runs `kerascheck --output-format github` annotates the pull request's
diff with every finding. Lines and columns are 1-based, as GitHub wants. A
notebook finding is a file-level annotation (GitHub's lines are the lines of the
.ipynb JSON, not of a cell), with the cell in its title.
"""

from __future__ import annotations

from kerascheck.report.messages import message


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(finding) -> str:
    properties = [f"file={_escape_property(finding.path)}"]
    title = finding.code
    if finding.cell is None:
        properties.append(f"line={finding.line}")
        properties.append(f"col={finding.column}")
        if finding.end_line is not None:
            properties.append(f"endLine={finding.end_line}")
        if finding.end_column is not None and (finding.end_line in (None, finding.line)):
            properties.append(f"endColumn={finding.end_column}")
    else:
        title = f"{finding.code} (cell {finding.cell}, line {finding.line}, column {finding.column})"
    properties.append(f"title={_escape_property(title)}")
    return f"::error {','.join(properties)}::{_escape_data(message(finding))}"


def render(findings: list, context: dict) -> str:
    return "".join(annotation(finding) + "\n" for finding in findings)
