"""Join the runtime pass's results to the static findings.

A static finding the runtime reproduces carries the evidence (Keras version,
the metric 'accuracy' became, the two numbers) as data (`Finding.runtime`), which
every format renders after the rule's message (kerascheck/report/evidence.py): the
message itself is never rewritten. One the runtime does not reproduce stays, with
the runtime's word beside it. What only the runtime sees becomes KC901/KC902/KC903.
"""

from __future__ import annotations

import sys
from typing import Optional

from kerascheck.findings import Finding
from kerascheck.report.evidence import keras_label, measured, units_note
from kerascheck.rules import all_rules, rule_by_code
from kerascheck.runtime.runner import RuntimeProbeError, probe_compiles, probe_targets

# A reported metric this far from the true accuracy is a disagreement.
TOLERANCE = 0.01
DEFAULT_UNITS = 10


def _progress(message: str) -> None:
    if sys.stderr.isatty():
        sys.stderr.write(f"\r\033[Kkerascheck: {message}")
        sys.stderr.flush()


def _progress_done() -> None:
    if sys.stderr.isatty():
        sys.stderr.write("\r\033[K")
        sys.stderr.flush()


def _pos(span) -> tuple:
    return (span.line, span.column)


def _finding(code: str, path: str, span, message: str, runtime: dict) -> Finding:
    rule = rule_by_code(code)
    return Finding(path=path, line=span.line, column=span.column, end_line=span.end_line,
                   end_column=span.end_column, code=code, name=rule.name, message=message, runtime=runtime)


def verify(findings: list, compiles: list, is_selected, python: Optional[str], cache_dir: Optional[str],
           use_cache: bool = True, model_calls: list = ()) -> tuple:
    """Run the probe for every inferred output, and for the targets given to the models; return (findings, header).

    `is_selected(code, path)` says whether a KC9 code is enabled for a file.
    Raises RuntimeProbeError when Keras cannot be run at all.
    """
    _progress(f"runtime check: loading Keras in {python or sys.executable} ...")
    # The static findings whose evidence is the model's own structure (KC501) get a case of their own.
    structure_rules = {rule.code for rule in all_rules() if rule.runtime_evidence == "structure"}
    structural = {(f.path, f.line, f.column) for f in findings if f.code in structure_rules}

    def structure(compile_fact, trained) -> bool:
        span = trained.loss.span if trained.loss is not None else compile_fact.span
        return (compile_fact.path, *_pos(span)) in structural

    try:
        header, results = probe_compiles(compiles, python=python, cache_dir=cache_dir,
                                         default_units=DEFAULT_UNITS, use_cache=use_cache,
                                         structure=structure if structural else None)
    finally:
        _progress_done()
    if model_calls:
        findings, data_header = verify_targets(findings, model_calls, python, cache_dir, use_cache)
        header = header or data_header
    if not results:
        return findings, header
    label = keras_label(header)
    # The static findings the runtime's evidence joins: each rule says which evidence confirms it.
    metric_rules = {rule.code for rule in all_rules() if rule.runtime_evidence == "metric"}
    loss_rules = {rule.code for rule in all_rules() if rule.runtime_evidence == "loss"}
    by_position = {}
    for finding in findings:
        by_position.setdefault((finding.path, finding.line, finding.column), []).append(finding)
    added = []

    for compile_fact, trained, result in results:
        output = trained.output
        base = {"keras_version": header.get("keras_version"), "backend": header.get("backend"),
                "tensorflow_version": header.get("tensorflow_version"), "python": header.get("python"),
                "units": result.get("units"), "static_units": output.units, "task": result.get("task")}
        unknown_units = units_note(base)
        loss_span = trained.loss.span if trained.loss is not None else compile_fact.span
        path = compile_fact.path
        if result.get("kind") == "structure":
            # Keras's own error for the Dense head on unflattened features, or the shapes it broadcast silently;
            # evidence for the static finding only (without one, nothing: the targets were assumed per-sample).
            if result.get("error"):
                evidence = dict(base, error=result["error"], stage=result.get("error_stage"), reproduced=True)
            else:
                evidence = dict(base, broadcast=result.get("shapes"), reproduced=True)
            for finding in by_position.get((path, *_pos(loss_span)), []):
                if finding.code in structure_rules:
                    finding.runtime = evidence
            continue
        if result.get("error"):
            evidence = dict(base, error=result["error"], stage=result.get("error_stage"))
            statics = [f for f in by_position.get((path, *_pos(loss_span)), []) if f.code in loss_rules]
            if statics:
                for finding in statics:
                    finding.runtime = dict(evidence, reproduced=True)
            elif is_selected("KC902", path):
                added.append(_finding("KC902", path, loss_span,
                                      f"on {label}, {result.get('error_stage') or 'running'} this output raised: "
                                      f"{result['error']}{unknown_units}", evidence))
            continue
        for metric_result in result.get("metrics") or []:
            reported, true = metric_result.get("reported"), metric_result.get("true_accuracy")
            ref = metric_result.get("ref")
            if ref is None or ref >= len(trained.metrics):
                continue
            metric = trained.metrics[ref]
            evidence = dict(base, metric=metric_result.get("requested"), resolved=metric_result.get("resolved"),
                            reported=reported, true_accuracy=true, accuracy_kind=result.get("true_accuracy_kind"))
            statics = [f for f in by_position.get((path, *_pos(metric.span)), []) if f.code in metric_rules]
            disagrees = reported is not None and true is not None and abs(reported - true) > TOLERANCE
            if statics:
                for finding in statics:
                    finding.runtime = dict(evidence, reproduced=disagrees)
            elif disagrees and is_selected("KC901", path):
                added.append(_finding("KC901", path, metric.span, f"on {label}, {measured(evidence)}", evidence))
        for warning in result.get("warnings") or []:
            evidence = dict(base, warning=warning)
            statics = [f for f in by_position.get((path, *_pos(loss_span)), []) if f.code in loss_rules]
            if statics:
                for finding in statics:
                    finding.runtime = dict(evidence, reproduced=True)
            elif is_selected("KC903", path):
                added.append(_finding("KC903", path, loss_span, f"{label} warns: {warning}{unknown_units}", evidence))
    merged = findings + added
    merged.sort(key=Finding.sort_key)
    return merged, header


def verify_targets(findings: list, model_calls: list, python: Optional[str], cache_dir: Optional[str],
                   use_cache: bool = True) -> tuple:
    """The data rules' evidence (KC401-KC404): a stand-in fitted on targets encoded as the program's are.

    Keras's error confirms a finding that says it raises; a fit that runs confirms one that says it trains
    silently (with the epoch's numbers), and leaves one that says it raises "not reproduced". The runtime's
    word only joins static findings: nothing new is reported from it.
    """
    _progress(f"runtime check: fitting stand-ins on the program's targets in {python or sys.executable} ...")
    try:
        header, results = probe_targets(model_calls, python=python, cache_dir=cache_dir,
                                        default_units=DEFAULT_UNITS, use_cache=use_cache)
    finally:
        _progress_done()
    data_rules = {rule.code for rule in all_rules() if rule.runtime_evidence == "data"}
    by_position = {}
    for finding in findings:
        if finding.code in data_rules:
            by_position.setdefault((finding.path, finding.line, finding.column), []).append(finding)
    for call, trained, target, result in results:
        span = trained.loss.span if trained.loss is not None else call.span
        statics = by_position.get((getattr(call, "path", None), *_pos(span)), [])
        evidence = {"keras_version": header.get("keras_version"), "backend": header.get("backend"),
                    "tensorflow_version": header.get("tensorflow_version"), "python": header.get("python"),
                    "units": result.get("units"), "static_units": trained.output.units,
                    "target": {"encoding": target.encoding, "classes": target.classes}}
        if result.get("error"):
            evidence.update(error=result["error"], stage=result.get("error_stage"))
        else:
            evidence.update(trained=True, history=result.get("history") or {})
        for finding in statics:
            silent = finding.code == "KC404"
            reproduced = bool(result.get("error")) != silent
            if finding.runtime is None or reproduced:
                finding.runtime = dict(evidence, reproduced=reproduced)
    return findings, header


__all__ = ["verify", "verify_targets", "RuntimeProbeError"]
