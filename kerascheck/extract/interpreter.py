"""Keras in the evaluator: what Keras's calls return and what a model's methods do.

ModuleInterpreter is the evaluator of Python values (extract/evaluator.py) taught
Keras: a call of a Keras name makes a model, a layer, a tensor or a loss (as the
tables in kerascheck/knowledge describe), a layer applied to a tensor makes a new
tensor, `model.add(...)` grows a Sequential, and every `compile(...)` of something that
can be a Keras model is handed to the fact recorder (extract/recorder.py).
"""

from __future__ import annotations

import ast
import os
import re
from typing import Optional

from kerascheck import knowledge
from kerascheck.extract.data import DataEvaluation
from kerascheck.extract.evaluator import NOT_HANDLED, Evaluator, Frame, known_truth
from kerascheck.extract import names
from kerascheck.extract.names import Scope, dotted
from kerascheck.extract.project import MAX_IMPORT_DEPTH, MAX_MODULES_PER_FILE, ProjectLayout, module_path_of, read_module
from kerascheck.extract.recorder import MODEL_DATA_METHODS, FactRecorder, const_int, const_str
from kerascheck.extract.spans import SourceSpans
from kerascheck.extract.values import (
    UNKNOWN, ArrayValue, BoundMethod, ClassValue, Const, FunctionValue, InstanceValue, KerasObject, LayerValue,
    LazyName, Mapping, ModelValue, ModuleValue, Opaque, PredictionValue, Ref, SampleCount, Sequence, TensorValue,
    Value, is_unknown,
)
from kerascheck.facts import InputFact
from kerascheck.knowledge import applications, layers
from kerascheck.knowledge.shapes import CHANNELS_FIRST, CHANNELS_LAST, NOT_KNOWN, LayerArgs

# In text, what may sit between an attribute's dot and its name: whitespace, line continuations,
# comments inside brackets. A comment counts only with its line end: `#[^\r\n]*` alone would let
# `(...)*` split a line of #s in exponentially many ways before failing (a '.' then a '#####'
# banner took minutes).
BETWEEN_DOT_AND_NAME = r"(?:\s|\\|#[^\r\n]*[\r\n])*"
# Where the text may call a `.compile` this interpreter records: any but `re.compile(` and
# `regex.compile(` (most of the standard library's), whose receiver is a module, not a model.
COMPILE_ATTRIBUTE = re.compile(r"\.(?<!\bre\.)(?<!\bregex\.)" + BETWEEN_DOT_AND_NAME + r"compile\b")

# Keras functions that return a model whose architecture the program does not show.
_LOADERS = {"load_model": "model loaded from a file (load_model)",
            "model_from_json": "model built from a JSON description (model_from_json)",
            "model_from_yaml": "model built from a YAML description (model_from_yaml)",
            "model_from_config": "model built from a config (model_from_config)"}
# Packages whose models a program compiles without showing their layers.
LIBRARY_PACKAGES = frozenset({"keras_hub", "keras_nlp", "keras_cv", "tensorflow_hub", "transformers",
                              "segmentation_models", "efficientnet", "classification_models", "keras_tuner",
                              "kerastuner", "vit_keras", "keras_vggface", "tensorflow_addons", "tensorflow_models",
                              "official", "keras_retinanet", "deepchem", "spektral", "stellargraph", "tcn",
                              "keras_contrib", "autokeras", "kapre", "keras_bert", "keras_transformer"})
# What a function of another module must do to be followed (see ModuleInterpreter.call_function): build a
# model, a layer or an input, apply an activation, grow or compile a model, load an application; or call a
# function of its module that does (`_keras_builders`).
_KERAS_BUILDS = re.compile(r"\b(?:Sequential|Model|Input|InputLayer|Dense|Conv\w*|\w*Pool\w*|LSTM|GRU|SimpleRNN|"
                           r"Embedding|Activation|Softmax|Dropout|Flatten|Reshape|Lambda|Concatenate|concatenate|"
                           r"Bidirectional|TimeDistributed|BatchNormalization|\w*Layer|load_model|model_from_json|"
                           r"[A-Z]\w*Net\w*|VGG\d+|Xception|Inception\w*|EfficientNet\w*|softmax|sigmoid)\s*\(|"
                           r"\.add\s*\(|\.compile\s*\(|super\(\)\.__init__\s*\(\s*inputs|outputs\s*=")


_STATEMENT_LISTS = ("body", "orelse", "finalbody", "handlers", "cases")


def _function_definitions(statements: list) -> list:
    """Every function defined in these statements, at any depth (in classes, functions, ifs, trys, withs), found by
    walking statements only: a definition is never inside an expression, and expressions are most of a tree."""
    found, pending = [], list(statements)
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            found.append(node)
        for field_name in _STATEMENT_LISTS:
            pending.extend(getattr(node, field_name, None) or ())
    return found


def _keras_builders(module) -> set:
    """ids of the functions of a module that may build or compile a Keras model: their text says so, or names
    another of the module's functions that may (a fixpoint over the names, as Evaluator._may_reach)."""
    definitions = _function_definitions(module.tree.body)
    text, starts = module.spans.text, module.spans.line_starts()

    def lines_of(node) -> str:  # the definition's whole lines: cheaper than its exact span, as good for words
        end = node.end_lineno or node.lineno
        return text[starts[node.lineno - 1]:starts[end] if end < len(starts) else len(text)]

    texts = {id(node): lines_of(node) for node in definitions}
    building = {id(node) for node in definitions if _KERAS_BUILDS.search(texts[id(node)])}
    while True:
        found = {node.name for node in definitions if id(node) in building}
        if not found:
            return building
        pattern = re.compile(r"\b(?:%s)\b" % "|".join(sorted(map(re.escape, found))))
        grown = {id(node) for node in definitions if id(node) not in building and pattern.search(texts[id(node)])}
        if not grown:
            return building
        building |= grown
_DATA_FORMATS = {"channels_first": CHANNELS_FIRST, "channels_last": CHANNELS_LAST, "th": CHANNELS_FIRST,
                 "tf": CHANNELS_LAST}


class ModuleInterpreter(DataEvaluation, Evaluator):
    """The evaluator taught Keras's models (here) and the data given to them (DataEvaluation, extract/data.py)."""

    WORTH_ANALYSING = COMPILE_ATTRIBUTE

    def __init__(self, path: str, module: ast.Module, spans: SourceSpans, mentions_keras: bool,
                 layout: Optional[ProjectLayout] = None):
        super().__init__(path, module, spans)
        self.mentions_keras = mentions_keras
        self.recorder = FactRecorder(self)
        # `set_image_data_format('channels_first')` / `set_image_dim_ordering('th')` seen so far.
        self.image_data_format: Optional[str] = None
        self.sets_channels_first = False  # anywhere in the file (FileFacts.sets_channels_first)
        # (first line, last line) of each `if` whose test reads the image data format: shapes declared there are
        # the program's own choice of axis order (InputFact.in_data_format_branch).
        self.data_format_branches: list = []
        # Most files never test the data format: their `if` tests are not walked (another module's always are).
        self.text_mentions_data_format = any(word in spans.text for word in _DATA_FORMAT_WORDS)
        # The program's other modules (extract/project.py): where imports lead, and those read so far.
        self.layout = layout
        self.loaded: dict = {}  # absolute path -> (SourceModule or None, its global Scope or None)
        self.import_depth = 0
        self.branch_adds: list = []  # per `if` being run: the (model, layer) of each `model.add(...)` in it

    @property
    def dependencies(self) -> tuple:
        """(absolute path, content digest, stat key) of every module of the project read for this file, sorted."""
        return tuple(sorted((module.path, module.digest, module.stat_key)
                            for module, _ in self.loaded.values() if module is not None))

    # ------------------------------------------------------------ the program's other modules

    def import_modules(self, node: ast.Import, scope: Scope) -> None:
        names.bind_import(node, scope)
        if self.layout is None:
            return
        importer = self.file_of(node)
        for alias in node.names:
            bound = alias.asname or alias.name.split(".")[0]
            target = alias.name if alias.asname else alias.name.split(".")[0]
            resolved = self.layout.resolve(target, 0, importer)
            if resolved is not None:
                scope.vars[bound] = ModuleValue(resolved[1], resolved[0], node)

    def import_from(self, node: ast.ImportFrom, scope: Scope) -> None:
        resolved = None
        if self.layout is not None and (node.level or node.module):
            resolved = self.layout.resolve(node.module, node.level, self.file_of(node))
        if resolved is None:
            where = "." * node.level + (node.module or "")
            names.bind_import_from(node, scope, relative=lambda _node, name: Opaque(
                f"import of a module outside the project ({where}.{name})" if node.module else
                f"import of a module outside the project ({where}{name})", node))
            return
        module = ModuleValue(resolved[1], resolved[0], node)
        for alias in node.names:
            if alias.name == "*":
                found = self.module_globals(module)
                if found is not None:
                    for key, value in list(found.vars.items()):
                        if not key.startswith("_"):
                            scope.vars[key] = value
                continue
            scope.vars[alias.asname or alias.name] = LazyName(module, alias.name, node)

    def call_function(self, function, args, kwargs, self_value, use_defaults: bool = False) -> Value:
        # A function of another module is followed only when its text can make or compile a Keras model: a
        # project's other helpers (data loading, plotting, file handling) would be evaluated for nothing.
        path = module_path_of(function.definition)
        if path is not None and not self._may_build_keras(function.definition, path):
            return Opaque(f"{function.name}() of another module, which builds no Keras model", None)
        return super().call_function(function, args, kwargs, self_value, use_defaults)

    def _may_build_keras(self, definition, path: str) -> bool:
        loaded = self.loaded.get(path)
        module = loaded[0] if loaded else None
        if module is None:
            return True
        if module.keras_builders is None:  # once per module read (the parsed module is kept per process)
            module.keras_builders = _keras_builders(module)
        return id(definition) in module.keras_builders

    def lookup(self, name: str, frame: Frame) -> Value:
        value = super().lookup(name, frame)
        if not isinstance(value, LazyName):
            return value
        resolved = self.resolve_lazy(value)
        scope = frame.scope
        while scope is not None:  # read once: the scope that imported it keeps the value
            if scope.vars.get(name) is value:
                scope.vars[name] = resolved
                break
            scope = scope.parent
        return resolved

    def resolve_lazy(self, value: Value) -> Value:
        """The value a LazyName stands for; a package re-exporting what its modules import is followed a few steps
        (a cycle of such imports, or a longer chain, is unknown)."""
        seen = set()
        for _ in range(MAX_IMPORT_DEPTH):
            if not isinstance(value, LazyName):
                return value
            key = (value.module.path, value.name)
            if key in seen:
                break
            seen.add(key)
            value = self.module_attribute(value.module, value.name, value.node)
        return value if not isinstance(value, LazyName) else Opaque(f"{value.module.name}.{value.name} is imported in a cycle")

    def module_attribute(self, module: ModuleValue, name: str, node) -> Value:
        """`module.name`: a submodule, or a name the module binds (read when first asked for)."""
        submodule = self.layout.submodule(module.path, name) if self.layout is not None else None
        if submodule is not None:
            return ModuleValue(f"{module.name}.{name}", submodule, node)
        found = self.module_globals(module)
        if found is None:
            return Opaque(self._not_read_why(module), node)
        value = found.vars.get(name)
        if value is None:
            return Opaque(f"{module.name}.{name} is not found in the project's {module.name}", node)
        return value  # a LazyName when the module imports it in turn: resolve_lazy follows it, a bounded number of steps

    def _not_read_why(self, module: ModuleValue) -> str:
        if os.path.isdir(module.path):
            return f"{module.name} is a namespace package"
        if len(self.loaded) >= MAX_MODULES_PER_FILE or self.import_depth >= MAX_IMPORT_DEPTH:
            return f"{module.name} is beyond the modules read for one file"
        return f"{module.name} cannot be read"

    def module_globals(self, module: ModuleValue) -> Optional[Scope]:
        """The names a module of the project binds at its top level, evaluated once per file checked.

        A cycle of imports gets the names bound so far (as Python would); limits on the number and
        depth of modules read keep one file's analysis bounded.
        """
        path = module.path
        if path in self.loaded:
            return self.loaded[path][1]
        if os.path.isdir(path) or os.path.abspath(path) == self.layout.file or len(self.loaded) >= MAX_MODULES_PER_FILE \
                or self.import_depth >= MAX_IMPORT_DEPTH:
            return None
        read = read_module(path, module.name)
        if read.module is None:
            self.loaded[path] = (None, None)
            return None
        scope = Scope()
        self.loaded[path] = (read.module, scope)
        self.import_depth += 1
        branches = len(self.branch_adds)
        try:
            self.exec_body(read.module.tree.body, Frame(scope))
        except RecursionError:
            # Read this deep inside other calls, the module keeps what it bound so far; this file goes on.
            del self.branch_adds[branches:]
        finally:
            self.import_depth -= 1
        return scope

    def call_site_line(self) -> Optional[int]:
        """The line of the outermost call in the file checked that is being evaluated (None: none, or the top level)."""
        for node in self.call_sites:
            if module_path_of(node) is None:
                return getattr(node, "lineno", None)
        return None

    def file_of(self, node) -> str:
        """The absolute path of the file a node is written in."""
        return module_path_of(node) or (self.layout.file if self.layout is not None else os.path.abspath(self.path))

    def _spans_of(self, node) -> Optional[SourceSpans]:
        path = module_path_of(node)
        if path is None:
            return self.spans
        loaded = self.loaded.get(path)
        return loaded[0].spans if loaded and loaded[0] is not None else None

    def span_of(self, node):
        spans = self._spans_of(node) if node is not None else None
        return spans.span(node) if spans is not None else super().span_of(None)

    def source_of(self, node) -> str:
        spans = self._spans_of(node)
        text = spans.source(node) if spans is not None else None
        return " ".join(text.split())[:80] if text is not None else "?"

    def shown_path_of(self, node) -> Optional[str]:
        """The file a node comes from, relative to the file checked ('models/cnn.py'); None for the file itself."""
        path = module_path_of(node)
        if path is None:
            return None
        # Relative to the file checked, so the words stay the same from any working directory (and in the cache).
        try:
            return os.path.relpath(path, os.path.dirname(self.file_of(None))).replace(os.sep, "/")
        except ValueError:  # another drive on Windows
            return path

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

    def is_layer_class(self, bases: list) -> bool:
        for base in bases:
            if isinstance(base, ClassValue) and base.is_layer:
                return True
            if isinstance(base, Ref):
                path = knowledge.keras_path(base.qualified)
                if path is not None and path.startswith("layers.") and keras_name(base.qualified) not in \
                        knowledge.MODEL_CLASSES:
                    return True
        return False

    def new_instance(self, cls: ClassValue, node) -> Value:
        if cls.is_model:
            return ModelValue(style="subclassed", cls=cls, node=node)
        return InstanceValue(cls=cls, node=node)

    def instantiate(self, cls: ClassValue, args, kwargs, node) -> Value:
        instance = super().instantiate(cls, args, kwargs, node)
        if isinstance(instance, ModelValue) and cls.find_method("__init__") is None:
            # `class MyModel(keras.Model)` with no __init__ of its own: `MyModel(inputs, outputs)` is Keras's Model().
            self._functional_init(instance, args, kwargs)
        return instance

    def exec_if(self, node: ast.If, frame: Frame) -> None:
        """Both branches run (the data statements' own `if`, extract/data.py, does the same with these hooks)."""
        if self.exec_known_branch(node, frame):
            return
        self.branches_start()
        self.exec_body(node.body, frame)
        self.branches_next()
        self.exec_body(node.orelse, frame)
        self.branches_end(node)

    def exec_known_branch(self, node: ast.If, frame: Frame) -> bool:
        """The branch a known condition takes (`if from_logits:` with the default False); True when it did."""

        taken = known_truth(self.eval(node.test, frame))
        if taken is None:
            return False
        self.exec_body(node.body if taken else node.orelse, frame)
        return True

    # A model grown in both branches (`if n == 1: m.add(sigmoid) else: m.add(softmax)`) ends in one of the two,
    # not both: its layers from there on are not known.

    def branches_start(self) -> None:
        self.branch_adds.append([])

    def branches_next(self) -> None:
        self.branch_adds.append(self.branch_adds.pop())  # the body's adds, then the else's on a list of their own
        self.branch_adds.append([])

    def branches_end(self, node) -> None:
        in_else = self.branch_adds.pop()
        in_body = self.branch_adds.pop()
        grown_in_body = {id(model) for model, _ in in_body}
        for model, _ in in_else:
            if id(model) in grown_in_body:
                for model_of, layer in in_body + in_else:
                    if model_of is model and layer in model.layers:
                        model.layers.remove(layer)
                model.layers.append(Opaque("layers added in either branch of an `if`", node))
                grown_in_body.discard(id(model))
        if self.branch_adds:  # an enclosing `if` sees what this one added
            self.branch_adds[-1].extend(in_body + in_else)

    def bind_parameters(self, function, self_value, scope, positional) -> None:
        # A model's or a layer's call(): its first argument is the input tensor.
        if function.name == "call" and isinstance(self_value, (ModelValue, InstanceValue)) and positional:
            first = positional[0].arg
            if is_unknown(scope.vars.get(first)):
                scope.vars[first] = TensorValue(node=function.definition)

    def entered(self, value: Value) -> Value:
        return value if isinstance(value, ModelValue) else UNKNOWN

    def in_data_format_branch(self, *nodes) -> bool:
        for node in nodes:
            line = getattr(node, "lineno", None)
            if line is not None and any(first <= line <= last for first, last in self.data_format_branches):
                return True
        return False

    def call(self, func: Value, args: list, kwargs: dict, node: ast.Call, frame: Frame) -> Value:
        made = super().call(func, args, kwargs, node, frame)
        if isinstance(func, Ref) and not func.snippet and getattr(made, "node", None) is node and \
                isinstance(made, (LayerValue, ModelValue, KerasObject, TensorValue)):
            made.origin = func.qualified  # the package it comes from (KC503); a snippet's bare name has none
        return made

    # ------------------------------------------------------------ statements and operators with data

    def exec_statement(self, node: ast.stmt, frame: Frame) -> None:
        if isinstance(node, ast.If) and (self.text_mentions_data_format or module_path_of(node) is not None) \
                and _tests_data_format(node.test):
            self.data_format_branches.append((node.lineno, getattr(node, "end_lineno", None) or node.lineno))
        if not self.exec_data_statement(node, frame):
            super().exec_statement(node, frame)

    def assign(self, target: ast.expr, value: Value, frame: Frame) -> None:
        if isinstance(target, ast.Subscript):
            self.assign_into_array(target, frame)
        super().assign(target, value, frame)

    def eval(self, node, frame: Frame) -> Value:
        if isinstance(node, ast.Compare):
            return self.data_compare(node, frame)
        return super().eval(node, frame)

    def eval_subscript(self, node: ast.Subscript, frame: Frame) -> Value:
        container = self.eval(node.value, frame)
        found = self.data_subscript(container, node, frame)
        if found is not None:
            return found
        return super().eval_subscript(node, frame)

    def binary(self, operator: ast.operator, left: Value, right: Value, node) -> Value:
        found = self.data_binary(operator, left, right, node)
        if found is not None:
            return found
        if isinstance(left, TensorValue) or isinstance(right, TensorValue):
            return self.tensor_operation(operator, left, right, node)
        return super().binary(operator, left, right, node)

    def tensor_operation(self, operator: ast.operator, left: Value, right: Value, node) -> Value:
        """`inputs / 255.0`, `x + shortcut` on a model's tensors: one step on the path, as Keras makes it a layer.

        A division (or a product by a fraction) rescales (what KC405 looks for); a sum or difference of two
        tensors is Keras's Add/Subtract; anything else is a step whose effect is unknown.
        """
        if isinstance(left, TensorValue) and isinstance(right, TensorValue):
            kind = {ast.Add: "Add", ast.Sub: "Subtract", ast.Mult: "Multiply"}.get(type(operator))
            if kind is not None:
                layer = LayerValue(kind=kind, spec=layers.LAYERS[kind], args=LayerArgs({}), node=node)
                return TensorValue(layer=layer, inputs=[left, right], node=node)
        tensor = left if isinstance(left, TensorValue) else right
        other = right if tensor is left else left
        factor = other.value if isinstance(other, Const) and isinstance(other.value, (int, float)) else None
        rescales = tensor is left and (isinstance(operator, ast.Div) or (
            isinstance(operator, ast.Mult) and factor is not None and 0 < factor < 1)) or (
            tensor is right and isinstance(operator, ast.Mult) and factor is not None and 0 < factor < 1)
        layer = LayerValue(kind="Lambda", spec=layers.LAYERS["Lambda"], args=LayerArgs({}), node=node,
                           lambda_effect="rescale" if rescales else None)
        return TensorValue(layer=layer, inputs=[tensor], node=node)

    # ------------------------------------------------------------ attributes

    def set_attribute(self, owner: Value, attr: str, value: Value) -> None:
        if isinstance(owner, (InstanceValue, ModelValue)):
            owner.attrs[attr] = value

    def attribute(self, owner: Value, attr: str, node) -> Value:
        found = self.data_attribute(owner, attr, node)
        if found is not None:
            return found
        if isinstance(owner, ModelValue):
            if attr in owner.attrs:
                return owner.attrs[attr]
            method = owner.cls.find_method(attr) if owner.cls is not None else None
            if method is not None:
                return BoundMethod(method, owner)
            if attr == "output":
                return TensorValue(layer=owner, node=node)
            if attr == "outputs":
                return self._model_outputs_value(owner, node)
            if attr in ("input", "inputs"):
                return self._model_input_value(owner, attr, node)
            return UNKNOWN
        if isinstance(owner, Opaque):
            return owner
        if isinstance(owner, ModuleValue):
            return self.module_attribute(owner, attr, node)
        return super().attribute(owner, attr, node)

    def _model_outputs_value(self, model: ModelValue, node) -> Value:
        if model.style == "functional" and isinstance(model.outputs, Sequence):
            return Sequence([TensorValue(layer=model, output_index=index, node=node)
                             for index in range(len(model.outputs.items))], node)
        return Sequence([TensorValue(layer=model, node=node)], node)

    def _model_input_value(self, model: ModelValue, attr: str, node) -> Value:
        if model.style == "functional" and model.inputs is not None:
            inputs = model.inputs
            if attr == "input" and isinstance(inputs, Sequence) and len(inputs.items) == 1:
                return inputs.items[0]
            return inputs
        if model.style == "application":
            root = TensorValue(declared=model.declared_input, node=node)
            return root if attr == "input" else Sequence([root], node)
        return TensorValue(node=node)

    # ------------------------------------------------------------ methods of models

    def method_call(self, node: ast.Call, receiver_node: ast.expr, method: str, frame: Frame):
        # `.compile(...)` on a model is the statement that matters most.
        if method == "compile":
            self.compile_call(node, receiver_node, frame)
            return UNKNOWN
        if method == "__init__" and isinstance(receiver_node, ast.Call) and dotted(receiver_node.func) == "super":
            owner = self._self_of(frame)
            if isinstance(owner, ModelValue):
                args, kwargs = self.eval_arguments(node, frame)
                self._functional_init(owner, args, kwargs)
                return Const(None)
        return NOT_HANDLED

    def _self_of(self, frame: Frame) -> Optional[Value]:
        """The instance a method runs on: its first parameter's value."""
        function = frame.function
        if function is None or function.owner is None:
            return None
        params = list(function.definition.args.posonlyargs) + list(function.definition.args.args)
        return frame.scope.vars.get(params[0].arg) if params else None

    def _functional_init(self, model: ModelValue, args: list, kwargs: dict) -> None:
        """`super().__init__(inputs=..., outputs=...)` / `MyModel(inputs, outputs)`: a functional model."""
        outputs = kwargs.get("outputs", kwargs.get("output"))
        if outputs is None and len(args) >= 2:
            outputs = args[1]
        if outputs is None or is_unknown(outputs):
            return
        model.style = "functional"
        model.why = None
        model.outputs = outputs
        model.inputs = kwargs.get("inputs", kwargs.get("input", args[0] if args else None))

    def method_of_value(self, receiver: Value, method: str, node: ast.Call, frame: Frame):
        handled = self.data_method(receiver, method, node, frame)
        if handled is not NOT_HANDLED:
            return handled
        if isinstance(receiver, ModelValue) and method in MODEL_DATA_METHODS:
            return self.model_data_call(receiver, method, node, frame)
        if isinstance(receiver, ModelValue):
            if method == "add" and (node.args or node.keywords):
                first = node.args[0] if node.args else node.keywords[0].value
                layer = self.eval(first, frame)
                receiver.layers.append(layer)
                if self.branch_adds:
                    self.branch_adds[-1].append((receiver, layer))
                return Const(None)
            if method == "pop" and receiver.layers:
                receiver.layers.pop()
                return UNKNOWN
            if method == "build" and receiver.style == "sequential" and node.args and receiver.declared_input is None:
                shape = _shape_tuple(self.eval(node.args[0], frame), batch_included=True)
                receiver.declared_input = InputFact(shape=shape, keyword="build", span=self.span_of(node.args[0]),
                                                    line=self.line_of(node))
                return Const(None)
        return NOT_HANDLED

    def model_data_call(self, model: ModelValue, method: str, node: ast.Call, frame: Frame) -> Value:
        """`model.fit(x, y, validation_data=...)`, `model.predict(x)`: the data recorded with the model's facts."""
        args, kwargs = self.eval_arguments(node, frame)
        if module_path_of(node) is not None:
            return UNKNOWN  # a call in another module of the project: that module's facts, when it is checked
        given = dict(zip(MODEL_DATA_METHODS[method], args))
        given.update(kwargs)
        if "generator" in given:
            given.setdefault("x", given.pop("generator"))
        fact = self.recorder.record_model_call(node, model, method, given)
        if method in ("predict", "predict_on_batch") and fact is not None:
            count = len(fact.outputs)
            if count == 1:
                return PredictionValue(call=node, node=node)
            if count > 1:
                return Sequence([PredictionValue(call=node, output_index=index, node=node) for index in range(count)],
                                node)
        return UNKNOWN

    def compile_call(self, node: ast.Call, receiver_node: ast.expr, frame: Frame) -> None:
        if module_path_of(node) is not None:
            return  # a compile in another module of the project: that module's facts, when it is checked
        if isinstance(receiver_node, ast.Call) and dotted(receiver_node.func) == "super":
            # A model's own compile() override calling Keras's with the override's arguments: the call of
            # the override is the one listed (as "custom compile() override").
            return
        if isinstance(receiver_node, ast.Name) and receiver_node.id in ("re", "regex"):
            return  # a regular expression module, as COMPILE_ATTRIBUTE has it, even when not imported
        receiver = self.eval(receiver_node, frame)
        if isinstance(receiver, TensorValue) and isinstance(receiver.layer, LayerValue) and receiver.layer.why:
            receiver = Opaque(receiver.layer.why)  # a library's call on a tensor that returned a model after all
        arguments = self.compile_arguments(node, frame)
        if isinstance(receiver, ModelValue):
            if receiver.cls is not None and receiver.cls.find_method("compile") is not None:
                # The model's own compile() decides what reaches Keras.
                self.recorder.record_unchecked(node, f"custom compile() override ({receiver.cls.definition.name}.compile)")
                return
            self.recorder.record_compile(node, receiver, arguments)
            return
        if isinstance(receiver, InstanceValue):
            unread = _unread_base(receiver.cls)
            if receiver.cls.find_method("compile") is not None or unread is None:
                return  # a class of the program that is not a Keras model, with its own compile()
            why = f"class {receiver.cls.definition.name} derives from {unread}, which is not read"
        elif is_unknown(receiver) or isinstance(receiver, KerasObject):
            why = self.why_unknown(receiver)
        else:
            return  # re.compile, torch.compile, a value that is not a model
        if not self.mentions_keras:
            return
        if _looks_like_keras_compile(arguments):
            # A model we cannot see: its losses and metrics are still checked.
            self.recorder.record_compile(node, ModelValue(style=None, why=why), arguments)
        else:
            self.recorder.record_unchecked(node, why)

    def why_unknown(self, value: Value) -> str:
        """Why a model is unknown, for `inspect`."""
        if isinstance(value, Opaque):
            if value.param_of is not None:
                name, function = value.param_of
                return ParameterWhy(name, function, self)
            return value.why
        if isinstance(value, KerasObject):
            return f"not a model: {value.qualified}"
        return "the model is not resolved"

    def compile_arguments(self, node: ast.Call, frame: Frame) -> dict:
        """The compile's arguments, evaluated: {name: (node to report at, value, given by keyword)}.

        `loss`, `metrics`, `optimizer` by keyword or position (0, 1, 2 are optimizer, loss, metrics);
        `**cfg` of a dict the program builds gives its items, reported where the dict writes them.
        """
        arguments = {}
        for index, arg in enumerate(node.args):
            if isinstance(arg, ast.Starred):
                break
            name = ("optimizer", "loss", "metrics")[index] if index < 3 else None
            if name is not None:
                arguments[name] = (arg, self.eval(arg, frame), False)
        for keyword in node.keywords:
            if keyword.arg is not None:
                arguments[keyword.arg] = (keyword.value, self.eval(keyword.value, frame), True)
                continue
            spread = self.eval(keyword.value, frame)
            if isinstance(spread, Mapping):
                for key, value in spread.items:
                    name = const_str(key)
                    if name is not None and name not in arguments:
                        arguments[name] = (getattr(value, "node", None) or keyword.value, value, True)
        return arguments

    # ------------------------------------------------------------ calls

    def call_other(self, func: Value, args: list, kwargs: dict, node: ast.Call) -> Value:
        tensor = _first_tensor(args, kwargs)
        if tensor is None and args and isinstance(args[0], ArrayValue):
            found = self.layer_on_array(func, args)
            if found is not None:
                return found
        if isinstance(func, LayerValue):
            return TensorValue(layer=func, inputs=_tensor_inputs(args, kwargs), node=node)
        if isinstance(func, ModelValue):
            if func.style == "subclassed" and func.cls is not None and tensor is not None:
                applied = self._apply_call_method(func, func.cls, tensor, args, kwargs)
                if applied is not None:
                    return applied
            return TensorValue(layer=func, inputs=[tensor] if tensor is not None else [], node=node)
        if isinstance(func, InstanceValue) and func.cls.is_layer:
            applied = self._apply_call_method(func, func.cls, tensor, args, kwargs) if tensor is not None else None
            if applied is not None:
                return applied
            layer = LayerValue(kind=func.cls.definition.name, node=func.node)
            return TensorValue(layer=layer, inputs=[tensor] if tensor is not None else [], node=node)
        if isinstance(func, Opaque):
            if args and isinstance(args[0], TensorValue):  # `layer(x)`: a library's layer applied to a tensor
                layer = LayerValue(kind=_short_library_name(func.why), node=func.node, why=func.why)
                return TensorValue(layer=layer, inputs=[args[0]], node=node)
            return func
        return UNKNOWN

    def _apply_call_method(self, instance, cls: ClassValue, tensor, args, kwargs) -> Optional[Value]:
        """A layer or model of the program applied to a tensor: what its call() returns, if a tensor."""
        call = cls.find_method("call")
        if call is None:
            return None
        returned = self.call_function(call, args, kwargs, self_value=instance)
        if isinstance(returned, TensorValue):
            return returned
        return None

    def call_ref(self, qualified: str, args: list, kwargs: dict, node: ast.Call) -> Value:
        found = self.data_call(qualified, args, kwargs, node)
        if found is not None:
            return found
        name = keras_name(qualified)
        if name is None:
            return self.call_outside_keras(qualified, args, kwargs, node)
        path = knowledge.keras_path(qualified) or qualified
        if name == "Sequential":
            layers_value = args[0] if args else kwargs.get("layers")
            model = ModelValue(style="sequential", node=node)
            if isinstance(layers_value, Sequence):
                model.layers = list(layers_value.items)
            return model
        if name in ("Model", "Functional"):
            given = "outputs" in kwargs or "output" in kwargs or len(args) >= 2
            model = ModelValue(style=None, node=node, why="Model(...) with outputs the analysis cannot follow" if given
                               else "Model() without inputs and outputs")
            self._functional_init(model, args, kwargs)
            return model
        if name in _LOADERS:
            return ModelValue(style=None, node=node, why=_LOADERS[name])
        if name == "clone_model":
            original = args[0] if args else kwargs.get("model")
            return original if isinstance(original, ModelValue) else ModelValue(style=None, node=node,
                                                                                  why="clone_model() of an unknown model")
        if path.startswith("applications."):
            return self.call_application(name, args, kwargs, node)
        if name in knowledge.INPUT_NAMES:
            return self.make_input(name, args, kwargs, node)
        if name in ("set_image_data_format", "set_image_dim_ordering") and args:
            value = const_str(args[0])
            if value in _DATA_FORMATS:
                self.image_data_format = _DATA_FORMATS[value]
                self.sets_channels_first |= self.image_data_format == CHANNELS_FIRST
            return Const(None)
        if name in layers.LAYER_FUNCTIONS and path.startswith("layers."):
            # `concatenate([a, b], axis=-1)`: the layer made and applied at once.
            layer = self.make_layer(layers.LAYER_FUNCTIONS[name], args[1:], kwargs, node)
            inputs = args[0] if args else kwargs.get("inputs")
            items = inputs.items if isinstance(inputs, Sequence) else []
            return TensorValue(layer=layer, inputs=[t for t in items if isinstance(t, TensorValue)], node=node)
        tensor = _first_tensor(args, kwargs)
        if tensor is not None:
            applied = self.apply_function(qualified, tensor, node)
            if applied is not None:
                return applied
        layer = self.make_layer(name, args, kwargs, node) if path.startswith("layers.") else None
        if layer is not None:
            return layer
        if path.startswith("layers."):
            # Any other layer (attention, a custom layer of a library...): its output is unknown.
            return LayerValue(kind=name, name=const_str(kwargs.get("name")), node=node)
        if path.startswith(("losses.", "metrics.", "optimizers.", "callbacks.")) or path == name:
            return KerasObject(qualified, args, kwargs, node)  # a loss or metric instance, among others
        return Opaque(f"Keras's {path or name}(), which kerascheck's tables do not describe", node)

    def call_outside_keras(self, qualified: str, args: list, kwargs: dict, node: ast.Call) -> Value:
        """A call of something the program imports from outside Keras (or a builtin)."""
        if qualified.startswith("builtins."):
            if qualified == "builtins.dict" and not args:
                return Mapping([(Const(key), value) for key, value in kwargs.items()], node)
            return super().call_ref(qualified, args, kwargs, node)
        tensor = _first_tensor(args, kwargs)
        if tensor is not None:
            applied = self.apply_function(qualified, tensor, node)
            if applied is not None:
                return applied
        return Opaque(_outside_why(qualified), node)

    def apply_function(self, qualified: str, tensor: TensorValue, node) -> Optional[TensorValue]:
        """A function applied to a tensor that acts as a layer: an activation, a cast, preprocess_input."""
        activation = knowledge.activation_from_qualified_name(qualified)
        if activation is not None:
            layer = LayerValue(kind="Activation", spec=layers.LAYERS["Activation"], activation=activation, node=node,
                               args=LayerArgs({}))
            return TensorValue(layer=layer, inputs=[tensor], node=node)
        short = qualified.rsplit(".", 1)[-1]
        if short == "preprocess_input" and ".applications." in f".{knowledge.normalize_tensorflow(qualified)}":
            layer = LayerValue(kind="preprocess_input", spec=layers.PREPROCESS_INPUT, node=node, args=LayerArgs({}))
            return TensorValue(layer=layer, inputs=[tensor], node=node)
        if short == "cast" and (knowledge.keras_path(qualified) is not None or
                                knowledge.normalize_tensorflow(qualified) in ("tensorflow.cast", "tensorflow.dtypes.cast")):
            layer = LayerValue(kind="cast", spec=layers.LAYERS["Identity"], node=node, args=LayerArgs({}))
            return TensorValue(layer=layer, inputs=[tensor], node=node)
        return None

    # ------------------------------------------------------------ Keras's constructors

    def make_input(self, name: str, args, kwargs, node) -> Value:
        """`Input(shape=(28, 28, 1))`, `InputLayer(input_shape=...)`: a model's input, with the shape it declares."""
        declared = self.declared_input(args[:1] if name == "Input" else (), kwargs, node, positional_keyword="shape")
        tensor = TensorValue(declared=declared, node=node)
        if name == "InputLayer":
            # In a Sequential list it declares the input; applied like a layer it is the identity.
            return LayerValue(kind="InputLayer", declared_input=declared, node=node)
        return tensor

    def declared_input(self, args, kwargs, node, positional_keyword: Optional[str] = None) -> Optional[InputFact]:
        """The input a call declares: shape=, input_shape=, batch_input_shape=, batch_shape=, input_dim=."""
        keyword_nodes = {keyword.arg: keyword for keyword in getattr(node, "keywords", ()) if keyword.arg}
        for keyword in layers.INPUT_SHAPE_KEYWORDS:
            if keyword not in kwargs:
                continue
            value = kwargs[keyword]
            if keyword == "input_dim":
                dim = const_int(value)
                shape = (None, dim) if dim is not None else None
            else:
                shape = _shape_tuple(value, batch_included=keyword in ("batch_input_shape", "batch_shape"))
                if shape is not None and keyword in ("shape", "input_shape") and "batch_size" in kwargs:
                    shape = (const_int(kwargs["batch_size"]), *shape[1:])
            where = keyword_nodes.get(keyword)
            return InputFact(shape=shape, keyword=keyword, span=self.span_of(where), line=self.line_of(where),
                             name=const_str(kwargs.get("name")), batch_in_shape=_writes_sample_count(value),
                             in_data_format_branch=self.in_data_format_branch(where, getattr(value, "node", None)),
                             path=self.shown_path_of(node))
        if positional_keyword is not None and args:
            return InputFact(shape=_shape_tuple(args[0], batch_included=False), keyword=positional_keyword,
                             span=self.span_of(node.args[0]), line=self.line_of(node.args[0]),
                             name=const_str(kwargs.get("name")), path=self.shown_path_of(node),
                             in_data_format_branch=self.in_data_format_branch(node, getattr(args[0], "node", None)))
        if "input_length" in kwargs:  # Embedding(input_length=100) as a Sequential's first layer
            length = const_int(kwargs["input_length"])
            where = keyword_nodes.get("input_length")
            return InputFact(shape=(None, length), keyword="input_length", span=self.span_of(where),
                             line=self.line_of(where), path=self.shown_path_of(node))
        return None

    def make_layer(self, name: str, args, kwargs, node) -> Optional[LayerValue]:
        spec = layers.layer(name)
        if spec is None:
            return None
        bound = _bind(spec, args, kwargs)
        layer_name = const_str(kwargs.get("name"))
        units = const_int(bound.get(spec.units)) if spec.units else None
        if units is not None and units < 1:
            units = None  # no real layer has 0 units: the value was not what we computed
        activation = None
        if spec.activation == layers.ARGUMENT:
            activation = self.activation_of(bound["activation"]) if "activation" in bound else spec.default_activation
        elif spec.activation == layers.APPLIES:
            activation = spec.applies or self.activation_of(bound.get("activation", UNKNOWN))
        written_format = _DATA_FORMATS.get(const_str(bound.get("data_format")))
        data_format = written_format or self.image_data_format or CHANNELS_LAST
        keras1_kernel = bool(spec.spatial_dims and spec.spatial_dims >= 2 and len(args) == spec.spatial_dims + 1
                             and "kernel_size" not in kwargs
                             and all(const_int(arg) is not None for arg in args[1:]))
        literal_args = LayerArgs({param: _literal(value) for param, value in bound.items()
                                  if not isinstance(value, (LayerValue, ModelValue))},
                                 data_format=data_format, spatial_dims=spec.spatial_dims,
                                 keras1_positional_kernel=keras1_kernel,
                                 written_format=written_format or self.image_data_format)
        layer = LayerValue(kind=name, spec=spec, args=literal_args, units=units, activation=activation,
                           name=layer_name, node=node, declared_input=self.declared_input((), kwargs, node))
        if spec.family == "wrapper":
            inner = bound.get("layer")
            layer.inner = inner if isinstance(inner, (LayerValue, ModelValue)) else None
        if name == "Lambda":
            layer.lambda_effect = _lambda_effect(node.args[0] if node.args else None)
        return layer

    def call_application(self, name: str, args, kwargs, node) -> Value:
        """`ResNet50(include_top=False, ...)`: a functional model the program does not show, read from Keras's table."""
        if applications.application(name) is None:
            if name == "preprocess_input":
                tensor = _first_tensor(args, kwargs)
                return self.apply_function("keras.applications." + name, tensor, node) if tensor else UNKNOWN
            return ModelValue(style=None, node=node, why=f"keras.applications.{name} is not in kerascheck's table")
        values = {key: _literal(value) for key, value in kwargs.items() if not isinstance(value, TensorValue)}
        model = ModelValue(style="application", application=name, args=LayerArgs(values), node=node)
        model.declared_input = self.declared_input((), kwargs, node)
        tensor = kwargs.get("input_tensor")
        if isinstance(tensor, TensorValue):
            model.inputs = tensor
        return model

    def activation_of(self, value: Value) -> Optional[str]:
        if isinstance(value, Const):
            if value.value is None:
                return "linear"
            if isinstance(value.value, str):
                return knowledge.canonical_activation_string(value.value)
            return None
        if isinstance(value, Ref):
            return knowledge.activation_from_qualified_name(value.qualified)
        if isinstance(value, LayerValue) and value.spec is not None and value.spec.activation == layers.APPLIES:
            return value.activation
        return None


def keras_name(qualified: str) -> Optional[str]:
    """'tensorflow.keras.layers.Dense' -> 'Dense'; None when not Keras (or Keras's root itself)."""
    path = knowledge.keras_path(qualified)
    if path is None:
        return None
    return path.rsplit(".", 1)[-1] if path else None


# Names in an `if` test that say it reads the image data format (`K.image_data_format() == 'channels_first'`).
_DATA_FORMAT_WORDS = ("data_format", "dim_ordering", "channels_first", "channels_last")


def _tests_data_format(test: ast.expr) -> bool:
    for node in ast.walk(test):
        word = node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else \
            node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None
        if word is not None and any(part in word for part in _DATA_FORMAT_WORDS):
            return True
    return False


def _outside_why(qualified: str) -> str:
    top = qualified.split(".")[0]
    if top in LIBRARY_PACKAGES:
        parts = qualified.split(".")
        classes = [part for part in parts[1:] if part[:1].isupper()]
        return f"library model: {top} {classes[-1] if classes else parts[-1]}"
    return f"import of a module outside the project ({qualified})"


def _short_library_name(why: str) -> str:
    """A layer from a library, named for LayerFact.kind."""
    match = re.search(r"library model: (\S+) (\S+)", why)
    if match:
        return f"{match.group(1)}.{match.group(2)}"
    match = re.search(r"\(([\w.]+)\)", why)
    return match.group(1) if match else "unknown"


class ParameterWhy(str):
    """'model comes from a parameter ...': whether the function has callers is known at the end of the run."""

    def __new__(cls, name: str, function, interpreter):
        self = super().__new__(cls, f"model comes from parameter '{name}' of {function.name}()")
        self.name, self.function, self.interpreter = name, function, interpreter
        return self

    def final(self) -> str:
        if id(self.function.definition) in self.interpreter.called:
            return (f"model comes from parameter '{self.name}' of {self.function.name}(), and no call in the "
                    f"program passes a known model")
        return f"model comes from parameter '{self.name}' of {self.function.name}(), with no caller in the program"


def _looks_like_keras_compile(arguments: dict) -> bool:
    """Keras's compile(): a loss, metrics or an optimizer by keyword, or a Keras loss in second position."""
    for name in ("loss", "metrics", "optimizer"):
        if name not in arguments:
            continue
        node, value, by_keyword = arguments[name]
        if by_keyword:
            return True
        if name == "loss":
            if isinstance(value, Const) and isinstance(value.value, str) and knowledge.canonical_loss(value.value):
                return True
            if isinstance(value, (Ref, KerasObject)) and knowledge.keras_path(value.qualified) is not None:
                return True
    return False


def _unread_base(cls: ClassValue) -> Optional[str]:
    """A base of the class (or of its bases) that the analysis cannot see into, by name."""
    for base in cls.bases:
        if isinstance(base, ClassValue):
            found = _unread_base(base)
            if found:
                return found
        elif isinstance(base, Ref):
            if knowledge.keras_path(base.qualified) is None and not base.qualified.startswith("builtins."):
                return base.qualified
        elif isinstance(base, Opaque):
            return base.why
        elif is_unknown(base):
            return "an unresolved name"
    return None


def _bind(spec, args: list, kwargs: dict) -> dict:
    """Arguments by parameter name (Keras 1 keywords renamed as the table says)."""
    bound = {}
    for param, value in zip(spec.params, args):
        bound[param] = value
    for keyword, value in kwargs.items():
        bound[spec.aliases.get(keyword, keyword)] = value
    return bound


def _literal(value: Value):
    """A layer argument as a plain value for the shape functions: int, float, str, bool, None, tuple, or NOT_KNOWN."""
    if isinstance(value, Const):
        return value.value
    if isinstance(value, Sequence) and value.complete:
        items = tuple(_literal(item) for item in value.items)
        return NOT_KNOWN if any(item is NOT_KNOWN for item in items) else items
    return NOT_KNOWN


def _writes_sample_count(value: Value) -> bool:
    """`input_shape=(len(x), 20)`, `(x.shape[0], 28, 28)`: the number of samples written as the first size."""
    return isinstance(value, Sequence) and bool(value.items) and isinstance(value.items[0], SampleCount)


def _shape_tuple(value: Value, batch_included: bool) -> Optional[tuple]:
    """A declared shape as a batch-first tuple of ints/None; None when its rank is not known (a literal tuple
    with an unknown size, `(x.shape[1], n_features)`, still has its rank)."""
    literal = tuple(_literal(item) for item in value.items) if isinstance(value, Sequence) and value.complete \
        else _literal(value)
    if isinstance(literal, int) and not isinstance(literal, bool):
        literal = (literal,)
    if not isinstance(literal, tuple):
        return None
    sizes = tuple(item if isinstance(item, int) and not isinstance(item, bool) and item > 0 else None
                  for item in literal)
    return sizes if batch_included else (None, *sizes)


def _first_tensor(args, kwargs) -> Optional[TensorValue]:
    for value in list(args) + list(kwargs.values()):
        if isinstance(value, TensorValue):
            return value
        if isinstance(value, Sequence):  # a merge's list of inputs
            for item in value.items:
                if isinstance(item, TensorValue):
                    return item
    return None


def _tensor_inputs(args, kwargs) -> list:
    """The tensors a layer is applied to: `layer(x)`, or a merge's `layer([a, b])`."""
    first = args[0] if args else kwargs.get("inputs")
    if isinstance(first, Sequence):
        return [item for item in first.items if isinstance(item, TensorValue)]
    tensor = _first_tensor(args, kwargs)
    return [tensor] if tensor is not None else []


def _lambda_effect(node) -> Optional[str]:
    """What a Lambda layer's function does, read from its text: 'identity' (a cast), 'rescale' (divides its input)."""
    if not isinstance(node, ast.Lambda):
        name = dotted(node) if node is not None else None
        return "rescale" if name and name.endswith("preprocess_input") else None
    params = [arg.arg for arg in (*node.args.posonlyargs, *node.args.args)]
    if not params:
        return None
    return _expression_effect(node.body, params[0])


def _expression_effect(body: ast.expr, param: str) -> Optional[str]:
    if isinstance(body, ast.Name) and body.id == param:
        return "identity"
    if isinstance(body, ast.Call):
        name = dotted(body.func) or ""
        first = body.args[0] if body.args else None
        if name.endswith("cast") and isinstance(first, ast.Name) and first.id == param:
            return "identity"
        if name.endswith(("preprocess_input", "per_image_standardization")) and _mentions(first, param):
            return "rescale"
        return None
    if isinstance(body, ast.BinOp):
        if isinstance(body.op, ast.Div) and _mentions(body.left, param) and not _mentions(body.right, param):
            return "rescale"
        if isinstance(body.op, ast.Mult) and isinstance(body.right, ast.Constant) and _mentions(body.left, param) \
                and isinstance(body.right.value, float) and 0 < body.right.value < 1:
            return "rescale"
        if isinstance(body.op, (ast.Add, ast.Sub)):
            for side in (body.left, body.right):
                if _expression_effect(side, param) == "rescale":
                    return "rescale"
    return None


def _mentions(node, name: str) -> bool:
    return node is not None and any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(node))


__all__ = ["ModuleInterpreter", "COMPILE_ATTRIBUTE", "BETWEEN_DOT_AND_NAME", "keras_name", "FunctionValue"]
