"""Data facts: what a program gives a model (x, y, validation data) and what it does with predictions.

Each case is a small program; the facts are read from the ModelCallFacts / PredictionUseFacts of
kerascheck/facts.py, as the KC4 rules (and KC5's) see them.
"""

import json
import re
import textwrap

import pytest

from kerascheck.extract import extract_text
from kerascheck.facts import BINARY, INTEGER, MULTI_HOT, ONE_HOT, RAW_PIXELS, SCALED

HEAD = """\
import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers
from tensorflow.keras.utils import to_categorical

model = keras.Sequential([layers.Flatten(input_shape=(28, 28)), layers.Dense(10, activation="softmax")])
model.compile(loss="categorical_crossentropy", optimizer="adam")
"""


def program(body: str) -> str:
    """The body's code with the 8 spaces of a triple-quoted block in a test taken off."""
    return re.sub(r"(?m)^        ", "", body)


def calls(body: str, head: str = HEAD) -> list:
    return extract_text("case.py", head + program(body)).model_calls


def fit(body: str, head: str = HEAD):
    found = [call for call in calls(body, head) if call.method in ("fit", "fit_generator")]
    assert found, "no fit call recorded"
    return found[-1]


def summary(fact):
    """(encoding, classes, shape, scale) of a DataFact, None for no fact."""
    if fact is None:
        return None
    return fact.encoding, fact.classes, fact.shape, fact.scale


MNIST = "(x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()\n"


def test_loader_tuple_unpacking():
    call = fit(MNIST + "model.fit(x_train, y_train, validation_data=(x_test, y_test))\n")
    assert summary(call.x) == (None, None, (None, 28, 28), RAW_PIXELS)
    assert summary(call.y) == (INTEGER, 10, (None,), None)
    assert summary(call.validation_y) == (INTEGER, 10, (None,), None)
    assert call.y.encoding_origin.line == 9 and "load_data" in call.y.encoding_origin.text
    assert call.trained and call.trained[0].loss.canonical == "categorical_crossentropy"


@pytest.mark.parametrize("loader, x, y", [
    ("cifar10", (None, 32, 32, 3), (INTEGER, 10, (None, 1), None)),
    ("cifar100", (None, 32, 32, 3), (INTEGER, 100, (None, 1), None)),
    ("fashion_mnist", (None, 28, 28), (INTEGER, 10, (None,), None)),
])
def test_loaders_table(loader, x, y):
    call = fit(f"(a, b), _ = keras.datasets.{loader}.load_data()\nmodel.fit(a, b)\n")
    assert call.x.shape == x and call.x.scale == RAW_PIXELS
    assert summary(call.y) == y


def test_cifar100_coarse_labels_have_20_classes():
    call = fit("(a, b), _ = keras.datasets.cifar100.load_data(label_mode='coarse')\nmodel.fit(a, b)\n")
    assert call.y.classes == 20


def test_the_same_loader_imported_every_way():
    for head in ("from keras.datasets import mnist\n", "from tensorflow.keras.datasets import mnist\n",
                 "mnist = keras.datasets.mnist\n", "import keras.datasets.mnist as mnist\n"):
        call = fit(head + "(x, y), _ = mnist.load_data()\nmodel.fit(x, y)\n")
        assert summary(call.y) == (INTEGER, 10, (None,), None), head


@pytest.mark.parametrize("preparation, shape, scale", [
    ("x = x.astype('float32')", (None, 28, 28), RAW_PIXELS),
    ("x = x.astype('float32') / 255", (None, 28, 28), SCALED),
    ("x = x / 255.0", (None, 28, 28), SCALED),
    ("x = x.astype('float32')\nx /= 255", (None, 28, 28), SCALED),
    ("x = x * (1. / 255)", (None, 28, 28), SCALED),
    ("x = (x - x.mean()) / x.std()", (None, 28, 28), SCALED),
    ("x = x - 127.5", (None, 28, 28), None),
    ("x = x.reshape(-1, 28, 28, 1)", (None, 28, 28, 1), RAW_PIXELS),
    ("x = x.reshape(x.shape[0], 28, 28, 1)", (None, 28, 28, 1), RAW_PIXELS),
    ("x = x.reshape((len(x), 784))", (None, 784), RAW_PIXELS),
    ("x = x.reshape(60000, -1)", (None, 784), RAW_PIXELS),
    ("x = np.expand_dims(x, -1)", (None, 28, 28, 1), RAW_PIXELS),
    ("x = np.expand_dims(x, axis=3)", (None, 28, 28, 1), RAW_PIXELS),
    ("x = x[..., None]", (None, 28, 28, 1), RAW_PIXELS),
    ("x = x[:, :, :, np.newaxis]", (None, 28, 28, 1), RAW_PIXELS),
    ("x = x[..., tf.newaxis]", (None, 28, 28, 1), RAW_PIXELS),
    ("x = x[:, np.newaxis]", (None, 1, 28, 28), RAW_PIXELS),
    ("x = np.moveaxis(x[..., None], -1, 1)", (None, 1, 28, 28), RAW_PIXELS),
    ("x = x[..., None].transpose(0, 3, 1, 2)", (None, 1, 28, 28), RAW_PIXELS),
    ("x = x[:1000]", (None, 28, 28), RAW_PIXELS),
    ("x = tf.image.resize(x[..., None], (32, 32))", (None, 32, 32, 1), RAW_PIXELS),
    ("x = tf.keras.applications.resnet50.preprocess_input(x)", (None, 28, 28), SCALED),
    ("x = layers.Rescaling(1. / 255)(x)", (None, 28, 28), SCALED),
    ("x = tf.cast(x, tf.float32)", (None, 28, 28), RAW_PIXELS),
    ("x = np.concatenate([x, x])", (None, 28, 28), RAW_PIXELS),
])
def test_inputs_through_array_functions(preparation, shape, scale):
    call = fit(MNIST.replace("x_train, y_train", "x, y") + preparation + "\nmodel.fit(x, y)\n")
    assert call.x is not None and (call.x.shape, call.x.scale) == (shape, scale)


def test_scaling_in_a_helper_function():
    call = fit(MNIST + """
        def preprocess(images):
            return images.astype('float32') / 255.0

        x_train = preprocess(x_train)
        model.fit(x_train, y_train)
        """)
    assert call.x.scale == SCALED and call.x.scale_origin.text == "images.astype('float32') / 255.0"


def test_scaling_in_place_in_a_helper_function_reaches_the_caller():
    call = fit(MNIST + """
        x_train = x_train.astype('float32')

        def normalize(images):
            images /= 255

        normalize(x_train)
        model.fit(x_train, y_train)
        """)
    assert call.x.scale == SCALED


def test_an_array_given_to_a_function_not_followed_as_a_statement_is_forgotten():
    call = fit(MNIST + "from mylib import normalize_inplace\nnormalize_inplace(x_train)\nmodel.fit(x_train, y_train)\n")
    assert call.x is None or call.x.scale is None


def test_aliases_see_in_place_changes_and_copies_do_not():
    call = fit(MNIST + "x = x_train.astype('float32')\nalias = x\nx /= 255\nmodel.fit(alias, y_train)\n"
               "model.fit(x_train, y_train)\n")
    fits = [c for c in calls(MNIST + "x = x_train.astype('float32')\nalias = x\nx /= 255\nmodel.fit(alias, y_train)\n"
                                     "model.fit(x_train, y_train)\n") if c.method == "fit"]
    assert fits[0].x.scale == SCALED and fits[1].x.scale == RAW_PIXELS
    assert call is not None


@pytest.mark.parametrize("preparation, expected", [
    ("y = to_categorical(y, 10)", (ONE_HOT, 10, (None, 10), None)),
    ("y = to_categorical(y)", (ONE_HOT, 10, (None, 10), None)),
    ("y = keras.utils.to_categorical(y, num_classes=5)", (ONE_HOT, 5, (None, 5), None)),
    ("from keras.utils import np_utils\ny = np_utils.to_categorical(y, 10)", (ONE_HOT, 10, (None, 10), None)),
    ("y = np.eye(10)[y]", (ONE_HOT, 10, (None, 10), None)),
    ("y = tf.one_hot(y, 10)", (ONE_HOT, 10, (None, 10), None)),
    ("y = np.argmax(to_categorical(y, 10), axis=-1)", (INTEGER, 10, (None,), None)),
    ("y = to_categorical(y, 10).argmax(axis=1)", (INTEGER, 10, (None,), None)),
    ("y = y.reshape(-1, 1)", (INTEGER, 10, (None, 1), None)),
    ("y = y[:5000]", (INTEGER, 10, (None,), None)),
])
def test_targets_encodings(preparation, expected):
    call = fit(MNIST.replace("x_train, y_train", "x, y") + preparation + "\nmodel.fit(x, y)\n")
    assert summary(call.y) == expected


def test_targets_of_unknown_arrays_still_have_their_encoding():
    head = HEAD + "import pandas as pd\nfrom sklearn.preprocessing import LabelEncoder, MultiLabelBinarizer\n" \
                  "df = pd.read_csv('data.csv')\n"
    assert fit("y = to_categorical(df['label'], 3)\nmodel.fit(df.values, y)\n", head).y.encoding == ONE_HOT
    assert fit("y = LabelEncoder().fit_transform(df['label'])\nmodel.fit(df.values, y)\n", head).y.encoding == INTEGER
    assert fit("enc = LabelEncoder()\ny = enc.fit_transform(df['label'])\nmodel.fit(df.values, y)\n",
               head).y.encoding == INTEGER
    assert fit("y = MultiLabelBinarizer().fit_transform(df['tags'])\nmodel.fit(df.values, y)\n",
               head).y.encoding == MULTI_HOT
    assert fit("y = pd.get_dummies(df['label'])\nmodel.fit(df.values, y)\n", head).y.encoding == ONE_HOT


def test_scaled_labels_keep_their_encoding_and_say_where():
    call = fit(MNIST + "y_train = y_train / 255\nmodel.fit(x_train, y_train)\n")
    assert call.y.encoding == INTEGER and call.y.scaled_labels.text == "y_train / 255"
    call = fit(MNIST + "from sklearn.preprocessing import StandardScaler\n"
                       "y_train = StandardScaler().fit_transform(y_train.reshape(-1, 1))\nmodel.fit(x_train, y_train)\n")
    assert call.y.scaled_labels is not None


def test_train_test_split_keeps_each_array_s_facts():
    call = fit(MNIST + "from sklearn.model_selection import train_test_split\n"
                       "a, b, c, d = train_test_split(x_train, to_categorical(y_train), test_size=0.2)\n"
                       "model.fit(a, c, validation_data=(b, d))\n")
    assert call.x.scale == RAW_PIXELS and call.y.encoding == ONE_HOT and call.validation_y.encoding == ONE_HOT


def test_branches_that_disagree_leave_the_data_unknown():
    call = fit(MNIST + """
        import sys
        if sys.argv[1] == 'onehot':
            y_train = to_categorical(y_train)
        model.fit(x_train, y_train)
        """)
    assert call.y is None
    call = fit(MNIST + """
        import sys
        if sys.argv[1] == 'a':
            y_train = to_categorical(y_train, 10)
        else:
            y_train = keras.utils.to_categorical(y_train, 10)
        model.fit(x_train, y_train)
        """)
    assert call.y.encoding == ONE_HOT
    call = fit(MNIST + "if __name__ == '__main__':\n    y_train = to_categorical(y_train)\n    model.fit(x_train, y_train)\n")
    assert call.y.encoding == ONE_HOT


def test_tf_data_pipeline():
    call = fit(MNIST + """
        ds = tf.data.Dataset.from_tensor_slices((x_train, y_train))
        ds = ds.map(lambda x, y: (tf.cast(x, tf.float32) / 255.0, tf.one_hot(y, 10))).shuffle(100).batch(32)
        model.fit(ds, epochs=2)
        """)
    assert summary(call.x) == (None, None, (None, 28, 28), SCALED)
    assert summary(call.y) == (ONE_HOT, 10, (None, 10), None)
    assert call.x.from_dataset


def test_tf_data_map_with_a_function_and_a_batched_dataset():
    call = fit(MNIST + """
        def prepare(image, label):
            return tf.expand_dims(image, -1), label

        ds = tf.data.Dataset.from_tensor_slices((x_train, y_train)).batch(64).map(prepare)
        model.fit(ds)
        """)
    assert summary(call.x) == (None, None, (None, 28, 28, 1), RAW_PIXELS)
    assert summary(call.y) == (INTEGER, 10, (None,), None)


def test_an_unbatched_dataset_has_no_shape_keras_would_see():
    call = fit(MNIST + "model.fit(tf.data.Dataset.from_tensor_slices((x_train, y_train)))\n")
    assert call.x.shape is None and call.y.encoding == INTEGER


@pytest.mark.parametrize("loader, x, y", [
    ("keras.utils.image_dataset_from_directory('d', image_size=(180, 180))",
     ((None, 180, 180, 3), RAW_PIXELS), (INTEGER, None)),
    ("keras.utils.image_dataset_from_directory('d', label_mode='categorical', color_mode='grayscale')",
     ((None, 256, 256, 1), RAW_PIXELS), (ONE_HOT, None)),
    ("keras.preprocessing.image_dataset_from_directory('d', label_mode='binary', class_names=['a', 'b'])",
     ((None, 256, 256, 3), RAW_PIXELS), (BINARY, None)),
    ("keras.utils.image_dataset_from_directory('d', class_names=['a', 'b', 'c'])",
     ((None, 256, 256, 3), RAW_PIXELS), (INTEGER, 3)),
    ("keras.preprocessing.image.ImageDataGenerator(rescale=1./255).flow_from_directory('d', target_size=(150, 150))",
     ((None, 150, 150, 3), SCALED), (ONE_HOT, None)),
    ("keras.preprocessing.image.ImageDataGenerator(horizontal_flip=True).flow_from_directory('d', class_mode='binary')",
     ((None, 256, 256, 3), RAW_PIXELS), (BINARY, None)),
    ("keras.preprocessing.image.ImageDataGenerator(rescale=1./255).flow_from_dataframe(df, 'd', class_mode='sparse')",
     ((None, 256, 256, 3), SCALED), (INTEGER, None)),
    ("keras.preprocessing.image.ImageDataGenerator(preprocessing_function=f).flow_from_directory('d')",
     ((None, 256, 256, 3), None), (ONE_HOT, None)),
])
def test_directory_loaders(loader, x, y):
    call = fit(f"df = None\nf = None\ntrain = {loader}\nmodel.fit(train)\n")
    assert (call.x.shape, call.x.scale) == x
    assert (call.y.encoding, call.y.classes) == y


def test_generator_flow_applies_its_rescale():
    call = fit(MNIST + "gen = keras.preprocessing.image.ImageDataGenerator(rescale=1/255.)\n"
                       "model.fit(gen.flow(x_train[..., None], to_categorical(y_train), batch_size=32))\n")
    assert summary(call.x) == (None, None, (None, 28, 28, 1), SCALED)
    assert summary(call.y) == (ONE_HOT, 10, (None, 10), None)


def test_input_shape_written_from_the_data():
    facts = extract_text("case.py", HEAD.replace("model = keras", "model0 = keras") + MNIST + textwrap.dedent("""
        model = keras.Sequential([layers.Dense(10, activation='softmax', input_shape=x_train.shape[1:])])
        model.compile(loss='sparse_categorical_crossentropy')
        other = keras.Sequential([layers.Dense(10, activation='softmax', input_shape=(len(x_train), 20))])
        other.compile(loss='sparse_categorical_crossentropy')
        """))
    first, second = [c.model.inputs[0] for c in facts.compiles[1:]]
    assert first.shape == (None, 28, 28) and not first.batch_in_shape
    assert second.shape == (None, None, 20) and second.batch_in_shape


def test_predictions_uses():
    body = MNIST + """
        from sklearn.metrics import accuracy_score, confusion_matrix
        pred = model.predict(x_test)
        a = np.argmax(pred, axis=-1)
        b = pred.argmax(axis=1)
        c = np.argmax(pred)
        d = (pred > 0.5).astype(int)
        e = np.round(pred)
        f = accuracy_score(y_test, pred)
        g = confusion_matrix(y_test, np.argmax(pred, axis=1))
        h = np.mean(pred == y_test)
        i = np.argmax(model.predict(x_test[:1])[0])
        j = pred[:, 0] > 0.5
        """
    uses = extract_text("case.py", HEAD + program(body)).prediction_uses
    seen = [(u.kind, u.function, u.over_last_axis, u.threshold, u.last_axis_is_units) for u in uses]
    assert seen == [
        ("argmax", "np.argmax", True, None, True),
        ("argmax", ".argmax()", True, None, True),
        ("argmax", "np.argmax", False, None, True),
        ("threshold", ">", False, 0.5, True),
        ("threshold", "np.round", False, 0.5, True),
        ("sklearn_metric", "accuracy_score", False, None, True),
        ("argmax", "np.argmax", True, None, True),
        ("compared", "==", False, None, True),
        ("argmax", "np.argmax", False, None, True),
        ("threshold", ">", False, 0.5, False),
    ]
    assert uses[0].call.outputs[0].units == 10
    assert uses[7].labels.encoding == INTEGER


def test_inspect_shows_the_data_next_to_the_model():
    from kerascheck.report import inspect_format

    facts = extract_text("case.py", HEAD + MNIST + "model.fit(x_train, to_categorical(y_train), validation_split=0.1)\n"
                                                   "labels = np.argmax(model.predict(x_test / 255.0), axis=-1)\n")
    for call in facts.model_calls:
        call.path = "case.py"
        call.uses = [use for use in facts.prediction_uses if use.call is call]
    text = inspect_format.render_text(facts.compiles, facts.model_calls)
    assert "fit (line 10): x: raw 0-255 pixels (`keras.datasets.mnist.load_data()`, line 9), shape (None, 28, 28); " \
           "y: one-hot of 10 classes (`to_categorical(y_train)`, line 10), shape (None, 10)" in text
    assert "predictions: argmax `np.argmax(model.predict(x_test / 255.0), axis=-1)` (line 11) (over the last axis)" \
        in text
    rendered = json.loads(inspect_format.render_json(facts.compiles, facts.model_calls))
    fit_json = rendered[0]["calls"][0]
    assert fit_json["y"]["encoding"] == "one_hot" and fit_json["y"]["classes_origin"]["line"] == 9
    assert fit_json["x"]["scale"] == "raw" and fit_json["x"]["shape"] == [None, 28, 28]
    assert "1 fit call of known models: 1 with known target encoding" in inspect_format.summary(facts.compiles,
                                                                                               facts.model_calls)


@pytest.mark.parametrize("change", [
    "for i in range(len(x_train)):\n    x_train[i] = x_train[i] / 255",
    "x_train = x_train.astype('float32')\nnp.divide(x_train, 255, out=x_train)",
    "x_train = x_train.astype('float32')\nx_train.clip(0, 1, out=x_train)",
])
def test_arrays_changed_in_place_are_forgotten(change):
    call = fit(MNIST + change + "\nmodel.fit(x_train, y_train)\n")
    assert call.x is None or call.x.scale is None


def test_a_selection_of_samples_may_not_hold_every_class():
    call = fit(MNIST + "keep = y_train < 5\nmodel.fit(x_train[keep], y_train[keep])\n")
    assert call.y.encoding == INTEGER and call.y.classes is None
    assert fit(MNIST + "model.fit(x_train[:1000], y_train[:1000])\n").y.classes == 10
