"""`kerascheck check --add-noqa`: a `# noqa: CODE` on every line with a finding, as ruff's `--add-noqa`.

- The comment goes where `# noqa` is read for the finding (kerascheck/suppression.py): the
  physical line, or the last line of a multi-line string or backslash continuation (a
  comment inside the string would be text, after a backslash a syntax error).
- An existing `# noqa: CODES` gets the new codes added; a bare `# noqa` already silences
  everything and is left as it is; other comments on the line stay.
- A file that does not parse is never touched (nor one that would not parse after the
  edit, which cannot happen but is checked); files are replaced atomically, byte for byte
  elsewhere (encoding, line endings).
- Notebooks are edited cell by cell: only the `source` of the cells with a finding
  changes, and the JSON keeps its layout (as `--fix` writes notebooks); a cell magic's
  lines are never touched.

KC001/KC002 (the file could not be read or parsed) and KC003 (an unused `# noqa`: a new
code there would silence the report of a comment that silences nothing) get no comment.
"""

from __future__ import annotations

import ast
import json
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Optional

from kerascheck.atomic import write_atomic
from kerascheck.suppression import Suppressions, add_noqa

NOT_SILENCED = ("KC001", "KC002", "KC003")


@dataclass
class NoqaResult:
    path: str
    added: int = 0  # lines whose `# noqa` was added or extended
    error: Optional[str] = None


def _parses(text: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def _split_ending(line: str) -> tuple:
    stripped = line.rstrip("\r\n")
    return stripped, line[len(stripped):]


def add_to_lines(lines: list, python: str, codes_by_line: dict) -> int:
    """Add `# noqa: CODE` to `lines` (with their endings, edited in place) for the codes by line of a text whose
    Python is `python` (the same lines; a notebook cell's with its magics neutralised). Returns the lines changed."""
    suppressions = Suppressions(python)
    wanted: dict = {}
    for line, codes in codes_by_line.items():
        noqa_line = suppressions.line_range(line)[1]
        wanted.setdefault(noqa_line, []).extend(codes)
    changed = 0
    for number in sorted(wanted):
        if not 1 <= number <= len(lines):
            continue
        text, ending = _split_ending(lines[number - 1])
        new = text
        for code in dict.fromkeys(sorted(wanted[number])):
            new = add_noqa(new, code)
        if new != text:
            lines[number - 1] = new + ending
            changed += 1
    return changed


def _codes_by_line(findings: Iterable) -> dict:
    by_line: dict = {}
    for finding in findings:
        if finding.code not in NOT_SILENCED:
            by_line.setdefault(finding.line, []).append(finding.code)
    return by_line


def add_noqa_to_file(path: str, findings: list, write: bool = True) -> NoqaResult:
    """Add the comments for one file's findings (paths as the findings show them)."""
    result = NoqaResult(path)
    if any(finding.code in ("KC001", "KC002") for finding in findings):
        return result  # never touch a file that does not parse or cannot be read
    if path.lower().endswith(".ipynb"):
        return _add_to_notebook(path, findings, result, write)
    from kerascheck.fix.files import decode

    try:
        data = Path(path).read_bytes()
    except OSError as error:
        result.error = f"{path}: no noqa added: cannot read it ({error.strerror or error})"
        return result
    decoded = decode(data)
    if decoded is None:
        result.error = f"{path}: no noqa added: cannot decode it"
        return result
    text, encoding = decoded
    if not _parses(text):
        result.error = f"{path}: no noqa added: it does not parse"
        return result
    lines = text.splitlines(keepends=True)
    result.added = add_to_lines(lines, text, _codes_by_line(findings))
    new = "".join(lines)
    if new == text:
        return result
    if not _parses(new):  # cannot happen (a comment at the end of a logical line); never write it anyway
        result.added, result.error = 0, f"{path}: no noqa added: the result would not parse (please report this bug)"
        return result
    if write:
        try:
            write_atomic(Path(path), new.encode(encoding))
        except (OSError, UnicodeEncodeError) as error:
            result.added, result.error = 0, f"{path}: no noqa added: cannot write it ({error})"
    return result


def _add_to_notebook(path: str, findings: list, result: NoqaResult, write: bool) -> NoqaResult:
    from kerascheck import notebooks
    from kerascheck.fix.notebook import _layout, _source_value

    try:
        data = Path(path).read_bytes()
        original = data.decode("utf-8-sig")
        document = json.loads(original)
        cells = notebooks._cells(document)
    except (OSError, ValueError, RecursionError, notebooks.NotebookError) as error:
        result.error = f"{path}: no noqa added: cannot read it as a notebook ({error})"
        return result
    dump = _layout(document, original)
    if dump is None:
        result.error = f"{path}: no noqa added: its JSON layout is not one kerascheck can reproduce exactly"
        return result
    by_cell: dict = {}
    for finding in findings:
        if finding.cell is not None:
            by_cell.setdefault(finding.cell, []).append(finding)
    for number, cell_findings in sorted(by_cell.items()):
        if not 1 <= number <= len(cells) or cells[number - 1].get("cell_type") != "code":
            continue
        cell = cells[number - 1]
        raw_text = notebooks._cell_source(cell, number)
        raw = raw_text.splitlines(keepends=True)
        python, problem = notebooks.neutralise_cell(raw_text.splitlines())
        if problem is not None:
            continue  # a cell that does not parse is not touched (KC001 is reported for it)
        codes = _codes_by_line(cell_findings)
        magic_lines = {i + 1 for i, line in enumerate(raw_text.splitlines()) if line != python[i]}
        if magic_lines & set(codes):
            continue  # never a comment on a magic line
        changed = add_to_lines(raw, "\n".join(python) + "\n", codes)
        if not changed:
            continue
        new_python, problem = notebooks.neutralise_cell("".join(raw).splitlines())
        if problem is not None or not _parses("\n".join(new_python) + "\n"):
            result.error = f"{path}: no noqa added: cell {number} would not parse (please report this bug)"
            result.added = 0
            return result
        key = "source" if "source" in cell else "input"
        cell[key] = _source_value(cell, "".join(raw).splitlines())
        result.added += changed
    if result.added and write:
        after = dump(document)
        try:
            write_atomic(Path(path), (("\ufeff" if data.startswith(b"\xef\xbb\xbf") else "") + after).encode("utf-8"))
        except OSError as error:
            result.added, result.error = 0, f"{path}: no noqa added: cannot write it ({error})"
    return result


def add_noqa_to_files(findings: list, write: bool = True) -> list:
    """NoqaResult for every file with a finding, in path order."""
    by_path: dict = {}
    for finding in findings:
        by_path.setdefault(finding.path, []).append(finding)
    return [add_noqa_to_file(path, file_findings, write) for path, file_findings in sorted(by_path.items())]
