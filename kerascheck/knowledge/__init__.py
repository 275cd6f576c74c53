"""What kerascheck knows about Keras's public names.

Everything here is data read off the real packages (see keras_names.py and
scripts/dump_keras_names.py) or the Keras sources cited in
shared/spec/keras-semantics.md. Extraction maps source spellings to these
canonical names; rules compare canonical names only.
"""

from __future__ import annotations

import re
from typing import Optional

from kerascheck.knowledge import keras_names

# Top-level packages under which Keras's public API lives, in every real spelling: TF 1's
# `tf.contrib.keras`, Keras 3's preview `keras_core` (and `tf.compat.v1.keras`: see keras_path).
KERAS_ROOTS = ("tensorflow.keras", "tensorflow.python.keras", "tf_keras", "keras", "tensorflow.contrib.keras",
               "keras_core")
# Sub-modules that do not change what a name means (keras.layers.core.Dense is keras.layers.Dense,
# tensorflow.contrib.keras.python.keras.layers.Dense and keras.api._v2.keras.layers.Dense too).
_KERAS_SUBMODULE = re.compile(r"^(?:src\.|api\.|_impl\.keras\.|python\.keras\.|_v[12]\.keras\.|_tf_keras\.keras\.)*")
# TensorFlow's compatibility namespaces: tf.compat.v1.nn.softmax is tf.nn.softmax.
_TF_COMPAT = re.compile(r"^tensorflow\.compat\.v[12]\.")


def normalize_tensorflow(qualified_name: str) -> str:
    """'tensorflow.compat.v1.nn.softmax' -> 'tensorflow.nn.softmax'."""
    return _TF_COMPAT.sub("tensorflow.", qualified_name) if qualified_name.startswith("tensorflow.compat.") \
        else qualified_name


def keras_path(qualified_name: str) -> Optional[str]:
    """'tensorflow.keras.layers.Dense' -> 'layers.Dense'; None when not Keras.

    TensorFlow's compatibility namespaces count: tf.compat.v1.keras is tf.keras."""
    if qualified_name.startswith("tensorflow.compat."):
        qualified_name = normalize_tensorflow(qualified_name)
    for root in KERAS_ROOTS:
        if qualified_name == root:
            return ""
        if qualified_name.startswith(root + "."):
            rest = _KERAS_SUBMODULE.sub("", qualified_name[len(root) + 1:])
            return rest
    return None


# ---------------------------------------------------------------- losses

# Every accepted spelling -> canonical function name.
_LOSS_ALIASES = {
    "bce": "binary_crossentropy",
    "BCE": "binary_crossentropy",
    "BinaryCrossentropy": "binary_crossentropy",
    "BinaryFocalCrossentropy": "binary_focal_crossentropy",
    "CategoricalCrossentropy": "categorical_crossentropy",
    "CategoricalFocalCrossentropy": "categorical_focal_crossentropy",
    "SparseCategoricalCrossentropy": "sparse_categorical_crossentropy",
    "mse": "mean_squared_error",
    "MSE": "mean_squared_error",
    "MeanSquaredError": "mean_squared_error",
    "mae": "mean_absolute_error",
    "MAE": "mean_absolute_error",
    "MeanAbsoluteError": "mean_absolute_error",
    "mape": "mean_absolute_percentage_error",
    "MAPE": "mean_absolute_percentage_error",
    "MeanAbsolutePercentageError": "mean_absolute_percentage_error",
    "msle": "mean_squared_logarithmic_error",
    "MSLE": "mean_squared_logarithmic_error",
    "MeanSquaredLogarithmicError": "mean_squared_logarithmic_error",
    "kld": "kl_divergence",
    "KLD": "kl_divergence",
    "KLDivergence": "kl_divergence",
    "kullback_leibler_divergence": "kl_divergence",
    "logcosh": "log_cosh",
    "LogCosh": "log_cosh",
    "Huber": "huber",
    "huber_loss": "huber",
    "Hinge": "hinge",
    "SquaredHinge": "squared_hinge",
    "CategoricalHinge": "categorical_hinge",
    "Poisson": "poisson",
    "CosineSimilarity": "cosine_similarity",
    "cosine": "cosine_similarity",
    "cosine_proximity": "cosine_similarity",
    "CTC": "ctc",
    "Dice": "dice",
    "Tversky": "tversky",
    "Circle": "circle",
    # Keras 3 compile() resolves these by output shape.
    "crossentropy": "crossentropy",
    "ce": "crossentropy",
}

ALL_LOSS_STRINGS = (keras_names.KERAS3_LOSSES | keras_names.TF_KERAS_LOSSES
                    | keras_names.KERAS2_LEGACY_LOSSES | {"crossentropy", "ce"})

BINARY_CROSSENTROPY = {"binary_crossentropy", "binary_focal_crossentropy"}
CATEGORICAL_CROSSENTROPY = {"categorical_crossentropy", "categorical_focal_crossentropy"}
SPARSE_CROSSENTROPY = {"sparse_categorical_crossentropy"}
CROSSENTROPY = BINARY_CROSSENTROPY | CATEGORICAL_CROSSENTROPY | SPARSE_CROSSENTROPY | {"crossentropy"}
# Regression losses (KC502): mse, mae, msle, mape, Huber, log-cosh.
REGRESSION_LOSSES = {"mean_squared_error", "mean_absolute_error", "mean_squared_logarithmic_error",
                     "mean_absolute_percentage_error", "huber", "log_cosh"}
# Canonical loss -> its loss class (a fix writes a loss object in its class: the one that takes from_logits).
LOSS_CLASSES = {"binary_crossentropy": "BinaryCrossentropy", "categorical_crossentropy": "CategoricalCrossentropy",
                "sparse_categorical_crossentropy": "SparseCategoricalCrossentropy",
                "binary_focal_crossentropy": "BinaryFocalCrossentropy",
                "categorical_focal_crossentropy": "CategoricalFocalCrossentropy"}


def canonical_loss(name: str) -> Optional[str]:
    """Canonical loss name for a string, function or class name; None when unknown."""
    if name in _LOSS_ALIASES:
        return _LOSS_ALIASES[name]
    if name in ALL_LOSS_STRINGS:
        return name
    return None


# ---------------------------------------------------------------- metrics

_METRIC_ALIASES = {
    "acc": "accuracy",
    "BinaryAccuracy": "binary_accuracy",
    "CategoricalAccuracy": "categorical_accuracy",
    "SparseCategoricalAccuracy": "sparse_categorical_accuracy",
    "TopKCategoricalAccuracy": "top_k_categorical_accuracy",
    "SparseTopKCategoricalAccuracy": "sparse_top_k_categorical_accuracy",
    # The class compares y_true == y_pred exactly: never a thresholded accuracy.
    "Accuracy": "exact_accuracy",
    "AUC": "auc",
    "Precision": "precision",
    "Recall": "recall",
    "ce": "crossentropy",
}

ALL_METRIC_STRINGS = (keras_names.KERAS3_METRICS | keras_names.TF_KERAS_METRICS
                      | keras_names.KERAS2_LEGACY_METRICS | {"accuracy", "acc", "crossentropy", "ce"})

BARE_ACCURACY_STRINGS = {"accuracy", "acc"}
# Canonical accuracy -> its metric class (a fix writes a metric object in its class).
METRIC_CLASSES = {"binary_accuracy": "BinaryAccuracy", "categorical_accuracy": "CategoricalAccuracy",
                  "sparse_categorical_accuracy": "SparseCategoricalAccuracy"}


def canonical_metric(name: str, form: str) -> Optional[str]:
    """Canonical metric name. The bare strings 'accuracy'/'acc' stay 'accuracy'.

    The string 'Accuracy' is kept as written: whether it means the bare
    accuracy or the exact-match class depends on the target Keras (KC106).
    """
    if form == "string":
        if name in BARE_ACCURACY_STRINGS:
            return "accuracy"
        if name == "Accuracy":
            return "Accuracy"
    if name in _METRIC_ALIASES:
        return _METRIC_ALIASES[name]
    if name in ALL_METRIC_STRINGS or name in _METRIC_ALIASES.values():
        return _snake(name)
    return None


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z][a-z])", "_", name).lower() if name[:1].isupper() else name


# ---------------------------------------------------------------- keras.losses / keras.metrics attributes

_MODULE_ATTRIBUTES = {
    ("losses", "keras3"): keras_names.KERAS3_LOSS_ATTRIBUTES,
    ("losses", "tf_keras"): keras_names.TF_KERAS_LOSS_ATTRIBUTES,
    ("losses", "keras2_legacy"): keras_names.KERAS2_LEGACY_LOSS_ATTRIBUTES,
    ("metrics", "keras3"): keras_names.KERAS3_METRIC_ATTRIBUTES,
    ("metrics", "tf_keras"): keras_names.TF_KERAS_METRIC_ATTRIBUTES,
    ("metrics", "keras2_legacy"): keras_names.KERAS2_LEGACY_METRIC_ATTRIBUTES,
}


def module_attributes(module: str, family: Optional[str]) -> frozenset:
    """The public names of keras.losses ('losses') or keras.metrics ('metrics') in a Keras family
    ('keras3', 'tf_keras', 'keras2_legacy'); every family's when the family is unknown."""
    if (module, family) in _MODULE_ATTRIBUTES:
        return _MODULE_ATTRIBUTES[(module, family)]
    return frozenset().union(*(names for (name, _), names in _MODULE_ATTRIBUTES.items() if name == module))


# ---------------------------------------------------------------- activations

ACTIVATIONS = {
    "softmax", "sigmoid", "hard_sigmoid", "linear", "relu", "relu6", "tanh", "elu", "selu",
    "softplus", "softsign", "exponential", "swish", "silu", "gelu", "leaky_relu", "mish",
    "log_softmax", "hard_silu", "hard_swish", "celu", "glu", "sparse_plus", "squareplus",
    "tanh_shrink", "hard_tanh", "soft_shrink", "hard_shrink", "log_sigmoid", "sparsemax",
    "threshold", "prelu", "thresholded_relu",
}
_ACTIVATION_ALIASES = {"swish": "silu", "hard_swish": "hard_silu", "None": "linear"}

# Functions outside keras.activations that users pass as an activation.
_TF_ACTIVATION_FUNCTIONS = {
    "tensorflow.nn.softmax": "softmax", "tensorflow.math.softmax": "softmax",
    "tensorflow.nn.sigmoid": "sigmoid", "tensorflow.math.sigmoid": "sigmoid",
    "tensorflow.sigmoid": "sigmoid", "tensorflow.nn.relu": "relu", "tensorflow.nn.relu6": "relu6",
    "tensorflow.nn.tanh": "tanh", "tensorflow.math.tanh": "tanh", "tensorflow.tanh": "tanh",
    "tensorflow.nn.elu": "elu", "tensorflow.nn.selu": "selu", "tensorflow.nn.softplus": "softplus",
    "tensorflow.math.softplus": "softplus", "tensorflow.nn.softsign": "softsign",
    "tensorflow.nn.leaky_relu": "leaky_relu", "tensorflow.nn.gelu": "gelu",
    "tensorflow.nn.swish": "silu", "tensorflow.nn.silu": "silu",
    "tensorflow.nn.log_softmax": "log_softmax", "tensorflow.math.exp": "exponential",
}

PROBABILITY_ACTIVATIONS = {"softmax", "sigmoid", "hard_sigmoid"}
SIGMOID_LIKE = {"sigmoid", "hard_sigmoid"}
# Outputs a cross-entropy can take: probabilities, or logits (linear).
CROSSENTROPY_SAFE_ACTIVATIONS = {"softmax", "sigmoid", "hard_sigmoid", "linear"}


def canonical_activation_string(name: str) -> Optional[str]:
    name = _ACTIVATION_ALIASES.get(name, name)
    return name if name in ACTIVATIONS else None


def activation_from_qualified_name(qualified_name: str) -> Optional[str]:
    """keras.activations.softmax, keras.ops.softmax, tf.nn.softmax, tf.compat.v1.nn.softmax -> 'softmax'."""
    qualified_name = normalize_tensorflow(qualified_name)
    if qualified_name in _TF_ACTIVATION_FUNCTIONS:
        return _TF_ACTIVATION_FUNCTIONS[qualified_name]
    path = keras_path(qualified_name)
    if path and path.startswith(("activations.", "backend.", "ops.")) and path.count(".") == 1:
        return canonical_activation_string(path.rsplit(".", 1)[1])
    return None


# ---------------------------------------------------------------- layers

# Layers whose output's last dimension is a constructor argument:
# name -> (positional index and keywords of units, default activation).
UNIT_LAYERS = {
    "Dense": (("units", "output_dim"), "linear"),
    "EinsumDense": ((), "linear"),
    "Conv1D": (("filters", "nb_filter"), "linear"),
    "Conv2D": (("filters", "nb_filter"), "linear"),
    "Conv3D": (("filters", "nb_filter"), "linear"),
    "Convolution1D": (("filters", "nb_filter"), "linear"),
    "Convolution2D": (("filters", "nb_filter"), "linear"),
    "Convolution3D": (("filters", "nb_filter"), "linear"),
    "Conv1DTranspose": (("filters",), "linear"),
    "Conv2DTranspose": (("filters",), "linear"),
    "Conv3DTranspose": (("filters",), "linear"),
    "Deconvolution2D": (("filters", "nb_filter"), "linear"),
    "SeparableConv1D": (("filters",), "linear"),
    "SeparableConv2D": (("filters",), "linear"),
    "LSTM": (("units", "output_dim"), "tanh"),
    "GRU": (("units", "output_dim"), "tanh"),
    "SimpleRNN": (("units", "output_dim"), "tanh"),
    "CuDNNLSTM": (("units",), "tanh"),
    "CuDNNGRU": (("units",), "tanh"),
}

# Layers that keep both the activation and the units of their input.
PASS_THROUGH_LAYERS = {
    "Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D", "GaussianNoise",
    "GaussianDropout", "AlphaDropout", "ActivityRegularization", "Masking", "Flatten",
    "Identity", "Reshape",
}
# Layers that keep the units but change the values (the output is no longer a probability).
UNITS_ONLY_LAYERS = {"BatchNormalization", "LayerNormalization", "GroupNormalization",
                     "UnitNormalization"}
# Layers that apply an activation to their input: name -> activation (None: read the argument).
ACTIVATION_LAYERS = {
    "Activation": None,
    "Softmax": "softmax",
    "ReLU": "relu",
    "LeakyReLU": "leaky_relu",
    "ELU": "elu",
    "PReLU": "prelu",
    "ThresholdedReLU": "thresholded_relu",
}
MODEL_CLASSES = {"Sequential", "Model", "Functional"}
INPUT_NAMES = {"Input", "InputLayer"}
# Wrappers whose output is their inner layer's: TimeDistributed(Dense(10, activation='softmax')).
WRAPPER_LAYERS = {"TimeDistributed"}

# Every name Keras exports that a pasted snippet may use without importing it.
KERAS_OWN_NAMES = (set(UNIT_LAYERS) | PASS_THROUGH_LAYERS | UNITS_ONLY_LAYERS | set(ACTIVATION_LAYERS)
                   | MODEL_CLASSES | INPUT_NAMES | WRAPPER_LAYERS
                   | {"Embedding", "MaxPooling1D", "MaxPooling2D", "GlobalAveragePooling1D",
                      "GlobalAveragePooling2D", "GlobalMaxPooling1D", "GlobalMaxPooling2D",
                      "Bidirectional", "Concatenate", "concatenate", "Add", "add",
                      "BinaryCrossentropy", "CategoricalCrossentropy",
                      "SparseCategoricalCrossentropy", "BinaryAccuracy", "CategoricalAccuracy",
                      "SparseCategoricalAccuracy", "TopKCategoricalAccuracy", "AUC",
                      "binary_crossentropy", "categorical_crossentropy",
                      "sparse_categorical_crossentropy", "categorical_accuracy",
                      "binary_accuracy", "sparse_categorical_accuracy",
                      "top_k_categorical_accuracy"})

# Where a pasted snippet's bare name lives in Keras, for the qualified-name lookup.
SNIPPET_MODULE = {name: "keras.layers." + name for name in KERAS_OWN_NAMES}
SNIPPET_MODULE.update({name: "keras.models." + name for name in MODEL_CLASSES})
for _name in ("BinaryCrossentropy", "CategoricalCrossentropy", "SparseCategoricalCrossentropy",
              "binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy"):
    SNIPPET_MODULE[_name] = "keras.losses." + _name
for _name in ("BinaryAccuracy", "CategoricalAccuracy", "SparseCategoricalAccuracy",
              "TopKCategoricalAccuracy", "AUC", "categorical_accuracy", "binary_accuracy",
              "sparse_categorical_accuracy", "top_k_categorical_accuracy"):
    SNIPPET_MODULE[_name] = "keras.metrics." + _name
