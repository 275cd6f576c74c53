"""Reporters: findings in, text out. Columns are converted here and nowhere else."""

from __future__ import annotations

from kerascheck.report import github_format, json_format, sarif_format, text_format

# --output-format name -> module with `render(findings, context) -> str`.
FORMATS = {
    "text": text_format,
    "json": json_format,
    "sarif": sarif_format,
    "github": github_format,
}
