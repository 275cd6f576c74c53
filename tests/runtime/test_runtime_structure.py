"""The runtime pass's KC501 case on real Keras 3 and 2.3.1 (no mocks): a Dense head applied to the unflattened
tensor it is given, with per-sample targets; Keras's own error quoted, or the shapes it broadcast silently."""

import json
import os
import shutil
import subprocess
import sys

from kerascheck.extract import extract_text
from kerascheck.runtime.runner import _structure_case, run_probe

CONV_HEAD = (
    "from keras.models import Sequential\n"
    "from keras.layers import Conv2D, MaxPooling2D, Dense\n"
    "model = Sequential([Conv2D(32, (3, 3), input_shape=(28, 28, 1)), MaxPooling2D((2, 2)),\n"
    "                    Dense(10, activation='softmax')])\n"
    "model.compile(loss='categorical_crossentropy', optimizer='adam')\n"
)


def _case(source, case_id="s0"):
    [compile_fact] = extract_text("case.py", source).compiles
    return _structure_case(compile_fact.trained[0], 10, case_id)


def test_the_case_mirrors_the_head_and_its_unflattened_input():
    case = _case(CONV_HEAD)
    assert case["head_input"] == [13, 13, 32]
    assert case["units"] == 10 and case["activation"] == "softmax" and case["task"] == "multiclass"
    assert case["metrics"] == []


def test_no_case_for_a_flattened_head_or_a_time_distributed_one():
    flattened = CONV_HEAD.replace("MaxPooling2D((2, 2)),\n", "MaxPooling2D((2, 2)), Flatten(),\n").replace(
        "Dense\n", "Dense, Flatten\n")
    assert _case(flattened) is None
    distributed = ("from keras.models import Sequential\nfrom keras.layers import LSTM, Dense, TimeDistributed\n"
                   "model = Sequential([LSTM(8, return_sequences=True, input_shape=(5, 3)),\n"
                   "                    TimeDistributed(Dense(4, activation='softmax'))])\n"
                   "model.compile(loss='categorical_crossentropy')\n")
    assert _case(distributed) is None


def _sequence_mse():
    return {"id": "b", "units": 1, "activation": "linear", "task": "regression", "metrics": [],
            "loss": {"form": "string", "name": "mse", "kwargs": {}}, "head_input": [5, 3]}


def test_keras3_raises_for_crossentropy_and_broadcasts_mse(py_keras3):
    reply = run_probe([_case(CONV_HEAD, "a"), _sequence_mse()], python=py_keras3)
    assert reply["keras_version"].startswith("3.")
    conv, sequence = reply["results"]
    assert conv["error"].startswith("ValueError: Arguments `target` and `output` must have the same rank"), conv
    assert "output.shape=(64, 13, 13, 10)" in conv["error"]
    assert sequence["error"] is None and sequence["shapes"] == {"output": [64, 5, 1], "target": [64, 1]}


def test_keras23_raises_for_both(py_keras23):
    reply = run_probe([_case(CONV_HEAD, "a"), _sequence_mse()], python=py_keras23)
    assert reply["keras_version"] == "2.3.1"
    conv, sequence = reply["results"]
    assert "Error when checking target: expected dense_1 to have 4 dimensions" in conv["error"], conv
    assert "to have 3 dimensions" in sequence["error"], sequence


REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DENSE_HEAD = os.path.join(REPO, "fixtures", "structure", "dense_head_on_unflattened.py")


def _check_runtime(python, tmp_path):
    shutil.copy(DENSE_HEAD, tmp_path)
    result = subprocess.run([sys.executable, "-m", "kerascheck", "check", "--runtime", "--python", python,
                             "--select", "KC501", "--output-format", "json", "--no-cache",
                             "dense_head_on_unflattened.py"], cwd=tmp_path, capture_output=True, text=True,
                            timeout=600)
    findings = json.loads(result.stdout)
    assert findings and all(f["code"] == "KC501" for f in findings), result.stderr
    return {f["line"]: f.get("runtime") for f in findings}


def test_cli_joins_keras3_evidence_to_kc501(py_keras3, tmp_path):
    """`check --runtime`: each KC501 finding of the fixture carries Keras 3's own error (cross-entropies) or the
    shapes it broadcast (the mse on a whole sequence), and no second finding is added."""
    evidence = _check_runtime(py_keras3, tmp_path)
    assert set(evidence) == {20, 51, 70, 170}
    for line in (20, 51, 70):
        assert evidence[line]["reproduced"] is True and "must have the same" in evidence[line]["error"], \
            evidence[line]
    assert evidence[170]["reproduced"] is True and evidence[170]["broadcast"]["output"][1:] == [200, 1]


def test_cli_joins_keras23_evidence_to_kc501(py_keras23, tmp_path):
    evidence = _check_runtime(py_keras23, tmp_path)
    for line in (20, 51, 70, 170):
        assert "Error when checking target" in evidence[line]["error"], evidence[line]
