"""Reporters: findings in, text out. Columns are converted here and nowhere else."""

from __future__ import annotations

import importlib

# --output-format name -> module with `render(findings, context) -> str`, imported when used (sarif
# reads every rule's documentation: no reason to pay for it on a text run).
FORMAT_MODULES = {
    "full": "kerascheck.report.full_format",
    "concise": "kerascheck.report.concise_format",
    "text": "kerascheck.report.concise_format",  # the name `concise` had before it had a `full` beside it
    "json": "kerascheck.report.json_format",
    "json-lines": "kerascheck.report.json_lines_format",
    "sarif": "kerascheck.report.sarif_format",
    "github": "kerascheck.report.github_format",
    "gitlab": "kerascheck.report.gitlab_format",
    "junit": "kerascheck.report.junit_format",
    "pylint": "kerascheck.report.pylint_format",
}
# The formats a person reads (a summary line and fix hints go with them on stderr); the others are for programs.
HUMAN_FORMATS = ("full", "concise", "text")


def default_format(stream) -> str:
    """As ruff, `full` for a person at a terminal; piped (an editor, `errorformat`, pre-commit, grep) it stays the
    one-line `concise`, which every such reader parses."""
    try:
        return "full" if stream.isatty() else "concise"
    except (AttributeError, ValueError):
        return "concise"


def render(format_name: str, findings: list, context: dict) -> str:
    return importlib.import_module(FORMAT_MODULES[format_name]).render(findings, context)
