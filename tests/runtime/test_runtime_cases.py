"""Facts -> probe cases, live facts -> CompileFact, and the cache files (no Keras needed)."""

import json
import os

from kerascheck.facts import CompileFact, LossFact, MetricFact, OutputFact, Span, TrainedOutput
from kerascheck.runtime.cache import ProbeCache
from kerascheck.runtime.runner import cases_from_compile, facts_from_live_model

SPAN = Span(2, 5, 2, 30)


def _loss(canonical, form="string", name=None, from_logits=False, kwargs=None):
    name = name or canonical
    return LossFact(canonical=canonical, spelling=name, span=SPAN,
                    string=name if form == "string" else None, from_logits=from_logits,
                    form=form, name=name, kwargs=dict(kwargs or {}))


def _cf(*outputs):
    trained = []
    for act, units, loss, metrics in outputs:
        trained.append(TrainedOutput(
            output=OutputFact(activation=act, units=units), loss=loss,
            metrics=[MetricFact(canonical=m, spelling=m, span=SPAN, string=m, form="string",
                                name=m) for m in metrics]))
    return CompileFact(path="m.py", span=SPAN, model_style="functional", trained=trained)


def _tasks(cf):
    return dict((c["id"], (c["task"], c["units"])) for c in cases_from_compile(cf))


def test_task_follows_activation_units_and_loss():
    cf = _cf(("softmax", 10, _loss("binary_crossentropy"), ["accuracy"]),
             ("softmax", 10, _loss("sparse_categorical_crossentropy"), ["acc"]),
             ("sigmoid", 5, _loss("binary_crossentropy"), ["accuracy"]),
             ("sigmoid", 1, _loss("binary_crossentropy"), ["accuracy"]),
             ("linear", 10, _loss("categorical_crossentropy", from_logits=True), []),
             ("linear", 3, _loss("mean_squared_error", name="mse"), ["mae"]),
             ("softmax", None, _loss("binary_crossentropy"), ["accuracy"]),
             ("softmax", 1, _loss("categorical_crossentropy"), ["accuracy"]))
    assert _tasks(cf) == {
        "t0": ("multiclass", 10), "t1": ("sparse", 10), "t2": ("multilabel", 5),
        "t3": ("binary", 1), "t4": ("multiclass", 10), "t5": ("regression", 3),
        "t6": ("multiclass", 10),  # unknown softmax units -> default_units
        "t7": ("binary", 1),
    }


def test_unknown_facts_are_skipped_not_guessed():
    cf = _cf((None, 10, _loss("binary_crossentropy"), ["accuracy"]),      # activation unknown
             ("sigmoid", None, _loss("binary_crossentropy"), ["accuracy"]),  # 1 or many?
             ("softmax", 10, None, ["accuracy"]),                          # no loss
             ("linear", 1, _loss("binary_crossentropy", from_logits=None), []))  # logits?
    assert cases_from_compile(cf) == []


def test_loss_and_metric_specs_keep_the_spelling():
    loss = _loss(None, form="class", name="BinaryCrossentropy", from_logits=True,
                 kwargs={"label_smoothing": 0.1})
    cf = CompileFact(path="m.py", span=SPAN, model_style="sequential", trained=[TrainedOutput(
        output=OutputFact(activation="sigmoid", units=1), loss=loss,
        metrics=[MetricFact(canonical=None, spelling="x", span=SPAN),  # no name: dropped
                 MetricFact(canonical="binary_accuracy", spelling="BinaryAccuracy(...)",
                            span=SPAN, threshold=0.3, form="class", name="BinaryAccuracy"),
                 MetricFact(canonical="auc", spelling="keras.metrics.AUC()", span=SPAN,
                            form="class", name="keras.metrics.AUC")])])
    (case,) = cases_from_compile(cf, id_prefix="x")
    assert case["id"] == "x0"
    assert case["loss"] == {"form": "class", "name": "BinaryCrossentropy",
                            "kwargs": {"label_smoothing": 0.1, "from_logits": True}}
    assert case["metrics"] == [
        {"form": "class", "name": "BinaryAccuracy", "kwargs": {"threshold": 0.3}, "ref": 1},
        {"form": "class", "name": "AUC", "kwargs": {}, "ref": 2},
    ]
    json.dumps(case)  # a case is plain JSON


def test_facts_from_live_model():
    reply = {"import": "pkg.m:build", "source_file": "/p/pkg/m.py", "line": 7, "models": [
        {"compiled": False, "outputs": [], "losses": [], "metrics": []},
        {"compiled": True, "style": "sequential",
         "outputs": [{"name": "dense", "activation": "softmax", "units": 3,
                      "stacked": ["softmax", "softmax"]}],
         "losses": [{"form": "class", "name": "CategoricalCrossentropy",
                     "canonical": "categorical_crossentropy", "from_logits": True,
                     "kwargs": {"from_logits": True}}],
         "metrics": [[{"form": "string", "name": "acc", "canonical": "accuracy",
                       "threshold": 0.5, "kwargs": {}, "resolved": None}]]}]}
    (cf,) = facts_from_live_model(reply)
    assert cf.source == "runtime" and cf.path == "/p/pkg/m.py" and cf.span.line == 7
    (t,) = cf.trained
    assert t.output.stacked == ("softmax", "softmax") and t.output.units == 3
    assert t.loss.from_logits is True and t.loss.spelling == "CategoricalCrossentropy(from_logits=True)"
    assert t.metrics[0].string == "acc" and t.metrics[0].canonical == "accuracy"


def test_cache_roundtrip_is_atomic_and_keyed(tmp_path):
    cache = ProbeCache(str(tmp_path / "c"))
    case = {"id": "a", "units": 10, "activation": "softmax"}
    fp = {"keras": "3.15.1"}
    k1 = cache.key(case, fp, {"seed": 0})
    assert k1 == cache.key(dict(case, id="b"), fp, {"seed": 0})  # id is a position only
    assert k1 != cache.key(case, {"keras": "2.3.1"}, {"seed": 0})
    assert k1 != cache.key(case, fp, {"seed": 1})
    assert cache.get(k1) is None
    cache.put(k1, {"result": {"x": 1}})
    assert cache.get(k1) == {"result": {"x": 1}}
    files = [f for _d, _s, fs in os.walk(str(tmp_path)) for f in fs]
    assert files == [k1 + ".json"]  # no temporary file left behind
