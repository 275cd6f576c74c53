"""KC4: the data against the model (the targets against the loss and output, the inputs against the input
layer, and what the program does with predictions).

The rules read the data facts (kerascheck/facts.py, "data"): each call that gives a known model data
(ModelCallFact: its x, y and validation data, with the outputs and losses of the compile in force), and
each use of its predictions (PredictionUseFact). A fact that is not known is never guessed: a rule fires
only when every fact it names is known. What each message says Keras does is measured on Keras 3.15.1
and 2.3.1 (scripts/keras_measurements/data_mistakes.py, docs/keras-semantics.md).
"""

from __future__ import annotations

from typing import Callable, Iterable, Optional

from kerascheck import knowledge
from kerascheck.facts import (
    ARGMAX, BINARY, COMPARED, INTEGER, MULTI_HOT, ONE_HOT, RAW_PIXELS, SKLEARN_METRIC, THRESHOLD, DataFact,
    ModelCallFact, ModelFact, Origin, TrainedOutput,
)
from kerascheck.intents import Fix, ReplaceCode, ReplaceLoss, ReplaceMetric
from kerascheck.rules.base import DataCheck, Report, Rule, describe_output, loss_label
from kerascheck.versions import KerasTarget

# The calls that train or evaluate on targets, and those that are given inputs.
TARGET_METHODS = frozenset({"fit", "evaluate", "train_on_batch", "test_on_batch", "fit_generator",
                            "evaluate_generator"})
INPUT_METHODS = TARGET_METHODS | {"predict", "predict_on_batch", "predict_generator"}
TRAINING_METHODS = frozenset({"fit", "train_on_batch", "fit_generator"})
HINGE = {"hinge", "squared_hinge"}
CLASSIFICATION_LOSSES = knowledge.CROSSENTROPY | HINGE | {"categorical_hinge"}
# Layers with weights: the first of them ends "the first layers" (what rescales before it counts).
_WEIGHT_FAMILIES = ("dense", "conv", "recurrent", "embedding")
# Layer families that leave the values' scale alone (what may come before a rescaling layer).
_SCALE_NEUTRAL_FAMILIES = ("pass", "reshape", "flatten", "padding", "resize", "activation", "augmentation", "pool",
                           "global_pool", "merge")
_ENCODING_NAMES = {ONE_HOT: "one-hot targets", INTEGER: "integer labels", BINARY: "binary 0/1 targets",
                   MULTI_HOT: "multi-hot targets"}

_MNIST = ("import numpy as np\nfrom tensorflow import keras\nfrom tensorflow.keras import layers\n"
          "from tensorflow.keras.utils import to_categorical\n"
          "(x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()\n"
          "x_train = x_train.reshape(-1, 784).astype('float32') / 255\n")


def _dense(units: int, activation: str, loss: str, extra: str = "") -> str:
    return (_MNIST + extra +
            f"model = keras.Sequential([layers.Dense(64, activation='relu', input_shape=(784,)),\n"
            f"                          layers.Dense({units}, activation='{activation}')])\n"
            f"model.compile(optimizer='adam', loss={loss}, metrics=['accuracy'])\n")


# ---------------------------------------------------------------------------------------------- wording


def origin_text(origin: Optional[Origin], name_line: Callable) -> str:
    """"`to_categorical(y, 5)`, line 12"."""
    if origin is None:
        return "?"
    return f"`{origin.text}`, {name_line(origin.line)}" if origin.line is not None else f"`{origin.text}`"


def describe_targets(fact: DataFact, name_line: Callable) -> str:
    """"one-hot targets of 5 classes (`to_categorical(y, 5)`, line 12)"."""
    kind = _ENCODING_NAMES.get(fact.encoding, "targets")
    encoding = origin_text(fact.encoding_origin, name_line)
    if fact.classes is None:
        return f"{kind} ({encoding})"
    if fact.classes_origin is not None and fact.classes_origin != fact.encoding_origin:
        return f"{kind} ({encoding}) of {fact.classes} classes ({origin_text(fact.classes_origin, name_line)})"
    return f"{kind} of {fact.classes} classes ({encoding})"


def call_text(call: ModelCallFact, name_line: Callable) -> str:
    return f"{call.method}() ({name_line(call.span.line)})"


def _sizes_text(sizes: tuple) -> str:
    """(28, 28, 1) as written in an input_shape=: `(28, 28, 1)`, `(784,)`, `(None, 3)`."""
    return "(" + ", ".join("None" if size is None else str(size) for size in sizes) + ("," if len(sizes) == 1 else "") \
        + ")"


def shape_text(shape: Optional[tuple]) -> str:
    if shape is None:
        return "?"
    sizes = ["N" if index == 0 and size is None else ("None" if size is None else str(size))
             for index, size in enumerate(shape)]
    return "(" + ", ".join(sizes) + ("," if len(sizes) == 1 else "") + ")"


def training_targets(check: DataCheck) -> Iterable[tuple]:
    """(call, trained output, target fact) for every known target given to a single-output model with a loss."""
    for call in check.model_calls:
        if call.method not in TARGET_METHODS or len(call.trained) != 1:
            continue
        trained = call.trained[0]
        if len(call.outputs) > 1:
            continue
        for target in call.targets:
            if target.encoding is not None:
                yield call, trained, target


def _loss_fix(trained: TrainedOutput, new: str) -> Optional[Fix]:
    loss = trained.loss
    if loss is None or loss.form is None:
        return None
    return Fix.unsafe(f"Replace {loss.spelling} with '{new}'", ReplaceLoss(loss.span, new))


# ---------------------------------------------------------------------------------------------- targets


class SparseLossOnOneHotTargets(Rule):
    """
    ## What it does
    Flags sparse categorical cross-entropy (or `sparse_categorical_accuracy`) on targets that are known to be
    one-hot: `to_categorical(y)`, `np.eye(n)[y]`, `OneHotEncoder`, `pd.get_dummies`,
    `image_dataset_from_directory(label_mode='categorical')`, `flow_from_directory` (whose default
    `class_mode` is `'categorical'`).

    ## Why is this bad?
    A sparse loss expects one class index per sample. Given one column per class, Keras raises at the first
    batch, after the data has loaded: Keras 3 "Argument `output` must have rank (ndim) `target.ndim - 1`",
    Keras 2.3 "expected dense to have shape (1,) but got array with shape (10,)".

    ## Example
    ```python
    y_train = to_categorical(y_train, 10)
    model.compile(loss='sparse_categorical_crossentropy', optimizer='adam')
    model.fit(x_train, y_train)
    ```

    ## Use instead
    ```python
    y_train = to_categorical(y_train, 10)
    model.compile(loss='categorical_crossentropy', optimizer='adam')  # or keep the integer labels
    ```

    ## Fix safety
    Unsafe: the loss changes (the other way to fix it is to drop the one-hot encoding).
    """

    code = "KC401"
    name = "sparse-loss-on-one-hot-targets"
    summary = "A sparse loss on one-hot targets"
    fix_safety = "unsafe"
    runtime_evidence = "data"
    fires = (
        _dense(10, "softmax", "'sparse_categorical_crossentropy'",
               "y_train = to_categorical(y_train, 10)\n") + "model.fit(x_train, y_train)\n",
        _dense(10, "softmax", "keras.losses.SparseCategoricalCrossentropy()",
               "y_train = np.eye(10)[y_train]\n") + "model.fit(x_train, y_train)\n",
    )
    passes = (
        _dense(10, "softmax", "'sparse_categorical_crossentropy'") + "model.fit(x_train, y_train)\n",
        _dense(10, "softmax", "'categorical_crossentropy'",
               "y_train = to_categorical(y_train, 10)\n") + "model.fit(x_train, y_train)\n",
        _dense(10, "softmax", "'sparse_categorical_crossentropy'",
               "y_train = np.argmax(to_categorical(y_train, 10), axis=-1)\n") + "model.fit(x_train, y_train)\n",
    )

    def check_data(self, check: DataCheck):
        for call, trained, target in training_targets(check):
            if target.encoding != ONE_HOT or (target.classes is not None and target.classes < 2):
                continue
            yield from _format_reports(check, call, trained, target, wrong=knowledge.SPARSE_CROSSENTROPY,
                                       right="categorical_crossentropy", wrong_metric="sparse_categorical_accuracy",
                                       right_metric="categorical_accuracy",
                                       expects="expects one class index per sample",
                                       effect="Keras raises at the first batch",
                                       advice="(or keep integer labels)")


class CategoricalLossOnIntegerLabels(Rule):
    """
    ## What it does
    Flags categorical cross-entropy (not the sparse one) or `categorical_accuracy` on targets that are known
    to be integer labels: a `keras.datasets` loader's labels, `LabelEncoder().fit_transform`,
    `np.argmax` of one-hot targets, `image_dataset_from_directory` (whose default `label_mode` is `'int'`),
    `class_mode='sparse'`.

    ## Why is this bad?
    Categorical cross-entropy expects one column per class. Given one class index per sample, Keras raises
    at the first batch, after the data has loaded: Keras 3 "Arguments `target` and `output` must have the
    same rank (ndim)", Keras 2.3 "expected dense to have shape (10,) but got array with shape (1,)". As a
    metric, `categorical_accuracy` takes the argmax of a single column: it trains and reports a meaningless
    number.

    ## Example
    ```python
    (x_train, y_train), _ = keras.datasets.mnist.load_data()
    model.compile(loss='categorical_crossentropy', optimizer='adam')
    model.fit(x_train, y_train)
    ```

    ## Use instead
    ```python
    model.compile(loss='sparse_categorical_crossentropy', optimizer='adam')  # or to_categorical(y_train)
    ```

    ## Fix safety
    Unsafe: the loss changes (the other way to fix it is to one-hot the labels).
    """

    code = "KC402"
    name = "categorical-loss-on-integer-labels"
    summary = "A categorical loss on integer labels"
    fix_safety = "unsafe"
    runtime_evidence = "data"
    fires = (
        _dense(10, "softmax", "'categorical_crossentropy'") + "model.fit(x_train, y_train)\n",
        _dense(10, "softmax", "'categorical_crossentropy'",
               "from sklearn.preprocessing import LabelEncoder\ny_train = LabelEncoder().fit_transform(y_train)\n")
        + "model.fit(x_train, y_train)\n",
    )
    passes = (
        _dense(10, "softmax", "'categorical_crossentropy'",
               "y_train = to_categorical(y_train)\n") + "model.fit(x_train, y_train)\n",
        _dense(10, "softmax", "'sparse_categorical_crossentropy'") + "model.fit(x_train, y_train)\n",
        _dense(1, "sigmoid", "'categorical_crossentropy'") + "model.fit(x_train, y_train)\n",  # KC204's
    )

    def check_data(self, check: DataCheck):
        for call, trained, target in training_targets(check):
            if target.encoding != INTEGER:
                continue
            output = trained.output
            over_classes = (output.units is not None and output.units >= 2) or \
                (output.units is None and output.activation == "softmax")
            if not over_classes:
                continue  # a 1-unit output takes one column: KC204 says what is wrong there
            yield from _format_reports(check, call, trained, target, wrong=knowledge.CATEGORICAL_CROSSENTROPY,
                                       right="sparse_categorical_crossentropy", wrong_metric="categorical_accuracy",
                                       right_metric="sparse_categorical_accuracy",
                                       expects="expects one column per class",
                                       effect="Keras raises at the first batch", advice="(or to_categorical(y))",
                                       metric_effect="it takes the argmax of a single column and reports a "
                                                     "meaningless number")


def _format_reports(check: DataCheck, call: ModelCallFact, trained: TrainedOutput, target: DataFact, wrong: set,
                    right: str, wrong_metric: str, right_metric: str, expects: str, effect: str, advice: str,
                    metric_effect: Optional[str] = None) -> Iterable[Report]:
    """KC401/KC402: a loss (else a metric) of the other target format; the metric against its loss is KC105's."""
    loss = trained.loss
    given = f"{call_text(call, check.name_line)} gives it {describe_targets(target, check.name_line)}"
    if loss is not None and loss.canonical in wrong:
        yield Report(loss.span, f"{loss_label(loss)} {expects}, but {given}: {effect}; use '{right}' {advice}",
                     fix=_loss_fix(trained, right))
        return
    if loss is not None and loss.canonical in knowledge.CATEGORICAL_CROSSENTROPY | knowledge.SPARSE_CROSSENTROPY:
        return
    for metric in trained.metrics:
        if metric.canonical == wrong_metric:
            yield Report(metric.span, f"{metric.spelling} {expects}, but {given}: {metric_effect or effect}; use "
                                      f"'{right_metric}'",
                         fix=Fix.unsafe(f"Replace with {right_metric}", ReplaceMetric(metric.span, right_metric)))


def _class_output(trained: TrainedOutput) -> bool:
    """An output over classes whose units must match them: softmax, logits, sigmoid trained as exclusive classes."""
    output, loss = trained.output, trained.loss
    canonical = loss.canonical if loss is not None else None
    if output.activation == "softmax":
        return True
    if output.activation == "linear":
        return canonical in knowledge.CROSSENTROPY
    if output.activation in knowledge.SIGMOID_LIKE:
        return canonical in knowledge.CATEGORICAL_CROSSENTROPY | knowledge.SPARSE_CROSSENTROPY
    return False


class OutputUnitsDifferFromClasses(Rule):
    """
    ## What it does
    Flags a softmax output (or logits, or a sigmoid trained with a categorical loss) whose number of units is
    known and differs from the known number of classes of its one-hot targets, or is smaller than the
    number of classes of its integer labels.

    ## Why is this bad?
    One-hot targets of 5 classes against 10 output units: Keras raises at the first batch ("Arguments
    `target` and `output` must have the same shape"). Integer labels 0-9 against 5 units with a sparse loss:
    TensorFlow raises on the CPU ("Received a label value of 9 which is outside the valid range of [0, 5)")
    and returns NaN losses on a GPU. More units than integer classes trains (the extra units are never the
    target) and is not flagged.

    ## Example
    ```python
    y_train = to_categorical(y_train, 5)
    model.add(Dense(10, activation='softmax'))
    ```

    ## Use instead
    ```python
    model.add(Dense(5, activation='softmax'))  # one unit per class
    ```

    ## Fix safety
    No fix: which of the two numbers is right is the user's call.
    """

    code = "KC403"
    name = "output-units-differ-from-classes"
    summary = "Output units differ from the number of classes"
    runtime_evidence = "data"
    fires = (
        _dense(10, "softmax", "'categorical_crossentropy'", "y_train = to_categorical(y_train, 5)\n")
        + "model.fit(x_train, y_train)\n",
        _dense(5, "softmax", "'sparse_categorical_crossentropy'") + "model.fit(x_train, y_train)\n",
    )
    passes = (
        _dense(10, "softmax", "'categorical_crossentropy'", "y_train = to_categorical(y_train, 10)\n")
        + "model.fit(x_train, y_train)\n",
        _dense(12, "softmax", "'sparse_categorical_crossentropy'") + "model.fit(x_train, y_train)\n",
        _dense(10, "softmax", "'categorical_crossentropy'", "y_train = to_categorical(y_train, num_classes)\n")
        + "model.fit(x_train, y_train)\n",
    )

    def check_data(self, check: DataCheck):
        for call, trained, target in training_targets(check):
            output, loss = trained.output, trained.loss
            units, classes = output.units, target.classes
            if units is None or classes is None or units < 2 or not _class_output(trained):
                continue
            where = check.name_line
            described = describe_output(output, where)
            targets = describe_targets(target, where)
            span = loss.span if loss is not None else call.span
            if target.encoding == ONE_HOT and units != classes:
                yield Report(span, f"the {described} against {targets} in {call_text(call, where)}: Keras raises "
                                   f"at the first batch; give the output one unit per class ({classes})")
            elif target.encoding == INTEGER and units < classes and loss is not None and \
                    loss.canonical in knowledge.SPARSE_CROSSENTROPY:
                yield Report(span, f"the {described} against {targets} in {call_text(call, where)}: labels "
                                   f"{units} to {classes - 1} have no unit; TensorFlow raises on the CPU and gives "
                                   f"NaN losses on a GPU; give the output {classes} units")


class SingleUnitOutputOnMulticlassLabels(Rule):
    """
    ## What it does
    Flags a 1-unit output trained with binary cross-entropy (or hinge) on integer labels of more than two
    classes.

    ## Why is this bad?
    A single sigmoid unit says "class 1 or not": labels 2, 3, ... are read as values above 1. Keras trains
    with no error and no warning, and `'accuracy'` reports a number (measured on Keras 2.3.1 and 3: labels
    0-2 train to about 0.4). The model can never predict more than two classes.

    ## Example
    ```python
    (x_train, y_train), _ = keras.datasets.mnist.load_data()  # labels 0-9
    model.add(Dense(1, activation='sigmoid'))
    model.compile(loss='binary_crossentropy', metrics=['accuracy'])
    ```

    ## Use instead
    ```python
    model.add(Dense(10, activation='softmax'))
    model.compile(loss='sparse_categorical_crossentropy', metrics=['accuracy'])
    ```

    ## Fix safety
    No fix: the output layer changes too.
    """

    code = "KC404"
    name = "single-unit-output-on-multiclass-labels"
    summary = "A single-unit output on labels of more than two classes"
    runtime_evidence = "data"
    fires = (
        _dense(1, "sigmoid", "'binary_crossentropy'") + "model.fit(x_train, y_train)\n",
        _dense(1, "tanh", "'hinge'") + "model.fit(x_train, y_train)\n",
    )
    passes = (
        _dense(1, "sigmoid", "'binary_crossentropy'", "y_train = (y_train == 3).astype(int)\n")
        + "model.fit(x_train, y_train)\n",
        _dense(1, "sigmoid", "'binary_crossentropy'", "(x_train, y_train), _ = keras.datasets.imdb.load_data()\n")
        + "model.fit(x_train, y_train)\n",
        _dense(10, "softmax", "'sparse_categorical_crossentropy'") + "model.fit(x_train, y_train)\n",
    )

    def check_data(self, check: DataCheck):
        for call, trained, target in training_targets(check):
            output, loss = trained.output, trained.loss
            if output.units != 1 or loss is None or target.encoding != INTEGER or target.classes is None or \
                    target.classes <= 2:
                continue
            if loss.canonical not in knowledge.BINARY_CROSSENTROPY | HINGE:
                continue
            where = check.name_line
            yield Report(loss.span, f"{loss_label(loss)} on the {describe_output(output, where)} against "
                                    f"{describe_targets(target, where)} in {call_text(call, where)}: one unit "
                                    f"tells two classes apart, not {target.classes}, and Keras trains silently; use "
                                    f"Dense({target.classes}, activation='softmax') with "
                                    f"'sparse_categorical_crossentropy'")


# ---------------------------------------------------------------------------------------------- inputs


def rescales_first(model: Optional[ModelFact]) -> Optional[bool]:
    """Whether the model's first layers (up to the first with weights) rescale its input; None when not known.

    A Rescaling / Normalization / dividing Lambda / an application's preprocess_input, an application that
    rescales inside, a BatchNormalization before the first weights: True. A layer whose effect is unknown (a
    custom or library layer, a Lambda), or a path that starts at a value the analysis does not know: None.
    """
    if model is None or not model.layers:
        return None
    for layer in model.layers:
        if layer.applied_to_unknown:
            return None
        if layer.rescales or layer.family == "normalization":
            return True
        if layer.family in ("application", "model"):
            if layer.family == "application":
                return False
            continue  # a model's own layers come before its step on the path
        if layer.family in _WEIGHT_FAMILIES:
            return False
        if layer.family not in _SCALE_NEUTRAL_FAMILIES:
            return None
    return None


class UnscaledPixelInput(Rule):
    """
    ## What it does
    Flags raw 0-255 pixels given to `fit`, `evaluate` or `predict` of a model whose first layers do not
    rescale them. Raw pixels are the images of the `mnist`, `fashion_mnist`, `cifar10` and `cifar100`
    loaders and of `image_dataset_from_directory` and `flow_from_directory` without `rescale=`, until they are
    divided, standardised or passed through `preprocess_input`; `astype('float32')` alone does not scale.

    ## Why is this bad?
    Keras trains on them silently, but the first layer's weights, initialised for inputs of about unit
    scale, get gradients 255 times too large: training is slow or stalls (measured on a small dense network:
    0.55 accuracy after 5 epochs on raw pixels on Keras 3, against 0.83 on the same pixels divided by 255),
    and `predict` on scaled images later disagrees with what was learnt.

    ## Example
    ```python
    (x_train, y_train), _ = keras.datasets.mnist.load_data()
    model.fit(x_train, y_train)
    ```

    ## Use instead
    ```python
    model.fit(x_train / 255.0, y_train)  # or a Rescaling(1./255) first layer
    ```

    ## Fix safety
    No fix: where to scale (in the data or in the model) is the user's call.
    """

    code = "KC405"
    name = "unscaled-pixel-input"
    summary = "Raw 0-255 pixels given to a model that does not rescale them"
    fires = (
        "from tensorflow import keras\nfrom tensorflow.keras import layers\n"
        "(x_train, y_train), _ = keras.datasets.mnist.load_data()\n"
        "model = keras.Sequential([layers.Flatten(input_shape=(28, 28)), layers.Dense(10, activation='softmax')])\n"
        "model.compile(loss='sparse_categorical_crossentropy')\nmodel.fit(x_train.astype('float32'), y_train)\n",
    )
    passes = (
        "from tensorflow import keras\nfrom tensorflow.keras import layers\n"
        "(x_train, y_train), _ = keras.datasets.mnist.load_data()\n"
        "model = keras.Sequential([layers.Rescaling(1/255, input_shape=(28, 28)), layers.Flatten(),\n"
        "                          layers.Dense(10, activation='softmax')])\n"
        "model.compile(loss='sparse_categorical_crossentropy')\nmodel.fit(x_train, y_train)\n",
        "from tensorflow import keras\nfrom tensorflow.keras import layers\n"
        "(x_train, y_train), _ = keras.datasets.mnist.load_data()\n"
        "model = keras.Sequential([layers.Flatten(input_shape=(28, 28)), layers.Dense(10, activation='softmax')])\n"
        "model.compile(loss='sparse_categorical_crossentropy')\nmodel.fit(x_train / 255.0, y_train)\n",
    )

    def check_data(self, check: DataCheck):
        for call in check.model_calls:
            if call.method not in INPUT_METHODS:
                continue
            raw = [fact for fact in (call.x, call.validation_x) if fact is not None and fact.scale == RAW_PIXELS]
            if not raw or rescales_first(call.model) is not False:
                continue
            fact = raw[0]
            first = next((layer for layer in call.model.layers if layer.family in _WEIGHT_FAMILIES + ("application",)),
                         None)
            model_text = f" (first weights: {first.kind}, {check.name_line(first.line)})" \
                if first is not None and first.line is not None else ""
            effect = "it trains silently, slowly or not at all" if call.method in TRAINING_METHODS else \
                "it runs silently on values up to 255"
            advice = f"use the preprocess_input of keras.applications' {first.kind} module" \
                if first is not None and first.family == "application" else \
                "divide by 255.0 or start the model with Rescaling(1./255)"
            yield Report(fact.span or call.span,
                         f"raw 0-255 pixels ({origin_text(fact.scale_origin, check.name_line)}) reach "
                         f"{call_text(call, check.name_line)} of a model that does not rescale them{model_text}: "
                         f"{effect}; {advice}")


class ScaledClassLabels(Rule):
    """
    ## What it does
    Flags class labels of a classification loss that were divided or standardised (`y_train / 255`, a
    scaler fitted on `y`), usually a copy of the scaling meant for the images.

    ## Why is this bad?
    The labels are no longer the classes. A sparse loss casts them to integers: labels 0-9 divided by 255
    all become class 0 (measured on Keras 2.3.1 and 3: the loss on `y / 255` equals the loss on all-zero
    labels), and one-hot targets divided by 255 no longer sum to 1. Keras trains silently.

    ## Example
    ```python
    x_train, y_train = x_train / 255, y_train / 255
    ```

    ## Use instead
    ```python
    x_train = x_train / 255  # scale the inputs only
    ```

    ## Fix safety
    No fix.
    """

    code = "KC406"
    name = "scaled-class-labels"
    summary = "Class labels divided or standardised"
    fires = (
        _dense(10, "softmax", "'sparse_categorical_crossentropy'", "y_train = y_train / 255.0\n")
        + "model.fit(x_train, y_train)\n",
    )
    passes = (
        _dense(10, "softmax", "'sparse_categorical_crossentropy'") + "model.fit(x_train, y_train)\n",
        _dense(1, "linear", "'mse'", "y_train = y_train / 255.0\n") + "model.fit(x_train, y_train)\n",
    )

    def check_data(self, check: DataCheck):
        for call in check.model_calls:
            if call.method not in TARGET_METHODS or len(call.trained) != 1:
                continue
            loss = call.trained[0].loss
            if loss is None or loss.canonical not in CLASSIFICATION_LOSSES:
                continue
            scaled = [fact for fact in call.targets if fact.scaled_labels is not None and fact.encoding is not None]
            if not scaled:
                continue
            fact = scaled[0]
            sparse = " (below 1, all class 0)" if loss.canonical in knowledge.SPARSE_CROSSENTROPY else ""
            yield Report(fact.span or call.span,
                         f"{describe_targets(fact, check.name_line)} scaled "
                         f"({origin_text(fact.scaled_labels, check.name_line)}) reach "
                         f"{call_text(call, check.name_line)}: to {loss_label(loss)} they are other classes{sparse}, "
                         f"silently; scale the inputs only")


def trailing_axis_added(target: KerasTarget, style: Optional[str]) -> Optional[bool]:
    """Whether the target Keras adds a missing trailing axis of size 1 to the data (measured, docs/keras-semantics.md):
    standalone Keras <= 2.3 and tf.keras in TF <= 2.1 never do; TF 2.2-2.6 (and keras 2.4-2.6) do for a functional
    model only; TF 2.7+, Keras 3 and tf_keras do. None when the target is unknown."""
    if not target.known:
        return None
    version = target.version
    if target.package == "tf_keras" or target.is_keras3:
        return True
    if target.package == "keras":
        if version < (2,):
            return None
        first, both = (2, 4), (2, 7)
    else:
        first, both = (2, 2), (2, 7)
    if version < first:
        return False
    if version < both:
        return style == "functional"
    return True


def _compatible(a: tuple, b: tuple) -> bool:
    return len(a) == len(b) and all(x is None or y is None or x == y for x, y in zip(a, b))


def shape_mismatch(declared: tuple, data: tuple, target: KerasTarget, style: Optional[str],
                   batch_in_shape: bool) -> Optional[str]:
    """What is wrong between a model's declared input (batch first) and the data's shape; None when nothing known is."""
    model_rest, data_rest = declared[1:], data[1:]
    if len(model_rest) == len(data_rest):
        if _compatible(model_rest, data_rest):
            return None
        if len(model_rest) >= 3 and _compatible(data_rest[1:], model_rest[:-1]) and \
                data_rest[0] is not None and data_rest[0] == model_rest[-1]:
            return "channels-first data into a channels-last model; move the channels last: np.moveaxis(x, 1, -1)"
        last_model, last_data = model_rest[-1], data_rest[-1]
        if last_model is not None and last_data is not None and last_model != last_data:
            what = "channels" if len(model_rest) >= 3 else "features"
            return f"the {what} differ ({last_data} against {last_model}); Keras raises at the first batch"
        return None  # only spatial sizes differ: a fully convolutional model takes them
    if len(data_rest) == len(model_rest) - 1 and model_rest[-1] == 1 and _compatible(data_rest, model_rest[:-1]):
        if trailing_axis_added(target, style) is not False:
            return None
        return (f"the channel axis of size 1 is missing, and {target.label} does not add it: it raises at the first "
                f"batch; add it with x[..., None] (or np.expand_dims(x, -1))")
    if len(data_rest) == len(model_rest) + 1 and data_rest[-1] == 1 and _compatible(data_rest[:-1], model_rest):
        return None  # an extra trailing axis of size 1
    if len(model_rest) == len(data_rest) + 1 and (batch_in_shape or model_rest[0] is None) and \
            _compatible(model_rest[1:], data_rest):
        return ("the batch axis is written into the model's input shape (the input shape leaves out the samples' "
                "axis); Keras raises at the first batch; drop its first size")
    sizes = [size for size in model_rest]
    known = all(size is not None for size in sizes)
    reshape = f"; reshape the data: x.reshape(-1, {', '.join(map(str, sizes))})" if known else ""
    if len(data_rest) == 1 and len(model_rest) >= 2:
        return f"flattened data into a model that expects images{reshape}"
    if len(model_rest) == 1 and len(data_rest) >= 2:
        return f"images into a model that expects flat vectors{reshape}"
    return f"the ranks differ{reshape}"


class InputShapeDiffersFromData(Rule):
    """
    ## What it does
    Flags a model whose declared input shape (`input_shape=`, `Input(shape=)`, `batch_input_shape=`) and the
    known shape of the data given to `fit`, `evaluate` or `predict` differ: channels-first data into a
    channels-last model, flattened data into an image model, images into a flat model, a different number of
    channels or features, or a rank that differs by more than a trailing axis of size 1. A missing trailing
    axis of size 1 (`(N, 28, 28)` into `(28, 28, 1)`) is flagged only where the target Keras does not add it
    itself (measured: standalone Keras <= 2.3 and tf.keras up to TF 2.1 raise; TF 2.2-2.6 add it for
    functional models only; TF 2.7+ and Keras 3 add it); never when the target is unknown. Also the number of
    samples written into the input shape (`input_shape=(len(x), 20)`, `input_shape=(None, 28, 28, 1)` on a
    convolution), reported at `input_shape=` when no call gives the model data of a known shape.

    ## Why is this bad?
    Keras raises at the first batch, after the data has loaded (measured on Keras 2.3.1 and 3.15.1 for each
    case above).

    ## Example
    ```python
    x_train = x_train.reshape(-1, 784)
    model.add(Conv2D(32, 3, input_shape=(28, 28, 1)))
    model.fit(x_train, y_train)
    ```

    ## Use instead
    ```python
    x_train = x_train.reshape(-1, 28, 28, 1)
    ```

    ## Fix safety
    No fix: the data or the model changes, and which one is the user's call.
    """

    code = "KC407"
    name = "input-shape-differs-from-data"
    summary = "The model's input shape differs from the data's"
    fires = (
        _MNIST.replace("reshape(-1, 784)", "reshape(-1, 1, 28, 28)") +
        "model = keras.Sequential([layers.Conv2D(8, 3, input_shape=(28, 28, 1)), layers.Flatten(),\n"
        "                          layers.Dense(10, activation='softmax')])\n"
        "model.compile(loss='sparse_categorical_crossentropy')\nmodel.fit(x_train, y_train)\n",
        _MNIST + "model = keras.Sequential([layers.Conv2D(8, 3, input_shape=(28, 28, 1)), layers.Flatten(),\n"
                 "                          layers.Dense(10, activation='softmax')])\n"
                 "model.compile(loss='sparse_categorical_crossentropy')\nmodel.fit(x_train, y_train)\n",
        "# kerascheck: keras-version=2.3.1\n" + _MNIST.replace(".reshape(-1, 784)", "") +
        "model = keras.Sequential([layers.Conv2D(8, 3, input_shape=(28, 28, 1)), layers.Flatten(),\n"
        "                          layers.Dense(10, activation='softmax')])\n"
        "model.compile(loss='sparse_categorical_crossentropy')\nmodel.fit(x_train, y_train)\n",
        _MNIST + "model = keras.Sequential([layers.Dense(1, input_shape=(len(x_train), 784))])\n"
                 "model.compile(loss='mse')\n",
    )
    passes = (
        "# kerascheck: keras-version=3\n" + _MNIST.replace(".reshape(-1, 784)", "") +
        "model = keras.Sequential([layers.Conv2D(8, 3, input_shape=(28, 28, 1)), layers.Flatten(),\n"
        "                          layers.Dense(10, activation='softmax')])\n"
        "model.compile(loss='sparse_categorical_crossentropy')\nmodel.fit(x_train, y_train)\n",
        _MNIST.replace(".reshape(-1, 784)", "") +
        "model = keras.Sequential([layers.Conv2D(8, 3, input_shape=(28, 28, 1)), layers.Flatten(),\n"
        "                          layers.Dense(10, activation='softmax')])\n"
        "model.compile(loss='sparse_categorical_crossentropy')\nmodel.fit(x_train, y_train)\n",
        _MNIST + "model = keras.Sequential([layers.Dense(10, activation='softmax', input_shape=(784,))])\n"
                 "model.compile(loss='sparse_categorical_crossentropy')\nmodel.fit(x_train, y_train)\n",
    )

    def check_data(self, check: DataCheck):
        reported_models = set()
        for call in check.model_calls:
            model = call.model
            if call.method not in INPUT_METHODS or call.x is None or call.x.shape is None or model is None:
                continue
            if model.style not in ("sequential", "functional", "application") or len(model.inputs) != 1:
                continue
            declared = model.inputs[0]
            if declared.shape is None or declared.keyword == "input_length" or len(call.x.shape) < 2:
                continue
            reported_models.add(call.compile_span)
            problem = shape_mismatch(declared.shape, call.x.shape, check.target, model.style, declared.batch_in_shape)
            if problem is None:
                continue
            where = check.name_line
            origin = call.x.shape_origin
            data_text = f"data of shape {shape_text(call.x.shape)}" + \
                (f" ({origin_text(origin, where)})" if origin is not None else "")
            yield Report(call.x.span or call.span,
                         f"{call_text(call, where)} gives {data_text} to a model declared with "
                         f"{declared.keyword}={_sizes_text(declared.shape[1:])} ({where(declared.line)}): {problem}")
        for compile_fact in check.facts.compiles:
            model = compile_fact.model
            if model is None or compile_fact.span in reported_models or len(model.inputs) != 1:
                continue
            declared = model.inputs[0]
            if declared.shape is None or declared.span is None:
                continue
            written = declared.batch_in_shape or _batch_in_convolution(model, declared)
            if written:
                rest = _sizes_text(declared.shape[2:])
                yield Report(declared.span,
                             f"{declared.keyword}= starts with the number of samples: Keras adds the batch axis "
                             f"itself, so the model expects data of rank {len(declared.shape)} and raises at the "
                             f"first batch; drop the first size: {declared.keyword}={rest}")


def _batch_in_convolution(model: ModelFact, declared) -> bool:
    """`Conv2D(..., input_shape=(None, 28, 28, 1))`: one size too many for the layer, and the first is None."""
    first = model.layers[0] if model.layers else None
    if first is None or first.spatial_dims is None or first.family not in ("conv", "pool"):
        return False
    shape = declared.shape
    return declared.keyword == "input_shape" and len(shape) == first.spatial_dims + 3 and shape[1] is None


# ---------------------------------------------------------------------------------------------- predictions


def _logits(trained: Optional[TrainedOutput]) -> bool:
    return trained is not None and trained.output.activation == "linear" and trained.loss is not None and \
        trained.loss.from_logits is True


class ArgmaxOfSingleUnitOutput(Rule):
    """
    ## What it does
    Flags `np.argmax` / `tf.argmax` / `keras.ops.argmax` / `.argmax()` over the last axis of the predictions
    of a 1-unit output.

    ## Why is this bad?
    The last axis has one element: its argmax is always 0. Every sample is predicted as class 0, silently
    (measured: `np.argmax(pred, axis=-1)` of a sigmoid(1) model's predictions holds only 0).

    ## Example
    ```python
    model.add(Dense(1, activation='sigmoid'))
    labels = np.argmax(model.predict(x_test), axis=-1)
    ```

    ## Use instead
    ```python
    labels = (model.predict(x_test) > 0.5).astype(int).ravel()  # > 0 for logits
    ```

    ## Fix safety
    Unsafe: the threshold (0.5 for a sigmoid, 0 for logits) is a choice. `.ravel()` keeps the shape the argmax
    had. Offered for `np.argmax` and `.argmax()` of 2-D predictions of a sigmoid output or of logits.
    """

    code = "KC408"
    name = "argmax-of-single-unit-output"
    summary = "argmax over a single-unit output"
    fix_safety = "unsafe"
    fires = (_dense(1, "sigmoid", "'binary_crossentropy'") + "pred = np.argmax(model.predict(x_train), axis=-1)\n",
             _dense(1, "sigmoid", "'binary_crossentropy'") + "pred = model.predict(x_train).argmax(axis=1)\n")
    passes = (_dense(10, "softmax", "'sparse_categorical_crossentropy'")
              + "pred = np.argmax(model.predict(x_train), axis=-1)\n",
              _dense(1, "sigmoid", "'binary_crossentropy'") + "pred = (model.predict(x_train) > 0.5).astype(int)\n",
              _dense(1, "sigmoid", "'binary_crossentropy'") + "best = np.argmax(model.predict(x_train))\n")

    def check_data(self, check: DataCheck):
        for use in check.prediction_uses:
            output = use.output
            if use.kind != ARGMAX or not use.over_last_axis or not use.last_axis_is_units or output is None or \
                    output.units != 1:
                continue
            where = check.name_line
            threshold = 0.0 if _logits(use.trained) else 0.5 if output.activation in knowledge.SIGMOID_LIKE else None
            fix = None
            if threshold is not None and use.rank == 2 and use.prediction_span is not None and \
                    use.qualified in ("numpy.argmax", "argmax"):
                literal = "0" if threshold == 0.0 else "0.5"
                fix = Fix.unsafe(f"Replace with (pred > {literal}).astype(int).ravel()",
                                 ReplaceCode(use.span, "({0} > %s).astype(int).ravel()" % literal,
                                             (use.prediction_span,)))
            advice = {0.0: "(pred > 0).astype(int) for logits", 0.5: "(pred > 0.5).astype(int) for a sigmoid"}.get(
                threshold, "compare the single unit with a threshold")
            yield Report(use.span, f"`{use.text}` over the last axis of the predictions (predict(), "
                                   f"{where(use.prediction_line)}) of the {describe_output(output, where)} is always "
                                   f"0: every sample becomes class 0; threshold instead: {advice}", fix=fix)


class ProbabilityThresholdOnLogits(Rule):
    """
    ## What it does
    Flags the predictions of a linear output trained with `from_logits=True` thresholded at 0.5
    (`pred > 0.5`, `pred >= 0.5`, `np.round(pred)`, `pred.round()`).

    ## Why is this bad?
    The model outputs logits, not probabilities: the decision threshold for a logit is 0 (a probability of
    0.5). At 0.5 the samples with logits between 0 and 0.5 are silently put in the wrong class (measured: 23
    of 64 samples of a small model on Keras 3).

    ## Example
    ```python
    model.compile(loss=BinaryCrossentropy(from_logits=True))
    labels = model.predict(x_test) > 0.5
    ```

    ## Use instead
    ```python
    labels = model.predict(x_test) > 0
    ```

    ## Fix safety
    Unsafe: the threshold changes.
    """

    code = "KC409"
    name = "probability-threshold-on-logits"
    summary = "A probability threshold on logits"
    fix_safety = "unsafe"
    fires = (_dense(1, "linear", "keras.losses.BinaryCrossentropy(from_logits=True)")
             + "labels = model.predict(x_train) > 0.5\n",
             _dense(1, "linear", "keras.losses.BinaryCrossentropy(from_logits=True)")
             + "labels = np.round(model.predict(x_train))\n")
    passes = (_dense(1, "linear", "keras.losses.BinaryCrossentropy(from_logits=True)")
              + "labels = model.predict(x_train) > 0\n",
              _dense(1, "sigmoid", "'binary_crossentropy'") + "labels = model.predict(x_train) > 0.5\n")

    def check_data(self, check: DataCheck):
        for use in check.prediction_uses:
            if use.kind != THRESHOLD or use.threshold != 0.5 or not _logits(use.trained):
                continue
            where = check.name_line
            fix = None
            if use.threshold_span is not None:
                fix = Fix.unsafe("Threshold at 0", ReplaceCode(use.threshold_span, "0"))
            elif use.prediction_span is not None:
                fix = Fix.unsafe("Replace with (pred > 0).astype(float)",
                                 ReplaceCode(use.span, "({0} > 0).astype(float)", (use.prediction_span,)))
            yield Report(use.span, f"`{use.text}` thresholds at 0.5 the predictions (predict(), "
                                   f"{where(use.prediction_line)}) of the {describe_output(use.output, where)} "
                                   f"trained with from_logits=True: they are logits, whose threshold is 0; samples "
                                   f"with logits between 0 and 0.5 get the wrong class; threshold at 0", fix=fix)


class ProbabilitiesPassedAsClassLabels(Rule):
    """
    ## What it does
    Flags `model.predict(...)` of a classifier (a softmax or sigmoid output, or logits) passed unchanged as
    the labels of scikit-learn's classification metrics (`accuracy_score`, `confusion_matrix`,
    `classification_report`, `f1_score`, `precision_score`, `recall_score`, `cohen_kappa_score`, ...) or
    compared with `==` to class labels.

    ## Why is this bad?
    `predict` returns probabilities (or logits), one row per sample. scikit-learn raises "Classification
    metrics can't handle a mix of binary and continuous targets" (measured on scikit-learn 1.9.1 for every
    metric above); `pred == y_test` compares floats with integers, silently almost always False, and a
    `(N, 1)` prediction against `(N,)` labels broadcasts to an `(N, N)` matrix.

    ## Example
    ```python
    pred = model.predict(x_test)
    print(accuracy_score(y_test, pred))
    ```

    ## Use instead
    ```python
    pred = np.argmax(model.predict(x_test), axis=-1)  # softmax; (pred > 0.5).astype(int) for a sigmoid
    print(accuracy_score(y_test, pred))
    ```

    ## Fix safety
    No fix: argmax or a threshold depends on the output.
    """

    code = "KC410"
    name = "probabilities-passed-as-class-labels"
    summary = "Predicted probabilities passed as class labels"
    fires = (_dense(10, "softmax", "'sparse_categorical_crossentropy'")
             + "from sklearn.metrics import accuracy_score\npred = model.predict(x_train)\n"
               "print(accuracy_score(y_train, pred))\n",
             _dense(10, "softmax", "'sparse_categorical_crossentropy'")
             + "print(np.mean(model.predict(x_train) == y_train))\n")
    passes = (_dense(10, "softmax", "'sparse_categorical_crossentropy'")
              + "from sklearn.metrics import accuracy_score\npred = model.predict(x_train)\n"
                "print(accuracy_score(y_train, np.argmax(pred, axis=1)))\n",
              _dense(1, "linear", "'mse'") + "from sklearn.metrics import r2_score\n"
                                             "print(r2_score(y_train, model.predict(x_train)))\n")

    def check_data(self, check: DataCheck):
        for use in check.prediction_uses:
            if use.kind not in (SKLEARN_METRIC, COMPARED):
                continue
            trained, output = use.trained, use.output
            if output is None or not _classifier(output, trained):
                continue
            where = check.name_line
            advice = "np.argmax(pred, axis=-1)" if output.activation == "softmax" or (
                output.units is not None and output.units > 1) else \
                ("(pred > 0).astype(int)" if _logits(trained) else "(pred > 0.5).astype(int)")
            source = f"the predictions (predict(), {where(use.prediction_line)}) of the " \
                     f"{describe_output(output, where)}"
            if use.kind == SKLEARN_METRIC:
                message = (f"{use.function}() gets {source} as class labels: scikit-learn raises \"Classification "
                           f"metrics can't handle a mix of ... and continuous targets\"; pass {advice}")
            else:
                labels = describe_targets(use.labels, where) if use.labels is not None else "class labels"
                message = (f"{source} compared with {use.function} to {labels}: probabilities never equal class "
                           f"labels, so this is silently almost always False; compare {advice}")
            yield Report(use.span, message)


def _classifier(output, trained: Optional[TrainedOutput]) -> bool:
    if output.activation in knowledge.PROBABILITY_ACTIVATIONS:
        return True
    if output.activation == "linear" and trained is not None and trained.loss is not None:
        return trained.loss.canonical in knowledge.CROSSENTROPY
    return False
