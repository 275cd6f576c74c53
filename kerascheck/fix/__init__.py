"""Fixes: libcst-made text edits for the findings that have one, applied like ruff's `--fix`.

A fixer (fix/metrics.py, fix/losses.py, fix/keras1.py) re-reads the file's syntax at
the finding's position and returns edits that keep every comment and all formatting
around them. Each fix is safe or unsafe (the rule's `fix_safety`, or the fix's own).

Applying (`fix_source`) works in passes, as ruff does: check, take the fixes whose
edits do not overlap, apply them, check again, until no fix is left (a fix can make
another possible: `from_logits=True` then asks for a 0.0 accuracy threshold). A pass
whose result does not parse is refused fix by fix, so broken code is never produced;
the result is a fixed point, so fixing twice changes nothing the second time.
"""

from __future__ import annotations

import ast
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

import libcst as cst

from kerascheck.fix import keras1, losses, metrics  # noqa: F401 - the fixers register themselves
from kerascheck.fix.context import FixContext, FixUnavailable, NeedsWholeFile, WholeFileDoesNotParse
from kerascheck.fix.edits import LineIndex, apply_edits, overlaps
from kerascheck.atomic import write_atomic
from kerascheck.fix.files import decode, unified_diff
from kerascheck.fix.registry import FIXERS, Fix
from kerascheck.report.fix_hint import fix_hint  # noqa: F401 - the engine's public name
from kerascheck.rules import rule_fix_safety
from kerascheck.runner import check_source, display_path, run_check

# Enough for every chain seen (a fix enabling another, one import edit per pass); a
# safety net against a fixer that would not converge.
MAX_PASSES = 16


def has_fixer(finding) -> bool:
    return finding.code in FIXERS and rule_fix_safety(finding.code) is not None


def applicable(fix: Fix, unsafe: bool) -> bool:
    return fix.safety == "safe" or (unsafe and fix.safety == "unsafe")


def compute_fixes(text: str, findings: list, whole_file: bool = False) -> list:
    """[(finding, Fix)] for the findings of `text` that have a fix.

    One parse for all of them: of the statements around them, and of the whole file
    only for the fixes that ask about it (`whole_file`: the whole file at once; the
    fixes are the same, the tests compare both ways).
    """
    candidates = [finding for finding in findings if has_fixer(finding) and finding.cell is None]
    if not candidates:
        return []
    near = None if whole_file else [(finding.line, finding.end_line or finding.line) for finding in candidates]
    try:
        ctx = FixContext(text, near)
        whole = None  # the whole file's context, for the fixes the statements alone cannot give
        found = []
        for finding in candidates:
            try:
                fix = _fix_one(ctx, finding)
            except NeedsWholeFile:
                whole = whole or ctx.whole_file()
                fix = _fix_one(whole, finding)
            if fix is not None:
                found.append((finding, fix))
    except WholeFileDoesNotParse:
        return []  # as when the whole file is parsed first: no fix at all
    return found


def _fix_one(ctx: FixContext, finding) -> Optional[Fix]:
    try:
        fix = FIXERS[finding.code](ctx, finding)
    except NeedsWholeFile:
        if ctx.parsed_whole_file:
            return None  # cannot happen: the whole file answers everything
        raise
    except WholeFileDoesNotParse:
        raise
    except FixUnavailable:
        return None
    except Exception:  # noqa: BLE001 - a fixer's bug loses its fix, never the check
        return None
    if fix is None or not fix.edits or _overlapping(fix.edits):
        return None
    if fix.safety is None:
        fix.safety = rule_fix_safety(finding.code)
    return fix


def _overlapping(edits: list) -> bool:
    return any(overlaps(a, b) for i, a in enumerate(edits) for b in edits[i + 1:])


def to_json(fix: Fix, index: LineIndex) -> dict:
    return {"safety": fix.safety, "message": fix.message, "edits": [edit.to_json(index) for edit in fix.edits]}


def parses(text: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(text)
        cst.parse_module(text)
    except Exception:  # noqa: BLE001 - SyntaxError, ValueError, ParserSyntaxError, RecursionError ...
        return False
    return True


# ---------------------------------------------------------------- applying to a text


@dataclass
class SourceFix:
    text: str  # after fixing
    fixed: int = 0  # fixes applied
    remaining: list = field(default_factory=list)  # the findings of the fixed text


def fix_source(text: str, check: Callable, unsafe: bool, findings: Optional[list] = None) -> SourceFix:
    """Apply every applicable fix to `text`; `check(text)` gives a text's findings."""
    current, fixed = text, 0
    for _ in range(MAX_PASSES):
        if findings is None:
            findings = check(current)
        chosen, taken = [], []
        fixes = [(f, fix) for f, fix in compute_fixes(current, findings) if applicable(fix, unsafe)]
        for finding, fix in sorted(fixes, key=lambda pair: (pair[0].line, pair[0].column)):
            if not any(overlaps(mine, theirs) for mine in fix.edits for theirs in taken):
                chosen.append(fix)
                taken.extend(fix.edits)
        if not chosen:
            break
        new, count = _apply_parsing(current, chosen)
        if count == 0 or new == current:
            break
        current, fixed, findings = new, fixed + count, None
    return SourceFix(current, fixed, findings if findings is not None else check(current))


def _apply_parsing(text: str, fixes: list) -> tuple:
    """(new text, fixes applied): all of them if the result parses, else those that parse on their own."""
    new = apply_edits(text, [edit for fix in fixes for edit in fix.edits])
    if parses(new):
        return new, len(fixes)
    good = [fix for fix in fixes if parses(apply_edits(text, fix.edits))]
    if len(good) > 1:
        new = apply_edits(text, [edit for fix in good for edit in fix.edits])
        if parses(new):
            return new, len(good)
        good = good[:1]
    if good:
        return apply_edits(text, good[0].edits), 1
    return text, 0


# ---------------------------------------------------------------- files


@dataclass
class FileFix:
    path: Path
    shown: str
    before: str = ""
    after: str = ""
    fixed: int = 0
    remaining: list = field(default_factory=list)
    error: Optional[str] = None
    diff_text: Optional[str] = None  # a notebook's diff, cell by cell

    @property
    def changed(self) -> bool:
        return self.error is None and self.after != self.before

    def diff(self) -> str:
        if not self.changed:
            return ""
        return self.diff_text if self.diff_text is not None else unified_diff(self.before, self.after, self.shown)


def fix_file(path: Path, shown: str, options, unsafe: bool, write: bool, findings: Optional[list] = None) -> FileFix:
    """Fix one file; with `write`, replace it atomically when something changed."""
    result = FileFix(path=path, shown=shown)
    if path.suffix.lower() == ".ipynb":
        from kerascheck.fix.notebook import fix_notebook
        return fix_notebook(result, options, unsafe, write, findings)
    try:
        data = path.read_bytes()
    except OSError as error:
        result.error = f"{shown}: not fixed: cannot read it ({error.strerror or error})"
        return result
    decoded = decode(data)
    if decoded is None:
        result.error = f"{shown}: not fixed: cannot decode it"
        return result
    text, encoding = decoded
    outcome = fix_source(text, lambda source: check_source(shown, source, options).findings, unsafe, findings)
    result.before, result.after, result.fixed, result.remaining = text, outcome.text, outcome.fixed, outcome.remaining
    if result.changed and not parses(result.after):  # fix_source never keeps such a text: a last guard
        result.error = f"{shown}: not fixed: the fixes would not parse (please report this bug)"
        return result
    if write and result.changed:
        try:
            write_atomic(path, result.after.encode(encoding))
        except (OSError, UnicodeEncodeError) as error:
            result.error = f"{shown}: not fixed: cannot write it ({error})"
    return result


def attach_fixes(findings: list, paths: dict, include_unsafe: bool, whole_file: bool = False) -> tuple:
    """Set `finding.fix` (JSON-ready) on the findings a fix exists for.

    `paths` maps a finding's path to the file. Fixes that are not applicable
    (unsafe, without `include_unsafe`) are counted, not attached. Returns
    (attached, hidden). `whole_file`: see compute_fixes.
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
        if path.suffix.lower() == ".ipynb":
            from kerascheck.fix import notebook
            counts = notebook.attach([f for f in file_findings if f.cell is not None], data, include_unsafe, whole_file)
            attached, hidden = attached + counts[0], hidden + counts[1]
            continue
        decoded = decode(data)
        if decoded is None:
            continue
        text = decoded[0]
        index = LineIndex(text)
        for finding, fix in compute_fixes(text, file_findings, whole_file):
            if applicable(fix, include_unsafe):
                finding.fix = to_json(fix, index)
                attached += 1
            else:
                hidden += 1
    return attached, hidden


# ---------------------------------------------------------------- a whole run (the CLI's --fix / --diff)


@dataclass
class FixRun:
    files: list = field(default_factory=list)  # FileFix, for the files that had a fixable finding
    errors: list = field(default_factory=list)

    @property
    def fixed(self) -> int:
        return sum(result.fixed for result in self.files if result.error is None)

    @property
    def diff(self) -> str:
        return "".join(result.diff() for result in self.files)


def fix_run(files: list, options_for: Callable, run, unsafe: bool, write: bool, keep_facts: bool = False) -> FixRun:
    """Fix every file of a run that has a fixable finding; the run's findings become what remains.

    With `write`, changed files are replaced on disk and checked again from disk
    (their facts too, when `keep_facts`); without, the findings are those of the
    fixed text in memory.
    """
    by_path: dict = {}
    for finding in run.findings:
        by_path.setdefault(finding.path, []).append(finding)
    result = FixRun()
    for path in files:
        shown = display_path(path)
        findings = by_path.get(shown, [])
        if not any(has_fixer(finding) for finding in findings):
            continue
        file_fix = fix_file(path, shown, options_for(path), unsafe, write, findings=findings)
        result.files.append(file_fix)
        if file_fix.error is not None:
            result.errors.append(file_fix.error)
        elif file_fix.changed:
            by_path[shown] = file_fix.remaining
    changed = [r.path for r in result.files if r.changed]
    if write and changed and keep_facts:
        again = run_check(changed, None, options_for=options_for, keep_facts=True)
        shown_changed = {r.shown for r in result.files if r.changed}
        run.compiles = [c for c in run.compiles if c.path not in shown_changed] + again.compiles
        for r in result.files:
            if r.changed:
                by_path[r.shown] = [f for f in again.findings if f.path == r.shown]
    run.findings = sorted((f for findings in by_path.values() for f in findings), key=lambda f: f.sort_key())
    return result


