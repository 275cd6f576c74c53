"""`kerascheck check --runtime` end to end: real CLI, real Keras 3 and Keras 2.3.1, no mocks."""

import json
import os
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner

from kerascheck.cli import main
from kerascheck.runtime import runner as runtime_runner

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SEED = os.path.join(REPO, "fixtures", "text_classifier_keras1.py")
MULTILABEL = os.path.join(REPO, "fixtures", "multilabel_lstm.py")
LOGITS = os.path.join(REPO, "fixtures", "logits_and_from_logits.py")


def run(args, cwd):
    return subprocess.run([sys.executable, "-m", "kerascheck", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=600)


@pytest.fixture
def workdir(tmp_path):
    for path in (SEED, MULTILABEL, LOGITS):
        shutil.copy(path, tmp_path)
    return tmp_path


def by_code(stdout):
    return {(f["path"], f["code"]): f for f in json.loads(stdout)}


def test_seed_classifier_on_keras23_shows_binary_accuracy_and_both_numbers(workdir, py_keras23):
    result = run(["check", "--runtime", "--python", py_keras23, "text_classifier_keras1.py"], workdir)
    assert result.returncode == 1, result.stderr
    kc101 = [line for line in result.stdout.splitlines() if " KC101 " in line]
    assert len(kc101) == 1
    assert "confirmed on Keras 2.3.1" in kc101[0]
    assert "'accuracy' became binary_accuracy and reported" in kc101[0]
    as_json = run(["check", "--runtime", "--python", py_keras23, "--output-format", "json",
                   "text_classifier_keras1.py"], workdir)
    evidence = by_code(as_json.stdout)[("text_classifier_keras1.py", "KC101")]["runtime"]
    assert evidence["keras_version"] == "2.3.1" and evidence["resolved"] == "binary_accuracy"
    assert evidence["reproduced"] is True
    assert evidence["reported"] > evidence["true_accuracy"] + 0.3  # inflated


def test_seed_classifier_on_keras3_is_categorical_and_not_reproduced(workdir, py_keras3):
    result = run(["check", "--runtime", "--python", py_keras3, "--output-format", "json",
                  "text_classifier_keras1.py"], workdir)
    evidence = by_code(result.stdout)[("text_classifier_keras1.py", "KC101")]["runtime"]
    assert evidence["keras_version"].startswith("3.")
    assert evidence["resolved"] == "categorical_accuracy"
    assert evidence["reproduced"] is False
    assert abs(evidence["reported"] - evidence["true_accuracy"]) < 0.01


def test_multilabel_on_keras3_is_categorical_and_meaningless(workdir, py_keras3):
    result = run(["check", "--runtime", "--python", py_keras3, "--output-format", "json", "multilabel_lstm.py"],
                 workdir)
    evidence = by_code(result.stdout)[("multilabel_lstm.py", "KC102")]["runtime"]
    assert evidence["resolved"] == "categorical_accuracy" and evidence["reproduced"] is True
    assert evidence["accuracy_kind"] == "element-wise"
    assert abs(evidence["reported"] - evidence["true_accuracy"]) > 0.1


def test_multilabel_auc_string_fails_on_keras23_as_kc902(workdir, py_keras23):
    """Only the runtime sees it: Keras 2.3.1 on TF 1.15 cannot compile metrics=['AUC'] (measured)."""
    result = run(["check", "--runtime", "--python", py_keras23, "--output-format", "json", "multilabel_lstm.py"],
                 workdir)
    finding = by_code(result.stdout)[("multilabel_lstm.py", "KC902")]
    assert "Keras 2.3.1" in finding["message"] and "Error" in finding["runtime"]["error"]


def test_from_logits_on_softmax_quotes_keras3_warning(workdir, py_keras3):
    result = run(["check", "--runtime", "--python", py_keras3, "--output-format", "json",
                  "logits_and_from_logits.py"], workdir)
    finding = by_code(result.stdout)[("logits_and_from_logits.py", "KC205")]
    assert "received `from_logits=True`" in finding["runtime"]["warning"]
    assert "warns:" in finding["message"]


def test_loss_unknown_to_the_runtime_keras_is_kc902(tmp_path, py_keras23):
    """'bce' is a loss on newer Keras, so the static pass with an unknown target says nothing; Keras 2.3.1 raises."""
    (tmp_path / "m.py").write_text(
        "from keras.models import Sequential\nfrom keras.layers import Dense\n"
        "model = Sequential([Dense(1, activation='sigmoid', input_shape=(4,))])\n"
        "model.compile(optimizer='adam', loss='bce', metrics=['accuracy'])\n")
    static = run(["check", "--keras-version", "unknown", "m.py"], tmp_path)
    assert static.returncode == 0, static.stdout
    result = run(["check", "--keras-version", "unknown", "--runtime", "--python", py_keras23, "m.py"], tmp_path)
    assert result.returncode == 1
    assert " KC902 on Keras 2.3.1" in result.stdout and "bce" in result.stdout


def test_typo_loss_is_kc209_with_keras_error_as_evidence(tmp_path, py_keras3):
    (tmp_path / "m.py").write_text(
        "import keras\nmodel = keras.Sequential([keras.layers.Dense(1, activation='sigmoid')])\n"
        "model.compile(optimizer='adam', loss='binary_crossentropyy', metrics=['accuracy'])\n")
    result = run(["check", "--runtime", "--python", py_keras3, "--output-format", "json", "m.py"], tmp_path)
    finding = by_code(result.stdout)[("m.py", "KC209")]
    assert finding["runtime"]["reproduced"] is True
    assert "binary_crossentropyy" in finding["runtime"]["error"]


def test_second_run_uses_the_cache_and_does_not_start_keras(workdir, py_keras3, monkeypatch):
    monkeypatch.chdir(workdir)
    cli = CliRunner()
    first = cli.invoke(main, ["check", "--runtime", "--python", py_keras3, "multilabel_lstm.py"])
    started = runtime_runner.PROBE_STARTS
    second = cli.invoke(main, ["check", "--runtime", "--python", py_keras3, "multilabel_lstm.py"])
    assert runtime_runner.PROBE_STARTS == started, "a warm cache must not start Keras"
    assert first.output == second.output and "confirmed on Keras 3" in second.output


def test_missing_keras_is_one_clear_error(workdir, tmp_path):
    no_keras = tmp_path / "venv-without-keras"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(no_keras)], check=True)
    result = run(["check", "--runtime", "--python", str(no_keras / "bin" / "python"), "multilabel_lstm.py"], workdir)
    assert result.returncode == 2
    assert "Keras" in result.stderr and "Traceback" not in result.stderr


def test_the_keras_in_python_is_the_target_unless_one_is_set_explicitly(tmp_path, py_keras3):
    (tmp_path / "train.py").write_text(
        "from keras.models import Sequential\nfrom keras.layers import Dense\n"
        "model = Sequential([Dense(10, activation='softmax')])\n"
        "model.compile(loss='binary_crossentropy', optimizer='adam', metrics=['accuracy'])\n")
    # Keras 3 resolves 'accuracy' by shape: its own Keras disproves KC101, which is not reported.
    result = run(["check", "--no-cache", "--runtime", "--python", py_keras3, "train.py"], tmp_path)
    assert [line.split()[1] for line in result.stdout.splitlines()] == ["KC201"], result.stdout + result.stderr
    explicit = run(["check", "--no-cache", "--runtime", "--python", py_keras3, "--keras-version", "2.3.1",
                    "train.py"], tmp_path)
    kc101 = [line for line in explicit.stdout.splitlines() if " KC101 " in line]
    assert len(kc101) == 1 and "not reproduced on Keras 3" in kc101[0]
