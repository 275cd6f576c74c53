"""Data in the evaluator: the arrays and datasets a program prepares, and what it does with predictions.

DataEvaluation is a part of ModuleInterpreter (extract/interpreter.py): the same walk over the
program that builds models follows the data given to them. A loader makes arrays whose facts
it knows (`mnist.load_data()`: 0-255 pixels of shape (N, 28, 28), integer labels of 10
classes); each function of kerascheck/knowledge/data.py's tables says what it does to them
(`astype` keeps the pixels raw, `/ 255` scales them, `to_categorical` one-hots the labels);
tf.data pipelines and directory loaders carry (x, y) pairs. `model.predict(x)` on a known
model gives a prediction whose uses (argmax, thresholds, scikit-learn metrics, `==`) are
recorded. Anything the tables do not describe gives UNKNOWN: an unknown fact stays unknown.

Control flow: an `if` whose branches leave a name with different data (one-hot in one branch,
integer labels in the other) leaves it unknown; NumPy's in-place operations (`x /= 255`, a
helper that divides its argument in place) change the array every name bound to it sees; an
array passed to a function the analysis cannot follow, as a statement (`normalize(x)`), may be
changed in place and is forgotten.
"""

from __future__ import annotations

import ast
from typing import Optional

from kerascheck import knowledge
from kerascheck.extract.evaluator import MAX_CALL_DEPTH, NOT_HANDLED, Frame
from kerascheck.extract.names import dotted
from kerascheck.extract.values import (
    UNKNOWN, ArrayValue, BoundMethod, Const, DatasetValue, FunctionValue, ImageGeneratorValue, KerasObject, LayerValue,
    ModelValue, PredictionValue, Ref, SampleCount, Sequence, TensorValue, TransformerValue, Value,
)
from kerascheck.facts import (
    ARGMAX, BINARY, COMPARED, INTEGER, MULTI_HOT, ONE_HOT, RAW_PIXELS, SCALED, SKLEARN_METRIC, THRESHOLD, Origin,
)
from kerascheck.knowledge import data as tables
from kerascheck.knowledge import layers
from kerascheck.knowledge.shapes import product

DATA_VALUES = (ArrayValue, DatasetValue, PredictionValue)
_MISSING = object()
_NEWAXIS = ("numpy.newaxis", "tensorflow.newaxis")
# Comparison operators that threshold predictions, and the side the prediction sits on.
_THRESHOLDS = {ast.Gt: ">", ast.GtE: ">=", ast.Lt: "<", ast.LtE: "<="}
# Functions called as statements that never change an array given to them in place.
_PURE_STATEMENT_CALLS = frozenset({"builtins.print", "builtins.len", "numpy.random.shuffle", "random.shuffle",
                                   "numpy.save", "numpy.savez", "numpy.savez_compressed"})


def number(value: Value) -> Optional[float]:
    if isinstance(value, Const) and isinstance(value.value, (int, float)) and not isinstance(value.value, bool):
        return float(value.value)
    return None


def size_literal(value: Value):
    """A literal size for a shape function: int, None (unknown or the sample count), -1, or a tuple of them."""
    if isinstance(value, Const):
        if value.value is None or (isinstance(value.value, int) and not isinstance(value.value, bool)):
            return value.value
        return None
    if isinstance(value, Sequence) and value.complete:
        return tuple(size_literal(item) if not isinstance(item, Sequence) else None for item in value.items)
    return None


def literal(value: Value):
    """A plain literal (int, float, str, bool, None, tuple), else None."""
    if isinstance(value, Const):
        return value.value
    if isinstance(value, Sequence) and value.complete:
        return tuple(literal(item) for item in value.items)
    return None


def same_data(a: Value, b: Value) -> bool:
    """Whether two data values say the same (an `if` whose branches agree leaves the facts known)."""
    if a is b:
        return True
    if isinstance(a, ArrayValue) and isinstance(b, ArrayValue):
        return (a.encoding, a.classes, a.shape, a.scale, a.scaled_labels is None, a.batched) == \
            (b.encoding, b.classes, b.shape, b.scale, b.scaled_labels is None, b.batched)
    return False


def join(a: Value, b: Value) -> Value:
    """What is known of a value that is `a` on one path and `b` on another: the facts both agree on."""
    if same_data(a, b):
        return a
    if not (isinstance(a, ArrayValue) and isinstance(b, ArrayValue)) or a.batched != b.batched:
        return UNKNOWN
    agreed = {}
    for fact, origin in (("encoding", "encoding_origin"), ("classes", "classes_origin"), ("shape", "shape_origin"),
                         ("scale", "scale_origin")):
        if getattr(a, fact) == getattr(b, fact):
            agreed[fact], agreed[origin] = getattr(a, fact), getattr(a, origin)
        else:
            agreed[fact], agreed[origin] = None, None
    if agreed["encoding"] is None:
        agreed.update(classes=None, classes_origin=None)
    scaled = a.scaled_labels if (a.scaled_labels is None) == (b.scaled_labels is None) else None
    return ArrayValue(scaled_labels=scaled, batched=a.batched, node=a.node, **agreed)


class DataEvaluation:
    """The data half of ModuleInterpreter (a mixin: it uses the evaluator's eval, spans and recorder)."""

    # ------------------------------------------------------------ where facts come from

    def origin(self, node) -> Optional[Origin]:
        if node is None:
            return None
        text = self.source_of(node)
        if len(text) > 60 and isinstance(node, ast.Call):
            # a long call by its callee: `keras.utils.image_dataset_from_directory(...)`
            callee = self.source_of(node.func)
            text = f"{callee}(...)" if len(callee) <= 70 else text
        return Origin(line=self.line_of(node), text=text, span=self.span_of(node))

    # ------------------------------------------------------------ statements

    def exec_data_statement(self, node: ast.stmt, frame: Frame) -> bool:
        """Statements with data semantics; True when handled here."""
        if isinstance(node, ast.If) and not _is_main_guard(node.test):
            if self.exec_known_branch(node, frame):  # extract/interpreter.py: a known condition takes its branch
                return True
            scope_vars = frame.scope.vars
            before = dict(scope_vars)
            self.branches_start()
            self.exec_body(node.body, frame)
            self.branches_next()
            after_body = dict(scope_vars)
            # The else branch runs from the data as it was before the body, not on top of it.
            restored = [name for name, value in after_body.items()
                        if value is not before.get(name) and (isinstance(value, DATA_VALUES) or
                                                              isinstance(before.get(name), DATA_VALUES))]
            for name in restored:
                if name in before:
                    scope_vars[name] = before[name]
                else:
                    del scope_vars[name]
            self.exec_body(node.orelse, frame)
            self.branches_end(node)
            for name in restored:
                on_body, on_else = after_body[name], scope_vars.get(name, _MISSING)
                # undefined on the else path: the program relies on the body's
                scope_vars[name] = on_body if on_else is _MISSING else join(on_body, on_else)
            for name, value in list(scope_vars.items()):
                # assigned by the else branch alone: the body's path keeps the value from before
                if name not in restored and value is not after_body.get(name, _MISSING) and name in before and \
                        (isinstance(value, DATA_VALUES) or isinstance(before[name], DATA_VALUES)):
                    scope_vars[name] = join(value, before[name])
            return True
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            mutable = self._arrays_a_call_may_change(node.value, frame)
            self.eval(node.value, frame)
            for array in mutable:
                array.forget()
            return True
        return False

    def _arrays_a_call_may_change(self, call: ast.Call, frame: Frame) -> list:
        """The arrays named as arguments of a statement call the analysis cannot follow (it may change them)."""
        arrays = [value for value in (self.lookup(arg.id, frame) for arg in call.args if isinstance(arg, ast.Name))
                  if isinstance(value, ArrayValue)]
        name = dotted(call.func)
        receiver = self.lookup(name.partition(".")[0], frame) if name and "." in name else None
        if not arrays and not isinstance(receiver, ArrayValue):
            return []
        if name is None:
            return arrays
        first, _, rest = name.partition(".")
        head = self.lookup(first, frame)
        if isinstance(head, FunctionValue) and not rest:
            followed = len(self.call_stack) < MAX_CALL_DEPTH and head.definition not in self.call_stack
            return [] if followed else arrays
        if isinstance(head, ArrayValue) and rest and "." not in rest and rest not in tables.METHODS:
            return [head]  # `x.sort()`, `x.clip(0, 1, out=x)`: a method that may change the array in place
        if isinstance(head, (ArrayValue, DatasetValue, ModelValue, TransformerValue, ImageGeneratorValue, LayerValue,
                             KerasObject)):
            return []
        if isinstance(head, Ref):
            qualified = f"{head.qualified}.{rest}" if rest else head.qualified
            qualified = knowledge.normalize_tensorflow(qualified)
            if qualified in _PURE_STATEMENT_CALLS or qualified in tables.FUNCTIONS or \
                    knowledge.keras_path(qualified) is not None or qualified.startswith("matplotlib."):
                return []
        if first == "self" and rest and "." not in rest:
            return []  # a method of the program's own class: followed by the evaluator
        return arrays

    # ------------------------------------------------------------ calls of the tables' functions

    def data_call(self, qualified: str, args: list, kwargs: dict, node: ast.Call) -> Optional[Value]:
        """A call of a function the data tables describe (None: not one, or nothing known comes of it)."""
        if isinstance(kwargs.get("out"), ArrayValue):
            kwargs["out"].forget()  # np.divide(x, 255, out=x): changed in place, as the analysis does not follow
        if qualified == "builtins.len" and args and isinstance(args[0], ArrayValue):
            return SampleCount(array=args[0], node=node)
        path = knowledge.keras_path(qualified)
        if path is not None:
            return self._keras_data_call(path, args, kwargs, node)
        name = knowledge.normalize_tensorflow(qualified)
        row = tables.FUNCTIONS.get(name)
        if row is not None:
            return self.apply_array_function(row, name, args, kwargs, node)
        if name in tables.DATASET_FROM_SLICES:
            return self._dataset_from_slices(args[0] if args else kwargs.get("tensors"), node,
                                             sliced=name.endswith("from_tensor_slices"))
        if name == "tensorflow.data.Dataset.zip" and args and isinstance(args[0], Sequence) and \
                len(args[0].items) == 2 and all(isinstance(item, DatasetValue) for item in args[0].items):
            first, second = args[0].items
            return DatasetValue(x=first.x, y=second.x, batched=first.batched and second.batched, node=node)
        if qualified in tables.TRANSFORMERS:
            return TransformerValue(spec=tables.TRANSFORMERS[qualified], name=qualified.rsplit(".", 1)[-1], node=node)
        if qualified in tables.IMAGE_DATA_GENERATORS:
            return self._image_generator(kwargs, node)
        if qualified in tables.SPLITTERS:
            return self._split(args, node)
        if qualified in tables.ONE_HOT_FUNCTIONS:
            return self._labels(ONE_HOT, None, None, args[0] if args else UNKNOWN, node)
        if qualified in tables.SCALING_FUNCTIONS and args and isinstance(args[0], ArrayValue):
            return self._scaled(args[0], node)
        if name == "numpy.eye" and args and number(args[0]) is not None:
            return _IdentityMatrix(classes=int(number(args[0])), node=node)
        if name in ("numpy.concatenate", "numpy.vstack") and args and isinstance(args[0], Sequence):
            return self._concatenate(args[0], node)
        if qualified.startswith("sklearn.metrics.") and qualified.rsplit(".", 1)[-1] in \
                tables.SKLEARN_CLASSIFICATION_METRICS:
            self._sklearn_metric(qualified.rsplit(".", 1)[-1], args, kwargs, node)
            return None
        return None

    def _keras_data_call(self, path: str, args: list, kwargs: dict, node: ast.Call) -> Optional[Value]:
        if path in tables.LOADERS:
            return self.load_dataset(tables.LOADERS[path], kwargs, node)
        row = tables.KERAS_FUNCTIONS.get(path)
        if row is not None:
            return self.apply_array_function(row, path, args, kwargs, node, creates_labels=True)
        if path in tables.DIRECTORY_LOADERS:
            return self.load_directory(tables.DIRECTORY_LOADERS[path], None, args, kwargs, node)
        if path in tables.IMAGE_DATA_GENERATORS:
            return self._image_generator(kwargs, node)
        if path.endswith(".preprocess_input") and path.startswith("applications.") and args and \
                isinstance(args[0], ArrayValue):
            return self._scaled(args[0], node)
        return None

    def apply_array_function(self, row: tables.ArrayFunction, name: str, args: list, kwargs: dict, node,
                             creates_labels: bool = False, receiver: Optional[Value] = None) -> Optional[Value]:
        """One row of the tables applied: `receiver` for a method, else the first argument."""
        params = row.params if receiver is None else ("array", *(param for param in row.params if param != "array"))
        bound = _bind(row, params, ([receiver] if receiver is not None else []) + list(args), kwargs)
        array = bound.get("array", UNKNOWN)
        if isinstance(array, PredictionValue):
            return self.prediction_function(row, name, array, bound, node, receiver is not None)
        if isinstance(array, TensorValue):
            return None  # inside a model: the interpreter's business
        if not isinstance(array, ArrayValue):
            if creates_labels and row.labels == tables.TO_ONE_HOT:
                return self._labels(ONE_HOT, _classes(bound.get(row.classes_param)), None, array, node)
            return None
        literals = dict(row.defaults)
        literals.update({key: size_literal(value) if key == "newshape" else literal(value)
                         for key, value in bound.items() if key != "array"})
        literals["batched"] = array.batched
        if row.labels == tables.TO_ONE_HOT:
            classes = _classes(bound.get(row.classes_param)) if row.classes_param in bound else None
            classes_origin = self.origin(node) if classes is not None else None
            if classes is None and array.encoding == INTEGER:
                classes, classes_origin = array.classes, array.classes_origin
            literals["classes"] = classes
            shape = row.shape(array.shape, literals)
            return ArrayValue(encoding=ONE_HOT, classes=classes, shape=shape, encoding_origin=self.origin(node),
                              classes_origin=classes_origin, shape_origin=self.origin(node) if shape else None,
                              batched=array.batched, node=node)
        shape = row.shape(array.shape, literals)
        changes = {"shape": shape, "shape_origin": array.shape_origin if shape == array.shape else
                   (self.origin(node) if shape is not None else None)}
        if row.scale == tables.CLEARS:
            changes.update(scale=None, scale_origin=None)
        elif row.scale == tables.SCALES:
            changes.update(scale=SCALED, scale_origin=self.origin(node))
        labels = row.labels
        if labels == tables.KEEPS_ROWS:
            labels = tables.KEEPS if _same_rows(array.shape, shape, array.batched) else tables.CLEARS
        if labels == tables.TO_INTEGER:
            axis = literals.get("axis")
            if array.encoding == ONE_HOT and array.shape is not None and isinstance(axis, int) and \
                    axis in (-1, len(array.shape) - 1):
                changes.update(encoding=INTEGER, encoding_origin=self.origin(node), scaled_labels=None)
            else:
                labels = tables.CLEARS
        if labels == tables.CLEARS:
            changes.update(encoding=None, classes=None, encoding_origin=None, classes_origin=None,
                           scaled_labels=None)
        if row.rounds:
            changes.update(scale=None, scale_origin=None)
        return array.derive(node, **changes)

    # ------------------------------------------------------------ loaders

    def load_dataset(self, loader: tables.Loader, kwargs: dict, node) -> Value:
        """`(x_train, y_train), (x_test, y_test) = mnist.load_data()`."""
        where = self.origin(node)
        classes = loader.classes
        if loader.classes_by_label_mode:
            mode = kwargs.get("label_mode")
            classes = loader.classes_by_label_mode.get(literal(mode)) if mode is not None else classes

        def part() -> Sequence:
            x = ArrayValue(shape=(None, *loader.sample_shape) if loader.sample_shape else None,
                           scale=RAW_PIXELS if loader.pixels else None, shape_origin=where,
                           scale_origin=where if loader.pixels else None, node=node)
            y = ArrayValue(encoding=INTEGER if loader.classes else None, classes=classes,
                           shape=(None, *loader.label_shape), encoding_origin=where if loader.classes else None,
                           classes_origin=where if classes else None, shape_origin=where, node=node)
            return Sequence([x, y], node)

        return Sequence([part(), part()], node)

    def load_directory(self, loader: tables.DirectoryLoader, generator: Optional[ImageGeneratorValue], args: list,
                       kwargs: dict, node) -> Value:
        """`image_dataset_from_directory(...)`, `ImageDataGenerator(...).flow_from_directory(...)`: batches of
        (images, labels); the labels as label_mode/class_mode says, the images raw unless the generator scales."""
        bound = dict(zip(loader.params, args))
        bound.update(kwargs)
        where = self.origin(node)
        mode_value = bound.get(loader.labels_param)
        mode = loader.default_labels if mode_value is None else literal(mode_value)
        labels_value = bound.get("labels")
        if labels_value is not None and literal(labels_value) != "inferred":
            mode = "unknown"  # labels given as a list (or None): not the folders' classes
        size = literal(bound.get(loader.size_param)) if loader.size_param in bound else loader.default_size
        color = literal(bound.get("color_mode")) if "color_mode" in bound else "rgb"
        channels = tables.COLOR_CHANNELS.get(color)
        shape = None
        if isinstance(size, tuple) and len(size) == 2 and all(isinstance(s, int) for s in size) and channels:
            shape = (*size, channels)
        if generator is None:
            scale, scale_origin = RAW_PIXELS, where
        elif generator.keeps_scale:
            scale, scale_origin = RAW_PIXELS, where
        else:
            scale, scale_origin = generator.scale, generator.scale_origin
        x = ArrayValue(shape=shape, scale=scale, shape_origin=where if shape else None,
                       scale_origin=scale_origin if scale else None, batched=False, node=node)
        encoding = tables.LABEL_MODES.get(mode) if isinstance(mode, str) else None
        classes = None
        class_names = bound.get("class_names", bound.get("classes"))
        if isinstance(class_names, Sequence) and class_names.complete and class_names.items:
            classes = len(class_names.items)
        if mode is None:
            y = None
        else:
            label_shape = {ONE_HOT: (classes,), INTEGER: (), BINARY: (1,)}.get(encoding)
            y = ArrayValue(encoding=encoding, classes=classes if encoding in (ONE_HOT, INTEGER) else None,
                           shape=label_shape, encoding_origin=where if encoding else None,
                           classes_origin=where if classes else None, shape_origin=where if label_shape else None,
                           batched=False, node=node) if encoding else UNKNOWN
        return DatasetValue(x=x, y=y, batched=True, node=node)

    def _image_generator(self, kwargs: dict, node) -> ImageGeneratorValue:
        where = self.origin(node)
        for keyword in tables.GENERATOR_SCALING:
            value = kwargs.get(keyword)
            if value is None:
                continue
            if keyword == "rescale":
                factor = number(value)
                if factor is None or factor == 1.0:
                    return ImageGeneratorValue(keeps_scale=factor == 1.0, node=node)
                if factor < 1.0:
                    return ImageGeneratorValue(scale=SCALED, scale_origin=where, node=node)
                return ImageGeneratorValue(node=node)
            if literal(value) is True:
                return ImageGeneratorValue(scale=SCALED, scale_origin=where, node=node)
            if literal(value) is not False:
                return ImageGeneratorValue(node=node)
        if any(kwargs.get(keyword) is not None and literal(kwargs[keyword]) is not False
               for keyword in tables.GENERATOR_MAY_SCALE):
            return ImageGeneratorValue(node=node)
        if any(keyword not in _GENERATOR_KEEPING_KEYWORDS for keyword in kwargs):
            return ImageGeneratorValue(node=node)
        return ImageGeneratorValue(keeps_scale=True, node=node)

    # ------------------------------------------------------------ labels, scalers, splits

    def _labels(self, encoding: str, classes: Optional[int], classes_origin, source: Value, node) -> ArrayValue:
        shape = None
        if isinstance(source, ArrayValue) and source.shape is not None and encoding == INTEGER:
            shape = source.shape[:1] if len(source.shape) <= 2 and (len(source.shape) < 2 or source.shape[1] == 1) \
                else None
        return ArrayValue(encoding=encoding, classes=classes, shape=shape, encoding_origin=self.origin(node),
                          classes_origin=classes_origin if classes is not None else None,
                          shape_origin=self.origin(node) if shape else None, node=node)

    def _scaled(self, array: ArrayValue, node) -> ArrayValue:
        """Divided or standardised: inputs become scaled; class labels become scaled labels (KC406)."""
        if array.is_labels:
            return array.derive(node, scaled_labels=self.origin(node))
        return array.derive(node, scale=SCALED, scale_origin=self.origin(node))

    def transform(self, transformer: TransformerValue, given: Value, node) -> Value:
        spec = transformer.spec
        if spec.scales:
            return self._scaled(given, node) if isinstance(given, ArrayValue) else UNKNOWN
        if spec.labels == tables.TO_INTEGER:
            return self._labels(INTEGER, None, None, given, node)
        if spec.labels == tables.TO_ONE_HOT:
            return self._labels(ONE_HOT, None, None, given, node)
        if spec.labels == tables.TO_MULTI_HOT:
            return self._labels(MULTI_HOT, None, None, given, node)
        return UNKNOWN

    def _split(self, args: list, node) -> Value:
        """`train_test_split(x, y, ...)`: each array's train and test parts, in that order, keep its facts."""
        if not args:
            return UNKNOWN
        parts = []
        for arg in args:
            for _ in range(2):
                parts.append(arg.derive(node, shape=_batch(arg.shape)) if isinstance(arg, ArrayValue) else UNKNOWN)
        return Sequence(parts, node)

    def _concatenate(self, arrays: Sequence, node) -> Value:
        items = arrays.items
        if not items or not all(isinstance(item, ArrayValue) for item in items):
            return UNKNOWN
        first = items[0]
        if not all(same_data(first.derive(shape=_batch(first.shape)), item.derive(shape=_batch(item.shape)))
                   for item in items[1:]):
            return UNKNOWN
        return first.derive(node, shape=_batch(first.shape))

    # ------------------------------------------------------------ tf.data

    def _dataset_from_slices(self, value: Value, node, sliced: bool) -> Value:
        def element(array: Value) -> Value:
            if not isinstance(array, ArrayValue) or not array.batched:
                return UNKNOWN
            shape = array.shape[1:] if sliced and array.shape is not None else (array.shape if not sliced else None)
            return array.derive(shape=shape, batched=False) if sliced else array.derive(batched=True)

        if isinstance(value, Sequence) and len(value.items) == 2:
            return DatasetValue(x=element(value.items[0]), y=element(value.items[1]), batched=not sliced, node=node)
        if isinstance(value, ArrayValue):
            return DatasetValue(x=element(value), y=None, batched=not sliced, node=node)
        return UNKNOWN

    def dataset_method(self, dataset: DatasetValue, method: str, node: ast.Call, frame: Frame):
        if method in tables.DATASET_KEEPS:
            self.eval_arguments(node, frame)
            return DatasetValue(x=dataset.x, y=dataset.y, batched=dataset.batched, node=node)
        if method in tables.DATASET_BATCHES:
            self.eval_arguments(node, frame)
            if dataset.batched:
                return UNKNOWN  # batches of batches
            return DatasetValue(x=dataset.x, y=dataset.y, batched=True, node=node)
        if method == "unbatch":
            return DatasetValue(x=dataset.x, y=dataset.y, batched=False, node=node) if dataset.batched else UNKNOWN
        if method == "map" and node.args:
            return self._map(dataset, node.args[0], node, frame)
        return NOT_HANDLED

    def _map(self, dataset: DatasetValue, function_node: ast.expr, node, frame: Frame) -> Value:
        """`.map(lambda x, y: (x / 255, y))` or `.map(preprocess)`: the function applied to one element."""
        parts = [dataset.x] if dataset.y is None else [dataset.x, dataset.y]
        if dataset.batched:  # the function sees a batch
            parts = [part.derive(shape=(None, *part.shape) if part.shape is not None else None, batched=True)
                     if isinstance(part, ArrayValue) else part for part in parts]

        def element(value: Value) -> Value:
            if not isinstance(value, ArrayValue):
                return UNKNOWN
            if value.batched == dataset.batched:
                shape = value.shape[1:] if dataset.batched and value.shape else value.shape
                return value.derive(shape=shape, batched=False)
            return value.derive(shape=None, batched=False)

        result = UNKNOWN
        if isinstance(function_node, ast.Lambda):
            params = [arg.arg for arg in (*function_node.args.posonlyargs, *function_node.args.args)]
            if len(params) == len(parts) and not function_node.args.vararg:
                scope = type(frame.scope)(parent=frame.scope)
                for param, part in zip(params, parts):
                    scope.vars[param] = part
                result = self.eval(function_node.body, Frame(scope, frame.function))
        else:
            function = self.eval(function_node, frame)
            if isinstance(function, (FunctionValue, BoundMethod)):
                result = self.call(function, parts, {}, node, frame)
        if dataset.y is None:
            return DatasetValue(x=element(result), y=None, batched=dataset.batched, node=node) \
                if isinstance(result, ArrayValue) else UNKNOWN
        if isinstance(result, Sequence) and len(result.items) == 2:
            x, y = result.items
            return DatasetValue(x=element(x), y=element(y), batched=dataset.batched, node=node)
        return UNKNOWN

    # ------------------------------------------------------------ methods of data values

    def data_method(self, receiver: Value, method: str, node: ast.Call, frame: Frame):
        if isinstance(receiver, DatasetValue):
            return self.dataset_method(receiver, method, node, frame)
        if isinstance(receiver, ImageGeneratorValue):
            if method in tables.GENERATOR_LOADERS:
                args, kwargs = self.eval_arguments(node, frame)
                return self.load_directory(tables.GENERATOR_LOADERS[method], receiver, args, kwargs, node)
            if method == "flow":
                args, kwargs = self.eval_arguments(node, frame)
                x = args[0] if args else kwargs.get("x", UNKNOWN)
                y = args[1] if len(args) > 1 else kwargs.get("y")
                return self._flow(receiver, x, y, node)
            return NOT_HANDLED
        if isinstance(receiver, TransformerValue) and method in tables.TRANSFORM_METHODS:
            args, kwargs = self.eval_arguments(node, frame)
            given = args[0] if args else kwargs.get("X", kwargs.get("y", UNKNOWN))
            return self.transform(receiver, given, node)
        if isinstance(receiver, (ArrayValue, PredictionValue)):
            row = tables.METHODS.get(method)
            if row is None:
                return NOT_HANDLED
            args, kwargs = self.eval_arguments(node, frame)
            result = self.apply_array_function(row, method, args, kwargs, node, receiver=receiver)
            return result if result is not None else UNKNOWN
        return NOT_HANDLED

    def _flow(self, generator: ImageGeneratorValue, x: Value, y: Optional[Value], node) -> Value:
        if not isinstance(x, ArrayValue):
            return UNKNOWN
        if generator.scale is not None:
            x = x.derive(node, scale=generator.scale, scale_origin=generator.scale_origin)
        elif not generator.keeps_scale:
            x = x.derive(node, scale=None, scale_origin=None)
        element = x.derive(shape=x.shape[1:] if x.shape else None, batched=False)
        label = y.derive(shape=y.shape[1:] if y.shape else None, batched=False) if isinstance(y, ArrayValue) else \
            (None if y is None or (isinstance(y, Const) and y.value is None) else UNKNOWN)
        return DatasetValue(x=element, y=label, batched=True, node=node)

    def data_attribute(self, owner: Value, attr: str, node) -> Optional[Value]:
        if isinstance(owner, ArrayValue):
            if attr == "shape" and owner.shape is not None:
                items = [SampleCount(array=owner, node=node) if index == 0 and owner.batched else
                         (Const(size) if size is not None else UNKNOWN) for index, size in enumerate(owner.shape)]
                return Sequence(items, node)
            row = tables.ATTRIBUTES.get(attr)
            if row is not None:
                return self.apply_array_function(row, attr, [], {}, node, receiver=owner) or UNKNOWN
            return UNKNOWN
        if isinstance(owner, PredictionValue):
            if attr == "T":
                return owner.derive(node, last_axis_is_units=False, rank=owner.rank)
            return UNKNOWN
        if isinstance(owner, (DatasetValue, ImageGeneratorValue, TransformerValue)):
            return UNKNOWN
        return None

    def assign_into_array(self, target: ast.Subscript, frame: Frame) -> None:
        """`x[i] = x[i] / 255`, `y[y == 2] = 1`: part of an array changed in place; what was known of it is not."""
        container = self.eval(target.value, frame)
        if isinstance(container, ArrayValue):
            container.forget()

    # ------------------------------------------------------------ operators

    def data_binary(self, operator: ast.operator, left: Value, right: Value, node) -> Optional[Value]:
        """`x / 255`, `x -= mean`, `y_train / 255`: None when neither side is data."""
        if isinstance(left, PredictionValue) or isinstance(right, PredictionValue):
            return UNKNOWN
        if isinstance(right, ArrayValue) and not isinstance(left, ArrayValue):
            return UNKNOWN  # 255 - x, 1 / x: nothing modelled
        if not isinstance(left, ArrayValue):
            return None
        array = left
        divisor = number(right)
        result: Value = UNKNOWN
        if isinstance(operator, ast.Div) or (isinstance(operator, ast.Mult) and divisor is not None and
                                             0 < divisor < 1):
            if isinstance(operator, ast.Div) and divisor is not None and abs(divisor) <= 1:
                result = array.derive(node, scale=None, scale_origin=None)
            else:
                result = self._scaled(array, node)
        elif isinstance(operator, (ast.Sub, ast.Add)):
            # centred (x - mean), shifted (y - 1): the shape stays; the scale is unknown until divided
            result = array.derive(node, scale=None, scale_origin=None, classes=None, classes_origin=None)
        if isinstance(node, ast.AugAssign) and isinstance(result, ArrayValue):
            # In place, as NumPy does it: every name bound to this array sees the change.
            for name in ("encoding", "classes", "shape", "scale", "scaled_labels", "encoding_origin",
                         "classes_origin", "shape_origin", "scale_origin", "batched"):
                setattr(array, name, getattr(result, name))
            return array
        if isinstance(node, ast.AugAssign):
            array.forget()
            return array
        return result

    def data_subscript(self, container: Value, node: ast.Subscript, frame: Frame) -> Optional[Value]:
        if isinstance(container, _IdentityMatrix):
            index = self.eval(node.slice, frame)
            shape = None
            if isinstance(index, ArrayValue) and index.shape is not None:
                shape = index.shape + (container.classes,)
            where = self.origin(node)
            return ArrayValue(encoding=ONE_HOT, classes=container.classes, shape=shape, encoding_origin=where,
                              classes_origin=where, shape_origin=where if shape else None, node=node)
        if isinstance(container, Sequence) and isinstance(node.slice, ast.Slice):
            bounds = [literal(self.eval(part, frame)) if part is not None else None
                      for part in (node.slice.lower, node.slice.upper, node.slice.step)]
            if all(bound is None or isinstance(bound, int) for bound in bounds) and container.complete:
                return Sequence(container.items[slice(*bounds)], node)
            return UNKNOWN
        if not isinstance(container, (ArrayValue, PredictionValue)):
            return None
        elements = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        kinds = [self._index_kind(element, frame) for element in elements]
        if isinstance(container, PredictionValue):
            return self._prediction_subscript(container, kinds, node)
        return self._array_subscript(container, kinds, node)

    def _index_kind(self, element: ast.expr, frame: Frame) -> str:
        """'all' (`:`), 'slice', 'int', 'new' (None / np.newaxis), 'ellipsis', or 'other' (an array, unknown)."""
        if isinstance(element, ast.Slice):
            return "all" if element.lower is None and element.upper is None and element.step is None else "slice"
        if isinstance(element, ast.Constant):
            if element.value is None:
                return "new"
            if element.value is Ellipsis:
                return "ellipsis"
            if isinstance(element.value, int) and not isinstance(element.value, bool):
                return "int"
            return "other"
        value = self.eval(element, frame)
        if isinstance(value, Ref) and knowledge.normalize_tensorflow(value.qualified) in _NEWAXIS:
            return "new"
        if isinstance(value, Const) and isinstance(value.value, int) and not isinstance(value.value, bool):
            return "int"
        if isinstance(value, Const) and value.value is None:
            return "new"
        return "other"

    def _array_subscript(self, array: ArrayValue, kinds: list, node) -> Value:
        if kinds == ["int"]:
            return array.derive(node, shape=None, encoding=None, classes=None, encoding_origin=None,
                                classes_origin=None, scaled_labels=None, batched=False)
        if kinds in (["slice"], ["all"]):
            return array.derive(node, shape=_batch(array.shape))  # a run of the samples: x[:1000]
        if kinds == ["other"]:
            # x[perm], y[y < 5], x[i]: a subset of the samples (perhaps not of every class), or one sample
            return array.derive(node, shape=None, classes=None, classes_origin=None)
        shape = _subscript_shape(array.shape, kinds)
        keeps_rows = kinds[0] in ("all", "slice") and _same_rows(array.shape, shape, array.batched)
        changes = {"shape": shape, "shape_origin": self.origin(node) if shape is not None else None}
        if not keeps_rows:
            changes.update(encoding=None, classes=None, encoding_origin=None, classes_origin=None, scaled_labels=None)
        return array.derive(node, **changes)

    def _prediction_subscript(self, prediction: PredictionValue, kinds: list, node) -> Value:
        rank = prediction.rank
        if kinds in (["slice"], ["all"]):
            return prediction.derive(node)
        if kinds in (["int"], ["other"]):
            # one sample (pred[0]) or a subset: the last axis is still the units
            return prediction.derive(node, rank=rank - 1 if rank and kinds == ["int"] else None)
        if rank is not None and len(kinds) == rank and kinds[-1] in ("int", "other"):
            return prediction.derive(node, rank=None, last_axis_is_units=False)  # pred[:, 0]: one column
        return prediction.derive(node, rank=None, last_axis_is_units=False)

    # ------------------------------------------------------------ predictions

    def prediction_function(self, row: tables.ArrayFunction, name: str, prediction: PredictionValue, bound: dict,
                            node, is_method: bool) -> Value:
        """A function of the tables applied to predictions: argmax and rounding are recorded (KC408, KC409)."""
        written = self._written_name(node, name, is_method)
        array_node = _receiver_node(node) if is_method else (node.args[0] if node.args else None)
        if row.argmax:
            axis = literal(bound["axis"]) if "axis" in bound else row.defaults.get("axis")
            over_last = isinstance(axis, int) and prediction.rank is not None and \
                axis in (-1, prediction.rank - 1)
            self.recorder.record_prediction_use(ARGMAX, node, prediction, function=written, qualified=name,
                                                array_node=array_node, axis=axis if isinstance(axis, int) else None,
                                                over_last_axis=over_last)
            return ArrayValue(encoding=INTEGER, shape=None, encoding_origin=self.origin(node), node=node)
        if row.rounds:
            self.recorder.record_prediction_use(THRESHOLD, node, prediction, function=written, qualified=name,
                                                array_node=array_node, threshold=0.5)
            return ArrayValue(encoding=BINARY, encoding_origin=self.origin(node), node=node)
        if row.shape in (tables.keep_shape,) and row.scale == tables.KEEPS:
            return prediction.derive(node)  # np.array(pred), pred.copy(), astype
        if row.shape is tables.flatten_shape or row.shape is tables.squeeze_shape:
            return prediction.derive(node, rank=1 if row.shape is tables.flatten_shape else None,
                                     last_axis_is_units=False)
        return UNKNOWN

    def _written_name(self, node, name: str, is_method: bool) -> str:
        if is_method:
            return f".{name}()"
        written = dotted(node.func) if isinstance(node, ast.Call) else None
        return written or name

    def data_compare(self, node: ast.Compare, frame: Frame) -> Value:
        """`pred > 0.5` (a threshold, KC409), `pred == y_test` (KC410)."""
        left = self.eval(node.left, frame)
        rights = [self.eval(comparator, frame) for comparator in node.comparators]
        if len(node.ops) != 1:
            return UNKNOWN
        operator, right = node.ops[0], rights[0]
        right_node = node.comparators[0]
        if type(operator) in _THRESHOLDS:
            if isinstance(left, PredictionValue) and number(right) is not None:
                self.recorder.record_prediction_use(THRESHOLD, node, left, function=_THRESHOLDS[type(operator)],
                                                    array_node=node.left, threshold=number(right),
                                                    threshold_node=right_node)
                return ArrayValue(encoding=BINARY, encoding_origin=self.origin(node), node=node)
            if isinstance(right, PredictionValue) and number(left) is not None:
                self.recorder.record_prediction_use(THRESHOLD, node, right, function=_THRESHOLDS[type(operator)],
                                                    array_node=right_node, threshold=number(left),
                                                    threshold_node=node.left)
                return ArrayValue(encoding=BINARY, encoding_origin=self.origin(node), node=node)
        if isinstance(operator, (ast.Eq, ast.NotEq)):
            for prediction, other, prediction_node in ((left, right, node.left), (right, left, right_node)):
                if isinstance(prediction, PredictionValue) and isinstance(other, ArrayValue) and other.is_labels:
                    self.recorder.record_prediction_use(COMPARED, node, prediction,
                                                        function="==" if isinstance(operator, ast.Eq) else "!=",
                                                        array_node=prediction_node, labels=other)
        return self.compare_values(operator, left, right)  # constants: `units == 1` in a factory

    def _sklearn_metric(self, name: str, args: list, kwargs: dict, node: ast.Call) -> None:
        candidates = [(args[0] if args else kwargs.get("y_true"),
                       node.args[0] if node.args else _keyword(node, "y_true")),
                      (args[1] if len(args) > 1 else kwargs.get("y_pred"),
                       node.args[1] if len(node.args) > 1 else _keyword(node, "y_pred"))]
        values = [value for value, _ in candidates]
        for index, (value, value_node) in enumerate(candidates):
            if isinstance(value, PredictionValue):
                other = values[1 - index]
                self.recorder.record_prediction_use(SKLEARN_METRIC, node, value, function=name, array_node=value_node,
                                                    labels=other if isinstance(other, ArrayValue) else None)

    # ------------------------------------------------------------ layers applied to arrays

    def layer_on_array(self, layer: Value, args: list) -> Optional[Value]:
        """A Keras layer called on data outside a model (`Rescaling(1/255)(x)`, a Normalization adapted on it)."""
        array = args[0] if args else None
        if not isinstance(array, ArrayValue) or not isinstance(layer, LayerValue):
            return None
        if layer.spec is not None and layer.spec.rescales:
            return self._scaled(array, layer.node)
        return UNKNOWN


class _IdentityMatrix(Value):
    """`np.eye(n)`: indexed by labels it one-hots them (`np.eye(10)[y]`)."""

    def __init__(self, classes: int, node=None):
        self.classes = classes
        self.node = node


# ImageDataGenerator keywords that do not change the values of the pixels (augmentation, splitting).
_GENERATOR_KEEPING_KEYWORDS = frozenset({
    "rotation_range", "width_shift_range", "height_shift_range", "brightness_range", "shear_range", "zoom_range",
    "channel_shift_range", "fill_mode", "cval", "horizontal_flip", "vertical_flip", "validation_split",
    "data_format", "dtype", "interpolation_order",
})


def _is_main_guard(test: ast.expr) -> bool:
    """`if __name__ == '__main__':` runs: it is not a branch."""
    return isinstance(test, ast.Compare) and isinstance(test.left, ast.Name) and test.left.id == "__name__"


def _keyword(node: ast.Call, name: str):
    for keyword in node.keywords:
        if keyword.arg == name:
            return keyword.value
    return None


def _receiver_node(node):
    return node.func.value if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) else None


def _bind(row: tables.ArrayFunction, params: tuple, args: list, kwargs: dict) -> dict:
    bound = {}
    positional = list(args)
    for index, param in enumerate(params):
        if index >= len(positional):
            break
        if param == row.varargs and len(positional) > index + 1:
            bound[param] = Sequence(positional[index:])
            break
        bound[param] = positional[index]
    aliases = {"a": "array", "x": "array", "arr": "array", "input": "array", "tensor": "array", "images": "array",
               "y": "array", "indices": "array", "shape": "newshape", "perm": "axes", "depth": "depth",
               "sequences": "array"}
    for keyword, value in kwargs.items():
        bound.setdefault(aliases.get(keyword, keyword), value)
    return bound


def _classes(value: Value) -> Optional[int]:
    found = number(value) if value is not None else None
    return int(found) if found is not None and found.is_integer() and found >= 1 else None


def _batch(shape: Optional[tuple]) -> Optional[tuple]:
    return tables.batch_of(shape)


def _same_rows(old: Optional[tuple], new: Optional[tuple], batched: bool) -> bool:
    """Each sample keeps its values: the sizes after the batch axis hold as many numbers as before."""
    if old is None or new is None or not batched or not old or not new:
        return False
    before, after = product(old[1:]), product(new[1:])
    return before is not None and before == after


def _subscript_shape(shape: Optional[tuple], kinds: list) -> Optional[tuple]:
    """The shape of `x[:, :, None]`, `x[..., np.newaxis]`, `y[:, 0]`; None where it is not known."""
    if shape is None or "other" in kinds or kinds.count("ellipsis") > 1:
        return None
    used = sum(1 for kind in kinds if kind in ("all", "slice", "int"))
    if used > len(shape):
        return None
    if "ellipsis" in kinds:
        at = kinds.index("ellipsis")
        kinds = kinds[:at] + ["all"] * (len(shape) - used) + kinds[at + 1:]
    else:
        kinds = kinds + ["all"] * (len(shape) - used)
    out, axis = [], 0
    for kind in kinds:
        if kind == "new":
            out.append(1)
        elif kind == "int":
            axis += 1
        else:
            out.append(shape[axis] if kind == "all" else None)
            axis += 1
    if kinds and kinds[0] == "int":
        return None  # the batch axis taken away: one sample
    return tuple(out)


__all__ = ["DataEvaluation", "DATA_VALUES", "layers"]
