"""The runtime probe against real Keras 3.15 (TF 2.21) and real Keras 2.3.1 (TF 1.15).

Every interpreter imports TensorFlow once per probe call, so the cases of each
version are batched into one module-scoped call, which also fills a cache that
the cache test then reads back without starting Keras.
"""

import os
import sys

import pytest

from kerascheck.facts import CompileFact, LossFact, MetricFact, OutputFact, Span, TrainedOutput
from kerascheck.runtime import runner
from kerascheck.runtime.runner import (RuntimeProbeError, cases_from_compile,
                                       facts_from_live_model, probe_cases, run_import,
                                       run_probe)

SPAN = Span(1, 1, 1, 10)


def loss(name, form="string", from_logits=False, kwargs=None):
    canonical = name if form != "class" else None
    return LossFact(canonical=canonical, spelling=name, span=SPAN,
                    string=name if form == "string" else None, from_logits=from_logits,
                    form=form, name=name, kwargs=dict(kwargs or {}))


def metric(name, form="string", kwargs=None):
    return MetricFact(canonical=name, spelling=name, span=SPAN,
                      string=name if form == "string" else None, form=form, name=name,
                      kwargs=dict(kwargs or {}))


def compile_fact(activation, units, the_loss, metrics=("accuracy",)):
    out = OutputFact(name="out", activation=activation, units=units, layer_line=3)
    ms = [m if isinstance(m, MetricFact) else metric(m) for m in metrics]
    return CompileFact(path="model.py", span=SPAN, model_style="sequential",
                       trained=[TrainedOutput(output=out, loss=the_loss, metrics=ms)])


# name -> the CompileFact a linted file would produce
SCENARIOS = {
    "bce_softmax10": compile_fact("softmax", 10, loss("binary_crossentropy")),
    "cce_softmax10": compile_fact("softmax", 10, loss("categorical_crossentropy")),
    "multilabel_sigmoid12": compile_fact("sigmoid", 12, loss("binary_crossentropy")),
    "from_logits_softmax": compile_fact(
        "softmax", 10, loss("CategoricalCrossentropy", form="class", from_logits=True,
                            kwargs={"from_logits": True})),
    "typo_loss": compile_fact("softmax", 10, loss("binary_crossentropyy")),
    "logits_1unit": compile_fact(
        "linear", 1, loss("BinaryCrossentropy", form="class", from_logits=True)),
    "bce_function_class_metric": compile_fact(
        "softmax", 10, loss("binary_crossentropy", form="function"),
        metrics=(metric("BinaryAccuracy", form="class"), metric("my_f1", form="function"))),
}


def _cases():
    cases = []
    for name, cf in SCENARIOS.items():
        (case,) = cases_from_compile(cf)
        case["id"] = name
        cases.append(case)
    return cases


def _run_batch(python, cache_dir):
    reply = probe_cases(_cases(), python=python, cache_dir=str(cache_dir))
    assert reply["probed"] == len(SCENARIOS), "a fresh cache must probe every case"
    by_id = dict((r["id"], r) for r in reply["results"])
    return reply, by_id


@pytest.fixture(scope="module")
def k3(py_keras3, tmp_path_factory):
    cache_dir = tmp_path_factory.mktemp("cache3")
    reply, by_id = _run_batch(py_keras3, cache_dir)
    return {"reply": reply, "by_id": by_id, "cache_dir": cache_dir, "python": py_keras3}


@pytest.fixture(scope="module")
def k23(py_keras23, tmp_path_factory):
    cache_dir = tmp_path_factory.mktemp("cache23")
    reply, by_id = _run_batch(py_keras23, cache_dir)
    return {"reply": reply, "by_id": by_id, "cache_dir": cache_dir, "python": py_keras23}


def _only_metric(result):
    assert result["error"] is None, result["error"]
    (m,) = result["metrics"]
    return m


# ---------------------------------------------------------------- versions

def test_reports_keras_stack(k3, k23):
    assert k3["reply"]["keras_version"].startswith("3.")
    assert k3["reply"]["backend"] == "tensorflow"
    assert k3["reply"]["tensorflow_version"].startswith("2.")
    assert k23["reply"]["keras_version"] == "2.3.1"
    assert k23["reply"]["tensorflow_version"].startswith("1.15")
    assert k23["reply"]["python_version"].startswith("3.7")


# ---------------------------------------------------------------- KC101 evidence

def test_bce_accuracy_on_softmax_is_inflated_binary_accuracy_on_keras23(k23):
    m = _only_metric(k23["by_id"]["bce_softmax10"])
    assert m["resolved"] == "binary_accuracy"
    # the famous inflated number: ~0.9 reported while argmax accuracy is chance
    assert m["reported"] > 0.85
    assert m["true_accuracy"] < 0.3
    assert m["reported"] - m["true_accuracy"] > 0.5


def test_bce_accuracy_on_softmax_is_categorical_on_keras3(k3):
    m = _only_metric(k3["by_id"]["bce_softmax10"])
    assert m["resolved"] == "categorical_accuracy"
    assert m["resolved_class"] == "CategoricalAccuracy"
    assert m["reported"] == pytest.approx(m["true_accuracy"], abs=1e-6)


def test_cce_accuracy_is_correct_everywhere(k3, k23):
    for env in (k3, k23):
        m = _only_metric(env["by_id"]["cce_softmax10"])
        assert m["resolved"] == "categorical_accuracy"
        assert m["reported"] == pytest.approx(m["true_accuracy"], abs=1e-6)


# ---------------------------------------------------------------- KC102 evidence

def test_multilabel_accuracy_is_categorical_on_keras3(k3):
    r = k3["by_id"]["multilabel_sigmoid12"]
    assert r["task"] == "multilabel" and r["true_accuracy_kind"] == "element-wise"
    m = _only_metric(r)
    assert m["resolved"] == "categorical_accuracy"
    assert abs(m["reported"] - m["true_accuracy"]) > 0.2


def test_multilabel_accuracy_is_elementwise_binary_on_keras23(k23):
    m = _only_metric(k23["by_id"]["multilabel_sigmoid12"])
    assert m["resolved"] == "binary_accuracy"
    assert m["reported"] == pytest.approx(m["true_accuracy"], abs=1e-5)


# ---------------------------------------------------------------- KC903 / KC902 evidence

def test_from_logits_on_softmax_warns_on_keras3(k3):
    r = k3["by_id"]["from_logits_softmax"]
    assert r["error"] is None
    quoted = [w for w in r["warnings"] if "from_logits" in w]
    assert quoted, r["warnings"]
    assert "Softmax" in quoted[0]


def test_from_logits_on_softmax_is_silent_on_keras23(k23):
    r = k23["by_id"]["from_logits_softmax"]
    assert r["error"] is None
    assert not [w for w in r["warnings"] if "from_logits" in w]


def test_typo_loss_is_an_error(k3, k23):
    for env in (k3, k23):
        r = env["by_id"]["typo_loss"]
        assert r["error"] is not None
        assert r["error"].startswith("ValueError: ")
        assert "binary_crossentropyy" in r["error"]
    # Keras 3 accepts the string at compile and fails at the first evaluate
    assert k3["by_id"]["typo_loss"]["error_stage"] == "evaluate"
    assert k23["by_id"]["typo_loss"]["error_stage"] == "compile"


# ---------------------------------------------------------------- KC108 / forms

def test_accuracy_on_logits_thresholds_at_half(k3, k23):
    for env in (k3, k23):
        r = env["by_id"]["logits_1unit"]
        m = _only_metric(r)
        assert m["resolved"] == "binary_accuracy"
        assert r["true_accuracy_kind"] == "thresholded"
        assert m["reported"] != pytest.approx(m["true_accuracy"], abs=1e-6)


def test_function_loss_and_class_metric_and_unknown_metric(k3, k23):
    for env in (k3, k23):
        r = env["by_id"]["bce_function_class_metric"]
        assert r["error"] is None, r["error"]
        acc, f1 = r["metrics"]
        assert acc["ref"] == 0 and acc["resolved"] == "binary_accuracy"
        # BinaryAccuracy on a softmax: the numbers disagree on every version (KC104)
        assert acc["reported"] - acc["true_accuracy"] > 0.5
        # a user's own metric is not in keras.metrics: skipped, not an error
        assert f1["ref"] == 1 and "skipped" in f1


# ---------------------------------------------------------------- cache

def test_second_run_is_served_from_cache_without_starting_keras(k3, k23):
    for env in (k3, k23):
        starts = runner.PROBE_STARTS
        again = probe_cases(_cases(), python=env["python"], cache_dir=str(env["cache_dir"]))
        assert runner.PROBE_STARTS == starts, "a warm cache must not start Keras"
        assert again["cached"] == len(SCENARIOS) and again["probed"] == 0
        assert again["keras_version"] == env["reply"]["keras_version"]
        for old, new in zip(env["reply"]["results"], again["results"]):
            assert new["cached"] is True and old["cached"] is False
            strip = lambda d: dict((k, v) for k, v in d.items() if k != "cached")
            assert strip(old) == strip(new)


def test_cache_key_ignores_ids_but_not_content(k23):  # Keras 2.3.1: the quicker import
    cases = _cases()
    for i, c in enumerate(cases):
        c["id"] = "renamed%d" % i
    cases[0] = dict(cases[0], units=7)  # changed facts: must be probed again
    starts = runner.PROBE_STARTS
    again = probe_cases(cases, python=k23["python"], cache_dir=str(k23["cache_dir"]))
    assert runner.PROBE_STARTS == starts + 1
    assert again["probed"] == 1 and again["cached"] == len(SCENARIOS) - 1
    assert [r["id"] for r in again["results"]] == [c["id"] for c in cases]
    assert again["results"][0]["units"] == 7


# ---------------------------------------------------------------- failures

def test_missing_keras_is_a_clear_error(tmp_path):
    # the test runner's own Python with site-packages switched off has no Keras
    wrapper = tmp_path / "python-no-site"
    wrapper.write_text('#!/bin/sh\nexec "%s" -S "$@"\n' % sys.executable)
    wrapper.chmod(0o755)
    with pytest.raises(RuntimeProbeError) as err:
        run_probe(_cases()[:1], python=str(wrapper), timeout=60)
    assert err.value.returncode == 3
    assert "no Keras importable" in str(err.value)


def test_missing_interpreter_is_a_clear_error(tmp_path):
    with pytest.raises(RuntimeProbeError) as err:
        run_probe(_cases()[:1], python=str(tmp_path / "nope" / "python"))
    assert "not found" in str(err.value)


def test_legacy_keras_env_var_selects_tf_keras_and_graph_mode_resolves_by_loss(
        py_keras3, monkeypatch):
    monkeypatch.setenv("TF_USE_LEGACY_KERAS", "1")
    wanted = ("bce_softmax10", "bce_function_class_metric")
    reply = run_probe([c for c in _cases() if c["id"] in wanted], python=py_keras3,
                      disable_eager=True)
    if reply["keras_module"] != "tf_keras":
        pytest.skip("tf_keras not installed in %s" % py_keras3)
    assert reply["eager"] is False
    bce, cls_metric = reply["results"]
    # tf_keras graph mode (training_v1) is loss-resolving, like Keras 2.3.1
    m = _only_metric(bce)
    assert m["resolved"] == "binary_accuracy"
    assert m["reported"] - m["true_accuracy"] > 0.5
    # a metric class is named by its class (tf_keras BinaryAccuracy wraps binary_matches)
    assert cls_metric["metrics"][0]["resolved"] == "binary_accuracy"
    assert not [w for w in bce["warnings"] if "state_updates" in w]  # noise is dropped


# ---------------------------------------------------------------- import mode

FACTORY = '''
import keras

def build():
    inp = keras.layers.Input(shape=(8,))
    h = keras.layers.Dense(16, activation="relu")(inp)
    logits = keras.layers.Dense(10, name="cls_dense")(h)
    cls = keras.layers.Activation("softmax", name="cls")(logits)
    tags = keras.layers.Dense(12, activation="sigmoid", name="tags")(h)
    model = keras.models.Model(inp, [cls, tags])
    model.compile(optimizer="adam",
                  loss={"cls": keras.losses.BinaryCrossentropy(),
                        "tags": "binary_crossentropy"},
                  metrics={"cls": ["accuracy"], "tags": ["accuracy"]})
    return model


def sequential_double_softmax():
    model = keras.models.Sequential([
        keras.layers.Dense(4, activation="relu", input_shape=(8,)),
        keras.layers.Dense(3, activation="softmax"),
        keras.layers.Activation("softmax"),
    ])
    model.compile(optimizer="sgd", loss=keras.losses.categorical_crossentropy,
                  metrics=["acc", keras.metrics.AUC()])
    return model


def uncompiled():
    return keras.models.Sequential([keras.layers.Dense(1, input_shape=(8,))])


def build_all():
    print("user code printing to stdout must not break the JSON reply")
    return [build(), sequential_double_softmax(), uncompiled()]
'''


@pytest.mark.parametrize("which", ["py_keras3", "py_keras23"])
def test_import_mode_reads_live_facts(which, request, tmp_path):
    python = request.getfixturevalue(which)
    (tmp_path / "user_models.py").write_text(FACTORY)
    reply = run_import("user_models:build_all", sys_path=[str(tmp_path)], python=python)
    model, seq, _uncompiled = reply["models"]
    cls, tags = model["outputs"]
    assert (cls["name"], cls["activation"], cls["units"]) == ("cls", "softmax", 10)
    assert (tags["name"], tags["activation"], tags["units"]) == ("tags", "sigmoid", 12)
    assert cls["layer"] == "cls_dense" and cls["stacked"] == ["softmax"]
    fact, seq_fact = facts_from_live_model(reply)  # the uncompiled model is dropped
    assert fact.source == "runtime" and fact.model_style == "functional"
    assert fact.path == str(tmp_path / "user_models.py")
    assert fact.span.line == 33  # def build_all
    t_cls, t_tags = fact.trained
    assert t_cls.loss.form == "class" and t_cls.loss.canonical == "binary_crossentropy"
    assert t_cls.loss.from_logits is False
    assert t_tags.loss.form == "string" and t_tags.loss.string == "binary_crossentropy"
    assert [m.canonical for m in t_cls.metrics] == ["accuracy"]
    resolved = [d["resolved"] for d in model["metrics"][0]]
    if which == "py_keras23":
        # Keras 2 resolves 'accuracy' at compile time, by the loss
        assert resolved == ["binary_accuracy"]
    else:
        assert resolved == [None]  # Keras 3 resolves it at the first evaluate

    # Sequential with a softmax applied twice (KC208) and a function loss
    assert seq["outputs"][0]["layer_class"] == "Dense"
    assert seq_fact.model_style == "sequential"
    (t,) = seq_fact.trained
    assert (t.output.activation, t.output.units) == ("softmax", 3)
    assert t.output.stacked == ("softmax", "softmax")
    assert t.loss.form == "function" and t.loss.canonical == "categorical_crossentropy"
    assert [m.canonical for m in t.metrics] == ["accuracy", "auc"]


def test_probe_source_is_python37_syntax():
    import ast
    path = os.path.join(os.path.dirname(runner.__file__), "probe.py")
    with open(path) as f:
        ast.parse(f.read(), feature_version=(3, 7))



def test_keras_target_of_a_real_interpreter_is_read_without_importing_keras(py_keras23, py_keras3):
    from kerascheck.runtime.runner import keras_target

    assert (keras_target(py_keras23).package, keras_target(py_keras23).version) == ("keras", (2, 3, 1))
    assert keras_target(py_keras3).package == "keras" and keras_target(py_keras3).is_keras3
