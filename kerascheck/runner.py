"""Run a check over files: read, extract facts, apply rules, collect findings.

Per-file work is one pure function (`check_one_file`) so it can run in worker
processes and be cached by content.
"""

from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Optional

from kerascheck import versions

if TYPE_CHECKING:
    from kerascheck.facts import FileFacts

# The rules, notebooks, suppression and extraction modules are imported where a file is checked, not here:
# a run whose files are all cache hits never needs them (nor their start-up time).

# A per-file target: '# kerascheck: keras-version=2.3.1' in the first lines.
_FILE_DIRECTIVE = re.compile(rb"^#\s*kerascheck:\s*keras-version\s*=\s*(\S+)", re.MULTILINE)


@dataclass
class Options:
    select: tuple = ("KC",)
    ignore: tuple = ()
    per_file_ignores: dict = field(default_factory=dict)
    target: Optional[versions.KerasTarget] = None  # None: detect per file
    project_root: Optional[str] = None
    config_dir: Optional[str] = None  # the folder of the pyproject.toml these options came from


@dataclass
class FileResult:
    path: str
    findings: list = field(default_factory=list)
    facts: Optional[FileFacts] = None
    internal_error: Optional[str] = None
    fix_counts: tuple = (0, 0)  # (attached, hidden) when run_check attached fixes (attach_fixes=...)


def display_path(path: Path) -> str:
    """Relative to the working directory when inside it, as given otherwise."""
    try:
        return os.path.relpath(path) if not os.path.relpath(path).startswith("..") else str(path)
    except ValueError:  # another drive on Windows
        return str(path)


def file_folder(shown: Optional[str]) -> Optional[str]:
    """The absolute folder of a checked file (as shown: relative to the working directory, or as given); None for
    stdin without a name."""
    if not shown or shown == "-":
        return None
    return os.path.dirname(os.path.abspath(shown))


def pinned_target(options: Options, shown: Optional[str] = None) -> Optional[versions.KerasTarget]:
    """The Keras pinned by the file's own project (versions.pinned_target, from the file's folder up), else by the
    project root the options came from (stdin); None when nothing pins one."""
    folder = file_folder(shown) or options.project_root
    return versions.pinned_target(folder) if folder is not None else None


@lru_cache(maxsize=1)
def _installed_target() -> versions.KerasTarget:
    return versions.from_installed() or versions.UNKNOWN


def target_for(data: bytes, options: Options, shown: Optional[str] = None) -> versions.KerasTarget:
    """The file's own directive, else --keras-version / config, else its project's pins, else the installed
    packages, else unknown."""
    match = _FILE_DIRECTIVE.search(data[:2048])
    if match:
        try:
            return versions.parse_spec(match.group(1).decode("ascii", "replace"), origin="file directive")
        except versions.VersionSpecError:
            pass
    if options.target is not None:
        return options.target
    return pinned_target(options, shown) or _installed_target()


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
    from kerascheck.rules import all_rules, code_selected

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
    # Imported here, not at the top: a run whose files are all cache hits never needs them.
    from kerascheck import notebooks, suppression
    from kerascheck.extract import DecodeError, decode_source, extract_bytes, extract_text, may_hold_keras
    from kerascheck.facts import FileFacts, FileProblem
    from kerascheck.rules import check_file

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
            facts = extract_text(shown, text) if may_hold_keras(data) else FileFacts(path=shown)
        else:
            facts = extract_bytes(shown, data)
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
        findings = check_file(facts, target, rules)
        if text is not None and noqa != "none":
            findings = suppression.apply_noqa(findings, text, shown, rules, inline=noqa == "all",
                                              flake8_file_directive=noqa == "all")
        if notebook_index is not None:
            findings = notebooks.findings_to_cells(findings, notebook_index)
            notebooks.annotate_facts(facts, notebook_index)
        result.findings = findings
        if keep_facts:
            result.facts = facts
    except Exception as error:  # noqa: BLE001 - one file must never stop the run
        import traceback

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
    fixes_attached: int = 0  # with attach_fixes=...: findings given a fix, and fixes left out (unsafe)
    fixes_hidden: int = 0


def run_check(files: list, options: Options, keep_facts: bool = False, options_for=None, jobs: int = 1,
              cache_dir=None, attach_fixes: Optional[bool] = None) -> RunResult:
    """Check every file; findings sorted by path and position whatever the order of work.

    `options_for(path)`, when given, gives each file its own options (its nearest [tool.kerascheck]).
    `jobs` worker processes (None: one per core); `cache_dir`: the results cache (kerascheck/cache.py),
    None for none. Internal errors keep the order of `files`. `attach_fixes` (include unsafe ones or not):
    each file's findings get their fixes (kerascheck.fix.attach_fixes) where the file is checked, in the
    workers, and cached with them.
    """
    from kerascheck.parallel import check_files

    run = RunResult(files_checked=len(files))
    for result in check_files(files, options_for or (lambda _path: options), keep_facts=keep_facts, jobs=jobs,
                              cache_dir=cache_dir, attach_fixes=attach_fixes):
        run.findings.extend(result.findings)
        run.fixes_attached += result.fix_counts[0]
        run.fixes_hidden += result.fix_counts[1]
        if result.facts is not None:
            run.compiles.extend(result.facts.compiles)
        if result.internal_error:
            run.internal_errors.append(result.internal_error)
    run.findings.sort(key=lambda finding: finding.sort_key())
    run.compiles.sort(key=lambda c: (c.path, c.span.line, c.span.column))
    return run


def find_project_root(start: Path) -> Optional[str]:
    folder = start.resolve()
    for candidate in [folder, *folder.parents]:
        if (candidate / ".git").exists() or (candidate / "pyproject.toml").is_file():
            return str(candidate)
    return None
