"""The KC4 messages: the numbers, the line each fact comes from, and what Keras does (as measured)."""

from tests.helpers import findings_for

HEAD = """\
from tensorflow import keras
from tensorflow.keras import layers
from tensorflow.keras.utils import to_categorical
(x, y), _ = keras.datasets.mnist.load_data()
"""


def message(source: str, code: str) -> str:
    found = [f for f in findings_for(HEAD + source) if f.code == code]
    assert len(found) == 1, [(f.code, f.message) for f in findings_for(HEAD + source)]
    return found[0].message


def test_units_against_classes_names_both_numbers_and_their_lines():
    text = message("y = to_categorical(y, 5)\n"
                   "model = keras.Sequential([layers.Flatten(input_shape=(28, 28)),\n"
                   "                          layers.Dense(10, activation='softmax')])\n"
                   "model.compile(loss='categorical_crossentropy')\nmodel.fit(x / 255.0, y)\n", "KC403")
    assert text == ("the softmax output (line 7, 10 units) against one-hot targets of 5 classes (`to_categorical(y, 5)`, "
                    "line 5) in fit() (line 9): Keras raises at the first batch; give the output one unit per class "
                    "(5)")


def test_classes_from_the_loader_and_encoding_from_to_categorical_are_both_named():
    text = message("model = keras.Sequential([layers.Flatten(input_shape=(28, 28)),\n"
                   "                          layers.Dense(10, activation='softmax')])\n"
                   "model.compile(loss='sparse_categorical_crossentropy')\nmodel.fit(x / 255.0, to_categorical(y))\n",
                   "KC401")
    assert "one-hot targets (`to_categorical(y)`, line 8) of 10 classes (`keras.datasets.mnist.load_data()`, line 4)" \
        in text


def test_raw_pixels_into_an_application_advise_its_preprocess_input():
    text = message("x = keras.utils.image_dataset_from_directory('d', image_size=(224, 224))\n"
                   "base = keras.applications.ResNet50(weights=None, input_shape=(224, 224, 3), classes=3)\n"
                   "base.compile(loss='sparse_categorical_crossentropy')\nbase.fit(x)\n", "KC405")
    assert "(first weights: ResNet50, line 6)" in text and "preprocess_input" in text
    assert "255.0" not in text


def test_predictions_name_the_predict_call_and_the_output():
    text = message("import numpy as np\n"
                   "model = keras.Sequential([layers.Flatten(input_shape=(28, 28)),\n"
                   "                          layers.Dense(1, activation='sigmoid')])\n"
                   "model.compile(loss='binary_crossentropy')\n"
                   "pred = model.predict(x / 255.0)\nlabels = np.argmax(pred, axis=1)\n", "KC408")
    assert text.startswith("`np.argmax(pred, axis=1)` over the last axis of the predictions (predict(), line 9) of the "
                           "sigmoid output (line 7, 1 unit) is always 0")
