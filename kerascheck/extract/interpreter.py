"""Keras in the evaluator: what Keras's calls return and what a model's methods do.

ModuleInterpreter is the evaluator of Python values (extract/evaluator.py) taught
Keras: a call of a Keras name makes a model, a layer, a tensor or a loss (as the
tables in kerascheck/knowledge describe), a layer applied to a tensor makes a new
tensor, `model.add(...)` grows a Sequential, and every `compile(...)` of a Keras
model is handed to the fact recorder (extract/recorder.py).
"""

from __future__ import annotations

import ast
import re
from typing import Optional

from kerascheck import knowledge
from kerascheck.extract.evaluator import NOT_HANDLED, Evaluator, Frame
from kerascheck.extract.names import dotted
from kerascheck.extract.recorder import FactRecorder, const_int, const_str
from kerascheck.extract.spans import SourceSpans
from kerascheck.extract.values import (
    UNKNOWN, BoundMethod, ClassValue, Const, InstanceValue, KerasObject, LayerValue, Mapping, ModelValue, Ref, Sequence,
    TensorValue, Value,
)

# In text, what may sit between an attribute's dot and its name: whitespace, line continuations,
# comments inside brackets. A comment counts only with its line end: `#[^\r\n]*` alone would let
# `(...)*` split a line of #s in exponentially many ways before failing (a '.' then a '#####'
# banner took minutes).
BETWEEN_DOT_AND_NAME = r"(?:\s|\\|#[^\r\n]*[\r\n])*"
# Where the text may call a `.compile` this interpreter records: any but `re.compile(` and
# `regex.compile(` (most of the standard library's), whose receiver is a module, not a model.
COMPILE_ATTRIBUTE = re.compile(r"\.(?<!\bre\.)(?<!\bregex\.)" + BETWEEN_DOT_AND_NAME + r"compile\b")


class ModuleInterpreter(Evaluator):
    WORTH_ANALYSING = COMPILE_ATTRIBUTE

    def __init__(self, path: str, module: ast.Module, spans: SourceSpans, mentions_keras: bool):
        super().__init__(path, module, spans)
        self.mentions_keras = mentions_keras
        self.recorder = FactRecorder(self)

    def run(self) -> list:
        """The CompileFacts of the module."""
        self.run_module()
        return self.recorder.compile_facts()

    # ------------------------------------------------------------ classes

    def is_model_class(self, bases: list) -> bool:
        return any(self._is_model_class(base) for base in bases)

    def _is_model_class(self, value: Value) -> bool:
        if isinstance(value, ClassValue):
            return value.is_model
        if isinstance(value, Ref):
            return keras_name(value.qualified) in knowledge.MODEL_CLASSES
        return False

    def new_instance(self, cls: ClassValue, node) -> Value:
        if cls.is_model:
            return ModelValue(style="subclassed", cls=cls, node=node)
        return InstanceValue(cls=cls, node=node)

    def bind_parameters(self, function, self_value, scope, positional) -> None:
        # A subclassed model's call(): its first argument is the input tensor.
        if function.name == "call" and isinstance(self_value, ModelValue) and positional:
            first = positional[0].arg
            if scope.vars.get(first) is UNKNOWN:
                scope.vars[first] = TensorValue(node=function.definition)

    def entered(self, value: Value) -> Value:
        return value if isinstance(value, ModelValue) else UNKNOWN

    # ------------------------------------------------------------ attributes

    def set_attribute(self, owner: Value, attr: str, value: Value) -> None:
        if isinstance(owner, (InstanceValue, ModelValue)):
            owner.attrs[attr] = value

    def attribute(self, owner: Value, attr: str, node) -> Value:
        if isinstance(owner, ModelValue):
            if attr in owner.attrs:
                return owner.attrs[attr]
            method = owner.cls.find_method(attr) if owner.cls is not None else None
            if method is not None:
                return BoundMethod(method, owner)
            if attr in ("output", "outputs", "input", "inputs"):
                return TensorValue(node=node)
            return UNKNOWN
        return super().attribute(owner, attr, node)

    # ------------------------------------------------------------ methods of models

    def method_call(self, node: ast.Call, receiver_node: ast.expr, method: str, frame: Frame):
        # `.compile(...)` on a model is the statement that matters most.
        if method == "compile":
            self.compile_call(node, receiver_node, frame)
            return UNKNOWN
        return NOT_HANDLED

    def method_of_value(self, receiver: Value, method: str, node: ast.Call, frame: Frame):
        if isinstance(receiver, ModelValue) and method == "add" and (node.args or node.keywords):
            first = node.args[0] if node.args else node.keywords[0].value
            receiver.layers.append(self.eval(first, frame))
            return Const(None)
        if isinstance(receiver, ModelValue) and method == "pop" and receiver.layers:
            receiver.layers.pop()
            return UNKNOWN
        return NOT_HANDLED

    def compile_call(self, node: ast.Call, receiver_node: ast.expr, frame: Frame) -> None:
        if isinstance(receiver_node, ast.Call) and dotted(receiver_node.func) == "super":
            return  # a model's own compile() override calling Keras's
        receiver = self.eval(receiver_node, frame)
        keywords = {keyword.arg: keyword.value for keyword in node.keywords if keyword.arg is not None}
        positional = [arg for arg in node.args if not isinstance(arg, ast.Starred)]
        if isinstance(receiver, ModelValue):
            if receiver.cls is not None and receiver.cls.find_method("compile") is not None:
                return  # the model's own compile() decides what reaches Keras
            model = receiver
        elif receiver is UNKNOWN or isinstance(receiver, KerasObject):
            # A model we cannot see (a parameter, load_model(...)): a Keras compile
            # when it is called like one in a file that uses Keras.
            looks_like_keras = bool({"loss", "metrics", "optimizer"} & set(keywords))
            if not (looks_like_keras and self.mentions_keras):
                return
            model = ModelValue(style=None)
        else:
            return  # re.compile, torch.compile, a user class's compile()
        self.recorder.record_compile(node, model, keywords, positional, frame)

    # ------------------------------------------------------------ calls of Keras names

    def call_other(self, func: Value, args: list, kwargs: dict, node: ast.Call) -> Value:
        if isinstance(func, LayerValue):
            return TensorValue(layer=func, parent=_first_tensor(args, kwargs), node=node)
        if isinstance(func, ModelValue):
            return TensorValue(fixed=self.recorder.model_outputs(func)[:1] or None, node=node)
        return UNKNOWN

    def call_ref(self, qualified: str, args: list, kwargs: dict, node: ast.Call) -> Value:
        name = keras_name(qualified)
        if name is None:
            return super().call_ref(qualified, args, kwargs, node)
        path = knowledge.keras_path(qualified) or qualified
        if name == "Sequential":
            layers = args[0] if args else kwargs.get("layers")
            model = ModelValue(style="sequential", node=node)
            if isinstance(layers, Sequence):
                model.layers = list(layers.items)
            return model
        if name in ("Model", "Functional"):
            outputs = kwargs.get("outputs", kwargs.get("output"))
            if outputs is None and len(args) >= 2:
                outputs = args[1]
            if outputs is None:
                return ModelValue(style=None, node=node)
            return ModelValue(style="functional", outputs=outputs, node=node)
        if name in ("load_model", "clone_model", "model_from_json", "model_from_yaml") or path.startswith("applications."):
            return ModelValue(style=None, node=node)
        if name in knowledge.INPUT_NAMES:
            return TensorValue(node=node)
        layer = self.make_layer(name, args, kwargs, node)
        if layer is not None:
            return layer
        if path.startswith("layers."):
            # Any other layer (Embedding, pooling, attention...): its output is unknown.
            return LayerValue(kind=name, name=const_str(kwargs.get("name")), node=node)
        if path.startswith(("losses.", "metrics.", "optimizers.", "callbacks.")) or path == name:
            return KerasObject(qualified, args, kwargs, node)  # a loss or metric instance, among others
        return UNKNOWN

    def make_layer(self, name: str, args, kwargs, node) -> Optional[LayerValue]:
        layer_name = const_str(kwargs.get("name"))
        if name in knowledge.UNIT_LAYERS:
            unit_keywords, default_activation = knowledge.UNIT_LAYERS[name]
            units_value = args[0] if args and unit_keywords else None
            for keyword in unit_keywords:
                if keyword in kwargs:
                    units_value = kwargs[keyword]
            units = const_int(units_value)
            if units is not None and units < 1:
                units = None  # no real layer has 0 units: the value was not what we computed
            if "activation" in kwargs:
                activation = self.activation_of(kwargs["activation"])
            elif name in ("Dense", "LSTM", "GRU", "SimpleRNN") and len(args) >= 2:
                activation = self.activation_of(args[1])
            else:
                activation = default_activation
            return LayerValue(kind=name, units=units, activation=activation, name=layer_name, node=node)
        if name in knowledge.ACTIVATION_LAYERS:
            activation = knowledge.ACTIVATION_LAYERS[name]
            if activation is None:
                value = args[0] if args else kwargs.get("activation", UNKNOWN)
                activation = self.activation_of(value)
            return LayerValue(kind=name, activation=activation, name=layer_name, node=node)
        if name in knowledge.PASS_THROUGH_LAYERS or name in knowledge.UNITS_ONLY_LAYERS:
            target_units = None
            if name == "Reshape":
                shape = args[0] if args else kwargs.get("target_shape")
                if isinstance(shape, Sequence) and shape.items:
                    target_units = const_int(shape.items[-1])
            return LayerValue(kind=name, name=layer_name, target_units=target_units, node=node)
        if name in knowledge.WRAPPER_LAYERS:
            inner = args[0] if args else kwargs.get("layer")
            return LayerValue(kind=name, name=layer_name, inner=inner if isinstance(inner, LayerValue) else None,
                              node=node)
        return None

    def activation_of(self, value: Value) -> Optional[str]:
        if isinstance(value, Const):
            if value.value is None:
                return "linear"
            if isinstance(value.value, str):
                return knowledge.canonical_activation_string(value.value)
            return None
        if isinstance(value, Ref):
            return knowledge.activation_from_qualified_name(value.qualified)
        if isinstance(value, LayerValue) and value.kind in knowledge.ACTIVATION_LAYERS:
            return value.activation
        return None


def keras_name(qualified: str) -> Optional[str]:
    """'tensorflow.keras.layers.Dense' -> 'Dense'; None when not Keras (or Keras's root itself)."""
    path = knowledge.keras_path(qualified)
    if path is None:
        return None
    return path.rsplit(".", 1)[-1] if path else None


def _first_tensor(args, kwargs) -> Optional[TensorValue]:
    for value in list(args) + list(kwargs.values()):
        if isinstance(value, TensorValue):
            return value
    return None


__all__ = ["ModuleInterpreter", "COMPILE_ATTRIBUTE", "BETWEEN_DOT_AND_NAME", "Mapping"]
