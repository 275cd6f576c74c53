"""KC3: Keras 1 and removed APIs. They raise on Keras 3; Keras 2.0–2.3 converted most of them with a warning.

The argument tables are Keras 2.x's own converters (`keras/legacy/interfaces.py`,
keras 2.0–2.3), which renamed each Keras 1 argument and warned "Update your `Conv1D`
call to the Keras 2 API". What Keras 3 does with each was measured on keras 3.15.1.
"""

from __future__ import annotations

from typing import Optional

from kerascheck import knowledge
from kerascheck.facts import Span
from kerascheck.intents import (
    Fix, KerasName, RemoveArgument, RenameCall, RenameKeyword, ReplaceCode, ReplaceString, SetArgument,
)
from kerascheck.rules.base import Report, Rule

# ---------------------------------------------------------------- tables

# A Keras 1 argument renamed to nothing: the argument is dropped.
DROP = ""

_WEIGHTS = {"init": "kernel_initializer", "W_regularizer": "kernel_regularizer", "b_regularizer": "bias_regularizer",
            "W_constraint": "kernel_constraint", "b_constraint": "bias_constraint", "bias": "use_bias"}
_DENSE = {"output_dim": "units", **_WEIGHTS}
_CONV1D = {"nb_filter": "filters", "filter_length": "kernel_size", "subsample_length": "strides",
           "border_mode": "padding", **_WEIGHTS}
_CONV = {"nb_filter": "filters", "subsample": "strides", "border_mode": "padding", "dim_ordering": "data_format",
         "nb_row": None, "nb_col": None, **_WEIGHTS}
_ATROUS = {"atrous_rate": "dilation_rate"}
_SEPARABLE = {**_CONV, "init": None, "W_regularizer": None, "W_constraint": None}
_DECONV = {**_CONV, "output_shape": None}
_RECURRENT = {"output_dim": "units", "init": "kernel_initializer", "inner_init": "recurrent_initializer",
              "inner_activation": "recurrent_activation", "W_regularizer": "kernel_regularizer",
              "b_regularizer": "bias_regularizer", "U_regularizer": "recurrent_regularizer", "dropout_W": "dropout",
              "dropout_U": "recurrent_dropout", "consume_less": None, "forget_bias_init": None}
_DATA_FORMAT = {"dim_ordering": "data_format"}
_POOL1D = {"pool_length": "pool_size", "stride": "strides", "border_mode": "padding"}
_POOL = {"border_mode": "padding", "dim_ordering": "data_format"}
_DROPOUT = {"p": "rate"}

# Layer -> {Keras 1 argument: Keras 2+ argument, or None when there is no 1:1 rename}.
LAYER_ARGUMENTS = {
    "Dense": _DENSE,
    "Conv1D": _CONV1D, "Convolution1D": _CONV1D, "AtrousConvolution1D": {**_CONV1D, **_ATROUS},
    "Conv2D": _CONV, "Convolution2D": _CONV, "AtrousConvolution2D": {**_CONV, **_ATROUS},
    "Conv3D": _CONV, "Convolution3D": _CONV,
    "SeparableConv2D": _SEPARABLE, "SeparableConvolution2D": _SEPARABLE,
    "Conv2DTranspose": _DECONV, "Deconvolution2D": _DECONV,
    "ConvLSTM2D": {**_CONV, **_RECURRENT, "output_dim": None},
    "LSTM": _RECURRENT, "GRU": _RECURRENT, "SimpleRNN": _RECURRENT,
    "Embedding": {"init": "embeddings_initializer", "W_regularizer": "embeddings_regularizer",
                  "W_constraint": "embeddings_constraint", "dropout": None},
    "MaxPooling1D": _POOL1D, "AveragePooling1D": _POOL1D,
    "MaxPooling2D": _POOL, "AveragePooling2D": _POOL, "MaxPooling3D": _POOL, "AveragePooling3D": _POOL,
    "GlobalMaxPooling2D": _DATA_FORMAT, "GlobalAveragePooling2D": _DATA_FORMAT,
    "UpSampling1D": {"length": "size"}, "UpSampling2D": _DATA_FORMAT, "UpSampling3D": _DATA_FORMAT,
    "ZeroPadding2D": _DATA_FORMAT, "ZeroPadding3D": _DATA_FORMAT,
    "Cropping2D": _DATA_FORMAT, "Cropping3D": _DATA_FORMAT,
    "Dropout": _DROPOUT, "SpatialDropout1D": _DROPOUT, "GaussianDropout": _DROPOUT,
    "SpatialDropout2D": {**_DROPOUT, **_DATA_FORMAT}, "SpatialDropout3D": {**_DROPOUT, **_DATA_FORMAT},
    "GaussianNoise": {"sigma": "stddev"},
    "PReLU": {"init": "alpha_initializer"},
    "BatchNormalization": {"beta_init": "beta_initializer", "gamma_init": "gamma_initializer", "mode": None},
}
# Any other Keras layer: the Keras 1 names no Keras 2+ layer uses.
GENERIC_ARGUMENTS = {"nb_filter": "filters", "filter_length": "kernel_size", "border_mode": "padding",
                     "pool_length": "pool_size", "subsample_length": "strides", "subsample": "strides",
                     "dim_ordering": "data_format", "W_regularizer": None, "b_regularizer": "bias_regularizer",
                     "W_constraint": None, "b_constraint": "bias_constraint", "nb_row": None, "nb_col": None}
TOKENIZER_ARGUMENTS = {"nb_words": "num_words"}
# Keras 1 values of a renamed argument.
VALUE_CONVERSIONS = {"dim_ordering": {"tf": "channels_last", "th": "channels_first", "default": None}}
# Why an argument has no 1:1 rename, and what to write instead.
NO_RENAME_ADVICE = {
    "nb_row": "use kernel_size=(rows, cols)", "nb_col": "use kernel_size=(rows, cols)",
    "consume_less": "remove it (Keras 2's `implementation` is an unrelated speed switch)",
    "forget_bias_init": "use unit_forget_bias=True for a forget bias of one, else remove it",
    "mode": "remove it: only mode=0 still exists, as the default",
    "output_shape": "remove it: Keras 2+ computes the output shape",
    "init": "use depthwise_initializer= and pointwise_initializer=",
    "W_regularizer": "use depthwise_regularizer= and pointwise_regularizer=",
    "W_constraint": "use depthwise_constraint= and pointwise_constraint=",
    "dropout": "put a SpatialDropout1D layer after the Embedding",
    "output_dim": "use filters=",
}

# Keras 1 layer names -> the Keras 2+ layer. Keras 3 still has the Convolution*D and
# SeparableConvolution2D aliases; the others are gone from it (checked on keras 3.15.1).
KERAS1_LAYER_NAMES = {"Convolution1D": "Conv1D", "Convolution2D": "Conv2D", "Convolution3D": "Conv3D",
                      "SeparableConvolution2D": "SeparableConv2D", "Deconvolution2D": "Conv2DTranspose",
                      "Deconvolution3D": "Conv3DTranspose", "AtrousConvolution1D": "Conv1D",
                      "AtrousConvolution2D": "Conv2D"}
REMOVED_LAYER_NAMES = {"Deconvolution2D", "Deconvolution3D", "AtrousConvolution1D", "AtrousConvolution2D"}

# fit/evaluate/predict and the generator methods (Keras 2's legacy_generator_methods_support).
FIT_ARGUMENTS = {"nb_epoch": "epochs", "samples_per_epoch": None, "nb_val_samples": None, "val_samples": None,
                 "show_accuracy": DROP, "nb_worker": "workers", "max_q_size": "max_queue_size",
                 "pickle_safe": "use_multiprocessing"}
FIT_ADVICE = {
    "samples_per_epoch": "Keras 2+ counts batches: steps_per_epoch = samples_per_epoch // batch_size",
    "nb_val_samples": "Keras 2+ counts batches: validation_steps = nb_val_samples // batch_size",
    "val_samples": "Keras 2+ counts batches: steps = val_samples // batch_size",
}
FIT_METHODS = {"fit", "evaluate", "predict", "fit_generator", "evaluate_generator", "predict_generator",
               "train_on_batch", "test_on_batch"}
SKLEARN_WRAPPERS = {"KerasClassifier", "KerasRegressor"}

# Optimizer defaults in Keras 2.x (keras/optimizers.py), for a decay schedule that starts where it did.
KERAS2_DEFAULT_LEARNING_RATE = {"SGD": 0.01, "RMSprop": 0.001, "Adagrad": 0.01, "Adadelta": 1.0, "Adam": 0.001,
                                "Adamax": 0.002, "Nadam": 0.002}

# Model methods: the one that replaces each, or None when the replacement depends on the output.
REMOVED_METHODS = {"fit_generator": "fit", "evaluate_generator": "evaluate", "predict_generator": "predict",
                   "predict_proba": "predict", "predict_classes": None}
GENERATOR_METHODS = {"fit_generator", "evaluate_generator", "predict_generator"}
# What the Keras 3 methods accept as keywords, for the generator-method rename (the others, workers= and the like,
# moved to PyDataset: such a call is not fixed).
METHOD_KEYWORDS = {
    "fit": {"steps_per_epoch", "epochs", "verbose", "callbacks", "validation_data", "validation_steps",
            "validation_freq", "class_weight", "initial_epoch", "shuffle"},
    "evaluate": {"steps", "callbacks", "verbose"},
    "predict": {"steps", "callbacks", "verbose"},
}

MODEL_ARGUMENTS = {"input": "inputs", "output": "outputs"}

# Keras 1 merge(mode=...) -> the Keras 2+ functional layer.
MERGE_MODES = {"concat": "concatenate", "sum": "add", "mul": "multiply", "ave": "average", "max": "maximum",
               "dot": "dot", "cos": "dot"}
# merge()'s keywords the function of its mode takes under another name; the others go, but `inputs`/`layers`/`name`.
MERGE_RENAMED = {"concatenate": {"concat_axis": "axis"}, "dot": {"dot_axes": "axes"}}

CONV2D_LIKE = {"Conv2D", "Convolution2D", "SeparableConv2D", "SeparableConvolution2D", "Conv2DTranspose",
               "Deconvolution2D", "AtrousConvolution2D"}
CONV3D_LIKE = {"Conv3D", "Convolution3D", "Conv3DTranspose", "Deconvolution3D"}

_KERAS2_THEN_3 = "Keras 2 warned, Keras 3 raises"


# ---------------------------------------------------------------- reading CallFacts


def keras_short_name(call) -> Optional[str]:
    """'Conv2D' for a call of a Keras name, None for anything else."""
    path = knowledge.keras_path(call.qualified_name)
    if path is None:
        return None
    return path.rsplit(".", 1)[-1]


def layer_name(call) -> Optional[str]:
    path = knowledge.keras_path(call.qualified_name)
    if path is None or not path.startswith("layers."):
        return None
    return path.rsplit(".", 1)[-1]


def method_name(call) -> Optional[str]:
    """The method of `model.fit(...)`-like calls (receiver unresolved or Keras)."""
    if "." not in call.qualified_name:
        return None
    return call.qualified_name.rsplit(".", 1)[-1]


def layer_arguments(layer: str) -> dict:
    return LAYER_ARGUMENTS.get(layer, GENERIC_ARGUMENTS)


# Convolution arguments Keras 1 did not have: a call using one is written for Keras 2+, so a third positional that
# differs from the second is the stride (`Conv2D(filters, 3, 1, padding="same")` in Keras 3 code). Equal numbers
# stay a finding there (`Conv2D(64, 5, 5, padding='same')`: a Keras 1 habit in tf.keras code).
KERAS2_CONV_KEYWORDS = frozenset({
    "padding", "strides", "data_format", "dilation_rate", "use_bias", "groups", "depth_multiplier",
    "kernel_initializer", "bias_initializer", "kernel_regularizer", "bias_regularizer", "kernel_constraint",
    "bias_constraint", "depthwise_initializer", "pointwise_initializer", "depthwise_regularizer",
    "pointwise_regularizer", "depthwise_constraint", "pointwise_constraint",
})


def positional_kernel(call, layer: str) -> bool:
    """Conv2D(32, 3, 3) / Conv3D(32, 3, 3, 3): Keras 1's separate kernel sizes as positionals."""
    size = 3 if layer in CONV3D_LIKE else 2 if layer in CONV2D_LIKE else 0
    if not size or call.positional_count != size + 1 or "kernel_size" in call.keywords:
        return False
    values = call.positional_values[1:size + 1]
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return False
    if all(v == 1 for v in values):
        return False  # kernel 1 and stride 1, or Keras 1's 1x1 kernel: the same layer either way
    # Keras 2+ code passing a stride that differs from the kernel size (`Conv2D(f, 3, 1, padding="same")`)
    return not (KERAS2_CONV_KEYWORDS.intersection(call.keywords) and len(set(values)) > 1)


# ---------------------------------------------------------------- targets


def _keras2_api(target) -> bool:
    """The Keras 2 spelling works on the target (every Keras but 1.x)."""
    return not target.known or not (target.package == "keras" and target.version < (2,))


def _learning_rate_api(target) -> bool:
    """`learning_rate=` exists: keras 2.3+, tf.keras in TF 2+, tf_keras."""
    if not target.known:
        return True
    if target.package == "keras":
        return target.version >= (2, 3)
    if target.package == "tensorflow":
        return target.version >= (2,)
    return True


def _fit_takes_generators(target) -> bool:
    """fit() takes a generator: tf.keras from TF 2.1, keras 2.4+ (a tf.keras wrapper), Keras 3."""
    if not target.known:
        return True
    if target.package == "keras":
        return target.version >= (2, 4)
    if target.package == "tensorflow":
        return target.version >= (2, 1)
    return True


_SEQ = "from keras.models import Sequential\nfrom keras.layers import Dense, Conv1D, Conv2D, MaxPooling1D\nmodel = Sequential()\n"


# ---------------------------------------------------------------- fixes


def _rename(call, keyword: str, new: str) -> Optional[RenameKeyword]:
    """`keyword=` renamed to `new=`; None when `new=` is given too (the call would not parse)."""
    return None if new in call.keywords else RenameKeyword(call.keywords[keyword], new)


def _renamed_layer(call, layer: str, optional: bool = True) -> tuple:
    """The Keras 2 name of a Keras 1 layer (Convolution2D -> Conv2D), imported as the file imports its layers."""
    new = KERAS1_LAYER_NAMES.get(layer)
    return (RenameCall(call.span, new, "layers", optional=optional),) if new else ()


def _through(first: Span, last: Span) -> Span:
    return Span(first.line, first.column, last.end_line, last.end_column)


def layer_argument_fix(call, layer: str, keyword: str) -> Optional[Fix]:
    """KC301's fix of one argument: its Keras 2 name (Keras 2's own conversion), the layer's Keras 2 name too."""
    if keyword in ("nb_row", "nb_col"):
        return _kernel_from_rows_and_columns(call, layer)
    new = (TOKENIZER_ARGUMENTS if layer == "Tokenizer" else layer_arguments(layer)).get(keyword)
    if not new:
        return None
    rename = _rename(call, keyword, new)
    if rename is None:
        return None
    changes = [rename]
    if keyword in VALUE_CONVERSIONS:
        conversions = VALUE_CONVERSIONS[keyword]
        value = call.keyword_values.get(keyword)
        if not isinstance(value, str) or value not in conversions:
            return None
        converted = conversions[value]
        span = call.keyword_value_spans[keyword]
        changes.append(ReplaceCode(span, "None") if converted is None else ReplaceString(span, converted))
    return Fix.safe(f"Rename {keyword}= to {new}=", *changes, *_renamed_layer(call, layer))


def _kernel_from_rows_and_columns(call, layer: str) -> Optional[Fix]:
    """Convolution2D(32, nb_row=3, nb_col=3) -> Conv2D(32, kernel_size=(3, 3))."""
    if "nb_col" not in call.keywords or call.has_star or "kernel_size" in call.keywords:
        return None
    columns = call.keyword_value_spans["nb_col"]
    if "nb_row" in call.keywords:
        if call.positional_count > 1:
            return None
        kernel = ReplaceCode(call.keywords["nb_row"], "kernel_size=({0}, {1})",
                             (call.keyword_value_spans["nb_row"], columns))
    else:
        if call.positional_count != 2:
            return None
        rows = call.positional_spans[1]
        kernel = ReplaceCode(rows, "({0}, {1})", (rows, columns))
    return Fix.safe("Join nb_row and nb_col into kernel_size", kernel, RemoveArgument(call.keywords["nb_col"]),
                    *_renamed_layer(call, layer))


def fit_argument_fix(call, keyword: str) -> Optional[Fix]:
    """KC302's fix: the Keras 2 name, or no argument for one Keras 1 already ignored."""
    new = FIT_ARGUMENTS.get(keyword)
    if new == DROP:
        return Fix.safe(f"Remove {keyword}=", RemoveArgument(call.keywords[keyword]))
    rename = _rename(call, keyword, new) if new else None
    return Fix.safe(f"Rename {keyword}= to {new}=", rename) if rename is not None else None


def _is_zero(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value == 0


def decay_fix(call, optimizer: str) -> Optional[Fix]:
    """KC303's fix of decay=: Keras 2's decay, lr / (1 + decay * iterations), is InverseTimeDecay with
    decay_steps=1 (unsafe: callbacks cannot change a schedule); decay=0 simply goes (safe)."""
    decay = call.keywords["decay"]
    if _is_zero(call.keyword_values.get("decay")):
        return Fix.safe("Remove decay=0", RemoveArgument(decay))
    if call.has_star:
        return None  # *args may hold the learning rate
    schedule = KerasName("optimizers.schedules.InverseTimeDecay")
    decay_value = call.keyword_value_spans["decay"]
    rate = "lr" if "lr" in call.keywords else "learning_rate" if "learning_rate" in call.keywords else None
    if rate is not None:
        changes = (ReplaceCode(call.keywords[rate], "learning_rate={0}({1}, decay_steps=1, decay_rate={2})",
                               (schedule, call.keyword_value_spans[rate], decay_value)), RemoveArgument(decay))
    elif call.positional_count:
        first = call.positional_spans[0]
        changes = (ReplaceCode(first, "{0}({1}, decay_steps=1, decay_rate={2})", (schedule, first, decay_value)),
                   RemoveArgument(decay))
    elif optimizer in KERAS2_DEFAULT_LEARNING_RATE:
        initial = repr(KERAS2_DEFAULT_LEARNING_RATE[optimizer])
        changes = (ReplaceCode(decay, "learning_rate={0}(%s, decay_steps=1, decay_rate={1})" % initial,
                               (schedule, decay_value)),)
    else:
        return None
    return Fix.unsafe("Replace decay= with an InverseTimeDecay learning-rate schedule", *changes)


def removed_method_fix(call, method: str) -> Optional[Fix]:
    """KC304's fix: the method that replaced it, where the call passes what the new method takes."""
    new = REMOVED_METHODS.get(method)
    if new is None:
        return None
    changes = [RenameCall(call.span, new)]
    if method in GENERATOR_METHODS:
        positional = call.positional_count
        if positional > 1 or call.has_star:
            return None  # Keras 1 and Keras 2 disagree on what the second positional is
        for keyword in call.keywords:
            if keyword == "generator":
                rename = _rename(call, "generator", "x")
                if rename is None:
                    return None
                changes.append(rename)
            elif keyword not in METHOD_KEYWORDS[new]:
                return None  # workers=, use_multiprocessing=, ...: Keras 3 moved them to PyDataset
    return Fix.safe(f"Replace {method}() with {new}()", *changes)


def positional_kernel_fix(call, layer: str) -> Optional[Fix]:
    """KC305's fix: the sizes joined into the kernel-size tuple Keras 1 meant."""
    if call.has_star:
        return None
    sizes = call.positional_spans[1:]
    kernel = "(" + ", ".join(str(value) for value in call.positional_values[1:]) + ")"
    template = "(" + ", ".join("{%d}" % index for index in range(len(sizes))) + ")"
    return Fix.safe(f"Write the kernel size as a tuple: {kernel}",
                    ReplaceCode(_through(sizes[0], sizes[-1]), template, tuple(sizes)), *_renamed_layer(call, layer))


def merge_fix(call) -> Optional[Fix]:
    """KC307's fix: merge(inputs, mode=...) with a literal mode becomes the function of that mode."""
    if call.has_star:
        return None
    if "mode" in call.keywords:
        mode = call.keyword_values.get("mode")
        if mode not in MERGE_MODES:
            return None
    else:
        mode = "sum"  # Keras 1's default
    function = MERGE_MODES[mode]
    renamed = MERGE_RENAMED.get(function, {})
    changes = [RenameCall(call.span, function, "layers")]
    for keyword, span in call.keywords.items():
        if keyword in ("inputs", "name"):
            continue
        if keyword == "layers":
            changes.append(RenameKeyword(span, "inputs"))
        elif keyword in renamed:
            changes.append(RenameKeyword(span, renamed[keyword]))
        elif keyword in ("mode", "concat_axis", "dot_axes"):
            changes.append(RemoveArgument(span))
        else:
            return None  # output_shape=, arguments=, ...: no mechanical equivalent
    if function == "dot" and "dot_axes" not in call.keywords:
        changes.append(SetArgument(call.span, "axes", "-1"))  # Keras 1's default
    if mode == "cos":
        changes.append(SetArgument(call.span, "normalize", "True"))
    return Fix.safe(f"Replace merge(mode='{mode}') with {function}()", *changes)


# ---------------------------------------------------------------- rules


class Keras1LayerArgument(Rule):
    """
    ## What it does
    Flags Keras 1 layer arguments: `nb_filter`, `filter_length`, `border_mode`,
    `pool_length`, `subsample_length`, `subsample`, `output_dim`, `init`,
    `W_regularizer`, `b_regularizer`, `W_constraint`, `b_constraint`, `dim_ordering`,
    `nb_row`/`nb_col` and the other arguments Keras 2 renamed, `Tokenizer(nb_words=)`,
    and the Keras 1 layers Keras 3 no longer has (`Deconvolution2D`,
    `AtrousConvolution2D`, ...).

    ## Why is this bad?
    Keras 2.0–2.3 converted these with a warning ("Update your `Conv1D` call to the
    Keras 2 API"). Keras 3 raises: `Conv1D(nb_filter=32, filter_length=4)` is a
    `TypeError` (the required `filters` is missing), `MaxPooling1D(pool_length=2)` a
    `ValueError: Unrecognized keyword arguments`. The model does not build.

    ## Example
    ```python
    model.add(Conv1D(nb_filter=32, filter_length=4, border_mode='valid', activation='relu'))
    model.add(MaxPooling1D(pool_length=2))
    ```

    ## Use instead
    ```python
    model.add(Conv1D(filters=32, kernel_size=4, padding='valid', activation='relu'))
    model.add(MaxPooling1D(pool_size=2))
    ```

    ## Fix safety
    Safe: each argument is renamed to the Keras 2 argument Keras 2 itself converted it
    to (`dim_ordering='th'` becomes `data_format='channels_first'`, `nb_row`/`nb_col`
    become `kernel_size=(rows, cols)`), and a Keras 1 layer name becomes its Keras 2
    name (`Convolution2D` → `Conv2D`, importing it like the file imports its layers).
    Arguments without a 1:1 equivalent (`consume_less`, `forget_bias_init`,
    `output_shape`, ...) are reported without a fix.
    """

    code = "KC301"
    name = "keras1-layer-argument"
    summary = "A Keras 1 layer argument or layer name"
    fix_safety = "safe"
    fires = (
        _SEQ + "model.add(Conv1D(nb_filter=32, filter_length=4, border_mode='valid'))\n",
        _SEQ + "model.add(MaxPooling1D(pool_length=2))\n",
        "import tensorflow as tf\nlayer = tf.keras.layers.Dense(output_dim=10, init='uniform')\n",
        "model.add(Convolution2D(32, 3, 3, dim_ordering='th'))\n",  # a pasted snippet, no imports
        "from keras.preprocessing.text import Tokenizer\ntokenizer = Tokenizer(nb_words=20000)\n",
        "from keras.layers import Deconvolution2D\nlayer = Deconvolution2D(16, (3, 3))\n",
    )
    passes = (
        _SEQ + "model.add(Conv1D(filters=32, kernel_size=4, padding='valid'))\n",
        "from keras.layers import Embedding\nlayer = Embedding(1000, output_dim=64)\n",
        "# kerascheck: keras-version=1.2.2\n" + _SEQ + "model.add(Conv1D(nb_filter=32, filter_length=4))\n",
        "from mylib import Conv1D\nlayer = Conv1D(nb_filter=32)\n",
    )

    def check_calls(self, facts, target):
        if not _keras2_api(target):
            return
        for call in facts.calls:
            layer = layer_name(call)
            if layer is not None:
                if layer in REMOVED_LAYER_NAMES:
                    new = KERAS1_LAYER_NAMES[layer]
                    yield Report(call.span, f"{layer} is the Keras 1 name of {new}: Keras 3 no longer has it "
                                            f"(ImportError/AttributeError); use {new}",
                                 fix=Fix.safe(f"Rename {layer} to {new}", *_renamed_layer(call, layer, optional=False)))
                table = layer_arguments(layer)
                for keyword, span in call.keywords.items():
                    if keyword in table:
                        yield Report(span, self._message(layer, keyword, table[keyword]),
                                     fix=layer_argument_fix(call, layer, keyword))
            elif keras_short_name(call) == "Tokenizer":
                for keyword, span in call.keywords.items():
                    if keyword in TOKENIZER_ARGUMENTS:
                        yield Report(span, "`nb_words` is the Keras 1 name of `num_words` in Tokenizer (Keras 3 has no "
                                           "Tokenizer: keras.layers.TextVectorization); use num_words=",
                                     fix=layer_argument_fix(call, "Tokenizer", keyword))

    @staticmethod
    def _message(layer: str, keyword: str, new: Optional[str]) -> str:
        if new:
            return f"`{keyword}` is the Keras 1 name of `{new}` in {layer}: {_KERAS2_THEN_3}; use {new}="
        advice = NO_RENAME_ADVICE.get(keyword, "see the Keras 2 release notes")
        return (f"`{keyword}` is a Keras 1 argument of {layer} with no same-named Keras 2 equivalent: Keras 3 "
                f"raises (TypeError/ValueError); {advice}")


class Keras1FitArgument(Rule):
    """
    ## What it does
    Flags Keras 1 arguments of `fit`, `evaluate`, `predict` and the generator
    methods: `nb_epoch`, `samples_per_epoch`, `nb_val_samples`, `show_accuracy`,
    `nb_worker`, `max_q_size`, `pickle_safe` — also `nb_epoch` given to the
    scikit-learn wrappers (`KerasClassifier`, `KerasRegressor`), which pass it on
    to `fit`.

    ## Why is this bad?
    Keras 2.0–2.3 converted them with a warning; Keras 3 raises
    `TypeError: fit() got an unexpected keyword argument 'nb_epoch'`, after the
    data has loaded and the model has been built.

    ## Example
    ```python
    model.fit(x_train, y_train, batch_size=128, nb_epoch=10, show_accuracy=True)
    ```

    ## Use instead
    ```python
    model.fit(x_train, y_train, batch_size=128, epochs=10)
    ```

    ## Fix safety
    Safe: `nb_epoch` becomes `epochs` (and the other 1:1 renames); `show_accuracy`,
    which Keras 1 already ignored, is removed. `samples_per_epoch` and the other
    sample counts are not fixed: Keras 2 counts batches, so the value must be divided
    by the batch size.
    """

    code = "KC302"
    name = "keras1-fit-argument"
    summary = "A Keras 1 argument of fit/evaluate"
    fix_safety = "safe"
    fires = (
        _SEQ + "model.fit(x, y, batch_size=32, nb_epoch=10)\n",
        _SEQ + "model.evaluate(x, y, show_accuracy=True)\n",
        "from keras.wrappers.scikit_learn import KerasClassifier\nclf = KerasClassifier(build_fn=make, nb_epoch=150)\n",
        "import keras\ndef train(net, gen):\n    net.fit_generator(gen, samples_per_epoch=1000, nb_epoch=5)\n",
    )
    passes = (
        _SEQ + "model.fit(x, y, batch_size=32, epochs=10)\n",
        "import numpy as np\nfrom sklearn.svm import SVC\nSVC().fit(x, y)\nnp.polyfit(x, y, 2)\n",
        "# kerascheck: keras-version=1.2\n" + _SEQ + "model.fit(x, y, nb_epoch=10)\n",
    )

    def check_calls(self, facts, target):
        if not _keras2_api(target):
            return
        for call in facts.calls:
            method = method_name(call)
            short = call.qualified_name.rsplit(".", 1)[-1]
            if short in SKLEARN_WRAPPERS:
                span = call.keywords.get("nb_epoch")
                if span is not None:
                    yield Report(span, f"`nb_epoch` is the Keras 1 name of `epochs`: {short} passes it on to fit(), "
                                       f"where {_KERAS2_THEN_3} TypeError; use epochs=",
                                 fix=fit_argument_fix(call, "nb_epoch"))
                continue
            if method not in FIT_METHODS:
                continue
            for keyword, span in call.keywords.items():
                if keyword not in FIT_ARGUMENTS:
                    continue
                new = FIT_ARGUMENTS[keyword]
                if new:
                    what = f"the Keras 1 name of `{new}`: {_KERAS2_THEN_3} TypeError; use {new}="
                elif new == DROP:
                    what = ("a Keras 1 switch that Keras 1 itself ignored with a warning (accuracy is a compile() "
                            "metric); Keras 2+ raises TypeError: remove it")
                else:
                    what = f"a Keras 1 sample count: Keras 3 raises TypeError, and {FIT_ADVICE[keyword]}"
                yield Report(span, f"`{keyword}` in {method}() is {what}", fix=fit_argument_fix(call, keyword))


class RemovedOptimizerArgument(Rule):
    """
    ## What it does
    Flags `lr=` and `decay=` on a Keras optimizer.

    ## Why is this bad?
    `lr` is the pre-2.3 name of `learning_rate`: Keras 3 raises
    `ValueError: Argument(s) not recognized: {'lr': 0.01}`. `decay` is worse:
    TensorFlow 2.11+ raises, and Keras 3 only warns "Argument `decay` is no longer
    supported and will be ignored" (measured on keras 3.15.1) and trains with a
    constant learning rate.

    ## Example
    ```python
    sgd = SGD(lr=0.01, decay=1e-6, momentum=0.9, nesterov=True)
    ```

    ## Use instead
    ```python
    sgd = SGD(learning_rate=InverseTimeDecay(0.01, decay_steps=1, decay_rate=1e-6), momentum=0.9, nesterov=True)
    ```

    ## Fix safety
    `lr` → `learning_rate` is safe. Replacing `decay` by the `InverseTimeDecay`
    schedule is the same learning rate as Keras 2's decay (`lr / (1 + decay * step)`),
    but unsafe: a schedule cannot be changed by callbacks such as `ReduceLROnPlateau`.
    `decay=0` is simply removed (safe).
    """

    code = "KC303"
    name = "removed-optimizer-argument"
    summary = "lr= or decay= on a Keras optimizer"
    fix_safety = "safe"
    fires = (
        "from keras.optimizers import SGD\nsgd = SGD(lr=0.01, decay=1e-6, momentum=0.9)\n",
        "import tensorflow as tf\nopt = tf.keras.optimizers.Adam(lr=1e-4)\n",
        "model = Sequential()\nmodel.compile(optimizer=RMSprop(lr=0.001), loss='mse')\n",  # a snippet
    )
    passes = (
        "from keras.optimizers import SGD\nsgd = SGD(learning_rate=0.01, momentum=0.9)\n",
        "import torch\nopt = torch.optim.SGD(params, lr=0.01)\n",
        "# kerascheck: keras-version=2.2.4\nfrom keras.optimizers import SGD\nsgd = SGD(lr=0.01)\n",
    )

    def check_calls(self, facts, target):
        if not _learning_rate_api(target):
            return
        for call in facts.calls:
            path = knowledge.keras_path(call.qualified_name)
            if path is None or not path.startswith("optimizers.") or path.startswith("optimizers.schedules."):
                continue
            optimizer = path.rsplit(".", 1)[-1]
            if "lr" in call.keywords:
                rename = _rename(call, "lr", "learning_rate")
                yield Report(call.keywords["lr"], f"`lr` is the old name of `learning_rate` in {optimizer}: Keras 3 raises "
                                                  f"ValueError (Argument(s) not recognized); use learning_rate=",
                             fix=Fix.safe("Rename lr= to learning_rate=", rename) if rename is not None else None)
            if "decay" in call.keywords:
                yield Report(call.keywords["decay"], f"`decay` in {optimizer}: Keras 3 ignores it (TF 2.11+ raises); use "
                                                     f"learning_rate=keras.optimizers.schedules.InverseTimeDecay("
                                                     f"lr, decay_steps=1, decay_rate=decay)",
                             fix=decay_fix(call, optimizer))


class RemovedTrainingMethod(Rule):
    """
    ## What it does
    Flags `fit_generator`, `evaluate_generator` and `predict_generator` (removed in
    Keras 3), and `predict_classes` and `predict_proba` (removed in TensorFlow 2.6 /
    Keras 2.6).

    ## Why is this bad?
    The call raises `AttributeError: 'Sequential' object has no attribute
    'fit_generator'` — after the data pipeline and the model have been built.

    ## Example
    ```python
    model.fit_generator(train_gen, steps_per_epoch=100, epochs=10)
    classes = model.predict_classes(x_test)
    ```

    ## Use instead
    ```python
    model.fit(train_gen, steps_per_epoch=100, epochs=10)
    classes = np.argmax(model.predict(x_test), axis=-1)  # (model.predict(x) > 0.5) for a sigmoid output
    ```

    ## Fix safety
    Safe: `fit_generator` → `fit`, `evaluate_generator` → `evaluate`,
    `predict_generator` → `predict` (when the call passes only the generator
    positionally and keywords the new method accepts, so `workers=` and the like are
    not fixed: Keras 3 moved them to `PyDataset`), and `predict_proba` → `predict`
    (it returned `predict`'s output). `predict_classes` is not fixed: argmax or a
    threshold depends on the output.
    """

    code = "KC304"
    name = "removed-training-method"
    summary = "fit_generator, predict_classes and other removed Model methods"
    fix_safety = "safe"
    fires = (
        _SEQ + "model.fit_generator(gen, steps_per_epoch=10, epochs=2)\n",
        _SEQ + "labels = model.predict_classes(x)\n",
        "import keras\ndef run(m, gen):\n    return m.predict_generator(gen, steps=5)\n",
        # a Keras model subclass calling the removed method it does not define
        "import keras\nclass Net(keras.Model):\n    def run(self, gen):\n        return self.predict_generator(gen)\n",
        "import keras\nclass Net(keras.Model):\n    def run(self, gen):\n        return super().predict_generator(gen)\n",
        # a Keras spelling knowledge does not list is still not "surely not Keras"
        "import tensorflow as tf\nfrom tensorflow.compat.v1.keras.models import Model\nclass Net(Model):\n"
        "    def fit_generator(self, gen):\n        return super(Net, self).fit_generator(gen)\n",
        _SEQ + "from sklearn.linear_model import LogisticRegression\nclf = LogisticRegression()\n"
               "scores = model.predict_proba(x)\n",
    )
    passes = (
        _SEQ + "model.fit(gen, steps_per_epoch=10, epochs=2)\n",
        "# kerascheck: keras-version=2.3.1\n" + _SEQ + "model.fit_generator(gen, steps_per_epoch=10, epochs=2)\n",
        # scikit-learn's own predict_proba, in a file that also uses Keras (seen on real code)
        _SEQ + "from sklearn.linear_model import LogisticRegression\n"
               "scores = LogisticRegression(C=1.0).fit(x, y).predict_proba(x)\n",
        _SEQ + "import sklearn.ensemble\nforest = sklearn.ensemble.RandomForestClassifier()\nforest.fit(x, y)\n"
               "scores = forest.predict_proba(x)\n",
        _SEQ + "from keras.wrappers.scikit_learn import KerasClassifier\nclf = KerasClassifier(build_fn=make)\n"
               "scores = clf.predict_proba(x)\n",
        # a class's own method of the same name
        "import keras\nclass Runner:\n    def predict_generator(self, gen):\n        return [self.net.predict(g) for g in gen]\n"
        "    def run(self, gen):\n        return self.predict_generator(gen)\n",
        # the base class's own method, in a class with no Keras base (a PyTorch estimator)
        "import keras\nfrom art.estimators.pytorch import PyTorchEstimator\nclass Trainer(PyTorchEstimator):\n"
        "    def fit_generator(self, gen, nb_epochs=2):\n        super().fit_generator(gen, nb_epochs=nb_epochs)\n",
        # an sklearn-style estimator (aeon, sktime) calling the predict_proba its base class defines
        "import keras\nfrom aeon.classification.base import BaseClassifier\nclass Deep(BaseClassifier):\n"
        "    def _predict(self, X):\n        return self.predict_proba(X).argmax(axis=1)\n",
        # a file that never says Keras: a model-like method there is not a Keras model's
        "import torch\ntrainer.fit_generator(data, nb_epochs=30)\n",
    )

    def check_calls(self, facts, target):
        for call in facts.calls:
            method = method_name(call)
            if method not in REMOVED_METHODS:
                continue
            if method in GENERATOR_METHODS and not _fit_takes_generators(target):
                continue
            new = REMOVED_METHODS[method]
            if method in GENERATOR_METHODS:
                yield Report(call.span, f"{method}() was removed in Keras 3 (AttributeError); {new}() takes the "
                                        f"generator (tf.keras from TF 2.1 on): use {new}()",
                             fix=removed_method_fix(call, method))
            elif new:
                yield Report(call.span, f"{method}() was removed in TensorFlow 2.6 / Keras 2.6 (AttributeError); it "
                                        f"returned predict()'s output: use {new}()", fix=removed_method_fix(call, method))
            else:
                yield Report(call.span, f"{method}() was removed in TensorFlow 2.6 / Keras 2.6 (AttributeError); use "
                                        f"np.argmax(model.predict(x), axis=-1) for a softmax output, or "
                                        f"(model.predict(x) > 0.5).astype('int32') for a sigmoid output")


class Keras1PositionalKernel(Rule):
    """
    ## What it does
    Flags a convolution called Keras 1 style, with its kernel size as separate
    positional numbers: `Convolution2D(32, 3, 3)`, `Conv2D(32, 3, 3)`,
    `Convolution3D(16, 3, 3, 3)`. Not flagged: sizes that are all 1 (the same layer
    either way), and a call that also passes an argument Keras 1 did not have
    (`padding=`, `data_format=`, `use_bias=`, ...) with a third number that differs from
    the second (Keras 2+ code passing its stride, `Conv2D(64, 3, 1, padding='same')`).

    ## Why is this bad?
    Keras 1 read `(filters, rows, cols)`. tf.keras and Keras 3 read
    `(filters, kernel_size, strides)`: the third number silently becomes the stride
    (measured on keras 3.15.1: `Conv2D(32, 3, 3)` has kernel (3, 3) and strides
    (3, 3)). The model builds, with a feature map nine times smaller. (Keras 2.0–2.3
    still converted the Keras 1 call, with a warning; the 3D form raises on Keras 3.)

    ## Example
    ```python
    model.add(Convolution2D(32, 3, 3, input_shape=(28, 28, 1)))
    ```

    ## Use instead
    ```python
    model.add(Conv2D(32, (3, 3), input_shape=(28, 28, 1)))
    ```

    ## Fix safety
    Safe: the sizes are joined into the kernel-size tuple Keras 1 meant, and a Keras 1
    layer name becomes its Keras 2 name.
    """

    code = "KC305"
    name = "keras1-positional-kernel"
    summary = "Conv2D(32, 3, 3): Keras 1 kernel sizes read as a stride"
    fix_safety = "safe"
    fires = (
        "from keras.layers import Convolution2D\nlayer = Convolution2D(32, 3, 3, border_mode='same')\n",
        "import tensorflow as tf\nlayer = tf.keras.layers.Conv2D(64, 5, 5)\n",
        "kernel_size = (3, 3)\nlayer = Convolution2D(32, kernel_size[0], kernel_size[1])\n",
        "from keras.layers import Convolution3D\nlayer = Convolution3D(8, 3, 3, 3)\n",
    )
    passes = (
        "from keras.layers import Conv2D\nlayer = Conv2D(32, (3, 3), 2)\n",
        "from keras.layers import Conv2D\nlayer = Conv2D(32, 3, strides=2)\n",
        "from keras.layers import Conv2D\nlayer = Conv2D(32, k, s)\n",
        # Keras 2+ code (padding=, data_format=, use_bias= did not exist in Keras 1): the third number is the stride
        "import keras\nlayer = keras.layers.Conv2D(64, 3, 1, padding='same', data_format=fmt)\n",
        "import tensorflow as tf\nlayer = tf.keras.layers.Conv2D(6, 3, 2, use_bias=False)\n",
        "from keras.layers import Conv2D\nlayer = Conv2D(192, 1, 1)\n",
        "# kerascheck: keras-version=1.2.2\nfrom keras.layers import Convolution2D\nlayer = Convolution2D(32, 3, 3)\n",
    )

    def check_calls(self, facts, target):
        if not _keras2_api(target):
            return
        for call in facts.calls:
            layer = layer_name(call)
            if layer is None or not positional_kernel(call, layer):
                continue
            values = call.positional_values
            filters = values[0] if values[0] is not None else "filters"
            kernel = ", ".join(str(v) for v in values[1:])
            if layer in CONV3D_LIKE:
                what = ("tf.keras and Keras 3 read them as (kernel_size, strides, padding), and Keras 3 raises "
                        "(measured: AttributeError on the integer padding)")
            else:
                what = (f"tf.keras and Keras 3 read the last one as the stride, silently (kernel ({values[1]}, "
                        f"{values[1]}), strides ({values[2]}, {values[2]}))")
            yield Report(call.positional_spans[2], f"{layer}({filters}, {kernel}) is Keras 1's kernel size as separate "
                                                   f"numbers: {what}; write the kernel as a tuple: ({kernel})",
                         fix=positional_kernel_fix(call, layer))


class Keras1ModelArgument(Rule):
    """
    ## What it does
    Flags `Model(input=..., output=...)`, the Keras 1 names of `inputs` and `outputs`.

    ## Why is this bad?
    Keras 2.0–2.3 converted them with a warning. Keras 3 raises
    `ValueError: Unrecognized keyword arguments passed to Model: {'input': ...}`.

    ## Example
    ```python
    model = Model(input=inputs, output=predictions)
    ```

    ## Use instead
    ```python
    model = Model(inputs=inputs, outputs=predictions)
    ```

    ## Fix safety
    Safe: a rename.
    """

    code = "KC306"
    name = "keras1-model-argument"
    summary = "Model(input=, output=)"
    fix_safety = "safe"
    fires = (
        "from keras.models import Model\nmodel = Model(input=a, output=b)\n",
        "import tensorflow as tf\nmodel = tf.keras.Model(input=a, outputs=b)\n",
    )
    passes = (
        "from keras.models import Model\nmodel = Model(inputs=a, outputs=b)\n",
        "from keras.models import Model\nmodel = Model(a, b)\n",
    )

    def check_calls(self, facts, target):
        if not _keras2_api(target):
            return
        for call in facts.calls:
            if keras_short_name(call) not in ("Model", "Functional"):
                continue
            for keyword, new in MODEL_ARGUMENTS.items():
                if keyword in call.keywords and new not in call.keywords:
                    yield Report(call.keywords[keyword], f"`{keyword}` is the Keras 1 name of `{new}` in Model: "
                                                         f"{_KERAS2_THEN_3} ValueError (Unrecognized keyword "
                                                         f"arguments); use {new}=",
                                 fix=Fix.safe(f"Rename {keyword}= to {new}=", RenameKeyword(call.keywords[keyword], new)))


class RemovedMergeLayer(Rule):
    """
    ## What it does
    Flags Keras 1's `Merge` layer and `merge(...)` function.

    ## Why is this bad?
    Both were removed in Keras 2.2 (`ImportError: cannot import name 'merge'`).
    Keras 2 has one layer per mode: `Concatenate`/`concatenate`, `Add`/`add`,
    `Multiply`, `Average`, `Maximum`, `Dot`.

    ## Example
    ```python
    merged = merge([left, right], mode='concat', concat_axis=-1)
    ```

    ## Use instead
    ```python
    merged = concatenate([left, right], axis=-1)
    ```

    ## Fix safety
    Safe: `merge(inputs, mode=...)` with a literal mode becomes the function of that
    mode (`concat_axis` → `axis`, `dot_axes` → `axes`, `mode='cos'` →
    `dot(..., normalize=True)`), imported like the file imports its layers; the
    `merge` import goes when nothing else uses it. `Merge([model_a, model_b])` of two
    Sequential models needs the functional API and is not fixed; nor is a `mode`
    given as a function.
    """

    code = "KC307"
    name = "removed-merge-layer"
    summary = "Keras 1 Merge / merge()"
    fix_safety = "safe"
    fires = (
        "from keras.layers import merge\nx = merge([a, b], mode='concat')\n",
        "from keras.layers import Merge\nmodel.add(Merge([left, right], mode='sum'))\n",
    )
    passes = (
        "from keras.layers import concatenate\nx = concatenate([a, b])\n",
        "import pandas as pd\ndf = pd.merge(a, b)\n",
    )

    def check_calls(self, facts, target):
        if not _keras2_api(target):
            return
        for call in facts.calls:
            name = layer_name(call)
            if name == "merge":
                yield Report(call.span, "merge() is Keras 1's merge function, removed in Keras 2.2 (ImportError); use "
                                        "the function of the mode: concatenate(), add(), multiply(), average(), "
                                        "maximum() or dot()", fix=merge_fix(call))
            elif name == "Merge":
                yield Report(call.span, "Merge is Keras 1's merge layer, removed in Keras 2.2 (ImportError); build the "
                                        "model with the functional API and Concatenate(), Add(), Multiply(), ...")


# Layers that may sit between the input and the first convolution or pooling of an image model without
# changing which axis is which (the channels-first check looks through them).
_KEEP_AXES = ("pass", "activation", "normalization", "rescaling", "augmentation", "padding", "resize")
_CONV_MODEL = ("from keras.models import Sequential\nfrom keras.layers import Conv2D, MaxPooling2D, Flatten, Dense\n"
               "model = Sequential()\n")


def theano_ordered_input(check):
    """(InputFact, the first image layer) when the model declares a channels-first image input on a channels-last
    Keras (KC308), else None."""
    model, file = check.compile.model, check.file
    if model is None or (file is not None and file.sets_channels_first):
        return None
    if any(layer.data_format == "channels_first" for layer in model.layers):
        return None
    path = check.output.path
    image = None
    for layer in path:
        if layer.family in ("conv", "pool") and layer.spatial_dims in (2, 3):
            image = layer
            break
        if layer.family not in _KEEP_AXES:
            return None
    if image is None or not path or path[0].input_shape is None:
        return None
    for declared in model.inputs:
        shape = declared.shape
        if declared.span is None or declared.in_data_format_branch or getattr(declared, "path", None) is not None:
            continue  # declared in another module (reported there), or under a test of the data format
        if shape != path[0].input_shape or declared.keyword in ("input_dim", "input_length") or \
                len(shape) != image.spatial_dims + 2 or None in shape[1:]:
            continue
        # Channels (1 or 3) first, and the last two axes image-sized: (1, 1, 2048) may well be channels-last.
        if shape[1] in (1, 3) and shape[-1] > 4 and shape[-2] > 4:
            return declared, image
    return None


class ChannelsFirstInputShape(Rule):
    """
    ## What it does
    Flags an image model (a 2-D or 3-D convolution or pooling layer follows the
    input) whose declared input shape is in Theano's channels-first order,
    `input_shape=(1, 28, 28)` or `(3, 32, 32)`: the first axis is 1 or 3 and the
    last two are larger than 4, while no layer sets `data_format='channels_first'`
    and the file does not call `set_image_data_format('channels_first')` (or
    Keras 1's `set_image_dim_ordering('th')`). A shape chosen under a test of
    `K.image_data_format()` is the program's own choice and is not flagged; nor is
    anything when the target is Keras 1, whose Theano ordering was the default.

    ## Why is this bad?
    Keras 2 and later read the last axis as the channels: a `(1, 28, 28)` input is
    28 channels of 1×28 images. Measured on Keras 3.15.1 and 2.3.1: a 3×3 `'valid'`
    convolution or a 2×2 pooling over the axis of size 1 or 3 raises ("Computed
    output size would be zero or negative" on Keras 3, "Negative dimension size" on
    2.3.1); with `padding='same'` the model builds and trains on transposed images,
    silently. This is what a Keras 1 program still does after its arguments are
    renamed for Keras 3.

    ## Example
    ```python
    X_train = X_train.reshape(X_train.shape[0], 1, 28, 28)
    model.add(Conv2D(32, (3, 3), input_shape=(1, 28, 28)))
    ```

    ## Use instead
    ```python
    X_train = X_train.reshape(X_train.shape[0], 1, 28, 28)
    X_train = np.moveaxis(X_train, 1, -1)  # (N, 28, 28, 1)
    model.add(Conv2D(32, (3, 3), input_shape=(28, 28, 1)))
    ```
    (`data_format='channels_first'` on every layer also reads the axes right, but
    measured on Keras 3.15.1 with TensorFlow on a CPU, training then fails:
    "Conv2DCustomBackpropFilterOp only supports NHWC".)

    ## Fix safety
    No fix: the data must be transposed too, and that code is elsewhere.
    """

    code = "KC308"
    name = "channels-first-input-shape"
    summary = "A channels-first (Theano-ordered) input shape on an image model"
    fires = (
        _CONV_MODEL + "model.add(Conv2D(32, (3, 3), input_shape=(1, 28, 28)))\nmodel.add(Flatten())\n"
                      "model.add(Dense(10, activation='softmax'))\nmodel.compile(loss='categorical_crossentropy')\n",
        "from keras.layers import Input, Conv2D, GlobalAveragePooling2D, Dense\nfrom keras.models import Model\n"
        "inputs = Input(shape=(3, 32, 32))\nx = Conv2D(16, 3, padding='same')(inputs)\n"
        "outputs = Dense(10, activation='softmax')(GlobalAveragePooling2D()(x))\n"
        "model = Model(inputs, outputs)\nmodel.compile(loss='categorical_crossentropy')\n",
    )
    passes = (
        _CONV_MODEL + "model.add(Conv2D(32, (3, 3), input_shape=(28, 28, 1)))\nmodel.add(Flatten())\n"
                      "model.add(Dense(10, activation='softmax'))\nmodel.compile(loss='categorical_crossentropy')\n",
        _CONV_MODEL + "model.add(Conv2D(32, (3, 3), input_shape=(3, 32, 32), data_format='channels_first'))\n"
                      "model.add(Flatten())\nmodel.add(Dense(10, activation='softmax'))\n"
                      "model.compile(loss='categorical_crossentropy')\n",
        "from keras import backend as K\n" + _CONV_MODEL + "K.set_image_dim_ordering('th')\n"
        "model.add(Conv2D(32, (3, 3), input_shape=(1, 28, 28)))\nmodel.add(Flatten())\n"
        "model.add(Dense(10, activation='softmax'))\nmodel.compile(loss='categorical_crossentropy')\n",
        "from keras import backend as K\n" + _CONV_MODEL + "if K.image_data_format() == 'channels_last':\n"
        "    shape = (28, 28, 1)\nelse:\n    shape = (1, 28, 28)\nmodel.add(Conv2D(32, (3, 3), input_shape=shape))\n"
        "model.add(Flatten())\nmodel.add(Dense(10, activation='softmax'))\nmodel.compile(loss='categorical_crossentropy')\n",
        "# kerascheck: keras-version=1.2.2\n" + _CONV_MODEL + "model.add(Conv2D(32, 3, 3, input_shape=(1, 28, 28)))\n"
        "model.add(Flatten())\nmodel.add(Dense(10, activation='softmax'))\nmodel.compile(loss='categorical_crossentropy')\n",
        # Not an image model: a Dense reads the whole vector whatever its order.
        "from keras.models import Sequential\nfrom keras.layers import Dense, Flatten\n"
        "model = Sequential([Flatten(input_shape=(1, 28, 28)), Dense(10, activation='softmax')])\n"
        "model.compile(loss='categorical_crossentropy')\n",
    )

    def check_output(self, check):
        target = check.target
        if target.known and target.package == "keras" and target.version < (2,):
            return
        found = theano_ordered_input(check)
        if found is None:
            return
        declared, image = found
        shape = declared.shape[1:]
        channels, spatial = shape[0], shape[1:]
        channels_last = (*spatial, channels)
        seen = "×".join(str(size) for size in (channels, *spatial[:-1]))
        yield Report(declared.span,
                     f"input shape {_tuple(shape)} is channels-first, but Keras 2+ reads the last axis as channels: "
                     f"the {image.kind} ({check.name_line(image.line)}) sees {spatial[-1]} channels of {seen} images "
                     f"and Keras raises (\"Computed output size would be zero or negative\") or trains on transposed "
                     f"images; declare {_tuple(channels_last)} and pass the data through np.moveaxis(x, 1, -1)")


def _tuple(values) -> str:
    return "(" + ", ".join(str(value) for value in values) + ("," if len(values) == 1 else "") + ")"
