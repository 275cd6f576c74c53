#!/usr/bin/env python3
"""Ecosystem check: kerascheck on a pinned corpus of real Keras projects from the package index.

    python scripts/ecosystem.py                      # download (once), check, inspect, fix-check, summary
    python scripts/ecosystem.py --compare            # ... and what the current code adds/removes against the snapshot
    python scripts/ecosystem.py --update-snapshot    # ... and rewrite scripts/ecosystem/snapshot.txt
    python scripts/ecosystem.py --fuzz               # hostile input: every corpus file mutated by a seeded fuzzer

The corpus is `scripts/ecosystem/packages.txt` (pinned `name==version` lines). Each distribution is fetched the
way pip fetches it (the package index's simple API, the source distribution when there is one, else the wheel,
sha256 checked) *without running any of its code* (no setup.py, no build), and only its Python sources,
notebooks and dependency pins are unpacked, into `--dir` (default: `$KERASCHECK_ECOSYSTEM_DIR`, else `.ecosystem/`
in the repository, git-ignored). Each unpacked package is its own project root, as it is for its authors.

kerascheck runs as users run it, through its command line (`python -m kerascheck check --output-format json
--no-cache`, `inspect --output-format json`, `check --fix --unsafe-fixes`), one package per process, so this
script depends on the CLI's JSON and nothing inside kerascheck. The snapshot (`scripts/ecosystem/snapshot.txt`:
code, package, path, line, sorted) is what `--compare` diffs against; refresh it with `--update-snapshot` in the
same commit as the change that moves it.
"""
from __future__ import annotations

import argparse
import ast
import collections
import concurrent.futures
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import urllib.parse
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
# The kerascheck source tree that runs: this repository, or another checkout given with --tree (say, the commit
# before a change, to measure what it did on the same machine in the same hour).
KERASCHECK_TREE = [REPO]
DATA = HERE / "ecosystem"
PACKAGES_FILE = DATA / "packages.txt"
SNAPSHOT_FILE = DATA / "snapshot.txt"
INDEX_URL = os.environ.get("KERASCHECK_ECOSYSTEM_INDEX", "https://pypi.org/simple")

# What is unpacked from each distribution: what kerascheck reads (sources, notebooks) and what decides the target
# Keras version (the pins in requirements files, pyproject.toml, setup.cfg, setup.py). Nothing else.
SOURCE_SUFFIXES = (".py", ".pyi", ".ipynb")
PIN_FILES = re.compile(r"(requirements[^/]*\.txt|pyproject\.toml|setup\.cfg)$")
MAX_ARCHIVE_BYTES = 150 * 1024 * 1024
MAX_MEMBER_BYTES = 20 * 1024 * 1024
STAMP = ".ecosystem-source"  # in each unpacked package: which archive it came from


# --------------------------------------------------------------------------------------------------------------
# The pinned list


@dataclass
class Package:
    name: str
    version: str
    comment: str = ""

    @property
    def key(self) -> str:
        """Folder name: the same project may be listed at several versions (Keras 1, 2 and 3)."""
        return f"{normalize(self.name)}-{self.version}"

    @property
    def pin(self) -> str:
        return f"{self.name}=={self.version}"


def normalize(name: str) -> str:
    """PEP 503 normalized name."""
    return re.sub(r"[-_.]+", "-", name).lower()


def read_packages(path: Path = PACKAGES_FILE) -> list:
    packages = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        text, _, comment = raw.partition("#")
        text = text.strip()
        if not text:
            continue
        match = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;]+)", text)
        if not match:
            raise SystemExit(f"{path}:{number}: expected `name==version  # what Keras code it carries`, got {raw!r}")
        packages.append(Package(match.group(1), match.group(2), comment.strip()))
    keys = [p.key for p in packages]
    duplicates = sorted({k for k in keys if keys.count(k) > 1})
    if duplicates:
        raise SystemExit(f"{path}: listed twice: {', '.join(duplicates)}")
    return packages


# --------------------------------------------------------------------------------------------------------------
# Fetching, as pip does (simple API, PEP 691 JSON), without building or running anything


def _index_files(name: str) -> list:
    request = urllib.request.Request(f"{INDEX_URL}/{normalize(name)}/",
                                     headers={"Accept": "application/vnd.pypi.simple.v1+json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.load(response)["files"]


def _sdist_version(filename: str, name: str):
    for suffix in (".tar.gz", ".zip", ".tar.bz2", ".tgz"):
        if filename.endswith(suffix):
            stem = filename[: -len(suffix)]
            project, _, version = stem.rpartition("-")
            return version if normalize(project) == normalize(name) else None
    return None


def choose_file(files: list, package: Package):
    """The source distribution of exactly this version, else a pure-Python wheel, else any wheel."""
    sdists = [f for f in files if _sdist_version(f["filename"], package.name) == package.version]
    wheels = [f for f in files if f["filename"].endswith(".whl")
              and normalize(f["filename"].split("-")[0]) == normalize(package.name)
              and f["filename"].split("-")[1] == package.version]
    wheels.sort(key=lambda f: ("none-any" not in f["filename"], f["filename"]))
    return (sdists + wheels or [None])[0]


def fetch(package: Package, archives: Path) -> Path:
    """Download the pinned distribution (once; sha256 checked) and return its path."""
    archives.mkdir(parents=True, exist_ok=True)
    chosen = choose_file(_index_files(package.name), package)
    if chosen is None:
        raise FetchError(f"{package.pin}: no source distribution or wheel of this version on the index")
    target = archives / chosen["filename"]
    expected = chosen.get("hashes", {}).get("sha256")
    if target.exists() and (expected is None or _sha256(target) == expected):
        return target
    if chosen.get("size") and chosen["size"] > MAX_ARCHIVE_BYTES:
        raise FetchError(f"{package.pin}: {chosen['filename']} is {chosen['size'] >> 20} MB, over the limit")
    url = urllib.parse.urljoin(f"{INDEX_URL}/{normalize(package.name)}/", chosen["url"])
    with urllib.request.urlopen(url, timeout=300) as response:
        data = response.read(MAX_ARCHIVE_BYTES + 1)
    if len(data) > MAX_ARCHIVE_BYTES:
        raise FetchError(f"{package.pin}: {chosen['filename']} is over the size limit")
    if expected and hashlib.sha256(data).hexdigest() != expected:
        raise FetchError(f"{package.pin}: sha256 of {chosen['filename']} does not match the index")
    partial = target.with_name(target.name + ".part")
    partial.write_bytes(data)
    partial.replace(target)
    return target


class FetchError(Exception):
    pass


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _wanted(member: str) -> bool:
    return member.endswith(SOURCE_SUFFIXES) or bool(PIN_FILES.search(member))


def _safe_parts(member: str, strip_top: bool):
    parts = [part for part in member.replace("\\", "/").split("/") if part not in ("", ".")]
    if strip_top:
        parts = parts[1:]
    if not parts or ".." in parts or parts[0].endswith(":"):
        return None
    return parts


def unpack(archive: Path, destination: Path) -> None:
    """Sources, notebooks and pins of `archive` into `destination` (an sdist's top folder stripped).
    Members are written by name, never followed: no links, no absolute paths, no `..`."""
    stamp = destination / STAMP
    if stamp.exists() and stamp.read_text() == archive.name:
        return
    if destination.exists():
        shutil.rmtree(destination)
    partial = destination.with_name(destination.name + ".part")
    if partial.exists():
        shutil.rmtree(partial)
    partial.mkdir(parents=True)
    name = archive.name
    if name.endswith((".whl", ".zip")):
        with zipfile.ZipFile(archive) as bundle:
            strip = name.endswith(".zip") and _single_top([m.filename for m in bundle.infolist()])
            for member in bundle.infolist():
                if member.is_dir() or not _wanted(member.filename) or member.file_size > MAX_MEMBER_BYTES:
                    continue
                parts = _safe_parts(member.filename, strip)
                if parts:
                    _write(partial, parts, bundle.read(member))
    else:
        with tarfile.open(archive) as bundle:
            members = bundle.getmembers()
            strip = _single_top([m.name for m in members])
            for member in members:
                if not member.isfile() or not _wanted(member.name) or member.size > MAX_MEMBER_BYTES:
                    continue
                parts = _safe_parts(member.name, strip)
                if parts:
                    _write(partial, parts, bundle.extractfile(member).read())
    # Each package is a project of its own, as for its authors: kerascheck stops looking for pyproject.toml
    # and repository pins at a `.git`, so the corpus folder (or this repository) never leaks into it.
    (partial / ".git").mkdir(exist_ok=True)
    (partial / STAMP).write_text(archive.name)
    partial.rename(destination)


def _single_top(names: list) -> bool:
    tops = {n.replace("\\", "/").lstrip("/").split("/", 1)[0] for n in names if n.strip("/")}
    return len(tops) == 1 and any("/" in n.strip("/") for n in names)


def _write(root: Path, parts: list, data: bytes) -> None:
    path = root.joinpath(*parts)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


# --------------------------------------------------------------------------------------------------------------
# Running kerascheck on one package, through its command line

COMPILE_TEXT = re.compile(rb"(?<!\bre)(?<!\bregex)\.compile\s*\(")  # `.compile(` calls, not regular expressions
FILES_CHECKED = re.compile(r"\((\d+) files? checked\)")
# `inspect`'s summary line on stderr: compile calls inferred or explained (a why), fit calls whose data is known.
INSPECT_SUMMARY = re.compile(r"(?P<found>\d+) compile calls? found \((?P<checked>\d+) checked, (?P<why>\d+) with a why\)"
                             r"(?:.*? (?P<fits>\d+) fit calls? of known models: (?P<targets>\d+) with known target "
                             r"encoding, (?P<inputs>\d+) with known inputs \(scale or shape\), (?P<both>\d+) with both)?")


# `python -m kerascheck ARGS`, which also writes its own peak memory (VmHWM: the high-water mark of this process's
# memory since its exec) to the file named by $ECOSYSTEM_PEAK_FILE. getrusage's ru_maxrss is no good here: Linux
# carries the parent's resident size at fork over the exec into the child's figure.
_PEAK_WRAPPER = (
    "import atexit, os, runpy, sys\n"
    "def _peak():\n"
    "    try:\n"
    "        status = open('/proc/self/status').read()\n"
    "        kb = [line.split()[1] for line in status.splitlines() if line.startswith('VmHWM:')][0]\n"
    "        open(os.environ['ECOSYSTEM_PEAK_FILE'], 'w').write(kb)\n"
    "    except (OSError, IndexError, KeyError):\n"
    "        pass\n"
    "atexit.register(_peak)\n"
    "sys.argv[0] = 'kerascheck'\n"
    "runpy.run_module('kerascheck', run_name='__main__', alter_sys=True)\n"
)


def kerascheck_command(*args) -> list:
    return [sys.executable, "-c", _PEAK_WRAPPER, *args]


@dataclass
class Timed:
    exit_code: int
    stdout: str
    stderr: str
    seconds: float
    cpu_seconds: float
    max_rss_mb: float


def run_timed(command: list, cwd: Path, timeout: float = 1800) -> Timed:
    """Run `command`, with its own wall time, CPU time and peak memory (os.wait4: this child's rusage, even
    when other packages run beside it)."""
    peak_file = tempfile.NamedTemporaryFile(prefix="kerascheck-eco-peak-", delete=False)
    peak_file.close()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                   env=dict(_child_env(), ECOSYSTEM_PEAK_FILE=peak_file.name))
        timer = threading.Timer(timeout, process.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            timer.cancel()
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        try:
            peak_mb = int(Path(peak_file.name).read_text() or 0) / 1024
        except (OSError, ValueError):
            peak_mb = 0.0
        finally:
            os.unlink(peak_file.name)
        if not peak_mb:  # not Linux: the rusage figure, an upper bound
            peak_mb = usage.ru_maxrss / 1024
        return Timed(process.returncode, out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace"),
                     seconds, usage.ru_utime + usage.ru_stime, peak_mb)


def _child_env() -> dict:
    env = dict(os.environ)
    env.pop("KERASCHECK_CACHE_DIR", None)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(KERASCHECK_TREE[0]), env.get("PYTHONPATH")]))
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def _errors(stderr: str) -> list:
    return [line[len("kerascheck: error: "):] for line in stderr.splitlines() if line.startswith("kerascheck: error: ")]


def source_files(folder: Path) -> list:
    found = []
    for path in sorted(folder.rglob("*")):
        if path.name.endswith(SOURCE_SUFFIXES) and path.is_file() and ".git" not in path.relative_to(folder).parts:
            found.append(path)
    return found


def check_package(package: Package, folder: Path, fix_check: bool = True, time_files: bool = True) -> dict:
    """Findings, inferred compile calls, fix check and timings of one unpacked package."""
    files = source_files(folder)
    result = {"package": package.pin, "key": package.key, "files": len(files),
              "bytes": sum(path.stat().st_size for path in files),
              "compile_text": sum(len(COMPILE_TEXT.findall(path.read_bytes())) for path in files)}
    check = run_timed(kerascheck_command("check", "--output-format", "json", "--no-cache", "--exit-zero", "-j", "1",
                                         "."), folder)
    result["check"] = {"exit_code": check.exit_code, "seconds": round(check.seconds, 3),
                       "cpu_seconds": round(check.cpu_seconds, 3), "max_rss_mb": round(check.max_rss_mb, 1),
                       "errors": _errors(check.stderr)}
    checked = FILES_CHECKED.search(check.stderr)
    result["files_checked"] = int(checked.group(1)) if checked else None
    try:
        findings = json.loads(check.stdout)
    except ValueError:
        findings = []
        result["check"]["errors"].append(f"output is not JSON (exit {check.exit_code}): {check.stderr[-500:]}")
    result["findings"] = [{key: finding.get(key) for key in ("path", "line", "column", "code", "message", "cell")
                           if finding.get(key) is not None} | {"fix": bool(finding.get("fix"))}
                          for finding in findings]
    inspect = run_timed(kerascheck_command("inspect", "--output-format", "json", "."), folder)
    try:
        compiles = json.loads(inspect.stdout)
    except ValueError:
        compiles = []
    result["inspect"] = {"exit_code": inspect.exit_code, "seconds": round(inspect.seconds, 3),
                         "errors": _errors(inspect.stderr)}
    counts = INSPECT_SUMMARY.search(inspect.stderr)
    result["inspect"]["counts"] = {key: int(value) for key, value in counts.groupdict().items()
                                   if value is not None} if counts else {}
    result["compiles"] = [{"path": c.get("path"), "line": c.get("line"), "style": c.get("model_style"),
                           "outputs": [[o.get("activation"), o.get("units")] for o in c.get("outputs") or []]}
                          for c in compiles]
    if fix_check:
        result["fix_check"] = fix_check_package(folder, findings)
    if time_files:
        result["file_times"] = time_each_file(folder, files)
    return result


def fix_check_package(folder: Path, findings: list) -> dict:
    """`check --fix --unsafe-fixes` on a copy of every file with a fix: the result parses (ast and libcst) where
    the original did, a second run changes nothing (`--diff` prints nothing), no internal error, no new KC001."""
    with_fix = sorted({f["path"] for f in findings if f.get("fix")})
    report = {"files": len(with_fix), "changed": 0, "problems": [], "seconds": 0.0}
    if not with_fix:
        return report
    syntax_before = collections.Counter(f["path"] for f in findings if f["code"] == "KC001")
    with tempfile.TemporaryDirectory(prefix="kerascheck-eco-fix-") as scratch:
        copy = Path(scratch)
        (copy / ".git").mkdir()
        for name in os.listdir(folder):  # the project's pins decide the target Keras version, and so the fixes
            if PIN_FILES.search(name) or name == "setup.py":
                shutil.copy2(folder / name, copy / name)
        for relative in with_fix:
            (copy / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(folder / relative, copy / relative)
        first = run_timed(kerascheck_command("check", "--fix", "--unsafe-fixes", "--no-cache", "--exit-zero", "-q",
                                             "-j", "1", "--output-format", "json", *with_fix), copy)
        report["seconds"] += first.seconds
        for error in _errors(first.stderr):
            report["problems"].append(f"--fix: {error}")
        try:
            remaining = json.loads(first.stdout)
        except ValueError:
            remaining = []
            report["problems"].append(f"--fix output is not JSON (exit {first.exit_code})")
        syntax_after = collections.Counter(f["path"] for f in remaining if f["code"] == "KC001")
        for relative in with_fix:
            before, after = (folder / relative).read_bytes(), (copy / relative).read_bytes()
            if before == after:
                continue
            report["changed"] += 1
            if syntax_after[relative] > syntax_before[relative]:
                report["problems"].append(f"{relative}: KC001 after --fix")
            if relative.endswith((".py", ".pyi")):
                for parser, parse in (("ast", _parse_ast), ("libcst", _parse_libcst)):
                    if parse(before) is None and parse(after) is not None:
                        report["problems"].append(f"{relative}: --fix result does not parse with {parser}: "
                                                  f"{parse(after)}")
            elif relative.endswith(".ipynb"):
                try:
                    json.loads(after)
                except ValueError as error:
                    report["problems"].append(f"{relative}: --fix result is not JSON: {error}")
        second = run_timed(kerascheck_command("check", "--diff", "--unsafe-fixes", "--no-cache", "-q", "-j", "1",
                                              *with_fix), copy)
        report["seconds"] += second.seconds
        for error in _errors(second.stderr):
            report["problems"].append(f"second run: {error}")
        if second.stdout.strip():
            changed = sorted(set(re.findall(r"^\+\+\+ (?:b/)?(\S+)", second.stdout, re.MULTILINE)))
            report["problems"].append(f"a second --fix would change {', '.join(changed) or 'something'}:\n"
                                      + second.stdout[:2000])
    report["seconds"] = round(report["seconds"], 3)
    return report


def _parse_ast(data: bytes):
    """None when `data` parses, else the error."""
    try:
        ast.parse(data)
        return None
    except (SyntaxError, ValueError, RecursionError, MemoryError) as error:
        return f"{error.__class__.__name__}: {error}"


def _parse_libcst(data: bytes):
    import libcst

    try:
        libcst.parse_module(data)
        return None
    except Exception as error:  # noqa: BLE001 - libcst raises several kinds; any of them means "does not parse"
        return f"{error.__class__.__name__}: {str(error)[:200]}"


def time_each_file(folder: Path, files: list) -> list:
    """Seconds per file, each through `check --stdin-filename` in one process (scripts/ecosystem_fuzz.py
    --time): the slowest files of the corpus. Returns [[seconds, path], ...] for the package's 5 slowest."""
    listing = tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False)
    with listing:
        listing.write("\n".join(str(path.relative_to(folder)) for path in files))
    try:
        timed = run_timed([sys.executable, str(HERE / "ecosystem_fuzz.py"), "--time", "--files-from", listing.name,
                           "--json"], folder)
    finally:
        os.unlink(listing.name)
    try:
        report = json.loads(timed.stdout)
    except ValueError:
        return [[-1, f"timing failed: {timed.stderr[-300:]}"]]
    failures = [[-1, f"{f['path']}: {f['problem']}"] for f in report["failures"]]
    return [[seconds, path] for seconds, path, _ in report["slowest"]] + failures


# --------------------------------------------------------------------------------------------------------------
# The snapshot and --compare


def snapshot_lines(results: list) -> list:
    """One line per finding: `CODE package path:line` (paths relative to the package, so the same on every
    machine), sorted; a notebook's findings carry their cell (`path:cell N:line`)."""
    lines = []
    for result in results:
        for finding in result["findings"]:
            where = f"{finding['path']}:cell {finding['cell']}:{finding['line']}" if finding.get("cell") \
                else f"{finding['path']}:{finding['line']}"
            lines.append(f"{finding['code']} {result['package']} {where}")
    return sorted(lines)


SNAPSHOT_HEADER = ("# kerascheck findings on the ecosystem corpus (scripts/ecosystem/packages.txt): code, package, "
                   "path:line.\n# Written by `python scripts/ecosystem.py --update-snapshot`; "
                   "`--compare` shows what a change adds and removes.\n")


def read_snapshot(path: Path = SNAPSHOT_FILE) -> list:
    if not path.exists():
        return []
    return [line for line in path.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]


def compare(results: list, snapshot: list, packages_run: set) -> str:
    """What the current code adds and removes against the snapshot, per code, with each line's message.
    Only the packages that ran are compared (so `--packages` compares a part)."""
    current = collections.Counter(snapshot_lines(results))
    before = collections.Counter(line for line in snapshot if line.split(" ")[1] in packages_run)
    added, removed = current - before, before - current
    if not added and not removed:
        return ""
    messages = {}
    for result in results:
        for finding in result["findings"]:
            where = f"{finding['path']}:cell {finding['cell']}:{finding['line']}" if finding.get("cell") \
                else f"{finding['path']}:{finding['line']}"
            messages.setdefault(f"{finding['code']} {result['package']} {where}", finding["message"])
    by_code = collections.defaultdict(lambda: ([], []))
    for line, count in added.items():
        by_code[line.split(" ")[0]][0].extend([line] * count)
    for line, count in removed.items():
        by_code[line.split(" ")[0]][1].extend([line] * count)
    out = [f"ecosystem: {sum(added.values())} findings added, {sum(removed.values())} removed against "
           f"{SNAPSHOT_FILE.relative_to(REPO)}"]
    for code in sorted(by_code):
        plus, minus = by_code[code]
        out.append(f"\n{code}: +{len(plus)} -{len(minus)}")
        for line in sorted(plus):
            _, package, where = line.split(" ", 2)
            out.append(f"  + {package} {where}  {messages.get(line, '')}")
        for line in sorted(minus):
            _, package, where = line.split(" ", 2)
            out.append(f"  - {package} {where}")
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------------------------------------------
# The summary


def summarize(results: list, fetch_failures: list, seconds: float) -> dict:
    codes = collections.Counter(f["code"] for r in results for f in r["findings"])
    outputs = [o for r in results for c in r["compiles"] for o in c["outputs"]]
    errors = [f"{r['package']}: {e}" for r in results
              for e in r["check"]["errors"] + r["inspect"]["errors"]]
    fix_problems = [f"{r['package']}: {p}" for r in results for p in (r.get("fix_check") or {}).get("problems", [])]
    timing_problems = [f"{r['package']}: {t[1]}" for r in results for t in r.get("file_times", []) if t[0] < 0]
    slowest_files = sorted(([t[0], f"{r['package']} {t[1]}"] for r in results for t in r.get("file_times", [])
                            if t[0] >= 0), reverse=True)[:10]
    slowest_packages = sorted(([r["check"]["seconds"], r["package"], r["check"]["max_rss_mb"]] for r in results),
                              reverse=True)[:10]
    return {
        "packages": len(results),
        "fetch_failures": fetch_failures,
        "files": sum(r["files"] for r in results),
        "files_checked": sum(r["files_checked"] or 0 for r in results),
        "megabytes": round(sum(r["bytes"] for r in results) / 1e6, 1),
        "compile_text": sum(r["compile_text"] for r in results),
        "compile_calls_found": sum(len(r["compiles"]) for r in results),
        "packages_with_compile_found": sum(1 for r in results if r["compiles"]),
        "outputs": len(outputs),
        "outputs_known_activation": sum(1 for a, u in outputs if a is not None),
        "outputs_known_units": sum(1 for a, u in outputs if u is not None),
        "outputs_known_both": sum(1 for a, u in outputs if a is not None and u is not None),
        # from inspect's own summary line (kerascheck versions that print it)
        "inspect_counts": {key: sum(r["inspect"].get("counts", {}).get(key, 0) for r in results)
                           for key in ("found", "checked", "why", "fits", "targets", "inputs", "both")},
        "findings": sum(codes.values()),
        "findings_per_code": dict(sorted(codes.items())),
        "findings_with_fix": sum(1 for r in results for f in r["findings"] if f["fix"]),
        "internal_errors": errors + timing_problems,
        "fix_check": {"files": sum((r.get("fix_check") or {}).get("files", 0) for r in results),
                      "changed": sum((r.get("fix_check") or {}).get("changed", 0) for r in results),
                      "problems": fix_problems},
        "seconds": {"total": round(seconds, 1),
                    "check": round(sum(r["check"]["seconds"] for r in results), 1),
                    "check_cpu": round(sum(r["check"]["cpu_seconds"] for r in results), 1),
                    "inspect": round(sum(r["inspect"]["seconds"] for r in results), 1),
                    "fix_check": round(sum((r.get("fix_check") or {}).get("seconds", 0) for r in results), 1)},
        "max_rss_mb": max((r["check"]["max_rss_mb"] for r in results), default=0),
        "slowest_packages": slowest_packages,
        "slowest_files": slowest_files,
    }


def format_summary(summary: dict) -> str:
    s = summary
    lines = [
        f"packages            {s['packages']}" + (f"  ({len(s['fetch_failures'])} could not be fetched)"
                                                   if s["fetch_failures"] else ""),
        f"files               {s['files']} ({s['files_checked']} checked by kerascheck), {s['megabytes']} MB",
        f".compile( in text   {s['compile_text']}",
        f"compile calls found {s['compile_calls_found']} (in {s['packages_with_compile_found']} packages)",
        f"model outputs       {s['outputs']}: activation known {s['outputs_known_activation']}, units known "
        f"{s['outputs_known_units']}, both {s['outputs_known_both']}",
    ]
    counts = s.get("inspect_counts") or {}
    if counts.get("found"):
        lines.append(f"inspect             {counts['found']} compile calls: {counts['checked']} inferred, "
                     f"{counts['why']} with a why; {counts['fits']} fit calls of known models: {counts['targets']} "
                     f"with known targets, {counts['inputs']} with known inputs, {counts['both']} with both")
    lines += [
        f"findings            {s['findings']} ({s['findings_with_fix']} with a fix)",
    ]
    for code, count in s["findings_per_code"].items():
        lines.append(f"  {code}  {count}")
    lines.append(f"internal errors     {len(s['internal_errors'])}")
    lines.extend(f"  {e}" for e in s["internal_errors"][:20])
    fc = s["fix_check"]
    lines.append(f"fix check           {fc['files']} files with a fix, {fc['changed']} changed by --fix "
                 f"--unsafe-fixes, {len(fc['problems'])} problems")
    lines.extend(f"  {p[:300]}" for p in fc["problems"][:20])
    sec = s["seconds"]
    lines.append(f"time                {sec['total']} s in all; check {sec['check']} s (CPU {sec['check_cpu']} s), "
                 f"inspect {sec['inspect']} s, fix check {sec['fix_check']} s; peak memory of a check "
                 f"{s['max_rss_mb']} MB")
    lines.append("slowest packages    " + "; ".join(f"{p} {t:.2f} s ({m:.0f} MB)" for t, p, m in
                                                   s["slowest_packages"][:5]))
    lines.append("slowest files       " + "; ".join(f"{p} {t:.2f} s" for t, p in s["slowest_files"][:5]))
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------------------------
# The command


def corpus_dir(given) -> Path:
    return Path(given or os.environ.get("KERASCHECK_ECOSYSTEM_DIR") or REPO / ".ecosystem").resolve()


def prepare(packages: list, root: Path, jobs: int = 8) -> tuple:
    """Fetch and unpack every package (what is already there is reused). Returns ([(package, folder)], failures)."""
    def one(package):
        folder = root / "src" / package.key
        if (folder / STAMP).exists():  # unpacked from this very version (the folder is name-version): no network
            return package, folder, None
        try:
            archive = fetch(package, root / "archives")
            unpack(archive, root / "src" / package.key)
            return package, root / "src" / package.key, None
        except (OSError, FetchError, tarfile.TarError, zipfile.BadZipFile, ValueError) as error:
            return package, None, f"{package.pin}: {error}"

    ready, failures = [], []
    with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
        for package, folder, failure in pool.map(one, packages):
            if failure:
                failures.append(failure)
            else:
                ready.append((package, folder))
    return ready, failures


def run_fuzz(ready: list, root: Path, seed: int, count: int, jobs: int) -> dict:
    """Every file of the corpus that mentions Keras, `count` seeded mutations each, one process per package."""
    def one(item):
        package, folder = item
        files = [str(p.relative_to(folder)) for p in source_files(folder) if b"keras" in p.read_bytes()]
        if not files:
            return package, None
        listing = root / "fuzz" / f"{package.key}.txt"
        listing.parent.mkdir(parents=True, exist_ok=True)
        listing.write_text("\n".join(files))
        timed = run_timed([sys.executable, str(HERE / "ecosystem_fuzz.py"), "--files-from", str(listing),
                           "--seed", str(seed), "--mutations", str(count), "--json"], folder, timeout=7200)
        try:
            return package, json.loads(timed.stdout)
        except ValueError:
            return package, {"files": len(files), "runs": 0, "seconds": timed.seconds, "slowest": [],
                             "failures": [{"path": "*", "mutator": "*", "problem":
                                           f"fuzz process failed (exit {timed.exit_code}): {timed.stderr[-500:]}"}]}

    total = {"files": 0, "runs": 0, "seconds": 0.0, "failures": [], "slowest": []}
    start = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
        for package, report in pool.map(one, ready):
            if report is None:
                continue
            total["files"] += report["files"]
            total["runs"] += report["runs"]
            total["seconds"] += report["seconds"]
            total["failures"] += [dict(f, package=package.pin) for f in report["failures"]]
            total["slowest"] = sorted(total["slowest"] + [[s, f"{package.pin} {p}", m] for s, p, m in
                                                          report["slowest"]], reverse=True)[:10]
            print(f"fuzz {package.pin}: {report['files']} files, {report['runs']} checks, "
                  f"{len(report['failures'])} failures", file=sys.stderr)
    total["wall_seconds"] = round(time.perf_counter() - start, 1)
    return total


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dir", help="where downloads, unpacked sources and results go (default: "
                                      "$KERASCHECK_ECOSYSTEM_DIR, else .ecosystem/ in the repository)")
    parser.add_argument("--out", help="where per-package results and the summary go (default: DIR/results)")
    parser.add_argument("--tree", help="run the kerascheck of this source tree (a checkout of another commit) "
                                       "instead of this repository's")
    parser.add_argument("--packages", help="only these packages (comma-separated names or name==version)")
    parser.add_argument("-j", "--jobs", type=int, default=2, help="packages checked at once (default: 2)")
    parser.add_argument("--compare", action="store_true",
                        help="print what the current code adds and removes against the snapshot, per code; "
                             "exit 1 when it differs")
    parser.add_argument("--update-snapshot", action="store_true",
                        help="rewrite scripts/ecosystem/snapshot.txt (with --packages: those packages' lines)")
    parser.add_argument("--no-fix-check", action="store_true", help="skip the --fix check (faster)")
    parser.add_argument("--no-file-times", action="store_true", help="skip timing each file (faster)")
    parser.add_argument("--fetch-only", action="store_true", help="download and unpack, nothing else")
    parser.add_argument("--report", action="store_true",
                        help="run nothing: the summary (and --compare / --update-snapshot) of the results already "
                             "in --out")
    parser.add_argument("--fuzz", action="store_true",
                        help="instead of the check: every corpus file that mentions Keras, mutated by the seeded "
                             "fuzzer (scripts/ecosystem_fuzz.py); exit 1 on any internal error or time-out")
    parser.add_argument("--seed", type=int, default=0, help="fuzzer seed (default: 0)")
    parser.add_argument("--mutations", type=int, default=9, help="mutations per file for --fuzz (default: 9, "
                                                                 "each mutator once)")
    args = parser.parse_args(argv)
    if args.tree:
        KERASCHECK_TREE[0] = Path(args.tree).resolve()

    packages = read_packages()
    if args.packages:
        wanted = {normalize(item.split("==")[0]) if "==" not in item else item.strip()
                  for item in args.packages.split(",") if item.strip()}
        packages = [p for p in packages if normalize(p.name) in wanted or p.pin in wanted]
        if not packages:
            parser.error(f"no listed package matches {args.packages!r}")
    root = corpus_dir(args.dir)
    start = time.perf_counter()
    ready, failures = prepare(packages, root)
    for failure in failures:
        print(f"ecosystem: cannot fetch {failure}", file=sys.stderr)
    print(f"ecosystem: {len(ready)} packages in {root / 'src'}", file=sys.stderr)
    if args.fetch_only:
        return 1 if failures else 0
    if args.fuzz:
        report = run_fuzz(ready, root, args.seed, args.mutations, args.jobs)
        (root / "fuzz.json").write_text(json.dumps(report, indent=1))
        print(f"fuzz: {report['files']} files x (1 + {args.mutations} mutations) = {report['runs']} checks, "
              f"{report['seconds']:.0f} s of checking ({report['wall_seconds']} s wall, {args.jobs} at once), "
              f"{len(report['failures'])} failures; time bound per check: see scripts/ecosystem_fuzz.py")
        print("slowest: " + "; ".join(f"{s:.2f} s {p} ({m})" for s, p, m in report["slowest"][:5]))
        for failure in report["failures"][:50]:
            print(f"  FAIL {failure['package']} {failure['path']} [{failure['mutator']}] {failure['problem']}")
        return 1 if report["failures"] else 0

    results_dir = Path(args.out).resolve() if args.out else root / "results"
    results_dir.mkdir(parents=True, exist_ok=True)
    results = []
    if args.report:
        ready_keys = {package.key for package, _ in ready}
        results = [json.loads(path.read_text()) for path in sorted(results_dir.glob("*.json"))
                   if path.stem in ready_keys]
        ready = [(package, folder) for package, folder in ready
                 if package.key in {result["key"] for result in results}]
        folders = {package.key: folder for package, folder in ready}
        for result in results:  # counted again: cheap, and the count's pattern may have changed since
            result["compile_text"] = sum(len(COMPILE_TEXT.findall(path.read_bytes()))
                                         for path in source_files(folders[result["key"]]))
    with concurrent.futures.ThreadPoolExecutor(max(1, args.jobs)) as pool:
        futures = {pool.submit(check_package, package, folder, not args.no_fix_check, not args.no_file_times):
                   package for package, folder in ([] if args.report else ready)}
        for done, future in enumerate(concurrent.futures.as_completed(futures), 1):
            result = future.result()
            (results_dir / f"{result['key']}.json").write_text(json.dumps(result, indent=1))
            results.append(result)
            print(f"[{done}/{len(ready)}] {result['package']}: {result['files']} files, "
                  f"{len(result['findings'])} findings, {len(result['compiles'])} compile calls, "
                  f"{result['check']['seconds']:.1f} s", file=sys.stderr)
    results.sort(key=lambda r: r["package"])
    summary = summarize(results, failures, time.perf_counter() - start)
    (results_dir / "summary.json").write_text(json.dumps(summary, indent=1))
    print(format_summary(summary))
    status = 1 if summary["internal_errors"] or summary["fix_check"]["problems"] or failures else 0
    if args.update_snapshot:
        # with --packages, only those packages' lines are replaced
        ran = {p.pin for p, _ in ready}
        kept = [line for line in read_snapshot() if line.split(" ")[1] not in ran] if args.packages else []
        lines = sorted(kept + snapshot_lines(results))
        SNAPSHOT_FILE.write_text(SNAPSHOT_HEADER + "\n".join(lines) + "\n", encoding="utf-8")
        print(f"ecosystem: wrote {SNAPSHOT_FILE.relative_to(REPO)}", file=sys.stderr)
    elif args.compare:
        difference = compare(results, read_snapshot(), {p.pin for p, _ in ready})
        print("\n" + (difference or "ecosystem: no change against the snapshot"))
        if difference:
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
