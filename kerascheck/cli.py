"""The command line: `kerascheck [check] PATH...`, `kerascheck inspect`, `kerascheck rule(s)`.

Exit codes, as ruff: 0 no findings, 1 findings, 2 usage, configuration or
internal error.
"""

from __future__ import annotations

import json
import os
import sys

import click

from kerascheck import __version__, pipeline
from kerascheck.config import ConfigError, FileOptions
from kerascheck.report import (FORMAT_MODULES, HUMAN_FORMATS, default_format, fix_hint, fixed_summary,
                               inspect_summary, render, render_compiles, summary)
from kerascheck.report import show_fixes as show_fixes_format  # `check` has a --show-fixes flag of that name

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class DefaultToCheck(click.Group):
    """`kerascheck PATH` means `kerascheck check PATH`, as in ruff."""

    def parse_args(self, ctx, args):
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h", "--version"):
            args = ["check", *args]
        elif not args:
            args = ["check"]
        return super().parse_args(ctx, args)


def _fail(message: str) -> None:
    click.echo(f"kerascheck: error: {message}", err=True)
    sys.exit(EXIT_ERROR)


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
@click.option("--output-format", type=click.Choice(sorted(FORMAT_MODULES)), default=None,
              help="How findings are printed. Default: full (the source under each finding) at a terminal, "
                   "concise (one line each: path:line:col: CODE message) when piped. text is concise.")
@click.option("--statistics", is_flag=True,
              help="Print how many findings of each code, and how many --fix would fix, instead of the findings.")
@click.option("--show-fixes", is_flag=True, help="With --fix or --diff: list what was fixed, by file and code.")
@click.option("--baseline", "baseline_path", metavar="FILE",
              help="Report only the findings that are not in FILE (written by --write-baseline). Default: "
                   "[tool.kerascheck] baseline.")
@click.option("--write-baseline", "write_baseline", metavar="FILE",
              help="Record the current findings in FILE (stale entries pruned) and exit 0: adopt kerascheck on an "
                   "existing code base, then check with --baseline FILE.")
@click.option("--add-noqa", is_flag=True,
              help="Add `# noqa: CODE` to every line with a finding (merged with existing noqa comments), and exit.")
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
def check(paths, select, ignore, extend_select, output_format, statistics, show_fixes, baseline_path,
          write_baseline, add_noqa, keras_version, exclude, force_exclude, exit_zero, quiet, jobs, no_cache, runtime,
          runtime_python, runtime_imports, runtime_paths, apply_fixes, unsafe_fixes, show_diff):
    """Check PATHS (files or folders, default: the current folder)."""
    paths = paths or (".",)
    output_format = output_format or default_format(sys.stdout)
    stdin_filename = click.get_current_context().meta.get(_STDIN_FILENAME)
    if "-" in paths and len(paths) > 1:
        _fail("'-' means stdin and cannot be mixed with paths: check the file (`kerascheck check train.py`) or pipe "
              "it (`kerascheck check --stdin-filename train.py - < train.py`)")
    from_stdin = paths == ("-",) or (paths == (".",) and stdin_filename is not None)
    if (write_baseline or add_noqa) and (apply_fixes or show_diff or from_stdin):
        _fail(f"{'--write-baseline' if write_baseline else '--add-noqa'} works on files, without --fix or --diff")
    settings = FileOptions(select, ignore, extend_select, keras_version)
    request = pipeline.Request(
        paths=paths, settings=settings,
        exclude=tuple(_split(exclude)), force_exclude=force_exclude, jobs=jobs, use_cache=not no_cache,
        fixes=pipeline.DIFF if show_diff else pipeline.APPLY if apply_fixes else pipeline.CHECK,
        unsafe_fixes=unsafe_fixes, fix_edits=output_format not in HUMAN_FORMATS,
        runtime=runtime, runtime_python=runtime_python, runtime_imports=runtime_imports,
        runtime_paths=runtime_paths, stdin=sys.stdin.buffer.read() if from_stdin else None,
        stdin_filename=stdin_filename)
    try:
        outcome = pipeline.run(request)
    except pipeline.RunError as error:
        _fail(str(error))
    if write_baseline:
        _write_baseline(write_baseline, outcome, quiet)
    if add_noqa:
        _add_noqa(outcome, quiet)
    baseline = _apply_baseline(baseline_path, settings, paths, outcome, unsafe_fixes)
    # As ruff: with --fix or --diff on stdin, stdout is the fixed source or the diff, the report goes to stderr.
    fixed_stdin = from_stdin and request.fixes != pipeline.CHECK
    for message in outcome.fix_errors:
        click.echo(f"kerascheck: error: {message}", err=True)
    if request.fixes == pipeline.DIFF:  # as ruff: the diff only, exit 1 when there is one
        sys.stdout.write(outcome.diff)
        sys.stdout.flush()
        for message in outcome.internal_errors:
            click.echo(f"kerascheck: error: {message}", err=True)
        if not quiet:
            count = outcome.fixed
            click.echo(f"Would fix {count} finding{'s' if count != 1 else ''}." if count else "No fixes available.",
                       err=True)
            if show_fixes:
                _show_fixes(outcome, diff=True)
        failed = outcome.fix_errors or outcome.internal_errors
        sys.exit(EXIT_ERROR if failed else EXIT_FINDINGS if outcome.diff else EXIT_CLEAN)
    context = {"files": outcome.files, "unsafe_fixes": unsafe_fixes,
               "sources": {outcome.files[0]: request.stdin} if from_stdin and outcome.files else {}}
    if statistics:
        # here: ~3 ms of start-up (-X importtime) that a run without --statistics does not need
        from kerascheck.report import statistics as statistics_format

        report = statistics_format.render(outcome.findings, context, output_format)
    else:
        report = render(output_format, outcome.findings, context)
    if fixed_stdin:
        sys.stdout.buffer.write(outcome.fixed_source or b"")
        sys.stdout.flush()
        sys.stderr.write(report)
    else:
        sys.stdout.write(report)
        sys.stdout.flush()
    # Internal errors come after the other files' findings, one line each.
    for message in outcome.internal_errors:
        click.echo(f"kerascheck: error: {message}", err=True)
    if not quiet:
        if show_fixes:
            _show_fixes(outcome)
        if outcome.fixed:
            click.echo(fixed_summary(outcome.fixed, len(outcome.findings)), err=True)
        else:
            click.echo(summary(outcome.findings, outcome.files_checked, baseline.matched if baseline else 0,
                               len(outcome.internal_errors)), err=True)
        if baseline is not None and baseline.stale:
            stale = baseline.stale
            click.echo(f"{stale} baseline entr{'ies' if stale != 1 else 'y'} no longer match a finding: "
                       f"`--write-baseline {baseline_path or baseline.path}` prunes "
                       f"{'them' if stale != 1 else 'it'}.", err=True)
        hint = fix_hint(outcome.fixes_attached, outcome.fixes_hidden, unsafe_fixes, outcome.fixed) \
            if output_format in HUMAN_FORMATS else None
        if hint:
            click.echo(hint, err=True)
    if outcome.fix_errors or outcome.internal_errors:
        sys.exit(EXIT_ERROR)
    sys.exit(EXIT_FINDINGS if outcome.findings and not exit_zero else EXIT_CLEAN)


_STDIN_FILENAME = "kerascheck.stdin_filename"


def _write_baseline(path: str, outcome, quiet: bool) -> None:
    """--write-baseline: record the findings (pruning the stale entries of the files checked) and exit 0."""
    # here: ~14 ms of start-up (tempfile, hashlib; -X importtime) that a run without a baseline does not need
    from kerascheck.baseline import BaselineError, write

    for message in outcome.internal_errors:
        click.echo(f"kerascheck: error: {message}", err=True)
    try:
        written, pruned = write(path, outcome.findings, outcome.files)
    except BaselineError as error:
        _fail(str(error))
    if not quiet:
        note = f" (pruned {pruned} stale entr{'ies' if pruned != 1 else 'y'})" if pruned else ""
        click.echo(f"Wrote {written} finding{'s' if written != 1 else ''} to {path}{note}.", err=True)
    sys.exit(EXIT_ERROR if outcome.internal_errors else EXIT_CLEAN)


def _add_noqa(outcome, quiet: bool) -> None:
    """--add-noqa: a `# noqa: CODE` on every line with a finding, and exit (0, as ruff; 2 when a file failed)."""
    # here: it imports kerascheck.fix and libcst, ~0.35 s of start-up (-X importtime) that only --add-noqa needs
    from kerascheck.add_noqa import add_noqa_to_files

    results = add_noqa_to_files(outcome.findings)
    errors = [result.error for result in results if result.error] + outcome.internal_errors
    for message in errors:
        click.echo(f"kerascheck: error: {message}", err=True)
    if not quiet:
        added = sum(result.added for result in results)
        click.echo(f"Added {added} noqa directive{'s' if added != 1 else ''}.", err=True)
    sys.exit(EXIT_ERROR if errors else EXIT_CLEAN)


def _apply_baseline(baseline_path, settings, paths, outcome, unsafe_fixes: bool):
    """--baseline FILE (or [tool.kerascheck] baseline): keep only the findings not in it. None without one."""
    path = baseline_path
    if path is None:
        try:
            configured = settings.config_for(paths[0] if paths[0] != "-" and os.path.exists(paths[0]) else os.getcwd())
        except ConfigError as error:
            _fail(str(error))
        path = str(configured.baseline) if configured.baseline is not None else None
    if path is None:
        return None
    # here, with _write_baseline's reason: ~14 ms of start-up that a run without a baseline does not need
    from kerascheck.baseline import Baseline, BaselineError

    try:
        filtered = Baseline.load(path).filter(outcome.findings, outcome.files)
    except BaselineError as error:
        _fail(str(error))
    filtered.path = path
    outcome.findings = filtered.findings
    # The fix hint counts the findings that are shown.
    outcome.fixes_attached = sum(1 for f in outcome.findings if f.fix is not None and f.fix.applicable(unsafe_fixes))
    outcome.fixes_hidden = sum(1 for f in outcome.findings if f.fix is not None) - outcome.fixes_attached
    return filtered


def _show_fixes(outcome, diff: bool = False) -> None:
    from kerascheck.rules import all_rules  # here: ~11 ms of start-up (-X importtime) that only --show-fixes needs

    text = show_fixes_format.render(outcome.fixed_by_file, {rule.code: rule.name for rule in all_rules()}, diff=diff)
    if text:
        click.echo(text, err=True, nl=False)


def _split(values) -> list:
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


@main.command()
@_path_argument
@click.option("--output-format", type=click.Choice(["text", "json"]), default="text", show_default=True)
def inspect(paths, output_format):
    """Show what kerascheck inferred for every compile() call in PATHS."""
    try:
        compiles, calls, problems, internal_errors = pipeline.inspect_facts(paths or (".",))
    except pipeline.RunError as error:
        _fail(str(error))
    sys.stdout.write(render_compiles(output_format, compiles, calls))
    click.echo(inspect_summary(compiles, calls), err=True)
    for problem in problems:  # a file it could not read or parse: nothing of it was inspected
        cell = f"cell {problem.cell}:" if problem.cell is not None else ""
        click.echo(f"{problem.path}:{cell}{problem.line}:{problem.column}: cannot inspect: {problem.message}", err=True)
    for message in internal_errors:
        click.echo(f"kerascheck: error: {message}", err=True)
    sys.exit(EXIT_ERROR if internal_errors else EXIT_FINDINGS if problems else EXIT_CLEAN)


@main.command()
def lsp():
    """Run the language server on stdin/stdout (needs: pip install 'kerascheck[lsp]')."""
    try:
        # here: pygls is an optional dependency (kerascheck[lsp]), and costs ~1-2 s of start-up to every run
        from kerascheck.lsp.server import serve
    except ImportError as error:
        _fail(f"the language server needs pygls: pip install 'kerascheck[lsp]' ({error})")
    serve()


@main.command()
@click.argument("code")
def rule(code):
    """Explain one rule: what it does, why it is bad, what to write instead."""
    from kerascheck.rules import rule_by_code  # here: ~11 ms of start-up (-X importtime) that `kerascheck check` does not need

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
    from kerascheck.rules import all_rules  # here: ~11 ms of start-up (-X importtime) that `kerascheck check` does not need

    rules = all_rules()
    if output_format == "json":
        click.echo(json.dumps([{"code": r.code, "name": r.name, "summary": r.summary, "fix": r.fix_safety,
                                "docs": r.docs()} for r in rules], indent=2))
        return
    for r in rules:
        click.echo(f"{r.code}  {r.name:<50} {r.summary}")


if __name__ == "__main__":  # pragma: no cover
    main()
