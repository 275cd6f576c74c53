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


def is_unknown(value) -> bool:
    return value is UNKNOWN


@dataclass(eq=False)
class Const(Value):
    value: Any
    node: Optional[ast.AST] = None


@dataclass(eq=False)
class Ref(Value):
    """A module or a name inside one: 'keras.layers.Dense', 're', 'tensorflow'."""

    qualified: str
    node: Optional[ast.AST] = None


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

    @property
    def short_name(self) -> str:
        return self.qualified.rsplit(".", 1)[-1]


@dataclass(eq=False)
class LayerValue(Value):
    kind: str  # the Keras class name: 'Dense', 'Activation', ...
    units: Optional[int] = None
    activation: Optional[str] = None  # canonical; None when unknown
    name: Optional[str] = None
    target_units: Optional[int] = None  # Reshape's last dimension
    inner: Optional["LayerValue"] = None  # TimeDistributed(inner)
    node: Optional[ast.AST] = None


@dataclass(eq=False)
class TensorValue(Value):
    """A symbolic tensor: the layer that produced it and that layer's input."""

    layer: Optional[LayerValue] = None
    parent: Optional["TensorValue"] = None
    # The output of a whole model applied as a layer, when known.
    fixed: Any = None  # Optional[OutputFact]
    node: Optional[ast.AST] = None


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
    style: Optional[str]  # 'sequential', 'functional', 'subclassed' or None (loaded, cloned)
    layers: list = field(default_factory=list)  # Sequential: list[Value]
    outputs: Any = None  # functional: the outputs= Value
    cls: Optional[ClassValue] = None  # subclassed
    attrs: dict = field(default_factory=dict)  # subclassed: self.<name>
    node: Optional[ast.AST] = None
