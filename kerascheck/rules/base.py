"""What a rule is. Rules are small pure functions of facts; they never see syntax."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Iterable, Optional

from kerascheck import knowledge
from kerascheck.facts import CompileFact, FileFacts, FileProblem, MetricFact, OutputFact, Span, TrainedOutput
from kerascheck.intents import Fix, ReplaceMetric
from kerascheck.versions import KerasTarget

DOC_SECTIONS = ("What it does", "Why is this bad?", "Example", "Use instead", "Fix safety")


@dataclass(frozen=True)
class Report:
    """What a rule says: where, what, and what to change (kerascheck/intents.py). The engine adds path, code and
    name."""

    span: Span
    message: str
    fix: Optional[Fix] = None


def line_of(line: int) -> str:
    """How a message names a line of the file: 'line 17' (a notebook's: 'line 4 of cell 6', kerascheck/notebooks.py)."""
    return f"line {line}"


@dataclass(frozen=True)
class OutputCheck:
    """One output of one compile, with the loss and metrics that apply to it."""

    compile: CompileFact
    trained: TrainedOutput
    target: KerasTarget
    name_line: Callable = line_of  # how messages name a line of this file
    file: Optional[FileFacts] = None  # the file's other facts (its model calls, what it sets for the whole file)

    @property
    def output(self) -> OutputFact:
        return self.trained.output

    @property
    def loss(self):
        return self.trained.loss

    @property
    def metrics(self) -> list:
        return self.trained.metrics

    @property
    def model_calls(self) -> list:
        """The fit/evaluate/predict... calls of the model this compile compiled (ModelCallFact.compile_span)."""
        if self.file is None:
            return []
        return [call for call in self.file.model_calls if call.compile_span == self.compile.span]

    def loss_span(self) -> Span:
        """KC2 findings sit on the loss argument, else on the compile( call."""
        return self.loss.span if self.loss is not None else self.compile.span


@dataclass(frozen=True)
class DataCheck:
    """A file's data facts (kerascheck/facts.py, "data"): the calls that give a known model data, and the uses of its
    predictions. What the KC4 rules read."""

    facts: FileFacts
    target: KerasTarget
    name_line: Callable = line_of

    @property
    def model_calls(self) -> list:
        return self.facts.model_calls

    @property
    def prediction_uses(self) -> list:
        return self.facts.prediction_uses


class Rule:
    """Base class. Subclasses set code/name/summary and override one check method.

    The class docstring holds the rule's documentation in ruff's sections
    (DOC_SECTIONS, as `## Heading` blocks): it feeds `kerascheck rule`, the
    generated docs/rules.md and SARIF help.
    """

    code: str = ""
    name: str = ""
    summary: str = ""
    fix_safety: Optional[str] = None  # 'safe', 'unsafe' or None (no fix)
    # What of the runtime pass (--runtime) confirms a finding at the same place: 'metric' (what the metric it
    # reports on measured), 'loss' (the error or warning Keras gives for the output's loss), 'structure' (what Keras
    # does with the output's Dense head applied to the unflattened tensor it is given: KC501), None (nothing).
    runtime_evidence: Optional[str] = None
    # Test cases next to the rule: sources that must fire / must not fire. A
    # source may start with '# kerascheck: keras-version=...'.
    fires: tuple = ()
    passes: tuple = ()

    def check_output(self, check: OutputCheck) -> Iterable[Report]:
        return ()

    def check_problem(self, problem: FileProblem) -> Iterable[Report]:
        return ()

    def check_data(self, check: DataCheck) -> Iterable[Report]:
        """The file's data facts against its models (KC4)."""
        return ()

    def check_noqa(self, unused) -> Iterable[Report]:
        """`unused`: a kerascheck.suppression.UnusedNoqa (a `# noqa` comment's KC codes that silenced nothing)."""
        return ()

    @classmethod
    def docs(cls) -> dict:
        """The docstring's sections: heading -> text."""
        text = cls.__doc__ or ""
        sections = {}
        parts = re.split(r"^\s*## (.+?)\s*$", text, flags=re.MULTILINE)
        for heading, body in zip(parts[1::2], parts[2::2]):
            lines = body.strip("\n").splitlines()
            indent = min((len(l) - len(l.lstrip()) for l in lines if l.strip()), default=0)
            sections[heading.strip()] = "\n".join(l[indent:] for l in lines).strip()
        return sections


# ------------------------------------------------------------ shared wording


def describe_output(output: OutputFact, name_line: Callable = line_of) -> str:
    """'softmax output (line 17, 10 units)'; 'softmax output (models/cnn.py:17, 10 units)' for another module's layer."""
    activation = output.activation or "unknown-activation"
    details = []
    if output.layer_line is not None:
        layer_path = getattr(output, "layer_path", None)  # the layer is in an imported module of the project
        details.append(f"{layer_path}:{output.layer_line}" if layer_path else name_line(output.layer_line))
    if output.units is None:
        details.append("unknown units")
    else:
        details.append(f"{output.units} unit" + ("s" if output.units != 1 else ""))
    call_site = getattr(output, "call_site", None)
    if call_site is not None:
        details.append(f"the model passed at {name_line(call_site)}")
    name = f" '{output.name}'" if output.name else ""
    return f"{activation} output{name} ({', '.join(details)})"


def is_bare_accuracy(metric: MetricFact, target: KerasTarget) -> bool:
    """'accuracy'/'acc', or 'Accuracy' on a Keras that lower-cases metric strings."""
    if metric.string is None:
        return False
    if metric.string in knowledge.BARE_ACCURACY_STRINGS:
        return True
    return metric.string.lower() in knowledge.BARE_ACCURACY_STRINGS and target.metric_strings_case_sensitive is False


def is_sigmoid_multilabel(output: OutputFact) -> bool:
    return output.activation in knowledge.SIGMOID_LIKE and output.units is not None and output.units >= 2


def is_softmax_multiclass(output: OutputFact, unknown_units_count: bool) -> bool:
    if output.activation != "softmax":
        return False
    if output.units is None:
        return unknown_units_count
    return output.units > 2


def loss_label(loss) -> str:
    return loss.string if loss.string is not None else (loss.canonical or loss.spelling)


# ------------------------------------------------------------ shared fixes


def replace_metric_fix(metric: MetricFact, new: str) -> Fix:
    """Unsafe: the metric written at `metric.span` becomes `new` (canonical), in the form the code uses."""
    if metric.form == "string":
        message = f"Replace {metric.spelling} with '{new}'"
    elif metric.form == "class":
        message = f"Replace with {knowledge.METRIC_CLASSES.get(new, new)}()"
    else:
        message = f"Replace with {new}"
    return Fix.unsafe(message, ReplaceMetric(metric.span, new))


def threshold_fix(metric: MetricFact, threshold: float = 0.0) -> Fix:
    """Unsafe: the metric becomes BinaryAccuracy(threshold=...)."""
    return Fix.unsafe(f"Replace with BinaryAccuracy(threshold={threshold})",
                      ReplaceMetric(metric.span, "binary_accuracy", threshold=threshold))
