"""Reporters: findings in, text out. Each format converts columns in its own module, and nowhere else.

`render(format, findings, context)` is the one entry point of the `--output-format`
formats; `context` carries what a format may show besides the findings: `files` (the
files checked) and `unsafe_fixes` (whether unsafe fixes count as applicable). A
finding's message is `message(finding)` in every format (the rule's words and the
runtime's evidence). The summary lines on stderr, the fix hint and `kerascheck
inspect`'s output are here too.
"""

from __future__ import annotations

import importlib
from typing import Optional

from kerascheck.report.fix_hint import fix_hint  # noqa: F401 - the reporters' public name
# The formats import these from kerascheck.report.messages (this module imports the formats by name).
from kerascheck.report.messages import line_message, marked, message, one_line  # noqa: F401 - public names

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


def render_compiles(format_name: str, compile_facts: list, model_calls: list = ()) -> str:
    """`kerascheck inspect`: what was inferred for every compile() call (and the data given to its model), as text
    or JSON."""
    inspect_format = importlib.import_module("kerascheck.report.inspect_format")
    return (inspect_format.render_json if format_name == "json" else inspect_format.render_text)(compile_facts,
                                                                                                 model_calls)


def inspect_summary(compile_facts: list, model_calls: list = ()) -> str:
    """`kerascheck inspect`'s line on stderr: compile calls found, outputs with known activation and units."""
    return importlib.import_module("kerascheck.report.inspect_format").summary(compile_facts, model_calls)


def summary(findings: list, file_count: int, in_baseline: int = 0, internal_errors: int = 0) -> str:
    """The closing line of a run: `Found 3 findings in 2 files (10 files checked).`; with a baseline, how many
    findings it hid; never "All checks passed" when a file could not be checked."""
    checked = f"{file_count} file{'s' if file_count != 1 else ''} checked"
    if internal_errors:
        checked += f", {internal_errors} failed"
    if in_baseline:
        checked += f"; {in_baseline} finding{'s' if in_baseline != 1 else ''} in the baseline not shown"
    if not findings:
        return f"No findings ({checked})." if internal_errors else f"All checks passed ({checked})."
    files_with = len({f.path for f in findings})
    return (f"Found {len(findings)} finding{'s' if len(findings) != 1 else ''} in {files_with} "
            f"file{'s' if files_with != 1 else ''} ({checked}).")


def fixed_summary(fixed: int, remaining: int) -> Optional[str]:
    """The closing line of --fix, as ruff prints it: `Found 5 findings (3 fixed, 2 remaining).`"""
    total = fixed + remaining
    return f"Found {total} finding{'s' if total != 1 else ''} ({fixed} fixed, {remaining} remaining)."
