"""Which files to check: walk folders like ruff does, skipping what is never source."""

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


def _is_virtualenv(path: Path) -> bool:
    return (path / "pyvenv.cfg").is_file()


def _matches(path: Path, patterns: Iterable[str], parents: bool = False) -> bool:
    """A glob matches the name, the whole path, or (with parents) any folder above."""
    text = path.as_posix()
    names = path.parts if parents else (path.name,)
    for pattern in patterns:
        pattern = pattern.rstrip("/")
        if any(fnmatch.fnmatch(name, pattern) for name in names):
            return True
        if fnmatch.fnmatch(text, pattern) or fnmatch.fnmatch(text, "*/" + pattern):
            return True
    return False


def iter_source_files(paths: Iterable[str], exclude: Iterable[str] = (), force_exclude: bool = False) -> Iterator[Path]:
    """Files to check, each once, in a stable order.

    Files named explicitly are always checked (unless force_exclude and they
    match an exclude); folders are walked recursively without following
    symlinked folders (no loops).
    """
    exclude = tuple(exclude)
    seen = set()
    for raw in paths:
        root = Path(raw)
        if root.is_dir():
            for found in _walk(root, exclude):
                key = os.path.normcase(os.path.abspath(found))
                if key not in seen:
                    seen.add(key)
                    yield found
        else:
            if force_exclude and (_matches(root, exclude, parents=True) or _matches(root, DEFAULT_EXCLUDE, parents=True)):
                continue
            key = os.path.normcase(os.path.abspath(root))
            if key not in seen:
                seen.add(key)
                yield root


def _walk(root: Path, exclude: tuple) -> Iterator[Path]:
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue
        subfolders = []
        for entry in entries:
            path = Path(entry.path)
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
                is_file = entry.is_file()
            except OSError:
                continue
            if is_dir:
                if entry.name in DEFAULT_EXCLUDE or _matches(path, exclude) or _is_virtualenv(path):
                    continue
                subfolders.append(path)
            elif is_file and entry.name.endswith(SOURCE_SUFFIXES) and not _matches(path, exclude):
                yield path
        stack.extend(reversed(subfolders))
