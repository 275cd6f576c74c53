"""The flake8 plugin: `flake8` reports kerascheck's findings as KC codes.

Registered as the `flake8.extension` entry point `KC`. It runs the same
pipeline as `kerascheck check` (kerascheck.runner.check_source) on the text
flake8 read, with the file's nearest [tool.kerascheck] configuration, so the
findings are the CLI's: same codes, same lines, same columns. flake8's plugin
API wants 0-based columns (flake8 adds 1 when it prints): the conversion is
`_FLAKE8_COLUMN` below and nowhere else.

flake8 itself applies `# noqa`, `# flake8: noqa`, `--select`, `--extend-select`,
`--ignore`, `--extend-ignore` and `--per-file-ignores`; the plugin applies
`# kerascheck: noqa` (a directive flake8 does not know) unless `--disable-noqa`.
`--keras-version` (or `keras-version =` in flake8's config) sets the target Keras.

A bad configuration (`[tool.kerascheck]`, `--keras-version`) is reported once, as flake8
reports its own: when flake8 reads its options, the configuration of every path it was
given is read, and an error stops the run with flake8's "critical error" and kerascheck's
message (exit 1), instead of a finding on every file. A sub-project's configuration,
found only while checking its files, is reported as one finding (on the first of its files
each flake8 worker checks: raising from a worker would hang flake8's process pool) and
its files are not checked.
"""

from __future__ import annotations

from pathlib import Path

from kerascheck import __version__
from kerascheck.config import ConfigError, FileOptions
from kerascheck.report import message
from kerascheck.runner import check_source

_FLAKE8_COLUMN = -1  # kerascheck columns are 1-based; flake8 plugins report 0-based ones


class KerascheckChecker:
    name = "kerascheck"
    version = __version__

    keras_version = None
    disable_noqa = False
    _file_options = None
    _reported_errors: set = set()  # configuration errors already reported by this process

    def __init__(self, tree, filename: str, lines: list):
        # `tree` makes this an AST plugin (flake8 runs it only on files that parse); kerascheck parses itself.
        self.filename = filename
        self.lines = lines

    @classmethod
    def add_options(cls, parser) -> None:
        parser.add_option("--keras-version", default=None, parse_from_config=True, metavar="SPEC",
                          help="kerascheck: the Keras that will run the code (2.3.1, tensorflow==2.1, 3). "
                               "Default: [tool.kerascheck] keras-version, then the repository's pins.")

    @classmethod
    def parse_options(cls, options) -> None:
        cls.keras_version = getattr(options, "keras_version", None)
        cls.disable_noqa = bool(getattr(options, "disable_noqa", False))
        cls._file_options = None
        cls._check_configuration(getattr(options, "filenames", None) or ["."])

    @classmethod
    def _check_configuration(cls, paths) -> None:
        """Read the configuration of every path given to flake8, once, before any file is checked."""
        from flake8.exceptions import ExecutionError

        from kerascheck.config import ConfigError

        try:
            for path in paths:
                cls.file_options().options_for(Path.cwd() if path == "-" else Path(path))
        except ConfigError as error:
            raise ExecutionError(f"kerascheck: configuration error: {error}") from None

    @classmethod
    def file_options(cls):
        if cls._file_options is None:
            cls._file_options = FileOptions(keras_version=cls.keras_version)
        return cls._file_options

    def run(self):
        text = "".join(self.lines)
        on_disk = self.filename not in ("-", "stdin") and Path(self.filename).exists()
        try:
            options = self.file_options().options_for(Path(self.filename) if on_disk else Path.cwd())
        except ConfigError as error:  # a sub-project's, not seen by parse_options: reported once, files skipped
            if str(error) not in self._reported_errors:
                self._reported_errors.add(str(error))
                yield 1, 0, f"KC002 kerascheck configuration error (its files are not checked): {error}", type(self)
            return
        result = check_source(self.filename, text, options, noqa="none" if self.disable_noqa else "kerascheck")
        if result.internal_error:
            yield 1, 0, f"KC002 {result.internal_error}", type(self)
        for finding in result.findings:
            yield finding.line, finding.column + _FLAKE8_COLUMN, f"{finding.code} {message(finding)}", type(self)
