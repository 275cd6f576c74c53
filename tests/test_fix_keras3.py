"""End to end on real Keras 3 (tensorflow-cpu 2.21, keras 3.15 in CI): the Keras 1 programs in
fixtures/keras1/ do not build as they are, and after `kerascheck --fix --unsafe-fixes` the same
model-building code builds, compiles and evaluates, with the right metric.

Only the lines between `# [model-building]` and `# [/model-building]` run, after a preamble
that gives the names they use synthetic values (no dataset is downloaded, no file is read).
"""

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
KERAS1 = REPO / "fixtures" / "keras1"


def keras3_python() -> str:
    """The Keras 3 interpreter, found (or skipped, or failed under KERASCHECK_REQUIRE_KERAS_ENVS) as tests/runtime
    finds it."""
    from tests.runtime.conftest import find_python

    return find_python("KERASCHECK_TEST_PY_KERAS3")


PROGRAMS = {
    "text_classifier.py": dict(
        preamble="""
            MAX_SEQUENCE_LENGTH = 40
            EMBEDDING_DIM = 8
            word_index = {"w%d" % i: i for i in range(1, 60)}
            embedding_matrix = np.random.rand(len(word_index) + 1, EMBEDDING_DIM)
            class_id_index = {name: i for i, name in enumerate(["business", "politics", "sport", "tech", "health"])}
        """,
        x="np.random.randint(1, 60, size=(16, 40))", classes=5,
        before=("TypeError", "filters")),  # Conv1D(nb_filter=...): 'filters' is missing
    "mnist_cnn.py": dict(
        preamble="""
            nb_filters, nb_classes = 32, 10
            pool_size, kernel_size = (2, 2), (3, 3)
            input_shape = (28, 28, 1)
        """,
        x="np.random.rand(16, 28, 28, 1).astype('float32')", classes=10,
        before=("ValueError", "border_mode")),  # Unrecognized keyword arguments passed to Conv2D
}

HARNESS = r'''
import json, os, sys, traceback
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np
import keras
results = []
for job in json.load(sys.stdin):
    namespace = {"np": np}
    try:
        exec(compile(job["preamble"] + job["code"], job["name"], "exec"), namespace)
        model = namespace["model"]
        x = eval(job["x"], namespace)
        y = np.eye(job["classes"])[np.random.randint(job["classes"], size=len(x))]
        scores = model.evaluate(x, y, verbose=0, return_dict=True)
        convolutions = [layer for layer in model.layers if "conv" in type(layer).__name__.lower()]
        results.append({"ok": True, "metrics": sorted(scores), "output": list(model.output_shape),
                        "convolutions": [[list(c.kernel_size), list(c.strides)] for c in convolutions]})
    except Exception as error:
        results.append({"ok": False, "type": type(error).__name__, "error": str(error)[:500],
                        "where": traceback.format_exc()[-800:]})
print(json.dumps({"keras": keras.__version__, "results": results}))
'''


def model_building(text: str) -> str:
    """The lines inside the fixture's [model-building] blocks, in order."""
    kept, inside = [], False
    for line in text.splitlines():
        if line.strip() == "# [model-building]":
            inside = True
        elif line.strip() == "# [/model-building]":
            inside = False
        elif inside:
            kept.append(line)
    assert kept, "no [model-building] block"
    return "\n".join(kept) + "\n"


def run_in_keras3(jobs: list) -> dict:
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="", KERAS_BACKEND="tensorflow",
               PYTHONHASHSEED="0")
    done = subprocess.run([keras3_python(), "-c", HARNESS], input=json.dumps(jobs), capture_output=True, text=True,
                          env=env, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def fixed_programs(tmp_path_factory):
    """Each program as it is, and as `kerascheck --fix --unsafe-fixes` leaves it (through the real CLI)."""
    folder = tmp_path_factory.mktemp("keras1")
    pairs = {}
    for name in PROGRAMS:
        shutil.copyfile(KERAS1 / name, folder / name)
        done = subprocess.run([sys.executable, "-m", "kerascheck", "check", name, "--fix", "--unsafe-fixes",
                               "--keras-version", "unknown"], cwd=folder, capture_output=True, text=True, timeout=300)
        assert done.returncode == 1, done.stderr  # KC201 has no fix: the loss is the author's call
        assert [line.split()[1] for line in done.stdout.splitlines()] == ["KC201"], done.stdout
        pairs[name] = ((KERAS1 / name).read_text(), (folder / name).read_text(), done.stderr)
    return pairs


@pytest.fixture(scope="module")
def keras3_results(fixed_programs):
    jobs = []
    for name, spec in PROGRAMS.items():
        before, after, _ = fixed_programs[name]
        for label, text in (("before", before), ("after", after)):
            jobs.append({"name": f"{name}:{label}", "preamble": textwrap.dedent(spec["preamble"]),
                         "code": model_building(text), "x": spec["x"], "classes": spec["classes"]})
    # The stride check below is not vacuous: with only border_mode renamed, Keras 3 builds the
    # Keras 1 convolutions with the kernel's second size as the stride, silently.
    mnist = PROGRAMS["mnist_cnn.py"]
    jobs.append({"name": "mnist_cnn.py:renamed-only", "preamble": textwrap.dedent(mnist["preamble"]),
                 "code": model_building(fixed_programs["mnist_cnn.py"][0]).replace("border_mode", "padding"),
                 "x": mnist["x"], "classes": mnist["classes"]})
    reply = run_in_keras3(jobs)
    assert reply["keras"].startswith("3."), reply["keras"]
    return {job["name"]: result for job, result in zip(jobs, reply["results"])}


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_keras1_program_fails_to_build_on_keras3(name, keras3_results):
    result = keras3_results[f"{name}:before"]
    error_type, word = PROGRAMS[name]["before"]
    assert not result["ok"], result
    assert result["type"] == error_type and word in result["error"], result


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_fixed_program_builds_compiles_and_measures_the_right_metric(name, keras3_results, fixed_programs):
    result = keras3_results[f"{name}:after"]
    assert result["ok"], result
    assert result["output"] == [None, PROGRAMS[name]["classes"]]
    assert "categorical_accuracy" in result["metrics"], result  # KC101's fix, not binary accuracy
    for kernel, strides in result["convolutions"]:
        assert strides in ([1], [1, 1]), f"a Keras 1 kernel size became a stride: {result['convolutions']}"
    assert "(" in fixed_programs[name][2] and "fixed, 1 remaining)." in fixed_programs[name][2]


def test_without_the_kc305_fix_the_kernel_becomes_a_stride(keras3_results):
    result = keras3_results["mnist_cnn.py:renamed-only"]
    assert result["ok"], result
    assert result["convolutions"] == [[[3, 3], [3, 3]], [[3, 3], [3, 3]]]
