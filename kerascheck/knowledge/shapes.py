"""Output shapes of Keras layers, as pure functions of the input shape and the layer's arguments.

The formulas are Keras's own (keras/src/ops/operation_utils.py `compute_conv_output_shape`,
`compute_pooling_output_shape`, keras/src/utils/conv_utils.py `deconv_output_length`; the same in
Keras 2's conv_utils). A shape is a tuple with the batch axis first; a size is an int or None
(unknown); a shape of None has an unknown rank. Every function gets `(input_shape, args)`:
`args` (LayerArgs) holds the layer's arguments as written, and unknown stays unknown: a size
that cannot be computed is None, never a guess.
"""

from __future__ import annotations

from typing import Optional

CHANNELS_LAST = "channels_last"
CHANNELS_FIRST = "channels_first"


class _NotKnown:
    """An argument that is given but whose value is not known (a variable the evaluator cannot read)."""

    def __repr__(self) -> str:
        return "NOT_KNOWN"


NOT_KNOWN = _NotKnown()


class LayerArgs:
    """A layer's arguments by parameter name: literals (int, float, str, bool, None, tuples), or NOT_KNOWN."""

    def __init__(self, values: dict, data_format: str = CHANNELS_LAST, spatial_dims: Optional[int] = None,
                 keras1_positional_kernel: bool = False, written_format: Optional[str] = None):
        self.values = values
        self.data_format = data_format  # the one that applies: as written, else the file's, else channels_last
        self.written_format = written_format  # as written on the layer or set for the file; None: the default
        self.spatial_dims = spatial_dims
        # Conv2D(32, 3, 3): Keras 1 read kernel sizes, Keras 2+ a stride; the sizes are not known.
        self.keras1_positional_kernel = keras1_positional_kernel

    def get(self, name: str, default=None):
        return self.values.get(name, default)

    def given(self, name: str) -> bool:
        return name in self.values


def size(value) -> Optional[int]:
    """A known non-negative size, else None."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return None
    return value


def sizes(value, count: int) -> Optional[tuple]:
    """`3` -> (3, 3); `(3, 5)` -> (3, 5); anything else -> None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return (value,) * count
    if isinstance(value, (tuple, list)) and len(value) == count:
        return tuple(size(item) for item in value)
    return None


def known_rank(shape: Optional[tuple], rank: int) -> Optional[tuple]:
    """The shape if it has that rank; a shape of that rank with unknown sizes if the rank is unknown; None if it differs."""
    if shape is None:
        return (None,) * rank
    return shape if len(shape) == rank else None


def product(values) -> Optional[int]:
    total = 1
    for value in values:
        if value is None:
            return None
        total *= value
    return total


def conv_length(length: Optional[int], kernel: Optional[int], padding, stride: Optional[int],
                dilation: Optional[int] = 1) -> Optional[int]:
    if length is None or kernel is None or stride is None or dilation is None or stride < 1:
        return None
    dilated = kernel + (kernel - 1) * (dilation - 1)
    if padding in ("same", "causal"):
        out = length
    elif padding == "valid":
        out = length - dilated + 1
    elif padding == "full":
        out = length + dilated - 1
    else:
        return None
    out = (out + stride - 1) // stride
    return out if out > 0 else None  # Keras raises "Computed output size would be zero or negative"


def deconv_length(length: Optional[int], kernel: Optional[int], padding, stride: Optional[int],
                  output_padding: Optional[int], dilation: Optional[int] = 1) -> Optional[int]:
    if length is None or kernel is None or stride is None or dilation is None:
        return None
    kernel = kernel + (kernel - 1) * (dilation - 1)
    if output_padding is None:
        if padding == "valid":
            return length * stride + max(kernel - stride, 0)
        if padding == "same":
            return length * stride
        if padding == "full":
            return length * stride - (stride + kernel - 2)
        return None
    pad = {"same": kernel // 2, "valid": 0, "full": kernel - 1}.get(padding)
    if pad is None:
        return None
    return (length - 1) * stride + kernel - 2 * pad + output_padding


def _split(shape: tuple, data_format: str) -> tuple:
    """(spatial sizes, channels) of a batch-first shape."""
    if data_format == CHANNELS_FIRST:
        return shape[2:], shape[1]
    return shape[1:-1], shape[-1]


def _join(batch, spatial, channels, data_format: str) -> tuple:
    if data_format == CHANNELS_FIRST:
        return (batch, channels, *spatial)
    return (batch, *spatial, channels)


def _spatial_input(input_shape, args: LayerArgs):
    """(batch, spatial sizes, channels) of the input of a layer over `spatial_dims` axes; None if the rank differs."""
    dims = args.spatial_dims
    shape = known_rank(input_shape, dims + 2)
    if shape is None:
        return None
    spatial, channels = _split(shape, args.data_format)
    return shape[0], spatial, channels


# ---------------------------------------------------------------- the shape functions of the table


def unknown(input_shape, args):
    return None


def same(input_shape, args):
    return input_shape


def dense(input_shape, args):
    if input_shape is None:
        return None
    return (*input_shape[:-1], size(args.get("units")))


def conv(input_shape, args):
    parts = _spatial_input(input_shape, args)
    if parts is None:
        return None
    batch, spatial, _ = parts
    dims = args.spatial_dims
    kernel = sizes(args.get("kernel_size"), dims) or (None,) * dims
    strides = sizes(args.get("strides", 1), dims) or (None,) * dims
    dilation = sizes(args.get("dilation_rate", 1), dims) or (None,) * dims
    padding = args.get("padding", "valid")
    if args.keras1_positional_kernel:
        out = (None,) * dims
    else:
        out = tuple(conv_length(spatial[i], kernel[i], padding, strides[i], dilation[i]) for i in range(dims))
    return _join(batch, out, size(args.get("filters")), args.data_format)


def depthwise_conv(input_shape, args):
    parts = _spatial_input(input_shape, args)
    if parts is None:
        return None
    batch, spatial, channels = parts
    dims = args.spatial_dims
    kernel = sizes(args.get("kernel_size"), dims) or (None,) * dims
    strides = sizes(args.get("strides", 1), dims) or (None,) * dims
    dilation = sizes(args.get("dilation_rate", 1), dims) or (None,) * dims
    padding = args.get("padding", "valid")
    out = tuple(conv_length(spatial[i], kernel[i], padding, strides[i], dilation[i]) for i in range(dims))
    multiplier = size(args.get("depth_multiplier", 1))
    return _join(batch, out, channels * multiplier if channels is not None and multiplier is not None else None,
                 args.data_format)


def conv_transpose(input_shape, args):
    parts = _spatial_input(input_shape, args)
    if parts is None:
        return None
    batch, spatial, _ = parts
    dims = args.spatial_dims
    kernel = sizes(args.get("kernel_size"), dims) or (None,) * dims
    strides = sizes(args.get("strides", 1), dims) or (None,) * dims
    dilation = sizes(args.get("dilation_rate", 1), dims) or (None,) * dims
    output_padding = args.get("output_padding")
    paddings = (None,) * dims if output_padding is None else (sizes(output_padding, dims) or None)
    padding = args.get("padding", "valid")
    if paddings is None:
        out = (None,) * dims
    else:
        out = tuple(deconv_length(spatial[i], kernel[i], padding, strides[i], paddings[i], dilation[i])
                    for i in range(dims))
    return _join(batch, out, size(args.get("filters")), args.data_format)


def pool(input_shape, args):
    parts = _spatial_input(input_shape, args)
    if parts is None:
        return None
    batch, spatial, channels = parts
    dims = args.spatial_dims
    pool_size = sizes(args.get("pool_size", 2), dims) or (None,) * dims
    strides_value = args.get("strides")
    strides = pool_size if strides_value is None else (sizes(strides_value, dims) or (None,) * dims)
    padding = args.get("padding", "valid")
    out = tuple(conv_length(spatial[i], pool_size[i], padding, strides[i]) for i in range(dims))
    return _join(batch, out, channels, args.data_format)


def global_pool(input_shape, args):
    parts = _spatial_input(input_shape, args)
    if parts is None:
        return None
    batch, spatial, channels = parts
    if args.get("keepdims") is True:
        return _join(batch, (1,) * len(spatial), channels, args.data_format)
    if args.given("keepdims") and args.get("keepdims") is not False:
        return None
    return batch, channels


def upsampling(input_shape, args):
    parts = _spatial_input(input_shape, args)
    if parts is None:
        return None
    batch, spatial, channels = parts
    factors = sizes(args.get("size", 2), args.spatial_dims) or (None,) * args.spatial_dims
    out = tuple(s * f if s is not None and f is not None else None for s, f in zip(spatial, factors))
    return _join(batch, out, channels, args.data_format)


def _pairs(value, dims: int, default) -> Optional[tuple]:
    """Padding/cropping amounts per axis as (before, after) pairs: 1, (1, 2), ((1, 1), (2, 2))."""
    if value is None:
        value = default
    if isinstance(value, int) and not isinstance(value, bool):
        return ((value, value),) * dims
    if isinstance(value, (tuple, list)) and len(value) == dims:
        pairs = []
        for item in value:
            if isinstance(item, int) and not isinstance(item, bool):
                pairs.append((item, item))
            elif isinstance(item, (tuple, list)) and len(item) == 2 and all(size(v) is not None for v in item):
                pairs.append(tuple(item))
            else:
                return None
        return tuple(pairs)
    if dims == 1 and isinstance(value, (tuple, list)) and len(value) == 2 and all(size(v) is not None for v in value):
        return (tuple(value),)
    return None


def padding(input_shape, args):
    parts = _spatial_input(input_shape, args)
    if parts is None:
        return None
    batch, spatial, channels = parts
    pairs = _pairs(args.get("padding"), args.spatial_dims, 1)
    if pairs is None:
        return _join(batch, (None,) * len(spatial), channels, args.data_format)
    out = tuple(s + a + b if s is not None else None for s, (a, b) in zip(spatial, pairs))
    return _join(batch, out, channels, args.data_format)


def cropping(input_shape, args):
    parts = _spatial_input(input_shape, args)
    if parts is None:
        return None
    batch, spatial, channels = parts
    default = (1, 1) if args.spatial_dims == 1 else 0
    pairs = _pairs(args.get("cropping"), args.spatial_dims, default)
    if pairs is None:
        return _join(batch, (None,) * len(spatial), channels, args.data_format)
    out = tuple(s - a - b if s is not None and s - a - b > 0 else None for s, (a, b) in zip(spatial, pairs))
    return _join(batch, out, channels, args.data_format)


def flatten(input_shape, args):
    if input_shape is None:
        return None, None
    if len(input_shape) == 1:
        return input_shape[0], 1
    return input_shape[0], product(input_shape[1:])


def _target(value) -> Optional[tuple]:
    if isinstance(value, int) and not isinstance(value, bool):
        value = (value,)
    if not isinstance(value, (tuple, list)):
        return None
    target = []
    for item in value:
        if isinstance(item, bool) or not isinstance(item, int) or item < -1 or item == 0:
            target.append(None)
        else:
            target.append(item)
    return tuple(target)


def reshape(input_shape, args):
    target = _target(args.get("target_shape"))
    if target is None:
        return None
    if -1 in target:
        total = product(input_shape[1:]) if input_shape is not None else None
        known = product(v for v in target if v != -1)
        if total is not None and known and target.count(-1) == 1 and total % known == 0:
            target = tuple(total // known if v == -1 else v for v in target)
        else:
            target = tuple(None if v == -1 else v for v in target)
    if input_shape is not None and None not in target:
        total = product(input_shape[1:])
        if total is not None and total != product(target):
            return None  # Keras raises: "total size of the new array must be unchanged"
    batch = input_shape[0] if input_shape is not None else None
    return (batch, *target)


def permute(input_shape, args):
    dims = args.get("dims")
    if not isinstance(dims, (tuple, list)) or not all(size(d) for d in dims):
        return None
    if input_shape is None:
        return (None,) * (len(dims) + 1)
    if len(input_shape) != len(dims) + 1 or sorted(dims) != list(range(1, len(dims) + 1)):
        return None
    return (input_shape[0], *(input_shape[d] for d in dims))


def repeat_vector(input_shape, args):
    shape = known_rank(input_shape, 2)
    if shape is None:
        return None
    return shape[0], size(args.get("n")), shape[1]


def embedding(input_shape, args):
    output_dim = size(args.get("output_dim"))
    if input_shape is None:
        length = args.get("input_length")
        if args.given("input_length") and (length is None or size(length) is not None):
            return None, length, output_dim
        return None
    return (*input_shape, output_dim)


def recurrent(input_shape, args):
    shape = known_rank(input_shape, 3)
    if shape is None:
        return None
    units = size(args.get("units"))
    sequences = args.get("return_sequences", False)
    if sequences is True:
        return shape[0], shape[1], units
    if sequences is False:
        return shape[0], units
    return None


def conv_recurrent(input_shape, args):
    """ConvLSTM1D/2D/3D: a convolution over each time step, then the time axis kept or dropped."""
    dims = args.spatial_dims
    shape = known_rank(input_shape, dims + 3)
    if shape is None:
        return None
    step = conv((shape[0], *shape[2:]), args)
    sequences = args.get("return_sequences", False)
    if step is None or sequences not in (True, False):
        return None
    return (step[0], shape[1], *step[1:]) if sequences else step


def resizing(input_shape, args):
    shape = known_rank(input_shape, 4)
    if shape is None:
        return None
    height, width = size(args.get("height")), size(args.get("width"))
    if args.data_format == CHANNELS_FIRST:
        return shape[0], shape[1], height, width
    return shape[0], height, width, shape[3]


def concatenate(input_shapes: list, args) -> Optional[tuple]:
    """Merges take the list of their inputs' shapes."""
    if not input_shapes or any(shape is None for shape in input_shapes):
        return None
    rank = len(input_shapes[0])
    if any(len(shape) != rank for shape in input_shapes):
        return None
    axis = args.get("axis", -1)
    if isinstance(axis, bool) or not isinstance(axis, int) or not -rank <= axis < rank:
        return None
    axis %= rank
    out = []
    for index in range(rank):
        column = [shape[index] for shape in input_shapes]
        if index == axis:
            out.append(sum(column) if None not in column else None)
        else:
            out.append(next((value for value in column if value is not None), None))
    return tuple(out)


def elementwise(input_shapes: list, args) -> Optional[tuple]:
    """Add, Multiply, Average...: the inputs' common shape (sizes of 1 broadcast)."""
    if not input_shapes or any(shape is None for shape in input_shapes):
        return None
    rank = len(input_shapes[0])
    if any(len(shape) != rank for shape in input_shapes):
        return None
    out = []
    for index in range(rank):
        column = [shape[index] for shape in input_shapes if shape[index] not in (None, 1)]
        if column:
            out.append(column[0] if len(set(column)) == 1 else None)
        else:
            out.append(1 if all(shape[index] == 1 for shape in input_shapes) else None)
    return tuple(out)
