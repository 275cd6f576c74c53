"""Reporters: findings in, text out. Columns are converted here and nowhere else."""

from __future__ import annotations

import importlib

# --output-format name -> module with `render(findings, context) -> str`, imported when used (sarif
# reads every rule's documentation: no reason to pay for it on a text run).
FORMAT_MODULES = {
    "text": "kerascheck.report.text_format",
    "json": "kerascheck.report.json_format",
    "sarif": "kerascheck.report.sarif_format",
    "github": "kerascheck.report.github_format",
}


def render(format_name: str, findings: list, context: dict) -> str:
    return importlib.import_module(FORMAT_MODULES[format_name]).render(findings, context)
