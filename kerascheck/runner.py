"""Check one file: read it, extract facts, apply the rules, keep what `# noqa` leaves.

`check_source` is a pure function of the file's content and its settings, so it can run
in a worker process (kerascheck/parallel.py) and be cached by content (kerascheck/cache.py);
kerascheck/pipeline.py runs it over many files. The flake8 plugin and the language server
call it on the text they hold.
"""

from __future__ import annotations

import fnmatch
import os
import re
import stat as stat_module
import traceback
from functools import lru_cache
from pathlib import Path
from typing import Callable, Optional

from kerascheck import collector, notebooks, suppression, versions
from kerascheck.config import Options
from kerascheck.extract import DecodeError, decode_source, extract_bytes, extract_text, may_hold_keras
from kerascheck.facts import FileFacts, FileProblem
from kerascheck.findings import FileResult, display_path  # noqa: F401 - display_path: also runner's public name
from kerascheck.rules import all_rules, check_file, code_selected
from kerascheck.rules.base import line_of

# A per-file target: '# kerascheck: keras-version=2.3.1' in the first lines.
_FILE_DIRECTIVE = re.compile(rb"^#\s*kerascheck:\s*keras-version\s*=\s*(\S+)", re.MULTILINE)


def target_for(data: bytes, options: Options, shown: Optional[str] = None) -> versions.KerasTarget:
    """The file's own directive, else --keras-version / config, else the pins of the file's own project, else the
    installed packages, else unknown."""
    match = _FILE_DIRECTIVE.search(data[:2048])
    if match:
        try:
            return versions.parse_spec(match.group(1).decode("ascii", "replace"), origin="file directive")
        except versions.VersionSpecError:
            pass
    if options.target is not None:
        return options.target
    return versions.pinned_for(shown, options.project_root) or versions.installed_target()


def selected_rules(options: Options, path: str) -> tuple:
    ignore = list(options.ignore)
    candidates = [path, os.path.basename(path)]
    if options.config_dir is not None and options.per_file_ignores:  # patterns are relative to their pyproject
        relative = os.path.relpath(os.path.abspath(path), options.config_dir)
        if not relative.startswith(".."):
            candidates.append(Path(relative).as_posix())
    for pattern, codes in options.per_file_ignores.items():
        if any(fnmatch.fnmatch(candidate, pattern) for candidate in candidates):
            ignore.extend(codes)
    return _rules_selected(tuple(options.select), tuple(ignore))


@lru_cache(maxsize=256)
def _rules_selected(select: tuple, ignore: tuple) -> tuple:
    """The same few selections come back for thousands of files."""
    return tuple(rule for rule in all_rules() if code_selected(rule.code, select, ignore))


def read_file(path: Path) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()


def check_one_file(path: Path, options: Options, keep_facts: bool = False) -> FileResult:
    shown = display_path(path)
    try:
        data = read_file(path)
    except (OSError, ValueError) as error:
        return check_source(shown, None, options, keep_facts, read_error=f"cannot read file: {error.strerror or error}")
    return check_source(shown, data, options, keep_facts, notebook=path.suffix.lower() == ".ipynb")


def check_source(shown: str, data, options: Options, keep_facts: bool = False, notebook: bool = False,
                 noqa: str = "all", read_error: Optional[str] = None) -> FileResult:
    """One file's findings from its content: bytes as read from disk, or text (flake8, the language server).

    `# noqa` is applied here (kerascheck/suppression.py): noqa='all'; flake8
    applies `# noqa` and `# flake8: noqa` itself, so its plugin passes 'kerascheck'
    (only `# kerascheck: noqa`), or 'none' under --disable-noqa.
    """
    with collector.paused():
        return _check_source(shown, data, options, keep_facts, notebook, noqa, read_error)


def _check_source(shown: str, data, options: Options, keep_facts: bool, notebook: bool, noqa: str,
                  read_error: Optional[str]) -> FileResult:
    result = FileResult(path=shown)
    try:
        text, notebook_index = None, None
        if read_error is not None:
            facts = FileFacts(path=shown, problems=[FileProblem("KC002", read_error)])
            data = b""
        elif notebook:
            facts, notebook_index = notebooks.extract_notebook(shown, data)
            text = notebook_index.source if notebook_index is not None else None
            data = text.encode("utf-8") if text is not None else b""
        elif isinstance(data, str):
            text = data
            data = text.encode("utf-8")
            facts = extract_text(shown, text, options.project_root) if may_hold_keras(data) else FileFacts(path=shown)
        else:
            facts = extract_bytes(shown, data, options.project_root)
            if facts.is_empty():
                # Most files of a large repository: nothing for any rule to look at.
                if keep_facts:
                    result.facts = facts
                return result
            try:
                text = decode_source(data)
            except DecodeError:
                text = None
        target = target_for(data, options, shown)
        rules = selected_rules(options, shown)
        name_line = notebook_index.line_name if notebook_index is not None else line_of
        findings = check_file(facts, target, rules, name_line)
        if text is not None and noqa != "none":
            findings = suppression.apply_noqa(findings, text, shown, rules, inline=noqa == "all",
                                              flake8_file_directive=noqa == "all")
        if notebook_index is not None:
            findings = notebooks.findings_to_cells(findings, notebook_index)
            notebooks.annotate_facts(facts, notebook_index)
        result.findings = findings
        result.dependencies = facts.dependencies
        if keep_facts:
            result.facts = facts
    except Exception as error:  # noqa: BLE001 - one file must never stop the run
        last = traceback.extract_tb(error.__traceback__)[-1]
        result.internal_error = (f"{shown}: internal error {error.__class__.__name__}: {error} "
                                 f"(at {os.path.basename(last.filename)}:{last.lineno}); please report a bug "
                                 f"with this file to the kerascheck issue tracker")
    return result


def check_path(path: Path, options: Options, keep_facts: bool = False) -> tuple:
    """(FileResult, the bytes that were checked) of a file on disk; bytes None when it could not be read."""
    try:
        if not stat_module.S_ISREG(os.stat(path).st_mode):  # a FIFO would block, a device never end
            return check_source(display_path(path), None, options, keep_facts,
                                read_error="cannot read file: not a regular file"), None
        data = read_file(path)
    except (OSError, ValueError):
        return check_one_file(path, options, keep_facts=keep_facts), None
    return check_source(display_path(path), data, options, keep_facts, notebook=path.suffix.lower() == ".ipynb"), data


def checker(shown: str, options: Options) -> Callable:
    """check(source, notebook=False) -> the findings of a file's content as `shown`: what kerascheck.fix re-checks."""

    def check(source, notebook: bool = False) -> list:
        return check_source(shown, source, options, notebook=notebook).findings

    return check
