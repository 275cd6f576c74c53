"""The command line: `kerascheck [check] PATH...`, `kerascheck inspect`, `kerascheck rule(s)`.

Exit codes, as ruff: 0 no findings, 1 findings, 2 usage, configuration or
internal error.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from kerascheck import __version__
from kerascheck.config import Config, ConfigError, find_pyproject, load_config, validate_codes
from kerascheck.discovery import _matches as matches_exclude
from kerascheck.discovery import iter_source_files
from kerascheck.report import FORMAT_MODULES, render
from kerascheck.runner import Options, display_path, find_project_root, run_check
from kerascheck.versions import UNKNOWN, VersionSpecError, parse_spec

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class DefaultToCheck(click.Group):
    """`kerascheck PATH` means `kerascheck check PATH`, as in ruff."""

    def parse_args(self, ctx, args):
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h", "--version"):
            args = ["check", *args]
        elif not args:
            args = ["check"]
        return super().parse_args(ctx, args)


def _codes(values) -> list:
    codes = []
    for value in values or ():
        codes.extend(part.strip().upper() for part in value.split(",") if part.strip())
    return codes


def _fail(message: str) -> None:
    click.echo(f"kerascheck: error: {message}", err=True)
    sys.exit(EXIT_ERROR)


def build_options(select, ignore, extend_select, keras_version, config: Config, project_root=None) -> Options:
    select_codes = _codes(select) or config.select or ["KC"]
    select_codes = ["KC" if code == "ALL" else code for code in select_codes] + _codes(extend_select) + config.extend_select
    ignore_codes = config.ignore + _codes(ignore)
    validate_codes(_codes(select) + _codes(ignore) + _codes(extend_select), "command line")
    target = None
    spec = keras_version or config.keras_version
    if spec:
        try:
            target = parse_spec(spec, origin="--keras-version" if keras_version else "pyproject.toml")
        except VersionSpecError as error:
            raise ConfigError(str(error)) from None
    return Options(select=tuple(select_codes), ignore=tuple(ignore_codes),
                   per_file_ignores=config.per_file_ignores, target=target,
                   project_root=project_root or find_project_root(Path.cwd()),
                   config_dir=str(config.path.parent) if config.path is not None else None)


class FileOptions:
    """Each file's options: its nearest [tool.kerascheck] (walking up from the file, stopping at a
    repository root), then the command-line flags, which win. Shared by the CLI, flake8 and the
    language server; configurations are read once per folder."""

    def __init__(self, select=(), ignore=(), extend_select=(), keras_version=None):
        self.flags = (select, ignore, extend_select, keras_version)
        self._settings_by_folder = {}  # folder as given -> (Config, Options)
        self._real_by_folder = {}  # folder as given -> os.path.realpath of it
        self._pyproject_by_real_folder = {}  # resolved folder (str) -> its nearest pyproject (Path or None)
        self._by_pyproject = {}  # pyproject (Path or None) -> (Config, Options)

    def config_for(self, path) -> Config:
        return self._settings(_absolute_folder_of(path))[0]

    def options_for(self, path) -> Options:
        return self._settings(_absolute_folder_of(path))[1]

    def file_settings(self, path: str) -> tuple:
        """(Config, Options) of a path known to be a file, as discovery yields them, within one run (one working
        folder): no stat, one dictionary look-up per file."""
        return self._settings(os.path.dirname(path) or ".")

    def _settings(self, folder: str) -> tuple:
        settings = self._settings_by_folder.get(folder)
        if settings is None:
            pyproject = self._nearest_pyproject(self._real_folder(folder))
            settings = self._by_pyproject.get(pyproject)
            if settings is None:
                config = load_config(pyproject)
                root = str(pyproject.parent) if pyproject is not None else None
                settings = self._by_pyproject[pyproject] = (config, build_options(*self.flags, config, project_root=root))
            self._settings_by_folder[folder] = settings
        return settings

    def _real_folder(self, folder: str) -> str:
        """os.path.realpath(folder), built on its parent's when folder is not a link itself: one lstat per folder
        instead of one per component of its path (a big tree has thousands of folders)."""
        real = self._real_by_folder.get(folder)
        if real is None:
            parent, name = os.path.split(folder)
            if parent and parent != folder and name not in ("", ".", "..") and not os.path.islink(folder):
                real = os.path.join(self._real_folder(parent), name)
            else:
                real = os.path.realpath(folder)
            self._real_by_folder[folder] = real
        return real

    def _nearest_pyproject(self, folder: str):
        """find_pyproject(folder), each folder's answer reused by its subfolders (one TOML read per file,
        not one per folder below it). folder: resolved."""
        if folder not in self._pyproject_by_real_folder:
            parent = os.path.dirname(folder)
            if (os.path.isfile(os.path.join(folder, "pyproject.toml")) or os.path.exists(os.path.join(folder, ".git"))
                    or parent == folder):
                found = find_pyproject(Path(folder))
            else:  # nothing here: find_pyproject would go on to the parent
                found = self._nearest_pyproject(parent)
            self._pyproject_by_real_folder[folder] = found
        return self._pyproject_by_real_folder[folder]

    def excluded(self, path) -> bool:
        """Excluded by the `exclude` of its own configuration (patterns relative to that pyproject's folder)."""
        config = self.config_for(path)
        if not config.exclude or config.path is None:
            return False
        try:
            relative = Path(path).absolute().relative_to(config.path.parent)
        except ValueError:
            return False
        prefixes = [Path(*relative.parts[:count]) for count in range(1, len(relative.parts) + 1)]
        return any(matches_exclude(prefix, config.exclude) for prefix in prefixes)


def _absolute_folder_of(path) -> str:
    """The path if it is a folder, else its folder; absolute, '..' left for realpath to resolve (as Path.resolve)."""
    path = os.path.join(os.getcwd(), os.fspath(path))
    return path if os.path.isdir(path) else os.path.dirname(path)


@click.group(cls=DefaultToCheck, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kerascheck")
def main():
    """kerascheck: a static linter for Keras model code.

    Finds compile() calls whose loss, metrics and from_logits do not fit the
    model's outputs. It reads your code and never runs it.
    """


_path_argument = click.argument("paths", nargs=-1, type=click.Path(path_type=str))


@main.command()
@_path_argument
@click.option("--select", multiple=True, help="Rule codes or prefixes to enable (comma-separated), e.g. KC1,KC201.")
@click.option("--ignore", multiple=True, help="Rule codes or prefixes to disable (comma-separated).")
@click.option("--extend-select", multiple=True, help="Codes to enable on top of the selection.")
@click.option("--output-format", type=click.Choice(sorted(FORMAT_MODULES)), default="text", show_default=True)
@click.option("--keras-version", metavar="SPEC",
              help="Target Keras: 2.3.1, keras==2.3.1, tensorflow==2.1, tf-keras==2.21, 3. "
                   "Default: [tool.kerascheck] keras-version, then the repository's pins, then the installed packages.")
@click.option("--exclude", multiple=True, help="Glob patterns of files or folders to skip (comma-separated).")
@click.option("--force-exclude", is_flag=True, help="Apply exclusions to files named on the command line too.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("-q", "--quiet", is_flag=True, help="No summary line on stderr.")
@click.option("--stdin-filename", metavar="PATH", expose_value=False, callback=lambda ctx, _p, value: value and
              ctx.meta.__setitem__(_STDIN_FILENAME, value),
              help="Check what is piped to stdin, reported and configured as PATH (also: PATHS is '-').")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Worker processes (default: one per core). The output is the same for any number.")
@click.option("--no-cache", is_flag=True,
              help="Neither read nor write the results cache (.kerascheck_cache/ at the project root, "
                   "or $KERASCHECK_CACHE_DIR).")
@click.option("--runtime", is_flag=True,
              help="Also confirm the findings with real Keras: build a stand-in for each inferred output from the "
                   "facts alone (same units, activation, loss, metrics) and evaluate it on synthetic data. Never "
                   "imports or runs your code.")
@click.option("--python", "runtime_python", metavar="PATH",
              help="Interpreter with your Keras for --runtime/--runtime-import (default: this one).")
@click.option("--runtime-import", "runtime_imports", multiple=True, metavar="MODULE:FUNCTION",
              help="EXECUTES YOUR CODE: import MODULE, call FUNCTION() to get a compiled model, and check the live "
                   "model's outputs, loss and metrics. Only for code you trust.")
@click.option("--runtime-path", "runtime_paths", multiple=True, metavar="DIR",
              help="Folder to put on sys.path for --runtime-import (default: the current folder).")
@click.option("--fix", "apply_fixes", is_flag=True,
              help="Apply the safe fixes, write the files, and report what remains.")
@click.option("--unsafe-fixes", is_flag=True,
              help="Include the unsafe fixes (they change a metric, a loss or from_logits): applied with --fix or "
                   "--diff, marked [*] otherwise.")
@click.option("--diff", "show_diff", is_flag=True,
              help="Print the fixes as a unified diff and write nothing (exit 1 when there is one).")
def check(paths, select, ignore, extend_select, output_format, keras_version, exclude, force_exclude,
          exit_zero, quiet, jobs, no_cache, runtime, runtime_python, runtime_imports, runtime_paths,
          apply_fixes, unsafe_fixes, show_diff):
    """Check PATHS (files or folders, default: the current folder)."""
    paths = paths or (".",)
    if paths == ("-",) or (paths == (".",) and _STDIN_FILENAME in click.get_current_context().meta):
        _check_stdin(select, ignore, extend_select, keras_version, output_format, exit_zero, quiet)
    file_options = FileOptions(select, ignore, extend_select, keras_version)
    try:
        config = file_options.config_for(paths[0] if os.path.exists(paths[0]) else os.getcwd())
    except ConfigError as error:
        _fail(str(error))
    missing = [p for p in paths if not os.path.lexists(p)]
    if missing:
        _fail(f"no such file or folder: {', '.join(missing)}")
    files = list(iter_source_files(paths, exclude=[*config.exclude, *_split(exclude)], force_exclude=force_exclude))
    # Files named on the command line are checked even when their configuration excludes them.
    named = set() if force_exclude else {os.path.abspath(p) for p in paths if not os.path.isdir(p)}
    try:  # every file's own configuration, all read before any output: a bad one is exit 2
        per_file = {}
        kept = []
        for path in files:
            file_config, per_file[path] = file_options.file_settings(path)
            if not (file_config.exclude and os.path.abspath(path) not in named and file_options.excluded(path)):
                kept.append(path)
        files = kept
    except ConfigError as error:
        _fail(str(error))
    cache_dir = None
    if not no_cache:
        from kerascheck.cache import default_cache_dir

        cache_dir = default_cache_dir(find_project_root(Path.cwd()))
    # Fixes are attached where each file is checked (in the workers, cached with the findings), except when
    # fixing or when the runtime pass adds findings: then below, on all findings.
    include_unsafe = unsafe_fixes or output_format != "text"
    attach_in_run = not (apply_fixes or show_diff or runtime or runtime_imports)
    run = run_check(files, None, options_for=per_file.__getitem__, keep_facts=runtime, jobs=jobs, cache_dir=cache_dir,
                    attach_fixes=include_unsafe if attach_in_run else None)
    fixes = None
    if apply_fixes or show_diff:
        from kerascheck.fix import fix_run
        fixes = fix_run([Path(path) for path in files], lambda path: per_file[str(path)], run, unsafe_fixes,
                        write=not show_diff, keep_facts=runtime)
        for message in fixes.errors:
            click.echo(f"kerascheck: error: {message}", err=True)
        if show_diff:  # as ruff: the diff only, exit 1 when there is one
            sys.stdout.write(fixes.diff)
            if not quiet:
                count = fixes.fixed
                click.echo(f"Would fix {count} finding{'s' if count != 1 else ''}." if count else "No fixes available.",
                           err=True)
            sys.exit(EXIT_ERROR if fixes.errors or run.internal_errors else EXIT_FINDINGS if fixes.diff else EXIT_CLEAN)
    findings = run.findings
    if runtime or runtime_imports:
        findings = _runtime_pass(findings, run.compiles, per_file, file_options, runtime, runtime_python,
                                 runtime_imports, runtime_paths)
    if attach_in_run:
        attached, hidden = run.fixes_attached, run.fixes_hidden
    else:
        from kerascheck.fix import attach_fixes
        attached, hidden = attach_fixes(findings, {display_path(path): Path(path) for path in files},
                                        include_unsafe=include_unsafe)
    sys.stdout.write(render(output_format, findings, {"files": files}))
    sys.stdout.flush()
    # Internal errors come after the other files' findings, one line each.
    for message in run.internal_errors:
        click.echo(f"kerascheck: error: {message}", err=True)
    if not quiet:
        if fixes is not None and fixes.fixed:
            total = fixes.fixed + len(findings)
            click.echo(f"Found {total} finding{'s' if total != 1 else ''} ({fixes.fixed} fixed, {len(findings)} "
                       f"remaining).", err=True)
        else:
            click.echo(_summary(findings, run.files_checked), err=True)
        hint = None
        if output_format == "text" and (attached or hidden):
            from kerascheck.report.fix_hint import fix_hint
            hint = fix_hint(attached, hidden, unsafe_fixes)
        if hint:
            click.echo(hint, err=True)
    if fixes is not None and fixes.errors:
        sys.exit(EXIT_ERROR)
    if run.internal_errors:
        sys.exit(EXIT_ERROR)
    sys.exit(EXIT_FINDINGS if findings and not exit_zero else EXIT_CLEAN)


def _runtime_pass(findings, compiles, per_file, file_options, runtime, python, imports, import_paths) -> list:
    """The opt-in runtime pass (kerascheck/runtime/): real Keras in `python`, one subprocess per kind of work."""
    from kerascheck.facts import FileFacts
    from kerascheck.rules import check_file, code_selected
    from kerascheck.runner import selected_rules
    from kerascheck.runtime.runner import RuntimeProbeError, facts_from_live_model, run_import
    from kerascheck.runtime.verify import verify

    by_display = {display_path(path): options for path, options in per_file.items()}
    default_options = file_options.options_for(Path.cwd() / "__runtime__.py")

    def is_selected(code, path):
        options = by_display.get(path, default_options)
        return code_selected(code, options.select, options.ignore)

    try:
        if runtime:
            findings, _ = verify(findings, compiles, is_selected, python=python, cache_dir=".kerascheck_cache/runtime")
        for target in imports:
            reply = run_import(target, sys_path=list(import_paths) or ["."], python=python)
            if reply.get("error"):
                raise RuntimeProbeError(f"--runtime-import {target}: {reply['error']}")
            # The live model ran on a known Keras: judge it by that version.
            live_target = parse_spec(f"keras=={reply['keras_version']}", origin="--runtime-import") \
                if reply.get("keras_version") else (default_options.target or UNKNOWN)
            for compile_fact in facts_from_live_model(reply):
                compile_fact.path = display_path(Path(compile_fact.path))
                facts = FileFacts(path=compile_fact.path, compiles=[compile_fact])
                findings = findings + check_file(facts, live_target, selected_rules(default_options, facts.path))
    except RuntimeProbeError as error:
        _fail(str(error))
    findings.sort(key=lambda f: f.sort_key())
    return findings


_STDIN_FILENAME = "kerascheck.stdin_filename"


def _check_stdin(select, ignore, extend_select, keras_version, output_format, exit_zero, quiet) -> None:
    """`kerascheck check -` / `--stdin-filename PATH`: check what is piped in (as ruff and flake8 do; editors use it)."""
    from kerascheck.runner import check_source, display_path

    name = click.get_current_context().meta.get(_STDIN_FILENAME)
    try:
        options = FileOptions(select, ignore, extend_select, keras_version).options_for(
            Path(name) if name else Path.cwd() / "stdin.py")
    except ConfigError as error:
        _fail(str(error))
    shown = display_path(Path(name)) if name else "-"
    result = check_source(shown, sys.stdin.buffer.read(), options, notebook=shown.lower().endswith(".ipynb"))
    sys.stdout.write(render(output_format, result.findings, {"files": []}))
    sys.stdout.flush()
    if result.internal_error:
        click.echo(f"kerascheck: error: {result.internal_error}", err=True)
    if not quiet:
        click.echo(_summary(result.findings, 1), err=True)
    sys.exit(EXIT_ERROR if result.internal_error else EXIT_FINDINGS if result.findings and not exit_zero
             else EXIT_CLEAN)


def _split(values) -> list:
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def _summary(findings: list, file_count: int) -> str:
    checked = f"{file_count} file{'s' if file_count != 1 else ''} checked"
    if not findings:
        return f"All checks passed ({checked})."
    files_with = len({f.path for f in findings})
    return (f"Found {len(findings)} finding{'s' if len(findings) != 1 else ''} in {files_with} "
            f"file{'s' if files_with != 1 else ''} ({checked}).")


@main.command()
@_path_argument
@click.option("--output-format", type=click.Choice(["text", "json"]), default="text", show_default=True)
def inspect(paths, output_format):
    """Show what kerascheck inferred for every compile() call in PATHS."""
    from kerascheck.report import inspect_format

    paths = paths or (".",)
    run = run_check(list(iter_source_files(paths)), Options(), keep_facts=True)
    render_compiles = inspect_format.render_json if output_format == "json" else inspect_format.render_text
    sys.stdout.write(render_compiles(run.compiles))
    click.echo(inspect_format.summary(run.compiles), err=True)
    for message in run.internal_errors:
        click.echo(f"kerascheck: error: {message}", err=True)
    sys.exit(EXIT_ERROR if run.internal_errors else EXIT_CLEAN)


@main.command()
def lsp():
    """Run the language server on stdin/stdout (needs: pip install 'kerascheck[lsp]')."""
    try:
        from kerascheck.lsp.server import serve
    except ImportError as error:
        _fail(f"the language server needs pygls: pip install 'kerascheck[lsp]' ({error})")
    serve()


@main.command()
@click.argument("code")
def rule(code):
    """Explain one rule: what it does, why it is bad, what to write instead."""
    from kerascheck.rules import rule_by_code

    found = rule_by_code(code.upper())
    if found is None:
        _fail(f"unknown rule {code!r}; `kerascheck rules` lists them")
    click.echo(f"# {found.code} ({found.name})\n")
    click.echo(f"{found.summary}.\n")
    for heading, body in found.docs().items():
        click.echo(f"## {heading}\n{body}\n")


@main.command(name="rules")
@click.option("--output-format", type=click.Choice(["text", "json"]), default="text", show_default=True)
def list_rules(output_format):
    """List every rule."""
    from kerascheck.rules import all_rules

    rules = all_rules()
    if output_format == "json":
        click.echo(json.dumps([{"code": r.code, "name": r.name, "summary": r.summary, "fix": r.fix_safety,
                                "docs": r.docs()} for r in rules], indent=2))
        return
    for r in rules:
        click.echo(f"{r.code}  {r.name:<50} {r.summary}")


if __name__ == "__main__":  # pragma: no cover
    main()
