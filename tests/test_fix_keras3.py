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


# ---------------------------------------------------------------- the channels-first story (KC308)
#
# A Keras 1 MNIST script with Theano's image order: after `--fix --unsafe-fixes` it still fails on Keras 3,
# since Keras 2+ reads the last axis as channels. The user then does what the KC308 message says (the shape it
# gives, np.moveaxis on the data), and the model builds and trains one batch.

CHANNELS_FIRST = "mnist_channels_first.py"
CHANNELS_FIRST_PREAMBLE = """
    nb_classes, nb_filters, nb_pool, nb_conv = 10, 32, 2, 3
    img_rows, img_cols = 28, 28
    X_train = np.random.randint(0, 256, size=(16, 28, 28)).astype('uint8')
    Y_train = np.eye(10)[np.random.randint(10, size=16)]
"""

FIT_HARNESS = r'''
import json, os, sys, traceback
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np
import keras
results = []
for job in json.load(sys.stdin):
    namespace = {"np": np}
    try:
        exec(compile(job["code"], job["name"], "exec"), namespace)
        model = namespace["model"]
        history = model.fit(namespace["X_train"], namespace["Y_train"], batch_size=16, epochs=1, verbose=0)
        results.append({"ok": True, "output": list(model.output_shape), "input": list(model.input_shape),
                        "loss": history.history["loss"][-1]})
    except Exception as error:
        results.append({"ok": False, "type": type(error).__name__, "error": str(error)[:500]})
print(json.dumps({"keras": keras.__version__, "results": results}))
'''


def blocks(text: str, tag: str) -> str:
    """The lines between `# [tag]` and `# [/tag]`, in order."""
    kept, inside = [], False
    for line in text.splitlines():
        if line.strip() == f"# [{tag}]":
            inside = True
        elif line.strip() == f"# [/{tag}]":
            inside = False
        elif inside:
            kept.append(line)
    assert kept, f"no [{tag}] block"
    return "\n".join(kept) + "\n"


def apply_kc308_advice(text: str, finding: dict) -> str:
    """What the user does with the KC308 message: the shape it gives at the input_shape= it points at, and the
    np.moveaxis it names applied to the training images at the end of the data preparation."""
    import re

    message = finding["message"]
    shape = re.search(r"declare (\([\d, ]+\))", message).group(1)
    moveaxis = re.search(r"(np\.moveaxis\(x, 1, -1\))", message).group(1)
    lines = text.splitlines()
    row = finding["line"] - 1
    start, end = finding["column"] - 1, finding["end_column"] - 1
    assert finding["end_line"] == finding["line"], finding
    assert lines[row][start:end].startswith("input_shape="), lines[row][start:end]
    lines[row] = lines[row][:start] + f"input_shape={shape}" + lines[row][end:]
    closing = lines.index("# [/data]")
    lines.insert(closing, "X_train = " + moveaxis.replace("(x,", "(X_train,"))
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def channels_first_story(tmp_path_factory):
    folder = tmp_path_factory.mktemp("channels_first")
    shutil.copyfile(KERAS1 / CHANNELS_FIRST, folder / CHANNELS_FIRST)
    original = (folder / CHANNELS_FIRST).read_text()
    done = subprocess.run([sys.executable, "-m", "kerascheck", "check", CHANNELS_FIRST, "--fix", "--unsafe-fixes",
                           "--keras-version", "unknown"], cwd=folder, capture_output=True, text=True, timeout=300)
    assert done.returncode == 1, done.stderr
    assert [line.split()[1] for line in done.stdout.splitlines()] == ["KC308"], done.stdout  # no fix: the data too
    fixed = (folder / CHANNELS_FIRST).read_text()
    report = subprocess.run([sys.executable, "-m", "kerascheck", "check", CHANNELS_FIRST, "--output-format", "json",
                             "--keras-version", "unknown"], cwd=folder, capture_output=True, text=True, timeout=300)
    findings = json.loads(report.stdout)
    assert [f["code"] for f in findings] == ["KC308"], findings
    advised = apply_kc308_advice(fixed, findings[0])
    preamble = textwrap.dedent(CHANNELS_FIRST_PREAMBLE)
    jobs = [{"name": f"{CHANNELS_FIRST}:{label}", "code": preamble + blocks(text, "data") + blocks(text, "model-building")}
            for label, text in (("before", original), ("fixed", fixed), ("advised", advised))]
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="", KERAS_BACKEND="tensorflow",
               PYTHONHASHSEED="0")
    ran = subprocess.run([keras3_python(), "-c", FIT_HARNESS], input=json.dumps(jobs), capture_output=True, text=True,
                         env=env, timeout=600)
    assert ran.returncode == 0, ran.stderr[-3000:]
    reply = json.loads(ran.stdout.strip().splitlines()[-1])
    assert reply["keras"].startswith("3."), reply["keras"]
    results = dict(zip(("before", "fixed", "advised"), reply["results"]))
    return {"results": results, "finding": findings[0], "advised": advised}


def test_channels_first_program_fails_on_keras3_even_after_the_fixes(channels_first_story):
    results = channels_first_story["results"]
    assert not results["before"]["ok"] and "border_mode" in results["before"]["error"], results["before"]
    fixed = results["fixed"]
    assert not fixed["ok"], fixed
    assert fixed["type"] == "ValueError" and "Computed output size would be zero or negative" in fixed["error"], fixed


def test_channels_first_program_trains_once_the_kc308_advice_is_applied(channels_first_story):
    finding = channels_first_story["finding"]
    assert "(28, 28, 1)" in finding["message"] and "np.moveaxis(x, 1, -1)" in finding["message"]
    assert "input_shape=(28, 28, 1)" in channels_first_story["advised"]
    advised = channels_first_story["results"]["advised"]
    assert advised["ok"], advised
    assert advised["input"] == [None, 28, 28, 1] and advised["output"] == [None, 10], advised
