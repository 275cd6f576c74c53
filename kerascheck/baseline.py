"""A baseline: adopt kerascheck on an existing code base and be told only about new findings.

`kerascheck check --write-baseline FILE` records the current findings; `--baseline FILE`
(or `baseline = "..."` in [tool.kerascheck]) reports only the findings not in it.

A finding is matched by its file, its code and a fingerprint of its own statement, never
by line numbers, so lines moving and edits elsewhere in the file (above it, too) keep it
matched:

- the statement is the innermost statement holding the finding's line (for a compound
  statement, its header: `for x in model.fit_generator(...):`, not its body);
- its fingerprint is a hash of the statement's tokens, comments and layout left out (a
  `# noqa` added, a reformatted call, a changed indentation keep the match), and of the
  text the finding points at (two metrics of one compile are two findings);
- identical fingerprints in one file are counted: a baseline recording two matches two,
  and a third one is new.

A finding whose own statement changes is new: it is a different line of code now.
Entries that no longer match anything are stale; `--write-baseline` rewrites the file
with the current findings, so it prunes them (entries of files not checked in that run
are kept while the file exists: a pre-commit run on the staged files does not forget the
others). The file is JSON, sorted, one entry per (file, code, fingerprint), paths
relative to the baseline's own folder, so it diffs well and works from any directory.
"""

from __future__ import annotations

import ast
import hashlib
import io
import json
import os
import tokenize
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Optional

from kerascheck.atomic import write_atomic

FORMAT_VERSION = 1
_FORMAT_KEY = "kerascheck-baseline"
_SKIPPED_TOKENS = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT,
                   tokenize.ENDMARKER}


class BaselineError(Exception):
    """A baseline file that cannot be read or written: a usage error (exit 2), naming the file."""


@dataclass(frozen=True, order=True)
class Entry:
    path: str  # posix, relative to the baseline's folder
    code: str
    fingerprint: str


# ---------------------------------------------------------------- fingerprints


class SourceText:
    """A checked file's text, for fingerprints: a Python file decoded as CPython does, a notebook's code cells
    joined as the check joins them (kerascheck/notebooks.py), so a cell's line maps to a line of one text."""

    def __init__(self, text: Optional[str], lines_of_cells: Optional[dict] = None):
        self.text = text
        self.lines = text.splitlines() if text is not None else []
        self._lines_of_cells = lines_of_cells  # (cell, line in cell) -> line of text, for a notebook
        self._statements = None

    @classmethod
    def read(cls, path: str) -> "SourceText":
        try:
            with open(path, "rb") as handle:
                return cls.from_data(path, handle.read())
        except OSError:
            return cls(None)

    @classmethod
    def from_data(cls, path: str, data) -> "SourceText":
        """From a file's bytes (or a text already decoded, as stdin's)."""
        if path.lower().endswith(".ipynb"):
            from kerascheck import notebooks

            try:
                notebook = notebooks.read_notebook(data.encode("utf-8") if isinstance(data, str) else data)
            except notebooks.NotebookError:
                return cls(None)
            lines = {position: number for number, position in enumerate(notebook.positions, start=1)}
            return cls(notebook.source, lines)
        if isinstance(data, str):
            return cls(data)
        from kerascheck.extract import DecodeError, decode_source

        try:
            return cls(decode_source(data))
        except DecodeError:
            return cls(None)

    def line_of(self, finding) -> Optional[int]:
        if self._lines_of_cells is None:
            return finding.line
        return self._lines_of_cells.get((finding.cell, finding.line))

    def statement(self, line: int) -> Optional[str]:
        """The text of the innermost statement holding `line` (whole lines; a compound statement's header only);
        None when the text does not parse (the line itself is used then)."""
        if self._statements is None:
            self._statements = _statement_ranges(self.text) if self.text is not None else []
        best = None
        for start, end in self._statements:
            if start <= line <= end and (best is None or end - start < best[1] - best[0]):
                best = (start, end)
        if best is None:
            return None
        return "\n".join(self.lines[best[0] - 1:best[1]])

    def span_text(self, finding, line: int) -> str:
        """The text the finding points at (its range, within its lines)."""
        end_line = line + ((finding.end_line or finding.line) - finding.line)
        if not 1 <= line <= end_line <= len(self.lines):
            return ""
        chosen = self.lines[line - 1:end_line]
        end_column = finding.end_column if finding.end_column is not None else finding.column
        if len(chosen) == 1:
            return chosen[0][finding.column - 1:max(end_column - 1, finding.column - 1)]
        return "\n".join([chosen[0][finding.column - 1:], *chosen[1:-1], chosen[-1][:end_column - 1]])


def _statement_ranges(text: str) -> list:
    """(first line, last line) of every statement; a compound statement counts up to the line before its body."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    ranges = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.stmt):
            continue
        start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", ())])
        end = node.end_lineno or node.lineno
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.stmt):
            end = max(start, body[0].lineno - 1) if body[0].lineno > node.lineno else node.lineno
        ranges.append((start, end))
    return ranges


def _normalised(code: str) -> str:
    """The tokens of `code`, without comments and layout; whitespace collapsed when it does not tokenize."""
    try:
        tokens = [token.string for token in tokenize.generate_tokens(io.StringIO(code).readline)
                  if token.type not in _SKIPPED_TOKENS]
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return " ".join(code.split())
    return " ".join(tokens)


def fingerprint(finding, source: SourceText) -> str:
    """A hash of the finding's own statement and of the text it points at (see the module's docstring)."""
    line = source.line_of(finding)
    if line is None or source.text is None:  # an unreadable file (KC002): the file and the code say it all
        statement, pointed = "", ""
    else:
        statement = source.statement(line)
        if statement is None:  # does not parse (KC001): its own line
            statement = source.lines[line - 1] if 1 <= line <= len(source.lines) else ""
        pointed = source.span_text(finding, line)
    digest = hashlib.sha256()
    digest.update(_normalised(statement).encode("utf-8", "surrogatepass"))
    digest.update(b"\0")
    digest.update(_normalised(pointed).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()[:16]


# ---------------------------------------------------------------- the file


def _relative(path: str, folder: str) -> str:
    return Path(os.path.relpath(os.path.abspath(path), folder)).as_posix()


def entries_of(findings: Iterable, folder: str, sources: Optional[dict] = None) -> Counter:
    """Entry -> count for findings; paths relative to `folder`. `sources`: path -> SourceText, filled as read (a
    caller may put stdin's text there)."""
    sources = {} if sources is None else sources
    counts = Counter()
    for finding in findings:
        source = sources.get(finding.path)
        if source is None:
            source = sources[finding.path] = SourceText.read(finding.path)
        counts[Entry(_relative(finding.path, folder), finding.code, fingerprint(finding, source))] += 1
    return counts


@dataclass
class Baseline:
    path: str
    counts: Counter = field(default_factory=Counter)  # Entry -> how many findings it stands for

    @property
    def folder(self) -> str:
        return os.path.dirname(os.path.abspath(self.path))

    @classmethod
    def load(cls, path: str) -> "Baseline":
        try:
            with open(path, encoding="utf-8") as handle:
                data = json.load(handle)
        except FileNotFoundError:
            raise BaselineError(f"{path}: no such baseline file (write one with --write-baseline {path})") from None
        except (OSError, UnicodeDecodeError, ValueError) as error:
            raise BaselineError(f"{path}: cannot read the baseline: {error}") from None
        if not isinstance(data, dict) or data.get(_FORMAT_KEY) != FORMAT_VERSION or \
                not isinstance(data.get("findings"), list):
            raise BaselineError(f"{path}: not a kerascheck baseline (version {FORMAT_VERSION}); "
                                f"write one with --write-baseline {path}")
        counts = Counter()
        for item in data["findings"]:
            try:
                entry = Entry(str(item["path"]), str(item["code"]), str(item["fingerprint"]))
                count = int(item.get("count", 1))
            except (KeyError, TypeError, ValueError):
                raise BaselineError(f"{path}: a baseline entry lacks path, code or fingerprint: {item!r}") from None
            counts[entry] += max(count, 1)
        return cls(path, counts)

    def filter(self, findings: list, checked_paths: Iterable[str] = ()) -> "Filtered":
        """The findings not in the baseline, and what the baseline matched; `checked_paths` (the files of this run)
        say which entries could have matched, for the stale count."""
        budget = Counter(self.counts)
        sources: dict = {}
        kept, matched = [], 0
        for finding in findings:
            entry = next(iter(entries_of([finding], self.folder, sources)))
            if budget[entry] > 0:
                budget[entry] -= 1
                matched += 1
            else:
                kept.append(finding)
        checked = {_relative(path, self.folder) for path in checked_paths}
        stale = sum(count for entry, count in budget.items() if count > 0 and entry.path in checked)
        return Filtered(kept, matched, stale)


@dataclass
class Filtered:
    findings: list  # not in the baseline: what to report
    matched: int  # findings the baseline hid
    stale: int  # baseline entries (counted) of checked files that matched nothing
    path: Optional[str] = None  # the baseline file, as given


def write(path: str, findings: list, checked_paths: Iterable[str] = ()) -> tuple:
    """Write the baseline of `findings` to `path`, atomically; (entries written as counted findings, pruned).

    The entries of an existing baseline for files this run did not check are kept while those files exist;
    everything else is replaced by the current findings, so stale entries go."""
    folder = os.path.dirname(os.path.abspath(path))
    counts = entries_of(findings, folder)
    pruned = 0
    if os.path.exists(path):
        try:
            old = Baseline.load(path)
        except BaselineError:
            old = None  # overwritten: it was not a baseline kerascheck can read
        if old is not None:
            checked = {_relative(p, folder) for p in checked_paths}
            for entry, count in old.counts.items():
                if entry.path not in checked and os.path.exists(os.path.join(folder, entry.path)):
                    counts[entry] += count
                else:
                    pruned += max(0, count - counts.get(entry, 0))
    items = [{"path": entry.path, "code": entry.code, "fingerprint": entry.fingerprint, "count": count}
             for entry, count in sorted(counts.items())]
    text = json.dumps({_FORMAT_KEY: FORMAT_VERSION, "findings": items}, indent=2, ensure_ascii=False) + "\n"
    try:
        write_atomic(Path(path), text.encode("utf-8"))
    except OSError as error:
        raise BaselineError(f"{path}: cannot write the baseline: {error.strerror or error}") from None
    return sum(counts.values()), pruned
