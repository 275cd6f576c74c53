"""Which Keras package a name comes from, and where two of them are the same objects (KC503).

Four packages carry Keras's classes: standalone `keras`, TensorFlow's `tf.keras`
(`tensorflow.keras`, also reached as `tf.compat.v1.keras` and TF 1's `tf.contrib.keras`),
TensorFlow's frozen legacy copy `tensorflow.python.keras`, and `tf_keras` (Keras 2 kept
beside Keras 3). Whether two of them are the same objects depends on the versions
installed. Measured (docs/keras-semantics.md, "Are `keras` and `tf.keras` the same objects?",
scripts/keras_measurements/same_objects.py and mixed_objects.py):

| installed | `keras` and `tf.keras` | `tensorflow.python.keras` and `tf.keras` |
|---|---|---|
| keras ≤ 2.3.x beside TF 1.x or 2.x | different: mixing raises | the same (TF ≤ 2.5) |
| keras 2.4.x (re-exports tf.keras), TF 2.2–2.5 | the same | the same |
| keras 2.6–2.15 with the same TF | the same | different classes, but mixing builds and fits |
| Keras 3 with TF ≥ 2.16 | the same | different: mixing raises |
| Keras 3 with TF ≥ 2.16 and `TF_USE_LEGACY_KERAS=1` | different (`tf.keras` is `tf_keras`): mixing raises | different |

`tf_keras` is never the same package as Keras 3's `keras`.

And which objects break when mixed (scripts/keras_measurements/mixed_objects.py, a model
of one package given an object of the other, keras 2.3.1 / TF 1.15.5 and Keras 3.15.1 /
tf_keras 2.21): layers, models and inputs raise ("The added layer must be an instance of
class Layer", "'Node' object has no attribute 'output_masks'"), optimizers raise ("Could not
interpret optimizer identifier": beside TensorFlow 1; keras 2.3 wraps a tf.keras optimizer on
TensorFlow 2), metric objects and callbacks raise between tf_keras and Keras 3; loss objects and functions, metric functions, regularizers and initializers work
across packages in both. So only the objects that break count (`mixing_breaks`).
"""

from __future__ import annotations

from typing import Optional

from kerascheck.knowledge import normalize_tensorflow

KERAS = "keras"
TF_KERAS = "tensorflow.keras"
TF_PYTHON_KERAS = "tensorflow.python.keras"
TF_KERAS_LEGACY = "tf_keras"

# How a message names each package.
LABELS = {KERAS: "keras", TF_KERAS: "tf.keras", TF_PYTHON_KERAS: "tensorflow.python.keras",
          TF_KERAS_LEGACY: "tf_keras"}

# The roots a qualified name may start with, most specific first.
_ROOTS = (("tensorflow.python.keras", TF_PYTHON_KERAS), ("tensorflow.keras", TF_KERAS),
          ("tensorflow.contrib.keras", TF_KERAS), ("tf_keras", TF_KERAS_LEGACY), ("keras", KERAS))

# The kinds of Keras objects (KerasObjectFact.kind) a model is made of, and those it is given that raise when they
# come from another package (measured: see the module's docstring).
STRUCTURE = frozenset({"model", "layer", "input"})
_BREAK_BESIDE_TF_KERAS_LEGACY = frozenset({"metric_object", "callback"})  # fine between keras 2.3 and tf.keras

SAME, DIFFERENT, UNKNOWN = "same", "different", "unknown"


def keras_package(qualified: str) -> Optional[str]:
    """'tensorflow.keras.layers.Dense' -> 'tensorflow.keras'; None when not one of the four packages."""
    qualified = normalize_tensorflow(qualified)
    for root, package in _ROOTS:
        if qualified == root or qualified.startswith(root + "."):
            return package
    return None


def mixing_breaks(kind: str, first: str, second: str, target) -> bool:
    """Whether an object of `kind` from package `second` breaks a model of package `first` (where they differ).

    An optimizer of tf.keras given to a standalone keras model raises on TensorFlow 1 (measured, keras 2.3.1 /
    TF 1.15.5) but not beside TensorFlow 2, where keras 2.3's `optimizers.get` wraps it in a TFOptimizer (read in
    keras 2.3.1's optimizers.py; keras <= 2.2 never ran on TensorFlow 2): it counts only on a TensorFlow 1 target.
    """
    if kind in STRUCTURE:
        return True
    pair = {first, second}
    if kind == "optimizer":
        if pair == {KERAS, TF_KERAS} or pair == {KERAS, TF_PYTHON_KERAS}:
            return target.known and ((target.package == "tensorflow" and target.version < (2,)) or
                                     (target.package == "keras" and target.version < (2, 3)))
        return True
    return kind in _BREAK_BESIDE_TF_KERAS_LEGACY and TF_KERAS_LEGACY in pair


def relation(first: str, second: str, target, legacy_env: bool = False) -> str:
    """SAME, DIFFERENT or UNKNOWN: whether two packages are the same objects on the target Keras.

    `legacy_env`: the program mentions TF_USE_LEGACY_KERAS, which makes tf.keras the tf_keras package on
    TF >= 2.16. An unknown target is UNKNOWN for every pair of different packages.
    """
    if first == second:
        return SAME
    if not target.known:
        return UNKNOWN
    pair = frozenset((first, second))
    package, version = target.package, target.version
    if package == "keras" and version < (2, 4):
        # keras <= 2.3 is its own package; tf.keras and tensorflow.python.keras were one (TF <= 2.5).
        if pair == {TF_KERAS, TF_PYTHON_KERAS}:
            return SAME
        return DIFFERENT if KERAS in pair and TF_KERAS_LEGACY not in pair else UNKNOWN
    if package == "tensorflow" and version < (2, 2):
        # Standalone keras beside TF < 2.2 is at most 2.3 (keras 2.4 needs TF 2.2).
        if pair == {TF_KERAS, TF_PYTHON_KERAS}:
            return SAME
        return DIFFERENT if KERAS in pair and TF_KERAS_LEGACY not in pair else UNKNOWN
    if package == "tensorflow" and version < (2, 6):
        # tensorflow.python.keras is tf.keras; standalone keras may be 2.3 (different) or 2.4 (the same).
        return SAME if pair == {TF_KERAS, TF_PYTHON_KERAS} else UNKNOWN
    if (package == "keras" and version < (3,)) or (package == "tensorflow" and version < (2, 16)):
        # keras 2.4-2.15 re-exports tf.keras; tensorflow.python.keras differs from TF 2.6 but mixing it builds.
        if TF_KERAS_LEGACY in pair:
            return UNKNOWN
        return SAME
    # Keras 3: as keras, as tf.keras on TF >= 2.16 (unless TF_USE_LEGACY_KERAS=1), or beside tf_keras.
    if package == "tf_keras" or legacy_env:
        # tf.keras is tf_keras when TF_USE_LEGACY_KERAS=1, Keras 3 when not: only keras vs tf_keras is sure.
        if pair == {KERAS, TF_KERAS_LEGACY}:
            return DIFFERENT
        if TF_PYTHON_KERAS in pair and KERAS in pair:
            return DIFFERENT
        return UNKNOWN
    if pair == {KERAS, TF_KERAS}:
        return SAME
    if TF_PYTHON_KERAS in pair and TF_KERAS_LEGACY in pair:
        return UNKNOWN
    return DIFFERENT  # tf_keras or tensorflow.python.keras beside Keras 3
