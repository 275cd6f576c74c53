"""The program's own modules: where an import of the project leads, and each such module read once.

`from models.cnn import build_model`, `from .nets import Classifier`, `from config import NUM_CLASSES`:
the module is looked for where Python would find it when the program runs — above the
importing file's top package, beside the importing script, at the project root (and its
`src/`) — and only there, so an installed package is never read. Imports of Keras and
TensorFlow are never followed: they are Keras's names (kerascheck/knowledge).

A module is read (decoded, parsed) once per process and kept by path, size and mtime; the
interpreter evaluates it once per file checked (extract/interpreter.py), so what one
importer does to its values never leaks into another's.
"""

from __future__ import annotations

import ast
import os
from dataclasses import dataclass, field
from typing import Optional

from kerascheck import knowledge
from kerascheck.extract.spans import SourceSpans

# Modules larger than this are not read for another file (generated code, vendored data).
MAX_MODULE_BYTES = 2_000_000
# How many of the project's modules one file's analysis may read, and how deep imports are followed.
MAX_MODULES_PER_FILE = 64
MAX_IMPORT_DEPTH = 5
# Folders that hold installed or generated code, never the project's own modules.
_NOT_PROJECT = frozenset({"site-packages", "dist-packages", "node_modules", "__pycache__", ".git"})
# Top-level packages that are never the project's, whatever a folder is called.
_NEVER_FOLLOWED = frozenset({"tensorflow", "keras", "tf_keras", "keras_core", "numpy", "torch", "jax"})


@dataclass
class SourceModule:
    """One module of the project, read and parsed."""

    path: str  # absolute
    name: str  # dotted, as imported ('models.cnn'); '' when not known
    is_package: bool  # an __init__.py
    tree: ast.Module
    spans: SourceSpans
    digest: str
    shown: str = ""  # the path as findings show it (relative to the working directory)
    stat_key: str = ""  # its size, times and inode when read (the results cache checks them first)
    keras_builders: Optional[set] = None  # ids of its functions that may build Keras (extract/interpreter.py)


@dataclass
class ModuleRead:
    """What reading a module gave: the module, or why it could not be read."""

    module: Optional[SourceModule] = None
    why: Optional[str] = None


_READ_CACHE: dict = {}  # path -> ((size, mtime_ns), ModuleRead), least recently used first
_READ_CACHE_SIZE = 128  # parsed modules kept per process (a tree of a big module is megabytes)


def read_module(path: str, name: str) -> ModuleRead:
    """The parsed module at `path` (kept per process while its size and mtime are unchanged)."""
    from kerascheck.cache import content_digest, stat_key
    from kerascheck.extract import DecodeError, decode_source

    try:
        stat = os.stat(path)
    except OSError as error:
        return ModuleRead(why=f"cannot read {path}: {error.strerror}")
    key = (stat.st_size, stat.st_mtime_ns)
    cached = _READ_CACHE.pop(path, None)
    if cached is not None and cached[0] == key:
        _READ_CACHE[path] = cached  # most recently used last
        return cached[1]
    if stat.st_size > MAX_MODULE_BYTES:
        result = ModuleRead(why=f"{name} is larger than {MAX_MODULE_BYTES // 1_000_000} MB")
    else:
        try:
            with open(path, "rb") as handle:
                data = handle.read()
            text = decode_source(data)
            tree = ast.parse(text)
            mark_module(tree, path)
            result = ModuleRead(SourceModule(path=path, name=name, is_package=os.path.basename(path) == "__init__.py",
                                             tree=tree, spans=SourceSpans(text), digest=content_digest(data),
                                             shown=_shown(path), stat_key=stat_key(stat)))
        except (OSError, DecodeError, SyntaxError, ValueError, RecursionError, MemoryError) as error:
            result = ModuleRead(why=f"{name} cannot be read ({error.__class__.__name__})")
    _READ_CACHE[path] = (key, result)
    while len(_READ_CACHE) > _READ_CACHE_SIZE:  # the least recently read goes first
        del _READ_CACHE[next(iter(_READ_CACHE))]
    return result


def mark_module(tree: ast.Module, path: str) -> None:
    """Tag every node of another module's tree with its file: spans and lines are then read in the right one."""
    for node in ast.walk(tree):
        node._kerascheck_path = path


def module_path_of(node) -> Optional[str]:
    """The file an `ast` node comes from when it is not the file being checked; None for the file itself."""
    return getattr(node, "_kerascheck_path", None)


def _shown(path: str) -> str:
    try:
        relative = os.path.relpath(path)
        return relative if not relative.startswith("..") else path
    except ValueError:
        return path


@dataclass
class ProjectLayout:
    """Where the modules of the program that contains one checked file are found."""

    file: str  # absolute path of the file being checked
    project_root: Optional[str] = None
    roots: list = field(default_factory=list)  # folders an absolute import is resolved in, first match wins

    @classmethod
    def for_file(cls, path: str, project_root: Optional[str] = None) -> "ProjectLayout":
        file = os.path.abspath(path)
        folder = os.path.dirname(file)
        roots = []
        top = folder
        while os.path.isfile(os.path.join(top, "__init__.py")) and os.path.dirname(top) != top:
            top = os.path.dirname(top)
        if project_root and os.path.relpath(file, project_root).startswith(".."):
            project_root = None  # the working folder's project, not this file's
        for root in (top, folder, project_root, os.path.join(project_root, "src") if project_root else None):
            if root and os.path.isdir(root) and root not in roots and not _is_installed(root):
                roots.append(os.path.abspath(root))
        return cls(file=file, project_root=project_root, roots=roots)

    def package_of(self, path: str) -> Optional[str]:
        """The dotted name of the module at `path`, from the first root above it."""
        for root in self.roots:
            relative = os.path.relpath(path, root)
            if relative.startswith(".."):
                continue
            parts = relative[:-3].split(os.sep) if relative.endswith(".py") else relative.split(os.sep)
            if parts and parts[-1] == "__init__":
                parts = parts[:-1]
            return ".".join(parts)
        return None

    def resolve(self, module: Optional[str], level: int, importer: str) -> Optional[tuple]:
        """(path, dotted name) of the project module an import names, or None (not the project's)."""
        if level:
            base = os.path.dirname(importer)
            for _ in range(level - 1):
                base = os.path.dirname(base)
            parts = module.split(".") if module else []
            found = _find(base, parts)
            if found is None:
                return None
            package = self.package_of(importer) or ""
            prefix = package.rsplit(".", level)[0] if os.path.basename(importer) != "__init__.py" or level > 1 else package
            dotted = ".".join(p for p in (prefix, module) if p)
            if dotted.split(".")[0] in _NEVER_FOLLOWED or knowledge.keras_path(dotted) is not None:
                return None  # Keras's (or TensorFlow's) own sources: their names are Keras's, not a project's
            return found, dotted
        if not module or module.split(".")[0] in _NEVER_FOLLOWED or knowledge.keras_path(module) is not None:
            return None
        parts = module.split(".")
        for root in self.roots:
            found = _find(root, parts)
            if found is not None:
                return found, module
        return None

    def submodule(self, package_path: str, name: str) -> Optional[str]:
        """The file of `package.name` when `package_path` is a package's __init__.py (or a namespace folder)."""
        folder = package_path if os.path.isdir(package_path) else os.path.dirname(package_path)
        if os.path.basename(package_path) != "__init__.py" and not os.path.isdir(package_path):
            return None
        return _find(folder, [name])


def _find(base: str, parts: list) -> Optional[str]:
    """base/a/b.py, base/a/b/__init__.py, or the namespace folder base/a/b; None when none exists."""
    if not parts:
        init = os.path.join(base, "__init__.py")
        return init if os.path.isfile(init) else None
    folder = os.path.join(base, *parts)
    if _is_installed(folder):
        return None
    module_file = folder + ".py"
    if os.path.isfile(module_file):
        return module_file
    init = os.path.join(folder, "__init__.py")
    if os.path.isfile(init):
        return init
    if os.path.isdir(folder):
        return folder  # a namespace package: its submodules are found, it has no names of its own
    return None


def _is_installed(path: str) -> bool:
    return any(part in _NOT_PROJECT for part in os.path.abspath(path).split(os.sep))
