"""Turn one parsed module into facts about its Keras models.

A small abstract interpreter: it walks the statements of the module in order,
binding names to abstract values (extract/values.py), follows calls into the
module's own functions and classes, and records every `compile(...)` whose
receiver is a Keras model. Nothing is executed; unknown things stay UNKNOWN.
"""

from __future__ import annotations

import ast
import re
from typing import Optional

from kerascheck import knowledge
from kerascheck.extract.spans import NO_SPAN, SourceSpans
from kerascheck.extract.values import (
    UNKNOWN, ClassValue, Const, FunctionValue, InstanceValue, KerasObject, LayerValue, Mapping,
    ModelValue, Ref, Sequence, TensorValue, Value,
)
from kerascheck.facts import (
    Activation, CompileFact, LossFact, MetricFact, OutputFact, Span, TrainedOutput,
)

# How deep calls into the module's own functions are followed.
MAX_CALL_DEPTH = 6

_FUNCTION_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef)
# In text, what may sit between an attribute's dot and its name: whitespace, line continuations,
# comments inside brackets. A comment counts only with its line end: `#[^\r\n]*` alone would let
# `(...)*` split a line of #s in exponentially many ways before failing (a '.' then a '#####'
# banner took minutes).
BETWEEN_DOT_AND_NAME = r"(?:\s|\\|#[^\r\n]*[\r\n])*"
# Where the text may call a `.compile` this interpreter records: any but `re.compile(` and
# `regex.compile(` (most of the standard library's), whose receiver is a module, not a model.
COMPILE_ATTRIBUTE = re.compile(r"\.(?<!\bre\.)(?<!\bregex\.)" + BETWEEN_DOT_AND_NAME + r"compile\b")
_TRY_STATEMENTS = tuple(getattr(ast, name) for name in ("Try", "TryStar") if hasattr(ast, name))
_MATCH_STATEMENTS = tuple(getattr(ast, name) for name in ("Match",) if hasattr(ast, name))


class Scope:
    def __init__(self, parent: Optional["Scope"] = None):
        self.vars: dict = {}
        self.parent = parent
        self.star_imports: list = []  # modules star-imported here

    def lookup(self, name: str) -> Optional[Value]:
        scope = self
        while scope is not None:
            if name in scope.vars:
                return scope.vars[name]
            scope = scope.parent
        return None

    def root(self) -> "Scope":
        scope = self
        while scope.parent is not None:
            scope = scope.parent
        return scope


class _Return(Exception):
    """Not used for control flow; returns are collected on the frame."""


class Frame:
    def __init__(self, scope: Scope, function: Optional[FunctionValue] = None):
        self.scope = scope
        self.function = function
        self.returns: list = []


def _dotted(node: ast.AST) -> Optional[str]:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else None
    return None


# Literals the interpreter models; bytes, complex and Ellipsis stay unknown.
_LITERAL_TYPES = (bool, int, float, str, type(None))


def _literal_constant(node: ast.Constant) -> Value:
    value = node.value
    if isinstance(value, _LITERAL_TYPES):
        # True/False/None carry no node: they say nothing about where a value was written.
        return Const(value) if value is None or isinstance(value, bool) else Const(value, node)
    return UNKNOWN


class ModuleInterpreter:
    def __init__(self, path: str, module: ast.Module, spans: SourceSpans, mentions_keras: bool):
        self.path = path
        self.module = module
        self.spans = spans
        self.mentions_keras = mentions_keras
        self.global_scope = Scope()
        # compile node -> (score, CompileFact), the most informative context wins.
        self.compiles: dict = {}
        self.call_stack: list = []
        self.analysed_functions: set = set()
        self.class_instances: dict = {}  # ClassValue -> instance used for standalone methods

    # ------------------------------------------------------------ entry point

    def run(self) -> list:
        frame = Frame(self.global_scope)
        self.exec_body(self.module.body, frame)
        # Every function and method is also analysed on its own, so a compile
        # inside a function nobody calls (or called from elsewhere) is found.
        self._analyse_functions_in(self.global_scope)
        facts = [fact for _, fact in self.compiles.values()]
        facts.sort(key=lambda f: (f.span.line, f.span.column))
        return facts

    def _analyse_functions_in(self, scope: Scope) -> None:
        values = [value for value in scope.vars.values() if isinstance(value, (FunctionValue, ClassValue))]
        worth_it = self._may_reach_a_compile(values)
        for value in values:
            if id(value.definition) not in worth_it:
                continue
            if isinstance(value, FunctionValue):
                self._analyse_standalone(value, self_value=None)
            else:
                self._analyse_class(value)

    def _may_reach_a_compile(self, values: list) -> set:
        """ids of the definitions whose analysis can record a compile, judged on their text.

        A definition can only reach a compile if its code holds a `.compile` or names (as a word)
        a definition that can: a fixpoint over the names. Analysing the others would record
        nothing, and in a big module that is not about Keras they are most of the work.
        """
        texts = {id(value.definition): self.spans.source(value.definition) or "" for value in values}
        reaching = {key for key, text in texts.items() if COMPILE_ATTRIBUTE.search(text)}
        while True:
            names = set()
            for value in values:
                if id(value.definition) in reaching:
                    names.add(value.definition.name)
                    if isinstance(value, ClassValue):
                        names.update(value.methods)
            if not names:
                return reaching
            pattern = re.compile(r"\b(?:%s)\b" % "|".join(sorted(map(re.escape, names))))
            grown = {key for key, text in texts.items() if key not in reaching and pattern.search(text)}
            if not grown:
                return reaching
            reaching |= grown

    def _analyse_class(self, cls: ClassValue) -> None:
        if id(cls) in self.analysed_functions:
            return
        self.analysed_functions.add(id(cls))
        instance = self._instantiate(cls, [], {}, node=cls.definition)
        for method in cls.methods.values():
            self._analyse_standalone(method, self_value=instance)

    def _analyse_standalone(self, function: FunctionValue, self_value) -> None:
        if id(function.definition) in self.analysed_functions:
            return
        self.analysed_functions.add(id(function.definition))
        self.call_function(function, [], {}, self_value=self_value, use_defaults=True)

    # ------------------------------------------------------------ statements

    def exec_body(self, body, frame: Frame) -> None:
        for statement in body:
            try:
                self.exec_statement(statement, frame)
            except RecursionError:
                raise
            except Exception:  # noqa: BLE001 - one odd statement must not lose the file
                continue

    def exec_statement(self, node: ast.stmt, frame: Frame) -> None:
        if isinstance(node, ast.Expr):
            self.eval(node.value, frame)
        elif isinstance(node, ast.Assign):
            value = self.eval(node.value, frame)
            for target in node.targets:
                self.assign(target, value, frame)
        elif isinstance(node, ast.AnnAssign):
            if node.value is not None:
                self.assign(node.target, self.eval(node.value, frame), frame)
        elif isinstance(node, ast.AugAssign):
            current = self.eval(node.target, frame)
            value = self.eval(node.value, frame)
            self.assign(node.target, self._binary(node.op, current, value, node), frame)
        elif isinstance(node, ast.Return):
            value = self.eval(node.value, frame) if node.value is not None else Const(None)
            frame.returns.append(value)
        elif isinstance(node, ast.Import):
            self.do_import(node, frame)
        elif isinstance(node, ast.ImportFrom):
            self.do_import_from(node, frame)
        elif isinstance(node, _FUNCTION_DEFS):
            frame.scope.vars[node.name] = FunctionValue(definition=node, scope=frame.scope)
        elif isinstance(node, ast.ClassDef):
            frame.scope.vars[node.name] = self.define_class(node, frame)
        elif isinstance(node, ast.If):
            self.eval(node.test, frame)
            self.exec_body(node.body, frame)
            self.exec_body(node.orelse, frame)  # an elif is an If inside orelse
        elif isinstance(node, (ast.For, ast.AsyncFor, ast.While)):
            if not isinstance(node, ast.While):
                self.assign(node.target, UNKNOWN, frame)
            self.exec_body(node.body, frame)
            self.exec_body(node.orelse, frame)
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                value = self.eval(item.context_expr, frame)
                if item.optional_vars is not None:
                    self.assign(item.optional_vars, value if isinstance(value, ModelValue) else UNKNOWN, frame)
            self.exec_body(node.body, frame)
        elif isinstance(node, _TRY_STATEMENTS):
            self.exec_body(node.body, frame)
            for handler in node.handlers:
                self.exec_body(handler.body, frame)
            self.exec_body(node.orelse, frame)
            self.exec_body(node.finalbody, frame)
        elif isinstance(node, _MATCH_STATEMENTS):
            for case in node.cases:
                self.exec_body(case.body, frame)

    def do_import(self, node: ast.Import, frame: Frame) -> None:
        for alias in node.names:
            if alias.asname is not None:
                frame.scope.vars[alias.asname] = Ref(alias.name)
            else:
                top = alias.name.split(".")[0]
                frame.scope.vars[top] = Ref(top)

    def do_import_from(self, node: ast.ImportFrom, frame: Frame) -> None:
        star = any(alias.name == "*" for alias in node.names)
        if node.level or node.module is None:
            if not star:
                for alias in node.names:
                    frame.scope.vars[alias.asname or alias.name] = UNKNOWN
            return
        if star:
            frame.scope.star_imports.append(node.module)
            return
        for alias in node.names:
            frame.scope.vars[alias.asname or alias.name] = Ref(f"{node.module}.{alias.name}")

    def define_class(self, node: ast.ClassDef, frame: Frame) -> ClassValue:
        bases = [self.eval(base, frame) for base in node.bases]
        is_model = any(self._is_model_class(base) for base in bases)
        cls = ClassValue(definition=node, is_model=is_model, bases=bases)
        for statement in node.body:
            if isinstance(statement, _FUNCTION_DEFS):
                cls.methods[statement.name] = FunctionValue(definition=statement, scope=frame.scope, owner=cls)
        return cls

    def _is_model_class(self, value: Value) -> bool:
        if isinstance(value, ClassValue):
            return value.is_model
        if isinstance(value, Ref):
            return self._keras_name(value.qualified) in knowledge.MODEL_CLASSES
        return False

    # ------------------------------------------------------------ assignment

    def assign(self, target: ast.expr, value: Value, frame: Frame) -> None:
        if isinstance(target, ast.Name):
            frame.scope.vars[target.id] = value
        elif isinstance(target, (ast.Tuple, ast.List)):
            items = value.items if isinstance(value, Sequence) else None
            elements = target.elts
            for index, element in enumerate(elements):
                if isinstance(element, ast.Starred):
                    self.assign(element.value, UNKNOWN, frame)
                    continue
                item = items[index] if items is not None and index < len(items) and len(items) == len(elements) else UNKNOWN
                self.assign(element, item, frame)
        elif isinstance(target, ast.Subscript):
            container = self.eval(target.value, frame)
            if isinstance(container, (Sequence, Mapping)):
                container.complete = False
        elif isinstance(target, ast.Attribute):
            owner = self.eval(target.value, frame)
            if isinstance(owner, (InstanceValue, ModelValue)):
                owner.attrs[target.attr] = value

    # ------------------------------------------------------------ expressions

    def eval(self, node: Optional[ast.expr], frame: Frame) -> Value:
        if node is None:
            return UNKNOWN
        if isinstance(node, ast.Name):
            return self.lookup(node.id, frame)
        if isinstance(node, ast.Attribute):
            return self.eval_attribute(node, frame)
        if isinstance(node, ast.Call):
            return self.eval_call(node, frame)
        if isinstance(node, ast.Constant):
            return _literal_constant(node)
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            items = []
            for element in node.elts:
                if isinstance(element, ast.Starred):
                    starred = self.eval(element.value, frame)
                    if isinstance(starred, Sequence):
                        items.extend(starred.items)
                        continue
                    return UNKNOWN
                items.append(self.eval(element, frame))
            return Sequence(items, node)
        if isinstance(node, ast.Dict):
            pairs = []
            for key, value in zip(node.keys, node.values):
                if key is None:  # {**other}
                    return UNKNOWN
                pairs.append((self.eval(key, frame), self.eval(value, frame)))
            return Mapping(pairs, node)
        if isinstance(node, ast.BinOp):
            return self._binary(node.op, self.eval(node.left, frame), self.eval(node.right, frame), node)
        if isinstance(node, ast.UnaryOp):
            operand = self.eval(node.operand, frame)
            if isinstance(node.op, ast.USub) and isinstance(operand, Const) and isinstance(operand.value, (int, float)):
                return Const(-operand.value, node)
            return UNKNOWN
        if isinstance(node, ast.Subscript):
            return self.eval_subscript(node, frame)
        if isinstance(node, ast.IfExp):
            # The condition is not evaluated: only a value both branches agree on is known.
            body = self.eval(node.body, frame)
            orelse = self.eval(node.orelse, frame)
            if isinstance(body, Const) and isinstance(orelse, Const) and body.value == orelse.value:
                return body
            return body if body is orelse else UNKNOWN
        if isinstance(node, ast.NamedExpr):
            value = self.eval(node.value, frame)
            self.assign(node.target, value, frame)
            return value
        if isinstance(node, ast.Await):
            return self.eval(node.value, frame)
        return UNKNOWN  # comprehensions, lambdas, f-strings, comparisons...

    def lookup(self, name: str, frame: Frame) -> Value:
        found = frame.scope.lookup(name)
        if found is not None:
            return found
        # `from keras.layers import *`: the name comes from the star-imported module.
        scope = frame.scope
        while scope is not None:
            for module in scope.star_imports:
                if knowledge.keras_path(module) is not None:
                    return Ref(f"{module}.{name}")
            scope = scope.parent
        # A pasted snippet: Keras's own names with no import still mean Keras.
        if name in knowledge.SNIPPET_MODULE:
            return Ref(knowledge.SNIPPET_MODULE[name])
        if name in ("len", "int", "super", "print", "range", "max", "min", "round", "float", "str", "list", "tuple"):
            return Ref("builtins." + name)
        return UNKNOWN

    def eval_attribute(self, node: ast.Attribute, frame: Frame) -> Value:
        owner = self.eval(node.value, frame)
        attr = node.attr
        if isinstance(owner, Ref):
            return Ref(f"{owner.qualified}.{attr}", node)
        if isinstance(owner, (InstanceValue, ModelValue)):
            if attr in owner.attrs:
                return owner.attrs[attr]
            cls = owner.cls
            if cls is not None:
                method = cls.find_method(attr)
                if method is not None:
                    return _BoundMethod(method, owner)
            if isinstance(owner, ModelValue) and attr in ("output", "outputs", "input", "inputs"):
                return TensorValue(node=node)
        return UNKNOWN

    def eval_subscript(self, node: ast.Subscript, frame: Frame) -> Value:
        container = self.eval(node.value, frame)
        if isinstance(node.slice, (ast.Slice, ast.Tuple)):
            return UNKNOWN
        index = self.eval(node.slice, frame)
        if not isinstance(index, Const):
            return UNKNOWN
        if isinstance(container, Sequence) and isinstance(index.value, int):
            try:
                return container.items[index.value]
            except IndexError:
                return UNKNOWN
        if isinstance(container, Mapping):
            for key, value in container.items:
                if isinstance(key, Const) and key.value == index.value:
                    return value
        return UNKNOWN

    def _binary(self, operator: ast.operator, left: Value, right: Value, node) -> Value:
        if not (isinstance(left, Const) and isinstance(right, Const)):
            return UNKNOWN
        a, b = left.value, right.value
        if not (isinstance(a, (int, float)) and isinstance(b, (int, float))) or isinstance(a, bool) or isinstance(b, bool):
            if isinstance(operator, ast.Add) and isinstance(a, str) and isinstance(b, str):
                return Const(a + b, node)
            return UNKNOWN
        try:
            if isinstance(operator, ast.Add):
                result = a + b
            elif isinstance(operator, ast.Sub):
                result = a - b
            elif isinstance(operator, ast.Mult):
                result = a * b
            elif isinstance(operator, ast.FloorDiv):
                result = a // b
            elif isinstance(operator, ast.Div):
                result = a / b
            elif isinstance(operator, ast.Mod):
                result = a % b
            elif isinstance(operator, ast.Pow) and abs(b) < 64:
                result = a ** b
            else:
                return UNKNOWN
        except (ZeroDivisionError, OverflowError):
            return UNKNOWN
        return Const(result, node)

    # ------------------------------------------------------------ calls

    def eval_call(self, node: ast.Call, frame: Frame) -> Value:
        # `.compile(...)`, `.add(...)` on a model are the statements that matter most.
        if isinstance(node.func, ast.Attribute):
            method = node.func.attr
            receiver_node = node.func.value
            if method == "compile":
                self.record_compile(node, receiver_node, frame)
                return UNKNOWN
            receiver = self.eval(receiver_node, frame)
            if isinstance(receiver, ModelValue) and method == "add" and (node.args or node.keywords):
                first = node.args[0] if node.args else node.keywords[0].value
                receiver.layers.append(self.eval(first, frame))
                return Const(None)
            if isinstance(receiver, ModelValue) and method == "pop" and receiver.layers:
                receiver.layers.pop()
                return UNKNOWN
            if isinstance(receiver, (Sequence, Mapping)) and method in _MUTATING_METHODS:
                # Loop bodies run once here, so the new contents are not known.
                receiver.complete = False
                return UNKNOWN
            func = self.eval_attribute(node.func, frame) if not isinstance(receiver, Ref) else Ref(f"{receiver.qualified}.{method}", node.func)
        else:
            func = self.eval(node.func, frame)
        args = [self.eval(arg, frame) for arg in node.args if not isinstance(arg, ast.Starred)]
        kwargs = {keyword.arg: self.eval(keyword.value, frame) for keyword in node.keywords if keyword.arg is not None}
        return self.call(func, args, kwargs, node, frame)

    def call(self, func: Value, args: list, kwargs: dict, node: ast.Call, frame: Frame) -> Value:
        if isinstance(func, Ref):
            return self.call_ref(func.qualified, args, kwargs, node)
        if isinstance(func, _BoundMethod):
            return self.call_function(func.function, args, kwargs, self_value=func.owner)
        if isinstance(func, FunctionValue):
            return self.call_function(func, args, kwargs, self_value=None)
        if isinstance(func, ClassValue):
            return self._instantiate(func, args, kwargs, node)
        if isinstance(func, LayerValue):
            return TensorValue(layer=func, parent=_first_tensor(args, kwargs), node=node)
        if isinstance(func, ModelValue):
            return TensorValue(fixed=self.model_outputs(func)[:1] or None, node=node)
        return UNKNOWN

    def _instantiate(self, cls: ClassValue, args, kwargs, node) -> Value:
        if cls.is_model:
            instance = ModelValue(style="subclassed", cls=cls, node=node)
        else:
            instance = InstanceValue(cls=cls, node=node)
        init = cls.find_method("__init__")
        if init is not None:
            self.call_function(init, args, kwargs, self_value=instance)
        return instance

    def call_ref(self, qualified: str, args: list, kwargs: dict, node: ast.Call) -> Value:
        if qualified == "builtins.len" and args and isinstance(args[0], (Sequence, Mapping)) and args[0].complete:
            return Const(len(args[0].items), node)
        if qualified in ("builtins.int", "builtins.round") and args and isinstance(args[0], Const) and isinstance(args[0].value, (int, float)):
            return Const(int(args[0].value), node)
        name = self._keras_name(qualified)
        if name is None:
            return UNKNOWN
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
            return LayerValue(kind=name, name=_const_str(kwargs.get("name")), node=node)
        if path.startswith(("losses.", "metrics.", "optimizers.", "callbacks.")) or path == name:
            return KerasObject(qualified, args, kwargs, node)  # a loss or metric instance, among others
        return UNKNOWN

    def _keras_name(self, qualified: str) -> Optional[str]:
        path = knowledge.keras_path(qualified)
        if path is None:
            return None
        return path.rsplit(".", 1)[-1] if path else None

    def make_layer(self, name: str, args, kwargs, node) -> Optional[LayerValue]:
        layer_name = _const_str(kwargs.get("name"))
        if name in knowledge.UNIT_LAYERS:
            unit_keywords, default_activation = knowledge.UNIT_LAYERS[name]
            units_value = args[0] if args and unit_keywords else None
            for keyword in unit_keywords:
                if keyword in kwargs:
                    units_value = kwargs[keyword]
            units = _const_int(units_value)
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
                    target_units = _const_int(shape.items[-1])
            return LayerValue(kind=name, name=layer_name, target_units=target_units, node=node)
        if name in knowledge.WRAPPER_LAYERS:
            inner = args[0] if args else kwargs.get("layer")
            return LayerValue(kind=name, name=layer_name, inner=inner if isinstance(inner, LayerValue) else None, node=node)
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

    def call_function(self, function: FunctionValue, args, kwargs, self_value, use_defaults: bool = False) -> Value:
        if len(self.call_stack) >= MAX_CALL_DEPTH or function.definition in self.call_stack:
            return UNKNOWN
        scope = Scope(parent=function.scope)
        params = function.definition.args
        positional = list(params.posonlyargs) + list(params.args)
        # defaults belong to the last positional parameters
        defaults = dict(zip((param.arg for param in positional[len(positional) - len(params.defaults):]),
                            params.defaults))
        values = list(args)
        if function.owner is not None and positional and not _is_static(function.definition):
            first = positional.pop(0)
            scope.vars[first.arg] = self_value if self_value is not None else UNKNOWN
        for index, param in enumerate(positional):
            if index < len(values):
                scope.vars[param.arg] = values[index]
            elif param.arg in kwargs:
                scope.vars[param.arg] = kwargs[param.arg]
            elif param.arg in defaults:
                scope.vars[param.arg] = self.eval(defaults[param.arg], Frame(function.scope))
            else:
                scope.vars[param.arg] = UNKNOWN
        for param, default in zip(params.kwonlyargs, params.kw_defaults):
            if param.arg in kwargs:
                scope.vars[param.arg] = kwargs[param.arg]
            elif default is not None:
                scope.vars[param.arg] = self.eval(default, Frame(function.scope))
            else:
                scope.vars[param.arg] = UNKNOWN
        for star in (params.vararg, params.kwarg):
            if star is not None:
                scope.vars[star.arg] = UNKNOWN
        # A subclassed model's call(): its first argument is the input tensor.
        if function.name == "call" and isinstance(self_value, ModelValue) and positional:
            first = positional[0].arg
            if scope.vars.get(first) is UNKNOWN:
                scope.vars[first] = TensorValue(node=function.definition)
        frame = Frame(scope, function)
        self.call_stack.append(function.definition)
        try:
            self.exec_body(function.definition.body, frame)
        finally:
            self.call_stack.pop()
        # Nested functions and classes defined in this body are analysed on their own too.
        for value in list(scope.vars.values()):
            if isinstance(value, FunctionValue) and value.scope is scope:
                self._analyse_standalone(value, self_value=None)
        known = [value for value in frame.returns if value is not UNKNOWN and not (isinstance(value, Const) and value.value is None)]
        return known[-1] if known else UNKNOWN

    # ------------------------------------------------------------ models → outputs

    def model_outputs(self, model: ModelValue) -> list:
        """The OutputFacts of a model, in order; [] when unknown."""
        if model.style == "sequential":
            if not model.layers:
                return []
            tensor = None
            for layer in model.layers:
                tensor = TensorValue(layer=layer if isinstance(layer, LayerValue) else None, parent=tensor,
                                     fixed=self.model_outputs(layer)[:1] or None if isinstance(layer, ModelValue) else None)
                if not isinstance(layer, (LayerValue, ModelValue)):
                    tensor = TensorValue(parent=None)
            return [self.output_of_tensor(tensor)]
        if model.style == "functional":
            outputs = model.outputs
            if isinstance(outputs, Sequence):
                return [self.output_of_tensor(t) if isinstance(t, TensorValue) else OutputFact() for t in outputs.items]
            if isinstance(outputs, Mapping):
                facts = []
                for key, tensor in outputs.items:
                    fact = self.output_of_tensor(tensor) if isinstance(tensor, TensorValue) else OutputFact()
                    if isinstance(key, Const) and isinstance(key.value, str):
                        fact.name = key.value
                    facts.append(fact)
                return facts
            if isinstance(outputs, TensorValue):
                return [self.output_of_tensor(outputs)]
            return []
        if model.style == "subclassed" and model.cls is not None:
            call = model.cls.find_method("call")
            if call is None:
                return []
            returned = self.call_function(call, [], {}, self_value=model)
            if isinstance(returned, TensorValue):
                return [self.output_of_tensor(returned)]
            if isinstance(returned, Sequence):
                return [self.output_of_tensor(t) if isinstance(t, TensorValue) else OutputFact() for t in returned.items]
            return [OutputFact()]
        return []

    def output_of_tensor(self, tensor: Optional[TensorValue], depth: int = 0) -> OutputFact:
        if tensor is None or depth > 200:
            return OutputFact()
        if tensor.fixed is not None:
            fixed = tensor.fixed[0] if isinstance(tensor.fixed, list) else tensor.fixed
            return OutputFact(name=fixed.name, activation=fixed.activation, units=fixed.units,
                              layer_line=fixed.layer_line, stacked=fixed.stacked)
        layer = tensor.layer
        if layer is None:
            return OutputFact()
        if layer.kind in knowledge.WRAPPER_LAYERS and layer.inner is not None:
            layer = layer.inner
        line = self.line_of(layer.node)
        if layer.kind in knowledge.UNIT_LAYERS:
            stacked = ()
            if layer.activation in knowledge.PROBABILITY_ACTIVATIONS:
                stacked = (Activation(layer.activation, line, self.span_of(layer.node)),)
            return OutputFact(name=layer.name, activation=layer.activation, units=layer.units,
                              layer_line=line, stacked=stacked)
        base = self.output_of_tensor(tensor.parent, depth + 1)
        if layer.kind in knowledge.ACTIVATION_LAYERS:
            stacked = ()
            if layer.activation in knowledge.PROBABILITY_ACTIVATIONS:
                earlier = base.stacked if base.activation in knowledge.PROBABILITY_ACTIVATIONS else ()
                stacked = earlier + (Activation(layer.activation, line, self.span_of(layer.node)),)
            return OutputFact(name=layer.name, activation=layer.activation, units=base.units,
                              layer_line=line if base.units is None or base.layer_line is None else base.layer_line,
                              stacked=stacked)
        if layer.kind in knowledge.PASS_THROUGH_LAYERS:
            units = base.units
            if layer.kind == "Reshape":
                units = layer.target_units
            return OutputFact(name=layer.name or base.name, activation=base.activation, units=units,
                              layer_line=base.layer_line, stacked=base.stacked)
        if layer.kind in knowledge.UNITS_ONLY_LAYERS:
            return OutputFact(name=layer.name, activation=None, units=base.units, layer_line=line)
        return OutputFact(name=layer.name, layer_line=line)

    # ------------------------------------------------------------ compile

    def record_compile(self, node: ast.Call, receiver_node: ast.expr, frame: Frame) -> None:
        if isinstance(receiver_node, ast.Call) and _dotted(receiver_node.func) == "super":
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
        loss_arg = keywords.get("loss") or (positional[1] if len(positional) > 1 else None)
        metrics_arg = keywords.get("metrics") or (positional[2] if len(positional) > 2 else None)
        outputs = self.model_outputs(model)
        loss_value = self.eval(loss_arg, frame) if loss_arg is not None else None
        metrics_value = self.eval(metrics_arg, frame) if metrics_arg is not None else None
        trained = self.align(outputs, loss_value, loss_arg, metrics_value, metrics_arg, node)
        fact = CompileFact(path=self.path, span=self.span_of(node), model_style=model.style, trained=trained)
        score = sum((o.activation is not None) + (o.units is not None) for o in fact.outputs)
        previous = self.compiles.get(node)
        if previous is None or score > previous[0]:
            self.compiles[node] = (score, fact)

    def align(self, outputs, loss_value, loss_arg, metrics_value, metrics_arg, compile_node) -> list:
        """Pair each output with its loss and metrics (single, list or dict by name)."""
        outputs = list(outputs)
        if isinstance(loss_value, Mapping) and not outputs:
            outputs = [OutputFact(name=_const_str(key)) for key, _ in loss_value.items]
        if isinstance(loss_value, Sequence) and not outputs:
            outputs = [OutputFact() for _ in loss_value.items]
        if not outputs:
            outputs = [OutputFact()]
        loss_anchor = loss_arg if loss_arg is not None else compile_node
        metrics_anchor = metrics_arg if metrics_arg is not None else compile_node
        trained = []
        for index, output in enumerate(outputs):
            loss = None
            if loss_value is not None:
                chosen = _pick(loss_value, index, output.name, len(outputs))
                if chosen is not None:
                    loss = self.make_loss(chosen, loss_anchor)
            metrics = []
            if metrics_value is not None:
                chosen = _pick_metrics(metrics_value, index, output.name, len(outputs))
                metrics = [self.make_metric(item, metrics_anchor) for item in chosen]
            trained.append(TrainedOutput(output=output, loss=loss, metrics=metrics))
        return trained

    def _anchor_span(self, value: Value, anchor: ast.AST) -> Span:
        """The value's own position when it is written inside the compile argument, else the argument's."""
        anchor_span = self.span_of(anchor)
        node = getattr(value, "node", None)
        if node is not None:
            span = self.span_of(node)
            if _contains(anchor_span, span):
                return span
        return anchor_span

    def make_loss(self, value: Value, anchor: ast.AST) -> LossFact:
        span = self._anchor_span(value, anchor)
        spelling = self._source(getattr(value, "node", None) or anchor)
        if isinstance(value, Const) and isinstance(value.value, str):
            return LossFact(canonical=knowledge.canonical_loss(value.value), spelling=spelling, span=span,
                            string=value.value, form="string", name=value.value)
        if isinstance(value, Ref):
            name = value.qualified.rsplit(".", 1)[-1]
            path = knowledge.keras_path(value.qualified)
            if path is not None and (path.startswith("losses.") or path == name or path.startswith("metrics.")):
                form = "class" if name[:1].isupper() else "function"
                return LossFact(canonical=knowledge.canonical_loss(name), spelling=spelling, span=span,
                                form=form, name=name)
        if isinstance(value, KerasObject):
            name = value.short_name
            from_logits_value = value.kwargs.get("from_logits", value.args[0] if value.args else Const(False))
            from_logits = from_logits_value.value if isinstance(from_logits_value, Const) and isinstance(from_logits_value.value, bool) else None
            from_logits_node = getattr(from_logits_value, "node", None)
            return LossFact(canonical=knowledge.canonical_loss(name), spelling=spelling, span=span,
                            form="class", name=name, from_logits=from_logits,
                            from_logits_span=self.span_of(from_logits_node) if from_logits_node is not None else None,
                            kwargs=_literal_kwargs(value.kwargs))
        if isinstance(value, FunctionValue):
            return LossFact(canonical=None, spelling=spelling, span=span, form="function", name=value.name,
                            from_logits=None)
        return LossFact(canonical=None, spelling=spelling, span=span, from_logits=None)

    def make_metric(self, value: Value, anchor: ast.AST) -> MetricFact:
        span = self._anchor_span(value, anchor)
        spelling = self._source(getattr(value, "node", None) or anchor)
        if isinstance(value, Const) and isinstance(value.value, str):
            return MetricFact(canonical=knowledge.canonical_metric(value.value, "string"), spelling=spelling,
                              span=span, string=value.value, form="string", name=value.value)
        if isinstance(value, Ref):
            name = value.qualified.rsplit(".", 1)[-1]
            path = knowledge.keras_path(value.qualified)
            if path is not None:
                form = "class" if name[:1].isupper() else "function"
                return MetricFact(canonical=knowledge.canonical_metric(name, form), spelling=spelling, span=span,
                                  form=form, name=name)
        if isinstance(value, KerasObject):
            name = value.short_name
            threshold = 0.5
            if "threshold" in value.kwargs or (name == "BinaryAccuracy" and len(value.args) >= 3):
                raw = value.kwargs.get("threshold", value.args[2] if len(value.args) >= 3 else None)
                threshold = raw.value if isinstance(raw, Const) and isinstance(raw.value, (int, float)) else None
            return MetricFact(canonical=knowledge.canonical_metric(name, "class"), spelling=spelling, span=span,
                              threshold=threshold, form="class", name=name, kwargs=_literal_kwargs(value.kwargs))
        if isinstance(value, FunctionValue):
            return MetricFact(canonical=None, spelling=spelling, span=span, form="function", name=value.name)
        return MetricFact(canonical=None, spelling=spelling, span=span)

    # ------------------------------------------------------------ positions

    def span_of(self, node: Optional[ast.AST]) -> Span:
        return self.spans.span(node) if node is not None else NO_SPAN

    def line_of(self, node: Optional[ast.AST]) -> Optional[int]:
        return getattr(node, "lineno", None)

    def _source(self, node: ast.AST) -> str:
        text = self.spans.source(node)
        if text is None:
            return "?"
        return " ".join(text.split())[:80]


_MUTATING_METHODS = {"append", "extend", "insert", "pop", "remove", "clear", "update", "setdefault", "popitem",
                     "sort", "reverse"}


class _BoundMethod(Value):
    def __init__(self, function: FunctionValue, owner):
        self.function = function
        self.owner = owner
        self.node = None


def _is_static(node: ast.FunctionDef) -> bool:
    return any(_dotted(decorator) == "staticmethod" for decorator in node.decorator_list)


def _first_tensor(args, kwargs) -> Optional[TensorValue]:
    for value in list(args) + list(kwargs.values()):
        if isinstance(value, TensorValue):
            return value
    return None


def _const_int(value) -> Optional[int]:
    if isinstance(value, Const) and isinstance(value.value, (int, float)) and not isinstance(value.value, bool):
        if float(value.value).is_integer():
            return int(value.value)
    return None


def _const_str(value) -> Optional[str]:
    if isinstance(value, Const) and isinstance(value.value, str):
        return value.value
    return None


def _literal_kwargs(kwargs: dict) -> dict:
    return {k: v.value for k, v in kwargs.items()
            if isinstance(v, Const) and isinstance(v.value, (int, float, str, bool, type(None)))}


def _contains(outer: Span, inner: Span) -> bool:
    return (outer.line, outer.column) <= (inner.line, inner.column) and \
        (inner.end_line, inner.end_column) <= (outer.end_line, outer.end_column)


def _pick(value: Value, index: int, name: Optional[str], count: int) -> Optional[Value]:
    """The part of a loss argument that applies to output `index`."""
    if isinstance(value, Sequence):
        if count == 1 and len(value.items) == 1:
            return value.items[0]
        return value.items[index] if index < len(value.items) else None
    if isinstance(value, Mapping):
        for key, item in value.items:
            if isinstance(key, Const) and key.value == name:
                return item
        return None
    return value


def _pick_metrics(value: Value, index: int, name: Optional[str], count: int) -> list:
    """The metrics that apply to output `index`: a flat list applies to every output."""
    if isinstance(value, Sequence):
        nested = value.items and all(isinstance(item, (Sequence, Const)) and not (isinstance(item, Const)) for item in value.items)
        if nested and count > 1:
            chosen = value.items[index] if index < len(value.items) else None
            return list(chosen.items) if isinstance(chosen, Sequence) else []
        return list(value.items)
    if isinstance(value, Mapping):
        for key, item in value.items:
            if isinstance(key, Const) and key.value == name:
                return list(item.items) if isinstance(item, Sequence) else [item]
        return []
    if value is UNKNOWN:
        return []
    return [value]
