"""What each Keras layer does to the tensor it is applied to: activation, units and shape.

One row per layer class (`LAYERS`), one per functional-API function (`LAYER_FUNCTIONS`).
To teach kerascheck a layer, add its row: its family, its positional parameters in
Keras's order, which parameter holds the units, what it does to the activation, and its
shape function (kerascheck/knowledge/shapes.py). Nothing else needs to change: the
interpreter binds the arguments by this table and the recorder applies it.

What a layer does to the activation of its input (`activation`):

- ARGUMENT: its output's activation is its own `activation=` argument (Dense, Conv2D, LSTM),
  `default_activation` when not given;
- APPLIES: it applies an activation to its input (`Activation('softmax')`, `Softmax()`), named by
  `applies` or read from its first argument; the units are its input's. An identity
  (`Activation('linear')`) keeps its input's activation;
- KEEPS: its output is its input, moved or masked (Dropout, Flatten, UpSampling2D): the same
  activation; units from the output shape, else its input's where `keeps_channels`;
- CLEARS: its output is not its input's activation any more (BatchNormalization, pooling); the
  units still follow from the shape, or its input's where `keeps_channels`;
- merges (Concatenate, Add, Average...) combine their inputs' activations (`MERGE_*`).

Facts from the "What an output is" section of the rule catalog (shared/spec/rules.md) and
the Keras sources; shapes as Keras computes them (see shapes.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional

from kerascheck.knowledge import shapes

ARGUMENT = "argument"
APPLIES = "applies"
KEEPS = "keeps"
CLEARS = "clears"
# Merges: the common activation of the inputs (Average of softmaxes is a distribution); the common
# activation when it works element-wise (a Concatenate of sigmoids is sigmoid, of softmaxes is not);
# linear when every input is linear (a sum of logits is a logit); else unknown.
MERGE_COMMON = "merge_common"
MERGE_ELEMENTWISE = "merge_elementwise"
MERGE_LINEAR = "merge_linear"
MERGE_CLEARS = "merge_clears"


@dataclass(frozen=True)
class Layer:
    family: str  # what it does, as LayerFact.family reports it (see kerascheck/facts.py)
    params: tuple = ()  # positional parameters, in Keras's order; keywords are the same names
    units: Optional[str] = None  # the parameter that holds its output's last dimension
    activation: str = CLEARS
    applies: Optional[str] = None  # APPLIES: the activation it applies (None: read the first argument)
    default_activation: Optional[str] = None  # ARGUMENT: when `activation=` is not given
    shape: Callable = shapes.unknown  # (input shape, LayerArgs) -> output shape; merges get a list of shapes
    keeps_channels: bool = False  # its last axis is its input's in channels_last (units pass through)
    spatial_dims: Optional[int] = None  # 1, 2 or 3 for layers with a data_format
    aliases: dict = field(default_factory=dict)  # Keras 1 keyword -> parameter ('nb_filter' -> 'filters')
    rescales: bool = False  # it scales its input (Rescaling, Normalization): what KC405 looks for

    @property
    def is_merge(self) -> bool:
        return self.activation.startswith("merge")


# Keras 1 keywords of the same meaning (KC301 reports them; the facts still read them).
_KERAS1_CONV = {"nb_filter": "filters", "border_mode": "padding", "subsample": "strides",
                "subsample_length": "strides", "filter_length": "kernel_size", "dim_ordering": "data_format",
                "atrous_rate": "dilation_rate"}
_KERAS1_POOL = {"pool_length": "pool_size", "stride": "strides", "border_mode": "padding",
                "dim_ordering": "data_format"}
_KERAS1_UNITS = {"output_dim": "units"}
_KERAS1_FORMAT = {"dim_ordering": "data_format"}

_CONV = ("filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate")
_CONV_TRANSPOSE = ("filters", "kernel_size", "strides", "padding", "output_padding", "data_format", "dilation_rate")
_SEPARABLE = ("filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate", "depth_multiplier")
_DEPTHWISE = ("kernel_size", "strides", "padding", "depth_multiplier", "data_format", "dilation_rate")
_POOL = ("pool_size", "strides", "padding", "data_format")
_RECURRENT = ("units", "activation")


def _conv(dims: int, shape=shapes.conv, params=_CONV) -> Layer:
    return Layer("conv", params, units="filters", activation=ARGUMENT, default_activation="linear", shape=shape,
                 spatial_dims=dims, aliases=_KERAS1_CONV)


def _pool(dims: int) -> Layer:
    return Layer("pool", _POOL, shape=shapes.pool, keeps_channels=True, spatial_dims=dims, aliases=_KERAS1_POOL)


def _global_pool(dims: int) -> Layer:
    return Layer("global_pool", ("data_format", "keepdims"), shape=shapes.global_pool, keeps_channels=True,
                 spatial_dims=dims, aliases=_KERAS1_FORMAT)


def _recurrent(default_activation: str = "tanh") -> Layer:
    return Layer("recurrent", _RECURRENT, units="units", activation=ARGUMENT, default_activation=default_activation,
                 shape=shapes.recurrent, aliases=_KERAS1_UNITS)


def _same(family: str, params: tuple = (), activation: str = KEEPS, **extra) -> Layer:
    return Layer(family, params, activation=activation, shape=shapes.same, keeps_channels=True, **extra)


def _applies(activation: Optional[str], params: tuple = ()) -> Layer:
    return Layer("activation", params, activation=APPLIES, applies=activation, shape=shapes.same, keeps_channels=True)


LAYERS = {
    # Layers whose output's last dimension is an argument.
    "Dense": Layer("dense", ("units", "activation"), units="units", activation=ARGUMENT, default_activation="linear",
                   shape=shapes.dense, aliases=_KERAS1_UNITS),
    "EinsumDense": Layer("dense", ("equation", "output_shape", "activation"), activation=ARGUMENT,
                         default_activation="linear"),
    "Conv1D": _conv(1), "Conv2D": _conv(2), "Conv3D": _conv(3),
    "Convolution1D": _conv(1), "Convolution2D": _conv(2), "Convolution3D": _conv(3),
    "Conv1DTranspose": _conv(1, shapes.conv_transpose, _CONV_TRANSPOSE),
    "Conv2DTranspose": _conv(2, shapes.conv_transpose, _CONV_TRANSPOSE),
    "Conv3DTranspose": _conv(3, shapes.conv_transpose, _CONV_TRANSPOSE),
    "Convolution2DTranspose": _conv(2, shapes.conv_transpose, _CONV_TRANSPOSE),
    "Convolution3DTranspose": _conv(3, shapes.conv_transpose, _CONV_TRANSPOSE),
    "Deconvolution2D": _conv(2, shapes.conv_transpose, _CONV_TRANSPOSE),
    "Deconvolution3D": _conv(3, shapes.conv_transpose, _CONV_TRANSPOSE),
    "SeparableConv1D": _conv(1, params=_SEPARABLE), "SeparableConv2D": _conv(2, params=_SEPARABLE),
    "SeparableConvolution1D": _conv(1, params=_SEPARABLE), "SeparableConvolution2D": _conv(2, params=_SEPARABLE),
    "DepthwiseConv1D": Layer("conv", _DEPTHWISE, activation=ARGUMENT, default_activation="linear",
                             shape=shapes.depthwise_conv, spatial_dims=1),
    "DepthwiseConv2D": Layer("conv", _DEPTHWISE, activation=ARGUMENT, default_activation="linear",
                             shape=shapes.depthwise_conv, spatial_dims=2),
    "LocallyConnected1D": _conv(1), "LocallyConnected2D": _conv(2),
    "LSTM": _recurrent(), "GRU": _recurrent(), "SimpleRNN": _recurrent(),
    "CuDNNLSTM": Layer("recurrent", ("units",), units="units", activation=ARGUMENT, default_activation="tanh",
                       shape=shapes.recurrent),
    "CuDNNGRU": Layer("recurrent", ("units",), units="units", activation=ARGUMENT, default_activation="tanh",
                      shape=shapes.recurrent),
    "ConvLSTM1D": Layer("recurrent", _CONV, units="filters", activation=ARGUMENT, default_activation="tanh",
                        shape=shapes.conv_recurrent, spatial_dims=1),
    "ConvLSTM2D": Layer("recurrent", _CONV, units="filters", activation=ARGUMENT, default_activation="tanh",
                        shape=shapes.conv_recurrent, spatial_dims=2),
    "ConvLSTM3D": Layer("recurrent", _CONV, units="filters", activation=ARGUMENT, default_activation="tanh",
                        shape=shapes.conv_recurrent, spatial_dims=3),
    "Embedding": Layer("embedding", ("input_dim", "output_dim"), units="output_dim", activation=CLEARS,
                       shape=shapes.embedding),

    # Layers that apply an activation to their input.
    "Activation": _applies(None, ("activation",)),
    "Softmax": _applies("softmax", ("axis",)),
    "ReLU": _applies("relu"), "LeakyReLU": _applies("leaky_relu"), "ELU": _applies("elu"),
    "PReLU": _applies("prelu"), "ThresholdedReLU": _applies("thresholded_relu"),

    # Layers whose output is their input, masked, noised or moved: the same activation.
    "Dropout": _same("pass", ("rate",)), "GaussianNoise": _same("pass", ("stddev",)),
    "GaussianDropout": _same("pass", ("rate",)), "AlphaDropout": _same("pass", ("rate",)),
    "SpatialDropout1D": _same("pass", ("rate",)), "SpatialDropout2D": _same("pass", ("rate",)),
    "SpatialDropout3D": _same("pass", ("rate",)), "ActivityRegularization": _same("pass"),
    "Masking": _same("pass", ("mask_value",)), "Identity": _same("pass"),
    "Flatten": Layer("flatten", ("data_format",), activation=KEEPS, shape=shapes.flatten),
    "Reshape": Layer("reshape", ("target_shape",), activation=KEEPS, shape=shapes.reshape),
    "Permute": Layer("reshape", ("dims",), activation=KEEPS, shape=shapes.permute),
    "RepeatVector": Layer("reshape", ("n",), activation=KEEPS, shape=shapes.repeat_vector, keeps_channels=True),
    "UpSampling1D": Layer("resize", ("size",), activation=KEEPS, shape=shapes.upsampling, keeps_channels=True,
                          spatial_dims=1, aliases={"length": "size"}),
    "UpSampling2D": Layer("resize", ("size", "data_format", "interpolation"), activation=KEEPS,
                          shape=shapes.upsampling, keeps_channels=True, spatial_dims=2, aliases=_KERAS1_FORMAT),
    "UpSampling3D": Layer("resize", ("size", "data_format"), activation=KEEPS, shape=shapes.upsampling,
                          keeps_channels=True, spatial_dims=3, aliases=_KERAS1_FORMAT),
    # Cropping keeps each kept position's values (a per-pixel softmax stays one); zero padding adds
    # positions that are all zeros, which no activation produces.
    "Cropping1D": Layer("padding", ("cropping",), activation=KEEPS, shape=shapes.cropping, keeps_channels=True,
                        spatial_dims=1),
    "Cropping2D": Layer("padding", ("cropping", "data_format"), activation=KEEPS, shape=shapes.cropping,
                        keeps_channels=True, spatial_dims=2, aliases=_KERAS1_FORMAT),
    "Cropping3D": Layer("padding", ("cropping", "data_format"), activation=KEEPS, shape=shapes.cropping,
                        keeps_channels=True, spatial_dims=3, aliases=_KERAS1_FORMAT),
    "ZeroPadding1D": Layer("padding", ("padding",), shape=shapes.padding, keeps_channels=True, spatial_dims=1),
    "ZeroPadding2D": Layer("padding", ("padding", "data_format"), shape=shapes.padding, keeps_channels=True,
                           spatial_dims=2, aliases=_KERAS1_FORMAT),
    "ZeroPadding3D": Layer("padding", ("padding", "data_format"), shape=shapes.padding, keeps_channels=True,
                           spatial_dims=3, aliases=_KERAS1_FORMAT),

    # Layers that keep the shape but change the values: no activation any more.
    "BatchNormalization": _same("normalization", activation=CLEARS),
    "LayerNormalization": _same("normalization", activation=CLEARS),
    "GroupNormalization": _same("normalization", activation=CLEARS),
    "UnitNormalization": _same("normalization", activation=CLEARS),
    "Rescaling": _same("rescaling", ("scale", "offset"), activation=CLEARS, rescales=True),
    "Normalization": _same("rescaling", ("axis", "mean", "variance"), activation=CLEARS, rescales=True),

    # Pooling.
    "MaxPooling1D": _pool(1), "MaxPooling2D": _pool(2), "MaxPooling3D": _pool(3),
    "AveragePooling1D": _pool(1), "AveragePooling2D": _pool(2), "AveragePooling3D": _pool(3),
    "MaxPool1D": _pool(1), "MaxPool2D": _pool(2), "MaxPool3D": _pool(3),
    "AvgPool1D": _pool(1), "AvgPool2D": _pool(2), "AvgPool3D": _pool(3),
    "GlobalMaxPooling1D": _global_pool(1), "GlobalMaxPooling2D": _global_pool(2),
    "GlobalMaxPooling3D": _global_pool(3), "GlobalAveragePooling1D": _global_pool(1),
    "GlobalAveragePooling2D": _global_pool(2), "GlobalAveragePooling3D": _global_pool(3),
    "GlobalMaxPool1D": _global_pool(1), "GlobalMaxPool2D": _global_pool(2), "GlobalMaxPool3D": _global_pool(3),
    "GlobalAvgPool1D": _global_pool(1), "GlobalAvgPool2D": _global_pool(2), "GlobalAvgPool3D": _global_pool(3),

    # Image preprocessing inside the model.
    "Resizing": Layer("resize", ("height", "width", "interpolation"), shape=shapes.resizing, keeps_channels=True),
    "CenterCrop": Layer("resize", ("height", "width"), shape=shapes.resizing, keeps_channels=True),
    "RandomFlip": _same("augmentation"), "RandomRotation": _same("augmentation"),
    "RandomZoom": _same("augmentation"), "RandomTranslation": _same("augmentation"),
    "RandomContrast": _same("augmentation"), "RandomBrightness": _same("augmentation"),

    # Merges: applied to a list of tensors.
    "Concatenate": Layer("merge", ("axis",), activation=MERGE_ELEMENTWISE, shape=shapes.concatenate),
    "Add": Layer("merge", activation=MERGE_LINEAR, shape=shapes.elementwise),
    "Subtract": Layer("merge", activation=MERGE_LINEAR, shape=shapes.elementwise),
    "Average": Layer("merge", activation=MERGE_COMMON, shape=shapes.elementwise),
    "Multiply": Layer("merge", activation=MERGE_CLEARS, shape=shapes.elementwise),
    "Maximum": Layer("merge", activation=MERGE_CLEARS, shape=shapes.elementwise),
    "Minimum": Layer("merge", activation=MERGE_CLEARS, shape=shapes.elementwise),

    # Wrappers (the recorder applies the wrapped layer: see `recorder.py`).
    "TimeDistributed": Layer("wrapper", ("layer",)),
    "Bidirectional": Layer("wrapper", ("layer", "merge_mode")),
    "Lambda": Layer("lambda", ("function", "output_shape")),
}

# An application's `preprocess_input` applied to a tensor inside the model: it rescales the pixels.
PREPROCESS_INPUT = _same("rescaling", activation=CLEARS, rescales=True)

# The functional API's functions: `concatenate([a, b], axis=-1)` is `Concatenate(axis=-1)([a, b])`.
LAYER_FUNCTIONS = {"concatenate": "Concatenate", "add": "Add", "subtract": "Subtract", "average": "Average",
                   "multiply": "Multiply", "maximum": "Maximum", "minimum": "Minimum"}
# Arguments that declare a Sequential model's input on its first layer (or on InputLayer / Input).
INPUT_SHAPE_KEYWORDS = ("input_shape", "batch_input_shape", "batch_shape", "shape", "input_dim")


def layer(name: str) -> Optional[Layer]:
    return LAYERS.get(name)
