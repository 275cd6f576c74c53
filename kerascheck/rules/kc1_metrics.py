"""KC1: metrics that measure something other than what the user thinks."""

from __future__ import annotations

import difflib
from typing import Optional

from kerascheck import knowledge
from kerascheck.intents import Fix, ReplaceString, SetArgument
from kerascheck.knowledge import keras_names
from kerascheck.rules.base import (
    OutputCheck, Report, Rule, describe_output, is_bare_accuracy, is_sigmoid_multilabel,
    is_softmax_multiclass, loss_label, replace_metric_fix, threshold_fix,
)

MULTILABEL_ADVICE = "use 'binary_accuracy' plus AUC, Precision or Recall"


def inflated_figure(units: Optional[int]) -> str:
    """What binary accuracy reports on k exclusive classes, in a message: the measured figure is for 10 classes
    (Keras 2.3.1: 0.90 reported where the true accuracy was 0.18); for another k, what follows for k (a model
    that predicts no class at all is right on k - 1 of every k outputs: 1 - 1/k); nothing when k is unknown."""
    if units == 10:
        return " (0.90 reported, 0.18 true, measured on Keras 2.3.1)"
    if units is not None and units > 2:
        return f" (predicting no class at all scores 1 − 1/{units} = {1 - 1 / units:.2f})"
    return ""

# A few common Keras models, for the rule cases below.
_SOFTMAX10 = "from keras.models import Sequential\nfrom keras.layers import Dense\nmodel = Sequential([Dense(10, activation='softmax')])\n"
_SIGMOID12 = "from keras.models import Sequential\nfrom keras.layers import Dense\nmodel = Sequential([Dense(12, activation='sigmoid')])\n"
_LINEAR1 = "from keras.models import Sequential\nfrom keras.layers import Dense\nmodel = Sequential([Dense(1)])\n"


class AccuracyWithBinaryCrossentropyOnMulticlass(Rule):
    """
    ## What it does
    Flags a bare `'accuracy'` (or `'acc'`) metric on a softmax output of more than
    two classes trained with binary cross-entropy, on Keras versions that pick the
    accuracy from the loss (Keras 1.0.6–2.3.x, tf.keras in TensorFlow 1.13–2.1,
    TF graph mode), or when the target version is unknown.

    ## Why is this bad?
    Those versions turn `'accuracy'` into `binary_accuracy` because the loss is
    binary cross-entropy. It scores each of the N outputs as a separate yes/no,
    so a model that predicts nothing right still scores about (N-1)/N. Measured on
    Keras 2.3.1 with 10 classes: 0.90 reported, 0.18 true. Newer Keras picks
    categorical accuracy from the output shape instead, so the same code reports
    different numbers on different versions.

    ## Example
    ```python
    model.add(Dense(10, activation='softmax'))
    model.compile(loss='binary_crossentropy', optimizer='adam', metrics=['accuracy'])
    ```

    ## Use instead
    ```python
    model.add(Dense(10, activation='softmax'))
    model.compile(loss='categorical_crossentropy', optimizer='adam', metrics=['categorical_accuracy'])
    ```

    ## Fix safety
    Unsafe: replacing the string with `'categorical_accuracy'` changes the metric's
    name in the training history and in callbacks that monitor it.
    """

    code = "KC101"
    runtime_evidence = "metric"
    name = "accuracy-with-binary-crossentropy-on-multiclass"
    summary = "'accuracy' with binary cross-entropy on a multi-class softmax output"
    fix_safety = "unsafe"
    fires = (
        "# kerascheck: keras-version=2.3.1\n" + _SOFTMAX10 + "model.compile(loss='binary_crossentropy', metrics=['accuracy'])\n",
        _SOFTMAX10 + "model.compile(loss='binary_crossentropy', metrics=['acc'])\n",
        "# kerascheck: keras-version=tensorflow==2.1\nimport tensorflow as tf\nm = tf.keras.Sequential()\n"
        "m.add(tf.keras.layers.Dense(len(classes)))\nm.add(tf.keras.layers.Activation('softmax'))\n"
        "m.compile(loss=tf.keras.losses.BinaryCrossentropy(), metrics=['accuracy'])\n",
    )
    passes = (
        "# kerascheck: keras-version=3\n" + _SOFTMAX10 + "model.compile(loss='binary_crossentropy', metrics=['accuracy'])\n",
        "from keras.models import Sequential\nfrom keras.layers import Dense\nmodel = Sequential([Dense(2, activation='softmax')])\n"
        "model.compile(loss='binary_crossentropy', metrics=['accuracy'])\n",
        _SOFTMAX10 + "model.compile(loss='categorical_crossentropy', metrics=['accuracy'])\n",
        _SOFTMAX10 + "model.compile(loss='binary_crossentropy', metrics=['categorical_accuracy'])\n",
        "# kerascheck: keras-version=2.2.4\n" + _SOFTMAX10 + "model.compile(loss=keras.losses.BinaryCrossentropy(), metrics=['accuracy'])\n",
    )

    def check_output(self, check: OutputCheck):
        loss, output, target = check.loss, check.output, check.target
        if loss is None or loss.canonical != "binary_crossentropy":
            return
        if not is_softmax_multiclass(output, unknown_units_count=True) or target.accuracy_by_loss is False:
            return
        if loss.form == "class" and target.known and not target.binary_crossentropy_object_counts:
            return
        for metric in check.metrics:
            if not is_bare_accuracy(metric, target):
                continue
            who = f"{target.label} makes" if target.known else "Keras ≤ 2.3 and tf.keras ≤ TF 2.1 make"
            what = f"{who} it binary_accuracy, inflated{inflated_figure(output.units)}"
            fix = replace_metric_fix(metric, "categorical_accuracy") if metric.canonical == "accuracy" else None
            yield Report(metric.span, f"'{metric.string}' with {loss_label(loss)} on a {describe_output(output, check.name_line)}: "
                                      f"{what}; use 'categorical_accuracy'", fix=fix)


class AccuracyOnMultilabelOutput(Rule):
    """
    ## What it does
    Flags a bare `'accuracy'` on a sigmoid output of 2 or more units: a multi-label
    model. Not when the loss is categorical or sparse categorical cross-entropy: that
    loss says the classes are exclusive, and KC202 reports the sigmoid output instead.

    ## Why is this bad?
    No Keras version measures multi-label accuracy with the bare string. Keras
    from TF 2.2 on (and Keras 3) picks categorical accuracy from the shape: it
    compares the argmax of the prediction with the argmax of a multi-hot target,
    which is meaningless. Older Keras with binary cross-entropy picks element-wise
    binary accuracy, which the many negative labels dominate (predicting all-zero
    scores high).

    ## Example
    ```python
    model.add(Dense(12, activation='sigmoid'))
    model.compile(loss='binary_crossentropy', metrics=['accuracy'])
    ```

    ## Use instead
    ```python
    model.add(Dense(12, activation='sigmoid'))
    model.compile(loss='binary_crossentropy',
                  metrics=[keras.metrics.BinaryAccuracy(threshold=0.5), keras.metrics.AUC(multi_label=True)])
    ```

    ## Fix safety
    Unsafe: the metric changes meaning and name.
    """

    code = "KC102"
    runtime_evidence = "metric"
    name = "accuracy-on-multilabel-output"
    summary = "'accuracy' on a multi-label sigmoid output"
    fix_safety = "unsafe"
    fires = (
        _SIGMOID12 + "model.compile(loss='binary_crossentropy', metrics=['accuracy', 'AUC'])\n",
        "# kerascheck: keras-version=2.3.1\n" + _SIGMOID12 + "model.compile(loss='binary_crossentropy', metrics=['acc'])\n",
    )
    passes = (
        "from keras.models import Sequential\nfrom keras.layers import Dense\nmodel = Sequential([Dense(1, activation='sigmoid')])\n"
        "model.compile(loss='binary_crossentropy', metrics=['accuracy'])\n",
        _SIGMOID12 + "model.compile(loss='binary_crossentropy', metrics=['binary_accuracy', 'AUC'])\n",
        _SIGMOID12 + "model.compile(loss='categorical_crossentropy', metrics=['accuracy'])\n",
        _SIGMOID12 + "model.compile(loss='sparse_categorical_crossentropy', metrics=['acc'])\n",
    )

    def check_output(self, check: OutputCheck):
        output, target, loss = check.output, check.target, check.loss
        if not is_sigmoid_multilabel(output) or is_exclusive_classes_loss(loss):
            return
        is_bce = loss is not None and loss.canonical == "binary_crossentropy"
        for metric in check.metrics:
            if not is_bare_accuracy(metric, target):
                continue
            categorical = "categorical_accuracy, meaningless on multi-hot targets"
            elementwise = "element-wise binary_accuracy, dominated by the negative labels"
            if target.accuracy_by_loss is False:
                what = f"{target.label} makes it {categorical}"
            elif target.accuracy_by_loss:
                what = f"{target.label} makes it " + (elementwise if is_bce else categorical)
            else:
                what = (f"Keras from TF 2.2 on makes it {categorical}"
                        + (" (older Keras: element-wise)" if is_bce else ""))
            fix = replace_metric_fix(metric, "binary_accuracy") if metric.canonical == "accuracy" else None
            yield Report(metric.span, f"'{metric.string}' on a multi-label {describe_output(output, check.name_line)}: {what}; "
                                      f"{MULTILABEL_ADVICE}", fix=fix)


class CategoricalAccuracyOnMultilabelOutput(Rule):
    """
    ## What it does
    Flags `categorical_accuracy`, `CategoricalAccuracy()` or
    `top_k_categorical_accuracy` on a sigmoid output of 2 or more units. Not when the
    loss is categorical or sparse categorical cross-entropy (KC202 reports that).

    ## Why is this bad?
    Categorical accuracy takes the argmax of the target: with a multi-hot target
    it only looks at the first positive label, so the number says nothing about
    multi-label performance.

    ## Example
    ```python
    model.add(Dense(12, activation='sigmoid'))
    model.compile(loss='binary_crossentropy', metrics=['categorical_accuracy'])
    ```

    ## Use instead
    ```python
    model.compile(loss='binary_crossentropy', metrics=['binary_accuracy', keras.metrics.AUC()])
    ```

    ## Fix safety
    Unsafe: the metric changes meaning and name.
    """

    code = "KC103"
    runtime_evidence = "metric"
    name = "categorical-accuracy-on-multilabel-output"
    summary = "Categorical accuracy on a multi-label sigmoid output"
    fix_safety = "unsafe"
    fires = (
        _SIGMOID12 + "model.compile(loss='binary_crossentropy', metrics=['categorical_accuracy'])\n",
        "import tensorflow as tf\n" + _SIGMOID12 + "model.compile(loss='binary_crossentropy', metrics=[tf.keras.metrics.CategoricalAccuracy()])\n",
    )
    passes = (
        _SOFTMAX10 + "model.compile(loss='categorical_crossentropy', metrics=['categorical_accuracy'])\n",
        _SIGMOID12 + "model.compile(loss='categorical_crossentropy', metrics=['categorical_accuracy'])\n",
    )

    def check_output(self, check: OutputCheck):
        if not is_sigmoid_multilabel(check.output) or is_exclusive_classes_loss(check.loss):
            return
        for metric in check.metrics:
            if metric.canonical in ("categorical_accuracy", "top_k_categorical_accuracy"):
                yield Report(metric.span, f"{metric.spelling} on a multi-label {describe_output(check.output, check.name_line)} "
                                          f"checks one positive label per sample; {MULTILABEL_ADVICE}",
                             fix=replace_metric_fix(metric, "binary_accuracy"))


class BinaryAccuracyOnMulticlassOutput(Rule):
    """
    ## What it does
    Flags `binary_accuracy` / `BinaryAccuracy()` on a softmax output of more than
    two units.

    ## Why is this bad?
    Binary accuracy thresholds each class probability at 0.5 and averages over the
    classes. With N exclusive classes, a model that predicts every class as
    "no" already scores (N-1)/N.

    ## Example
    ```python
    model.add(Dense(10, activation='softmax'))
    model.compile(loss='categorical_crossentropy', metrics=['binary_accuracy'])
    ```

    ## Use instead
    ```python
    model.compile(loss='categorical_crossentropy', metrics=['categorical_accuracy'])
    ```

    ## Fix safety
    Unsafe: the metric changes meaning and name.
    """

    code = "KC104"
    runtime_evidence = "metric"
    name = "binary-accuracy-on-multiclass-output"
    summary = "Binary accuracy on a multi-class softmax output"
    fix_safety = "unsafe"
    fires = (_SOFTMAX10 + "model.compile(loss='categorical_crossentropy', metrics=['binary_accuracy'])\n",)
    passes = (
        "from keras.models import Sequential\nfrom keras.layers import Dense\nmodel = Sequential([Dense(2, activation='softmax')])\n"
        "model.compile(loss='categorical_crossentropy', metrics=['binary_accuracy'])\n",
        "from keras.models import Sequential\nfrom keras.layers import Dense\nmodel = Sequential([Dense(len(c), activation='softmax')])\n"
        "model.compile(loss='categorical_crossentropy', metrics=['binary_accuracy'])\n",
    )

    def check_output(self, check: OutputCheck):
        output = check.output
        if not is_softmax_multiclass(output, unknown_units_count=False):
            return
        floor = (output.units - 1) / output.units
        for metric in check.metrics:
            if metric.canonical == "binary_accuracy":
                yield Report(metric.span, f"{metric.spelling} on a {describe_output(output, check.name_line)} scores each class as a "
                                          f"separate yes/no: predicting no class at all already scores {floor:.2f}; "
                                          f"use 'categorical_accuracy'",
                             fix=replace_metric_fix(metric, "categorical_accuracy"))


class AccuracyTargetFormatMismatch(Rule):
    """
    ## What it does
    Flags `sparse_categorical_accuracy` with (one-hot) categorical cross-entropy,
    and `categorical_accuracy` with sparse categorical cross-entropy.

    ## Why is this bad?
    The loss fixes the format of the targets: one-hot vectors for
    `categorical_crossentropy`, integer labels for `sparse_categorical_crossentropy`.
    A metric that expects the other format compares the wrong things (an argmax
    of an integer label is always 0) and reports a wrong number.

    ## Example
    ```python
    model.compile(loss='sparse_categorical_crossentropy', metrics=['categorical_accuracy'])
    ```

    ## Use instead
    ```python
    model.compile(loss='sparse_categorical_crossentropy', metrics=['sparse_categorical_accuracy'])
    ```

    ## Fix safety
    Unsafe: the metric's name changes.
    """

    code = "KC105"
    runtime_evidence = "metric"
    name = "accuracy-target-format-mismatch"
    summary = "Sparse metric with one-hot loss, or the reverse"
    fix_safety = "unsafe"
    fires = (
        _SOFTMAX10 + "model.compile(loss='categorical_crossentropy', metrics=['sparse_categorical_accuracy'])\n",
        _SOFTMAX10 + "model.compile(loss='sparse_categorical_crossentropy', metrics=['categorical_accuracy'])\n",
    )
    passes = (
        _SOFTMAX10 + "model.compile(loss='sparse_categorical_crossentropy', metrics=['sparse_categorical_accuracy'])\n",
        _SOFTMAX10 + "model.compile(loss='categorical_crossentropy', metrics=['accuracy'])\n",
    )

    def check_output(self, check: OutputCheck):
        loss = check.loss
        if loss is None or loss.canonical is None:
            return
        for metric in check.metrics:
            if metric.canonical == "sparse_categorical_accuracy" and loss.canonical in knowledge.CATEGORICAL_CROSSENTROPY:
                yield Report(metric.span, f"{metric.spelling} expects integer class labels, but {loss_label(loss)} trains "
                                          f"on one-hot targets: it compares the wrong things; use 'categorical_accuracy'",
                             fix=replace_metric_fix(metric, "categorical_accuracy"))
            elif metric.canonical == "categorical_accuracy" and loss.canonical in knowledge.SPARSE_CROSSENTROPY:
                yield Report(metric.span, f"{metric.spelling} expects one-hot targets, but {loss_label(loss)} trains on "
                                          f"integer labels: the argmax of a label is always 0; use "
                                          f"'sparse_categorical_accuracy'",
                             fix=replace_metric_fix(metric, "sparse_categorical_accuracy"))


class ExactMatchAccuracyOnProbabilities(Rule):
    """
    ## What it does
    Flags `keras.metrics.Accuracy()` (exact equality of prediction and target) on
    a probability or logit output, and the string `'Accuracy'` on Keras versions
    that compare metric strings case-sensitively (before keras 2.6 / TF 2.5),
    where it means that same class.

    ## Why is this bad?
    A probability is almost never exactly 0 or 1, so the exact-match accuracy
    reports 0.0 however good the model is.

    ## Example
    ```python
    model.compile(loss='categorical_crossentropy', metrics=[tf.keras.metrics.Accuracy()])
    ```

    ## Use instead
    ```python
    model.compile(loss='categorical_crossentropy', metrics=[tf.keras.metrics.CategoricalAccuracy()])
    ```

    ## Fix safety
    Unsafe: the metric changes meaning.
    """

    code = "KC106"
    runtime_evidence = "metric"
    name = "exact-match-accuracy-on-probabilities"
    summary = "Exact-match Accuracy() on probabilities or logits"
    fix_safety = "unsafe"
    fires = (
        "import tensorflow as tf\n" + _SOFTMAX10 + "model.compile(loss='categorical_crossentropy', metrics=[tf.keras.metrics.Accuracy()])\n",
        "# kerascheck: keras-version=tensorflow==2.4\n" + _SOFTMAX10 + "model.compile(loss='categorical_crossentropy', metrics=['Accuracy'])\n",
    )
    passes = (
        "# kerascheck: keras-version=3\n" + _SOFTMAX10 + "model.compile(loss='categorical_crossentropy', metrics=['Accuracy'])\n",
        "import tensorflow as tf\nm = tf.keras.Sequential([tf.keras.layers.Dense(1, activation='relu')])\n"
        "m.compile(loss='mse', metrics=[tf.keras.metrics.Accuracy()])\n",
    )

    def check_output(self, check: OutputCheck):
        output = check.output
        if output.activation not in knowledge.CROSSENTROPY_SAFE_ACTIVATIONS:
            return
        matched = _accuracy_for(output)
        for metric in check.metrics:
            if metric.canonical == "exact_accuracy":
                yield Report(metric.span, f"{metric.spelling} counts only exact equality, which a "
                                          f"{describe_output(output, check.name_line)} never gives: it reports 0.0; "
                                          f"use {matched}", fix=_thresholded_accuracy_fix(metric, output))
            elif metric.string == "Accuracy" and check.target.metric_strings_case_sensitive:
                yield Report(metric.span, f"'Accuracy' on {check.target.label} is exact-match Accuracy (case-sensitive "
                                          f"before keras 2.6 / TF 2.5): on a {describe_output(output, check.name_line)} "
                                          f"it reports 0.0; use {matched}", fix=_thresholded_accuracy_fix(metric, output))


def _accuracy_for(output) -> str:
    if output.units == 1:
        return "'binary_accuracy'" + (" with threshold 0.0" if _on_logits(output) else "")
    return f"'{_thresholded_accuracy(output)}'"


def _thresholded_accuracy(output) -> str:
    if output.units == 1 or output.activation in knowledge.SIGMOID_LIKE:
        return "binary_accuracy"
    return "categorical_accuracy"


def _on_logits(output) -> bool:
    return output.units == 1 and output.activation == "linear"


def _thresholded_accuracy_fix(metric, output) -> Fix:
    """KC106's fix: the thresholded accuracy of the output (on logits: BinaryAccuracy(threshold=0.0))."""
    if _on_logits(output):
        return threshold_fix(metric)
    return replace_metric_fix(metric, _thresholded_accuracy(output))


def known_metric_strings(target) -> frozenset:
    family = target.name_family
    if family == "keras3":
        # compile() lower-cases 'accuracy'/'acc' itself; 'crossentropy'/'ce' reach metrics.get and fail.
        return keras_names.KERAS3_METRICS | {"accuracy", "acc"}
    if family == "tf_keras":
        return keras_names.TF_KERAS_METRICS | {"accuracy", "acc", "crossentropy", "ce"}
    if family == "keras2_legacy":
        return keras_names.KERAS2_LEGACY_METRICS | {"accuracy", "acc", "crossentropy", "ce"}
    return knowledge.ALL_METRIC_STRINGS


def is_exclusive_classes_loss(loss) -> bool:
    """Categorical or sparse categorical cross-entropy: the user says the classes are exclusive, so a
    categorical accuracy measures what they mean; KC202 reports the sigmoid output instead (KC102/KC103)."""
    return loss is not None and loss.canonical in knowledge.CATEGORICAL_CROSSENTROPY | knowledge.SPARSE_CROSSENTROPY


def missing_attribute(written, target):
    """(module, name, did-you-mean) when `written` is `keras.<module>.<name>` and that module has no such name."""
    attribute = written.keras_attribute
    if attribute is None:
        return None
    module, name = attribute.split(".", 1)
    names = knowledge.module_attributes(module, target.name_family)
    if name in names:
        return None
    return module, name, did_you_mean(name, names)


def missing_attribute_message(written, target, module: str, name: str, suggestion: str) -> str:
    where = target.label if target.known else "any Keras version"
    return (f"{written.spelling}: keras.{module} has no '{name}' in {where}, so the line raises AttributeError"
            f"{suggestion}")


def closest_name(word: str, choices) -> Optional[str]:
    """The known name a typo most likely meant, or None."""
    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    if not close:
        close = difflib.get_close_matches(word.lower(), sorted(choices), n=1, cutoff=0.6)
    return close[0] if close else None


def did_you_mean(word: str, choices) -> str:
    close = closest_name(word, choices)
    return f"; did you mean '{close}'?" if close else ""


class UnknownMetricName(Rule):
    """
    ## What it does
    Flags a metric string that the target Keras does not know: a typo, or a name
    another version accepts (`'crossentropy'`/`'ce'` as a metric on Keras 3); and a
    `keras.metrics.<name>` attribute that does not exist (`tf.keras.metrics.categorical_acuracy`).

    ## Why is this bad?
    Keras raises `ValueError: Could not interpret metric identifier` — on Keras 3
    only at the first `fit()`/`evaluate()`, after data loading and model building.
    A misspelt attribute raises `AttributeError` where it is written.

    ## Example
    ```python
    model.compile(loss='categorical_crossentropy', metrics=['acuracy'])
    ```

    ## Use instead
    ```python
    model.compile(loss='categorical_crossentropy', metrics=['accuracy'])
    ```

    ## Fix safety
    Unsafe: the suggestion is a guess.
    """

    code = "KC107"
    name = "unknown-metric-name"
    summary = "A metric string Keras does not know"
    fix_safety = "unsafe"
    fires = (
        _SOFTMAX10 + "model.compile(loss='categorical_crossentropy', metrics=['acuracy'])\n",
        "# kerascheck: keras-version=3\n" + _SOFTMAX10 + "model.compile(loss='categorical_crossentropy', metrics=['crossentropy'])\n",
        "import tensorflow as tf\n" + _SOFTMAX10 + "model.compile(loss='categorical_crossentropy', "
        "metrics=[tf.keras.metrics.categorical_acuracy])\n",
        "# kerascheck: keras-version=2.3.1\nimport keras\n" + _SOFTMAX10 + "model.compile(loss='categorical_crossentropy', "
        "metrics=[keras.metrics.F1Score()])\n",
    )
    passes = (
        _SOFTMAX10 + "model.compile(loss='categorical_crossentropy', metrics=['accuracy', 'AUC', 'mae'])\n",
        "import tensorflow as tf\n" + _SOFTMAX10 + "model.compile(loss='categorical_crossentropy', "
        "metrics=[tf.keras.metrics.categorical_accuracy, tf.keras.metrics.MeanIoU(num_classes=10), tf.keras.metrics.F1Score()])\n",
        "# kerascheck: keras-version=2.3.1\n" + _SOFTMAX10 + "model.compile(loss='categorical_crossentropy', metrics=['crossentropy'])\n",
    )

    def check_output(self, check: OutputCheck):
        known = known_metric_strings(check.target)
        for metric in check.metrics:
            missing = missing_attribute(metric, check.target)
            if missing is not None:
                yield Report(metric.span, missing_attribute_message(metric, check.target, *missing))
                continue
            text = metric.string
            if text is None or text in known or text.lower() in knowledge.BARE_ACCURACY_STRINGS:
                continue
            if text in ("crossentropy", "ce") and check.target.is_keras3:
                yield Report(metric.span, f"'{text}' as a metric raises at the first fit() on {check.target.label} "
                                          f"('Could not interpret metric identifier'); use "
                                          f"'{_crossentropy_for(check)}'")
                continue
            where = check.target.label if check.target.known else "any Keras version"
            close = closest_name(text, known)
            fix = Fix.unsafe(f"Replace {metric.spelling} with '{close}'", ReplaceString(metric.span, close)) \
                if close is not None else None
            yield Report(metric.span, f"'{text}' is not a metric {where} knows: Keras raises 'Could not interpret "
                                      f"metric identifier'{did_you_mean(text, known)}", fix=fix)


def _crossentropy_for(check) -> str:
    loss = check.loss
    if loss is not None and loss.canonical in knowledge.CROSSENTROPY - {"crossentropy"}:
        return loss.canonical
    if check.output.activation in knowledge.SIGMOID_LIKE or check.output.units == 1:
        return "binary_crossentropy"
    return "categorical_crossentropy"


class BinaryAccuracyThresholdOnLogits(Rule):
    """
    ## What it does
    Flags a bare `'accuracy'`, `'binary_accuracy'` or `BinaryAccuracy()` with the
    default 0.5 threshold on a 1-unit linear output trained with
    `from_logits=True`.

    ## Why is this bad?
    The output is a logit, not a probability: the decision boundary is 0.0, not
    0.5. Every logit between 0 and 0.5 (a probability between 0.5 and 0.62) is
    counted as the negative class, so the reported accuracy is wrong.

    ## Example
    ```python
    model.add(Dense(1))
    model.compile(loss=BinaryCrossentropy(from_logits=True), metrics=['accuracy'])
    ```

    ## Use instead
    ```python
    model.compile(loss=BinaryCrossentropy(from_logits=True), metrics=[BinaryAccuracy(threshold=0.0)])
    ```

    ## Fix safety
    Unsafe: the metric's name in the history changes.
    """

    code = "KC108"
    runtime_evidence = "metric"
    name = "binary-accuracy-threshold-on-logits"
    summary = "A 0.5 accuracy threshold applied to logits"
    fix_safety = "unsafe"
    fires = (
        "import tensorflow as tf\n" + _LINEAR1 + "model.compile(loss=tf.keras.losses.BinaryCrossentropy(from_logits=True), metrics=['accuracy'])\n",
    )
    passes = (
        "import tensorflow as tf\n" + _LINEAR1 + "model.compile(loss=tf.keras.losses.BinaryCrossentropy(from_logits=True), "
        "metrics=[tf.keras.metrics.BinaryAccuracy(threshold=0.0)])\n",
    )

    def check_output(self, check: OutputCheck):
        output, loss = check.output, check.loss
        if not (output.units == 1 and output.activation == "linear" and loss is not None and loss.from_logits is True):
            return
        for metric in check.metrics:
            bare = is_bare_accuracy(metric, check.target)
            if bare or (metric.canonical == "binary_accuracy" and metric.threshold == 0.5):
                name = f"'{metric.string}' (binary_accuracy)" if bare else metric.spelling
                yield Report(metric.span, f"{name} thresholds at 0.5, but the {describe_output(output, check.name_line)} gives logits "
                                          f"(from_logits=True), whose boundary is 0.0; use BinaryAccuracy(threshold=0.0)",
                             fix=_threshold_on_logits_fix(metric))


def _threshold_on_logits_fix(metric) -> Optional[Fix]:
    """KC108's fix: a BinaryAccuracy object gets threshold=0.0; 'accuracy' or binary_accuracy becomes one."""
    if metric.form == "class" and metric.canonical == "binary_accuracy":
        return Fix.unsafe("Set threshold=0.0", SetArgument(metric.span, "threshold", "0.0", position=2))
    if metric.canonical in ("accuracy", "binary_accuracy"):
        return threshold_fix(metric)
    return None
