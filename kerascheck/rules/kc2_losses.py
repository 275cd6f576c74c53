"""KC2: losses that do not fit the output they train."""

from __future__ import annotations

from kerascheck import knowledge
from kerascheck.intents import Fix, ReplaceLoss, SetArgument
from kerascheck.knowledge import keras_names
from kerascheck.rules.base import (
    OutputCheck, Report, Rule, describe_output, is_sigmoid_multilabel, is_softmax_multiclass, loss_label,
)
from kerascheck.rules.kc1_metrics import did_you_mean, missing_attribute, missing_attribute_message

_SEQ = "from keras.models import Sequential\nfrom keras.layers import Dense, Activation\n"


def _model(layer: str) -> str:
    return _SEQ + f"model = Sequential([{layer}])\n"


class SoftmaxOutputWithBinaryCrossentropy(Rule):
    """
    ## What it does
    Flags binary cross-entropy on a softmax output of more than two units (or of
    unknown units).

    ## Why is this bad?
    A softmax says the classes are exclusive; binary cross-entropy trains each
    unit as an independent yes/no. The gradients differ from categorical
    cross-entropy, and the loss value is not comparable. (With exactly 2 units
    the two are the same, so that case is not flagged.)

    ## Example
    ```python
    model.add(Dense(10, activation='softmax'))
    model.compile(loss='binary_crossentropy')
    ```

    ## Use instead
    ```python
    model.add(Dense(10, activation='softmax'))
    model.compile(loss='categorical_crossentropy')  # or sparse_categorical_crossentropy for integer labels
    ```

    ## Fix safety
    No fix: the right loss depends on the format of the targets.
    """

    code = "KC201"
    runtime_evidence = "loss"
    name = "softmax-output-with-binary-crossentropy"
    summary = "Binary cross-entropy on a multi-class softmax output"
    fires = (
        _model("Dense(10, activation='softmax')") + "model.compile(loss='binary_crossentropy')\n",
        _model("Dense(len(labels)), Activation('softmax')") + "model.compile(loss='bce')\n",
    )
    passes = (
        _model("Dense(2, activation='softmax')") + "model.compile(loss='binary_crossentropy')\n",
        _model("Dense(12, activation='sigmoid')") + "model.compile(loss='binary_crossentropy')\n",
    )

    def check_output(self, check: OutputCheck):
        loss = check.loss
        if loss is None or loss.canonical not in knowledge.BINARY_CROSSENTROPY:
            return
        if is_softmax_multiclass(check.output, unknown_units_count=True):
            yield Report(check.loss_span(), f"{loss_label(loss)} on a {describe_output(check.output, check.name_line)} treats exclusive "
                                            f"classes as independent; use 'categorical_crossentropy' (or "
                                            f"'sparse_categorical_crossentropy' for integer labels)")


class SigmoidOutputWithCategoricalCrossentropy(Rule):
    """
    ## What it does
    Flags categorical or sparse categorical cross-entropy on a sigmoid output of
    2 or more units.

    ## Why is this bad?
    Categorical cross-entropy assumes the outputs form one probability
    distribution. Independent sigmoids do not sum to 1, so the loss pushes the
    true class up and never pushes the others down.

    ## Example
    ```python
    model.add(Dense(5, activation='sigmoid'))
    model.compile(loss='categorical_crossentropy')
    ```

    ## Use instead
    ```python
    model.add(Dense(5, activation='sigmoid'))
    model.compile(loss='binary_crossentropy')  # multi-label; or softmax + categorical for exclusive classes
    ```

    ## Fix safety
    No fix: whether the labels are exclusive is the user's call.
    """

    code = "KC202"
    runtime_evidence = "loss"
    name = "sigmoid-output-with-categorical-crossentropy"
    summary = "Categorical cross-entropy on a sigmoid output"
    fires = (
        _model("Dense(5, activation='sigmoid')") + "model.compile(loss='categorical_crossentropy')\n",
        _model("Dense(5, activation='sigmoid')") + "model.compile(loss='sparse_categorical_crossentropy')\n",
    )
    passes = (
        _model("Dense(5, activation='sigmoid')") + "model.compile(loss='binary_crossentropy')\n",
        _model("Dense(5, activation='softmax')") + "model.compile(loss='categorical_crossentropy')\n",
    )

    def check_output(self, check: OutputCheck):
        loss = check.loss
        if loss is None or loss.canonical not in knowledge.CATEGORICAL_CROSSENTROPY | knowledge.SPARSE_CROSSENTROPY:
            return
        if is_sigmoid_multilabel(check.output):
            yield Report(check.loss_span(), f"{loss_label(loss)} on a {describe_output(check.output, check.name_line)}: sigmoids "
                                            f"do not sum to 1; use 'binary_crossentropy' (multi-label) or a softmax "
                                            f"output (exclusive classes)")


class SoftmaxOnSingleUnit(Rule):
    """
    ## What it does
    Flags a softmax over an output of one unit.

    ## Why is this bad?
    The softmax of a single number is always 1.0. The model's prediction never
    changes and it cannot learn, whatever the loss.

    ## Example
    ```python
    model.add(Dense(1, activation='softmax'))
    ```

    ## Use instead
    ```python
    model.add(Dense(1, activation='sigmoid'))  # binary: with binary_crossentropy
    ```

    ## Fix safety
    No fix.
    """

    code = "KC203"
    runtime_evidence = "loss"
    name = "softmax-on-single-unit"
    summary = "Softmax over a single unit"
    fires = (_model("Dense(1, activation='softmax')") + "model.compile(loss='binary_crossentropy')\n",)
    passes = (_model("Dense(1, activation='sigmoid')") + "model.compile(loss='binary_crossentropy')\n",)

    def check_output(self, check: OutputCheck):
        output = check.output
        if output.activation == "softmax" and output.units == 1:
            yield Report(check.loss_span(), f"softmax over the 1 unit of the {describe_output(output, check.name_line)} always outputs "
                                            f"1.0: the model cannot learn; use activation='sigmoid' with "
                                            f"binary_crossentropy for a binary task")


class CategoricalCrossentropyOnSingleUnit(Rule):
    """
    ## What it does
    Flags categorical or sparse categorical cross-entropy on a 1-unit output.

    ## Why is this bad?
    With one class there is nothing to choose between: categorical cross-entropy
    over one unit is 0 for every sample (or, for sparse labels, only class 0 is
    valid). The model trains on a constant.

    ## Example
    ```python
    model.add(Dense(1, activation='sigmoid'))
    model.compile(loss='categorical_crossentropy')
    ```

    ## Use instead
    ```python
    model.add(Dense(1, activation='sigmoid'))
    model.compile(loss='binary_crossentropy')
    ```

    ## Fix safety
    No fix.
    """

    code = "KC204"
    runtime_evidence = "loss"
    name = "categorical-crossentropy-on-single-unit"
    summary = "Categorical cross-entropy on a single-unit output"
    fires = (
        _model("Dense(1, activation='sigmoid')") + "model.compile(loss='categorical_crossentropy')\n",
        _model("Dense(1, activation='softmax')") + "model.compile(loss='sparse_categorical_crossentropy')\n",
    )
    passes = (_model("Dense(3, activation='softmax')") + "model.compile(loss='categorical_crossentropy')\n",)

    def check_output(self, check: OutputCheck):
        loss = check.loss
        if loss is None or loss.canonical not in knowledge.CATEGORICAL_CROSSENTROPY | knowledge.SPARSE_CROSSENTROPY:
            return
        if check.output.units == 1:
            yield Report(check.loss_span(), f"{loss_label(loss)} on a {describe_output(check.output, check.name_line)}: with one class "
                                            f"the loss is constant and the model learns nothing; use "
                                            f"'binary_crossentropy' with a sigmoid output")


class FromLogitsOnProbabilities(Rule):
    """
    ## What it does
    Flags `from_logits=True` on a loss whose output already goes through softmax
    or sigmoid.

    ## Why is this bad?
    The loss treats the probabilities as logits and applies the activation again.
    Keras 3 warns about it; only its TensorFlow backend recovers the logits, other
    backends (and older Keras) train on a squashed, wrong loss.

    ## Example
    ```python
    model.add(Dense(10, activation='softmax'))
    model.compile(loss=CategoricalCrossentropy(from_logits=True))
    ```

    ## Use instead
    ```python
    model.add(Dense(10))  # logits
    model.compile(loss=CategoricalCrossentropy(from_logits=True))
    ```

    ## Fix safety
    Unsafe: removing `from_logits=True` changes the loss.
    """

    code = "KC205"
    runtime_evidence = "loss"
    name = "from-logits-on-probabilities"
    summary = "from_logits=True on a softmax or sigmoid output"
    fix_safety = "unsafe"
    fires = (
        "import tensorflow as tf\n" + _model("Dense(10, activation='softmax')")
        + "model.compile(loss=tf.keras.losses.CategoricalCrossentropy(from_logits=True))\n",
    )
    passes = (
        "import tensorflow as tf\n" + _model("Dense(10)")
        + "model.compile(loss=tf.keras.losses.CategoricalCrossentropy(from_logits=True))\n",
    )

    def check_output(self, check: OutputCheck):
        loss, output = check.loss, check.output
        if loss is None or loss.from_logits is not True:
            return
        if output.activation in knowledge.PROBABILITY_ACTIVATIONS:
            yield Report(check.loss_span(), f"from_logits=True on a {describe_output(output, check.name_line)} applies "
                                            f"{output.activation} twice; drop from_logits=True, or remove the activation",
                         fix=_drop_from_logits_fix(loss))


class ProbabilityLossOnLogits(Rule):
    """
    ## What it does
    Flags a cross-entropy loss without `from_logits=True` on a linear output (no
    activation).

    ## Why is this bad?
    Without `from_logits=True` the loss assumes probabilities and clips the raw
    logits into (0, 1). Training runs with a wrong loss and Keras says nothing.

    ## Example
    ```python
    model.add(Dense(10))
    model.compile(loss='sparse_categorical_crossentropy')
    ```

    ## Use instead
    ```python
    model.add(Dense(10))
    model.compile(loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    ```

    ## Fix safety
    Unsafe: setting `from_logits=True` changes the loss.
    """

    code = "KC206"
    runtime_evidence = "loss"
    name = "probability-loss-on-logits"
    summary = "A probability loss on a linear (logit) output"
    fix_safety = "unsafe"
    fires = (
        _model("Dense(10)") + "model.compile(loss='sparse_categorical_crossentropy')\n",
        _model("Dense(1, activation=None)") + "model.compile(loss='binary_crossentropy')\n",
    )
    passes = (
        "import tensorflow as tf\n" + _model("Dense(10)")
        + "model.compile(loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))\n",
        _model("Dense(1)") + "model.compile(loss='mse')\n",
        _model("Dense(10, activation=act)") + "model.compile(loss='categorical_crossentropy')\n",
    )

    def check_output(self, check: OutputCheck):
        loss, output = check.loss, check.output
        if loss is None or loss.canonical not in knowledge.CROSSENTROPY or loss.from_logits is not False:
            return
        if output.activation == "linear":
            yield Report(check.loss_span(), f"{loss_label(loss)} on a {describe_output(output, check.name_line)} (no activation) "
                                            f"treats its logits as probabilities, silently; pass from_logits=True or add "
                                            f"a sigmoid/softmax activation", fix=_from_logits_fix(loss))


def _drop_from_logits_fix(loss) -> Fix:
    """KC205's fix: from_logits=True goes (False is the default), or a positional True becomes False."""
    message = "Remove from_logits=True" if loss.kwargs.get("from_logits") is True else "Set from_logits to False"
    return Fix.unsafe(message, SetArgument(loss.span, "from_logits", "False", position=0, default="False"))


def _from_logits_fix(loss):
    """KC206's fix: the loss object with from_logits=True (a string or a function becomes the loss class)."""
    loss_class = knowledge.LOSS_CLASSES.get(loss.canonical)
    if loss.form == "class":
        return Fix.unsafe("Set from_logits=True", ReplaceLoss(loss.span, loss.canonical, from_logits=True))
    if loss_class is None:
        return None
    return Fix.unsafe(f"Use {loss_class}(from_logits=True)", ReplaceLoss(loss.span, loss.canonical, from_logits=True))


class CrossentropyOnUnboundedOutput(Rule):
    """
    ## What it does
    Flags a cross-entropy loss on an output whose activation is neither a
    probability (sigmoid, softmax) nor a logit (linear): relu, tanh, elu, selu,
    softplus and the like.

    ## Why is this bad?
    Cross-entropy needs probabilities in (0, 1), or logits with
    `from_logits=True`. A relu output is clipped at 0 and unbounded above; tanh
    is negative half the time. The loss is computed on clipped garbage.

    ## Example
    ```python
    model.add(Dense(10, activation='relu'))
    model.compile(loss='categorical_crossentropy')
    ```

    ## Use instead
    ```python
    model.add(Dense(10, activation='softmax'))
    model.compile(loss='categorical_crossentropy')
    ```

    ## Fix safety
    No fix.
    """

    code = "KC207"
    runtime_evidence = "loss"
    name = "crossentropy-on-unbounded-output"
    summary = "Cross-entropy on a relu/tanh/... output"
    fires = (
        _model("Dense(10, activation='relu')") + "model.compile(loss='categorical_crossentropy')\n",
        _model("Dense(1, activation='tanh')") + "model.compile(loss='binary_crossentropy')\n",
    )
    passes = (
        _model("Dense(10, activation='relu')") + "model.compile(loss='mse')\n",
        _model("Dense(1, activation='hard_sigmoid')") + "model.compile(loss='binary_crossentropy')\n",
    )

    def check_output(self, check: OutputCheck):
        loss, output = check.loss, check.output
        if loss is None or loss.canonical not in knowledge.CROSSENTROPY or output.activation is None:
            return
        if output.activation not in knowledge.CROSSENTROPY_SAFE_ACTIVATIONS:
            yield Report(check.loss_span(), f"{loss_label(loss)} on a {describe_output(output, check.name_line)}: "
                                            f"{output.activation} gives neither probabilities nor logits; end with "
                                            f"sigmoid/softmax, or no activation and from_logits=True")


class DoubleOutputActivation(Rule):
    """
    ## What it does
    Flags a sigmoid or softmax applied to an output that already went through a
    sigmoid or softmax (`Dense(1, activation='sigmoid')` then
    `Activation('sigmoid')`).

    ## Why is this bad?
    A second sigmoid squashes probabilities into [0.5, 0.73]; a second softmax
    flattens them towards uniform. The model can no longer express confident
    predictions and trains badly.

    ## Example
    ```python
    model.add(Dense(1, activation='sigmoid'))
    model.add(Activation('sigmoid'))
    ```

    ## Use instead
    ```python
    model.add(Dense(1, activation='sigmoid'))
    ```

    ## Fix safety
    No fix.
    """

    code = "KC208"
    runtime_evidence = "loss"
    name = "double-output-activation"
    summary = "Sigmoid/softmax applied twice"
    fires = (_model("Dense(1, activation='sigmoid'), Activation('sigmoid')") + "model.compile(loss='binary_crossentropy')\n",)
    passes = (_model("Dense(10), Activation('softmax')") + "model.compile(loss='categorical_crossentropy')\n",)

    def check_output(self, check: OutputCheck):
        stacked = check.output.stacked
        if len(stacked) >= 2:
            first, second = stacked[-2], stacked[-1]
            yield Report(check.loss_span(), f"{second.name} on {_where(check, second)} is applied to an output that "
                                            f"already went through {first.name} on {_where(check, first)}: the "
                                            f"probabilities are "
                                            f"squashed a second time; remove one of the two")


def _where(check, activation) -> str:
    """'line 17' (a notebook's: 'line 4 of cell 6'), or 'models/cnn.py:17' for a line of an imported module."""
    return f"{activation.path}:{activation.line}" if activation.path else check.name_line(activation.line)


def known_loss_strings(target) -> frozenset:
    family = target.name_family
    if family == "keras3":
        return keras_names.KERAS3_LOSSES | {"crossentropy", "ce"}
    if family == "tf_keras":
        return keras_names.TF_KERAS_LOSSES
    if family == "keras2_legacy":
        return keras_names.KERAS2_LEGACY_LOSSES
    return knowledge.ALL_LOSS_STRINGS


class UnknownLossName(Rule):
    """
    ## What it does
    Flags a loss string the target Keras does not know: a typo, or a name only
    another version accepts (`'ce'` is a loss on Keras 3, not on tf_keras); and a
    `keras.losses.<name>` attribute that does not exist (`keras.losses.categorical_crossentropyy`).

    ## Why is this bad?
    Keras raises `Unknown loss function` — often only at the first
    `fit()`/`evaluate()`, after the data has loaded. A misspelt attribute raises
    `AttributeError` where it is written.

    ## Example
    ```python
    model.compile(loss='categorical_crossentropyy')
    ```

    ## Use instead
    ```python
    model.compile(loss='categorical_crossentropy')
    ```

    ## Fix safety
    No fix: the suggestion is a guess.
    """

    code = "KC209"
    runtime_evidence = "loss"
    name = "unknown-loss-name"
    summary = "A loss string Keras does not know"
    fires = (
        _model("Dense(10, activation='softmax')") + "model.compile(loss='categorical_crossentropyy')\n",
        "# kerascheck: keras-version=tf-keras==2.21\n" + _model("Dense(10, activation='softmax')") + "model.compile(loss='ce')\n",
        "import keras\n" + _model("Dense(10, activation='softmax')") + "model.compile(loss=keras.losses.categorical_crossentropyy)\n",
        "import tensorflow as tf\n" + _model("Dense(10, activation='softmax')")
        + "model.compile(loss=tf.keras.losses.CategoricalCrossEntropy())\n",
    )
    passes = (
        _model("Dense(10, activation='softmax')") + "model.compile(loss='categorical_crossentropy')\n",
        "import keras\n" + _model("Dense(10, activation='softmax')") + "model.compile(loss=keras.losses.categorical_crossentropy)\n",
        "# kerascheck: keras-version=3\n" + _model("Dense(10, activation='softmax')") + "model.compile(loss='ce')\n",
    )

    def check_output(self, check: OutputCheck):
        loss = check.loss
        missing = missing_attribute(loss, check.target) if loss is not None else None
        if missing is not None:
            yield Report(loss.span, missing_attribute_message(loss, check.target, *missing))
            return
        if loss is None or loss.string is None:
            return
        known = known_loss_strings(check.target)
        if loss.string in known:
            return
        where = check.target.label if check.target.known else "any Keras version"
        yield Report(loss.span, f"'{loss.string}' is not a loss {where} knows: Keras raises 'Unknown loss "
                                f"function'{did_you_mean(loss.string, known)}")
