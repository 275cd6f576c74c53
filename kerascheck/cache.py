"""The results cache, like ruff's `.ruff_cache`: a second run with nothing changed reads no source.

One JSON file per cache folder, `.kerascheck_cache/results-<fingerprint>.json`,
where the fingerprint covers kerascheck's version and its own source files,
the Python version and the distributions installed on sys.path (libcst's version,
and the installed Keras that the target falls back to). Each entry is keyed by the file's
path and holds the file's content digest (BLAKE2b), the fingerprint of the
options that applied to it (rules, per-file ignores, target Keras version...)
and its findings. A file whose facts rest on other modules of the project (`from models.cnn import
build_model`) also keeps each such module's path, digest and stat: the entry is a hit only while
every one of them is unchanged, so editing a module invalidates exactly the files that read it.

A file is a hit when its options fingerprint matches and its content digest
matches. Like git's index, the file's (size, mtime, ctime, inode) is kept as a
shortcut: when it is unchanged the content is not read again; when it changed
the file is read and hashed, and a matching digest is still a hit. A stat taken
within two seconds of writing the cache is not trusted (a file changed in the
same timestamp tick would look unchanged), so such files are hashed next time.

JSON, never pickle: the cache folder may come from an untrusted checkout, and
loading it must not run code. A cache that cannot be read is ignored; writes
go to a temporary file renamed into place (atomic on POSIX and Windows).
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Optional

from kerascheck import __version__
from kerascheck.findings import Finding

try:  # hashlib would load OpenSSL (milliseconds of every run) for a hash CPython keeps in _blake2
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - another Python implementation
    from hashlib import blake2b

CACHE_DIR_NAME = ".kerascheck_cache"
_FORMAT = 4
# A stat this close to the cache's write time may hide a change made in the same tick.
_RACY_SECONDS = 2.0


def content_digest(data: bytes) -> str:
    return blake2b(data, digest_size=16).hexdigest()


def stat_key(st: os.stat_result) -> str:
    # ctime too: every write changes it, and unlike mtime nothing can set it back (as git's index).
    # One string, not a list of numbers: nineteen-digit numbers make JSON slow to read.
    return f"{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}:{st.st_dev}"


def _package_fingerprint() -> str:
    """kerascheck's version and the size/mtime of its own source files (a developer's edit invalidates)."""
    digest = blake2b(digest_size=12)
    digest.update(f"{_FORMAT}|{__version__}|{sys.version_info[:3]}|{sys.implementation.name}".encode())
    digest.update(repr(installed_distributions()).encode())
    package = Path(__file__).resolve().parent
    for folder, dirs, names in os.walk(package):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(names):
            if name.endswith(".py"):
                try:
                    st = os.stat(os.path.join(folder, name))
                except OSError:
                    continue
                digest.update(f"{os.path.relpath(os.path.join(folder, name), package)}:{st.st_size}:{st.st_mtime_ns};".encode())
    return digest.hexdigest()


def installed_distributions() -> list:
    """The metadata folders (name, mtime) of the distributions on sys.path, folder by folder: what pip changes.

    A `name-version.dist-info` folder is named after its version, so this stands for libcst's version and
    for the installed Keras (versions.from_installed) in the cache key without importlib.metadata, whose
    import alone takes longer than the rest of a cached run.
    """
    found = []
    for entry in sys.path:
        metadata = []
        try:
            with os.scandir(entry or ".") as scan:
                for item in scan:
                    if item.name.endswith((".dist-info", ".egg-info")):
                        try:
                            metadata.append((item.name, item.stat().st_mtime_ns))
                        except OSError:
                            metadata.append((item.name, None))
        except OSError:  # not a folder (a zip file) or gone
            continue
        if metadata:  # a folder without any (the working folder, for one) must not change the key
            found.append((entry, sorted(metadata)))
    return found


def options_fingerprint(options, resolved_target, run_context: tuple = ()) -> str:
    """Everything in Options that can change one file's findings, with the Keras target as resolved (None: the
    installed packages decide, and they are in the cache file's name), and what else of the run does."""
    parts = (tuple(options.select), tuple(options.ignore), sorted((k, tuple(v)) for k, v in options.per_file_ignores.items()),
             repr(resolved_target), options.config_dir, options.project_root, run_context)
    return blake2b(repr(parts).encode(), digest_size=12).hexdigest()


def finding_to_json(finding: Finding) -> dict:
    return finding.to_cache()


def finding_from_json(data: dict) -> Finding:
    return Finding.from_cache(data)


def default_cache_dir(project_root: Optional[str]) -> Path:
    override = os.environ.get("KERASCHECK_CACHE_DIR")
    if override:
        return Path(override)
    return Path(project_root or os.getcwd()) / CACHE_DIR_NAME


class ResultCache:
    """Load once, look up per file, store the new results, save atomically."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.path = self.folder / f"results-{_package_fingerprint()}.json"
        self.entries: dict = {}
        self.dirty = False
        self.loaded_at = time.time()
        try:
            with open(self.path, "rb") as handle:
                data = json.loads(handle.read())
            if isinstance(data, dict) and data.get("format") == _FORMAT and isinstance(data.get("files"), dict):
                self.entries = data["files"]
        except (OSError, ValueError, UnicodeDecodeError):
            self.entries = {}

    # Entry: [stat_key or None, digest, options fingerprint, [finding dicts], [[dependency path, digest, stat_key
    # or None], ...]], the last two left out when there are no findings and no dependencies (most files: a smaller
    # file, read faster). A hit is the list of findings.

    def lookup_stat(self, key: str, st: Optional[os.stat_result], options_fp: str) -> Optional[list]:
        """Findings when the file is unchanged by its stat, else None (then try lookup_digest)."""
        entry = self._entry(key, options_fp)
        if entry is None or st is None or entry[0] is None or entry[0] != stat_key(st):
            return None
        if not self._dependencies_unchanged(entry):
            return None
        return self._findings(entry)

    def lookup_digest(self, key: str, digest: str, options_fp: str, st: Optional[os.stat_result]) -> Optional[list]:
        entry = self._entry(key, options_fp)
        if entry is None or entry[1] != digest or not self._dependencies_unchanged(entry):
            return None
        findings = self._findings(entry)
        if findings is not None and st is not None and entry[0] != stat_key(st):
            entry[0] = self._trusted_stat(st)
            self.dirty = True
        return findings

    def store(self, key: str, st: Optional[os.stat_result], digest: str, options_fp: str, findings: list,
              dependencies: tuple = ()) -> None:
        encoded = [finding_to_json(f) for f in findings]
        if encoded:
            try:  # only what comes back identical (a tuple in a fix would come back a list)
                if json.loads(json.dumps(encoded)) != encoded:
                    return
            except (TypeError, ValueError):
                return
        entry = [self._trusted_stat(st) if st is not None else None, digest, options_fp]
        if encoded or dependencies:
            entry.append(encoded)
        if dependencies:
            entry.append([[path, module_digest, self._trusted_key(module_stat)]
                          for path, module_digest, module_stat in dependencies])
        self.entries[key] = entry
        self.dirty = True

    def save(self) -> None:
        if not self.dirty:
            return
        from kerascheck.atomic import write_atomic  # here (tempfile, ~5 ms): most runs (all hits) write nothing

        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            gitignore = self.folder / ".gitignore"
            if not gitignore.exists():
                gitignore.write_text("# Automatically created by kerascheck.\n*\n", encoding="utf-8")
            write_atomic(self.path, json.dumps({"format": _FORMAT, "files": self.entries},
                                               separators=(",", ":")).encode("utf-8"))
            # Results of older kerascheck versions or sources are never read again.
            for old in self.folder.glob("results-*.json"):
                if old != self.path:
                    try:
                        old.unlink()
                    except OSError:
                        pass
        except OSError:
            pass  # a read-only checkout: run without a cache
        self.dirty = False

    # ------------------------------------------------------------------ helpers

    def _entry(self, key: str, options_fp: str) -> Optional[list]:
        entry = self.entries.get(key)
        if not isinstance(entry, list) or len(entry) not in (3, 4, 5) or entry[2] != options_fp:
            return None
        return entry

    def _trusted_stat(self, st: os.stat_result) -> Optional[str]:
        if max(st.st_mtime_ns, st.st_ctime_ns) / 1e9 >= self.loaded_at - _RACY_SECONDS:
            return None  # racily clean: hash it next time
        return stat_key(st)

    def _trusted_key(self, key: Optional[str]) -> Optional[str]:
        """A dependency's stat key as the worker read it, unless it may hide a change in the same tick."""
        try:
            mtime, ctime = (int(part) for part in key.split(":")[1:3])
        except (AttributeError, ValueError):
            return None
        return None if max(mtime, ctime) / 1e9 >= self.loaded_at - _RACY_SECONDS else key

    def _dependencies_unchanged(self, entry: list) -> bool:
        """Whether every module the cached findings rest on is still what was read (by stat, else by content)."""
        if len(entry) < 5:
            return True
        try:
            for dependency in entry[4]:
                path, module_digest, module_stat = dependency
                try:
                    st = os.stat(path)
                except OSError:
                    return False
                if module_stat is not None and module_stat == stat_key(st):
                    continue
                with open(path, "rb") as handle:
                    if content_digest(handle.read()) != module_digest:
                        return False
                dependency[2] = self._trusted_stat(st)
                self.dirty = True
        except (OSError, TypeError, ValueError):
            return False
        return True

    @staticmethod
    def _findings(entry: list) -> Optional[list]:
        if len(entry) == 3:
            return []
        try:
            return [finding_from_json(item) for item in entry[3]]
        except (TypeError, ValueError, AttributeError, KeyError):
            return None
