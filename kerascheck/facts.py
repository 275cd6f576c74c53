"""Facts about Keras models, as extraction (static or runtime) finds them.

Rules read only these classes, never syntax. ``None`` always means "unknown":
a rule must not fire on an unknown fact unless the rule says otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional


@dataclass(frozen=True)
class Span:
    """A source range. Lines and columns are 1-based; end is exclusive."""

    line: int
    column: int
    end_line: int
    end_column: int


@dataclass(frozen=True)
class Activation:
    """One activation applied to an output, where it was written."""

    name: Optional[str]  # 'softmax', 'sigmoid', 'linear', 'relu', ...; None if unknown
    line: int
    span: Optional[Span] = None


@dataclass
class OutputFact:
    """One model output: the tensor a loss is applied to."""

    name: Optional[str] = None
    activation: Optional[str] = None  # canonical name; 'linear' when none is applied
    units: Optional[int] = None
    layer_line: Optional[int] = None  # line of the layer that decides activation/units
    # Probability activations stacked on the same output, in order (for KC208).
    stacked: tuple = ()

    @property
    def is_known(self) -> bool:
        return self.activation is not None or self.units is not None


@dataclass
class LossFact:
    """A loss as written in compile()."""

    canonical: Optional[str]  # e.g. 'binary_crossentropy'; None if unknown
    spelling: str  # the source text, for messages
    span: Span
    string: Optional[str] = None  # the literal when written as a string
    from_logits: Optional[bool] = False  # unset means False; None if unknown
    from_logits_span: Optional[Span] = None
    known_name: bool = True  # False when a string Keras does not know (KC209)
    form: Optional[str] = None  # 'string', 'function' or 'class' (an instance); None if unknown
    name: Optional[str] = None  # the Keras name as written: 'bce', 'binary_crossentropy', 'BinaryCrossentropy'
    kwargs: dict = field(default_factory=dict)  # literal keyword arguments of a class instance


@dataclass
class MetricFact:
    """One metric as written in compile()."""

    canonical: Optional[str]  # 'accuracy' for the bare string, 'binary_accuracy', ...
    spelling: str
    span: Span
    string: Optional[str] = None  # the literal when written as a string
    threshold: Optional[float] = 0.5  # BinaryAccuracy(threshold=...); None if unknown
    form: Optional[str] = None  # 'string', 'function' or 'class' (an instance); None if unknown
    name: Optional[str] = None  # the Keras name as written: 'acc', 'binary_accuracy', 'AUC'
    kwargs: dict = field(default_factory=dict)  # literal keyword arguments of a class instance


@dataclass
class TrainedOutput:
    """An output with the loss and metrics that apply to it."""

    output: OutputFact
    loss: Optional[LossFact]
    metrics: list = field(default_factory=list)  # list[MetricFact]


@dataclass
class CompileFact:
    """One compile() of a Keras model."""

    path: str
    span: Span  # the compile( call
    model_style: Optional[str]  # 'sequential', 'functional', 'subclassed' or None
    trained: list = field(default_factory=list)  # list[TrainedOutput]
    # Where the facts came from: 'static' or 'runtime'.
    source: str = "static"

    @property
    def outputs(self) -> list:
        return [t.output for t in self.trained]


@dataclass
class FileProblem:
    """The file itself could not be analysed (KC001/KC002)."""

    code: str  # 'KC001' or 'KC002'
    message: str
    line: int = 1
    column: int = 1


@dataclass
class CallFact:
    """A call worth a rule's look outside compile() (Keras 1 APIs, KC3)."""

    qualified_name: str  # e.g. 'keras.layers.Conv2D', or a bare name when unresolved
    span: Span
    keywords: dict = field(default_factory=dict)  # name -> Span of the keyword argument
    positional_count: int = 0
    positional_spans: tuple = ()
    positional_values: tuple = ()  # literal values where simple, else None
    keyword_value_spans: dict = field(default_factory=dict)  # name -> Span of the keyword argument's value
    keyword_values: dict = field(default_factory=dict)  # name -> the value, for a literal written in the call
    has_star: bool = False  # *args or **kwargs among the arguments


@dataclass
class FileFacts:
    path: str
    compiles: list = field(default_factory=list)  # list[CompileFact]
    problems: list = field(default_factory=list)  # list[FileProblem]
    calls: list = field(default_factory=list)  # list[CallFact]

    def is_empty(self) -> bool:
        """Nothing for any rule to look at (keep in step with the fields above)."""
        return not (self.compiles or self.problems or self.calls)
