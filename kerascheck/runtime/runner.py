"""kerascheck side of the runtime pass: facts -> probe cases -> real Keras -> results.

The probe (``probe.py`` beside this file) runs in the interpreter that has the
user's Keras, which need not be the one running kerascheck; we talk to it
through one subprocess per call, JSON in and JSON out.

Public API (see each docstring):

- ``cases_from_compile(compile_fact, default_units=10, id_prefix="t")``
- ``run_probe(cases, python=sys.executable, timeout=...)`` - always runs Keras
- ``probe_cases(cases, python=..., cache_dir=...)`` - the same reply, cached
- ``probe_compiles(compile_facts, python=..., cache_dir=...)`` - both of the above
- ``run_import(target, sys_path=(), python=...)`` - opt-in, executes user code
- ``facts_from_live_model(reply)`` - import-mode reply -> ``CompileFact``s
- ``RuntimeProbeError`` - anything the user has to fix (no Keras, crash, timeout)
"""

import json
import os
import re
import subprocess
import sys

from kerascheck import knowledge
from kerascheck.facts import CompileFact, LossFact, MetricFact, OutputFact, Span, TrainedOutput
from kerascheck.runtime.cache import (PROBE_PATH, FingerprintError, ProbeCache,
                                      interpreter_fingerprint)
from kerascheck.versions import from_distributions

DEFAULT_TIMEOUT = 300.0  # TF import ~3 s + ~0.5 s per case; generous for slow CI

# How many probe subprocesses this process started (tests use it to prove that a
# warm cache does not start Keras).
PROBE_STARTS = 0


def keras_target(python=None):
    """The Keras `python` runs (a KerasTarget, None when it has none), read from its installed distributions
    without importing Keras: with ``--runtime --python PY``, what the static rules judge by unless a target was
    set explicitly."""
    python = python or sys.executable
    try:
        installed = interpreter_fingerprint(python)
    except FingerprintError as exc:
        raise RuntimeProbeError("runtime check: %s" % exc)
    legacy = str(installed.get("TF_USE_LEGACY_KERAS") or "").lower() in ("1", "true", "yes")
    return from_distributions(installed, "the Keras in %s" % python, legacy_keras=legacy)


class RuntimeProbeError(Exception):
    """The runtime pass could not run. ``str(err)`` is meant for the user."""

    def __init__(self, message, detail=None, returncode=None):
        Exception.__init__(self, message)
        self.message = message
        self.detail = detail  # the probe's stderr tail, for --verbose
        self.returncode = returncode


# ---------------------------------------------------------------- subprocess

def _probe_env():
    env = dict(os.environ)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TF's C++ banner is pure noise here
    env.setdefault("PYTHONIOENCODING", "utf-8")
    return env


def run_probe_request(request, python=None, timeout=DEFAULT_TIMEOUT):
    """Send one raw request to the probe and return its reply (a dict)."""
    global PROBE_STARTS
    python = python or sys.executable
    PROBE_STARTS += 1
    try:
        proc = subprocess.run([python, PROBE_PATH], input=json.dumps(request).encode("utf-8"),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              env=_probe_env(), timeout=timeout)
    except FileNotFoundError:
        raise RuntimeProbeError("runtime check: Python interpreter not found: %s" % python)
    except PermissionError:
        raise RuntimeProbeError("runtime check: cannot execute %s" % python)
    except subprocess.TimeoutExpired as exc:
        tail = (exc.stderr or b"").decode("utf-8", "replace")[-2000:]
        raise RuntimeProbeError("runtime check: Keras did not answer within %.0f s (%s)"
                                % (timeout, python), detail=tail)
    stderr = proc.stderr.decode("utf-8", "replace")
    tail = stderr[-4000:]
    try:
        reply = json.loads(proc.stdout.decode("utf-8", "replace"))
    except ValueError:
        last = [ln for ln in stderr.strip().splitlines() if ln.strip()][-1:] or ["no output"]
        raise RuntimeProbeError("runtime check: the Keras probe crashed in %s (exit %s): %s"
                                % (python, proc.returncode, last[0]),
                                detail=tail, returncode=proc.returncode)
    if proc.returncode == 3:
        raise RuntimeProbeError(
            "runtime check: %s; install Keras there or pass the interpreter that has it"
            % reply.get("error", "no Keras importable in %s" % python),
            detail=reply.get("detail") or tail, returncode=3)
    if proc.returncode != 0 or reply.get("error"):
        raise RuntimeProbeError("runtime check failed in %s: %s"
                                % (python, reply.get("error", "exit %s" % proc.returncode)),
                                detail=tail, returncode=proc.returncode)
    reply["stderr_tail"] = tail
    return reply


def run_probe(cases, python=None, timeout=DEFAULT_TIMEOUT, default_units=10, seed=0, batch=64,
              disable_eager=False):
    """Run ``cases`` in one probe process (Keras imported once); no cache.

    ``disable_eager=True`` mirrors code that calls
    ``tf.compat.v1.disable_eager_execution()`` (tf.keras/tf_keras graph mode).

    Returns the probe reply: ``{"keras_version", "keras_module", "backend",
    "tensorflow_version", "python_version", "python", "eager", "probe_version",
    "results": [...one per case, same order...], "stderr_tail"}``.
    """
    request = {"cases": list(cases), "default_units": default_units, "seed": seed, "batch": batch,
               "disable_eager": bool(disable_eager)}
    return run_probe_request(request, python=python, timeout=timeout)


_HEADER_KEYS = ("probe_version", "keras_version", "keras_module", "backend",
                "tensorflow_version", "python_version", "python", "eager",
                "disable_eager_error")


def probe_cases(cases, python=None, cache_dir=None, timeout=DEFAULT_TIMEOUT, default_units=10,
                seed=0, batch=64, use_cache=True, disable_eager=False):
    """``run_probe`` behind the on-disk cache: only uncached cases reach Keras.

    The reply has the shape of ``run_probe``'s, plus ``"cached"`` / ``"probed"``
    counts; each result carries ``"cached": true|false``. When every case is
    cached no Keras process starts (one cheap ``python -c`` reads versions).
    """
    python = python or sys.executable
    cases = list(cases)
    settings = {"default_units": default_units, "seed": seed, "batch": batch,
                "disable_eager": bool(disable_eager)}
    if not cases:
        return {"results": [], "cached": 0, "probed": 0}
    cache = ProbeCache(cache_dir) if use_cache else None
    keys = [None] * len(cases)
    results = [None] * len(cases)
    header = None
    if cache is not None:
        try:
            fp = interpreter_fingerprint(python)
        except FingerprintError as exc:
            raise RuntimeProbeError("runtime check: %s" % exc)
        for i, case in enumerate(cases):
            keys[i] = cache.key(case, fp, settings)
            hit = cache.get(keys[i])
            if hit is not None:
                header = hit.get("header")
                res = dict(hit["result"])
                res["id"] = case.get("id")  # ids are positions, not part of the key
                res["cached"] = True
                results[i] = res
    todo = [i for i in range(len(cases)) if results[i] is None]
    if todo:
        reply = run_probe([cases[i] for i in todo], python=python, timeout=timeout,
                          default_units=default_units, seed=seed, batch=batch,
                          disable_eager=disable_eager)
        header = dict((k, reply.get(k)) for k in _HEADER_KEYS)
        got = reply.get("results") or []
        if len(got) != len(todo):
            raise RuntimeProbeError("runtime check: the Keras probe answered %d of %d cases"
                                    % (len(got), len(todo)), detail=reply.get("stderr_tail"))
        for i, res in zip(todo, got):
            res = dict(res)
            if cache is not None:
                stored = dict(res)
                stored.pop("cached", None)
                cache.put(keys[i], {"header": header, "result": stored})
            res["cached"] = False
            results[i] = res
    out = dict(header or {})
    out["results"] = results
    out["cached"] = len(cases) - len(todo)
    out["probed"] = len(todo)
    return out


# ---------------------------------------------------------------- facts -> cases

_CROSSENTROPY_LIKE = ("binary_crossentropy", "binary_focal_crossentropy",
                      "categorical_crossentropy", "categorical_focal_crossentropy",
                      "sparse_categorical_crossentropy", "hinge", "squared_hinge",
                      "categorical_hinge", "crossentropy", "ce", "poisson",
                      "kl_divergence")
_PROBABILITY = ("softmax", "sigmoid", "hard_sigmoid", "log_softmax")


def _snake(name):
    s = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", s)
    return s.lower()


def _camel(name):
    return "".join(p[:1].upper() + p[1:] for p in name.split("_"))


def _loss_key(loss):
    """A normalised name for deciding the task: 'binary_crossentropy', ..."""
    if loss.canonical:
        return loss.canonical
    for raw in (loss.name, loss.string):
        if raw:
            name = str(raw).split(".")[-1]
            return knowledge.canonical_loss(name) or _snake(name)
    return None


def _task(output, loss, default_units):
    """(task, units) for the stand-in, or (None, None) to skip the output."""
    act = output.activation
    if act is None:
        return None, None  # unknown activation: nothing trustworthy to mirror
    units = output.units
    if units is None:
        if act != "softmax":
            # softmax with unknown units is "more than 2" for the rules (KC101/KC201);
            # for any other activation 1 vs many changes the verdict, so skip.
            return None, None
        units = default_units
    key = _loss_key(loss) or ""
    sparse = key == "sparse_categorical_crossentropy"
    categorical = key in ("categorical_crossentropy", "categorical_focal_crossentropy",
                          "categorical_hinge")
    binary = key in ("binary_crossentropy", "binary_focal_crossentropy", "hinge",
                     "squared_hinge")
    if units == 1:
        if act in _PROBABILITY or key in _CROSSENTROPY_LIKE:
            return "binary", 1
        return "regression", 1
    if act in ("softmax", "log_softmax"):
        return ("sparse" if sparse else "multiclass"), units
    if act in ("sigmoid", "hard_sigmoid"):
        return ("sparse" if sparse else "multilabel"), units
    # linear / relu / tanh / ...: the loss says what the targets look like
    if sparse:
        return "sparse", units
    if categorical:
        return "multiclass", units
    if binary:
        return "multilabel", units
    return "regression", units


def _loss_spec(loss):
    form = loss.form or "string"
    if form == "string":
        name = loss.string or loss.name or loss.canonical
    elif form == "function":
        name = loss.name or loss.canonical
    else:
        name = loss.name or (_camel(loss.canonical) if loss.canonical else None)
    if not name:
        return None
    kwargs = dict(loss.kwargs or {}) if form == "class" else {}
    if form == "class" and loss.from_logits and "from_logits" not in kwargs:
        kwargs["from_logits"] = True
    return {"form": form, "name": str(name).split(".")[-1] if form != "string" else name,
            "kwargs": kwargs}


def _metric_spec(metric, index):
    form = metric.form or "string"
    if form == "string":
        name = metric.string or metric.name or metric.canonical
    elif form == "function":
        name = metric.name or metric.canonical
    else:
        name = metric.name or (_camel(metric.canonical) if metric.canonical else None)
    if not name:
        return None
    kwargs = dict(metric.kwargs or {}) if form == "class" else {}
    if (form == "class" and metric.threshold is not None and metric.threshold != 0.5
            and "threshold" not in kwargs):
        kwargs["threshold"] = metric.threshold
    return {"form": form, "name": str(name).split(".")[-1] if form != "string" else name,
            "kwargs": kwargs, "ref": index}


def cases_from_compile(compile_fact, default_units=10, id_prefix="t"):
    """Probe cases for one ``CompileFact``: one case per trained output.

    A case id is ``"<id_prefix><index in compile_fact.trained>"``; each metric
    spec carries ``"ref"``: its index in that output's ``metrics`` list (the
    probe echoes it back), so results map back to facts exactly.

    Skipped (no case): outputs with unknown activation; unknown units unless
    softmax (then ``default_units``); no loss or a loss with no name; a linear
    output whose ``from_logits`` is unknown (the truth threshold depends on it).
    Metrics with no name are left out of the case.
    """
    return [case for _i, case in _indexed_cases(compile_fact, default_units, id_prefix)]


def _indexed_cases(compile_fact, default_units, id_prefix):
    cases = []
    for i, trained in enumerate(compile_fact.trained):
        output, loss = trained.output, trained.loss
        if loss is None:
            continue
        task, units = _task(output, loss, default_units)
        if task is None:
            continue
        if loss.from_logits is None and output.activation == "linear":
            continue
        lspec = _loss_spec(loss)
        if lspec is None:
            continue
        metrics = []
        for j, m in enumerate(trained.metrics or []):
            spec = _metric_spec(m, j)
            if spec is not None:
                metrics.append(spec)
        # A fused Dense(units, activation) stands in for every spelling: Keras's
        # checks look at the op that made the tensor, which is the same.
        cases.append((i, {
            "id": "%s%d" % (id_prefix, i),
            "units": units,
            "activation": output.activation,
            "task": task,
            "loss": lspec,
            "metrics": metrics,
        }))
    return cases


def _structure_case(trained, default_units, case_id):
    """A KC501 case: the output's Dense head applied to the unflattened tensor it is given in the model, evaluated
    with per-sample targets. None when the head is not such a Dense or the output cannot be mirrored."""
    output, loss = trained.output, trained.loss
    head = output.head
    if loss is None or head is None or head.kind != "Dense" or head.input_shape is None or \
            len(head.input_shape) < 3:
        return None
    task, units = _task(output, loss, default_units)
    lspec = _loss_spec(loss)
    if task is None or lspec is None or (loss.from_logits is None and output.activation == "linear"):
        return None
    # Unknown sizes do not change what Keras does with the extra axes: any small size stands in.
    sizes = [size if isinstance(size, int) and size > 0 else 4 for size in head.input_shape[1:]]
    return {"id": case_id, "units": units, "activation": output.activation, "task": task, "loss": lspec,
            "metrics": [], "head_input": sizes}


def probe_compiles(compile_facts, python=None, cache_dir=None, timeout=DEFAULT_TIMEOUT,
                   default_units=10, use_cache=True, disable_eager=False, structure=None):
    """Run every output of every compile in one (cached) probe call.

    Returns ``(header, findings_input)`` where header is the Keras stack
    ({"keras_version", "backend", ...}) and findings_input is a list of
    ``(compile_fact, trained_output, result)``, result being one probe result
    (see probe.py), with ``result["metrics"][k]["ref"]`` = index into
    ``trained_output.metrics``. ``structure(compile_fact, trained_output)``, when
    given, says which outputs also get a KC501 case (their Dense head applied to the
    unflattened tensor, per-sample targets): its result has ``"kind": "structure"``.
    """
    all_cases = []
    owners = []
    for ci, cf in enumerate(compile_facts):
        for i, case in _indexed_cases(cf, default_units, "c%d.t" % ci):
            all_cases.append(case)
            owners.append((cf, cf.trained[i], "output"))
        if structure is None:
            continue
        for i, trained in enumerate(cf.trained):
            case = _structure_case(trained, default_units, "c%d.s%d" % (ci, i)) if structure(cf, trained) else None
            if case is not None:
                all_cases.append(case)
                owners.append((cf, trained, "structure"))
    if not all_cases:
        return {}, []
    reply = probe_cases(all_cases, python=python, cache_dir=cache_dir, timeout=timeout,
                        default_units=default_units, use_cache=use_cache,
                        disable_eager=disable_eager)
    header = dict((k, v) for k, v in reply.items() if k != "results")
    return header, [(cf, t, dict(r, kind=kind)) for (cf, t, kind), r in zip(owners, reply["results"])]


# ---------------------------------------------------------------- data facts -> target cases

_TARGET_METHODS = ("fit", "evaluate", "train_on_batch", "test_on_batch", "fit_generator", "evaluate_generator")


def data_cases(model_calls, default_units=10, id_prefix="d"):
    """Probe cases for the targets the program gives its models (KC401-KC404): for each call that trains or
    evaluates a single-output model on targets of known encoding, a stand-in with the same output, loss and
    metrics, fitted on synthetic targets of that encoding and number of classes.

    Returns [(call, trained output, target fact, case)]. Skipped like ``cases_from_compile``: an unknown
    activation or loss, unknown units (but softmax: ``default_units``); and targets whose encoding is not
    one-hot or integer labels.
    """
    found, seen = [], set()
    for call in model_calls:
        if call.method not in _TARGET_METHODS or len(call.trained) != 1 or len(call.outputs) > 1:
            continue
        trained = call.trained[0]
        output, loss = trained.output, trained.loss
        if loss is None or output.activation is None:
            continue
        units = output.units if output.units is not None else (default_units if output.activation == "softmax"
                                                                else None)
        lspec = _loss_spec(loss)
        if units is None or lspec is None:
            continue
        metrics = [spec for spec in (_metric_spec(m, j) for j, m in enumerate(trained.metrics or []))
                   if spec is not None]
        for target in call.targets:
            if target.encoding not in ("one_hot", "integer"):
                continue
            classes = target.classes or (units if target.encoding == "one_hot" else default_units)
            label_shape = list(target.shape[1:]) if target.encoding == "integer" and target.shape else []
            if any(size is None for size in label_shape):
                continue
            case = {"units": units, "activation": output.activation, "task": "sparse", "loss": lspec,
                    "metrics": metrics,
                    "target": {"encoding": target.encoding, "classes": classes, "label_shape": label_shape}}
            key = json.dumps(case, sort_keys=True) + repr((getattr(call, "path", None), loss.span))
            if key in seen:
                continue
            seen.add(key)
            case["id"] = "%s%d" % (id_prefix, len(found))
            found.append((call, trained, target, case))
    return found


def probe_targets(model_calls, python=None, cache_dir=None, timeout=DEFAULT_TIMEOUT, default_units=10,
                  use_cache=True):
    """``data_cases`` run in one (cached) probe call: (header, [(call, trained, target, result)])."""
    found = data_cases(model_calls, default_units)
    if not found:
        return {}, []
    reply = probe_cases([case for *_, case in found], python=python, cache_dir=cache_dir, timeout=timeout,
                        default_units=default_units, use_cache=use_cache)
    header = dict((k, v) for k, v in reply.items() if k != "results")
    return header, [(call, trained, target, result)
                    for (call, trained, target, _), result in zip(found, reply["results"])]


# ---------------------------------------------------------------- import mode

def run_import(target, sys_path=(), python=None, timeout=DEFAULT_TIMEOUT):
    """Opt-in: import ``module:function`` in ``python``, call it, read live facts.

    THIS EXECUTES USER CODE. Returns the probe reply ({"models": [...], ...}).
    """
    request = {"import": target, "sys_path": [os.path.abspath(p) for p in sys_path]}
    return run_probe_request(request, python=python, timeout=timeout)


def _span(line):
    line = int(line or 1)
    return Span(line, 1, line, 1)


def _loss_fact(desc, span):
    if desc is None:
        return None
    form, name = desc.get("form"), desc.get("name")
    kwargs = dict(desc.get("kwargs") or {})
    if form == "string":
        spelling = repr(name)
    elif form == "class":
        spelling = "%s(%s)" % (name, "from_logits=True" if desc.get("from_logits") else "")
    else:
        spelling = str(name)
    return LossFact(canonical=desc.get("canonical"), spelling=spelling, span=span,
                    string=name if form == "string" else None,
                    from_logits=desc.get("from_logits"),
                    known_name=bool(desc.get("known", True)),
                    form=form, name=name, kwargs=kwargs)


def _metric_fact(desc, span):
    form, name = desc.get("form"), desc.get("name")
    spelling = repr(name) if form == "string" else ("%s()" % name if form == "class" else str(name))
    return MetricFact(canonical=desc.get("canonical"), spelling=spelling, span=span,
                      string=name if form == "string" else None,
                      threshold=desc.get("threshold"), form=form, name=name,
                      kwargs=dict(desc.get("kwargs") or {}))


def facts_from_live_model(reply):
    """Turn an import-mode reply into ``CompileFact``s (``source='runtime'``).

    One CompileFact per compiled model; its path is the factory's source file
    (else the import target) and its span the factory's ``def`` line, since a
    live model has no source position of its own.
    """
    path = reply.get("source_file") or reply.get("import") or "<runtime>"
    span = _span(reply.get("line"))
    facts = []
    for model in reply.get("models") or []:
        if not model.get("compiled"):
            continue
        outputs = model.get("outputs") or []
        losses = model.get("losses") or []
        metrics = model.get("metrics") or []
        trained = []
        for k, out in enumerate(outputs):
            of = OutputFact(name=out.get("name"), activation=out.get("activation"),
                            units=out.get("units"), layer_line=None,
                            stacked=tuple(out.get("stacked") or ()))
            loss = _loss_fact(losses[k] if k < len(losses) else None, span)
            ms = [_metric_fact(d, span) for d in (metrics[k] if k < len(metrics) else [])]
            trained.append(TrainedOutput(output=of, loss=loss, metrics=ms))
        facts.append(CompileFact(path=path, span=span, model_style=model.get("style"),
                                 trained=trained, source="runtime"))
    return facts
