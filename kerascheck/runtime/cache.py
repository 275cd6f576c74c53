"""On-disk cache of probe results, one JSON file per case.

A case's result depends only on the case itself, the Keras stack of the
interpreter and the code that produced it, so the key is the sha256 of:

- the case JSON (without its ``id``, which is only a position) and the request
  settings that shape the synthetic batch (default_units, seed, batch);
- the interpreter fingerprint: installed versions of keras / tensorflow /
  tf_keras / jax / torch, read from package metadata *without importing them*,
  plus the settings that pick a backend (KERAS_BACKEND, TF_USE_LEGACY_KERAS,
  ~/.keras/keras.json);
- ``kerascheck.__version__`` (``'0'`` when absent) and the sha256 of probe.py,
  so an upgraded probe never serves stale answers.

Writes are atomic (temporary file in the same directory + ``os.replace``), so
parallel kerascheck runs can share one cache directory.
"""

import hashlib
import json
import os
import subprocess

from kerascheck import __version__
from kerascheck.atomic import write_atomic

DEFAULT_CACHE_DIR = os.path.join(".kerascheck_cache", "runtime")
PROBE_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "probe.py")

# Runs in the *target* interpreter (Python 3.7+): versions only, no imports of
# the packages themselves (importing TensorFlow costs seconds).
_FINGERPRINT_SCRIPT = r"""
import json, os, sys, platform
def v(name):
    try:
        from importlib import metadata
        try:
            return metadata.version(name)
        except Exception:
            return None
    except ImportError:
        try:
            import pkg_resources
            return pkg_resources.get_distribution(name).version
        except Exception:
            return None
out = {"python_version": platform.python_version()}
for d in ("keras", "tensorflow", "tensorflow-cpu", "tensorflow-macos", "tf-keras",
          "jax", "torch"):
    out[d] = v(d)
for e in ("KERAS_BACKEND", "TF_USE_LEGACY_KERAS", "KERAS_HOME"):
    out[e] = os.environ.get(e)
home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
try:
    with open(os.path.join(home, "keras.json")) as f:
        out["keras.json backend"] = json.load(f).get("backend")
except Exception:
    out["keras.json backend"] = None
sys.stdout.write(json.dumps(out, sort_keys=True))
"""

_fingerprints = {}  # python -> fingerprint dict, memoised for the process


class FingerprintError(Exception):
    pass


def interpreter_fingerprint(python, timeout=60):
    """Versions of the Keras stack in ``python``, without importing Keras."""
    if python in _fingerprints:
        return _fingerprints[python]
    try:
        proc = subprocess.run([python, "-c", _FINGERPRINT_SCRIPT], stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise FingerprintError("cannot run %s: %s" % (python, exc))
    try:
        fp = json.loads(proc.stdout.decode("utf-8", "replace"))
    except ValueError:
        raise FingerprintError("cannot read the package versions of %s: %s"
                               % (python, proc.stderr.decode("utf-8", "replace")[-500:]))
    _fingerprints[python] = fp
    return fp


def _kerascheck_version():
    return str(__version__)


def _probe_hash():
    with open(PROBE_PATH, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def _canonical(obj):
    return json.dumps(obj, sort_keys=True, separators=(",", ":"))


class ProbeCache(object):
    """Probe results on disk, keyed as the module docstring says."""

    def __init__(self, cache_dir=None):
        self.cache_dir = os.path.abspath(cache_dir or DEFAULT_CACHE_DIR)
        self._code_version = _kerascheck_version() + ":" + _probe_hash()

    def key(self, case, fingerprint, settings):
        body = dict((k, v) for k, v in case.items() if k != "id")
        parts = [
            hashlib.sha256(_canonical([body, settings]).encode("utf-8")).hexdigest(),
            _canonical(fingerprint),
            self._code_version,
        ]
        return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()

    def _path(self, key):
        return os.path.join(self.cache_dir, key[:2], key + ".json")

    def get(self, key):
        try:
            with open(self._path(key), "r", encoding="utf-8") as f:
                return json.load(f)
        except (OSError, ValueError):
            return None  # missing or half-written by a crashed old version: a miss

    def put(self, key, value):
        path = self._path(key)
        folder = os.path.dirname(path)
        os.makedirs(folder, exist_ok=True)
        write_atomic(path, json.dumps(value, sort_keys=True).encode("utf-8"))  # readers see the old file or the new
