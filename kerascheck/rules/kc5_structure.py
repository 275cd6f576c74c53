"""KC5: the model's structure against its task.

These rules read the shape and structure facts (OutputFact.shape/path/head, ModelFact,
KerasObjectFact) and, for KC501 and KC502's sigmoid case, the data facts of the
fit/evaluate calls of the compiled model. What each claim of a message rests on was
measured on Keras 3.15.1 and 2.3.1 (scripts/keras_measurements/structure.py and
mixed_objects.py; docs/keras-semantics.md).
"""

from __future__ import annotations

from kerascheck import knowledge
from kerascheck.facts import BINARY, INTEGER, MULTI_HOT, ONE_HOT
from kerascheck.intents import Fix, ReplaceLoss
from kerascheck.knowledge import packages
from kerascheck.rules.base import OutputCheck, Report, Rule, describe_output, loss_label

_SEQ = "from keras.models import Sequential\nfrom keras.layers import Dense, Activation\n"
_MNIST = ("from keras.datasets import mnist\nfrom keras.utils import to_categorical\n"
          "(x_train, y_train), (x_test, y_test) = mnist.load_data()\n")


def _model(layer: str) -> str:
    return _SEQ + f"model = Sequential([{layer}])\n"


# The calls whose targets a model trains or is evaluated on (their y must match its output).
_TARGET_METHODS = ("fit", "evaluate", "train_on_batch", "test_on_batch", "fit_generator", "evaluate_generator")
CLASS_LABELS = (ONE_HOT, INTEGER, BINARY, MULTI_HOT)


def known_targets(check: OutputCheck) -> list:
    """(call, DataFact) for each known target array the compiled model is trained or evaluated on, in order. Only
    for a single-output model: a multi-output model's y is one array per output, not read here."""
    if len(check.compile.trained) != 1:
        return []
    return [(call, fact) for call in check.model_calls if call.method in _TARGET_METHODS for fact in call.targets]


def where(origin, name_line) -> str:
    """"`to_categorical(y_train, 10)`, line 8"."""
    return f"`{origin.text}`, {name_line(origin.line)}" if origin is not None and origin.line else \
        (f"`{origin.text}`" if origin is not None else "")


def _shape(shape) -> str:
    return "(" + ", ".join("N" if index == 0 and size is None else "?" if size is None else str(size)
                           for index, size in enumerate(shape)) + ("," if len(shape) == 1 else "") + ")"


# ---------------------------------------------------------------- KC501


class DenseHeadOnUnflattenedFeatures(Rule):
    """
    ## What it does
    Flags a model whose output is a `Dense` applied to a tensor of rank 3 or more
    (the feature maps of a convolution or pooling layer, a recurrent layer with
    `return_sequences=True`, an `Embedding`) with no `Flatten`, global pooling or
    `Reshape` before it, when the targets it is trained on are known to be
    per-sample: shape `(N,)` or `(N, k)`, such as a loader's integer labels or
    `to_categorical` of them. Per-timestep and per-pixel models (sequence
    labelling with targets `(N, T, k)`, segmentation, `TimeDistributed` heads,
    `Conv2D(n, 1)` heads) are not flagged, nor is a model whose targets are unknown.

    ## Why is this bad?
    Keras applies `Dense` to the last axis only: the output keeps the spatial or
    time axes (`(N, 13, 13, 10)` instead of `(N, 10)`). Measured on Keras 3.15.1
    and 2.3.1: a cross-entropy raises at the first batch (Keras 3: "Arguments
    `target` and `output` must have the same rank"; keras 2.3: "Error when
    checking target: expected dense to have 4 dimensions"), after the data has
    loaded. keras 2.3 checks the targets' rank first and raises (for every loss
    measured, mse included). Keras 3 computes the element-wise
    losses (mse, mae, Huber, hinge, Poisson...) on the broadcast of the targets
    against the output: where the shapes broadcast (an output whose last axis is
    of size 1, such as `Embedding` then `Dense(1)` with labels `(N,)`) it trains
    silently on a meaningless objective; otherwise it raises.

    Targets with as many axes as the output (`(N, T, k)` one-hot tags, `(N, H, W,
    k)` masks), or with one fewer that is not a column of classes (integer tags
    `(N, T)` for a sparse cross-entropy), are one per timestep or pixel: not flagged.

    ## Example
    ```python
    model = Sequential([Conv2D(32, 3, input_shape=(28, 28, 1)), MaxPooling2D(),
                        Dense(10, activation='softmax')])
    model.fit(x_train, to_categorical(y_train, 10))
    ```

    ## Use instead
    ```python
    model = Sequential([Conv2D(32, 3, input_shape=(28, 28, 1)), MaxPooling2D(),
                        Flatten(),  # or GlobalAveragePooling2D()
                        Dense(10, activation='softmax')])
    ```

    ## Fix safety
    No fix: whether to flatten or pool is the author's call.
    """

    code = "KC501"
    name = "dense-head-on-unflattened-features"
    summary = "A Dense head on unflattened feature maps or sequences, with per-sample targets"
    runtime_evidence = "structure"
    fires = (
        _MNIST + "from keras.models import Sequential\nfrom keras.layers import Conv2D, MaxPooling2D, Dense\n"
        "model = Sequential([Conv2D(32, 3, input_shape=(28, 28, 1)), MaxPooling2D(), Dense(10, activation='softmax')])\n"
        "model.compile(loss='categorical_crossentropy')\nmodel.fit(x_train.reshape(-1, 28, 28, 1), to_categorical(y_train, 10))\n",
        "from keras.datasets import imdb\nfrom keras.models import Sequential\nfrom keras.layers import Embedding, Dense\n"
        "(x_train, y_train), _ = imdb.load_data(num_words=10000)\n"
        "model = Sequential([Embedding(10000, 32, input_length=200), Dense(1, activation='sigmoid')])\n"
        "model.compile(loss='binary_crossentropy')\nmodel.fit(x_train, y_train)\n",
        # A recurrent layer's whole sequence into the head; mse broadcasts on Keras 3 (the message says so).
        "from keras.datasets import imdb\nfrom keras.models import Sequential\nfrom keras.layers import Embedding, LSTM, Dense\n"
        "from keras.preprocessing.sequence import pad_sequences\n(x_train, y_train), _ = imdb.load_data(num_words=10000)\n"
        "model = Sequential([Embedding(10000, 32, input_length=100), LSTM(16, return_sequences=True), Dense(1)])\n"
        "model.compile(loss='mse')\nmodel.fit(pad_sequences(x_train, maxlen=100), y_train)\n",
    )
    passes = (
        # Flattened first.
        _MNIST + "from keras.models import Sequential\nfrom keras.layers import Conv2D, Flatten, Dense\n"
        "model = Sequential([Conv2D(32, 3, input_shape=(28, 28, 1)), Flatten(), Dense(10, activation='softmax')])\n"
        "model.compile(loss='categorical_crossentropy')\nmodel.fit(x_train.reshape(-1, 28, 28, 1), to_categorical(y_train, 10))\n",
        # Integer tags per timestep (N, 50) for a sparse cross-entropy: sequence labelling, measured to train.
        "from keras.models import Sequential\nfrom keras.layers import Embedding, LSTM, Dense\n"
        "from keras.preprocessing.sequence import pad_sequences\ntags = pad_sequences(tag_lists, maxlen=50)\n"
        "model = Sequential([Embedding(1000, 32, input_length=50), LSTM(16, return_sequences=True), "
        "Dense(5, activation='softmax')])\n"
        "model.compile(loss='sparse_categorical_crossentropy')\nmodel.fit(tokens, tags)\n",
        # Targets unknown: a per-timestep model is as likely.
        "from keras.models import Sequential\nfrom keras.layers import LSTM, Dense\n"
        "model = Sequential([LSTM(32, return_sequences=True, input_shape=(50, 8)), Dense(5, activation='softmax')])\n"
        "model.compile(loss='categorical_crossentropy')\nmodel.fit(x, y)\n",
        # A per-pixel head (segmentation): not a Dense.
        "from keras.models import Sequential\nfrom keras.layers import Conv2D\n"
        "model = Sequential([Conv2D(16, 3, padding='same', input_shape=(64, 64, 3)), Conv2D(4, 1, activation='softmax')])\n"
        "model.compile(loss='categorical_crossentropy')\n",
    )

    def check_output(self, check: OutputCheck):
        output, head = check.output, check.output.head
        if head is None or head.kind != "Dense" or head.input_shape is None or len(head.input_shape) < 3:
            return
        rank = len(head.input_shape)
        known = [(call, fact) for call, fact in known_targets(check) if fact.shape is not None]
        if not known or any(per_position(fact, rank) for _, fact in known):
            return  # targets unknown, or one per timestep or pixel: a sequence-labelling or segmentation model
        call, fact = known[0]
        name_line = check.name_line
        path = output.path
        index = path.index(head) if head in path else -1
        producer = path[index - 1] if index > 0 else None
        given = f"the {_shape(head.input_shape)} output of {producer.kind} ({name_line(producer.line)})" \
            if producer is not None and producer.line else f"its {_shape(head.input_shape)} input"
        out_shape = head.output_shape or (*head.input_shape[:-1], head.units)
        origin = fact.shape_origin or fact.encoding_origin
        targets = f"per-sample targets {_shape(fact.shape)}" + (f" ({where(origin, name_line)})" if origin else "")
        outcome = _outcome(check.loss.canonical if check.loss is not None else None, tuple(out_shape),
                           tuple(fact.shape))
        pooling = f"GlobalAveragePooling{rank - 2}D()" if rank <= 5 else "a global pooling layer"
        yield Report(check.loss_span(),
                     f"the Dense ({name_line(head.line)}) keeps the axes of {given}: the output is "
                     f"{_shape(out_shape)}, but {call.method}() gives {targets}{outcome}; add Flatten() or "
                     f"{pooling} before the Dense")


def per_position(fact, rank: int) -> bool:
    """Targets of a model whose output keeps `rank` axes that are one per timestep or pixel: as many axes as the
    output (one-hot tags `(N, T, k)`, masks `(N, H, W, k)`), or one fewer that is not a column of classes (integer
    tags `(N, T)` for a sparse cross-entropy, 0/1 tags `(N, T)` for a binary one: measured to train on Keras 3)."""
    shape = fact.shape
    if len(shape) >= rank:
        return True
    return len(shape) == rank - 1 and len(shape) >= 2 and shape[-1] != 1 and fact.encoding not in (ONE_HOT,
                                                                                                   MULTI_HOT)


# Losses whose Keras 3 implementation checks that the target and the output have the same rank (or one fewer for
# the sparse one) and raises otherwise; keras 2.3 raises for every loss ("expected dense to have 4 dimensions").
_RANK_CHECKED = {"binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy"}
# Element-wise losses that Keras 3 computes on the broadcast of the target against the output (measured:
# scripts/keras_measurements/structure.py).
_BROADCAST = knowledge.REGRESSION_LOSSES | {"hinge", "squared_hinge", "kl_divergence", "poisson",
                                            "cosine_similarity"}


def keras3_broadcasts(output: tuple, target: tuple):
    """Whether Keras 3's element-wise losses broadcast `target` against `output` (True), raise (False), or it depends
    on sizes not known (None). Keras 3 first drops the output's last axis when it is of size 1 and the output has
    one axis more than the target, then broadcasts as NumPy does. Both shapes are batch first; the batch size is
    taken as different from every other size (the data decides it)."""
    if len(output) == len(target) + 1 and output[-1] == 1:
        output = output[:-1]
    batch = object()
    output, target = (batch,) + tuple(output[1:]), (batch,) + tuple(target[1:])
    width = max(len(output), len(target))
    output = (1,) * (width - len(output)) + output
    target = (1,) * (width - len(target)) + target
    decided = True
    for a, b in zip(output, target):
        if a == 1 or b == 1 or a is b or (a == b and a is not None):
            continue
        if a is None or b is None:
            decided = False  # a size not known
            continue
        return False  # two different sizes, the batch against a size, or two batches not aligned
    return True if decided else None


def _outcome(loss, output: tuple, target: tuple) -> str:
    """What Keras does with this loss and these shapes at the first batch (measured), as the message says it."""
    if loss in _RANK_CHECKED:
        return ", and Keras raises at the first batch"
    if loss in _BROADCAST:
        broadcasts = keras3_broadcasts(output, target)
        if broadcasts:
            return (", and Keras 3 broadcasts the loss over the extra axes and trains silently on a meaningless "
                    "objective (keras 2.3 raises)")
        if broadcasts is False:
            return ", and Keras raises at the first batch"
    return ""


# ---------------------------------------------------------------- KC502


class RegressionLossOnClassifier(Rule):
    """
    ## What it does
    Flags a regression loss (`mse`, `mae`, `msle`, `mape`, Huber, log-cosh) on a
    softmax output of 2 or more units, or on a sigmoid output whose targets are
    known to be class labels (one-hot or integer labels, from the code that
    prepares them). An `'accuracy'` metric alone does not make a sigmoid output a
    classifier: regressions of values in (0, 1) often carry one.

    ## Why is this bad?
    It trains, silently, and slowly: where the softmax (or sigmoid) is confidently
    wrong it saturates, and the squared error's gradient vanishes with it.
    Measured on Keras 3.15.1 and 2.3.1, for a softmax putting 0.9997 on a wrong class
    the gradient of `mse` with respect to the logits is 0.0013 (summed over the 10
    classes), against 2.0 for categorical cross-entropy; for a sigmoid 0.0007
    against 1.0 for binary cross-entropy; mae, msle, Huber and log-cosh vanish alike.
    Cross-entropy is the loss whose gradient stays large exactly there. `mape`
    divides by the targets, 0 for the wrong classes, and its gradient explodes
    instead (66863 for the same softmax).

    ## Example
    ```python
    model.add(Dense(10, activation='softmax'))
    model.compile(loss='mse', metrics=['accuracy'])
    ```

    ## Use instead
    ```python
    model.add(Dense(10, activation='softmax'))
    model.compile(loss='categorical_crossentropy', metrics=['accuracy'])
    ```

    ## Fix safety
    Unsafe: the loss changes (and with it the training). A softmax output gets
    `categorical_crossentropy` (`sparse_categorical_crossentropy` when its targets are
    known integer labels), a sigmoid output `binary_crossentropy`, in the form the
    code writes the loss (a string stays a string, an object an object). No fix for
    integer labels of more than two classes on one sigmoid unit (mnist's 0..9): the
    message says to use a softmax of that many units.
    """

    code = "KC502"
    name = "regression-loss-on-classifier"
    summary = "A regression loss on a classifier's softmax or sigmoid output"
    fix_safety = "unsafe"
    fires = (
        _model("Dense(10, activation='softmax')") + "model.compile(loss='mse', metrics=['accuracy'])\n",
        # A sigmoid output trained on class labels (imdb's 0/1 labels).
        "from keras.datasets import imdb\n(x_train, y_train), _ = imdb.load_data(num_words=1000)\n"
        + _model("Dense(1, activation='sigmoid', input_shape=(1000,))") + "model.compile(loss='mse')\n"
        "model.fit(x_train, y_train)\n",
        # mnist's labels 0..9 regressed on one sigmoid unit (no fix: binary cross-entropy would not fit them).
        "from keras.datasets import mnist\n(x_train, y_train), _ = mnist.load_data()\n"
        + _model("Dense(1, activation='sigmoid', input_shape=(784,))") + "model.compile(loss='mse')\n"
        "model.fit(x_train.reshape(-1, 784), y_train)\n",
        _model("Dense(2), Activation('softmax')") + "model.compile(loss='mean_absolute_error')\n",
        "import tensorflow as tf\n" + _model("Dense(5, activation='softmax')")
        + "model.compile(loss=tf.keras.losses.Huber(delta=2.0))\n",
    )
    passes = (
        # A linear regression head.
        _model("Dense(1)") + "model.compile(loss='mse')\n",
        # A sigmoid autoencoder: its targets are its inputs, not class labels.
        _model("Dense(784, activation='sigmoid')") + "model.compile(loss='mse')\n",
        # A sigmoid output whose targets are not known to be labels, even with 'accuracy'.
        _model("Dense(1, activation='sigmoid')") + "model.compile(loss='mse', metrics=['accuracy'])\n",
        _model("Dense(10, activation='softmax')") + "model.compile(loss='categorical_crossentropy')\n",
        # Softmax over one unit is KC203's; units unknown: not known to be 2 or more.
        _model("Dense(1, activation='softmax')") + "model.compile(loss='mse')\n",
        _model("Dense(n, activation='softmax')") + "model.compile(loss='mse')\n",
    )

    def check_output(self, check: OutputCheck):
        loss, output = check.loss, check.output
        if loss is None or loss.canonical not in knowledge.REGRESSION_LOSSES:
            return
        labels = [(call, fact) for call, fact in known_targets(check) if fact.encoding in CLASS_LABELS]
        trained_on = ""
        if labels:
            fact = labels[0][1]
            origin = fact.encoding_origin
            kind = {ONE_HOT: "one-hot", INTEGER: "integer", BINARY: "0/1", MULTI_HOT: "multi-hot"}[fact.encoding]
            if fact.encoding == INTEGER and fact.classes == 2:
                kind = "0/1 integer"
            trained_on = f" trained on {kind} labels" + (f" ({where(origin, check.name_line)})" if origin else "")
        if output.activation == "softmax" and output.units is not None and output.units >= 2:
            integer = labels and all(fact.encoding == INTEGER for _, fact in labels)
            replacement = "sparse_categorical_crossentropy" if integer else "categorical_crossentropy"
            where_wrong = "the softmax"
        elif output.activation in knowledge.SIGMOID_LIKE and labels:
            replacement, where_wrong = "binary_crossentropy", "the sigmoid"
            many = [fact.classes for _, fact in labels if fact.encoding == INTEGER and (fact.classes or 0) > 2]
            if many and output.units == 1:
                # Labels 0..9 on one sigmoid unit: binary cross-entropy would not fit them either (no fix).
                yield Report(check.loss_span(),
                             f"{loss_label(loss)} on a {describe_output(output, check.name_line)}{trained_on}: one "
                             f"sigmoid unit cannot reach labels up to {many[0] - 1}; use a softmax of {many[0]} units "
                             f"and 'sparse_categorical_crossentropy'")
                return
        else:
            return
        if loss.canonical == "mean_absolute_percentage_error":
            # Measured: 66863 for a softmax confidently wrong (categorical cross-entropy: 2.0).
            why = ("a percentage error divides by the targets, which are 0 for the wrong classes: it trains "
                   "silently on exploding gradients")
        else:
            why = (f"a regression loss on class probabilities trains silently and slowly, its gradient vanishing "
                   f"where {where_wrong} is confidently wrong")
        yield Report(check.loss_span(),
                     f"{loss_label(loss)} on a {describe_output(output, check.name_line)}{trained_on}: {why}; "
                     f"use '{replacement}'",
                     fix=Fix.unsafe(f"Use '{replacement}'", ReplaceLoss(loss.span, replacement)))


# ---------------------------------------------------------------- KC503

# What Keras raises when objects of two packages meet, by the kind of the second one (measured:
# scripts/keras_measurements/mixed_objects.py).
_ADDED_LAYER = "\"The added layer must be an instance of class Layer\""
_ADDED_TO_KERAS3 = "\"Only instances of `keras.Layer` can be added to a Sequential model\""
_APPLIED = "an AttributeError as the layers are applied (\"'Node' object has no attribute 'output_masks'\")"
_RAISES = {
    "optimizer": "\"Could not interpret optimizer identifier\"",
    "metric_object": "an AttributeError",
    "callback": "an AttributeError",
}


def _raises(obj, earlier, model) -> str:
    """What Keras raises when `obj` meets a model of `earlier`'s package (measured)."""
    if obj.kind in _RAISES:
        return _RAISES[obj.kind]
    if obj.kind in ("layer", "model") and model is not None and model.style == "sequential":
        # Keras 3's Sequential given a tf_keras or tensorflow.python.keras layer says it its own way.
        keras3_model = earlier.package == packages.KERAS and obj.package in (packages.TF_KERAS_LEGACY,
                                                                             packages.TF_PYTHON_KERAS)
        return _ADDED_TO_KERAS3 if keras3_model else _ADDED_LAYER
    return _APPLIED


def _where_different(first: str, second: str, raises: str) -> str:
    """For an unknown target: where the two packages are different (and Keras raises), where the same (measured)."""
    pair = {first, second}
    if pair == {packages.KERAS, packages.TF_KERAS}:
        return (f"different packages with standalone keras ≤ 2.3 (Keras raises {raises}), the same with keras "
                f"2.4–2.15 and with Keras 3 on TensorFlow ≥ 2.16")
    if pair == {packages.TF_KERAS, packages.TF_PYTHON_KERAS}:
        return (f"the same package up to TensorFlow 2.5, a separate copy from 2.6 that Keras 3 rejects (it raises "
                f"{raises})")
    if pair == {packages.TF_KERAS, packages.TF_KERAS_LEGACY}:
        return (f"the same package only with TF_USE_LEGACY_KERAS=1; otherwise tf.keras is Keras 3 (TensorFlow ≥ 2.16) "
                f"and Keras raises {raises}")
    return f"different packages where one is Keras 3 or keras ≤ 2.3 (Keras raises {raises})"


class MixedKerasPackages(Rule):
    """
    ## What it does
    Flags a model built from objects of two different Keras packages: standalone
    `keras` beside `tf.keras` (`tensorflow.keras`), `tensorflow.python.keras` or
    `tf_keras`, where these are different packages for the target Keras. The
    objects that count are those measured to break when mixed: models, layers and
    inputs; optimizers (but a tf.keras optimizer on a standalone keras 2.3 model
    beside TensorFlow 2 is wrapped and works); metric objects and callbacks beside
    `tf_keras`. (Loss objects and
    functions, metric functions, regularizers and initializers of one package work
    on a model of the other, and so do metric objects between keras 2.3.1 and
    tf.keras: measured on keras 2.3.1 with TensorFlow 1.15.5, and Keras 3.15.1 with
    tf_keras 2.21.) The finding sits on the first object from the second package.

    Where the packages are the same objects (measured, `docs/keras-semantics.md`):

    - standalone keras ≤ 2.3.x and tf.keras are **different** (beside TensorFlow 1.x
      or 2.x);
    - keras 2.4.x re-exports tf.keras, and keras 2.6–2.15 is tf.keras: the **same**;
    - Keras 3 and tf.keras on TensorFlow ≥ 2.16 are the **same**, unless
      `TF_USE_LEGACY_KERAS=1` makes tf.keras the `tf_keras` package;
    - `tf_keras` and Keras 3 are **different**;
    - `tensorflow.python.keras` is tf.keras up to TensorFlow 2.5, a separate copy
      from 2.6 (mixing it still builds there), and is rejected by Keras 3.

    With the target Keras unknown, the rule fires and the message says where the
    two are the same package. With a known target where it depends on another
    version (standalone keras beside TensorFlow 2.2–2.5, whose keras may be 2.3 or
    2.4), it does not fire.

    ## Why is this bad?
    Each package checks that what it is given is one of its own classes, and the
    errors do not say that two packages are involved: "The added layer must be an
    instance of class Layer", "Could not interpret optimizer identifier", "'Node'
    object has no attribute 'output_masks'" (measured on keras 2.3.1 / TensorFlow
    1.15.5; Keras 3 beside tf_keras raises the same kinds).

    ## Example
    ```python
    from keras.models import Sequential
    from tensorflow.keras.layers import Dense

    model = Sequential([Dense(10, activation='softmax')])
    ```

    ## Use instead
    ```python
    from tensorflow.keras.models import Sequential
    from tensorflow.keras.layers import Dense

    model = Sequential([Dense(10, activation='softmax')])
    ```

    ## Fix safety
    No fix: which package the program should use is the author's call.
    """

    code = "KC503"
    name = "mixed-keras-packages"
    summary = "A model built from objects of two different Keras packages"
    fires = (
        "from keras.models import Sequential\nfrom tensorflow.keras.layers import Dense\n"
        "model = Sequential([Dense(10, activation='softmax', input_shape=(4,))])\n"
        "model.compile(loss='categorical_crossentropy')\n",
        "# kerascheck: keras-version=tensorflow==1.15\nimport keras\nimport tensorflow as tf\n"
        "model = keras.models.Sequential([keras.layers.Dense(10, activation='softmax', input_shape=(4,))])\n"
        "model.compile(optimizer=tf.keras.optimizers.Adam(), loss='categorical_crossentropy')\n",
        "# kerascheck: keras-version=3\nimport keras\nimport tf_keras\n"
        "inputs = keras.Input((4,))\noutputs = tf_keras.layers.Dense(2, activation='softmax')(inputs)\n"
        "model = keras.Model(inputs, outputs)\nmodel.compile(loss='categorical_crossentropy')\n",
    )
    passes = (
        # The same objects on Keras 3 with TensorFlow >= 2.16.
        "# kerascheck: keras-version=3\nfrom keras.models import Sequential\nfrom tensorflow.keras.layers import Dense\n"
        "model = Sequential([Dense(10, activation='softmax', input_shape=(4,))])\n"
        "model.compile(loss='categorical_crossentropy')\n",
        "# kerascheck: keras-version=tensorflow==2.10\nimport keras\nimport tensorflow as tf\n"
        "model = tf.keras.Sequential([keras.layers.Dense(10, activation='softmax', input_shape=(4,))])\n"
        "model.compile(loss='categorical_crossentropy')\n",
        # A loss and a regularizer of another package work (measured).
        "import keras\nimport tensorflow as tf\n"
        "model = tf.keras.Sequential([tf.keras.layers.Dense(10, activation='softmax', input_shape=(4,),\n"
        "                                                   kernel_regularizer=keras.regularizers.l2(0.01))])\n"
        "model.compile(loss=keras.losses.categorical_crossentropy)\n",
        # Keras's data utilities beside a model of one package.
        # keras 2.3 wraps a tf.keras optimizer beside TensorFlow 2 (its optimizers.get): the Keras version decides.
        "import keras\nimport tensorflow as tf\nmodel = keras.models.Sequential([keras.layers.Dense(1, input_shape=(4,))])\n"
        "model.compile(loss='binary_crossentropy', optimizer=tf.keras.optimizers.Adam())\n",
        # A tf.keras metric object on a standalone keras model works (measured on keras 2.3.1).
        "import keras\nimport tensorflow as tf\nmodel = keras.models.Sequential([keras.layers.Dense(1, input_shape=(4,))])\n"
        "model.compile(loss='binary_crossentropy', metrics=[tf.keras.metrics.AUC()])\n",
        "from keras.utils import to_categorical\nimport tensorflow as tf\n"
        "model = tf.keras.Sequential([tf.keras.layers.Dense(10, activation='softmax', input_shape=(4,))])\n"
        "model.compile(loss='categorical_crossentropy')\nmodel.fit(x, to_categorical(y))\n",
        # A pasted snippet's bare names belong to no package.
        "import tensorflow as tf\nmodel = Sequential([tf.keras.layers.Dense(10, activation='softmax')])\n"
        "model.compile(loss='categorical_crossentropy')\n",
    )

    def check_output(self, check: OutputCheck):
        model = check.compile.model
        objects = [obj for obj in list(model.keras_objects if model is not None else ()) + list(check.compile.keras_objects)
                   if obj.span is not None and getattr(obj, "path", None) is None]  # another module's: reported there
        objects.sort(key=lambda obj: (obj.span.line, obj.span.column))
        structure = [obj for obj in objects if obj.kind in packages.STRUCTURE]
        if not structure:
            return
        target = check.target
        legacy_env = check.file is not None and check.file.mentions_legacy_keras

        def clash(earlier, obj) -> bool:
            if obj.package == earlier.package or not packages.mixing_breaks(obj.kind, earlier.package, obj.package,
                                                                            target):
                return False
            relation = packages.relation(earlier.package, obj.package, target, legacy_env)
            return relation == packages.DIFFERENT or (relation == packages.UNKNOWN and not target.known)

        # The model's own objects first (the package of the first is the model's), then what it is given.
        seen = [structure[0]]
        for obj in structure[1:] + [obj for obj in objects if obj.kind not in packages.STRUCTURE]:
            if any(obj.package == earlier.package for earlier in seen):
                continue
            for earlier in seen:
                if clash(earlier, obj):
                    relation = packages.relation(earlier.package, obj.package, target, legacy_env)
                    yield Report(obj.span, self._message(obj, earlier, relation, check))
                    return
            if obj.kind in packages.STRUCTURE:
                seen.append(obj)

    @staticmethod
    def _message(obj, earlier, relation: str, check: OutputCheck) -> str:
        here, there = packages.LABELS[obj.package], packages.LABELS[earlier.package]
        start = (f"{_short(obj.name)} ({check.name_line(obj.line)}) comes from {here} and {_short(earlier.name)} "
                 f"({check.name_line(earlier.line)}) from {there}")
        raises = _raises(obj, earlier, check.compile.model)
        if relation == packages.DIFFERENT:
            return (f"{start}: on {check.target.label} these are different packages and Keras raises {raises}; "
                    f"import everything from one package")
        return f"{start}: {_where_different(earlier.package, obj.package, raises)}; import everything from one package"


def _short(name: str) -> str:
    return name.rsplit(".", 1)[-1]
