"""Fix intents: what a rule says to change, as data, next to its decision.

A rule that has a fix attaches a `Fix` to its report: a message (the title editors
show), a safety (ruff's: `safe` fixes are applied by `--fix`, `unsafe` ones need
`--unsafe-fixes` too) and the changes, each aimed at a source range the facts gave the
rule (a `Span`). kerascheck/fix/ only turns changes into libcst edits: it never
decides whether or what to fix, and it never reads a message. Whether a finding has a
fix (the `[*]` marks, the hidden-fix count) is known from the intent alone, without
computing an edit.

The changes, the vocabulary a rule writes its fix in:

- ReplaceMetric(span, metric, threshold=None): the metric written at span becomes
  `metric` (a canonical name: 'categorical_accuracy'), in the form the code uses: a
  string stays a string, a function a function, an object an object (keeping `name=`
  and `dtype=`); with a threshold, `BinaryAccuracy(threshold=...)`.
- ReplaceLoss(span, loss, from_logits=None): the loss written at span becomes `loss`
  in the form the code uses; with from_logits=True, the loss class with
  `from_logits=True`.
- SetArgument(span, keyword, value, position=None, default=None): the call at span gets
  `keyword=value` (value is code); an argument given positionally at `position` is
  changed in place; set to its `default`, a keyword argument is removed.
- RenameKeyword(span, new): the keyword argument at span is renamed (`nb_epoch=` to
  `epochs=`).
- RemoveArgument(span): the argument at span goes, with its comma.
- ReplaceString(span, value): the string literal at span holds `value` (same quotes).
- RenameCall(span, new, module=None): the callee of the call at span is renamed: an
  attribute's last name (`model.fit_generator` to `model.fit`), or a bare name, reached
  in the file's own import style from Keras's `module` ('layers').
- ReplaceCode(span, template, parts=()): the code at span becomes `template`, where
  `{0}`, `{1}`... are the parts: the source at a `Span` (a keyword argument's value:
  `CallFact.keyword_value_spans`), or a `KerasName` (a Keras name such as
  'optimizers.schedules.InverseTimeDecay', reached in the file's import style, imported
  when needed). Literal braces are doubled, as in str.format. `np.argmax(pred, axis=-1)`
  to `(pred > 0.5).astype(int)` is ReplaceCode(call span, "({0} > 0.5).astype(int)",
  (pred span,)).

- ReplaceText(span, text): the source at span becomes `text`, as written: for what is no
  node of the syntax tree (a comment: KC003 removes the unused codes of a `# noqa`).

A change marked `optional=True` is left out when the file's code is not in a shape it
can be made in (a Keras 1 layer name renamed along with its arguments); any other
change that cannot be made drops the whole fix.

Spans are those of the source that was checked: for a notebook, its code cells joined
(kerascheck/notebooks.py), as the facts are.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Callable, Optional

from kerascheck.facts import Span

SAFE, UNSAFE = "safe", "unsafe"


# ---------------------------------------------------------------------------------------------- parts of code


@dataclass(frozen=True)
class KerasName:
    """A Keras name ('metrics.BinaryAccuracy'), written as the file reaches Keras (imported when needed)."""

    path: str


# ---------------------------------------------------------------------------------------------- changes


@dataclass(frozen=True)
class Change:
    """One change of a fix, at a source range. Subclasses are the vocabulary (see the module's docstring)."""

    span: Span
    optional = False  # a class attribute here; RenameCall makes it a field


@dataclass(frozen=True)
class ReplaceMetric(Change):
    metric: str  # canonical: 'categorical_accuracy', 'binary_accuracy', 'sparse_categorical_accuracy'
    threshold: Optional[float] = None


@dataclass(frozen=True)
class ReplaceLoss(Change):
    loss: str  # canonical: 'binary_crossentropy', 'sparse_categorical_crossentropy', ...
    from_logits: Optional[bool] = None


@dataclass(frozen=True)
class SetArgument(Change):
    keyword: str
    value: str  # code: 'True', '0.0'
    position: Optional[int] = None  # where the argument may be given positionally (0: first)
    default: Optional[str] = None  # the value that needs no keyword: set to it, a keyword argument goes


@dataclass(frozen=True)
class RenameKeyword(Change):
    new: str


@dataclass(frozen=True)
class RemoveArgument(Change):
    pass


@dataclass(frozen=True)
class ReplaceString(Change):
    value: str


@dataclass(frozen=True)
class RenameCall(Change):
    new: str
    module: Optional[str] = None  # the Keras module a bare name is reached from ('layers'); None: a method
    optional: bool = False  # left out, not the whole fix, when the file's imports cannot reach `new`


@dataclass(frozen=True)
class ReplaceCode(Change):
    template: str
    parts: tuple = ()  # Span or KerasName, for {0}, {1}, ...


@dataclass(frozen=True)
class ReplaceText(Change):
    text: str  # as it is written: what replaces the source at span


CHANGES = (ReplaceMetric, ReplaceLoss, SetArgument, RenameKeyword, RemoveArgument, ReplaceString, RenameCall,
           ReplaceCode, ReplaceText)


# ---------------------------------------------------------------------------------------------- a fix


@dataclass(frozen=True)
class Fix:
    """What a rule says to change about one finding: a message, a safety and the changes."""

    message: str  # what the fix does, as an editor's quick fix title: "Replace 'accuracy' with 'categorical_accuracy'"
    safety: str  # SAFE or UNSAFE
    changes: tuple  # Change, ...

    @classmethod
    def safe(cls, message: str, *changes: Change) -> "Fix":
        return cls(message, SAFE, tuple(changes))

    @classmethod
    def unsafe(cls, message: str, *changes: Change) -> "Fix":
        return cls(message, UNSAFE, tuple(changes))

    def applicable(self, unsafe: bool) -> bool:
        """Applied by --fix: safe fixes always, unsafe ones with --unsafe-fixes."""
        return self.safety == SAFE or (unsafe and self.safety == UNSAFE)

    def spans(self) -> list:
        """Every source range the fix touches or reads."""
        found = []
        for change in self.changes:
            found.append(change.span)
            if isinstance(change, ReplaceCode):
                found.extend(part for part in change.parts if isinstance(part, Span))
        return found

    def moved(self, line: Callable) -> "Fix":
        """The same fix with the lines of every span mapped by `line` (a notebook's cells joined another way)."""

        def move(span: Span) -> Span:
            return Span(line(span.line), span.column, line(span.end_line), span.end_column)

        changes = []
        for change in self.changes:
            moved = replace(change, span=move(change.span))
            if isinstance(change, ReplaceCode):
                moved = replace(moved, parts=tuple(move(part) if isinstance(part, Span) else part
                                                   for part in change.parts))
            changes.append(moved)
        return Fix(self.message, self.safety, tuple(changes))

    # JSON (the results cache), as plain lists and dicts.

    def to_json(self) -> dict:
        return {"message": self.message, "safety": self.safety, "changes": [_change_to_json(c) for c in self.changes]}

    @classmethod
    def from_json(cls, data: dict) -> "Fix":
        return cls(data["message"], data["safety"], tuple(_change_from_json(item) for item in data["changes"]))


_BY_KIND = {change.__name__: change for change in CHANGES}


def _span_to_json(span: Span) -> list:
    return [span.line, span.column, span.end_line, span.end_column]


def _part_to_json(part) -> dict:
    if isinstance(part, Span):
        return {"span": _span_to_json(part)}
    return {"keras": part.path}


def _part_from_json(data: dict):
    if "span" in data:
        return Span(*data["span"])
    return KerasName(data["keras"])


def _change_to_json(change: Change) -> dict:
    data = {"kind": type(change).__name__}
    for item in fields(change):
        value = getattr(change, item.name)
        if item.name == "span":
            value = _span_to_json(value)
        elif item.name == "parts":
            value = [_part_to_json(part) for part in value]
        data[item.name] = value
    return data


def _change_from_json(data: dict) -> Change:
    data = dict(data)
    kind = _BY_KIND[data.pop("kind")]
    data["span"] = Span(*data["span"])
    if "parts" in data:
        data["parts"] = tuple(_part_from_json(part) for part in data["parts"])
    return kind(**data)
