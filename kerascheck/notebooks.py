"""Jupyter notebooks (.ipynb) checked like scripts.

The code cells are joined in order into one source text, one line for one
line, so the extractor and the rules see a plain module; a map takes every line
of that text back to its cell and its line in the cell. Cells are numbered like
ruff numbers them: every cell counts (markdown and raw too), from 1.

IPython syntax that is not Python is neutralised line by line, keeping line and
column numbers: line magics (`%timeit x`, `x = %env`), shell escapes (`!pip
install`, `files = !ls`), help (`?x`, `x?`, `x??`) become `pass` (or `x = None`
for an assignment) at the same indentation. A cell magic whose body is Python
(`%%time`, `%%capture`, ...) keeps its body; any other cell magic (`%%bash`,
`%%writefile`, ...) takes the cell out. A cell that does not parse even then is
a KC001 finding for that cell, and the other cells are still checked.
"""

from __future__ import annotations

import ast
import json
import re
import warnings
from dataclasses import dataclass, field
from typing import Optional

from kerascheck.extract import extract_text, may_hold_keras
from kerascheck.facts import FileFacts, FileProblem

# Cell magics whose body is Python (ruff's list).
PYTHON_CELL_MAGICS = {"time", "timeit", "capture", "debug", "prun", "pypy", "python", "python3"}

_ASSIGNED_MAGIC = re.compile(r"^(?P<indent>\s*)(?P<target>[A-Za-z_][\w.]*(?:\s*,\s*[A-Za-z_][\w.]*)*)\s*=\s*[%!]")


class NotebookError(Exception):
    """Not a notebook kerascheck can read: reported as KC002 (at the JSON error's line and column)."""

    def __init__(self, message: str, line: int = 1, column: int = 1):
        super().__init__(message)
        self.line, self.column = line, column


@dataclass
class Notebook:
    source: str  # the code cells joined, magics neutralised
    # For each line of `source` (index 0 is line 1): (cell number, line in the cell), both 1-based.
    positions: list = field(default_factory=list)
    problems: list = field(default_factory=list)  # KC001 for cells that do not parse, lines in `source`
    language: Optional[str] = None

    def line_name(self, line: int) -> str:
        """How a message names a line of the joined source: 'line 4 of cell 6'."""
        cell, row = self.position(line)
        return f"line {row} of cell {cell}"

    def position(self, line: int) -> tuple:
        """(cell, line in cell) for a line of the joined source."""
        if 1 <= line <= len(self.positions):
            return self.positions[line - 1]
        if self.positions:  # past the end (a finding at end of file): the last cell
            cell, row = self.positions[-1]
            return cell, row + (line - len(self.positions))
        return 1, line


def _cell_source(cell: dict, number: int) -> str:
    source = cell.get("source", cell.get("input", ""))  # nbformat 4 'source', nbformat 3 'input'
    if isinstance(source, list):
        if not all(isinstance(part, str) for part in source):
            raise NotebookError(f"cell {number}: 'source' is not a list of strings")
        return "".join(source)
    if isinstance(source, str):
        return source
    raise NotebookError(f"cell {number}: 'source' is neither a string nor a list of strings")


def _cells(document) -> list:
    if not isinstance(document, dict):
        raise NotebookError("the JSON document is not an object")
    if "cells" in document:
        cells = document["cells"]
    elif "worksheets" in document:  # nbformat 3
        worksheets = document["worksheets"]
        if not isinstance(worksheets, list) or not all(isinstance(w, dict) for w in worksheets):
            raise NotebookError("'worksheets' is not a list of objects")
        cells = [cell for sheet in worksheets for cell in sheet.get("cells", [])]
    else:
        raise NotebookError("no 'cells' list: not a Jupyter notebook")
    if not isinstance(cells, list) or not all(isinstance(cell, dict) for cell in cells):
        raise NotebookError("'cells' is not a list of objects")
    return cells


def _language(document: dict) -> Optional[str]:
    metadata = document.get("metadata")
    if not isinstance(metadata, dict):
        return None
    for key in ("language_info", "kernelspec"):
        info = metadata.get(key)
        if isinstance(info, dict):
            name = info.get("name") if key == "language_info" else info.get("language")
            if isinstance(name, str):
                return name.lower()
    return None


def read_notebook(data: bytes) -> Notebook:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line_start = data.rfind(b"\n", 0, error.start) + 1
        line = data.count(b"\n", 0, error.start) + 1
        column = len(data[line_start:error.start].decode("utf-8", errors="replace")) + 1
        raise NotebookError(f"not UTF-8: byte 0x{data[error.start:error.start + 1].hex()} at line {line}, column "
                            f"{column} ({error.reason})", line, column) from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise NotebookError(f"not valid JSON: {error.msg}", error.lineno, error.colno) from None
    except (ValueError, RecursionError) as error:
        raise NotebookError(f"not valid JSON: {error.__class__.__name__}") from None
    cells = _cells(document)
    notebook = Notebook(source="", language=_language(document))
    if notebook.language not in (None, "python", "python3", "ipython", "ipython3"):
        return notebook  # an R or Julia notebook: nothing to check
    parts = []
    line_count = 0
    for number, cell in enumerate(cells, start=1):
        if cell.get("cell_type") != "code":
            continue
        cell_lines = _cell_source(cell, number).splitlines()
        python_lines, problem = neutralise_cell(cell_lines)
        if problem is not None:  # does not parse: report it and keep the lines blank
            message, row, column = problem
            notebook.problems.append(FileProblem("KC001", f"syntax error: {message}",
                                                 line_count + row, column))
            python_lines = [""] * len(cell_lines)
        for row, line in enumerate(python_lines, start=1):
            notebook.positions.append((number, row))
            parts.append(line + "\n")
        line_count += len(python_lines)
    notebook.source = "".join(parts)
    return notebook


def neutralise_cell(lines: list) -> tuple:
    """(Python lines, None) or (lines, (message, row, column)) when the cell does not parse."""
    if not lines:
        return [], None
    first = lines[0].strip()
    lines = list(lines)
    if first.startswith("%%"):
        magic = first[2:].split(None, 1)[0] if first[2:].strip() else ""
        if magic not in PYTHON_CELL_MAGICS:
            return [""] * len(lines), None  # not Python: out of the check
        lines[0] = "pass"
    lines = _neutralise_lines(lines)
    source = "\n".join(lines) + "\n"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(source)
    except SyntaxError as error:
        return lines, (error.msg, error.lineno or 1, max(error.offset or 1, 1))
    except (RecursionError, MemoryError, ValueError) as error:
        return lines, (str(error) or error.__class__.__name__, 1, 1)
    return lines, None


def _neutralise_lines(lines: list) -> list:
    """Replace IPython-only lines where a statement starts; leave strings and brackets alone."""
    out = []
    scanner = _Scanner()
    continuing_magic = False
    for line in lines:
        if continuing_magic:  # a magic continued with a trailing backslash
            out.append("")
            continuing_magic = line.rstrip().endswith("\\")
            continue
        if scanner.at_statement_start and _is_magic(line, scanner):
            out.append(_replacement(line))
            continuing_magic = line.rstrip().endswith("\\")
            continue
        scanner.feed(line)
        out.append(line)
    return out


def _is_magic(line: str, scanner: "_Scanner") -> bool:
    stripped = line.lstrip()
    if not stripped:
        return False
    if stripped[0] in "%!?":
        return not stripped.startswith("!=")
    if _ASSIGNED_MAGIC.match(line) and not re.match(r"^\s*[\w.\s,]+=\s*!=", line):
        return True
    # 'x?' / 'x??' help: the line, outside strings and comments, ends with '?'.
    probe = _Scanner()
    probe.feed(line)
    return probe.last_code_char == "?" and probe.at_statement_start


def _replacement(line: str) -> str:
    indent = line[: len(line) - len(line.lstrip())]
    assigned = _ASSIGNED_MAGIC.match(line)
    if assigned and not line.lstrip().startswith(("%", "!")):
        return f"{indent}{assigned.group('target')} = None"
    return f"{indent}pass"


class _Scanner:
    """Just enough of Python's lexer to know whether the next line starts a statement."""

    def __init__(self):
        self.depth = 0
        self.quote: Optional[str] = None  # the open string's delimiter: ', ", ''' or \"\"\"
        self.backslash = False
        self.last_code_char = ""

    @property
    def at_statement_start(self) -> bool:
        return self.depth == 0 and self.quote is None and not self.backslash

    def feed(self, line: str) -> None:
        self.backslash = False
        i, n = 0, len(line)
        while i < n:
            char = line[i]
            if self.quote is not None:
                if char == "\\":
                    i += 2
                    continue
                if line.startswith(self.quote, i):
                    i += len(self.quote)
                    self.quote = None
                    self.last_code_char = "'"
                    continue
                i += 1
                continue
            if char == "#":
                break
            if char in "'\"":
                triple = line[i:i + 3]
                self.quote = triple if triple in ("'''", '"""') else char
                i += len(self.quote)
                continue
            if char in "([{":
                self.depth += 1
            elif char in ")]}":
                self.depth = max(self.depth - 1, 0)
            elif char == "\\" and line[i + 1:].strip() == "":
                self.backslash = True
                break
            if not char.isspace():
                self.last_code_char = char
            i += 1
        if self.quote in ("'", '"'):  # a one-quote string cannot span lines (unless continued)
            if not self.backslash:
                self.quote = None


# ------------------------------------------------------------ the runner's side


def extract_notebook(path: str, data: bytes) -> tuple:
    """(FileFacts, Notebook) for a notebook's bytes; (FileFacts with KC002, None) when it is not one."""
    try:
        notebook = read_notebook(data)
    except NotebookError as error:
        return FileFacts(path=path, problems=[FileProblem("KC002", f"cannot read notebook: {error}",
                                                                       error.line, error.column)]), None
    if may_hold_keras(notebook.source.encode("utf-8")):
        # Cells that do not parse are blank in the joined source: the rest is still checked.
        facts = extract_text(path, notebook.source)
    else:
        facts = FileFacts(path=path)
    facts.problems.extend(notebook.problems)
    return facts, notebook


def findings_to_cells(findings: list, notebook: Notebook) -> list:
    """Lines of the joined source -> (cell, line in cell), for each finding and the output it is about.

    Messages already name lines by cell (`Notebook.line_name`, given to the rules): nothing rewrites them here.
    """
    for finding in findings:
        cell, row = notebook.position(finding.line)
        finding.cell = cell
        if finding.end_line is not None:
            end_cell, end_row = notebook.position(finding.end_line)
            finding.end_line = end_row if end_cell == cell else row
        finding.line = row
        if finding.output is not None and finding.output.get("line") is not None:
            finding.output["cell"], finding.output["line"] = notebook.position(finding.output["line"])
    return sorted(findings, key=lambda f: f.sort_key())


def annotate_facts(facts, notebook: Notebook) -> None:
    """Let `kerascheck inspect` show cells: each compile fact gets `notebook` (a Notebook, for .position())."""
    for fact in (*facts.compiles, *facts.model_calls):
        fact.notebook = notebook
