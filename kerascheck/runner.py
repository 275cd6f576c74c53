"""Run a check over files: read, extract facts, apply rules, collect findings.

Per-file work is one pure function (`check_one_file`) so it can run in worker
processes and be cached by content.
"""

from __future__ import annotations

import fnmatch
import os
import re
import traceback
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Optional

from kerascheck import versions
from kerascheck.extract import extract_bytes
from kerascheck.facts import FileFacts, FileProblem
from kerascheck.findings import Finding
from kerascheck.rules import all_rules, check_file, code_selected

# A per-file target: '# kerascheck: keras-version=2.3.1' in the first lines.
_FILE_DIRECTIVE = re.compile(rb"^#\s*kerascheck:\s*keras-version\s*=\s*(\S+)", re.MULTILINE)


@dataclass
class Options:
    select: tuple = ("KC",)
    ignore: tuple = ()
    per_file_ignores: dict = field(default_factory=dict)
    target: Optional[versions.KerasTarget] = None  # None: detect per file
    project_root: Optional[str] = None


@dataclass
class FileResult:
    path: str
    findings: list = field(default_factory=list)
    facts: Optional[FileFacts] = None
    internal_error: Optional[str] = None


def display_path(path: Path) -> str:
    """Relative to the working directory when inside it, as given otherwise."""
    try:
        return os.path.relpath(path) if not os.path.relpath(path).startswith("..") else str(path)
    except ValueError:  # another drive on Windows
        return str(path)


@lru_cache(maxsize=64)
def _detected_target(root: Optional[str]) -> versions.KerasTarget:
    if root is not None:
        found = versions.from_repository(Path(root))
        if found is not None:
            return found
    return versions.from_installed() or versions.UNKNOWN


def target_for(data: bytes, options: Options) -> versions.KerasTarget:
    """The file's own directive, else --keras-version / config, else detection."""
    match = _FILE_DIRECTIVE.search(data[:2048])
    if match:
        try:
            return versions.parse_spec(match.group(1).decode("ascii", "replace"), origin="file directive")
        except versions.VersionSpecError:
            pass
    if options.target is not None:
        return options.target
    return _detected_target(options.project_root)


def selected_rules(options: Options, path: str) -> list:
    ignore = list(options.ignore)
    for pattern, codes in options.per_file_ignores.items():
        if fnmatch.fnmatch(path, pattern) or fnmatch.fnmatch(os.path.basename(path), pattern):
            ignore.extend(codes)
    return [rule for rule in all_rules() if code_selected(rule.code, options.select, ignore)]


def read_file(path: Path) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()


def check_one_file(path: Path, options: Options, keep_facts: bool = False) -> FileResult:
    shown = display_path(path)
    result = FileResult(path=shown)
    try:
        try:
            data = read_file(path)
        except (OSError, ValueError) as error:
            facts = FileFacts(path=shown, problems=[FileProblem("KC002", f"cannot read file: {error.strerror or error}")])
            data = b""
        else:
            facts = extract_bytes(shown, data)
        target = target_for(data, options)
        result.findings = check_file(facts, target, selected_rules(options, shown))
        if keep_facts:
            result.facts = facts
    except Exception as error:  # noqa: BLE001 - one file must never stop the run
        last = traceback.extract_tb(error.__traceback__)[-1]
        result.internal_error = (f"{shown}: internal error {error.__class__.__name__}: {error} "
                                 f"(at {os.path.basename(last.filename)}:{last.lineno}); please report a bug "
                                 f"with this file to the kerascheck issue tracker")
    return result


@dataclass
class RunResult:
    findings: list = field(default_factory=list)
    internal_errors: list = field(default_factory=list)
    files_checked: int = 0
    compiles: list = field(default_factory=list)  # CompileFacts, when keep_facts


def run_check(files: list, options: Options, keep_facts: bool = False) -> RunResult:
    """Check every file; findings sorted by path and position whatever the order of work."""
    run = RunResult(files_checked=len(files))
    for path in files:
        result = check_one_file(path, options, keep_facts=keep_facts)
        run.findings.extend(result.findings)
        if result.facts is not None:
            run.compiles.extend(result.facts.compiles)
        if result.internal_error:
            run.internal_errors.append(result.internal_error)
    run.findings.sort(key=Finding.sort_key)
    run.compiles.sort(key=lambda c: (c.path, c.span.line, c.span.column))
    return run


def find_project_root(start: Path) -> Optional[str]:
    folder = start.resolve()
    for candidate in [folder, *folder.parents]:
        if (candidate / ".git").exists() or (candidate / "pyproject.toml").is_file():
            return str(candidate)
    return None
