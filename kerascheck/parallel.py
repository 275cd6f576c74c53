"""Worker processes: one function over many tasks, the results in the order of the tasks.

A plain executor: it knows nothing of files, caches or findings. The caller
(kerascheck/pipeline.py) gives it a module-level function, the tasks (argument
tuples) and each task's size; the results come back in the order of the tasks
whatever the order of work, so the output is the same for any number of jobs.

Work is handed out largest first, small tasks in chunks (fewer round trips), so no
worker is left alone with a big task at the end. Workers are forked where that is
safe (Linux): they start without re-importing anything. A worker that dies is
retried task by task once; a task that kills its worker again gets `on_lost(task)`.
"""

from __future__ import annotations

import os
import sys
from typing import Callable, Optional

# Chunks of small tasks: at most this many bytes or tasks per round trip.
_CHUNK_BYTES = 256 * 1024
_CHUNK_TASKS = 64
# Below this much work, starting worker processes costs more than it saves (tests lower it): a
# Keras file costs ~25 ms per KB to check, a forked worker ~50 ms to start.
_PARALLEL_MIN_BYTES = int(os.environ.get("KERASCHECK_PARALLEL_MIN_BYTES", 16 * 1024))


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def run_tasks(function: Callable, tasks: list, sizes: list, jobs: Optional[int], on_lost: Callable) -> list:
    """[function(*task) for task in tasks], in worker processes when the work is worth it.

    `function` must be defined at module level (it is sent to the workers by name);
    `sizes[i]` is task i's weight (a file's bytes); `on_lost(task)` is the result of a
    task whose worker died twice.
    """
    jobs = jobs or default_jobs()
    if jobs > 1 and len(tasks) > 1 and sum(sizes) >= _PARALLEL_MIN_BYTES:
        results: dict = {}
        _run_parallel(function, _chunks(tasks, sizes), min(jobs, len(tasks)), results, on_lost)
        return [results[index] for index in range(len(tasks))]
    return [function(*task) for task in tasks]


def _run_chunk(function: Callable, chunk: list) -> list:
    return [(index, function(*task)) for index, task in chunk]


def _chunks(tasks: list, sizes: list) -> list:
    """[[(index, task)]]: largest first; small ones grouped."""
    order = sorted(range(len(tasks)), key=lambda index: (-sizes[index], index))
    chunks, current, current_bytes = [], [], 0
    for index in order:
        if current and (current_bytes + sizes[index] > _CHUNK_BYTES or len(current) >= _CHUNK_TASKS):
            chunks.append(current)
            current, current_bytes = [], 0
        current.append((index, tasks[index]))
        current_bytes += sizes[index]
    if current:
        chunks.append(current)
    return chunks


def _pool(jobs: int):
    # Imported here: multiprocessing and concurrent.futures cost ~25 ms of start-up (-X importtime), and most runs
    # (a cached run, a small change) never start a worker.
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor  # (the same reason)

    method = "fork" if sys.platform.startswith("linux") else None
    context = multiprocessing.get_context(method)
    return ProcessPoolExecutor(max_workers=jobs, mp_context=context)


def _run_parallel(function: Callable, chunks: list, jobs: int, results: dict, on_lost: Callable) -> None:
    """Fill results[index]. A worker that dies is retried task by task once."""
    # Imported here with _pool's reason: only a run that starts workers needs them.
    from concurrent.futures import as_completed
    from concurrent.futures.process import BrokenProcessPool  # (the same reason)

    pending = chunks
    for _attempt in range(2):
        failed = []
        with _pool(jobs) as pool:
            futures = {pool.submit(_run_chunk, function, chunk): chunk for chunk in pending}
            for future in as_completed(futures):
                try:
                    for index, result in future.result():
                        results[index] = result
                except BrokenProcessPool:
                    failed.append(futures[future])
                except Exception:  # noqa: BLE001 - e.g. a result that cannot be pickled: do it here
                    for index, result in _run_chunk(function, futures[future]):
                        results[index] = result
        if not failed:
            return
        pending = [[item] for chunk in failed for item in chunk if item[0] not in results]
    for chunk in pending:
        for index, task in chunk:
            if index not in results:
                results[index] = on_lost(task)
