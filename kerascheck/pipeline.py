"""One check, from settings to a result: the files, the results cache and the workers, the fixes
(attached, applied, or shown as a diff), and the runtime pass.

The command line parses its flags into a `Request`, calls `run`, renders the `Outcome`
and exits; nothing here prints. The path of a file through the code:

1. `cli.check` parses the flags: the per-file settings are a `config.FileOptions`;
2. `run` → `collect_files`: discovery (`discovery.iter_source_files`), each file's own
   configuration and exclusions (`config.FileOptions`);
3. `check_files`: the results cache (`cache.ResultCache`) first, then the misses in
   worker processes (`parallel.run_tasks`) running `check_task` → `runner.check_path`
   → `runner.check_source`: facts (`extract`), rules (`rules.check_file`), `# noqa`
   (`suppression`), notebook cells (`notebooks`);
4. fixes: each finding carries its rule's fix intent (`intents.Fix`), which is all the
   `[*]` marks and the hidden-fix count need; the formats that print fixes get their
   edits where each file is checked (`fix.attach_file_edits`); --fix applies them
   (`fix.fix_file`) and --diff shows them, the findings becoming what remains;
5. the runtime pass (`runtime.verify`), when asked;
6. the `Outcome` goes back to the CLI, which renders it (`report.render`) and exits.
"""

from __future__ import annotations

import os
import stat as stat_module
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

from kerascheck import parallel
from kerascheck.cache import ResultCache, content_digest, default_cache_dir, options_fingerprint
from kerascheck.config import ConfigError, FileOptions, Options, find_project_root
from kerascheck.discovery import iter_source_files
from kerascheck.findings import FileResult, Finding, display_path
from kerascheck.versions import UNKNOWN, parse_spec, pinned_for

# What to do with the fixes.
CHECK, APPLY, DIFF = "check", "apply", "diff"


class RunError(Exception):
    """What stops a run before it reports anything (exit code 2): a bad configuration, a missing path, a runtime
    pass that cannot run."""


@dataclass
class Request:
    """Everything a run needs to know; each file's own settings come from `settings`."""

    paths: tuple = (".",)
    settings: FileOptions = field(default_factory=FileOptions)
    exclude: tuple = ()  # glob patterns, added to the configuration's
    force_exclude: bool = False
    jobs: Optional[int] = None  # worker processes; None: one per core
    use_cache: bool = True
    fixes: str = CHECK  # CHECK: report them; APPLY: write them (--fix); DIFF: show them (--diff)
    unsafe_fixes: bool = False  # unsafe fixes count as applicable (applied, marked [*])
    fix_edits: bool = False  # compute each fix's edits (the formats that print them: JSON)
    runtime: bool = False
    runtime_python: Optional[str] = None
    runtime_imports: tuple = ()
    runtime_paths: tuple = ()
    keep_facts: bool = False  # keep each compile's facts (kerascheck inspect, the runtime pass)
    stdin: Optional[bytes] = None  # check this content instead of paths (`kerascheck check -`)
    stdin_filename: Optional[str] = None  # the path it is reported and configured as


@dataclass
class Outcome:
    findings: list = field(default_factory=list)  # sorted by path and position
    files: list = field(default_factory=list)  # the files checked, as discovery spelled them
    internal_errors: list = field(default_factory=list)  # one line each, in the order of `files`
    fix_errors: list = field(default_factory=list)  # files that could not be fixed
    fixed: int = 0  # fixes applied (--fix) or that would be (--diff)
    diff: str = ""  # --diff: the unified diff of every fixed file
    fixed_source: Optional[bytes] = None  # stdin with --fix: the fixed content (the input when nothing changed)
    fixes_attached: int = 0  # findings whose fix is applicable ([*])
    fixes_hidden: int = 0  # fixes left out: unsafe ones without --unsafe-fixes
    compiles: list = field(default_factory=list)  # CompileFacts, with keep_facts
    model_calls: list = field(default_factory=list)  # ModelCallFacts (with their data), with keep_facts
    # --fix / --diff: the findings the fixes removed, by file (as shown) and code: {path: {code: count}}.
    fixed_by_file: dict = field(default_factory=dict)

    @property
    def files_checked(self) -> int:
        return len(self.files)


def run(request: Request) -> Outcome:
    """Check, fix and verify as `request` says. Raises RunError."""
    if request.runtime and request.settings.fallback_target is None:
        request.settings.fallback_target = runtime_target(request.runtime_python)
    if request.stdin is not None:
        return _run_stdin(request)
    files, options_by_file = collect_files(request)
    keep_facts = request.keep_facts or request.runtime or bool(request.runtime_imports)
    fixing = request.fixes in (APPLY, DIFF)
    # Edits are computed where each file is checked (in the workers, cached with the findings), except when
    # fixing: fixing makes them again on the files it rewrites, and what remains gets them after.
    edits = request.fix_edits and not fixing
    cache_dir = default_cache_dir(find_project_root(Path.cwd())) if request.use_cache else None
    results = check_files(files, options_by_file.__getitem__, keep_facts=keep_facts, jobs=request.jobs,
                          cache_dir=cache_dir, edits=edits)
    outcome = Outcome(files=files)
    for result in results:
        outcome.findings.extend(result.findings)
        if result.facts is not None:
            outcome.compiles.extend(result.facts.compiles)
            outcome.model_calls.extend(_calls_with_path(result.facts))
        if result.internal_error:
            outcome.internal_errors.append(result.internal_error)
    outcome.findings.sort(key=Finding.sort_key)
    outcome.compiles.sort(key=lambda c: (c.path, c.span.line, c.span.column))
    if fixing:
        apply_fixes(outcome, options_by_file.__getitem__, request, keep_facts)
        if request.fixes == DIFF:
            return outcome
    if request.runtime or request.runtime_imports:
        outcome.findings = runtime_pass(outcome.findings, outcome.compiles, options_by_file, request,
                                        outcome.model_calls)
    if fixing and request.fix_edits:  # the edits of what remains
        _fix_library().attach_edits(outcome.findings, {display_path(Path(path)): Path(path) for path in outcome.files})
    _count_fixes(outcome, request)
    return outcome


def runtime_target(python: Optional[str]):
    """With --runtime, the Keras in the interpreter it runs is the target unless one is set explicitly (a flag, a
    configuration, a file's directive): the static findings then speak of the Keras the runtime pass measures.
    None when it has no Keras (the runtime pass then reports that)."""
    # Imported here, with runtime_pass' reason: needed by --runtime alone.
    from kerascheck.runtime.runner import RuntimeProbeError, keras_target

    try:
        return keras_target(python)
    except RuntimeProbeError as error:
        raise RunError(str(error)) from None


def _fixed_codes(before: list, after: list) -> dict:
    """{code: count} of the findings a file's fixes removed."""
    counts: dict = {}
    for finding in before:
        counts[finding.code] = counts.get(finding.code, 0) + 1
    for finding in after:
        if counts.get(finding.code):
            counts[finding.code] -= 1
    return {code: count for code, count in counts.items() if count}


def _count_fixes(outcome: Outcome, request: Request) -> None:
    """The [*] marks and the hidden fixes: from the rules' fix intents, no edit computed."""
    for finding in outcome.findings:
        if finding.fix is not None:
            if finding.fix.applicable(request.unsafe_fixes):
                outcome.fixes_attached += 1
            else:
                outcome.fixes_hidden += 1


# ---------------------------------------------------------------------------------------------- start-up


def _runner():
    """kerascheck.runner, imported when a file is checked, not with this module: extraction, the rules, notebooks
    and `# noqa` cost ~70 ms of start-up (-X importtime) that a run whose files are all cache hits never needs."""
    from kerascheck import runner

    return runner


def _fix_library():
    """kerascheck.fix, imported when an edit is made, not with this module: libcst costs ~0.3-1 s of start-up
    (-X importtime), and a run that only reports fixes (the [*] marks come from the rules' intents) never needs it."""
    from kerascheck import fix

    return fix


# ---------------------------------------------------------------------------------------------- files


def collect_files(request: Request) -> tuple:
    """(files, {file: Options}): the paths walked, each file's configuration read and its exclusions applied.

    Every configuration is read before anything is checked: a bad one stops the run (RunError).
    """
    settings = request.settings
    paths = request.paths or (".",)
    try:
        config = settings.config_for(paths[0] if os.path.exists(paths[0]) else os.getcwd())
    except ConfigError as error:
        raise RunError(str(error)) from None
    missing = [path for path in paths if not os.path.lexists(path)]
    if missing:
        raise RunError(f"no such file or folder: {', '.join(missing)}")
    found = iter_source_files(paths, exclude=[*config.exclude, *request.exclude], force_exclude=request.force_exclude)
    # Files named on the command line are checked even when their configuration excludes them.
    named = set() if request.force_exclude else {os.path.abspath(p) for p in paths if not os.path.isdir(p)}
    files, options_by_file = [], {}
    try:
        for path in found:
            file_config, options = settings.file_settings(path)
            if file_config.exclude and os.path.abspath(path) not in named and settings.excluded(path):
                continue
            files.append(path)
            options_by_file[path] = options
    except ConfigError as error:
        raise RunError(str(error)) from None
    return files, options_by_file


def check_files(files: list, options_for: Callable, keep_facts: bool = False, jobs: Optional[int] = None,
                cache_dir=None, edits: bool = False) -> list:
    """FileResults for `files`, in their order: cache hits first, the misses in worker processes.

    cache_dir None: no cache (nor with keep_facts: facts are not cached). edits: each fix's edits are computed
    where its file is checked.
    """
    options = [options_for(path) for path in files]
    cache = ResultCache(cache_dir) if cache_dir is not None and not keep_facts else None
    fingerprints: dict = {}
    cwd = os.getcwd()
    out: list = [None] * len(files)
    keys: list = [None] * len(files)
    stats: list = [None] * len(files)
    work, sizes = [], []
    for index, path in enumerate(files):
        try:
            st = os.stat(path)
        except OSError:
            st = None
        regular = st is not None and stat_module.S_ISREG(st.st_mode)
        if cache is not None and regular:
            file_options = options[index]
            # The target follows the file's own project's pins: one fingerprint per options and folder.
            folder = os.path.dirname(path)
            fingerprint = fingerprints.get((id(file_options), folder))
            if fingerprint is None:
                fingerprint = fingerprints[(id(file_options), folder)] = _options_fingerprint(file_options, cwd,
                                                                                              edits, path)
            key = str(path)
            keys[index], stats[index] = (key, fingerprint), st
            hit = cache.lookup_stat(key, st, fingerprint)
            if hit is None and key in cache.entries:
                hit = _lookup_by_content(cache, key, path, fingerprint, st)
            if hit is not None:
                out[index] = FileResult(path=key, findings=hit)
                continue
        work.append((index, str(path), options[index], keep_facts, keys[index] is not None, edits))
        sizes.append(st.st_size if regular else 0)

    done = parallel.run_tasks(check_task, [task[1:] for task in work], sizes, jobs, on_lost=_lost_worker)
    for (index, *_), (result, digest) in zip(work, done):
        out[index] = result
        if cache is not None and digest is not None and keys[index] is not None and result.internal_error is None:
            key, fingerprint = keys[index]
            cache.store(key, stats[index], digest, fingerprint, result.findings, result.dependencies)
    if cache is not None:
        cache.save()
    return out


def check_task(path: str, options: Options, keep_facts: bool, want_digest: bool, edits: bool) -> tuple:
    """(FileResult, digest of the bytes checked or None): one file's work, in a worker process or here."""
    result, data = _runner().check_path(Path(path), options, keep_facts)
    if edits and data is not None and result.internal_error is None \
            and any(finding.fix is not None for finding in result.findings):
        try:
            _fix_library().attach_file_edits(result.findings, data, Path(path).suffix.lower() == ".ipynb")
        except Exception:  # noqa: BLE001 - a fix is a bonus: the findings stand without it
            for finding in result.findings:
                finding.fix = finding.edits = None
    return result, (content_digest(data) if want_digest and data is not None else None)


def _lost_worker(task: tuple) -> tuple:
    shown = display_path(Path(task[0]))
    return FileResult(path=shown, internal_error=f"{shown}: internal error: the worker process checking this file "
                                                 f"died; please report a bug with this file to the kerascheck issue "
                                                 f"tracker"), None


def _lookup_by_content(cache: ResultCache, key: str, path, fingerprint: str, st):
    """The cached result when the file's content is what was checked, though its stat changed (touched, copied)."""
    try:
        with open(path, "rb") as handle:
            return cache.lookup_digest(key, content_digest(handle.read()), fingerprint, st)
    except OSError:
        return None


def _options_fingerprint(options: Options, cwd: str, edits: bool, path: str) -> str:
    # Not the detected target: its last resort, the installed packages, is in the cache file's name already,
    # and asking importlib.metadata would cost more than the rest of a cached run.
    target = options.target if options.target is not None else pinned_for(path, options.project_root)
    # Findings carry paths relative to the working directory: part of the key too.
    return options_fingerprint(options, target, run_context=(edits, cwd))


# ---------------------------------------------------------------------------------------------- fixes


def apply_fixes(outcome: Outcome, options_for: Callable, request: Request, keep_facts: bool) -> None:
    """--fix (write) or --diff (show): fix every file with a fixable finding; the findings become what remains.

    Written files are checked again from disk (their facts too, when kept); for --diff the findings are those
    of the fixed text in memory.
    """
    fix, runner = _fix_library(), _runner()
    write = request.fixes == APPLY
    by_path: dict = {}
    for finding in outcome.findings:
        by_path.setdefault(finding.path, []).append(finding)
    fixed_files = []
    for path in outcome.files:
        shown = display_path(Path(path))
        findings = by_path.get(shown, [])
        if not any(finding.fix is not None and finding.fix.applicable(request.unsafe_fixes) for finding in findings):
            continue
        file_fix = fix.fix_file(Path(path), shown, runner.checker(shown, options_for(path)), request.unsafe_fixes, write,
                                findings=findings)
        if file_fix.error is not None:
            outcome.fix_errors.append(file_fix.error)
            continue
        outcome.fixed += file_fix.fixed
        if not write:
            outcome.diff += file_fix.diff()
        if file_fix.changed:
            outcome.fixed_by_file[shown] = _fixed_codes(findings, file_fix.remaining)
            by_path[shown] = file_fix.remaining
            fixed_files.append((path, shown))
    if write and fixed_files and keep_facts:  # the facts of the files as written
        again = check_files([path for path, _ in fixed_files], options_for, keep_facts=True)
        shown_changed = {shown for _, shown in fixed_files}
        outcome.compiles = [c for c in outcome.compiles if c.path not in shown_changed]
        outcome.model_calls = [c for c in outcome.model_calls if getattr(c, "path", None) not in shown_changed]
        for result in again:
            by_path[result.path] = result.findings
            if result.facts is not None:
                outcome.compiles.extend(result.facts.compiles)
                outcome.model_calls.extend(_calls_with_path(result.facts))
        outcome.compiles.sort(key=lambda c: (c.path, c.span.line, c.span.column))
    outcome.findings = sorted((f for findings in by_path.values() for f in findings), key=Finding.sort_key)


# ---------------------------------------------------------------------------------------------- the runtime pass


def _calls_with_path(facts) -> list:
    """A file's ModelCallFacts, each knowing its file (the runtime pass joins their evidence to findings by it)."""
    for call in facts.model_calls:
        call.path = facts.path
    return facts.model_calls


def runtime_pass(findings: list, compiles: list, options_by_file: dict, request: Request,
                 model_calls: list = ()) -> list:
    """The opt-in runtime pass (kerascheck/runtime/): real Keras in `request.runtime_python`, one subprocess per
    kind of work. Returns the findings with the runtime's evidence and findings. Raises RunError."""
    # Imported here: the runtime pass's modules (the probe's protocol, its cache, subprocesses) are needed by
    # --runtime alone.
    from kerascheck.runtime import runner as runtime, verify

    runner = _runner()

    by_display = {display_path(Path(path)): options for path, options in options_by_file.items()}
    try:
        default_options = request.settings.options_for(Path.cwd() / "__runtime__.py")
    except ConfigError as error:
        raise RunError(str(error)) from None

    def is_selected(code, path):
        options = by_display.get(path, default_options)
        return runner.code_selected(code, options.select, options.ignore)

    try:
        if request.runtime:
            findings, _ = verify.verify(findings, compiles, is_selected, python=request.runtime_python,
                                        cache_dir=".kerascheck_cache/runtime", model_calls=model_calls)
        for target in request.runtime_imports:
            reply = runtime.run_import(target, sys_path=list(request.runtime_paths) or ["."], python=request.runtime_python)
            if reply.get("error"):
                raise runtime.RuntimeProbeError(f"--runtime-import {target}: {reply['error']}")
            # The live model ran on a known Keras: judge it by that version.
            live_target = parse_spec(f"keras=={reply['keras_version']}", origin="--runtime-import") \
                if reply.get("keras_version") else (default_options.target or UNKNOWN)
            for compile_fact in runtime.facts_from_live_model(reply):
                compile_fact.path = display_path(Path(compile_fact.path))
                facts = runner.FileFacts(path=compile_fact.path, compiles=[compile_fact])
                findings = findings + runner.check_file(facts, live_target,
                                                        runner.selected_rules(default_options, facts.path))
    except runtime.RuntimeProbeError as error:
        raise RunError(str(error)) from None
    return sorted(findings, key=Finding.sort_key)


# ---------------------------------------------------------------------------------------------- stdin


def _run_stdin(request: Request) -> Outcome:
    """`kerascheck check -` / `--stdin-filename PATH`: what is piped in, as ruff does it: with --fix the fixed
    source (the input when nothing changed) is the result, with --diff its diff."""
    runner = _runner()
    name = request.stdin_filename
    try:
        options = request.settings.options_for(Path(name) if name else Path.cwd() / "stdin.py")
    except ConfigError as error:
        raise RunError(str(error)) from None
    shown = display_path(Path(name)) if name else "-"
    notebook = shown.lower().endswith(".ipynb")
    data = request.stdin
    result = runner.check_source(shown, data, options, notebook=notebook)
    outcome = Outcome(findings=result.findings, files=[shown])
    if request.fixes in (APPLY, DIFF):
        outcome.fixed_source = data
    if result.internal_error:
        outcome.internal_errors.append(result.internal_error)
        return outcome
    fixable = any(finding.fix is not None and finding.fix.applicable(request.unsafe_fixes) for finding in result.findings)
    if request.fixes in (APPLY, DIFF) and fixable:
        file_fix = _fix_library().fix_data(data, shown, runner.checker(shown, options), request.unsafe_fixes, notebook,
                                findings=result.findings)
        if file_fix.error is not None:
            outcome.fix_errors.append(file_fix.error)
            return outcome
        outcome.fixed, outcome.diff = file_fix.fixed, file_fix.diff()
        if file_fix.changed:
            outcome.fixed_by_file[shown] = _fixed_codes(result.findings, file_fix.remaining)
            outcome.fixed_source, outcome.findings, data = file_fix.new_data, file_fix.remaining, file_fix.new_data
    if request.fixes == DIFF:
        return outcome
    if request.fix_edits and any(finding.fix is not None for finding in outcome.findings):
        _fix_library().attach_file_edits(outcome.findings, data, notebook)
    _count_fixes(outcome, request)
    return outcome


# ---------------------------------------------------------------------------------------------- inspect


def inspect(paths: tuple) -> tuple:
    """(compile facts, problems, internal errors) of the files under `paths`: what `kerascheck inspect` shows.
    Problems are the KC001/KC002 findings of the files it could not read or parse. Raises RunError for a path
    that does not exist."""
    compiles, _, problems, internal_errors = inspect_facts(paths)
    return compiles, problems, internal_errors


def inspect_facts(paths: tuple) -> tuple:
    """(compile facts, model call facts with their data and the uses of their predictions, problems, internal
    errors) of the files under `paths` (see `inspect`)."""
    missing = [path for path in paths if path != "-" and not os.path.lexists(path)]
    if missing:
        raise RunError(f"no such file or folder: {', '.join(missing)}")
    files = list(iter_source_files(paths))
    results = check_files(files, lambda _path: Options(), keep_facts=True, jobs=1)
    compiles = sorted((c for r in results if r.facts is not None for c in r.facts.compiles),
                      key=lambda c: (c.path, c.span.line, c.span.column))
    calls = []
    for result in results:
        if result.facts is not None:
            uses = result.facts.prediction_uses
            for call in _calls_with_path(result.facts):
                call.uses = [use for use in uses if use.call is call]
                calls.append(call)
    calls.sort(key=lambda c: (c.path, c.span.line, c.span.column))
    problems = [finding for r in results for finding in r.findings if finding.code in ("KC001", "KC002")]
    return compiles, calls, problems, [r.internal_error for r in results if r.internal_error]
