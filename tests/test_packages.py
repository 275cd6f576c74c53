"""Which Keras package a name comes from, and where two packages are the same objects (KC503), as measured
(docs/keras-semantics.md; scripts/keras_measurements/same_objects.py, mixed_objects.py)."""

import pytest

from kerascheck.knowledge import packages
from kerascheck.knowledge.packages import DIFFERENT, KERAS, SAME, TF_KERAS, TF_KERAS_LEGACY, TF_PYTHON_KERAS, UNKNOWN
from kerascheck.versions import UNKNOWN as UNKNOWN_TARGET
from kerascheck.versions import parse_spec


@pytest.mark.parametrize("qualified, package", [
    ("keras.layers.Dense", KERAS),
    ("keras.api._v2.keras.layers.Dense", KERAS),
    ("tensorflow.keras.layers.Dense", TF_KERAS),
    ("tensorflow.compat.v1.keras.layers.Dense", TF_KERAS),
    ("tensorflow.contrib.keras.layers.Dense", TF_KERAS),
    ("tensorflow.python.keras.layers.Dense", TF_PYTHON_KERAS),
    ("tf_keras.layers.Dense", TF_KERAS_LEGACY),
    ("keras_core.layers.Dense", None),
    ("kerastuner.HyperModel", None),
    ("torch.nn.Linear", None),
])
def test_package_of_a_name(qualified, package):
    assert packages.keras_package(qualified) == package


@pytest.mark.parametrize("target, first, second, expected", [
    # Standalone keras <= 2.3 is its own package (measured with TF 1.15.5 and 2.1.4).
    ("keras==2.3.1", KERAS, TF_KERAS, DIFFERENT),
    ("keras==2.2.4", KERAS, TF_PYTHON_KERAS, DIFFERENT),
    ("keras==2.3.1", TF_KERAS, TF_PYTHON_KERAS, SAME),
    ("tensorflow==1.15", KERAS, TF_KERAS, DIFFERENT),
    ("tensorflow==2.1", KERAS, TF_KERAS, DIFFERENT),
    # keras 2.4 re-exports tf.keras; beside TF 2.2-2.5 the keras installed may be 2.3 or 2.4.
    ("keras==2.4.3", KERAS, TF_KERAS, SAME),
    ("tensorflow==2.3", KERAS, TF_KERAS, UNKNOWN),
    ("tensorflow==2.3", TF_KERAS, TF_PYTHON_KERAS, SAME),
    # keras 2.6-2.15 is tf.keras; tensorflow.python.keras is a copy there, but mixing it builds and fits.
    ("tensorflow==2.10", KERAS, TF_KERAS, SAME),
    ("keras==2.15.0", TF_KERAS, TF_PYTHON_KERAS, SAME),
    ("keras==2.15.0", KERAS, TF_KERAS_LEGACY, UNKNOWN),
    # Keras 3: tf.keras is Keras 3 on TF >= 2.16; tf_keras and tensorflow.python.keras are other packages.
    ("3", KERAS, TF_KERAS, SAME),
    ("tensorflow==2.16", KERAS, TF_KERAS, SAME),
    ("3", KERAS, TF_KERAS_LEGACY, DIFFERENT),
    ("tensorflow==2.21", TF_KERAS, TF_KERAS_LEGACY, DIFFERENT),
    ("3", TF_KERAS, TF_PYTHON_KERAS, DIFFERENT),
    ("tf-keras==2.21", KERAS, TF_KERAS_LEGACY, DIFFERENT),
    ("tf-keras==2.21", TF_KERAS, TF_KERAS_LEGACY, UNKNOWN),  # the same only with TF_USE_LEGACY_KERAS=1
])
def test_relation_on_a_target(target, first, second, expected):
    target = parse_spec(target)
    assert packages.relation(first, second, target) == expected
    assert packages.relation(second, first, target) == expected


def test_the_legacy_switch_makes_tf_keras_and_tf_keras_legacy_undecided():
    target = parse_spec("3")
    assert packages.relation(TF_KERAS, TF_KERAS_LEGACY, target) == DIFFERENT
    assert packages.relation(TF_KERAS, TF_KERAS_LEGACY, target, legacy_env=True) == UNKNOWN
    assert packages.relation(KERAS, TF_KERAS_LEGACY, target, legacy_env=True) == DIFFERENT


def test_unknown_target_is_unknown_for_any_two_packages():
    assert packages.relation(KERAS, TF_KERAS, UNKNOWN_TARGET) == UNKNOWN
    assert packages.relation(KERAS, KERAS, UNKNOWN_TARGET) == SAME


@pytest.mark.parametrize("kind, first, second, target, breaks", [
    ("layer", KERAS, TF_KERAS, "unknown", True), ("model", KERAS, TF_KERAS, "unknown", True),
    ("input", KERAS, TF_KERAS, "unknown", True),
    # A tf.keras optimizer: "Could not interpret optimizer identifier" with TF 1 (measured), wrapped by keras 2.3
    # beside TF 2 (its optimizers.get), raised between Keras 3 and tf_keras (measured).
    ("optimizer", KERAS, TF_KERAS, "tensorflow==1.15", True),
    ("optimizer", KERAS, TF_KERAS, "keras==2.2.4", True),
    ("optimizer", KERAS, TF_KERAS, "keras==2.3.1", False),
    ("optimizer", KERAS, TF_KERAS, "unknown", False),
    ("optimizer", KERAS, TF_KERAS_LEGACY, "3", True),
    ("metric_object", KERAS, TF_KERAS, "unknown", False),  # works between keras 2.3.1 and tf.keras (measured)
    ("metric_object", TF_KERAS_LEGACY, KERAS, "3", True),  # AttributeError beside tf_keras (measured)
    ("loss", KERAS, TF_KERAS, "unknown", False), ("metric", TF_KERAS_LEGACY, KERAS, "3", False),
])
def test_which_objects_break_when_mixed(kind, first, second, target, breaks):
    assert packages.mixing_breaks(kind, first, second, parse_spec(target)) is breaks
