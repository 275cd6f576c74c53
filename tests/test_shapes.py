"""Shape facts: each layer's output shape from the declared input and the layer's arguments.

Every case is a small model; kerascheck's shape for its output must be what Keras itself
computes. `test_shapes_match_real_keras*` builds the same models in real Keras 3 and
Keras 2.3.1 (the venvs of .ci/setup_keras_envs.sh) and compares, so the table in
kerascheck/knowledge/layers.py is measured, not assumed.
"""

import json
import os
import subprocess
import textwrap

import pytest

from kerascheck.extract import extract_text
from tests.runtime.conftest import find_python

PREAMBLE = "import keras\nfrom keras import layers\n"

# name -> (model source, expected output shape, where it runs: True both, False Keras 3 only, "2" Keras 2.3.1 only)
CASES = {
    "dense_2d": ("model = keras.Sequential([layers.Dense(10, input_shape=(784,))])", (None, 10), True),
    "dense_per_token": ("i = keras.Input((384, 64))\nmodel = keras.Model(i, layers.Dense(1)(i))", (None, 384, 1), True),
    "conv1d_valid": ("model = keras.Sequential([layers.Conv1D(8, 5, input_shape=(100, 3))])", (None, 96, 8), True),
    "conv1d_same_stride": ("model = keras.Sequential([layers.Conv1D(8, 5, strides=2, padding='same', input_shape=(101, 3))])",
                           (None, 51, 8), True),
    "conv1d_causal_dilated": ("model = keras.Sequential([layers.Conv1D(4, 3, padding='causal', dilation_rate=4, "
                              "input_shape=(50, 2))])", (None, 50, 4), True),
    "conv2d_valid": ("model = keras.Sequential([layers.Conv2D(32, (3, 3), input_shape=(28, 28, 1))])",
                     (None, 26, 26, 32), True),
    "conv2d_stride_same": ("model = keras.Sequential([layers.Conv2D(16, 3, strides=2, padding='same', input_shape=(33, 32, 3))])",
                           (None, 17, 16, 16), True),
    "conv2d_dilated": ("model = keras.Sequential([layers.Conv2D(4, 3, dilation_rate=2, input_shape=(20, 20, 3))])",
                       (None, 16, 16, 4), True),
    "conv2d_rect_kernel_strides": ("model = keras.Sequential([layers.Conv2D(4, (5, 3), strides=(2, 1), input_shape=(31, 17, 2))])",
                                   (None, 14, 15, 4), True),
    "conv3d": ("model = keras.Sequential([layers.Conv3D(6, 3, input_shape=(10, 12, 14, 1))])", (None, 8, 10, 12, 6), True),
    "conv2d_transpose_valid": ("model = keras.Sequential([layers.Conv2DTranspose(8, 3, input_shape=(7, 7, 4))])",
                               (None, 9, 9, 8), True),
    "conv2d_transpose_stride_same": ("model = keras.Sequential([layers.Conv2DTranspose(8, 3, strides=2, padding='same', "
                                     "input_shape=(7, 7, 4))])", (None, 14, 14, 8), True),
    "conv2d_transpose_stride_valid": ("model = keras.Sequential([layers.Conv2DTranspose(8, 4, strides=2, input_shape=(7, 5, 4))])",
                                      (None, 16, 12, 8), True),
    "conv2d_transpose_output_padding": ("model = keras.Sequential([layers.Conv2DTranspose(8, 3, strides=2, padding='same', "
                                        "output_padding=1, input_shape=(7, 7, 4))])", (None, 14, 14, 8), True),
    "conv1d_transpose": ("model = keras.Sequential([layers.Conv1DTranspose(2, 5, strides=3, input_shape=(10, 4))])",
                         (None, 32, 2), False),
    "separable_conv2d": ("model = keras.Sequential([layers.SeparableConv2D(12, 3, padding='same', input_shape=(16, 16, 3))])",
                         (None, 16, 16, 12), True),
    "depthwise_conv2d": ("model = keras.Sequential([layers.DepthwiseConv2D(3, depth_multiplier=2, input_shape=(16, 16, 3))])",
                         (None, 14, 14, 6), True),
    "maxpool1d_default": ("model = keras.Sequential([layers.MaxPooling1D(input_shape=(9, 3))])", (None, 4, 3), True),
    "maxpool2d_default": ("model = keras.Sequential([layers.MaxPooling2D(input_shape=(27, 28, 3))])", (None, 13, 14, 3), True),
    "maxpool2d_same_strides": ("model = keras.Sequential([layers.MaxPooling2D((3, 3), strides=2, padding='same', "
                               "input_shape=(15, 15, 3))])", (None, 8, 8, 3), True),
    "avgpool3d": ("model = keras.Sequential([layers.AveragePooling3D(2, input_shape=(8, 9, 10, 2))])", (None, 4, 4, 5, 2), True),
    "maxpool3d_default": ("model = keras.Sequential([layers.MaxPooling3D(input_shape=(8, 9, 10, 2))])", (None, 4, 4, 5, 2), True),
    "global_avg_2d": ("model = keras.Sequential([layers.GlobalAveragePooling2D(input_shape=(7, 7, 512))])", (None, 512), True),
    "global_max_1d": ("model = keras.Sequential([layers.GlobalMaxPooling1D(input_shape=(50, 64))])", (None, 64), True),
    "global_avg_keepdims": ("model = keras.Sequential([layers.GlobalAveragePooling2D(keepdims=True, input_shape=(7, 7, 8))])",
                            (None, 1, 1, 8), False),
    "flatten": ("model = keras.Sequential([layers.Flatten(input_shape=(28, 28, 3))])", (None, 2352), True),
    "reshape_minus_one": ("model = keras.Sequential([layers.Reshape((-1, 4), input_shape=(6, 2))])", (None, 3, 4), True),
    "reshape_add_axis": ("model = keras.Sequential([layers.Reshape((28, 28, 1), input_shape=(784,))])", (None, 28, 28, 1), True),
    "permute": ("model = keras.Sequential([layers.Permute((2, 1), input_shape=(10, 64))])", (None, 64, 10), True),
    "repeat_vector": ("model = keras.Sequential([layers.RepeatVector(3, input_shape=(32,))])", (None, 3, 32), True),
    "embedding_input": ("i = keras.Input((10,))\nmodel = keras.Model(i, layers.Embedding(1000, 64)(i))", (None, 10, 64), True),
    "embedding_input_length": ("model = keras.Sequential([layers.Embedding(1000, 64, input_length=10)])", (None, 10, 64),
                               "2"),  # Keras 3 ignores input_length: its input is known at the first call
    "lstm_last": ("model = keras.Sequential([layers.LSTM(32, input_shape=(20, 8))])", (None, 32), True),
    "lstm_sequences": ("model = keras.Sequential([layers.LSTM(32, return_sequences=True, input_shape=(20, 8))])",
                       (None, 20, 32), True),
    "gru_simple_rnn": ("model = keras.Sequential([layers.GRU(16, return_sequences=True, input_shape=(None, 8)), "
                       "layers.SimpleRNN(4)])", (None, 4), True),
    "time_distributed_dense": ("model = keras.Sequential([layers.LSTM(8, return_sequences=True, input_shape=(12, 3)), "
                               "layers.TimeDistributed(layers.Dense(5, activation='softmax'))])", (None, 12, 5), True),
    "time_distributed_conv": ("model = keras.Sequential([layers.TimeDistributed(layers.Conv2D(4, 3), input_shape=(5, 10, 10, 1))])",
                              (None, 5, 8, 8, 4), True),
    "bidirectional_concat": ("model = keras.Sequential([layers.Bidirectional(layers.LSTM(8), input_shape=(10, 4))])",
                             (None, 16), True),
    "bidirectional_sum_sequences": ("model = keras.Sequential([layers.Bidirectional(layers.GRU(8, return_sequences=True), "
                                    "merge_mode='sum', input_shape=(10, 4))])", (None, 10, 8), True),
    "concatenate_last": ("a = keras.Input((5,))\nb = keras.Input((7,))\n"
                         "model = keras.Model([a, b], layers.concatenate([a, b]))", (None, 12), True),
    "concatenate_axis1": ("a = keras.Input((5, 3))\nb = keras.Input((7, 3))\n"
                          "model = keras.Model([a, b], layers.Concatenate(axis=1)([a, b]))", (None, 12, 3), True),
    "add_average": ("a = keras.Input((5, 3))\nb = keras.Input((5, 3))\n"
                    "model = keras.Model([a, b], layers.Average()([layers.Add()([a, b]), b]))", (None, 5, 3), True),
    "upsampling": ("model = keras.Sequential([layers.UpSampling1D(3, input_shape=(4, 2)), layers.Reshape((12, 2, 1)), "
                   "layers.UpSampling2D((2, 3)), layers.Reshape((24, 6, 1, 1)), layers.UpSampling3D(2)])",
                   (None, 48, 12, 2, 1), True),
    "reshape_wrong_size": ("model = keras.Sequential([layers.Reshape((6, 2, 1), input_shape=(12, 2))])", None, None),
    "zero_padding": ("model = keras.Sequential([layers.ZeroPadding2D(((1, 2), (3, 4)), input_shape=(10, 10, 3)), "
                     "layers.ZeroPadding2D(1)])", (None, 15, 19, 3), True),
    "zero_padding_1d": ("model = keras.Sequential([layers.ZeroPadding1D((2, 0), input_shape=(10, 3))])", (None, 12, 3), True),
    "cropping": ("model = keras.Sequential([layers.Cropping2D(((1, 2), (3, 4)), input_shape=(10, 10, 3)), "
                 "layers.Cropping2D(1)])", (None, 5, 1, 3), True),
    "cropping_1d": ("model = keras.Sequential([layers.Cropping1D((1, 2), input_shape=(10, 3))])", (None, 7, 3), True),
    "channels_first_conv_pool": ("model = keras.Sequential([layers.Conv2D(8, 3, data_format='channels_first', "
                                 "input_shape=(3, 32, 30)), layers.MaxPooling2D(data_format='channels_first'), "
                                 "layers.GlobalAveragePooling2D(data_format='channels_first')])", (None, 8), False),
    "cnn_classifier": ("model = keras.Sequential([layers.Conv2D(32, 3, activation='relu', input_shape=(28, 28, 1)), "
                       "layers.MaxPooling2D(), layers.Conv2D(64, 3, activation='relu'), layers.MaxPooling2D(), "
                       "layers.Flatten(), layers.Dropout(0.5), layers.Dense(10, activation='softmax')])", (None, 10), True),
    "dense_on_feature_maps": ("model = keras.Sequential([layers.Conv2D(8, 3, input_shape=(28, 28, 1)), "
                              "layers.MaxPooling2D(), layers.Dense(10, activation='softmax')])", (None, 13, 13, 10), True),
    "batchnorm_activation_dropout": ("model = keras.Sequential([layers.Dense(20, input_shape=(5, 7)), "
                                     "layers.BatchNormalization(), layers.Activation('relu'), layers.Dropout(0.2), "
                                     "layers.GaussianNoise(0.1)])", (None, 5, 20), True),
}


def shape_of(source: str):
    facts = extract_text("case.py", PREAMBLE + source + "\nmodel.compile(loss='mse')\n")
    (compile_fact,) = facts.compiles
    return compile_fact.outputs[0].shape


@pytest.mark.parametrize("name", sorted(CASES))
def test_output_shape(name):
    source, expected, _ = CASES[name]
    assert shape_of(source) == expected


def test_unknown_stays_unknown():
    # No declared input: the rank follows from the layers, the sizes do not.
    assert shape_of("model = keras.Sequential([layers.Conv2D(8, 3), layers.MaxPooling2D()])") == (None, None, None, 8)
    assert shape_of("model = keras.Sequential([layers.Dense(10)])") is None
    assert shape_of("model = keras.Sequential([layers.Flatten(), layers.Dense(3)])") == (None, 3)
    assert shape_of("model = keras.Sequential([layers.LSTM(4, return_sequences=True)])") == (None, None, 4)
    assert shape_of("n = int(input())\nmodel = keras.Sequential([layers.Conv2D(n, 3, input_shape=(28, 28, 1))])") == \
        (None, 26, 26, None)
    # Keras 1's Conv2D(32, 3, 3): Keras 2+ read the last 3 as a stride; the sizes are not claimed.
    assert shape_of("model = keras.Sequential([layers.Conv2D(32, 3, 3, input_shape=(28, 28, 1))])") == \
        (None, None, None, 32)
    # A kernel larger than the input: Keras raises; the facts claim nothing.
    assert shape_of("model = keras.Sequential([layers.Conv2D(8, 5, input_shape=(3, 3, 1))])") == (None, None, None, 8)


def test_file_wide_channels_first():
    source = ("keras.backend.set_image_data_format('channels_first')\n"
              "model = keras.Sequential([layers.Conv2D(8, 3, input_shape=(1, 28, 28)), layers.MaxPooling2D()])")
    assert shape_of(source) == (None, 8, 13, 13)


_HARNESS = r'''
import json, os, sys
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
import keras
from keras import layers
results = {}
for name, source in json.loads(sys.stdin.read()).items():
    try:
        namespace = {"keras": keras, "layers": layers}
        exec(source, namespace)
        shape = namespace["model"].output_shape
        results[name] = [None if size is None else int(size) for size in shape]
    except Exception as error:
        results[name] = "%s: %s" % (error.__class__.__name__, str(error)[:200])
print("RESULT " + json.dumps(results))
'''


def _real_shapes(python: str, names) -> dict:
    cases = {name: CASES[name][0] for name in names}
    completed = subprocess.run([python, "-c", _HARNESS], input=json.dumps(cases), capture_output=True, text=True,
                               timeout=900, env={**os.environ, "KERAS_BACKEND": "tensorflow"})
    lines = [line for line in completed.stdout.splitlines() if line.startswith("RESULT ")]
    assert lines, completed.stderr[-3000:]
    return json.loads(lines[-1][len("RESULT "):])


def _compare(real: dict) -> list:
    return [(name, CASES[name][1], real[name]) for name in sorted(real)
            if not isinstance(real[name], list) or tuple(real[name]) != CASES[name][1]]


def test_shapes_match_real_keras3():
    real = _real_shapes(find_python("KERASCHECK_TEST_PY_KERAS3"), [name for name in CASES if CASES[name][2] in (True, False)])
    assert _compare(real) == []


def test_shapes_match_real_keras23():
    real = _real_shapes(find_python("KERASCHECK_TEST_PY_KERAS23"), [name for name in CASES if CASES[name][2] in (True, "2")])
    assert _compare(real) == []


def test_a_shape_keras_refuses_is_not_claimed():
    """Reshape((6, 2, 1)) of a (12, 2) input raises in Keras ("total size ... must be unchanged")."""
    assert shape_of(CASES["reshape_wrong_size"][0]) is None


def test_cases_read_like_keras_code():
    for source, _, _ in CASES.values():
        compile(textwrap.dedent(PREAMBLE + source), "case", "exec")
