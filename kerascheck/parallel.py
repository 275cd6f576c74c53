"""Check many files: results cache first, then the misses in worker processes.

The per-file work is `runner.check_source` on the file's bytes, a pure function
of the bytes and the options, so it can run anywhere and be cached by content.
Results come back in the order of the input whatever the order of work, so
the output is the same for any number of jobs.

Work is handed out largest files first, small files in chunks (fewer round
trips), so no worker is left alone with a big file at the end. Workers are
forked where that is safe (Linux): they start without re-importing anything.
libcst is imported only where a file needs parsing: a run where every file is
a cache hit never imports it.
"""

from __future__ import annotations

import os
import stat as stat_module
import sys
from pathlib import Path
from typing import Callable, Optional

# Chunks of small files: at most this many bytes or files per round trip.
_CHUNK_BYTES = 256 * 1024
_CHUNK_FILES = 64
# Below this much work, starting worker processes costs more than it saves (tests lower it): a
# Keras file costs ~25 ms per KB to check, a forked worker ~50 ms to start.
_PARALLEL_MIN_BYTES = int(os.environ.get("KERASCHECK_PARALLEL_MIN_BYTES", 16 * 1024))


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def _check_path(path: Path, options, keep_facts: bool, want_digest: bool, attach: Optional[bool] = None):
    """One file, as runner.check_one_file does it, plus the digest of the bytes that were checked.

    attach (None: no): the findings get their fixes here, as kerascheck.fix.attach_fixes does it.
    """
    result, digest = _check_path_only(path, options, keep_facts, want_digest)
    if attach is not None and result.findings and result.internal_error is None:
        from kerascheck.rules import rule_fix_safety

        # A rule's fix_safety says it has a fixer (tests/test_fix_engine.py): asking it here keeps
        # kerascheck.fix, and libcst with it, out of runs that have nothing to fix.
        if any(rule_fix_safety(finding.code) for finding in result.findings):
            from kerascheck.fix import attach_fixes

            try:
                result.fix_counts = tuple(attach_fixes(result.findings, {result.path: Path(path)}, include_unsafe=attach))
            except Exception:  # noqa: BLE001 - a fix is a bonus: the findings stand without it
                for finding in result.findings:
                    finding.fix = None
    return result, digest


def _check_path_only(path: Path, options, keep_facts: bool, want_digest: bool):
    from kerascheck import runner

    try:
        if not stat_module.S_ISREG(os.stat(path).st_mode):  # a FIFO would block, a device never end
            return runner.check_source(runner.display_path(path), None, options, keep_facts,
                                       read_error="cannot read file: not a regular file"), None
        data = runner.read_file(path)
    except (OSError, ValueError):
        return runner.check_one_file(path, options, keep_facts=keep_facts), None
    result = runner.check_source(runner.display_path(path), data, options, keep_facts,
                                 notebook=path.suffix.lower() == ".ipynb")
    digest = None
    if want_digest:
        from kerascheck.cache import content_digest

        digest = content_digest(data)
    return result, digest


def _check_chunk(chunk: list) -> list:
    return [(index, *_check_path(path, options, keep_facts, want_digest, attach))
            for index, path, options, keep_facts, want_digest, attach in chunk]


def _chunks(items: list) -> list:
    """items: (index, path, options, keep_facts, want_digest, attach, size). Largest first; small ones grouped."""
    items = sorted(items, key=lambda item: (-item[-1], item[0]))
    chunks, current, current_bytes = [], [], 0
    for *item, size in items:
        if current and (current_bytes + size > _CHUNK_BYTES or len(current) >= _CHUNK_FILES):
            chunks.append(current)
            current, current_bytes = [], 0
        current.append(tuple(item))
        current_bytes += size
    if current:
        chunks.append(current)
    return chunks


def _pool(jobs: int):
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    method = "fork" if sys.platform.startswith("linux") else None
    context = multiprocessing.get_context(method)
    return ProcessPoolExecutor(max_workers=jobs, mp_context=context)


def _run_parallel(chunks: list, jobs: int, results: dict) -> None:
    """Fill results[index] = (FileResult, digest). A worker that dies is retried file by file once."""
    from concurrent.futures import as_completed
    from concurrent.futures.process import BrokenProcessPool

    pending = chunks
    for attempt in range(2):
        failed = []
        with _pool(jobs) as pool:
            futures = {pool.submit(_check_chunk, chunk): chunk for chunk in pending}
            for future in as_completed(futures):
                try:
                    for index, result, digest in future.result():
                        results[index] = (result, digest)
                except BrokenProcessPool:
                    failed.append(futures[future])
                except Exception:  # noqa: BLE001 - e.g. a result that cannot be pickled: do it here
                    for index, result, digest in _check_chunk(futures[future]):
                        results[index] = (result, digest)
        if not failed:
            return
        pending = [[item] for chunk in failed for item in chunk if item[0] not in results]
    from kerascheck.runner import FileResult, display_path

    for chunk in pending:
        for index, path, *_ in chunk:
            if index not in results:
                shown = display_path(path)
                results[index] = (FileResult(
                    path=shown, internal_error=f"{shown}: internal error: the worker process checking this file "
                                               f"died; please report a bug with this file to the kerascheck issue "
                                               f"tracker"), None)


def check_files(files: list, options_for: Callable, keep_facts: bool = False, jobs: Optional[int] = None,
                cache_dir=None, attach_fixes: Optional[bool] = None) -> list:
    """FileResults for `files`, in their order. cache_dir None: no cache. attach_fixes: see runner.run_check."""
    from kerascheck.runner import FileResult

    jobs = jobs or default_jobs()
    options = [options_for(path) for path in files]
    cache = None
    if cache_dir is not None and not keep_facts:
        from kerascheck.cache import ResultCache

        cache = ResultCache(cache_dir)
    fingerprints: dict = {}
    cwd = os.getcwd()
    out: list = [None] * len(files)
    keys: list = [None] * len(files)
    stats: list = [None] * len(files)
    work = []
    for index, path in enumerate(files):
        try:
            st = os.stat(path)
        except OSError:
            st = None
        regular = st is not None and stat_module.S_ISREG(st.st_mode)
        if cache is not None and regular:
            file_options = options[index]
            # The target comes from the file's own folder (its project's pins): one fingerprint per folder.
            folder = os.path.dirname(path)
            fingerprint = fingerprints.get((id(file_options), folder))
            if fingerprint is None:
                fingerprint = fingerprints[(id(file_options), folder)] = _options_fingerprint(
                    file_options, cwd, attach_fixes, path)
            key = str(path)
            keys[index], stats[index] = (key, fingerprint), st
            hit = cache.lookup_stat(key, st, fingerprint)
            if hit is None and key in cache.entries:
                hit = _lookup_by_content(cache, key, path, fingerprint, st)
            if hit is not None:
                out[index] = FileResult(path=key, findings=hit[0], fix_counts=hit[1])
                continue
        work.append((index, Path(path), options[index], keep_facts, keys[index] is not None, attach_fixes,
                     st.st_size if regular else 0))

    results: dict = {}
    if jobs > 1 and len(work) > 1 and sum(item[-1] for item in work) >= _PARALLEL_MIN_BYTES:
        _run_parallel(_chunks(work), min(jobs, len(work)), results)
    else:
        for index, path, file_options, keep, want_digest, attach, _ in work:
            results[index] = _check_path(path, file_options, keep, want_digest, attach)

    for index, (result, digest) in results.items():
        out[index] = result
        if cache is not None and digest is not None and keys[index] is not None and result.internal_error is None:
            key, fingerprint = keys[index]
            cache.store(key, stats[index], digest, fingerprint, result.findings, result.fix_counts)
    if cache is not None:
        cache.save()
    return out


def _lookup_by_content(cache, key: str, path, fingerprint: str, st):
    """The cached result when the file's content is what was checked, though its stat changed (touched, copied)."""
    from kerascheck.cache import content_digest

    try:
        with open(path, "rb") as handle:
            return cache.lookup_digest(key, content_digest(handle.read()), fingerprint, st)
    except OSError:
        return None


def _options_fingerprint(options, cwd: str, attach_fixes: Optional[bool], path: str) -> str:
    from kerascheck import runner
    from kerascheck.cache import options_fingerprint

    # Not runner.target_for: its last resort, the installed packages, is in the cache file's name already,
    # and asking importlib.metadata would cost more than the rest of a cached run.
    target = options.target if options.target is not None else runner.pinned_target(options, path)
    # Findings carry paths relative to the working directory: part of the key too.
    return options_fingerprint(options, target, run_context=(attach_fixes, cwd))
