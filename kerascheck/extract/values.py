"""Abstract values the interpreter tracks for names and expressions.

Only what decides a model's outputs, losses and metrics is modelled; anything
else is UNKNOWN. Every value remembers the expression node that made it, so
findings can point at source.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

import ast


class Value:
    node = None  # the expression that made this value (set by each subclass)


class _Unknown(Value):
    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN = _Unknown()


class Opaque(_Unknown):
    """An unknown value that knows why it is unknown: a library's object, a parameter nobody passes.

    Everything treats it as UNKNOWN (test with `is_unknown`); only the reason travels, so that a
    compile of such a model can say why its outputs are unknown.
    """

    def __init__(self, why: str, node=None, param_of=None):
        self.why = why
        self.node = node
        self.param_of = param_of  # (name, FunctionValue) when `why` is "parameter"

    def __repr__(self) -> str:
        return f"Opaque({self.why!r})"


def is_unknown(value) -> bool:
    return isinstance(value, _Unknown)


@dataclass(eq=False)
class Const(Value):
    value: Any
    node: Optional[ast.AST] = None


@dataclass(eq=False)
class Ref(Value):
    """A module or a name inside one: 'keras.layers.Dense', 're', 'tensorflow'."""

    qualified: str
    node: Optional[ast.AST] = None
    # A pasted snippet's bare Keras name (`Dense` with no import): Keras's, but of no package in particular.
    snippet: bool = False


@dataclass(eq=False)
class Sequence(Value):
    """A list or tuple literal."""

    items: list  # list[Value]
    node: Optional[ast.AST] = None
    # False once the code mutates it (append in a loop, x[i] = ...): items may be missing.
    complete: bool = True


@dataclass(eq=False)
class Mapping(Value):
    """A dict literal: keys are evaluated values (Const for string keys)."""

    items: list  # list[tuple[Value, Value]]
    node: Optional[ast.AST] = None
    complete: bool = True  # as Sequence.complete


@dataclass(eq=False)
class KerasObject(Value):
    """An instance of a Keras class that is neither a layer nor a model (a loss, a metric)."""

    qualified: str
    args: list
    kwargs: dict  # name -> Value
    node: Optional[ast.AST] = None
    origin: Optional[str] = None  # the qualified name it was made from, when imported (not a snippet's bare name)

    @property
    def short_name(self) -> str:
        return self.qualified.rsplit(".", 1)[-1]


@dataclass(eq=False)
class LayerValue(Value):
    """A layer as constructed: its row of Keras's table (knowledge/layers.py) and its arguments."""

    kind: str  # the Keras class name: 'Dense', 'Activation', ...; a program's Layer class by its name
    spec: Any = None  # knowledge.layers.Layer; None when the table lacks it (its output is unknown)
    args: Any = None  # knowledge.shapes.LayerArgs: the arguments as literals
    units: Optional[int] = None  # from its units argument
    activation: Optional[str] = None  # canonical: its activation argument, or the one it applies
    name: Optional[str] = None
    inner: Optional[Value] = None  # TimeDistributed/Bidirectional: the wrapped layer (or model)
    declared_input: Any = None  # facts.InputFact: input_shape=... on it (a Sequential's first layer)
    lambda_effect: Optional[str] = None  # Lambda: 'identity' (a cast) or 'rescale' (divides its input)
    node: Optional[ast.AST] = None
    why: Optional[str] = None  # a library's object called on a tensor: what it is (it may be a model factory)
    origin: Optional[str] = None  # the qualified name it was made from, when imported (KC503: its package)


@dataclass(eq=False)
class TensorValue(Value):
    """A symbolic tensor: the layer (or model) applied to make it, and the tensors it was applied to.

    A root (no layer) is a model input: `Input(shape=...)` declares it, else its shape is unknown.
    A model's own `.output` is the model with no inputs: its outputs from its own inputs.
    """

    layer: Optional[Value] = None  # LayerValue or ModelValue
    inputs: list = field(default_factory=list)  # list[TensorValue]
    declared: Any = None  # facts.InputFact of an Input(...)
    output_index: int = 0  # which output of a model `layer` is (model.outputs[1])
    node: Optional[ast.AST] = None
    origin: Optional[str] = None  # an Input(...): the qualified name it was made from, when imported

    @property
    def parent(self) -> Optional["TensorValue"]:
        return self.inputs[0] if self.inputs else None


@dataclass(eq=False)
class FunctionValue(Value):
    definition: ast.FunctionDef  # or ast.AsyncFunctionDef
    scope: Any  # the defining Scope
    owner: Optional["ClassValue"] = None

    @property
    def name(self) -> str:
        return self.definition.name


@dataclass(eq=False)
class ClassValue(Value):
    definition: ast.ClassDef
    is_model: bool
    methods: dict = field(default_factory=dict)  # name -> FunctionValue
    bases: list = field(default_factory=list)  # list[Value]
    is_layer: bool = False  # a subclass of a Keras Layer (not a model)

    def find_method(self, name: str) -> Optional[FunctionValue]:
        if name in self.methods:
            return self.methods[name]
        for base in self.bases:
            if isinstance(base, ClassValue):
                found = base.find_method(name)
                if found:
                    return found
        return None


@dataclass(eq=False)
class ModuleValue(Value):
    """A module of the program (extract/project.py): its names are read when first used."""

    name: str  # dotted, as imported
    path: str  # its file, or the folder of a namespace package
    node: Optional[ast.AST] = None


@dataclass(eq=False)
class LazyName(Value):
    """`from module import name`: the module is read when the name is first used, not at the import."""

    module: "ModuleValue"
    name: str
    node: Optional[ast.AST] = None


class BoundMethod(Value):
    """`instance.method`: a method of the program's own class, with its instance."""

    def __init__(self, function: FunctionValue, owner):
        self.function = function
        self.owner = owner
        self.node = None


@dataclass(eq=False)
class InstanceValue(Value):
    """An instance of a user class that is not a Keras model."""

    cls: ClassValue
    attrs: dict = field(default_factory=dict)
    node: Optional[ast.AST] = None


@dataclass(eq=False)
class ModelValue(Value):
    style: Optional[str]  # 'sequential', 'functional', 'subclassed', 'application' or None (loaded, cloned)
    layers: list = field(default_factory=list)  # Sequential: list[Value]
    outputs: Any = None  # functional: the outputs= Value
    inputs: Any = None  # functional: the inputs= Value
    cls: Optional[ClassValue] = None  # subclassed (or a functional Model subclass)
    attrs: dict = field(default_factory=dict)  # subclassed: self.<name>
    node: Optional[ast.AST] = None
    application: Optional[str] = None  # keras.applications: 'ResNet50'
    args: Any = None  # keras.applications: knowledge.shapes.LayerArgs of its keywords
    declared_input: Any = None  # facts.InputFact from model.build(shape) or an application's input_shape=
    why: Optional[str] = None  # why its outputs are unknown (a loaded model, a library model...)
    origin: Optional[str] = None  # the qualified name of its constructor, when imported (KC503: its package)


# ---------------------------------------------------------------------------------------------- data
#
# The arrays and datasets a program prepares for a model (kerascheck/extract/data.py evaluates them; the
# recorder reads them into facts.DataFact). Unknown facts are None; an operation the tables do not describe
# gives UNKNOWN, never a guess.


@dataclass(eq=False)
class ArrayValue(Value):
    """An array or tensor of data: what is known of its encoding, classes, shape and scale, and where from.

    Mutable on purpose: NumPy's in-place operations (`x /= 255`, a helper that divides its argument in
    place) change every name bound to the same array, as they do here.
    """

    encoding: Optional[str] = None  # facts.ONE_HOT, INTEGER, MULTI_HOT, BINARY
    classes: Optional[int] = None
    shape: Optional[tuple] = None  # batch first when `batched`, else one element's (inside a tf.data .map)
    scale: Optional[str] = None  # facts.RAW_PIXELS or SCALED
    scaled_labels: Any = None  # facts.Origin: labels divided or standardised there
    encoding_origin: Any = None  # facts.Origin of each fact
    classes_origin: Any = None
    shape_origin: Any = None
    scale_origin: Any = None
    batched: bool = True
    node: Optional[ast.AST] = None

    def derive(self, node=None, **changes) -> "ArrayValue":
        """A new array made from this one, with `changes`."""
        fields = {name: getattr(self, name) for name in _ARRAY_FIELDS}
        fields.update(changes)
        return ArrayValue(node=node if node is not None else self.node, **fields)

    def forget(self) -> None:
        """Changed in a way the analysis cannot follow: nothing is known any more."""
        for name in _ARRAY_FIELDS:
            setattr(self, name, True if name == "batched" else None)

    @property
    def is_labels(self) -> bool:
        return self.encoding is not None


_ARRAY_FIELDS = ("encoding", "classes", "shape", "scale", "scaled_labels", "encoding_origin", "classes_origin",
                 "shape_origin", "scale_origin", "batched")


@dataclass(eq=False)
class DatasetValue(Value):
    """A tf.data dataset or a generator of (x, y) batches (a directory loader, `ImageDataGenerator.flow`).

    x and y are ArrayValues of one element (batched False) or of a batch (batched True), or UNKNOWN;
    y is None for a dataset without labels.
    """

    x: Value = UNKNOWN
    y: Optional[Value] = None
    batched: bool = False
    node: Optional[ast.AST] = None


@dataclass(eq=False)
class ImageGeneratorValue(Value):
    """`ImageDataGenerator(rescale=1/255, ...)`: what it does to the scale of the images it yields."""

    scale: Optional[str] = None  # facts.SCALED when it scales; None: it may (a preprocessing_function)
    keeps_scale: bool = False  # it does nothing to the values: the images keep their own scale
    scale_origin: Any = None
    node: Optional[ast.AST] = None


@dataclass(eq=False)
class TransformerValue(Value):
    """A scikit-learn encoder or scaler (knowledge.data.Transformer), with what it was fitted on."""

    spec: Any = None  # knowledge.data.Transformer
    name: str = ""
    node: Optional[ast.AST] = None


@dataclass(eq=False)
class PredictionValue(Value):
    """What `model.predict(x)` returns for a known model, and what has been done to it since.

    `call` is the predict call node (the recorder's ModelCallFact key). `rank` counts the batch axis;
    `last_axis_is_units` is False once a column is picked out or the array is flattened.
    """

    call: Optional[ast.AST] = None
    output_index: int = 0
    rank: Optional[int] = 2
    last_axis_is_units: bool = True
    node: Optional[ast.AST] = None

    def derive(self, node, **changes) -> "PredictionValue":
        fields = dict(call=self.call, output_index=self.output_index, rank=self.rank,
                      last_axis_is_units=self.last_axis_is_units)
        fields.update(changes)
        return PredictionValue(node=node, **fields)


@dataclass(eq=False)
class SampleCount(Value):
    """The number of samples of an array: `len(x)`, `x.shape[0]` (an input_shape that writes it holds a batch)."""

    array: Any = None
    node: Optional[ast.AST] = None
