"""The fix engine: which fixes a text's findings have, and applying them to a fixed point.

Applying (`fix_source`) works in passes, as ruff does: check, take the fixes whose
edits do not overlap, apply them, check again, until no fix is left (a fix can make
another possible: `from_logits=True` then asks for a 0.0 accuracy threshold). A pass
whose result does not parse is refused fix by fix, so broken code is never produced;
the result is a fixed point, so fixing twice changes nothing the second time. Each
pass is linear in the size of the text and the number of findings.
"""

from __future__ import annotations

import ast
import bisect
import warnings
from dataclasses import dataclass, field
from typing import Callable, Optional

from kerascheck import collector
from kerascheck.fix.cst_parse import parse_module
from kerascheck.fix.context import FixContext, FixUnavailable, NeedsWholeFile, WholeFileDoesNotParse
from kerascheck.fix.edits import Edit, LineIndex, apply_edits, overlaps
from kerascheck.fix.make import TextFix, make_fix

# Enough for every chain seen (a fix enabling another, one import edit per pass); a
# safety net against a fix that would not converge.
MAX_PASSES = 16


def has_fix(finding) -> bool:
    """Whether the rule gave the finding a fix (kerascheck/intents.py): known without computing an edit."""
    return finding.fix is not None


def applicable(fix, unsafe: bool) -> bool:
    """A fix (an intent or a TextFix) that --fix applies: safe ones, unsafe ones with --unsafe-fixes."""
    return fix.safety == "safe" or (unsafe and fix.safety == "unsafe")


def compute_fixes(text: str, findings: list, whole_file: bool = False) -> list:
    """[(finding, TextFix)] for the findings of `text` whose fix can be made.

    One parse for all of them: of the statements around them, and of the whole file
    only for the fixes that ask about it (`whole_file`: the whole file at once; the
    fixes are the same, the tests compare both ways).
    """
    candidates = [finding for finding in findings if finding.fix is not None]
    if not candidates:
        return []
    with collector.paused():
        return _compute_fixes(text, candidates, whole_file)


def _compute_fixes(text: str, candidates: list, whole_file: bool) -> list:
    near = None if whole_file else [(span.line, span.end_line)
                                    for finding in candidates for span in finding.fix.spans()]
    try:
        ctx = FixContext(text, near)
        whole = None  # the whole file's context, for the fixes the statements alone cannot give
        found = []
        for finding in candidates:
            try:
                fix = _make_one(ctx, finding)
            except NeedsWholeFile:
                whole = whole or ctx.whole_file()
                fix = _make_one(whole, finding)
            if fix is not None:
                found.append((finding, fix))
    except WholeFileDoesNotParse:
        return []  # as when the whole file is parsed first: no fix at all
    return found


def _make_one(ctx: FixContext, finding) -> Optional[TextFix]:
    try:
        fix = make_fix(ctx, finding.fix)
    except NeedsWholeFile:
        if ctx.parsed_whole_file:
            return None  # cannot happen: the whole file answers everything
        raise
    except WholeFileDoesNotParse:
        raise
    except FixUnavailable:
        return None
    except Exception:  # noqa: BLE001 - a bug making one fix loses that fix, never the check
        return None
    if fix is None or not fix.edits or _overlapping(fix.edits):
        return None
    return fix


def _overlapping(edits: list) -> bool:
    """Whether two edits of one fix overlap (a fix has a few edits: all pairs)."""
    return any(overlaps(a, b) for i, a in enumerate(edits) for b in edits[i + 1:])


def edits_json(fix: TextFix, index: LineIndex) -> list:
    return [edit.to_json(index) for edit in fix.edits]


def parses(text: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(text)
        parse_module(text)
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
    with collector.paused():
        return _fix_source(text, check, unsafe, findings)


def _fix_source(text: str, check: Callable, unsafe: bool, findings: Optional[list]) -> SourceFix:
    current, fixed = text, 0
    for _ in range(MAX_PASSES):
        if findings is None:
            findings = check(current)
        chosen, taken = [], _TakenEdits()
        wanted = [f for f in findings if f.fix is not None and applicable(f.fix, unsafe)]
        fixes = compute_fixes(current, wanted)
        for finding, fix in sorted(fixes, key=lambda pair: (pair[0].line, pair[0].column)):
            if not any(taken.overlaps(edit) for edit in fix.edits):
                chosen.append((finding, fix))
                taken.add(fix.edits)
        if not chosen:
            _unfixable(wanted)  # none of them can be made here: what remains shows no fix for them
            break
        new, count = _apply_parsing(current, [fix for _, fix in chosen])
        if count == 0 or new == current:
            _unfixable([finding for finding, _ in chosen])
            break
        current, fixed, findings = new, fixed + count, None
    return SourceFix(current, fixed, findings if findings is not None else check(current))


def _unfixable(findings: list) -> None:
    """Findings whose fix could not be made or applied: they are reported without one (no [*] that --fix ignores)."""
    for finding in findings:
        finding.fix = None


def _edits_of(fixes: list) -> list:
    """The edits of fixes taken together, each once (several fixes may add the same import line)."""
    return list(dict.fromkeys(edit for fix in fixes for edit in fix.edits))


def _apply_parsing(text: str, fixes: list) -> tuple:
    """(new text, fixes applied): all of them if the result parses, else those that parse on their own."""
    new = apply_edits(text, _edits_of(fixes))
    if parses(new):
        return new, len(fixes)
    good = [fix for fix in fixes if parses(apply_edits(text, fix.edits))]
    if len(good) > 1:
        new = apply_edits(text, _edits_of(good))
        if parses(new):
            return new, len(good)
        good = good[:1]
    if good:
        return apply_edits(text, good[0].edits), 1
    return text, 0


class _TakenEdits:
    """The edits of the fixes taken so far in a pass, sorted: does a new edit overlap one? (a binary search)."""

    def __init__(self):
        self.edits: list = []  # pairwise non-overlapping, sorted by (start, end)
        self.keys: list = []  # their (start, end)

    def overlaps(self, edit: Edit) -> bool:
        """Whether the edit conflicts with one taken: the same edit twice does not (fixes that add the same import
        line are applied in one pass, the line once)."""
        # The edit before it (the one that may reach over edit.start), and those starting up to its end.
        index = max(bisect.bisect_left(self.keys, (edit.start, -1)) - 1, 0)
        while index < len(self.edits) and self.edits[index].start <= edit.end:
            if self.edits[index] != edit and overlaps(self.edits[index], edit):
                return True
            index += 1
        return False

    def add(self, edits: list) -> None:
        for edit in edits:
            if self._has(edit):
                continue
            index = bisect.bisect_right(self.keys, (edit.start, edit.end))
            self.keys.insert(index, (edit.start, edit.end))
            self.edits.insert(index, edit)

    def _has(self, edit: Edit) -> bool:
        index = bisect.bisect_left(self.keys, (edit.start, edit.end))
        while index < len(self.edits) and self.keys[index] == (edit.start, edit.end):
            if self.edits[index] == edit:
                return True
            index += 1
        return False
