"""Fixes: libcst-made text edits for the findings that have one, applied like ruff's `--fix`.

A library: given a file and a `check(source, notebook=False) -> findings` callable
(kerascheck.runner.checker), it computes the fixes of the findings, applies them to a
fixed point (kerascheck/fix/engine.py) and writes the file atomically, or attaches each
finding's fix as JSON-ready edits. A fixer (fix/metrics.py, fix/losses.py, fix/keras1.py)
re-reads the file's syntax at the finding's position and returns edits that keep every
comment and all formatting around them. Each fix is safe or unsafe (the rule's
`fix_safety`, or the fix's own). Notebooks are fixed cell by cell (fix/notebook.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

from kerascheck.atomic import write_atomic
from kerascheck.fix import notebook as notebook_fixes
from kerascheck.fix.edits import LineIndex
from kerascheck.fix.engine import (  # noqa: F401 - the engine's public names
    FIXERS, MAX_PASSES, SourceFix, applicable, compute_fixes, fix_source, has_fixer, parses, to_json,
)
from kerascheck.fix.files import decode, unified_diff

# ---------------------------------------------------------------- files


@dataclass
class FileFix:
    path: Optional[Path]  # None: a content with no file (stdin)
    shown: str
    before: str = ""
    after: str = ""
    fixed: int = 0
    remaining: list = field(default_factory=list)
    error: Optional[str] = None
    diff_text: Optional[str] = None  # a notebook's diff, cell by cell
    new_data: Optional[bytes] = None  # the fixed content, as it is written

    @property
    def changed(self) -> bool:
        return self.error is None and self.after != self.before

    def diff(self) -> str:
        if not self.changed:
            return ""
        return self.diff_text if self.diff_text is not None else unified_diff(self.before, self.after, self.shown)


def fix_file(path: Path, shown: str, check: Callable, unsafe: bool, write: bool,
             findings: Optional[list] = None) -> FileFix:
    """Fix one file; with `write`, replace it atomically when something changed.

    `check(source, notebook=False)`: the findings of a content of this file (kerascheck.runner.checker);
    `findings`: those of the file as it is, when already known.
    """
    try:
        data = path.read_bytes()
    except OSError as error:
        return FileFix(path=path, shown=shown, error=f"{shown}: not fixed: cannot read it ({error.strerror or error})")
    result = fix_data(data, shown, check, unsafe, notebook=path.suffix.lower() == ".ipynb", findings=findings)
    result.path = path
    if write and result.changed:
        try:
            write_atomic(path, result.new_data)
        except OSError as error:
            result.error = f"{shown}: not fixed: cannot write it ({error})"
    return result


def fix_data(data: bytes, shown: str, check: Callable, unsafe: bool, notebook: bool = False,
             findings: Optional[list] = None) -> FileFix:
    """Fix a file's content in memory: `new_data` is what to write (the same encoding, BOM and layout)."""
    result = FileFix(path=None, shown=shown)
    if notebook:
        return notebook_fixes.fix_notebook(result, data, check, unsafe)
    decoded = decode(data)
    if decoded is None:
        result.error = f"{shown}: not fixed: cannot decode it"
        return result
    text, encoding = decoded
    outcome = fix_source(text, check, unsafe, findings)
    result.before, result.after, result.fixed, result.remaining = text, outcome.text, outcome.fixed, outcome.remaining
    if result.changed and not parses(result.after):  # fix_source never keeps such a text: a last guard
        result.error = f"{shown}: not fixed: the fixes would not parse (please report this bug)"
        return result
    if result.changed:
        try:
            result.new_data = result.after.encode(encoding)
        except UnicodeEncodeError as error:
            result.error = f"{shown}: not fixed: cannot write it ({error})"
    return result


def attach_fixes(findings: list, paths: dict, include_unsafe: bool, whole_file: bool = False) -> tuple:
    """Set `finding.fix` (JSON-ready) on the findings a fix exists for, reading their files.

    `paths` maps a finding's path to the file. Returns (attached, hidden): see attach_file_fixes.
    """
    by_path: dict = {}
    for finding in findings:
        if has_fixer(finding):
            by_path.setdefault(finding.path, []).append(finding)
    attached = hidden = 0
    for shown, file_findings in by_path.items():
        path = paths.get(shown)
        if path is None:
            continue
        try:
            data = path.read_bytes()
        except OSError:
            continue
        counts = attach_file_fixes(file_findings, data, path.suffix.lower() == ".ipynb", include_unsafe, whole_file)
        attached, hidden = attached + counts[0], hidden + counts[1]
    return attached, hidden


def attach_file_fixes(findings: list, data: bytes, notebook: bool, include_unsafe: bool,
                      whole_file: bool = False) -> tuple:
    """Set `finding.fix` (JSON-ready) on the findings of one file's content that a fix exists for.

    Fixes that are not applicable (unsafe, without `include_unsafe`) are counted, not attached.
    Returns (attached, hidden). `whole_file`: see compute_fixes.
    """
    findings = [finding for finding in findings if has_fixer(finding)]
    if not findings:
        return 0, 0
    if notebook:
        return notebook_fixes.attach([f for f in findings if f.cell is not None], data, include_unsafe, whole_file)
    decoded = decode(data)
    if decoded is None:
        return 0, 0
    text = decoded[0]
    index = LineIndex(text)
    attached = hidden = 0
    for finding, fix in compute_fixes(text, findings, whole_file):
        if applicable(fix, include_unsafe):
            finding.fix = to_json(fix, index)
            attached += 1
        else:
            hidden += 1
    return attached, hidden
