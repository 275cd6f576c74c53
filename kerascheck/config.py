"""[tool.kerascheck] in pyproject.toml: read, validate, merge with the command line."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python < 3.11 only
    import tomli as tomllib

from kerascheck.versions import VersionSpecError, parse_spec

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
    from kerascheck.rules import all_rules

    if code == "ALL":
        return
    if not any(rule.code.startswith(code) for rule in all_rules()):
        raise ConfigError(f"{where}: unknown rule code or prefix {code!r}")


def validate_codes(codes, where: str) -> None:
    for code in codes:
        _check_code(code, where)
