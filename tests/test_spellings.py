"""Every spelling of layers, activations, losses and metrics, through every Keras root and alias."""

import textwrap

import pytest

from tests.helpers import codes_for

ROOTS = {
    "keras": "import keras as K\n",
    "tf.keras": "import tensorflow as tf\nK = tf.keras\n",
    "tensorflow.keras": "from tensorflow import keras as K\n",
    "tf_keras": "import tf_keras as K\n",
}

SOFTMAX_OUTPUTS = [
    "K.layers.Dense(10, activation='softmax')",
    "K.layers.Dense(10, activation=K.activations.softmax)",
    "K.layers.Dense(10, 'softmax')",
    "K.layers.Dense(units=10, activation='softmax')",
    "K.layers.Dense(10), K.layers.Activation('softmax')",
    "K.layers.Dense(10), K.layers.Activation(K.activations.softmax)",
    "K.layers.Dense(10), K.layers.Softmax()",
    "K.layers.Dense(10), K.layers.Dropout(0.5), K.layers.Activation(activation='softmax')",
]
BCE_LOSSES = [
    "'binary_crossentropy'",
    "'bce'",
    "K.losses.binary_crossentropy",
    "K.losses.BinaryCrossentropy()",
    "LOSS",
]


@pytest.mark.parametrize("root", sorted(ROOTS))
@pytest.mark.parametrize("output", SOFTMAX_OUTPUTS)
@pytest.mark.parametrize("loss", BCE_LOSSES)
def test_bce_on_softmax_in_every_spelling(root, output, loss):
    source = (ROOTS[root] + "LOSS = K.losses.BinaryCrossentropy()\n"
              f"model = K.Sequential([K.layers.Dense(32, activation='relu'), {output}])\n"
              f"model.compile(optimizer='adam', loss={loss}, metrics=['accuracy'])\n")
    codes = codes_for(source)
    assert "KC201" in codes and "KC101" in codes, source


@pytest.mark.parametrize("metric", ["'categorical_accuracy'", "K.metrics.CategoricalAccuracy()",
                                   "K.metrics.categorical_accuracy", "METRIC"])
@pytest.mark.parametrize("root", sorted(ROOTS))
def test_categorical_accuracy_on_multilabel_in_every_spelling(root, metric):
    source = (ROOTS[root] + "METRIC = K.metrics.CategoricalAccuracy()\n"
              "model = K.Sequential([K.layers.Dense(8, activation=K.activations.sigmoid)])\n"
              f"model.compile(optimizer='adam', loss='binary_crossentropy', metrics=[{metric}])\n")
    assert codes_for(source) == ["KC103"], source


@pytest.mark.parametrize("imports", [
    "from keras.layers import Dense as FC, Activation as Act\nfrom keras.models import Sequential as Seq\n",
    "from tensorflow.keras.layers import Dense as FC, Activation as Act\nfrom tensorflow.keras import Sequential as Seq\n",
    "from tf_keras.layers import *\nfrom tf_keras.models import Sequential as Seq\nFC, Act = Dense, Activation\n",
])
def test_from_import_as(imports):
    source = imports + ("model = Seq()\nmodel.add(FC(3))\nmodel.add(Act('sigmoid'))\n"
                        "model.compile(loss='categorical_crossentropy')\n")
    assert codes_for(source) == ["KC202"]


def test_tf_nn_activation_function():
    source = textwrap.dedent("""
        import tensorflow as tf
        model = tf.keras.Sequential([tf.keras.layers.Dense(1, activation=tf.nn.relu)])
        model.compile(loss=tf.keras.losses.BinaryCrossentropy())
    """)
    assert codes_for(source) == ["KC207"]
