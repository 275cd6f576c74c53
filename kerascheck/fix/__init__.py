"""Fixes: libcst-made text edits for the findings that have one, applied like ruff's `--fix`.

A library: the rules say what to change (each finding's `fix`, kerascheck/intents.py);
given a file and a `check(source, notebook=False) -> findings` callable
(kerascheck.runner.checker), this turns those intents into edits that keep every comment
and all formatting around them (fix/make.py), applies them to a fixed point
(fix/engine.py) and writes the file atomically, or attaches each finding's edits for the
formats that print them. Notebooks are fixed cell by cell (fix/notebook.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

from kerascheck.atomic import write_atomic
from kerascheck.fix import notebook as notebook_fixes
from kerascheck.fix.edits import LineIndex
from kerascheck.fix.engine import (  # noqa: F401 - the engine's public names
    MAX_PASSES, SourceFix, applicable, compute_fixes, edits_json, fix_source, has_fix, parses,
)
from kerascheck.fix.make import MAKERS, TextFix  # noqa: F401
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


def attach_edits(findings: list, paths: dict, whole_file: bool = False) -> None:
    """Set `finding.edits` on the findings with a fix, reading their files (`paths`: a finding's path -> its file).

    A fix that cannot be made in the file is dropped (`finding.fix` = None): what is printed is what --fix does.
    """
    by_path: dict = {}
    for finding in findings:
        if finding.fix is not None:
            by_path.setdefault(finding.path, []).append(finding)
    for shown, file_findings in by_path.items():
        path = paths.get(shown)
        try:
            data = path.read_bytes() if path is not None else None
        except OSError:
            data = None
        if data is None:
            for finding in file_findings:
                finding.fix = None
            continue
        attach_file_edits(file_findings, data, path.suffix.lower() == ".ipynb", whole_file)


def attach_file_edits(findings: list, data: bytes, notebook: bool, whole_file: bool = False) -> None:
    """Set `finding.edits` on the findings of one file's content that have a fix; drop the fixes it cannot make.

    `whole_file`: see compute_fixes.
    """
    findings = [finding for finding in findings if finding.fix is not None]
    if not findings:
        return
    made = {}
    if notebook:
        made = notebook_fixes.edits_in_notebook(findings, data, whole_file)
    else:
        decoded = decode(data)
        if decoded is not None:
            index = LineIndex(decoded[0])
            made = {id(finding): edits_json(fix, index)
                    for finding, fix in compute_fixes(decoded[0], findings, whole_file)}
    for finding in findings:
        finding.edits = made.get(id(finding))
        if finding.edits is None:
            finding.fix = None
