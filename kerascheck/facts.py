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
    span: Optional[Span] = None  # None when written in another file
    path: Optional[str] = None  # the file it is written in when not the file checked (a module it imports)

    @property
    def where(self) -> str:
        """'line 17', or 'models/cnn.py:17' for a line of another file."""
        return f"{self.path}:{self.line}" if self.path else f"line {self.line}"


# ---------------------------------------------------------------- shapes and structure
#
# A shape is a tuple in Keras's order, the batch axis first: `(None, 28, 28, 1)`. Each size is an
# int, or None where it is unknown (the batch axis is None unless `batch_input_shape=` gives it).
# A shape of None means even the rank is unknown. Shapes follow from the declared input shape and
# the layers' arguments (kerascheck/knowledge/layers.py says what each layer does); where the input
# is not declared, a layer may still fix the rank (a Conv2D's output has rank 4) with unknown sizes.


@dataclass(frozen=True)
class InputFact:
    """A model input as the program declares it."""

    shape: Optional[tuple]  # with the batch axis: input_shape=(28, 28, 1) -> (None, 28, 28, 1); None if unknown
    keyword: Optional[str]  # how it is declared: 'input_shape', 'batch_input_shape', 'input_dim', 'shape', 'batch_shape', ...
    span: Optional[Span] = None  # the argument that declares it (KC308/KC407 report there)
    line: Optional[int] = None
    name: Optional[str] = None  # Input(name=...)
    # Written under an `if` that tests the image data format (`if K.image_data_format() == 'channels_first':`):
    # the program picks the axis order itself (KC308 stays silent).
    in_data_format_branch: bool = False
    path: Optional[str] = None  # the file that declares it, when not the file checked (a module it imports)
    # The first size written is the number of samples (`input_shape=(len(x), 20)`, `(x.shape[0], 28, 28)`):
    # the batch axis written into the shape (KC407).
    batch_in_shape: bool = False


@dataclass(frozen=True)
class LayerFact:
    """One layer applied on a model's path from an input to an output."""

    kind: str  # Keras class name ('Dense', 'Conv2D', 'TimeDistributed'); a program's own Layer class by its name
    family: Optional[str] = None  # what it does (knowledge/layers.py): 'dense', 'conv', 'pool', 'global_pool',
    # 'flatten', 'reshape', 'recurrent', 'embedding', 'activation', 'pass', 'normalization', 'merge', 'resize',
    # 'padding', 'rescaling', 'wrapper', 'model', 'application', 'lambda', ...; None when Keras's table lacks it
    line: Optional[int] = None
    span: Optional[Span] = None  # the layer's constructor call
    name: Optional[str] = None
    input_shape: Optional[tuple] = None  # of the (first) tensor it is applied to
    output_shape: Optional[tuple] = None
    activation: Optional[str] = None  # of its output, as the output facts read it; None if unknown
    units: Optional[int] = None  # last dimension of its output; None if unknown
    wrapped: Optional[str] = None  # TimeDistributed/Bidirectional: the wrapped layer's kind
    data_format: Optional[str] = None  # 'channels_first'/'channels_last' as written (or set for the file); None: default
    spatial_dims: Optional[int] = None  # 1, 2 or 3 for convolutions, pooling, up-sampling, padding, cropping
    rescales: bool = False  # scales its input: Rescaling, Normalization, a Lambda dividing it, an application that does
    path: Optional[str] = None  # the file it is written in, when not the file checked (a module it imports)
    # Applied to a value the analysis does not know (not a tensor from the model's input): what came before
    # it on the path is not seen (KC405 does not judge such a model's first layers).
    applied_to_unknown: bool = False


@dataclass(frozen=True)
class KerasObjectFact:
    """A Keras object used on a model, and the Keras package it comes from (KC503)."""

    package: str  # 'keras' (standalone), 'tensorflow.keras' (tf.keras), 'tensorflow.python.keras', 'tf_keras'
    name: str  # its Keras name: 'layers.Dense', 'models.Sequential', 'optimizers.Adam', 'metrics.AUC'
    # 'model', 'layer', 'input', 'optimizer', 'loss', 'metric' (a function), 'metric_object' (an instance);
    # knowledge/packages.py says which of them break when mixed.
    kind: str
    span: Optional[Span] = None  # where it is made (the constructor call) or written
    line: Optional[int] = None
    path: Optional[str] = None  # the file it is made in, when not the file checked (a module it imports)


@dataclass
class ModelFact:
    """The model a compile (or another call) is about: how it is built, what it is given."""

    style: Optional[str] = None  # 'sequential', 'functional', 'subclassed', 'application' or None
    line: Optional[int] = None  # where it is built
    inputs: list = field(default_factory=list)  # list[InputFact], as declared
    layers: list = field(default_factory=list)  # list[LayerFact] from the input(s) on, in order
    application: Optional[str] = None  # 'ResNet50' for a keras.applications model (or one used as a layer)
    # The Keras objects it is built from, in source order: its constructor (or Keras base class), inputs, layers.
    keras_objects: tuple = ()  # tuple[KerasObjectFact]

    @property
    def first_layers(self) -> list:
        """The layers up to and including the first one with weights (what "the first layers" of KC308/KC405 means)."""
        first = []
        for layer in self.layers:
            first.append(layer)
            if layer.family in ("dense", "conv", "recurrent", "embedding", "application", "model"):
                break
        return first


@dataclass
class OutputFact:
    """One model output: the tensor a loss is applied to."""

    name: Optional[str] = None
    activation: Optional[str] = None  # canonical name; 'linear' when none is applied
    units: Optional[int] = None
    layer_line: Optional[int] = None  # line of the layer that decides activation/units
    # Probability activations stacked on the same output, in order (for KC208).
    stacked: tuple = ()
    shape: Optional[tuple] = None  # see "shapes and structure" above
    # The layers from an input to this output, in order (a merge continues with its first input).
    path: tuple = ()  # tuple[LayerFact]
    # The last layer on the path that is neither an activation nor a pass-through layer (Dropout, noise,
    # an identity): for `Dense(10) -> Activation('softmax') -> Dropout` the Dense.
    head: Optional[LayerFact] = None
    layer_path: Optional[str] = None  # the file of layer_line when it is not the file checked (a module it imports)
    # The line of the call that passed the model in, when the compile is in a function whose callers pass
    # different models (each gets its own CompileFact, and the messages name the call they are about).
    call_site: Optional[int] = None

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
    # Written as an attribute of a Keras module: 'losses.categorical_crossentropy' for
    # `keras.losses.categorical_crossentropy` or `tf.keras.losses.CategoricalCrossentropy()` (KC209 checks it exists).
    keras_attribute: Optional[str] = None


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
    keras_attribute: Optional[str] = None  # 'metrics.categorical_accuracy' (see LossFact; KC107 checks it exists)


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
    model_style: Optional[str]  # 'sequential', 'functional', 'subclassed', 'application' or None
    trained: list = field(default_factory=list)  # list[TrainedOutput]
    # Where the facts came from: 'static' or 'runtime'.
    source: str = "static"
    model: Optional[ModelFact] = None  # how the model is built, when it is known
    # Why the model's outputs are unknown, or why the compile is not checked at all (then `trained` is
    # empty): "custom compile() override", "model comes from a parameter with no caller in the program",
    # "library model: keras_hub GPT2CausalLM", ... None when the model is known.
    why: Optional[str] = None
    # The Keras objects the compile gives the model, in source order: optimizer, losses, metrics.
    keras_objects: tuple = ()  # tuple[KerasObjectFact]
    call_site: Optional[int] = None  # see OutputFact.call_site

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


# ---------------------------------------------------------------- data
#
# What the program gives a model: the arrays and datasets passed to fit/evaluate/predict, read by the
# same abstract interpretation as the model (kerascheck/extract/data.py, tables in kerascheck/knowledge/data.py).
# Every fact keeps where it comes from (an Origin), since a message names the line of each fact it uses.

# Encodings of targets (DataFact.encoding).
ONE_HOT = "one_hot"  # one column per class: to_categorical, np.eye(n)[y], OneHotEncoder, label_mode='categorical'
INTEGER = "integer"  # one class index per sample: a keras.datasets loader's labels, LabelEncoder, label_mode='int'
MULTI_HOT = "multi_hot"  # several 1s per row: MultiLabelBinarizer
BINARY = "binary"  # one 0/1 column: label_mode='binary', class_mode='binary'
# Scales of inputs (DataFact.scale).
RAW_PIXELS = "raw"  # 0-255 pixels as a loader gives them (astype alone keeps them so)
SCALED = "scaled"  # divided, standardised, preprocess_input, a generator's rescale=


@dataclass(frozen=True)
class Origin:
    """Where a data fact comes from: the expression that made it, for messages ("`to_categorical(y, 5)`, line 12")."""

    line: Optional[int]
    text: str  # the source of the expression, on one line, at most 80 characters
    span: Optional[Span] = None


@dataclass(frozen=True)
class DataFact:
    """What is known of one array, tensor or dataset component given to a model (x, y, or validation data).

    Each field is None when unknown. `shape` is batch first, as the model sees a batch: `(None, 28, 28)` for
    mnist's images, `(None, 10)` for `to_categorical(y, 10)`, `(None,)` for integer labels; a batched
    tf.data dataset or a directory loader gives its element's shape with the batch axis.
    """

    encoding: Optional[str] = None  # ONE_HOT, INTEGER, MULTI_HOT, BINARY (targets); None: unknown or not labels
    classes: Optional[int] = None  # number of classes of the encoding (one-hot columns, label values)
    shape: Optional[tuple] = None
    scale: Optional[str] = None  # RAW_PIXELS or SCALED (inputs); None: unknown
    # Class labels that were divided or standardised (`y / 255`, a scaler fitted on y): where (KC406).
    scaled_labels: Optional[Origin] = None
    encoding_origin: Optional[Origin] = None
    classes_origin: Optional[Origin] = None
    shape_origin: Optional[Origin] = None
    scale_origin: Optional[Origin] = None
    span: Optional[Span] = None  # the argument of the call that gives it (or the dataset it comes from)
    from_dataset: bool = False  # a component of a tf.data dataset or a generator (x and y in one argument)

    @property
    def is_known(self) -> bool:
        return self.encoding is not None or self.shape is not None or self.scale is not None


@dataclass
class ModelCallFact:
    """A call that gives a known model data or reads its predictions: fit, evaluate, predict, train_on_batch...

    The join between the model facts and what it is given: its data facts (x, y, validation data), and
    the outputs with the loss and metrics of the compile in force.
    """

    method: str  # 'fit', 'evaluate', 'predict', 'train_on_batch', 'test_on_batch', 'fit_generator', ...
    span: Span  # the call
    model: Optional[ModelFact] = None
    outputs: list = field(default_factory=list)  # list[OutputFact] of the model
    compile_span: Optional[Span] = None  # the compile() of the same model seen last before this call
    arguments: dict = field(default_factory=dict)  # 'x', 'y', 'validation_data', ... -> Span of the argument
    # The data (None: not given or unknown; a DataFact's fields may still be unknown one by one).
    x: Optional[DataFact] = None
    y: Optional[DataFact] = None
    validation_x: Optional[DataFact] = None
    validation_y: Optional[DataFact] = None
    # The outputs with the loss and metrics of the compile in force (that compile's TrainedOutputs); [] unknown.
    trained: list = field(default_factory=list)

    @property
    def targets(self) -> list:
        """The known target facts the call trains or evaluates on: y, then validation y."""
        return [fact for fact in (self.y, self.validation_y) if fact is not None]


# What the program does with predictions (PredictionUseFact.kind).
ARGMAX = "argmax"  # np.argmax / tf.argmax / keras.ops.argmax / .argmax()
THRESHOLD = "threshold"  # pred > 0.5, pred >= t, np.round(pred), pred.round()
SKLEARN_METRIC = "sklearn_metric"  # passed unchanged to accuracy_score, confusion_matrix, ...
COMPARED = "compared"  # pred == labels


@dataclass
class PredictionUseFact:
    """One use of a known model's `predict(...)` result (KC408-KC410).

    `call` is the predict call (its outputs and the compile in force); the prediction is of output
    `output_index`. `last_axis_is_units`: the array still has the output's units as its last axis (not
    flattened, not a column picked out), so an argmax over its last axis is over the units.
    """

    kind: str  # ARGMAX, THRESHOLD, SKLEARN_METRIC, COMPARED
    span: Span  # the argmax call, the comparison, the scikit-learn call
    call: ModelCallFact
    function: str = ""  # as written: 'np.argmax', '>', 'np.round', 'accuracy_score', '=='
    qualified: str = ""  # what it is: 'numpy.argmax', 'tensorflow.argmax', 'argmax' (the method); '' for operators
    text: str = ""  # the use as written, shortened: 'scores > 0.5', 'np.argmax(pred, axis=1)'
    prediction_span: Optional[Span] = None  # the predictions expression inside it (for fixes)
    output_index: int = 0
    last_axis_is_units: bool = True
    rank: Optional[int] = None  # of the predictions as used (2: (N, units))
    axis: Optional[int] = None  # ARGMAX: the axis as written (-1, 1); None: over the flattened array
    over_last_axis: bool = False  # ARGMAX: the axis is the last one
    threshold: Optional[float] = None  # THRESHOLD: 0.5 for round()
    threshold_span: Optional[Span] = None  # the threshold literal
    labels: Optional[DataFact] = None  # COMPARED / SKLEARN_METRIC: the class labels on the other side
    prediction_line: Optional[int] = None  # line of the predict call

    @property
    def output(self) -> Optional[OutputFact]:
        outputs = self.call.outputs
        return outputs[self.output_index] if self.output_index < len(outputs) else None

    @property
    def trained(self) -> Optional[TrainedOutput]:
        trained = self.call.trained
        return trained[self.output_index] if self.output_index < len(trained) else None


@dataclass
class FileFacts:
    path: str
    compiles: list = field(default_factory=list)  # list[CompileFact]
    problems: list = field(default_factory=list)  # list[FileProblem]
    calls: list = field(default_factory=list)  # list[CallFact]
    model_calls: list = field(default_factory=list)  # list[ModelCallFact]
    # The file calls `set_image_data_format('channels_first')` / `set_image_dim_ordering('th')` somewhere (KC308).
    sets_channels_first: bool = False
    # The file mentions TF_USE_LEGACY_KERAS (it makes tf.keras the tf_keras package: KC503).
    mentions_legacy_keras: bool = False
    # The program's other modules read for these facts: (absolute path, content digest, stat key when read),
    # sorted. A change to one of them changes these facts (the results cache checks them).
    dependencies: tuple = ()
    prediction_uses: list = field(default_factory=list)  # list[PredictionUseFact]

    def is_empty(self) -> bool:
        """Nothing for any rule to look at (keep in step with the fields above)."""
        return not (self.compiles or self.problems or self.calls or self.model_calls or self.prediction_uses)
