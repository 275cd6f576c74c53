"""SARIF 2.1.0, with every field GitHub code scanning reads.

- `tool.driver.rules`: every rule, with id, name, short description (the
  summary), full description (its "What it does"), help (its whole
  documentation, text and markdown) and a default level;
- `results`: ruleId, ruleIndex, level, message, one location with a region
  (1-based lines and columns, end column exclusive, counted in Unicode code
  points as `columnKind` says);
- URIs relative to the repository root (`%SRCROOT%`, the folder holding `.git`
  above the working directory, else the working directory), as code scanning
  wants them.

In a notebook the region is in the cell's lines and `properties.cell` names the cell.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.parse import quote

from kerascheck import __version__
from kerascheck.report import message
from kerascheck.rules import all_rules
from kerascheck.rules.base import DOC_SECTIONS

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"


def rule_markdown(rule, heading_level: int = 1) -> str:
    """A rule's documentation as markdown: the generated docs/rules.md and SARIF help use this."""
    hashes = "#" * heading_level
    parts = [f"{hashes} {rule.code} {rule.name}", "", f"{rule.summary}."]
    fix = {"safe": "Fix available (safe).", "unsafe": "Fix available (unsafe: review it)."}.get(rule.fix_safety)
    if fix:
        parts += ["", fix]
    docs = rule.docs()
    for section in DOC_SECTIONS:
        if docs.get(section):
            parts += ["", f"{hashes}# {section}", "", docs[section]]
    return "\n".join(parts) + "\n"


def rule_text(rule) -> str:
    docs = rule.docs()
    parts = [f"{rule.code} ({rule.name}): {rule.summary}."]
    for section in DOC_SECTIONS:
        if docs.get(section):
            parts += ["", f"{section}", docs[section]]
    return "\n".join(parts)


def _family(code: str) -> str:
    return {"KC0": "file", "KC1": "metrics", "KC2": "losses", "KC3": "removed-api", "KC4": "data", "KC5": "structure",
            "KC9": "runtime"}.get(code[:3], "keras")


def rule_descriptor(rule) -> dict:
    what = rule.docs().get("What it does") or rule.summary
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": f"{rule.summary}."},
        "fullDescription": {"text": " ".join(what.split())},
        "help": {"text": rule_text(rule), "markdown": rule_markdown(rule)},
        "defaultConfiguration": {"level": "error"},
        "properties": {"tags": ["keras", _family(rule.code)], "precision": "high"},
    }


def repository_root(start: Path) -> Path:
    start = start.resolve()
    for folder in [start, *start.parents]:
        if (folder / ".git").exists():
            return folder
    return start


def _artifact_location(path: str, root: Path) -> dict:
    absolute = Path(os.path.abspath(path))
    try:
        relative = absolute.relative_to(root)
    except ValueError:
        return {"uri": absolute.as_uri()}
    return {"uri": quote(relative.as_posix()), "uriBaseId": SRCROOT}


def result(finding, rule_index: dict, root: Path) -> dict:
    region = {"startLine": finding.line, "startColumn": finding.column}
    if finding.end_line is not None and finding.end_column is not None and \
            (finding.end_line, finding.end_column) > (finding.line, finding.column):
        region["endLine"] = finding.end_line
        region["endColumn"] = finding.end_column
    data = {
        "ruleId": finding.code,
        "level": "error",
        "message": {"text": message(finding)},
        "locations": [{"physicalLocation": {"artifactLocation": _artifact_location(finding.path, root),
                                            "region": region}}],
    }
    if finding.code in rule_index:
        data["ruleIndex"] = rule_index[finding.code]
    properties = {"name": finding.name}
    if finding.cell is not None:
        properties["cell"] = finding.cell
    if finding.output is not None:
        properties["output"] = finding.output
    data["properties"] = properties
    return data


def build(findings: list, root: Path = None) -> dict:
    root = root or repository_root(Path.cwd())
    rules = all_rules()
    rule_index = {rule.code: index for index, rule in enumerate(rules)}
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "kerascheck",
                "version": __version__,
                "semanticVersion": __version__,
                "rules": [rule_descriptor(rule) for rule in rules],
            }},
            "originalUriBaseIds": {SRCROOT: {"uri": root.as_uri().rstrip("/") + "/"}},
            "columnKind": "unicodeCodePoints",
            "results": [result(finding, rule_index, root) for finding in findings],
        }],
    }


def render(findings: list, context: dict) -> str:
    return json.dumps(build(findings), indent=2, ensure_ascii=False) + "\n"
