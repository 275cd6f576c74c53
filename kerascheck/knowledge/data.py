"""What the functions that prepare data do to it: loaders, array functions, encoders, scalers, tf.data.

One row per function, as kerascheck/knowledge/layers.py has one per layer. A row says which
parameter holds the array, what the function does to the array's shape (a pure function of
shapes below), to the scale of its values (0-255 pixels stay pixels through `astype`, are
scaled by a division), and to the encoding of targets (`to_categorical` one-hots, `argmax`
turns one-hot into integer labels). The evaluator (kerascheck/extract/data.py) binds the
arguments by the row and applies it; nothing else needs to change to teach kerascheck a
function. What a function does not say it keeps, it clears: an unknown effect leaves the
fact unknown.

Shapes are batch first (`(None, 28, 28)`); sizes are ints or None; a shape of None means
even the rank is unknown. Sources: the Keras, NumPy, TensorFlow and scikit-learn
documentation of each function, and the loaders' shapes measured on Keras 3.15.1.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional

from kerascheck.facts import BINARY, INTEGER, ONE_HOT
from kerascheck.knowledge.shapes import product as _product

# What a function does to a fact (ArrayFunction.scale / .labels).
KEEPS = "keeps"  # the fact passes through
CLEARS = "clears"  # the fact becomes unknown
SCALES = "scales"  # the values are scaled (inputs) or the labels are (targets: KC406)
TO_ONE_HOT = "to_one_hot"  # one column per class; the classes from `classes_param`, else the input's
TO_INTEGER = "to_integer"  # one class index per sample (argmax of one-hot over its last axis, LabelEncoder)
TO_MULTI_HOT = "to_multi_hot"
KEEPS_ROWS = "keeps_rows"  # labels pass when each sample keeps its values (reshape (N, 1) -> (N,)), else cleared


# ---------------------------------------------------------------------------------------------- shapes


def keep_shape(shape: Optional[tuple], args: dict) -> Optional[tuple]:
    return shape


def clear_shape(shape: Optional[tuple], args: dict) -> Optional[tuple]:
    return None


def _axis(axis, rank: int) -> Optional[int]:
    if not isinstance(axis, int) or isinstance(axis, bool) or not -rank <= axis < rank:
        return None
    return axis % rank


def reshape_shape(shape: Optional[tuple], args: dict) -> Optional[tuple]:
    """`x.reshape(-1, 28, 28, 1)`: the new sizes, batch first; one -1 among the others is solved when it can be."""
    target = args.get("newshape")
    if isinstance(target, int) and not isinstance(target, bool):
        target = (target,)
    if not isinstance(target, tuple) or not target:
        return None
    sizes = [size if isinstance(size, int) and not isinstance(size, bool) and size >= 0 else
             (-1 if size == -1 else None) for size in target]
    if not args.get("batched", True):
        rest = sizes
        batch = []
    else:
        batch, rest = [None], sizes[1:]
    if rest.count(-1) == 1:
        index = rest.index(-1)
        known = _product(size for i, size in enumerate(rest) if i != index)
        old = _product(shape[1:]) if shape is not None and args.get("batched", True) else \
            (_product(shape) if shape is not None else None)
        rest[index] = old // known if known and old is not None and old % known == 0 else None
    elif -1 in rest:
        return None
    return tuple(batch) + tuple(rest)


def expand_dims_shape(shape: Optional[tuple], args: dict) -> Optional[tuple]:
    if shape is None:
        return None
    axis = args.get("axis")
    if not isinstance(axis, int) or isinstance(axis, bool):
        return None
    rank = len(shape) + 1
    if not -rank <= axis < rank:
        return None
    axis %= rank
    return shape[:axis] + (1,) + shape[axis:]


def squeeze_shape(shape: Optional[tuple], args: dict) -> Optional[tuple]:
    if shape is None:
        return None
    axis = args.get("axis")
    if axis is None:
        if any(size is None for size in shape[1:]):
            return None  # an unknown size may be 1
        return shape[:1] + tuple(size for size in shape[1:] if size != 1)
    index = _axis(axis, len(shape))
    if index is None or index == 0 or shape[index] != 1:
        return None
    return shape[:index] + shape[index + 1:]


def flatten_shape(shape: Optional[tuple], args: dict) -> Optional[tuple]:
    """`x.flatten()` / `x.ravel()`: every element in one axis (the batch axis goes with them)."""
    return (None,)


def moveaxis_shape(shape: Optional[tuple], args: dict) -> Optional[tuple]:
    if shape is None:
        return None
    source, destination = _axis(args.get("source"), len(shape)), _axis(args.get("destination"), len(shape))
    if source is None or destination is None:
        return None
    sizes = list(shape)
    moved = sizes.pop(source)
    sizes.insert(destination, moved)
    return tuple(sizes)


def transpose_shape(shape: Optional[tuple], args: dict) -> Optional[tuple]:
    if shape is None:
        return None
    axes = args.get("axes")
    if axes is None:
        return tuple(reversed(shape))
    if not isinstance(axes, tuple) or len(axes) != len(shape):
        return None
    indexes = [_axis(axis, len(shape)) for axis in axes]
    if None in indexes or sorted(indexes) != list(range(len(shape))):
        return None
    return tuple(shape[index] for index in indexes)


def argmax_shape(shape: Optional[tuple], args: dict) -> Optional[tuple]:
    if shape is None:
        return None
    index = _axis(args.get("axis"), len(shape))
    if index is None:
        return None
    return shape[:index] + shape[index + 1:]


def one_hot_shape(shape: Optional[tuple], args: dict) -> Optional[tuple]:
    """`tf.one_hot(y, 10)`: a new last axis of the classes."""
    if shape is None:
        return None
    return shape + (args.get("classes"),)


def to_categorical_shape(shape: Optional[tuple], args: dict) -> Optional[tuple]:
    """`to_categorical(y, 10)`: a trailing axis of size 1 is dropped first ((N, 1) -> (N, 10))."""
    if shape is None:
        return None
    if len(shape) > 1 and shape[-1] == 1:
        shape = shape[:-1]
    return shape + (args.get("classes"),)


def resize_shape(shape: Optional[tuple], args: dict) -> Optional[tuple]:
    """`tf.image.resize(images, (h, w))`: the two axes before the channels."""
    size = args.get("size")
    if shape is None or len(shape) < 3 or not isinstance(size, tuple) or len(size) != 2:
        return None
    return shape[:-3] + tuple(s if isinstance(s, int) else None for s in size) + shape[-1:]


def grayscale_to_rgb_shape(shape: Optional[tuple], args: dict) -> Optional[tuple]:
    return shape[:-1] + (3,) if shape is not None and shape[-1] == 1 else None


def batch_of(shape: Optional[tuple]) -> Optional[tuple]:
    """A shape with its first axis made the (unknown) batch axis."""
    return (None,) + shape[1:] if shape else shape


# ---------------------------------------------------------------------------------------------- functions


@dataclass(frozen=True)
class ArrayFunction:
    """What one function (or array method) does to the array it is given."""

    params: tuple  # positional parameters in order; the array is `array` (a method's receiver)
    shape: Callable = clear_shape  # (shape, bound literal arguments) -> new shape
    scale: str = CLEARS  # KEEPS, CLEARS or SCALES: what happens to the input's scale
    labels: str = CLEARS  # KEEPS, CLEARS, KEEPS_ROWS, SCALES, TO_ONE_HOT, TO_INTEGER, TO_MULTI_HOT
    classes_param: Optional[str] = None  # TO_ONE_HOT: the parameter holding the number of classes
    defaults: dict = field(default_factory=dict)  # literal defaults of the parameters the shape function reads
    varargs: Optional[str] = None  # positional arguments after the array gathered as one tuple (`x.reshape(-1, 28)`)
    argmax: bool = False  # an argmax (KC408 reads it on predictions)
    rounds: bool = False  # rounds to 0/1 (a threshold at 0.5 on predictions, KC409)


_KEEP = ArrayFunction(("array",), keep_shape, KEEPS, KEEPS)
_KEEP_ROWS = dict(scale=KEEPS, labels=KEEPS_ROWS)
_RESHAPE = ArrayFunction(("array", "newshape"), reshape_shape, varargs="newshape", **_KEEP_ROWS)
_EXPAND_DIMS = ArrayFunction(("array", "axis"), expand_dims_shape, **_KEEP_ROWS)
_SQUEEZE = ArrayFunction(("array", "axis"), squeeze_shape, defaults={"axis": None}, **_KEEP_ROWS)
_MOVEAXIS = ArrayFunction(("array", "source", "destination"), moveaxis_shape, scale=KEEPS)
_TRANSPOSE = ArrayFunction(("array", "axes"), transpose_shape, scale=KEEPS, defaults={"axes": None}, varargs="axes")
_FLATTEN = ArrayFunction(("array",), flatten_shape, **_KEEP_ROWS)
_ARGMAX = ArrayFunction(("array", "axis"), argmax_shape, labels=TO_INTEGER, defaults={"axis": None}, argmax=True)
_ROUND = ArrayFunction(("array",), keep_shape, rounds=True)
_TO_CATEGORICAL = ArrayFunction(("array", "num_classes"), to_categorical_shape, labels=TO_ONE_HOT,
                                classes_param="num_classes", defaults={"num_classes": None})

# NumPy and TensorFlow functions, by qualified name (tf.compat.v1.x is tf.x: knowledge.normalize_tensorflow).
FUNCTIONS = {
    **{f"numpy.{name}": _KEEP for name in ("array", "asarray", "asanyarray", "ascontiguousarray", "copy",
                                           "float32", "float64", "float16", "uint8", "int32", "int64")},
    "numpy.reshape": _RESHAPE,
    "numpy.expand_dims": _EXPAND_DIMS,
    "numpy.squeeze": _SQUEEZE,
    "numpy.moveaxis": _MOVEAXIS,
    "numpy.rollaxis": ArrayFunction(("array", "axis", "start"), clear_shape, scale=KEEPS),
    "numpy.swapaxes": ArrayFunction(("array", "axis1", "axis2"), clear_shape, scale=KEEPS),
    "numpy.transpose": _TRANSPOSE,
    "numpy.ravel": _FLATTEN,
    "numpy.argmax": _ARGMAX,
    "numpy.round": _ROUND, "numpy.around": _ROUND, "numpy.rint": _ROUND,
    "tensorflow.convert_to_tensor": _KEEP,
    "tensorflow.constant": _KEEP,
    "tensorflow.cast": ArrayFunction(("array", "dtype"), keep_shape, KEEPS, KEEPS),
    "tensorflow.reshape": ArrayFunction(("array", "newshape"), reshape_shape, **_KEEP_ROWS),
    "tensorflow.expand_dims": _EXPAND_DIMS,
    "tensorflow.squeeze": _SQUEEZE,
    "tensorflow.transpose": ArrayFunction(("array", "axes"), transpose_shape, scale=KEEPS, defaults={"axes": None}),
    "tensorflow.argmax": ArrayFunction(("array", "axis"), argmax_shape, labels=TO_INTEGER, defaults={"axis": 0},
                                       argmax=True),
    "tensorflow.math.argmax": ArrayFunction(("array", "axis"), argmax_shape, labels=TO_INTEGER,
                                            defaults={"axis": 0}, argmax=True),
    "tensorflow.round": _ROUND, "tensorflow.math.round": _ROUND,
    "tensorflow.one_hot": ArrayFunction(("array", "depth"), one_hot_shape, labels=TO_ONE_HOT, classes_param="depth"),
    "tensorflow.image.resize": ArrayFunction(("array", "size"), resize_shape, scale=KEEPS),
    "tensorflow.image.grayscale_to_rgb": ArrayFunction(("array",), grayscale_to_rgb_shape, scale=KEEPS),
    # uint8 images become floats in [0, 1]
    "tensorflow.image.convert_image_dtype": ArrayFunction(("array", "dtype"), keep_shape, scale=SCALES),
    "tensorflow.image.per_image_standardization": ArrayFunction(("array",), keep_shape, scale=SCALES),
}

# Keras's own functions, by their path in Keras (knowledge.keras_path).
KERAS_FUNCTIONS = {
    "utils.to_categorical": _TO_CATEGORICAL,
    "utils.np_utils.to_categorical": _TO_CATEGORICAL,
    "utils.numerical_utils.to_categorical": _TO_CATEGORICAL,
    "ops.one_hot": ArrayFunction(("array", "num_classes"), one_hot_shape, labels=TO_ONE_HOT,
                                 classes_param="num_classes"),
    "ops.argmax": ArrayFunction(("array", "axis"), argmax_shape, labels=TO_INTEGER, defaults={"axis": None},
                                argmax=True),
    "ops.expand_dims": _EXPAND_DIMS,
    "ops.reshape": ArrayFunction(("array", "newshape"), reshape_shape, **_KEEP_ROWS),
    "ops.round": _ROUND,
    "backend.argmax": ArrayFunction(("array", "axis"), argmax_shape, labels=TO_INTEGER, defaults={"axis": -1},
                                    argmax=True),
    "preprocessing.sequence.pad_sequences": ArrayFunction(("array", "maxlen"), lambda shape, args: (
        (None, args["maxlen"]) if isinstance(args.get("maxlen"), int) else None), defaults={"maxlen": None}),
    "utils.pad_sequences": ArrayFunction(("array", "maxlen"), lambda shape, args: (
        (None, args["maxlen"]) if isinstance(args.get("maxlen"), int) else None), defaults={"maxlen": None}),
    "utils.normalize": ArrayFunction(("array",), keep_shape, scale=SCALES),
}

# Methods of arrays (NumPy arrays, tensors, pandas objects): `x.astype('float32')`.
METHODS = {
    "astype": ArrayFunction(("dtype",), keep_shape, KEEPS, KEEPS),
    "copy": _KEEP,
    "numpy": _KEEP,
    "to_numpy": _KEEP,
    "reshape": ArrayFunction(("newshape",), reshape_shape, varargs="newshape", **_KEEP_ROWS),
    "squeeze": ArrayFunction(("axis",), squeeze_shape, defaults={"axis": None}, **_KEEP_ROWS),
    "flatten": _FLATTEN,
    "ravel": _FLATTEN,
    "transpose": ArrayFunction(("axes",), transpose_shape, scale=KEEPS, defaults={"axes": None}, varargs="axes"),
    "swapaxes": ArrayFunction(("axis1", "axis2"), clear_shape, scale=KEEPS),
    "argmax": ArrayFunction(("axis",), argmax_shape, labels=TO_INTEGER, defaults={"axis": None}, argmax=True),
    "round": _ROUND,
}
# Attributes of arrays that are the array itself, or a view of it.
ATTRIBUTES = {"values": _KEEP, "T": ArrayFunction((), transpose_shape, scale=KEEPS, defaults={"axes": None})}


# ---------------------------------------------------------------------------------------------- loaders


@dataclass(frozen=True)
class Loader:
    """A keras.datasets loader: `(x_train, y_train), (x_test, y_test) = mnist.load_data()`."""

    sample_shape: Optional[tuple]  # one x: (28, 28); None: sequences of different lengths (imdb, reuters)
    pixels: bool  # x holds 0-255 pixels (uint8)
    classes: Optional[int]  # the labels' values; None: a regression target
    label_shape: tuple = ()  # one y: () or (1,) (cifar's labels are (N, 1))
    classes_by_label_mode: dict = field(default_factory=dict)  # cifar100: label_mode='coarse' has 20


LOADERS = {
    "datasets.mnist.load_data": Loader((28, 28), True, 10),
    "datasets.fashion_mnist.load_data": Loader((28, 28), True, 10),
    "datasets.cifar10.load_data": Loader((32, 32, 3), True, 10, (1,)),
    "datasets.cifar100.load_data": Loader((32, 32, 3), True, 100, (1,), {"fine": 100, "coarse": 20}),
    "datasets.reuters.load_data": Loader(None, False, 46),
    "datasets.imdb.load_data": Loader(None, False, 2),
    "datasets.boston_housing.load_data": Loader((13,), False, None),
    "datasets.california_housing.load_data": Loader((8,), False, None),
}


@dataclass(frozen=True)
class DirectoryLoader:
    """A loader of images from folders (one per class), batched: `image_dataset_from_directory`,
    `ImageDataGenerator().flow_from_directory` / `flow_from_dataframe`."""

    labels_param: str  # 'label_mode' / 'class_mode'
    default_labels: Optional[str]
    size_param: str  # 'image_size' / 'target_size'
    default_size: tuple = (256, 256)
    params: tuple = ()  # positional parameters, in order


# label_mode / class_mode -> the encoding of the labels it yields; None: no labels (or not class labels).
LABEL_MODES = {"int": INTEGER, "categorical": ONE_HOT, "binary": BINARY, "sparse": INTEGER}
COLOR_CHANNELS = {"rgb": 3, "grayscale": 1, "rgba": 4}

DIRECTORY_LOADERS = {
    "utils.image_dataset_from_directory": DirectoryLoader("label_mode", "int", "image_size",
                                                          params=("directory", "labels", "label_mode")),
    "preprocessing.image_dataset_from_directory": DirectoryLoader("label_mode", "int", "image_size",
                                                                  params=("directory", "labels", "label_mode")),
}
# Methods of an ImageDataGenerator.
GENERATOR_LOADERS = {
    "flow_from_directory": DirectoryLoader("class_mode", "categorical", "target_size",
                                           params=("directory", "target_size", "color_mode", "classes",
                                                   "class_mode")),
    "flow_from_dataframe": DirectoryLoader("class_mode", "categorical", "target_size",
                                           params=("dataframe", "directory", "x_col", "y_col", "weight_col",
                                                   "target_size", "color_mode", "classes", "class_mode")),
}
# ImageDataGenerator(...) arguments that scale the images it yields; a preprocessing_function may, or not.
GENERATOR_SCALING = ("rescale", "featurewise_std_normalization", "samplewise_std_normalization")
GENERATOR_MAY_SCALE = ("preprocessing_function", "featurewise_center", "samplewise_center", "zca_whitening")
IMAGE_DATA_GENERATORS = {"preprocessing.image.ImageDataGenerator", "keras_preprocessing.image.ImageDataGenerator",
                         "keras_preprocessing.image.image_data_generator.ImageDataGenerator"}

# tf.data.Dataset methods that keep the elements as they are (one of them batches).
DATASET_KEEPS = frozenset({"shuffle", "prefetch", "cache", "repeat", "take", "skip", "with_options", "shard",
                           "filter", "ignore_errors"})
DATASET_BATCHES = frozenset({"batch", "padded_batch"})
DATASET_FROM_SLICES = frozenset({"tensorflow.data.Dataset.from_tensor_slices", "tensorflow.data.Dataset.from_tensors"})


# ---------------------------------------------------------------------------------------------- scikit-learn, pandas


@dataclass(frozen=True)
class Transformer:
    """A scikit-learn encoder or scaler: what its `fit_transform`/`transform` makes of what it is given."""

    labels: Optional[str] = None  # TO_ONE_HOT, TO_INTEGER, TO_MULTI_HOT: the labels it makes
    scales: bool = False  # a scaler: scaled inputs, or scaled labels when given labels (KC406)


TRANSFORMERS = {
    "sklearn.preprocessing.LabelEncoder": Transformer(labels=TO_INTEGER),
    "sklearn.preprocessing.OrdinalEncoder": Transformer(labels=None),
    "sklearn.preprocessing.OneHotEncoder": Transformer(labels=TO_ONE_HOT),
    # LabelBinarizer gives one column for two classes and one-hot for more: unknown until the classes are known.
    "sklearn.preprocessing.LabelBinarizer": Transformer(labels=None),
    "sklearn.preprocessing.MultiLabelBinarizer": Transformer(labels=TO_MULTI_HOT),
    **{f"sklearn.preprocessing.{name}": Transformer(scales=True) for name in (
        "StandardScaler", "MinMaxScaler", "MaxAbsScaler", "RobustScaler", "Normalizer", "QuantileTransformer",
        "PowerTransformer")},
}
TRANSFORM_METHODS = frozenset({"fit_transform", "transform"})
# Functions that split arrays into parts, each keeping what is known of its array (its samples change).
SPLITTERS = frozenset({"sklearn.model_selection.train_test_split", "sklearn.cross_validation.train_test_split"})
ONE_HOT_FUNCTIONS = frozenset({"pandas.get_dummies"})
SCALING_FUNCTIONS = frozenset({"sklearn.preprocessing.scale", "sklearn.preprocessing.normalize",
                               "sklearn.preprocessing.minmax_scale"})

# scikit-learn classification metrics that need class labels, not probabilities (KC410); y_true, y_pred first.
SKLEARN_CLASSIFICATION_METRICS = frozenset({
    "accuracy_score", "confusion_matrix", "classification_report", "f1_score", "precision_score", "recall_score",
    "cohen_kappa_score", "balanced_accuracy_score", "matthews_corrcoef", "precision_recall_fscore_support",
    "multilabel_confusion_matrix", "jaccard_score", "hamming_loss", "fbeta_score", "zero_one_loss",
})
