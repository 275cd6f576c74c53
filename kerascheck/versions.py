"""The Keras version a project targets, and what that version does.

Resolution order (first hit wins): --keras-version, `keras-version` in
[tool.kerascheck], the pins of the file's own project (requirements*.txt,
requirements/*.txt, pyproject.toml, setup.cfg, setup.py in the file's folder or
the nearest folder above it that pins one, up to the repository root), the
installed distributions. Otherwise unknown, and rules that depend on the version
describe both behaviours.
"""

from __future__ import annotations

import os
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


# What a user may write, in every error about a version spec.
ACCEPTED_FORMS = "2.3.1, keras==2.3.1, tensorflow==2.1, tf-keras==2.21 or 3"

# The major versions each package has had with a Keras in it: anything else (`4`, `0.1`) is a typo, and a
# target nobody runs would silently describe a Keras that does not exist. (Keras 0.x predates the
# semantics kerascheck knows; tf.keras shipped in TensorFlow 1 and 2; tf_keras exists from 2.15.)
_PLAUSIBLE_MAJORS = {"keras": (1, 2, 3), "tensorflow": (1, 2), "tf_keras": (2,)}
_PACKAGE_LABELS = {"keras": "keras", "tensorflow": "tensorflow", "tf_keras": "tf-keras"}


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
        raise VersionSpecError(f"cannot read Keras version {spec!r}: write e.g. {ACCEPTED_FORMS}")
    package_name, number = match.groups()
    package = "keras"
    if package_name:
        package = _PACKAGE_ALIASES.get(package_name.lower())
        if package is None:
            raise VersionSpecError(
                f"unknown package {package_name!r} in {spec!r}: use keras, tensorflow or tf-keras "
                f"(e.g. {ACCEPTED_FORMS})")
    version = _version_tuple(number)
    if not plausible(package, version):
        majors = " or ".join(f"{major}.x" for major in _PLAUSIBLE_MAJORS[package])
        raise VersionSpecError(
            f"implausible Keras version {spec!r}: {_PACKAGE_LABELS[package]} {number} does not exist "
            f"(it had {majors}); write e.g. {ACCEPTED_FORMS}")
    return KerasTarget(package, version, origin)


def plausible(package: str, version: tuple) -> bool:
    """A version the package has had (by its major number)."""
    return bool(version) and version[0] in _PLAUSIBLE_MAJORS[package]


_PIN = re.compile(
    r"""(?<![\w.-])(keras|tf[-_]keras|tensorflow(?:-cpu|-gpu|-macos|-intel)?)\s*(?:\[[^\]]*\])?\s*(===|==|~=)\s*v?(\d+(?:\.\d+)*)""",
    re.IGNORECASE)


def pins_in_text(text: str) -> dict:
    """Exact pins found in a requirements/pyproject/setup.cfg text: package -> version."""
    pins = {}
    for name, _, number in _PIN.findall(text):
        package, version = _PACKAGE_ALIASES[name.lower().replace("_", "-")], _version_tuple(number)
        if plausible(package, version):  # `keras==0.3.3` is a real, pre-1.0 pin: no target kerascheck knows
            pins.setdefault(package, version)
    return pins


def _choose(pins: dict, origin: str) -> Optional[KerasTarget]:
    """Standalone Keras decides when pinned (it is what `import keras` gets), then tf_keras, then TF."""
    for package in ("keras", "tf_keras", "tensorflow"):
        if package in pins:
            return KerasTarget(package, pins[package], origin)
    return None


_PIN_FILES = ("pyproject.toml", "setup.cfg", "setup.py")


def _pin_files(folder: str) -> tuple:
    """(the files of `folder` that may pin Keras, in the order they are read; whether it is a repository root).
    One directory listing."""
    try:
        names = set(os.listdir(folder))
    except OSError:
        return [], False
    files = [os.path.join(folder, name) for name in sorted(names)
             if name.startswith("requirements") and name.endswith(".txt")]
    if "requirements" in names:
        try:
            files += [os.path.join(folder, "requirements", name)
                      for name in sorted(os.listdir(os.path.join(folder, "requirements"))) if name.endswith(".txt")]
        except OSError:
            pass
    files += [os.path.join(folder, name) for name in _PIN_FILES if name in names]
    return files, ".git" in names


def _pins_in_files(files: list) -> Optional[KerasTarget]:
    for path in files:
        try:
            with open(path, encoding="utf-8", errors="replace") as handle:
                text = handle.read()
        except OSError:  # a folder named like one, a broken link
            continue
        target = _choose(pins_in_text(text), path)
        if target:
            return target
    return None


def from_repository(root: Path) -> Optional[KerasTarget]:
    """The Keras pinned by the files in `root` itself (requirements*.txt, requirements/*.txt, pyproject.toml,
    setup.cfg, setup.py, read in that order); None when they pin none."""
    return _pins_in_files(_pin_files(str(root))[0])


@lru_cache(maxsize=4096)
def pinned_target(folder: str) -> Optional[KerasTarget]:
    """The Keras pinned for a file in `folder` (absolute): the pins of that folder, else of the nearest folder above
    it that pins one, up to and including the repository root (the folder holding `.git`), or the filesystem root
    outside a repository. So each file follows its own project's pins, wherever kerascheck runs from, and a
    `requirements.txt` beside a script counts without a `.git` or a `pyproject.toml`."""
    files, repository_root = _pin_files(folder)
    found = _pins_in_files(files)
    if found is not None or repository_root:
        return found
    parent = os.path.dirname(folder)
    return pinned_target(parent) if parent and parent != folder else None


def from_distributions(installed: dict, origin: str, legacy_keras: bool = False) -> Optional[KerasTarget]:
    """The target an interpreter runs, from its installed distributions (name -> version string or None):
    standalone Keras when installed (it is what `import keras` gets), else tf_keras, else TensorFlow's; tf_keras
    first when TF_USE_LEGACY_KERAS makes it tf.keras."""
    pins = {}
    for dist, package in (("keras", "keras"), ("tf-keras", "tf_keras"), ("tensorflow", "tensorflow"),
                          ("tensorflow-cpu", "tensorflow"), ("tensorflow-gpu", "tensorflow"),
                          ("tensorflow-macos", "tensorflow"), ("tensorflow-intel", "tensorflow")):
        text = installed.get(dist)
        if not text:
            continue
        try:
            version = _version_tuple(str(text))
        except VersionSpecError:
            continue
        if plausible(package, version):
            pins.setdefault(package, version)
    if legacy_keras and "tf_keras" in pins:
        return KerasTarget("tf_keras", pins["tf_keras"], origin)
    return _choose(pins, origin)


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


def pinned_for(shown: Optional[str], project_root: Optional[str] = None) -> Optional[KerasTarget]:
    """The Keras pinned for a checked file (as shown: relative to the working directory, or as given): its own
    project's pins (pinned_target, from its folder up); for stdin without a name, those of `project_root`."""
    folder = os.path.dirname(os.path.abspath(shown)) if shown and shown != "-" else project_root
    return pinned_target(folder) if folder is not None else None


@lru_cache(maxsize=1)
def installed_target() -> KerasTarget:
    """The installed packages' Keras, else unknown: the last resort."""
    return from_installed() or UNKNOWN
