"""Which files to check: walk folders like ruff does, skipping what is never source.

Paths are plain strings (os.scandir's), not pathlib.Path: a tree of thousands of
files would spend more time building Path objects than a cached run spends on
everything else.
"""

from __future__ import annotations

import fnmatch
import os
from pathlib import Path
from typing import Iterable, Iterator

# Folders never worth walking into (ruff's defaults, trimmed to what matters here).
DEFAULT_EXCLUDE = (
    ".git", ".hg", ".svn", ".bzr", ".tox", ".nox", ".venv", "venv", ".eggs", "__pycache__", "build",
    "dist", "node_modules", "site-packages", ".mypy_cache", ".pytest_cache", ".ruff_cache",
    ".kerascheck_cache", ".ipynb_checkpoints", "__pypackages__", "_build", "buck-out",
)
SOURCE_SUFFIXES = (".py", ".pyi", ".ipynb")


def matches_exclude(path, patterns: Iterable[str], parents: bool = False) -> bool:
    """A glob matches the name, the whole path, or (with parents) any folder above. path: str or Path."""
    text = os.fspath(path).replace(os.sep, "/")
    names = Path(path).parts if parents else (os.path.basename(text),)
    for pattern in patterns:
        pattern = pattern.rstrip("/")
        if any(fnmatch.fnmatch(name, pattern) for name in names):
            return True
        if fnmatch.fnmatch(text, pattern) or fnmatch.fnmatch(text, "*/" + pattern):
            return True
    return False


def _is_virtualenv(entries: list) -> bool:
    """A folder holding pyvenv.cfg, seen in the folder's own listing (no stat of every folder to ask)."""
    for entry in entries:
        if entry.name == "pyvenv.cfg":
            try:
                return entry.is_file()
            except OSError:
                return False
    return False


def iter_source_files(paths: Iterable[str], exclude: Iterable[str] = (), force_exclude: bool = False) -> Iterator[str]:
    """Files to check, each once, in a stable order, as strings spelled like pathlib would ('a/b.py', not './a/b.py').

    Files named explicitly are always checked (unless force_exclude and they
    match an exclude); folders are walked recursively without following
    symlinked folders (no loops).
    """
    exclude = tuple(exclude)
    paths = list(paths)
    # One walk never yields a file twice: only several paths can overlap.
    overlap_possible = len(paths) > 1
    seen = set()
    for raw in paths:
        root = str(Path(raw))
        if os.path.isdir(root):
            found_files = _walk(root, exclude)
        elif force_exclude and (matches_exclude(root, exclude, parents=True) or matches_exclude(root, DEFAULT_EXCLUDE, parents=True)):
            continue
        else:
            found_files = [root]
        for found in found_files:
            if overlap_possible:
                key = os.path.normcase(os.path.abspath(found))
                if key in seen:
                    continue
                seen.add(key)
            yield found


def _walk(root: str, exclude: tuple) -> Iterator[str]:
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as scan:
                entries = sorted(scan, key=lambda e: e.name)
        except OSError:
            continue
        if folder != root and _is_virtualenv(entries):
            continue
        subfolders = []
        for entry in entries:
            name = entry.name
            # As Path(entry.path) would spell it: no './' in front of what is found under '.'.
            path = name if folder == "." else entry.path
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
                is_file = not is_dir and entry.is_file()
            except OSError:
                continue
            if is_dir:
                if name in DEFAULT_EXCLUDE or (exclude and matches_exclude(path, exclude)):
                    continue
                subfolders.append(path)
            elif is_file and name.endswith(SOURCE_SUFFIXES) and not (exclude and matches_exclude(path, exclude)):
                yield path
        stack.extend(reversed(subfolders))
