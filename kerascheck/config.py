"""Settings: [tool.kerascheck] in pyproject.toml, read and validated, merged with the command line.

`FileOptions` gives each file its settings (`Options`): its nearest configuration,
then the command-line flags, which win. The CLI, the flake8 plugin and the language
server all get their settings here.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python < 3.11 only
    import tomli as tomllib

from kerascheck.discovery import matches_exclude
from kerascheck.versions import KerasTarget, VersionSpecError, parse_spec

KNOWN_KEYS = {"select", "ignore", "extend-select", "extend-ignore", "per-file-ignores", "exclude",
              "extend-exclude", "keras-version", "baseline"}


class ConfigError(Exception):
    """A bad configuration: reported on stderr with exit code 2."""


@dataclass
class Config:
    path: Optional[Path] = None
    select: Optional[list] = None
    ignore: list = field(default_factory=list)
    extend_select: list = field(default_factory=list)
    per_file_ignores: dict = field(default_factory=dict)
    exclude: list = field(default_factory=list)
    keras_version: Optional[str] = None
    baseline: Optional[Path] = None  # `baseline = "..."`: relative to the pyproject.toml's folder


def find_pyproject(start: Path) -> Optional[Path]:
    """The nearest pyproject.toml with a [tool.kerascheck] table, walking up; stop at a repository root."""
    folder = start.resolve()
    if folder.is_file():
        folder = folder.parent
    for candidate in [folder, *folder.parents]:
        pyproject = candidate / "pyproject.toml"
        if pyproject.is_file():
            try:
                data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
                raise ConfigError(f"{pyproject}: cannot read TOML: {error}") from None
            if "kerascheck" in data.get("tool", {}):
                return pyproject
        if (candidate / ".git").exists():
            return None
    return None


def _string_list(value, key: str, path: Path) -> list:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(f"{path}: [tool.kerascheck] {key} must be a list of strings")
    return list(value)


def load_config(pyproject: Optional[Path]) -> Config:
    if pyproject is None:
        return Config()
    data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    table = data.get("tool", {}).get("kerascheck", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{pyproject}: [tool.kerascheck] must be a table")
    unknown = sorted(set(table) - KNOWN_KEYS)
    if unknown:
        raise ConfigError(f"{pyproject}: unknown key(s) in [tool.kerascheck]: {', '.join(unknown)} "
                          f"(known: {', '.join(sorted(KNOWN_KEYS))})")
    config = Config(path=pyproject)
    if "select" in table:
        config.select = _string_list(table["select"], "select", pyproject)
    config.ignore = _string_list(table.get("ignore", []), "ignore", pyproject) + \
        _string_list(table.get("extend-ignore", []), "extend-ignore", pyproject)
    config.extend_select = _string_list(table.get("extend-select", []), "extend-select", pyproject)
    config.exclude = _string_list(table.get("exclude", []), "exclude", pyproject) + \
        _string_list(table.get("extend-exclude", []), "extend-exclude", pyproject)
    per_file = table.get("per-file-ignores", {})
    if not isinstance(per_file, dict):
        raise ConfigError(f"{pyproject}: [tool.kerascheck] per-file-ignores must be a table of pattern = [codes]")
    config.per_file_ignores = {pattern: _string_list(codes, f"per-file-ignores.{pattern}", pyproject)
                               for pattern, codes in per_file.items()}
    if "keras-version" in table:
        value = table["keras-version"]
        if not isinstance(value, (str, int, float)):
            raise ConfigError(f"{pyproject}: [tool.kerascheck] keras-version must be a string like '2.3.1'")
        try:
            parse_spec(str(value))
        except VersionSpecError as error:
            raise ConfigError(f"{pyproject}: [tool.kerascheck] keras-version: {error}") from None
        config.keras_version = str(value)
    if "baseline" in table:
        if not isinstance(table["baseline"], str) or not table["baseline"]:
            raise ConfigError(f"{pyproject}: [tool.kerascheck] baseline must be a path, like 'kerascheck-baseline.json'")
        config.baseline = pyproject.parent / table["baseline"]
    for code in (config.select or []) + config.ignore + config.extend_select:
        _check_code(code, pyproject)
    return config


def _check_code(code: str, where) -> None:
    # Imported here: the rules and the facts they read cost ~25 ms of start-up (-X importtime), which a
    # configuration that names no code (and a run whose files are all cache hits) never needs.
    from kerascheck.rules import all_rules

    if code == "ALL":
        return
    if not any(rule.code.startswith(code) for rule in all_rules()):
        raise ConfigError(f"{where}: unknown rule code or prefix {code!r}")


def validate_codes(codes, where: str) -> None:
    for code in codes:
        _check_code(code, where)


# ---------------------------------------------------------------- each file's settings


@dataclass
class Options:
    """The settings that apply to one file: which rules, which Keras."""

    select: tuple = ("KC",)
    ignore: tuple = ()
    per_file_ignores: dict = field(default_factory=dict)
    target: Optional[KerasTarget] = None  # None: detect per file
    project_root: Optional[str] = None
    config_dir: Optional[str] = None  # the folder of the pyproject.toml these options came from


def split_codes(values) -> list:
    """Codes from command-line values: 'KC1,KC201' and repeated flags alike, upper-cased."""
    codes = []
    for value in values or ():
        codes.extend(part.strip().upper() for part in value.split(",") if part.strip())
    return codes


def build_options(select, ignore, extend_select, keras_version, config: Config, project_root=None,
                  fallback_target: Optional[KerasTarget] = None) -> Options:
    """A configuration merged with the command-line flags (which win). `fallback_target`: the target when neither
    sets one (with --runtime --python PY, the Keras in PY), before the pins are looked at. Raises ConfigError."""
    select_codes = split_codes(select) or config.select or ["KC"]
    select_codes = ["KC" if code == "ALL" else code for code in select_codes] + split_codes(extend_select) \
        + config.extend_select
    ignore_codes = config.ignore + split_codes(ignore)
    validate_codes(split_codes(select) + split_codes(ignore) + split_codes(extend_select), "command line")
    target = None
    spec = keras_version or config.keras_version
    if spec:
        try:
            target = parse_spec(spec, origin="--keras-version" if keras_version else "pyproject.toml")
        except VersionSpecError as error:
            raise ConfigError(str(error)) from None
    elif fallback_target is not None:
        target = fallback_target
    return Options(select=tuple(select_codes), ignore=tuple(ignore_codes),
                   per_file_ignores=config.per_file_ignores, target=target,
                   project_root=project_root or find_project_root(Path.cwd()),
                   config_dir=str(config.path.parent) if config.path is not None else None)


def find_project_root(start: Path) -> Optional[str]:
    """The nearest folder holding .git or a pyproject.toml (the results cache and the Keras pins live there)."""
    folder = start.resolve()
    for candidate in [folder, *folder.parents]:
        if (candidate / ".git").exists() or (candidate / "pyproject.toml").is_file():
            return str(candidate)
    return None


class FileOptions:
    """Each file's options: its nearest [tool.kerascheck] (walking up from the file, stopping at a
    repository root), then the command-line flags, which win. Shared by the CLI, flake8 and the
    language server; configurations are read once per folder."""

    def __init__(self, select=(), ignore=(), extend_select=(), keras_version=None):
        self.flags = (select, ignore, extend_select, keras_version)
        # The target when neither a flag nor a configuration sets one (the pipeline sets it: the Keras in
        # --python for --runtime); set before any options are read.
        self.fallback_target: Optional[KerasTarget] = None
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
                settings = self._by_pyproject[pyproject] = (config, build_options(*self.flags, config, project_root=root,
                                                                               fallback_target=self.fallback_target))
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
