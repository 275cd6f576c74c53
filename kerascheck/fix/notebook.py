"""Fixing notebooks cell by cell: only the `source` of the changed code cells changes.

The code cells are joined into one Python text, each after a marker comment line
(`# kerascheck-fix: cell 3 <token>`), with IPython magics neutralised exactly as the
check does it (kerascheck/notebooks.py). Fixes run on that text like on a file; no fix
can cross a marker, since every cell parses on its own and every edit is inside one
node or on whole lines. The fixed text is cut at the markers again, the magic lines
are put back, and the notebook is written with the same JSON layout, so outputs,
metadata and every other byte stay as they were. A notebook whose JSON layout cannot
be reproduced exactly is left alone (reported), as is a cell whose magic lines a fix
would touch.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import re
import secrets
from dataclasses import dataclass, field
from typing import Optional

from kerascheck import notebooks
from kerascheck.fix.edits import LineIndex
from kerascheck.fix.engine import compute_fixes, edits_json, fix_source, parses


@dataclass
class _Cell:
    number: int  # 1-based, every cell counted (as notebooks.py and ruff number them)
    cell: dict  # the cell object inside the document
    raw: list  # its lines as stored (magics included)
    python: list  # its lines as checked (magics neutralised)
    start: int = 0  # first line of the cell in the joined text


@dataclass
class JoinedNotebook:
    document: object
    cells: list = field(default_factory=list)  # _Cell, code cells that parse
    text: str = ""
    marker: str = ""

    def cell_at(self, line: int) -> Optional[tuple]:
        """(cell, row) for a line of the joined text; a marker line counts as one past its previous cell's end."""
        found = None
        for cell in self.cells:
            if cell.start > line:
                break
            found = cell
        return None if found is None else (found, line - found.start + 1)

    def line_of(self, number: int, row: int) -> Optional[int]:
        for cell in self.cells:
            if cell.number == number:
                return cell.start + row - 1
        return None


def join(data: bytes) -> Optional[JoinedNotebook]:
    """The code cells of a notebook as one text with cell markers; None when it is not a Python notebook."""
    try:
        document = json.loads(data.decode("utf-8-sig"))
        cells = notebooks._cells(document)
    except (ValueError, UnicodeDecodeError, RecursionError, notebooks.NotebookError):
        return None
    if notebooks._language(document) not in (None, "python", "python3", "ipython", "ipython3"):
        return None
    joined = JoinedNotebook(document=document, marker=f"# kerascheck-fix: cell {{}} {secrets.token_hex(4)}")
    parts, line = [], 1
    for number, cell in enumerate(cells, start=1):
        if cell.get("cell_type") != "code":
            continue
        try:
            raw = notebooks._cell_source(cell, number).splitlines()
        except notebooks.NotebookError:
            return None
        python, problem = notebooks.neutralise_cell(raw)
        if problem is not None or not raw:
            continue  # a cell that does not parse is reported by the check, and not fixed
        parts.append(joined.marker.format(number) + "\n")
        joined.cells.append(_Cell(number, cell, raw, python, start=line + 1))
        parts.extend(text + "\n" for text in python)
        line += 1 + len(python)
    joined.text = "".join(parts)
    return joined


def split(joined: JoinedNotebook, text: str) -> Optional[dict]:
    """{cell number: new raw lines} for the cells the fixed text changed; None when a fix broke a cell apart."""
    pattern = re.compile("^" + re.escape(joined.marker).replace(r"\{\}", r"(\d+)") + r"\n", re.MULTILINE)
    pieces = pattern.split(text)
    if pieces[0] != "" or len(pieces) != 2 * len(joined.cells) + 1:
        return None
    changed = {}
    for cell, (number, body) in zip(joined.cells, zip(pieces[1::2], pieces[2::2])):
        if int(number) != cell.number:
            return None
        lines = body.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        if lines == cell.python:
            continue
        restored = _restore_magics(cell, lines)
        if restored is None:
            return None
        changed[cell.number] = restored
    return changed


def _restore_magics(cell: _Cell, lines: list) -> Optional[list]:
    """The new lines with the cell's own magic lines back where they were; None if a fix touched one."""
    if cell.raw == cell.python:
        return lines
    out = []
    matcher = difflib.SequenceMatcher(None, cell.python, lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out.extend(cell.raw[i1:i2])
            continue
        if any(cell.raw[i] != cell.python[i] for i in range(i1, i2)):
            return None
        out.extend(lines[j1:j2])
    return out


def _source_value(cell: dict, lines: list):
    """The cell's new `source` in its own representation (a list of lines, or one string)."""
    old = cell.get("source", cell.get("input", ""))
    old_text = "".join(old) if isinstance(old, list) else old
    text = "\n".join(lines) + ("\n" if old_text.endswith("\n") else "")
    if isinstance(old, list):
        return [line for line in text.splitlines(keepends=True)]
    return text


def _layout(document, original: str):
    """A function writing a document exactly as `original` was written, or None."""
    for indent in (1, 2, 4, None, 0, 3):
        for ensure_ascii in (False, True):
            for sort_keys in (False, True):
                for newline in ("\n", ""):
                    def dump(doc, indent=indent, ensure_ascii=ensure_ascii, sort_keys=sort_keys, newline=newline):
                        return json.dumps(doc, indent=indent, ensure_ascii=ensure_ascii, sort_keys=sort_keys) + newline
                    if dump(document) == original:
                        return dump
    return None


def fix_notebook(result, data: bytes, check, unsafe: bool):
    """FileFix of a notebook's content; `result` arrives with its shown name; `check` as kerascheck.fix.fix_file's."""
    joined = join(data)
    if joined is None:
        result.error = f"{result.shown}: not fixed: not a notebook kerascheck can rewrite"
        return result
    outcome = fix_source(joined.text, check, unsafe)
    if outcome.text == joined.text:
        result.remaining = check(data, notebook=True)
        return result
    changed = split(joined, outcome.text)
    original = data.decode("utf-8-sig")
    dump = _layout(json.loads(original), original)
    if changed is None or dump is None:
        result.error = (f"{result.shown}: not fixed: " + ("a fix would touch a magic line" if changed is None else
                        "its JSON layout is not one kerascheck can reproduce exactly"))
        return result
    diffs = []
    for cell in joined.cells:
        if cell.number in changed:
            if not parses("\n".join(notebooks.neutralise_cell(changed[cell.number])[0]) + "\n"):
                result.error = f"{result.shown}: not fixed: cell {cell.number} would not parse (please report this bug)"
                return result
            diffs.append(_cell_diff(result.shown, cell, changed[cell.number]))
            key = "source" if "source" in cell.cell else "input"
            cell.cell[key] = _source_value(cell.cell, changed[cell.number])
    after = dump(joined.document)
    new_data = (("\ufeff" if data.startswith(b"\xef\xbb\xbf") else "") + after).encode("utf-8")
    result.before, result.after, result.fixed = original, after, outcome.fixed
    result.diff_text = "".join(diffs)
    result.remaining = check(new_data, notebook=True)
    result.new_data = new_data
    return result


def edits_in_notebook(findings: list, data: bytes, whole_file: bool = False) -> dict:
    """{id(finding): its fix's edits, each in its cell} for the findings of a notebook that have a fix.

    The findings' fixes are aimed at the code cells joined (as the facts are): made on the joined text,
    then each edit's position taken back to its cell; a fix that crosses a cell or touches a magic line is left out.
    """
    joined = join(data)
    if joined is None:
        return {}
    try:
        checked = notebooks.read_notebook(data)  # the cells as the check joined them: where the spans point
    except notebooks.NotebookError:
        return {}

    def line(checked_line: int) -> int:
        return joined.line_of(*checked.position(checked_line)) or 0

    moved = {}  # a copy of each finding, its fix aimed at the cells as joined here
    for finding in findings:
        copy = dataclasses.replace(finding, fix=finding.fix.moved(line))
        moved[id(copy)] = (copy, finding)
    index = LineIndex(joined.text)
    found = {}
    for copy, fix in compute_fixes(joined.text, [copy for copy, _ in moved.values()], whole_file):
        finding = moved[id(copy)][1]
        in_cells = edits_in_cells(joined, edits_json(fix, index))
        if in_cells is not None:
            found[id(finding)] = in_cells
    return found


def _cell_diff(shown: str, cell: _Cell, lines: list) -> str:
    name = f"{shown}:cell {cell.number}"
    return "".join(line if line.endswith("\n") else line + "\n"
                   for line in difflib.unified_diff([l + "\n" for l in cell.raw], [l + "\n" for l in lines],
                                                    fromfile=name, tofile=name))


def edits_in_cells(joined: JoinedNotebook, fix_edits: list) -> Optional[list]:
    """A fix's edits with each position in its cell; None when an edit is not inside one cell."""
    edits = []
    for edit in fix_edits:
        start = joined.cell_at(edit["line"])
        end = joined.cell_at(edit["end_line"])
        if start is None or end is None or start[0] is not end[0]:
            return None
        cell = start[0]
        if any(cell.raw[row - 1] != cell.python[row - 1]
               for row in range(start[1], min(end[1], len(cell.raw)) + 1) if row - 1 < len(cell.raw)):
            return None  # a magic line
        edits.append({"cell": cell.number, **edit, "line": start[1], "end_line": end[1]})
    return edits
