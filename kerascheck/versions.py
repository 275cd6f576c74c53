"""The Keras version a project targets, and what that version does.

Resolution order (first hit wins): --keras-version, `keras-version` in
[tool.kerascheck], the repository's pins (requirements*.txt, pyproject.toml,
setup.cfg), the installed distributions. Otherwise unknown, and rules that
depend on the version describe both behaviours.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Optional

# Distribution names that decide which Keras runs, most specific first.
_PACKAGE_ALIASES = {
    "keras": "keras",
    "tf-keras": "tf_keras",
    "tf_keras": "tf_keras",
    "tensorflow": "tensorflow",
    "tensorflow-cpu": "tensorflow",
    "tensorflow-gpu": "tensorflow",
    "tensorflow-macos": "tensorflow",
    "tensorflow-intel": "tensorflow",
    "tf": "tensorflow",
}


class VersionSpecError(ValueError):
    pass


def _version_tuple(text: str) -> tuple:
    parts = []
    for piece in text.split("."):
        match = re.match(r"\d+", piece)
        if not match:
            break
        parts.append(int(match.group()))
    if not parts:
        raise VersionSpecError(f"not a version number: {text!r}")
    return tuple(parts)


@dataclass(frozen=True)
class KerasTarget:
    """The target Keras: which package, which version, and where that came from."""

    package: Optional[str] = None  # 'keras', 'tensorflow' (tf.keras) or 'tf_keras'
    version: tuple = ()
    origin: str = ""  # for messages: '--keras-version', 'requirements.txt', ...

    @property
    def known(self) -> bool:
        return self.package is not None

    @property
    def label(self) -> str:
        if not self.known:
            return "an unknown Keras version"
        number = ".".join(str(p) for p in self.version)
        return {"keras": "Keras", "tensorflow": "tf.keras in TensorFlow",
                "tf_keras": "tf_keras"}[self.package] + " " + number

    @property
    def is_keras3(self) -> Optional[bool]:
        if not self.known:
            return None
        if self.package == "keras":
            return self.version >= (3,)
        if self.package == "tensorflow":
            # TensorFlow 2.16+ ships Keras 3 as tf.keras.
            return self.version >= (2, 16)
        return False

    @property
    def accuracy_by_loss(self) -> Optional[bool]:
        """True when a bare 'accuracy' is resolved from the loss (keras-semantics.md)."""
        if not self.known:
            return None
        if self.package == "keras":
            return (1, 0, 6) <= self.version < (2, 4)
        if self.package == "tensorflow":
            return self.version < (2, 2)
        return False  # tf_keras is 2.16+: shape-resolving in eager mode

    @property
    def metric_strings_case_sensitive(self) -> Optional[bool]:
        """True when 'Accuracy' is the exact-match class, not 'accuracy'."""
        if not self.known:
            return None
        if self.package == "keras":
            return self.version < (2, 6)
        if self.package == "tensorflow":
            return self.version < (2, 5)
        return False

    @property
    def binary_crossentropy_object_counts(self) -> bool:
        """Loss-resolving Keras saw a BinaryCrossentropy() object as BCE from TF 1.14 / keras 2.3."""
        if self.package == "tensorflow":
            return self.version >= (1, 14)
        if self.package == "keras":
            return self.version >= (2, 3)
        return True

    @property
    def name_family(self) -> Optional[str]:
        """Which name table applies: 'keras3', 'tf_keras' or 'keras2_legacy'."""
        if not self.known:
            return None
        if self.is_keras3:
            return "keras3"
        if self.package == "keras" and self.version < (2, 4):
            return "keras2_legacy"
        if self.package == "tensorflow" and self.version < (2, 2):
            return "keras2_legacy"
        return "tf_keras"


UNKNOWN = KerasTarget()


def parse_spec(spec: str, origin: str = "--keras-version") -> KerasTarget:
    """Parse '2.3.1', 'keras==2.3.1', 'tensorflow==2.1', 'tf-keras==2.21', '3'."""
    text = spec.strip()
    if text.lower() in ("", "unknown", "auto"):
        return UNKNOWN
    match = re.fullmatch(r"(?:([A-Za-z][A-Za-z0-9_.-]*)\s*(?:===|==|~=|=|\s)\s*)?v?(\d+(?:\.\d+)*)\S*", text)
    if not match:
        raise VersionSpecError(
            f"cannot read Keras version {spec!r}: write e.g. 2.3.1, keras==2.3.1, tensorflow==2.1 or 3")
    package_name, number = match.groups()
    package = "keras"
    if package_name:
        package = _PACKAGE_ALIASES.get(package_name.lower())
        if package is None:
            raise VersionSpecError(
                f"unknown package {package_name!r} in {spec!r}: use keras, tensorflow or tf-keras")
    return KerasTarget(package, _version_tuple(number), origin)


_PIN = re.compile(
    r"""(?<![\w.-])(keras|tf[-_]keras|tensorflow(?:-cpu|-gpu|-macos|-intel)?)\s*(?:\[[^\]]*\])?\s*(===|==|~=)\s*v?(\d+(?:\.\d+)*)""",
    re.IGNORECASE)


def pins_in_text(text: str) -> dict:
    """Exact pins found in a requirements/pyproject/setup.cfg text: package -> version."""
    pins = {}
    for name, _, number in _PIN.findall(text):
        pins.setdefault(_PACKAGE_ALIASES[name.lower().replace("_", "-")], _version_tuple(number))
    return pins


def _choose(pins: dict, origin: str) -> Optional[KerasTarget]:
    """Standalone Keras decides when pinned (it is what `import keras` gets), then tf_keras, then TF."""
    for package in ("keras", "tf_keras", "tensorflow"):
        if package in pins:
            return KerasTarget(package, pins[package], origin)
    return None


def from_repository(root: Path) -> Optional[KerasTarget]:
    candidates = sorted(root.glob("requirements*.txt")) + sorted(root.glob("requirements/*.txt"))
    candidates += [root / "pyproject.toml", root / "setup.cfg", root / "setup.py"]
    for path in candidates:
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        target = _choose(pins_in_text(text), path.name)
        if target:
            return target
    return None


def from_installed() -> Optional[KerasTarget]:
    from importlib import metadata  # here: importing it takes longer than a whole cached run's own work

    pins = {}
    for dist, package in (("keras", "keras"), ("tf-keras", "tf_keras"), ("tensorflow", "tensorflow"),
                          ("tensorflow-cpu", "tensorflow")):
        try:
            pins.setdefault(package, _version_tuple(metadata.version(dist)))
        except (metadata.PackageNotFoundError, VersionSpecError):
            continue
    return _choose(pins, "installed packages")


@lru_cache(maxsize=64)
def repository_target(root: Optional[str]) -> Optional[KerasTarget]:
    """The Keras pinned by the repository at root; None when it pins none (or there is no root)."""
    return from_repository(Path(root)) if root is not None else None


@lru_cache(maxsize=64)
def detected_target(root: Optional[str]) -> KerasTarget:
    """The repository's pins, else the installed packages, else unknown."""
    return repository_target(root) or from_installed() or UNKNOWN
