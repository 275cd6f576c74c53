"""CallFacts: the calls outside compile() that a rule looks at (Keras 1 and removed APIs, KC3).

One pass over the module libcst already parsed. Names are resolved the way the
interpreter resolves them (its own import binding and lookup: aliases, star imports,
Keras's own names in a pasted snippet), so `Conv2D`, `layers.Conv2D`,
`tf.keras.layers.Conv2D` and `keras.layers.convolutional.Convolution2D` all become
qualified names that `knowledge.keras_path` understands.

Scopes follow Python: a module (or class) body binds in order; a function body runs
later, so it sees the enclosing scope as it is at the end. Besides imports, simple
assignments are tracked (`L = tf.keras.layers`, `kernel_size = (3, 3)`), so a
positional argument's literal value is known where it is a module constant.
"""

from __future__ import annotations

import dataclasses
from typing import Optional

import libcst as cst

from kerascheck import knowledge
from kerascheck.extract.interpreter import Frame, ModuleInterpreter, Scope, _dotted, _string_value
from kerascheck.extract.values import UNKNOWN, Const, Ref, Sequence, Value
from kerascheck.facts import CallFact

# Keras names a pasted snippet uses without importing them, beyond knowledge.SNIPPET_MODULE:
# the Keras 1 and removed APIs KC3 is about.
_SNIPPET_EXTRA = {
    **{name: "keras.layers." + name for name in (
        "Merge", "merge", "Deconvolution2D", "Deconvolution3D", "AtrousConvolution1D", "AtrousConvolution2D",
        "SeparableConvolution2D", "Conv2DTranspose", "SeparableConv2D", "SeparableConv1D", "MaxPooling3D",
        "AveragePooling1D", "AveragePooling2D", "AveragePooling3D", "UpSampling1D", "UpSampling2D",
        "ZeroPadding2D", "Cropping2D", "ConvLSTM2D", "PReLU", "LocallyConnected1D", "LocallyConnected2D",
        "Input", "multiply", "average", "maximum", "dot")},
    **{name: "keras.optimizers." + name for name in (
        "SGD", "RMSprop", "Adagrad", "Adadelta", "Adam", "Adamax", "Nadam")},
    "Tokenizer": "keras.preprocessing.text.Tokenizer",
    "KerasClassifier": "keras.wrappers.scikit_learn.KerasClassifier",
    "KerasRegressor": "keras.wrappers.scikit_learn.KerasRegressor",
}

# Model methods worth a look when called on anything that is not a non-Keras module
# (`model.fit(...)`, `self.net.fit_generator(...)`): the receiver is rarely known.
MODEL_METHODS = frozenset({
    "fit", "evaluate", "predict", "fit_generator", "evaluate_generator", "predict_generator",
    "predict_classes", "predict_proba", "train_on_batch", "test_on_batch",
})
# scikit-learn wrappers, whichever package provides them (keras.wrappers, scikeras, tf.keras.wrappers).
SKLEARN_WRAPPERS = frozenset({"KerasClassifier", "KerasRegressor"})


class Resolver:
    """Qualified names of expressions, through the interpreter's import binding and lookup."""

    def __init__(self, interpreter: ModuleInterpreter):
        self.interpreter = interpreter
        self.snippet_names = interpreter.mentions_keras

    def bind_import(self, node, scope: Scope) -> None:
        if isinstance(node, cst.Import):
            self.interpreter.do_import(node, Frame(scope))
        else:
            self.interpreter.do_import_from(node, Frame(scope))

    def lookup(self, name: str, scope: Scope) -> Value:
        value = self.interpreter.lookup(name, Frame(scope))
        if value is UNKNOWN and self.snippet_names and name in _SNIPPET_EXTRA and scope.lookup(name) is None \
                and not _has_foreign_star_import(scope):
            return Ref(_SNIPPET_EXTRA[name])
        return value

    def value(self, node: cst.CSTNode, scope: Scope) -> Value:
        """Names, attributes, literals, tuples and subscripts of known tuples; anything else is UNKNOWN."""
        if isinstance(node, cst.Name):
            return self.lookup(node.value, scope)
        if isinstance(node, cst.Attribute):
            owner = self.value(node.value, scope)
            return Ref(f"{owner.qualified}.{node.attr.value}") if isinstance(owner, Ref) else UNKNOWN
        if isinstance(node, cst.Integer):
            try:
                return Const(int(node.value.replace("_", ""), 0))
            except ValueError:
                return UNKNOWN
        if isinstance(node, cst.Float):
            try:
                return Const(float(node.value.replace("_", "")))
            except ValueError:
                return UNKNOWN
        if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
            text = _string_value(node)
            return Const(text) if text is not None else UNKNOWN
        if isinstance(node, (cst.Tuple, cst.List)):
            items = []
            for element in node.elements:
                if isinstance(element, cst.StarredElement):
                    return UNKNOWN
                items.append(self.value(element.value, scope))
            return Sequence(items)
        if isinstance(node, cst.Subscript) and len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
            container = self.value(node.value, scope)
            index = self.value(node.slice[0].slice.value, scope)
            if isinstance(container, Sequence) and isinstance(index, Const) and isinstance(index.value, int) \
                    and -len(container.items) <= index.value < len(container.items):
                return container.items[index.value]
        if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
            operand = self.value(node.expression, scope)
            if isinstance(operand, Const) and isinstance(operand.value, (int, float)) and not isinstance(operand.value, bool):
                return Const(-operand.value)
        return UNKNOWN

    def qualified(self, node: cst.CSTNode, scope: Scope) -> Optional[str]:
        value = self.value(node, scope)
        return value.qualified if isinstance(value, Ref) else None


def _has_foreign_star_import(scope: Optional[Scope]) -> bool:
    while scope is not None:
        if any(knowledge.keras_path(module) is None for module in scope.star_imports):
            return True
        scope = scope.parent
    return False


def _literal(value: Value):
    """A plain Python value for a CallFact: int, float, str, bool, None, or a tuple of those."""
    if isinstance(value, Const) and isinstance(value.value, (int, float, str, bool, type(None))):
        return value.value
    if isinstance(value, Sequence):
        items = tuple(_literal(item) for item in value.items)
        return items if all(item is not None for item in items) else None
    return None


# Fields that hold only whitespace, punctuation or comments: never a call, never a binding.
_PUNCTUATION_FIELDS = frozenset({
    "lpar", "rpar", "comma", "semicolon", "leading_lines", "lines_after_decorators", "header", "footer",
    "trailing_whitespace", "newline", "equal", "colon", "dot", "operator", "asynchronous", "lbracket", "rbracket",
    "lbrace", "rbrace", "star_tok", "arrow", "default_indent", "default_newline", "encoding", "indent",
})
_CHILD_FIELDS: dict = {}  # node type -> the names of its fields that can hold code


def _child_fields(node_type) -> tuple:
    names = _CHILD_FIELDS.get(node_type)
    if names is None:
        names = tuple(f.name for f in dataclasses.fields(node_type)
                      if f.name not in _PUNCTUATION_FIELDS and not f.name.startswith("whitespace"))
        _CHILD_FIELDS[node_type] = names
    return names


_LEAVES = (cst.Name, cst.SimpleString, cst.Integer, cst.Float, cst.Imaginary, cst.Ellipsis, cst.Pass,
           cst.Break, cst.Continue, cst.Global, cst.Nonlocal)


class _CallCollector:
    """Walks one scope's body in source order; function bodies are queued for later.

    A plain recursive walk over the nodes' code fields: libcst's visitor rebuilds every
    node it passes, which made this pass cost more than the parse.
    """

    def __init__(self, extractor: "CallExtractor", scope: Scope, function_parent: Optional[Scope] = None):
        self.extractor = extractor
        self.resolver = extractor.resolver
        self.scope = scope
        # The scope a function defined here sees: a method does not see its class body.
        self.function_parent = function_parent or scope

    def walk(self, node) -> None:
        if isinstance(node, _LEAVES):
            return
        handler = _HANDLERS.get(type(node))
        if handler is not None:
            handler(self, node)
        else:
            self.children(node)

    def children(self, node) -> None:
        for name in _child_fields(type(node)):
            value = getattr(node, name)
            if isinstance(value, cst.CSTNode):
                self.walk(value)
            elif isinstance(value, (tuple, list)):
                for item in value:
                    if isinstance(item, cst.CSTNode):
                        self.walk(item)

    # ---------------------------------------------------------------- bindings

    def on_import(self, node) -> None:
        self.resolver.bind_import(node, self.scope)

    def on_assign(self, node: cst.Assign) -> None:
        self.walk(node.value)
        value = self.resolver.value(node.value, self.scope)
        for target in node.targets:
            self.walk(target.target)
            self._bind(target.target, value)

    def on_ann_assign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self.walk(node.value)
            self._bind(node.target, self.resolver.value(node.value, self.scope))

    def on_aug_assign(self, node: cst.AugAssign) -> None:
        self.walk(node.value)
        self._bind(node.target, UNKNOWN)

    def on_for(self, node: cst.For) -> None:
        self.walk(node.iter)
        self._bind(node.target, UNKNOWN)
        self.walk(node.body)
        if node.orelse is not None:
            self.walk(node.orelse)

    def on_with_item(self, node: cst.WithItem) -> None:
        self.walk(node.item)
        if node.asname is not None:
            self._bind(node.asname.name, UNKNOWN)

    def _bind(self, target: cst.CSTNode, value: Value) -> None:
        if isinstance(target, cst.Name):
            self.scope.vars[target.value] = value
        elif isinstance(target, (cst.Tuple, cst.List)):
            items = value.items if isinstance(value, Sequence) and len(value.items) == len(target.elements) else None
            for index, element in enumerate(target.elements):
                self._bind(element.value, items[index] if items is not None and not isinstance(element, cst.StarredElement) else UNKNOWN)

    def on_function(self, node: cst.FunctionDef) -> None:
        # Decorators and defaults run now, in this scope; the body runs later.
        for decorator in node.decorators:
            self.walk(decorator)
        self.walk(node.params)
        self.scope.vars[node.name.value] = UNKNOWN
        self.extractor.queue.append((node, self.function_parent))

    def on_class(self, node: cst.ClassDef) -> None:
        for part in (*node.decorators, *node.bases, *node.keywords):
            self.walk(part)
        self.scope.vars[node.name.value] = UNKNOWN
        # A class body runs now, in its own scope; its methods see the enclosing scope.
        _CallCollector(self.extractor, Scope(parent=self.scope), function_parent=self.function_parent).walk(node.body)

    def on_lambda(self, node: cst.Lambda) -> None:
        self.walk(node.params)
        _CallCollector(self.extractor, _function_scope(node.params, self.scope)).walk(node.body)

    # ---------------------------------------------------------------- calls

    def on_call(self, node: cst.Call) -> None:
        if self.extractor.recording:
            self.extractor.record(node, self.scope)
        self.children(node)


_HANDLERS = {
    cst.Import: _CallCollector.on_import, cst.ImportFrom: _CallCollector.on_import,
    cst.Assign: _CallCollector.on_assign, cst.AnnAssign: _CallCollector.on_ann_assign,
    cst.AugAssign: _CallCollector.on_aug_assign, cst.For: _CallCollector.on_for,
    cst.WithItem: _CallCollector.on_with_item, cst.FunctionDef: _CallCollector.on_function,
    cst.ClassDef: _CallCollector.on_class, cst.Lambda: _CallCollector.on_lambda, cst.Call: _CallCollector.on_call,
}


def _function_scope(params: cst.Parameters, parent: Scope) -> Scope:
    scope = Scope(parent=parent)
    for param in (*params.posonly_params, *params.params, *params.kwonly_params):
        scope.vars[param.name.value] = UNKNOWN
    for star in (params.star_arg, params.star_kwarg):
        if isinstance(star, cst.Param):
            scope.vars[star.name.value] = UNKNOWN
    return scope


class CallExtractor:
    def __init__(self, interpreter: ModuleInterpreter, recording: bool = True):
        self.interpreter = interpreter
        self.recording = recording
        self.resolver = Resolver(interpreter)
        self.queue: list = []  # (FunctionDef, enclosing Scope)
        self.calls: list = []

    def run(self) -> list:
        _CallCollector(self, Scope()).walk(self.interpreter.module)
        for function, enclosing in self.queue:  # grows while it is walked: nested functions
            _CallCollector(self, _function_scope(function.params, enclosing)).walk(function.body)
        self.calls.sort(key=lambda call: (call.span.line, call.span.column))
        return self.calls

    def record(self, node: cst.Call, scope: Scope) -> None:
        qualified = self.qualified_name(node, scope)
        if qualified is None:
            return
        span_of = self.interpreter.span_of
        keywords = {}
        positional_spans = []
        positional_values = []
        for arg in node.args:
            if arg.keyword is not None:
                keywords.setdefault(arg.keyword.value, span_of(arg))
            elif arg.star == "**":
                continue
            else:
                positional_spans.append(span_of(arg.value))
                positional_values.append(None if arg.star else _literal(self.resolver.value(arg.value, scope)))
        self.calls.append(CallFact(
            qualified_name=qualified, span=span_of(node), keywords=keywords,
            positional_count=len(positional_spans), positional_spans=tuple(positional_spans),
            positional_values=tuple(positional_values)))

    def qualified_name(self, node: cst.Call, scope: Scope) -> Optional[str]:
        """The callee's qualified name when the call is worth a look, else None."""
        func = node.func
        qualified = self.resolver.qualified(func, scope)
        if qualified is not None:
            short = qualified.rsplit(".", 1)[-1]
            if knowledge.keras_path(qualified) is not None or short in SKLEARN_WRAPPERS:
                return qualified
            if not (isinstance(func, cst.Attribute) and short in MODEL_METHODS):
                return None
        if isinstance(func, cst.Attribute) and func.attr.value in MODEL_METHODS:
            receiver = self.resolver.value(func.value, scope)
            if isinstance(receiver, Ref) and knowledge.keras_path(receiver.qualified) is None:
                return None  # np.fit, sklearn.fit: a module's function, not a model's method
            return f"{_dotted(func.value) or '?'}.{func.attr.value}"
        return None


def extract_calls(interpreter: ModuleInterpreter) -> list:
    """The CallFacts of the module the interpreter has parsed (those found so far, if it nests too deeply)."""
    extractor = CallExtractor(interpreter)
    try:
        return extractor.run()
    except RecursionError:  # the interpreter's facts stand; only some calls are not looked at
        return sorted(extractor.calls, key=lambda call: (call.span.line, call.span.column))


def module_resolver(module: cst.Module, mentions_keras: bool = True) -> tuple:
    """(Resolver, module Scope) with every top-level import and assignment bound, for the fixer."""
    interpreter = ModuleInterpreter("", module, {}, mentions_keras)
    extractor = CallExtractor(interpreter, recording=False)
    scope = Scope()
    _CallCollector(extractor, scope).walk(module)
    return extractor.resolver, scope
