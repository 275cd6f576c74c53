"""The runtime pass on the KC4 data rules: a stand-in fitted on targets encoded as the program's are, on real
Keras 3.15.1 and Keras 2.3.1 (no mocks). One `kerascheck check --runtime` per Keras version."""

import json
import os
import shutil
import subprocess
import sys

import pytest

from kerascheck.extract import extract_text
from kerascheck.runtime.runner import data_cases

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

PROGRAM = """\
from tensorflow import keras
from tensorflow.keras import layers
from tensorflow.keras.utils import to_categorical

(x_train, y_train), _ = keras.datasets.mnist.load_data()
x_train = x_train / 255.0


def dense(units, activation):
    return keras.Sequential([layers.Flatten(input_shape=(28, 28)), layers.Dense(units, activation=activation)])


sparse_on_one_hot = dense(10, "softmax")
sparse_on_one_hot.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
sparse_on_one_hot.fit(x_train, to_categorical(y_train, 10))

categorical_on_labels = dense(10, "softmax")
categorical_on_labels.compile(optimizer="sgd", loss="categorical_crossentropy")
categorical_on_labels.fit(x_train, y_train)

too_few_units = dense(5, "softmax")
too_few_units.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
too_few_units.fit(x_train, y_train)

one_unit = dense(1, "sigmoid")
one_unit.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["accuracy"])
one_unit.fit(x_train, y_train)
"""


def _run(python, tmp_path_factory):
    folder = tmp_path_factory.mktemp("data_runtime")
    (folder / "program.py").write_text(PROGRAM, encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "kerascheck", "check", "--no-cache", "--select", "KC4",
                             "--runtime", "--python", python, "--output-format", "json", "program.py"],
                            cwd=folder, capture_output=True, text=True, timeout=900)
    assert result.returncode == 1, result.stderr
    shutil.rmtree(folder / ".kerascheck_cache", ignore_errors=True)
    return {finding["code"]: finding for finding in json.loads(result.stdout)}


@pytest.fixture(scope="module")
def on_keras3(py_keras3, tmp_path_factory):
    return _run(py_keras3, tmp_path_factory)


@pytest.fixture(scope="module")
def on_keras23(py_keras23, tmp_path_factory):
    return _run(py_keras23, tmp_path_factory)


def test_program_has_one_finding_of_each_data_rule():
    codes = sorted(f.code for f in __import__("tests.helpers", fromlist=["findings_for"]).findings_for(PROGRAM))
    assert [code for code in codes if code in ("KC401", "KC402", "KC403", "KC404")] == \
        ["KC401", "KC402", "KC403", "KC404"]


def test_cases_follow_the_targets():
    facts = extract_text("program.py", PROGRAM)
    targets = [case["target"] for *_, case in data_cases(facts.model_calls)]
    assert targets == [{"encoding": "one_hot", "classes": 10, "label_shape": []},
                       {"encoding": "integer", "classes": 10, "label_shape": []},
                       {"encoding": "integer", "classes": 10, "label_shape": []},
                       {"encoding": "integer", "classes": 10, "label_shape": []}]


@pytest.mark.parametrize("version", ["keras3", "keras23"])
def test_keras_raises_where_the_rules_say_so(version, request):
    findings = request.getfixturevalue(f"on_{version}")
    for code in ("KC401", "KC402", "KC403"):
        evidence = findings[code]["runtime"]
        assert evidence["reproduced"] is True and evidence["error"], (code, evidence)
    assert "outside the valid range" in findings["KC403"]["runtime"]["error"]


@pytest.mark.parametrize("version", ["keras3", "keras23"])
def test_one_unit_on_ten_classes_trains_silently(version, request):
    evidence = request.getfixturevalue(f"on_{version}")["KC404"]["runtime"]
    assert evidence["reproduced"] is True and evidence["trained"] is True and not evidence.get("error")
    assert {"loss", "accuracy"} <= set(evidence["history"])
    expected = "3." if version == "keras3" else "2.3.1"
    assert evidence["keras_version"].startswith(expected)
