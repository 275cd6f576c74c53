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


class Suppressions:
    """Every `# noqa` of one source text."""

    def __init__(self, text: str, flake8_file_directive: bool = True):
        self.text = text
        self.mentions_noqa = _MENTIONS_NOQA.search(text) is not None
        self.lines = text.splitlines(keepends=True)
        self.file = file_noqa(self.lines, flake8_file_directive) if self.mentions_noqa else FileNoqa()
        self._ranges = None

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
        return inline and line_suppresses(self.noqa_text(line), code)

    def filter(self, findings: Iterable, inline: bool = True) -> list:
        return [f for f in findings if not self.suppressed(f.code, f.line, inline)]


def filter_findings(findings: Iterable, text: str, inline: bool = True, flake8_file_directive: bool = True) -> list:
    findings = list(findings)
    if not findings:  # most files: nothing to read
        return findings
    return Suppressions(text, flake8_file_directive).filter(findings, inline)


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
