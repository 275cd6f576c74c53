"""Rule discovery and the engine that runs rules over facts.

Rules are found by walking this package (as Fixit and refurb do), so adding a
rule is adding a class; there is no hand-kept registry.

Adding a rule with a fix is writing one class, in one place (its family's module):

    class RegressionLossOnClassifier(Rule):
        \"\"\"
        ## What it does ... ## Why is this bad? ... ## Example ... ## Use instead ...
        ## Fix safety
        Unsafe: the loss changes.
        \"\"\"

        code = "KC502"
        name = "regression-loss-on-classifier"
        summary = "A regression loss on a classifier's output"
        fix_safety = "unsafe"
        fires = (...)  # sources that must fire (tests/test_rules.py runs them)
        passes = (...)  # and the traps that must not

        def check_output(self, check):
            loss, output = check.loss, check.output
            if loss is not None and loss.canonical in REGRESSION_LOSSES and output.activation == "softmax":
                yield Report(check.loss_span(), f"{loss_label(loss)} on a "
                                                f"{describe_output(output, check.name_line)}: ...",
                             fix=Fix.unsafe("Use 'categorical_crossentropy'",
                                            ReplaceLoss(loss.span, "categorical_crossentropy")))

The fix is data next to the decision (kerascheck/intents.py lists the changes a fix
is written in: ReplaceMetric, ReplaceLoss, SetArgument, RenameKeyword, RemoveArgument,
ReplaceString, RenameCall, ReplaceCode), aimed at the spans the facts give. Nothing
else is needed: kerascheck/fix/ makes the edits for --fix, --diff, the JSON `fix` and
the editor's quick fixes; the `[*]` marks come from the intent. Add a golden pair
(tests/fixes/NAME.in.py and .out.py, regenerated with KERASCHECK_UPDATE_GOLDEN=1) and
a fixture with `# expect:` comments to test it end to end. A message names lines with
`check.name_line(line)` (a notebook's lines are named by cell), never by hand.

A rule reads one of three kinds of facts: `check_output(OutputCheck)` gets each output of each
compile with its loss and metrics (KC1, KC2), `check_calls(facts, target)` the calls outside
compile (KC3), `check_data(DataCheck)` the data given to known models and the uses of their
predictions (KC4: kerascheck/facts.py, "data").
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache
from typing import Callable, Iterable

from kerascheck.facts import FileFacts
from kerascheck.findings import Finding
from kerascheck.rules.base import DataCheck, OutputCheck, Rule, line_of
from kerascheck.versions import KerasTarget


@lru_cache(maxsize=None)
def all_rules() -> tuple:
    """Every Rule subclass defined in kerascheck.rules.*, sorted by code."""
    found = {}
    for info in pkgutil.iter_modules(__path__, __name__ + "."):
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, Rule) and value is not Rule and value.code:
                found[value] = None
    return tuple(sorted(found, key=lambda rule: rule.code))


def rule_by_code(code: str):
    for rule in all_rules():
        if rule.code == code:
            return rule
    return None


def code_selected(code: str, select: Iterable[str], ignore: Iterable[str]) -> bool:
    """ruff's prefix semantics: the longest matching prefix wins, ignore wins ties."""
    best_select = max((len(p) for p in select if code.startswith(p)), default=-1)
    best_ignore = max((len(p) for p in ignore if code.startswith(p)), default=-1)
    return best_select > best_ignore


def check_file(facts: FileFacts, target: KerasTarget, rules: Iterable = None, name_line: Callable = line_of) -> list:
    """All findings for one file's facts, deduplicated and sorted. `name_line`: how messages name a line of the
    file ('line 17'; in a notebook 'line 4 of cell 6')."""
    rules = [rule() for rule in (rules if rules is not None else all_rules())]
    findings = {}

    def add(rule, report, output=None, fixable=True):
        span = report.span
        key = (rule.code, span.line, span.column)
        if key not in findings:
            findings[key] = Finding(
                path=facts.path, line=span.line, column=span.column, end_line=span.end_line,
                end_column=span.end_column, code=rule.code, name=rule.name, message=report.message,
                fix=report.fix if fixable else None, output=dict(output) if output is not None else None)

    for problem in facts.problems:
        for rule in rules:
            for report in rule.check_problem(problem):
                add(rule, report)
    for compile_fact in facts.compiles:
        for trained in compile_fact.trained:
            check = OutputCheck(compile_fact, trained, target, name_line, facts)
            output = trained.output
            described = {"activation": output.activation, "units": output.units, "line": output.layer_line}
            # A compile in a function whose callers pass different models: a fix there would change it for every
            # caller, and what is right for one is the mistake of another. The finding stands, without a fix.
            fixable = compile_fact.call_site is None
            for rule in rules:
                for report in rule.check_output(check):
                    add(rule, report, described, fixable)
    if facts.model_calls or facts.prediction_uses or facts.compiles:
        data_check = DataCheck(facts, target, name_line)
        for rule in rules:
            for report in rule.check_data(data_check):
                add(rule, report)
    for rule in rules:
        check_calls = getattr(rule, "check_calls", None)
        if check_calls is not None:
            for report in check_calls(facts, target):
                add(rule, report)
    return sorted(findings.values(), key=Finding.sort_key)


def check_unused_noqa(path: str, unused: Iterable, rules: Iterable) -> list:
    """The findings of the rules that judge `# noqa` comments (KC003), for one file's unused directives
    (kerascheck.suppression, which applies `# noqa` and so knows which ones silenced something)."""
    findings = []
    for rule in rules:
        instance = rule()
        for fact in unused:
            for report in instance.check_noqa(fact):
                span = report.span
                findings.append(Finding(path=path, line=span.line, column=span.column, end_line=span.end_line,
                                        end_column=span.end_column, code=rule.code, name=rule.name,
                                        message=report.message, fix=report.fix))
    return findings
