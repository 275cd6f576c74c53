"""CallFacts: the calls outside compile() that a rule looks at (Keras 1 and removed APIs, KC3).

One pass over the module `ast` already parsed. Names are resolved the way the
interpreter resolves them (extract/names.py, through the evaluator: aliases, star imports,
Keras's own names in a pasted snippet), so `Conv2D`, `layers.Conv2D`,
`tf.keras.layers.Conv2D` and `keras.layers.convolutional.Convolution2D` all become
qualified names that `knowledge.keras_path` understands.

Scopes follow Python: a module (or class) body binds in order; a function body runs
later, so it sees the enclosing scope as it is at the end. Besides imports, simple
assignments are tracked (`L = tf.keras.layers`, `kernel_size = (3, 3)`), so a
positional argument's literal value is known where it is a module constant.
"""

from __future__ import annotations

import ast
from typing import Optional

from kerascheck import knowledge
from kerascheck.extract import names
from kerascheck.extract.evaluator import Evaluator, Frame
from kerascheck.extract.interpreter import ModuleInterpreter
from kerascheck.extract.names import Scope, dotted
from kerascheck.extract.spans import SourceSpans
from kerascheck.extract.values import UNKNOWN, Const, Ref, Sequence, Value
from kerascheck.facts import CallFact

# Keras names a pasted snippet uses without importing them, beyond knowledge.SNIPPET_MODULE:
# the Keras 1 and removed APIs KC3 is about.
SNIPPET_EXTRA = {
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
# Libraries whose estimators have fit/predict/predict_proba of their own (never a Keras model's): an instance
# made by calling one of their classes is not a model, even in a file that also uses Keras.
NON_KERAS_ESTIMATOR_ROOTS = frozenset({
    "sklearn", "xgboost", "lightgbm", "catboost", "statsmodels", "imblearn", "mlxtend", "skorch", "torch",
    "scipy", "numpy", "pandas", "hmmlearn", "pomegranate", "gensim", "sktime", "tslearn", "pyod",
})


class NotAModel(Value):
    """An object whose model-like methods are not Keras's: an instance of a scikit-learn (or other non-Keras)
    estimator or of a Keras scikit-learn wrapper (`LogisticRegression(...)`, `KerasClassifier(...)`), or `self`
    in a class that defines the method itself (`methods`: the names it defines; None means all of them)."""

    def __init__(self, methods: Optional[frozenset] = None):
        self.methods = methods

    def owns(self, method: str) -> bool:
        return self.methods is None or method in self.methods


class _NameEvaluator(Evaluator):
    """The evaluator reading names and literals only: a call is never followed (its value is unknown)."""

    def __init__(self, snippet_extra: Optional[dict]):
        super().__init__("", ast.Module(body=[], type_ignores=[]), SourceSpans(""))
        self.snippet_extra = snippet_extra

    def lookup(self, name: str, frame: Frame) -> Value:
        return names.lookup(name, frame.scope, self.snippet_extra)

    def eval_call(self, node: ast.Call, frame: Frame) -> Value:
        return UNKNOWN


class Resolver:
    """Qualified names and literal values of expressions, by the evaluator's own name resolution."""

    def __init__(self, interpreter: ModuleInterpreter):
        self.interpreter = interpreter
        self.snippet_names = interpreter.mentions_keras
        self.evaluator = _NameEvaluator(SNIPPET_EXTRA if self.snippet_names else None)

    def bind_import(self, node, scope: Scope) -> None:
        # Names only: the call extractor never reads the program's other modules (the interpreter does).
        if isinstance(node, ast.Import):
            names.bind_import(node, scope)
        else:
            names.bind_import_from(node, scope)

    def lookup(self, name: str, scope: Scope) -> Value:
        return self.evaluator.lookup(name, Frame(scope))

    def value(self, node: ast.AST, scope: Scope) -> Value:
        """Names, attributes, literals, containers and arithmetic of known values; a call is UNKNOWN."""
        return self.evaluator.eval(node, Frame(scope))

    def qualified(self, node: ast.AST, scope: Scope) -> Optional[str]:
        value = self.value(node, scope)
        return value.qualified if isinstance(value, Ref) else None


# The literals a keyword argument's value is recorded as (CallFact.keyword_values).
_KEYWORD_LITERALS = (int, float, str, bool, type(None))


def _literal(value: Value):
    """A plain Python value for a CallFact: int, float, str, bool, None, or a tuple of those."""
    if isinstance(value, Const) and isinstance(value.value, (int, float, str, bool, type(None))):
        return value.value
    if isinstance(value, Sequence):
        items = tuple(_literal(item) for item in value.items)
        return items if all(item is not None for item in items) else None
    return None


# Nodes with no code below them worth a look: names, literals, contexts, operators.
_LEAVES = frozenset({ast.Name, ast.Constant, ast.Load, ast.Store, ast.Del, ast.Pass, ast.Break, ast.Continue,
                     ast.Global, ast.Nonlocal, ast.alias,
                     *ast.operator.__subclasses__(), *ast.unaryop.__subclasses__(), *ast.cmpop.__subclasses__(),
                     *ast.boolop.__subclasses__()})
# Fields that never hold code (names as strings, flags, contexts, operators).
_NOT_CODE_FIELDS = frozenset({"ctx", "op", "ops", "id", "attr", "arg", "name", "names", "module", "level", "kind",
                              "conversion", "is_async", "type_comment", "type_ignores", "kwd_attrs",
                              "rest"})
_CODE_FIELDS: dict = {}  # node type -> the names of its fields that can hold code


def _code_fields(node_type) -> tuple:
    fields = _CODE_FIELDS.get(node_type)
    if fields is None:
        fields = _CODE_FIELDS[node_type] = tuple(name for name in node_type._fields if name not in _NOT_CODE_FIELDS)
    return fields


class _CallCollector:
    """Walks one scope's body in source order; function bodies are queued for later."""

    def __init__(self, extractor: "CallExtractor", scope: Scope, function_parent: Optional[Scope] = None,
                 class_methods: Optional["_ClassMethods"] = None):
        self.extractor = extractor
        self.resolver = extractor.resolver
        self.scope = scope
        # The scope a function defined here sees: a method does not see its class body.
        self.function_parent = function_parent or scope
        # In a class body: the names of the methods the class defines itself.
        self.class_methods = class_methods

    def walk(self, node) -> None:
        node_type = type(node)
        if node_type in _LEAVES:
            return
        handler = _HANDLERS.get(node_type)
        if handler is not None:
            handler(self, node)
        else:
            self.children(node)

    def walk_all(self, nodes) -> None:
        for node in nodes:
            if node is not None:
                self.walk(node)

    def children(self, node) -> None:
        # The hottest loop of extraction: leaves are skipped here rather than in a call to walk().
        walk = self.walk
        for name in _code_fields(type(node)):
            value = getattr(node, name, None)
            if type(value) is list:
                for item in value:
                    if type(item) not in _LEAVES and isinstance(item, ast.AST):
                        walk(item)
            elif type(value) not in _LEAVES and isinstance(value, ast.AST):  # MatchSingleton.value is True...
                walk(value)

    # ---------------------------------------------------------------- bindings

    def on_import(self, node) -> None:
        self.resolver.bind_import(node, self.scope)

    def on_assign(self, node: ast.Assign) -> None:
        self.walk(node.value)
        value = self.extractor.not_a_model(node.value, self.scope) or self.resolver.value(node.value, self.scope)
        for target in node.targets:
            self.walk(target)
            self._bind(target, value)

    def on_ann_assign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self.walk(node.value)
            self._bind(node.target, self.resolver.value(node.value, self.scope))

    def on_aug_assign(self, node: ast.AugAssign) -> None:
        self.walk(node.value)
        self._bind(node.target, UNKNOWN)

    def on_for(self, node: ast.For) -> None:
        self.walk(node.iter)
        self._bind(node.target, UNKNOWN)
        self.walk_all(node.body)
        self.walk_all(node.orelse)

    def on_with_item(self, node: ast.withitem) -> None:
        self.walk(node.context_expr)
        if node.optional_vars is not None:
            self._bind(node.optional_vars, UNKNOWN)

    def _bind(self, target: ast.AST, value: Value) -> None:
        if isinstance(target, ast.Name):
            self.scope.vars[target.id] = value
        elif isinstance(target, (ast.Tuple, ast.List)):
            items = value.items if isinstance(value, Sequence) and len(value.items) == len(target.elts) else None
            for index, element in enumerate(target.elts):
                if isinstance(element, ast.Starred):
                    self._bind(element.value, UNKNOWN)
                else:
                    self._bind(element, items[index] if items is not None else UNKNOWN)

    def on_function(self, node: ast.FunctionDef) -> None:
        # Decorators and defaults run now, in this scope; the body runs later.
        self.walk_all(node.decorator_list)
        self.walk(node.args)
        self.scope.vars[node.name] = UNKNOWN
        self.extractor.queue.append((node, self.function_parent, self.class_methods))

    def on_class(self, node: ast.ClassDef) -> None:
        self.walk_all(node.decorator_list)
        self.walk_all(node.bases)
        self.walk_all(node.keywords)
        self.scope.vars[node.name] = UNKNOWN
        # A class body runs now, in its own scope; its methods see the enclosing scope.
        methods = frozenset(item.name for item in node.body if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)))
        # `super().fit_generator(...)` in a class none of whose bases is (or may be) Keras's is not a model's method
        bases = [self.resolver.value(base, self.scope) for base in node.bases]
        foreign_bases = all(isinstance(base, Ref) and _surely_not_keras(base.qualified) for base in bases)
        _CallCollector(self.extractor, Scope(parent=self.scope), function_parent=self.function_parent,
                       class_methods=_ClassMethods(methods, foreign_bases)).walk_all(node.body)

    def on_lambda(self, node: ast.Lambda) -> None:
        self.walk(node.args)
        _CallCollector(self.extractor, _function_scope(node.args, self.scope)).walk(node.body)

    # ---------------------------------------------------------------- calls

    def on_call(self, node: ast.Call) -> None:
        if self.extractor.recording:
            self.extractor.record(node, self.scope)
        self.children(node)


_HANDLERS = {
    ast.Import: _CallCollector.on_import, ast.ImportFrom: _CallCollector.on_import,
    ast.Assign: _CallCollector.on_assign, ast.AnnAssign: _CallCollector.on_ann_assign,
    ast.AugAssign: _CallCollector.on_aug_assign, ast.For: _CallCollector.on_for, ast.AsyncFor: _CallCollector.on_for,
    ast.withitem: _CallCollector.on_with_item, ast.FunctionDef: _CallCollector.on_function,
    ast.AsyncFunctionDef: _CallCollector.on_function, ast.ClassDef: _CallCollector.on_class,
    ast.Lambda: _CallCollector.on_lambda, ast.Call: _CallCollector.on_call,
}


def _function_scope(params: ast.arguments, parent: Scope) -> Scope:
    scope = Scope(parent=parent)
    for param in (*params.posonlyargs, *params.args, *params.kwonlyargs):
        scope.vars[param.arg] = UNKNOWN
    for star in (params.vararg, params.kwarg):
        if star is not None:
            scope.vars[star.arg] = UNKNOWN
    return scope


class CallExtractor:
    def __init__(self, interpreter: ModuleInterpreter, recording: bool = True):
        self.interpreter = interpreter
        self.recording = recording
        self.resolver = Resolver(interpreter)
        self.queue: list = []  # (FunctionDef, enclosing Scope, its class's own method names or None)
        self.calls: list = []

    def run(self) -> list:
        _CallCollector(self, Scope()).walk_all(self.interpreter.module.body)
        for function, enclosing, class_methods in self.queue:  # grows while it is walked: nested functions
            scope = _function_scope(function.args, enclosing)
            first = (function.args.posonlyargs + function.args.args)[:1]
            if class_methods is not None and first and not _is_static(function):
                # `self.predict_generator(...)` in a class defining predict_generator calls the class's own method
                # and in a class with no Keras base, every model-like method of `self` is its own or its bases'
                scope.vars[first[0].arg] = NotAModel(None if class_methods.foreign_bases else class_methods.names)
            if class_methods is not None and class_methods.foreign_bases:
                scope.vars["super"] = _NON_KERAS_SUPER
            _CallCollector(self, scope).walk_all(function.body)
        self.calls.sort(key=lambda call: (call.span.line, call.span.column))
        return self.calls

    def record(self, node: ast.Call, scope: Scope) -> None:
        qualified = self.qualified_name(node, scope)
        if qualified is None:
            return
        span_of = self.interpreter.span_of
        keywords, value_spans, values = {}, {}, {}
        for keyword in node.keywords:
            if keyword.arg is not None and keyword.arg not in keywords:
                keywords[keyword.arg] = span_of(keyword)
                value_spans[keyword.arg] = span_of(keyword.value)
                if isinstance(keyword.value, ast.Constant) and isinstance(keyword.value.value, _KEYWORD_LITERALS):
                    values[keyword.arg] = keyword.value.value
        positional_spans = []
        positional_values = []
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                positional_spans.append(span_of(arg.value))
                positional_values.append(None)
            else:
                positional_spans.append(span_of(arg))
                positional_values.append(_literal(self.resolver.value(arg, scope)))
        self.calls.append(CallFact(
            qualified_name=qualified, span=span_of(node), keywords=keywords,
            positional_count=len(positional_spans), positional_spans=tuple(positional_spans),
            positional_values=tuple(positional_values), keyword_value_spans=value_spans, keyword_values=values,
            has_star=any(isinstance(arg, ast.Starred) for arg in node.args)
            or any(keyword.arg is None for keyword in node.keywords)))

    def qualified_name(self, node: ast.Call, scope: Scope) -> Optional[str]:
        """The callee's qualified name when the call is worth a look, else None."""
        func = node.func
        qualified = self.resolver.qualified(func, scope)
        if qualified is not None:
            short = qualified.rsplit(".", 1)[-1]
            if knowledge.keras_path(qualified) is not None or short in SKLEARN_WRAPPERS:
                return qualified
            if not (isinstance(func, ast.Attribute) and short in MODEL_METHODS):
                return None
        if isinstance(func, ast.Attribute) and func.attr in MODEL_METHODS:
            receiver = self.not_a_model(func.value, scope) or self.resolver.value(func.value, scope)
            if isinstance(receiver, Ref) and knowledge.keras_path(receiver.qualified) is None:
                return None  # np.fit, sklearn.fit: a module's function, not a model's method
            if isinstance(receiver, NotAModel) and receiver.owns(func.attr):
                return None  # LogisticRegression().predict_proba, self.predict_generator of the class's own
            if not self.resolver.snippet_names:
                return None  # a file that never says Keras (a PyTorch trainer's fit_generator): not a Keras model
            return f"{dotted(func.value) or '?'}.{func.attr}"
        return None


    def not_a_model(self, node: ast.AST, scope: Scope) -> Optional[NotAModel]:
        """NotAModel when `node` calls a non-Keras estimator class or a Keras scikit-learn wrapper."""
        if not isinstance(node, ast.Call):
            return None
        func = node.func
        if isinstance(func, ast.Name) and func.id == "super" and self.resolver.lookup("super", scope) is _NON_KERAS_SUPER:
            return NotAModel()
        if isinstance(func, ast.Attribute) and func.attr in ("fit", "set_params"):
            return self.not_a_model(func.value, scope)  # an estimator's fit() returns the estimator
        qualified = self.resolver.qualified(func, scope)
        if qualified is None:
            return None
        if qualified.rsplit(".", 1)[-1] in SKLEARN_WRAPPERS:
            # its fit() passes Keras's fit arguments on (KC302 stands); predict_proba is the wrapper's own
            return NotAModel(frozenset({"predict_proba"}))
        if qualified.split(".", 1)[0] in NON_KERAS_ESTIMATOR_ROOTS:
            return NotAModel()
        return None


class _ClassMethods:
    """What a method's body needs to know of its class: the methods it defines, whether its bases are all known
    and none is Keras's."""

    def __init__(self, names: frozenset, foreign_bases: bool):
        self.names = names
        self.foreign_bases = foreign_bases


_NON_KERAS_SUPER = NotAModel()  # `super` in a method of a class with no Keras base


def _surely_not_keras(qualified: str) -> bool:
    """Not Keras, and not a spelling of it knowledge does not list (`tensorflow.compat.v1.keras.Model`)."""
    return knowledge.keras_path(qualified) is None and "keras" not in qualified.lower()


def _is_static(function) -> bool:
    return any(isinstance(decorator, ast.Name) and decorator.id == "staticmethod"
               for decorator in function.decorator_list)


def extract_calls(interpreter: ModuleInterpreter) -> list:
    """The CallFacts of the module the interpreter has parsed (those found so far, if it nests too deeply)."""
    extractor = CallExtractor(interpreter)
    try:
        return extractor.run()
    except RecursionError:  # the interpreter's facts stand; only some calls are not looked at
        return sorted(extractor.calls, key=lambda call: (call.span.line, call.span.column))


def module_resolver(module: ast.Module, mentions_keras: bool = True) -> tuple:
    """(Resolver, module Scope) with every top-level import and assignment bound, for the fixer."""
    interpreter = ModuleInterpreter("", module, SourceSpans(""), mentions_keras)
    extractor = CallExtractor(interpreter, recording=False)
    scope = Scope()
    _CallCollector(extractor, scope).walk_all(module.body)
    return extractor.resolver, scope
