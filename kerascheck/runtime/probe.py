"""kerascheck runtime probe: ask a real Keras what it does with a loss and metrics.

This file is a standalone script. It is copied to nothing and imports nothing
from kerascheck: kerascheck runs it as ``<python> probe.py`` with the
interpreter that has the user's Keras, which may be a different Python
(3.7 for keras 2.3.1, 3.11+ for Keras 3). Keep it valid on Python 3.7-3.13:
no walrus, no ``f"{x=}"``, no ``dict | dict``, no builtin generics at run time.

Protocol: one JSON request on stdin, one JSON reply on stdout. Everything else
(Keras/TensorFlow prints, progress bars, C++ logs) is pushed to stderr: file
descriptor 1 is re-pointed at stderr before anything is imported, and the reply
is written to a saved copy of the real stdout.

Default mode (never imports user code)::

    {"cases": [{"id": "c1", "units": 10, "activation": "softmax",
                "task": "multiclass",
                "loss": {"form": "string", "name": "binary_crossentropy",
                         "kwargs": {}},
                "metrics": [{"form": "string", "name": "accuracy",
                             "kwargs": {}, "ref": 0}]}],
     "default_units": 10, "seed": 0, "batch": 64, "disable_eager": false}

``disable_eager: true`` calls ``tf.compat.v1.disable_eager_execution()`` first
(tf.keras / tf_keras graph mode; the reply's ``eager`` says what ran).
``task`` is multiclass (one-hot targets), sparse (integer targets), multilabel
(multi-hot), binary (0/1 per unit) or regression (real targets). ``form``:
"string" is passed as the string, "function" as ``keras.losses.<name>`` /
``keras.metrics.<name>`` (kwargs ignored), "class" as ``<Name>(**kwargs)``.
An optional case key ``"target": {"encoding": "one_hot" | "integer", "classes": n,
"label_shape": [1]}`` fits the stand-in for one epoch (batch 16) on targets encoded so (the data
facts of KC401-KC404) instead of evaluating it: the result then has ``"trained": true`` and
``"history"`` (the epoch's loss and metrics), or the error Keras raised (``error_stage`` "fit").
An optional case key ``"activation_layer": true`` builds ``Dense(units)`` +
``Activation(act)`` instead of ``Dense(units, activation=act)``. An optional
``"head_input": [13, 13, 32]`` (KC501) makes the stand-in's input that shape, as
the tensor a Dense head is applied to without a Flatten: the batch is evaluated
with per-sample targets (of the task), and the result carries Keras's error, or,
when Keras raises nothing, ``"shapes": {"output": [...], "target": [...]}`` (no
metrics). A metric's
optional ``ref`` is echoed back untouched.

For each case a stand-in model ``Input(8 features) -> Dense(units,
activation)`` is built, compiled with the same loss and metrics and evaluated
on one synthetic batch whose targets fit ``task``. Weights come from a seeded
NumPy generator, so every Keras version sees the same predictions.

Reply::

    {"probe_version": 1, "keras_version": "3.15.1", "keras_module": "keras",
     "backend": "tensorflow", "tensorflow_version": "2.21.0",
     "python_version": "3.11.7", "python": "/path/to/python", "eager": true,
     "results": [{"id": "c1", "task": "multiclass", "units": 10,
                  "metrics": [{"requested": "accuracy", "form": "string",
                               "ref": 0,
                               "resolved": "categorical_accuracy",
                               "resolved_class": "CategoricalAccuracy",
                               "reported": 0.11, "true_accuracy": 0.11}],
                  "loss_value": 3.2,
                  "true_accuracy": 0.11, "true_accuracy_kind": "argmax",
                  "warnings": ["UserWarning: ..."],
                  "error": null, "error_stage": null}]}

The true accuracy is argmax for multiclass/sparse, element-wise thresholded
for multilabel, thresholded for binary; the threshold is 0 when the output is
linear and the loss has ``from_logits=True`` (real logits), else 0.5.
``true_accuracy`` of a metric is filled only when Keras resolved it to one of
the plain accuracies (accuracy, binary/categorical/sparse_categorical
accuracy); other metrics (AUC, top-k, ...) are not meant to equal it.
A metric this Keras has no object for (function/class form) comes back as
``{"requested", "form", "ref", "skipped": "<why>"}`` and the case still runs.
``error`` is "<ExceptionType>: <message>" (for tf.function errors, the inner
one); ``error_stage`` is "lookup" (a loss name not in keras.losses), "build",
"compile" or "evaluate". Warnings are "<Category>: <message>" from the
warnings module and WARNING+ records of the keras/tensorflow loggers, minus
deprecation noise.

Which Keras is imported: ``tf_keras`` when ``TF_USE_LEGACY_KERAS=1`` and it is
installed; else ``keras`` when it imports (Keras 3, or standalone Keras 2 whose
backend imports); else ``tensorflow.keras``; else ``tf_keras``. Nothing
importable: reply ``{"error": "no Keras importable in <python>"}`` and exit 3.

Non-TensorFlow backends: Keras 3 with ``KERAS_BACKEND=jax`` or ``torch`` is
used as it is; nothing here needs TensorFlow (predictions come back as NumPy).
``backend`` says which one ran and ``tensorflow_version`` is read from the
package metadata without importing TensorFlow (null when not installed). The
TensorFlow-only run time warnings (e.g. from_logits on a softmax output,
detected from the graph op) do not exist on those backends, so a probe there
reports fewer warnings; the metric resolution is the same.

Opt-in import mode (EXECUTES USER CODE; only behind ``--runtime-import``)::

    {"import": "package.module:function", "sys_path": ["/project"]}

calls the factory (no arguments) and, for each compiled model it returns (a
model, or a list/tuple/dict containing models), reads live facts::

    {"models": [{"class": "Functional", "style": "functional", "compiled": true,
                 "outputs": [{"name": "out", "activation": "softmax",
                              "units": 10, "layer": "dense",
                              "layer_class": "Dense", "stacked": ["softmax"]}],
                 "losses": [{"form": "class", "name": "BinaryCrossentropy",
                             "canonical": "binary_crossentropy",
                             "from_logits": false, "kwargs": {...}} | null],
                 "metrics": [[{"form": "string", "name": "accuracy",
                               "canonical": "accuracy",
                               "resolved": "binary_accuracy" | null,
                               "threshold": 0.5 | null, "kwargs": {}}]]}],
     "import": "...", "source_file": "/project/x.py", "line": 12,
     "keras_version": ..., "backend": ..., ...}

``resolved`` is known only where Keras resolves metrics at compile time
(keras 2.x graph mode); Keras 3 resolves them at the first fit/evaluate.
"""

import importlib
import inspect
import io
import json
import logging
import math
import os
import platform
import re
import sys
import traceback
import warnings

# Script mode puts this file's folder (kerascheck/runtime, with cache.py and
# runner.py) first on sys.path; take it off so no library import can pick
# those up as top-level modules.
if sys.path and os.path.abspath(sys.path[0] or ".") == os.path.dirname(os.path.abspath(__file__)):
    sys.path.pop(0)

PROBE_VERSION = 2
N_FEATURES = 8
FIT_BATCH = 16  # a target case fits one epoch in batches of this size (as docs/keras-semantics.md measured)

# Warnings that say nothing about the user's model (TF 1.x deprecations etc.).
_NOISE_CATEGORIES = (DeprecationWarning, PendingDeprecationWarning, FutureWarning,
                     ImportWarning, ResourceWarning)
_NOISE_LOG = re.compile(r"deprecat|is not (yet )?supported on|oneDNN|cpu_feature_guard"
                        r"|Colocations handled automatically|tf\.compat\.v1"
                        r"|triggered tf\.function retracing|will be removed in a future",
                        re.IGNORECASE)

# The metrics whose value is supposed to be "the accuracy" of the predictions.
_PLAIN_ACCURACIES = ("accuracy", "binary_accuracy", "categorical_accuracy",
                     "sparse_categorical_accuracy")


# ---------------------------------------------------------------- stdout guard

def _guard_stdout():
    """Send fd 1 to stderr; return a writable file for the real stdout."""
    sys.stdout.flush()
    real_fd = os.dup(1)
    os.dup2(2, 1)  # C-level prints (TF, XLA) now land on stderr
    sys.stdout = sys.stderr  # Python-level prints too
    return io.open(real_fd, "w", encoding="utf-8", closefd=True)


def _clean(value):
    """Make a value JSON-safe (NaN/inf -> None, numpy scalars -> Python)."""
    if isinstance(value, dict):
        return dict((str(k), _clean(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return value
    try:
        f = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(f) or math.isinf(f):
        return None
    if isinstance(value, float):
        return f
    # numpy integer scalars stay integers
    try:
        if int(value) == f and "int" in type(value).__name__:
            return int(value)
    except (TypeError, ValueError):
        pass
    return f


_INNER_ERROR = re.compile(r"\n\s*([A-Za-z_][\w.]*(?:Error|Exception)): ")


def _error_text(exc):
    msg = str(exc).strip()
    if "Received a label value" in msg:  # TF 1's: the labels and the node follow; the sentence says it all
        msg = msg.split("  Label values")[0]
    if "Graph execution error" in msg:
        # TF 2's graph errors: a traceback, then the op's own message (and the node): keep the message
        lines = [line.strip() for line in msg.splitlines() if line.strip() and not line.startswith(" ")
                 and not line.strip().startswith(("[[", "File ", "Detected at node", "Graph execution error"))]
        if lines:
            return "%s: %s" % (type(exc).__name__, lines[-1].split("  Label values")[0][:500])
    # tf.function errors wrap the real one in "in user code:" + a traceback;
    # quote the innermost error, which is what the user would act on.
    if "in user code:" in msg:
        found = list(_INNER_ERROR.finditer(msg))
        if found:
            return msg[found[-1].start():].strip()[:2000]
    # Keras 3 error texts can be long (whole traceback-ish); keep the head.
    if len(msg) > 2000:
        msg = msg[:2000] + " ..."
    return "%s: %s" % (type(exc).__name__, msg)


# ---------------------------------------------------------------- versions

def _dist_version(name):
    """Installed version of a distribution, without importing it."""
    try:
        from importlib import metadata  # Python 3.8+
        try:
            return metadata.version(name)
        except Exception:
            return None
    except ImportError:
        pass
    try:
        import pkg_resources  # Python 3.7
        return pkg_resources.get_distribution(name).version
    except Exception:
        return None


def _tensorflow_version():
    mod = sys.modules.get("tensorflow")
    if mod is not None and getattr(mod, "__version__", None):
        return mod.__version__
    for dist in ("tensorflow", "tensorflow-cpu", "tensorflow-macos", "tensorflow-intel"):
        v = _dist_version(dist)
        if v:
            return v
    return None


# ---------------------------------------------------------------- Keras import

def _import_keras():
    """Return (keras module, module name) or (None, reason)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    reasons = []
    if os.environ.get("TF_USE_LEGACY_KERAS") == "1":
        try:
            import tf_keras  # here: Keras exists in the user's interpreter only, and a failed import is an answer
            return tf_keras, "tf_keras"
        except Exception as exc:
            reasons.append("tf_keras: " + _error_text(exc))
    try:
        import keras  # (imported here: see above)
        # A keras package with no layers is a broken/partial install.
        if hasattr(keras, "layers") and hasattr(keras, "models"):
            return keras, "keras"
        reasons.append("keras: package has no layers/models")
    except Exception as exc:
        reasons.append("keras: " + _error_text(exc))
    try:
        from tensorflow import keras as tfk  # (imported here: see above)
        if hasattr(tfk, "layers"):
            return tfk, "tensorflow.keras"
    except Exception as exc:
        reasons.append("tensorflow.keras: " + _error_text(exc))
    try:
        import tf_keras  # (imported here: see above)
        return tf_keras, "tf_keras"
    except Exception as exc:
        reasons.append("tf_keras: " + _error_text(exc))
    return None, "; ".join(reasons)


def _keras_major(keras):
    try:
        return int(str(_keras_version(keras)).split(".")[0])
    except ValueError:
        return 0


def _keras_version(keras):
    v = getattr(keras, "__version__", None)
    if v:
        return v
    try:
        return keras.version()
    except Exception:
        return None


def _executing_eagerly():
    """True/False under TensorFlow (TF 1.x: False), None on other backends."""
    tf = sys.modules.get("tensorflow")
    if tf is None:
        return None
    try:
        return bool(tf.executing_eagerly())
    except Exception:
        return None


def _backend_name(keras):
    try:
        return keras.backend.backend()
    except Exception:
        try:
            return keras.config.backend()
        except Exception:
            return None


# ---------------------------------------------------------------- capture

class _LogCapture(object):
    """A logging handler that keeps WARNING+ records from Keras/TF loggers."""

    def __init__(self):
        self.records = []
        capture = self

        class _Handler(logging.Handler):
            def emit(self, record):
                try:
                    capture.records.append((record.name, record.levelname, record.getMessage()))
                except Exception:
                    pass

        self.handler = _Handler(level=logging.WARNING)
        self.loggers = [logging.getLogger(n) for n in ("", "tensorflow", "keras", "tf_keras", "absl")]

    def __enter__(self):
        self.records = []
        for lg in self.loggers:
            lg.addHandler(self.handler)
        return self

    def __exit__(self, *exc):
        for lg in self.loggers:
            try:
                lg.removeHandler(self.handler)
            except Exception:
                pass
        return False


def _collect_warnings(caught, logs):
    out = []
    for w in caught:
        if issubclass(w.category, _NOISE_CATEGORIES) or _NOISE_LOG.search(str(w.message)):
            continue
        out.append("%s: %s" % (w.category.__name__, str(w.message)))
    for _name, level, msg in logs:
        if _NOISE_LOG.search(msg):
            continue
        out.append("%s: %s" % (level, msg))
    # de-duplicate, keep order (a record can reach several loggers)
    seen = set()
    uniq = []
    for m in out:
        if m not in seen:
            seen.add(m)
            uniq.append(m)
    return uniq


# ---------------------------------------------------------------- names

def _snake(name):
    s = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", s)
    return s.lower()


def _last_part(name):
    return str(name).split(".")[-1]


def _lookup(module, name, what):
    obj = getattr(module, _last_part(name), None)
    if obj is None:
        raise LookupError("%s %r not found in %s" % (what, name, getattr(module, "__name__", "?")))
    return obj


def _make_loss(keras, spec):
    """The loss object to pass to compile(), as the user wrote it."""
    if spec is None:
        return None
    form = spec.get("form") or "string"
    name = spec.get("name")
    kwargs = spec.get("kwargs") or {}
    if form == "string":
        return name
    obj = _lookup(keras.losses, name, "loss")
    if form == "class":
        return obj(**kwargs)
    # function form: passed as is (kwargs cannot ride along without wrapping it,
    # and a wrapper would hide the function from Keras's loss-based resolution)
    return obj


def _make_metric(keras, spec):
    form = spec.get("form") or "string"
    name = spec.get("name")
    kwargs = spec.get("kwargs") or {}
    if form == "string":
        return name
    obj = _lookup(keras.metrics, name, "metric")
    if form == "class":
        return obj(**kwargs)
    return obj


# ---------------------------------------------------------------- data

def _synthetic(np, task, units, batch, seed, features=(N_FEATURES,)):
    """(x, y) for one batch whose targets fit the task; x of shape (batch, *features)."""
    rng = np.random.RandomState(seed)
    x = rng.normal(size=(batch,) + tuple(features)).astype("float32")
    if task == "multiclass":
        cls = rng.randint(0, units, size=batch)
        y = np.eye(units, dtype="float32")[cls]
    elif task == "sparse":
        y = rng.randint(0, units, size=(batch,)).astype("int32")
    elif task == "multilabel":
        y = (rng.uniform(size=(batch, units)) < 0.25).astype("float32")
        # at least one positive label per row, as in real multi-label data
        empty = y.sum(axis=1) == 0
        y[empty, rng.randint(0, units, size=int(empty.sum()))] = 1.0
    elif task == "binary":
        y = rng.randint(0, 2, size=(batch, units)).astype("float32")
    else:  # regression
        y = rng.normal(size=(batch, units)).astype("float32")
    return x, y


class _Done(Exception):
    """A case that has all it needs before the metrics part (a target case)."""


def _target_data(np, target, batch, seed):
    """Targets as the program's data facts describe them: one-hot (N, classes), or integer labels 0..classes-1
    of shape (N,) + label_shape."""
    rng = np.random.RandomState(seed + 2)
    classes = int(target.get("classes") or 10)
    labels = rng.randint(0, classes, size=batch)
    labels[:classes] = np.arange(min(classes, batch))  # every class appears
    if target.get("encoding") == "one_hot":
        return np.eye(classes, dtype="float32")[labels]
    shape = (batch,) + tuple(int(size) for size in (target.get("label_shape") or ()))
    return labels.reshape(shape).astype("int32")


def _true_accuracy(np, task, pred, y, threshold):
    """The accuracy the user means, from the same predictions."""
    pred = np.asarray(pred, dtype="float64")
    if task == "multiclass":
        return float(np.mean(np.argmax(pred, -1) == np.argmax(y, -1))), "argmax"
    if task == "sparse":
        return float(np.mean(np.argmax(pred, -1) == np.reshape(y, (-1,)))), "argmax"
    if task == "multilabel":
        return float(np.mean((pred > threshold) == (y > 0.5))), "element-wise"
    if task == "binary":
        return float(np.mean((pred > threshold) == (y > 0.5))), "thresholded"
    return None, None


# ---------------------------------------------------------------- metric objects

def _metric_objects(model):
    """The compiled metric objects of a single-output model, in request order."""
    # keras 2.x graph mode (2.3.1, tf.keras v1): resolved at compile time.
    per_output = getattr(model, "_per_output_metrics", None)
    if per_output:
        out = []
        for d in per_output:
            if d:
                out.extend(list(d.values()))
        return out
    # tf.keras >= 2.2 / tf_keras eager: a MetricsContainer.
    cm = getattr(model, "compiled_metrics", None)
    if cm is not None and hasattr(cm, "metrics"):
        try:
            ms = list(cm.metrics)
            if ms:
                return ms
        except Exception:
            pass
    # Keras 3: CompileMetrics, built at the first evaluate.
    cm = getattr(model, "_compile_metrics", None)
    if cm is not None and not isinstance(cm, (list, tuple, dict)) and hasattr(cm, "metrics"):
        try:
            return list(cm.metrics)
        except Exception:
            pass
    # last resort: whatever model.metrics lists, minus the loss tracker
    out = []
    for m in getattr(model, "metrics", []) or []:
        if getattr(m, "name", None) == "loss":
            continue
        inner = getattr(m, "metrics", None)
        if isinstance(inner, list):
            out.extend(inner)
        else:
            out.append(m)
    return out


def _resolved_name(metric):
    """'categorical_accuracy', 'binary_accuracy', 'auc', ... for a metric object.

    A bare MeanMetricWrapper is named by the function it wraps (Keras 2 wraps
    every string/function metric so); a metric class by its own name, since
    its inner function can be a helper (tf_keras BinaryAccuracy wraps
    ``binary_matches``)."""
    cls = type(metric).__name__
    fn = getattr(metric, "_fn", None)
    if cls == "MeanMetricWrapper" and fn is not None and getattr(fn, "__name__", None):
        return fn.__name__, cls
    return _snake(cls), cls


def _metric_value(keras, metric):
    try:
        r = metric.result()
        if hasattr(r, "numpy"):
            return float(r.numpy())
        return float(keras.backend.get_value(r))
    except Exception:
        return None


# ---------------------------------------------------------------- one case

def _run_case(keras, np, case, default_units, seed, batch):
    units = case.get("units")
    if units is None:
        units = default_units
    units = int(units)
    task = case.get("task") or "multiclass"
    activation = case.get("activation") or "linear"
    loss_spec = case.get("loss")
    metric_specs = case.get("metrics") or []
    result = {"id": case.get("id"), "task": task, "units": units, "metrics": [],
              "loss_value": None, "true_accuracy": None, "true_accuracy_kind": None,
              "warnings": [], "error": None, "error_stage": None}

    from_logits = bool(loss_spec and (loss_spec.get("kwargs") or {}).get("from_logits"))
    # Thresholding logits at 0 is only right when the output really is logits.
    threshold = 0.0 if (from_logits and activation == "linear") else 0.5

    stage = "lookup"
    skipped = []
    caught = []
    logs = _LogCapture()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with logs:
                try:
                    # keeps a TF1 graph from growing; must come before the loss and
                    # metric objects are made, or they live in the old graph
                    keras.backend.clear_session()
                except Exception:
                    pass
                loss = _make_loss(keras, loss_spec)
                # A metric this Keras has no such name for (a user's own function,
                # a newer class) is left out, not allowed to sink the whole case.
                kept = []
                for spec in metric_specs:
                    try:
                        kept.append((spec, _make_metric(keras, spec)))
                    except LookupError as exc:
                        skipped.append({"requested": spec.get("name"),
                                        "form": spec.get("form") or "string",
                                        "ref": spec.get("ref"), "skipped": str(exc)})
                metric_specs = [k[0] for k in kept]
                metrics = [k[1] for k in kept]

                stage = "build"
                np.random.seed(seed)
                # A KC501 case: the Dense head applied to the (unflattened) tensor it is given in the model.
                features = tuple(int(size) for size in case.get("head_input") or (N_FEATURES,))
                inp = keras.layers.Input(shape=features)
                if case.get("activation_layer"):
                    dense = keras.layers.Dense(units)
                    out = keras.layers.Activation(activation)(dense(inp))
                else:
                    dense = keras.layers.Dense(units, activation=activation)
                    out = dense(inp)
                model = keras.models.Model(inp, out)
                # Same weights on every Keras version: predictions do not depend on
                # each version's initialisers or seeding.
                rng = np.random.RandomState(seed + 1)
                w = rng.normal(scale=0.35, size=(features[-1], units)).astype("float32")
                b = rng.normal(scale=0.1, size=(units,)).astype("float32")
                dense.set_weights([w, b])

                stage = "compile"
                model.compile(optimizer="sgd", loss=loss, metrics=metrics)

                target = case.get("target")
                if target is not None:
                    # The data facts' targets (KC401-KC404): does fit run on them, and what does it report?
                    stage = "fit"
                    x = np.random.RandomState(seed).normal(size=(batch, N_FEATURES)).astype("float32")
                    y = _target_data(np, target, batch, seed)
                    history = model.fit(x, y, epochs=1, batch_size=FIT_BATCH, verbose=0)
                    result["trained"] = True
                    result["history"] = dict((k, _to_float(v[-1])) for k, v in history.history.items())
                    result["loss_value"] = result["history"].get("loss")
                    raise _Done()

                stage = "evaluate"
                x, y = _synthetic(np, task, units, batch, seed, features)
                values = _evaluate(model, x, y, batch)
                pred = _predict(keras, model, x, batch)
                result["loss_value"] = values.get("loss")
                if case.get("head_input"):
                    # No error: Keras broadcast the loss over the axes the head kept (no accuracy to compare).
                    result["shapes"] = {"output": list(np.shape(pred)), "target": list(np.shape(y))}
                else:
                    acc, kind = _true_accuracy(np, task, pred, y, threshold)
                    result["true_accuracy"] = acc
                    result["true_accuracy_kind"] = kind
                    objs = _metric_objects(model)
                    for i, spec in enumerate(metric_specs):
                        entry = {"requested": spec.get("name"), "form": spec.get("form") or "string",
                                 "ref": spec.get("ref"), "resolved": None, "resolved_class": None,
                                 "reported": None, "true_accuracy": None}
                        if i < len(objs):
                            m = objs[i]
                            entry["resolved"], entry["resolved_class"] = _resolved_name(m)
                            mname = getattr(m, "name", None)
                            if mname in values:
                                entry["reported"] = values[mname]
                            else:
                                entry["reported"] = _metric_value(keras, m)
                            if entry["resolved"] in _PLAIN_ACCURACIES:
                                entry["true_accuracy"] = acc
                        result["metrics"].append(entry)
    except _Done:
        pass
    except Exception as exc:
        result["error"] = _error_text(exc)
        result["error_stage"] = stage
    result["metrics"].extend(skipped)
    result["warnings"] = _collect_warnings(caught or [], logs.records)
    return result


def _evaluate(model, x, y, batch):
    """evaluate() as a {name: value} dict on every Keras version."""
    try:
        params = inspect.signature(model.evaluate).parameters
        has_return_dict = "return_dict" in params
    except Exception:
        has_return_dict = False
    if has_return_dict:
        out = model.evaluate(x, y, batch_size=batch, verbose=0, return_dict=True)
        return dict((k, _to_float(v)) for k, v in out.items())
    out = model.evaluate(x, y, batch_size=batch, verbose=0)
    if not isinstance(out, (list, tuple)):
        out = [out]
    return dict((k, _to_float(v)) for k, v in zip(model.metrics_names, out))


def _predict(keras, model, x, batch):
    """Predictions as NumPy. Keras 3: a direct call (predict() would trace
    another tf.function, ~0.1 s per case); older Keras: predict()."""
    ops = getattr(keras, "ops", None)
    if ops is not None and hasattr(ops, "convert_to_numpy"):
        try:
            return ops.convert_to_numpy(model(x, training=False))
        except Exception:
            pass
    return model.predict(x, batch_size=batch, verbose=0)


def _to_float(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def run_cases(keras, request):
    import numpy as np  # here: the user's interpreter has NumPy with Keras; this file's top imports stdlib only
    default_units = int(request.get("default_units") or 10)
    seed = int(request.get("seed") or 0)
    batch = int(request.get("batch") or 64)
    return [_run_case(keras, np, c, default_units, seed, batch)
            for c in request.get("cases") or []]


# ---------------------------------------------------------------- import mode

def _fn_name(fn):
    name = getattr(fn, "__name__", None)
    if name is None:
        name = type(fn).__name__
    # tf.nn.softmax is softmax_v2 in TF 2
    if name.endswith("_v2"):
        name = name[:-3]
    return name


_ACTIVATION_LAYERS = {"Softmax": "softmax", "ReLU": "relu", "LeakyReLU": "leaky_relu",
                      "ELU": "elu", "PReLU": "prelu", "ThresholdedReLU": "thresholded_relu"}
_PROBABILITY = ("softmax", "sigmoid", "hard_sigmoid", "log_softmax")


def _history_layer(tensor):
    h = getattr(tensor, "_keras_history", None)
    if h is None:
        return None, None
    layer = h[0]
    node_index = h[1] if len(h) > 1 else 0
    return layer, node_index


def _layer_inputs(layer, node_index):
    """The input tensors of a layer at a node (Keras 2 and 3 spell it differently)."""
    nodes = getattr(layer, "_inbound_nodes", None) or []
    if node_index is None or node_index >= len(nodes):
        return []
    node = nodes[node_index]
    for attr in ("input_tensors", "arguments"):
        v = getattr(node, attr, None)
        if attr == "arguments" and v is not None:
            v = getattr(v, "keras_tensors", None)
        if v is not None:
            return list(v) if isinstance(v, (list, tuple)) else [v]
    return []


def _layer_activation(layer):
    cls = type(layer).__name__
    if cls in _ACTIVATION_LAYERS:
        return _ACTIVATION_LAYERS[cls], True
    if cls == "Activation":
        return _fn_name(layer.activation), True
    act = getattr(layer, "activation", None)
    if act is None:
        return None, False
    return _fn_name(act), False


def _output_fact(tensor, name):
    """Walk back from an output through Activation/Softmax layers."""
    shape = getattr(tensor, "shape", None)
    units = None
    try:
        last = shape[-1]
        units = int(last) if last is not None else None
    except Exception:
        try:
            units = int(shape[-1].value)
        except Exception:
            units = None
    layer, node_index = _history_layer(tensor)
    applied = []  # outermost first
    decisive = None
    depth = 0
    while layer is not None and depth < 20:
        depth += 1
        act, is_act_layer = _layer_activation(layer)
        applied.append(act)
        if not is_act_layer:
            decisive = layer
            break
        ins = _layer_inputs(layer, node_index)
        if len(ins) != 1:
            decisive = layer
            break
        layer, node_index = _history_layer(ins[0])
    # the output's activation: the outermost one that is not linear
    activation = None
    for a in applied:
        if a is None:
            activation = None
            break
        if a != "linear":
            activation = a
            break
        activation = "linear"
    stacked = [a for a in reversed(applied) if a in _PROBABILITY]
    return {"name": name, "activation": activation, "units": units,
            "layer": getattr(decisive, "name", None),
            "layer_class": type(decisive).__name__ if decisive is not None else None,
            "stacked": stacked}


def _per_output(value, names):
    """Spread a compile() argument over outputs (list, dict or one for all)."""
    n = len(names)
    if isinstance(value, dict):
        return [value.get(nm) for nm in names]
    if isinstance(value, (list, tuple)) and len(value) == n and n > 1:
        return list(value)
    return [value] * n


def _config_of(obj):
    try:
        cfg = obj.get_config()
        return dict((k, v) for k, v in cfg.items()
                    if isinstance(v, (bool, int, float, str)) or v is None)
    except Exception:
        return {}


def _describe_loss(keras, loss):
    if loss is None:
        return None
    if isinstance(loss, str):
        canonical, known = loss, True
        try:
            canonical = _fn_name(keras.losses.get(loss))
        except Exception:
            # Keras 3 accepts 'ce'/'crossentropy' only at the first fit
            known = loss.lower() in ("ce", "crossentropy")
        return {"form": "string", "name": loss, "canonical": canonical, "known": known,
                "from_logits": False, "kwargs": {}}
    if isinstance(loss, type):
        return {"form": "class", "name": loss.__name__, "canonical": _snake(loss.__name__),
                "from_logits": None, "kwargs": {}}
    cls = type(loss).__name__
    if callable(loss) and not hasattr(loss, "get_config"):
        return {"form": "function", "name": _fn_name(loss), "canonical": _fn_name(loss),
                "from_logits": False, "kwargs": {}}
    cfg = _config_of(loss)
    fl = getattr(loss, "from_logits", cfg.get("from_logits"))
    fn = getattr(loss, "fn", None)  # LossFunctionWrapper
    canonical = _fn_name(fn) if (cls == "LossFunctionWrapper" and fn is not None) else _snake(cls)
    kwargs = dict((k, v) for k, v in cfg.items() if k not in ("name", "reduction", "dtype"))
    return {"form": "class", "name": cls, "canonical": canonical,
            "from_logits": None if fl is None else bool(fl), "kwargs": kwargs}


def _describe_metric(keras, metric):
    if isinstance(metric, str):
        canonical = metric
        if metric.lower() in ("acc", "accuracy"):
            canonical = "accuracy"
        else:
            try:
                canonical = _fn_name(keras.metrics.get(metric))
            except Exception:
                pass
        return {"form": "string", "name": metric, "canonical": canonical,
                "threshold": 0.5, "kwargs": {}}
    if callable(metric) and not hasattr(metric, "get_config"):
        return {"form": "function", "name": _fn_name(metric), "canonical": _fn_name(metric),
                "threshold": 0.5, "kwargs": {}}
    cls = type(metric).__name__
    cfg = _config_of(metric)
    fn = getattr(metric, "_fn", None)
    canonical = _fn_name(fn) if (cls == "MeanMetricWrapper" and fn is not None) else _snake(cls)
    thr = cfg.get("threshold", getattr(metric, "threshold", 0.5))
    try:
        thr = float(thr) if thr is not None else None
    except (TypeError, ValueError):
        thr = None
    kwargs = dict((k, v) for k, v in cfg.items() if k not in ("name", "dtype"))
    return {"form": "class", "name": cls, "canonical": canonical,
            "threshold": thr, "kwargs": kwargs}


def _user_metrics(model):
    """The metrics argument as passed to compile()."""
    for attr in ("_compile_metrics",):  # keras 2.3.1: the raw list
        v = getattr(model, attr, None)
        if isinstance(v, (list, tuple, dict)):
            return v
    cm = getattr(model, "_compile_metrics", None)  # Keras 3 CompileMetrics
    if cm is not None and hasattr(cm, "_user_metrics"):
        return cm._user_metrics
    cm = getattr(model, "compiled_metrics", None)  # tf_keras MetricsContainer
    if cm is not None and hasattr(cm, "_user_metrics"):
        return cm._user_metrics
    return None


def _output_names(model, outs):
    try:
        names = list(model.output_names or [])
    except Exception:
        names = []
    if len(names) == len(outs):
        return names
    # Keras 3 Sequential has none: the layer that made the tensor names it
    out = []
    for i, t in enumerate(outs):
        layer = _history_layer(t)[0]
        out.append(getattr(layer, "name", None) or "output_%d" % i)
    return out


def _describe_model(keras, model):
    # An unbuilt Sequential / a subclassed model has no symbolic outputs: the
    # property raises (not only AttributeError), and we report no outputs.
    try:
        outs = list(model.outputs or [])
    except Exception:
        outs = []
    if not outs:
        try:
            outs = [model.output]
        except Exception:
            outs = []
    names = _output_names(model, outs)
    outputs = [_output_fact(t, nm) for t, nm in zip(outs, names)]
    compiled = bool(getattr(model, "compiled", False) or getattr(model, "_is_compiled", False)
                    or getattr(model, "optimizer", None) is not None)
    loss_arg = getattr(model, "loss", None)
    losses = [_describe_loss(keras, l) for l in _per_output(loss_arg, names)] if names else []
    # keras 2.x resolves metrics at compile time: add what 'accuracy' became
    resolved = []
    per_output = getattr(model, "_per_output_metrics", None) or []
    for d in per_output:
        resolved.append([_resolved_name(m)[0] for m in (d or {}).values()])
    metrics_arg = _user_metrics(model)
    metrics = []
    if metrics_arg is not None and names:
        n = len(names)
        is_list = isinstance(metrics_arg, (list, tuple))
        if isinstance(metrics_arg, dict):
            spread = [metrics_arg.get(nm) for nm in names]
        elif is_list and n > 1 and _keras_major(keras) >= 3 and len(metrics_arg) == n:
            # Keras 3: a flat list as long as the outputs is one entry per output
            spread = list(metrics_arg)
        elif is_list and n > 1 and any(isinstance(m, (list, tuple)) for m in metrics_arg):
            spread = list(metrics_arg)
        else:
            # Keras 2: a flat list applies every metric to every output
            spread = [metrics_arg] * len(names)
        for i, ms in enumerate(spread):
            if ms is None:
                ms = []
            if not isinstance(ms, (list, tuple)):
                ms = [ms]
            descs = [_describe_metric(keras, m) for m in ms]
            for j, d in enumerate(descs):
                d["resolved"] = None
                if i < len(resolved) and j < len(resolved[i]):
                    d["resolved"] = resolved[i][j]
            metrics.append(descs)
    else:
        metrics = [[] for _ in names]
    cls = type(model).__name__
    if cls == "Sequential":
        style = "sequential"
    elif getattr(model, "_is_graph_network", False) or cls == "Functional":
        style = "functional"
    else:
        style = "subclassed"
    return {"class": cls, "style": style, "compiled": compiled, "outputs": outputs,
            "losses": losses, "metrics": metrics}


def _is_model(keras, obj):
    try:
        return isinstance(obj, keras.models.Model)
    except Exception:
        return False


def run_import(keras, request):
    for p in reversed(request.get("sys_path") or []):
        if p not in sys.path:
            sys.path.insert(0, p)
    target = request["import"]
    if ":" not in target:
        raise ValueError("import target must be 'module:function', got %r" % target)
    mod_name, fn_name = target.split(":", 1)
    module = importlib.import_module(mod_name)
    fn = module
    for part in fn_name.split("."):
        fn = getattr(fn, part)
    reply = {"import": target, "source_file": None, "line": None}
    try:
        reply["source_file"] = inspect.getsourcefile(fn)
        reply["line"] = inspect.getsourcelines(fn)[1]
    except Exception:
        pass
    caught = []
    logs = _LogCapture()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with logs:
            produced = fn() if callable(fn) else fn
    found = []
    if _is_model(keras, produced):
        found = [produced]
    elif isinstance(produced, dict):
        found = [v for v in produced.values() if _is_model(keras, v)]
    elif isinstance(produced, (list, tuple)):
        found = [v for v in produced if _is_model(keras, v)]
    reply["models"] = [_describe_model(keras, m) for m in found]
    reply["warnings"] = _collect_warnings(caught or [], logs.records)
    return reply


# ---------------------------------------------------------------- main

def main():
    out = _guard_stdout()

    def reply(obj, code):
        out.write(json.dumps(_clean(obj)))
        out.write("\n")
        out.close()
        return code

    try:
        request = json.loads(sys.stdin.read() or "{}")
    except ValueError as exc:
        return reply({"error": "bad request: " + _error_text(exc)}, 2)

    keras, name_or_reason = _import_keras()
    if keras is None:
        sys.stderr.write("kerascheck probe: " + name_or_reason + "\n")
        return reply({"error": "no Keras importable in %s" % sys.executable,
                      "detail": name_or_reason, "python": sys.executable}, 3)

    head = {"probe_version": PROBE_VERSION,
            "keras_version": _keras_version(keras),
            "keras_module": name_or_reason,
            "backend": _backend_name(keras),
            "tensorflow_version": _tensorflow_version(),
            "python_version": platform.python_version(),
            "python": sys.executable}
    if request.get("disable_eager"):
        # Mirrors user code that calls tf.compat.v1.disable_eager_execution():
        # tf.keras / tf_keras then take the graph (training_v1) path, which
        # resolves 'accuracy' by the loss. Keras 3 has no such path.
        try:
            import tensorflow as tf  # here: only a request that disables eager execution needs TensorFlow
            tf.compat.v1.disable_eager_execution()
        except Exception as exc:
            head["disable_eager_error"] = _error_text(exc)
    head["eager"] = _executing_eagerly()
    try:
        if request.get("import"):
            body = run_import(keras, request)
        else:
            body = {"results": run_cases(keras, request)}
    except Exception as exc:
        traceback.print_exc(file=sys.stderr)
        head["error"] = _error_text(exc)
        return reply(head, 4)
    head.update(body)
    return reply(head, 0)


if __name__ == "__main__":
    sys.exit(main())
