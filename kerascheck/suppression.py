"""`# noqa` exactly as flake8 does it, so the CLI, the flake8 plugin and the language server agree.

Line level (flake8's own rules, its regex verbatim):

- `# noqa` anywhere on the line silences every finding reported on that line;
- `# noqa: KC101,KC2` (also `# noqa:KC101`, any case of `noqa`) silences the codes
  listed and the codes they are a prefix of; code matching is case-sensitive,
  so `# noqa: kc101` silences nothing — as in flake8;
- "the line" is the physical line the finding is reported on, widened the way
  flake8 widens it: to every line of a multi-line string or a backslash
  continuation (flake8's `FileProcessor._noqa_line_mapping`). Inside brackets each
  physical line stands alone.

File level:

- `# kerascheck: noqa` alone on a line silences the whole file;
  `# kerascheck: noqa: KC101,KC2` silences those codes (and prefixes) in the whole file;
- `# flake8: noqa` at the start of a line silences the whole file, as flake8 (and ruff) do.

Under flake8, flake8 applies the line-level `# noqa` and `# flake8: noqa` itself; the
plugin applies only `# kerascheck: noqa`.

Unused `# noqa` (KC003, as ruff's RUF100): applying the line-level comments here, the
CLI and the language server know which comment silenced which finding, so they also
know the KC codes of a `# noqa: ...` comment that silenced nothing (`unused_noqa`).
Only kerascheck's own codes are judged, and only those whose rules ran on the file:
a code of another tool, a rule not selected for the file, a runtime-only rule (KC9,
which the static pass cannot see) are left alone, and so is a bare `# noqa`. The rule
itself (code, name, message, docs) is KC003 in kerascheck/rules/kc0_file.py.
"""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass
from typing import Iterable, Optional

# flake8/defaults.py NOQA_INLINE_REGEXP, unchanged.
NOQA_INLINE = re.compile(r"# noqa(?::[\s]?(?P<codes>([A-Z]+[0-9]+(?:[,\s]+)?)+))?", re.IGNORECASE)
# flake8/defaults.py NOQA_FILE, used with .match() on every line, as flake8 does.
FLAKE8_NOQA_FILE = re.compile(r"\s*# flake8[:=]\s*noqa", re.IGNORECASE)
# Ours: a comment on a line of its own.
KERASCHECK_NOQA_FILE = re.compile(
    r"^\s*#\s*kerascheck\s*:\s*noqa(?:\s*:\s*(?P<codes>[A-Za-z]+[0-9]*(?:[,\s]+[A-Za-z]+[0-9]*)*))?\s*[,]?\s*$",
    re.IGNORECASE)
# Every directive above says "noqa": a file without the word needs no line-by-line look.
_MENTIONS_NOQA = re.compile(r"noqa", re.IGNORECASE)
# flake8/utils.py COMMA_SEPARATED_LIST_RE
_SEPARATORS = re.compile(r"[,\s]")


def _codes(text: str) -> tuple:
    return tuple(part.strip() for part in _SEPARATORS.split(text) if part.strip())


def line_suppresses(line_text: Optional[str], code: str) -> bool:
    """flake8's Violation.is_inline_ignored for one code on one (widened) line."""
    if not line_text:
        return False
    match = NOQA_INLINE.search(line_text)
    if match is None:
        return False
    codes_text = match.group("codes")
    if codes_text is None:
        return True
    codes = set(_codes(codes_text))
    return code in codes or code.startswith(tuple(codes))


@dataclass(frozen=True)
class FileNoqa:
    everything: bool = False
    codes: tuple = ()  # codes or prefixes silenced in the whole file

    def suppresses(self, code: str) -> bool:
        return self.everything or (bool(self.codes) and code.startswith(self.codes))


def file_noqa(lines: list, flake8_directive: bool = True) -> FileNoqa:
    everything, codes = False, []
    for line in lines:
        if flake8_directive and FLAKE8_NOQA_FILE.match(line):
            everything = True
        match = KERASCHECK_NOQA_FILE.match(line.rstrip("\r\n"))
        if match:
            if match.group("codes"):
                codes.extend(code.upper() for code in _codes(match.group("codes")))
            else:
                everything = True
    return FileNoqa(everything, tuple(codes))


def noqa_ranges(text: str) -> dict:
    """Line number -> (first, last) line of the range flake8 searches for `# noqa`.

    A copy of flake8's FileProcessor._noqa_line_mapping: tokens are grouped up to
    each NL/NEWLINE, so a multi-line string or a backslash continuation is one
    range. When the text does not tokenize, flake8 falls back to the physical
    line; so does this (an empty mapping).
    """
    lines = text.splitlines(keepends=True)
    ranges = {}
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return {}
    min_line, max_line = len(lines) + 2, -1
    for token in tokens:
        if token.type in (tokenize.ENDMARKER, tokenize.DEDENT):
            continue
        min_line = min(min_line, token.start[0])
        max_line = max(max_line, token.end[0])
        if token.type in (tokenize.NL, tokenize.NEWLINE):
            for number in range(min_line, max_line + 1):
                ranges[number] = (min_line, max_line)
            min_line, max_line = len(lines) + 2, -1
    return ranges


@dataclass(frozen=True)
class NoqaComment:
    """A `# noqa: CODES` directive in a real comment (not in a string): where, and what it lists."""

    line: int  # 1-based physical line
    column: int  # 1-based column of the directive's `#`
    end_column: int  # 1-based, exclusive: the end of the directive (its codes, without trailing separators)
    codes: tuple  # as written; () for a bare `# noqa`
    comment_start: int  # 1-based column of the comment token holding it
    comment: str  # the whole comment token (a directive can follow other text: `# type: int  # noqa: KC101`)
    space_start: int = 0  # 1-based column where the spaces before the comment start (0: comment_start)


def noqa_comments(text: str) -> list:
    """Every `# noqa` directive in a comment token of `text`, in order; [] when it does not tokenize."""
    if _MENTIONS_NOQA.search(text) is None:
        return []
    found = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            line_text = token.line
            if token.type != tokenize.COMMENT:
                continue
            match = NOQA_INLINE.search(token.string)
            if match is None:
                continue
            codes_text = match.group("codes") or ""
            end = match.start("codes") + len(codes_text.rstrip(", \t")) if codes_text else match.end()
            before = line_text[:token.start[1]] if token.start[0] == token.end[0] else ""
            found.append(NoqaComment(token.start[0], token.start[1] + match.start() + 1, token.start[1] + end + 1,
                                     _codes(codes_text), token.start[1] + 1, token.string,
                                     len(before.rstrip(" \t")) + 1))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return []
    return found


@dataclass(frozen=True)
class UnusedNoqa:
    """A `# noqa` comment with KC codes that silenced no finding (the fact rule KC003 reports)."""

    comment: NoqaComment
    unused: tuple  # the codes that silenced nothing, in the comment's order
    unknown: tuple = ()  # those of them that name no kerascheck rule

    @property
    def removes_comment(self) -> bool:
        return len(self.unused) == len(self.comment.codes)


def judged_codes(codes: tuple, rule_codes: Iterable[str], all_codes: Iterable[str]) -> tuple:
    """The codes of a comment that KC003 may call unused: kerascheck codes (case-sensitive, as flake8 matches them)
    that either name no rule at all, or cover at least one rule that ran on the file (`rule_codes`) and no runtime
    rule (KC9: the static pass never sees its findings). KC003 itself is not judged."""
    rule_codes, all_codes = tuple(rule_codes), tuple(all_codes)
    judged = []
    for code in codes:
        if not code.startswith("KC") or "KC003".startswith(code):
            continue
        covered = [rule for rule in all_codes if rule.startswith(code)]
        if not covered:
            judged.append(code)
        elif any(rule.startswith("KC9") for rule in covered):
            continue
        elif any(rule.startswith(code) for rule in rule_codes):
            judged.append(code)
    return tuple(judged)


class Suppressions:
    """Every `# noqa` of one source text."""

    def __init__(self, text: str, flake8_file_directive: bool = True):
        self.text = text
        self.mentions_noqa = _MENTIONS_NOQA.search(text) is not None
        self.lines = text.splitlines(keepends=True)
        self.file = file_noqa(self.lines, flake8_file_directive) if self.mentions_noqa else FileNoqa()
        self._ranges = None
        # (line, column) of a `# noqa` that silenced a finding -> the codes of it that did (None: a bare one).
        self.used: dict = {}

    @property
    def ranges(self) -> dict:
        if self._ranges is None:
            self._ranges = noqa_ranges(self.text)
        return self._ranges

    def line_range(self, line: int) -> tuple:
        return self.ranges.get(line, (line, line))

    def noqa_text(self, line: int) -> str:
        """The text flake8 searches for `# noqa` for a finding on `line`."""
        first, last = self.line_range(line)
        return "".join(self.lines[first - 1:last])

    def suppressed(self, code: str, line: int, inline: bool = True) -> bool:
        if not self.mentions_noqa:
            return False
        if self.file.suppresses(code):
            return True
        if not inline:
            return False
        text = self.noqa_text(line)
        if not line_suppresses(text, code):
            return False
        self._record_use(text, line, code)
        return True

    def _record_use(self, text: str, line: int, code: str) -> None:
        """Remember which directive silenced `code` (the first `# noqa` of the range, as flake8 reads it)."""
        match = NOQA_INLINE.search(text)
        before = text[:match.start()]
        row = self.line_range(line)[0] + before.count("\n")
        column = match.start() - (before.rfind("\n") + 1) + 1
        codes_text = match.group("codes")
        used = self.used.setdefault((row, column), set())
        if codes_text is None:
            used.add(None)
        else:
            used.update(c for c in _codes(codes_text) if code == c or code.startswith(c))

    def filter(self, findings: Iterable, inline: bool = True) -> list:
        return [f for f in findings if not self.suppressed(f.code, f.line, inline)]

    def unused(self, rule_codes: Iterable[str], all_codes: Iterable[str]) -> list:
        """UnusedNoqa for every directive with judged KC codes that silenced nothing; call after `filter`.
        Nothing is unused in a file that a file-level directive silences entirely."""
        if not self.mentions_noqa or self.file.everything:
            return []
        rule_codes, all_codes = tuple(rule_codes), tuple(all_codes)
        found = []
        for comment in noqa_comments(self.text):
            judged = judged_codes(comment.codes, rule_codes, all_codes)
            used = self.used.get((comment.line, comment.column), set())
            unused = tuple(code for code in judged if code not in used)
            if unused:
                unknown = tuple(code for code in unused if not any(rule.startswith(code) for rule in all_codes))
                found.append(UnusedNoqa(comment, unused, unknown))
        return found


def filter_findings(findings: Iterable, text: str, inline: bool = True, flake8_file_directive: bool = True) -> list:
    findings = list(findings)
    if not findings:  # most files: nothing to read
        return findings
    return Suppressions(text, flake8_file_directive).filter(findings, inline)


def apply_noqa(findings: Iterable, text: str, path: str, rules: Iterable = (), inline: bool = True,
               flake8_file_directive: bool = True) -> list:
    """The findings `# noqa` leaves, plus KC003 for the unused KC codes of line-level directives when KC003 is among
    `rules` (the rules that ran on the file) and line-level directives are applied here (`inline`)."""
    findings = list(findings)
    if _MENTIONS_NOQA.search(text) is None:  # most files
        return findings
    suppressions = Suppressions(text, flake8_file_directive)
    kept = suppressions.filter(findings, inline)
    rules = tuple(rules)
    if inline and any(rule.code == "KC003" for rule in rules):
        from kerascheck.rules import all_rules, check_unused_noqa  # rules import this module's callers

        unused = suppressions.unused([rule.code for rule in rules], [rule.code for rule in all_rules()])
        if unused:
            kept = sorted(kept + suppressions.filter(check_unused_noqa(path, unused, rules), inline),
                          key=lambda finding: finding.sort_key())
    return kept


def without_codes(comment: NoqaComment, codes: Iterable[str]) -> tuple:
    """KC003's fix on one comment: (first column, end column, replacement), 1-based, end exclusive, on the comment's
    line. The listed codes go; with none left the directive goes, and the whole comment (with the spaces before it)
    when nothing else is in it. Other text of the comment stays a comment."""
    drop = set(codes)
    kept = [code for code in comment.codes if code not in drop]
    start = comment.column - comment.comment_start  # offsets in the comment token
    end = comment.end_column - comment.comment_start
    directive = comment.comment[start:end]
    if kept:
        match = NOQA_INLINE.match(directive)
        prefix = directive[:match.start("codes")]
        return comment.column, comment.end_column, prefix + ", ".join(kept)
    before, after = comment.comment[:start].rstrip(), comment.comment[end:].strip()
    if not before.strip("# \t") and not after:  # the comment was only the directive: it goes, with the spaces before
        return comment.space_start or comment.comment_start, comment.comment_start + len(comment.comment), ""
    if not after:  # `# type: int  # noqa: KC101` -> `# type: int`
        return comment.comment_start + len(before), comment.comment_start + len(comment.comment), ""
    if not before.strip("# \t"):  # `# noqa: KC101 because ...` -> `# because ...`
        return comment.comment_start, comment.comment_start + len(comment.comment), "# " + after.lstrip("#:, \t")
    return comment.column, comment.comment_start + len(comment.comment), "# " + after.lstrip("#:, \t")


def add_noqa(line_text: str, code: str) -> str:
    """The line with `code` added to its `# noqa: ...` comment, or a new `  # noqa: CODE`.

    `line_text` has no line ending. Used by the language server's quick fix.
    """
    match = NOQA_INLINE.search(line_text)
    if match is not None and match.group("codes") is not None:
        if code in _codes(match.group("codes")):
            return line_text
        start = match.start("codes")
        codes_text = match.group("codes").rstrip(", \t")
        return line_text[:start] + codes_text + "," + code + line_text[start + len(codes_text):]
    if match is not None:  # a bare # noqa already silences everything
        return line_text
    stripped = line_text.rstrip()
    return f"{stripped}  # noqa: {code}"
