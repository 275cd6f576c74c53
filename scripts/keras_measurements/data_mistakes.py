# What Keras does with the data mistakes of the KC4 rules (docs/keras-semantics.md, "What the data mistakes do").
#
# Each case builds a small model, fits it for one epoch (batch 16, 64 samples) on synthetic data shaped like
# the mistake, and prints "trains" (with the loss and metrics of the epoch) or the error Keras raises.
# Runs on Python 3.7 (Keras 2.3.1) and 3.11 (Keras 3):
#   $KERASCHECK_TEST_PY_KERAS3 data_mistakes.py          # keras (Keras 3, or standalone Keras 2.3.1)
#   $KERASCHECK_TEST_PY_KERAS23 data_mistakes.py
import os
import sys
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
warnings.filterwarnings("ignore")
import numpy as np  # noqa: E402

import keras  # noqa: E402
from keras import layers  # noqa: E402

try:
    import tensorflow as tf
    TF = tf.__version__
except Exception:  # noqa: BLE001
    TF = None

N, BATCH = 64, 16
rng = np.random.RandomState(0)


def dense_model(units, activation, features=8, input_shape=None):
    model = keras.models.Sequential()
    model.add(layers.Dense(16, activation="relu", input_shape=input_shape or (features,)))
    model.add(layers.Dense(units, activation=activation))
    return model


def run(name, build, x, y, loss, metrics=("accuracy",), epochs=1, compile_kwargs=None):
    try:
        model = build()
        model.compile(optimizer="adam", loss=loss, metrics=list(metrics), **(compile_kwargs or {}))
        history = model.fit(x, y, epochs=epochs, batch_size=BATCH, verbose=0)
        last = dict((key, round(float(values[-1]), 3)) for key, values in history.history.items())
        print("%s: trains %s" % (name, last))
        return model
    except Exception as error:  # noqa: BLE001
        text = " ".join(str(error).split())
        for marker in ("Received a label value", "Input 0 of layer", "Error when checking"):
            if marker in text:
                text = text[text.find(marker):]
                break
        short = text[:260]
        print("%s: %s: %s" % (name, type(error).__name__, short))
        return None


x8 = rng.normal(size=(N, 8)).astype("float32")
labels10 = rng.randint(0, 10, size=N)
labels3 = rng.randint(0, 3, size=N)
onehot10 = np.eye(10, dtype="float32")[labels10]
onehot5 = np.eye(5, dtype="float32")[rng.randint(0, 5, size=N)]

print("keras %s, TensorFlow %s, Python %s" % (keras.__version__, TF, sys.version.split()[0]))

# KC401: a sparse loss (or metric) on one-hot targets
run("KC401 sparse CE on one-hot (10)", lambda: dense_model(10, "softmax"), x8, onehot10,
    "sparse_categorical_crossentropy")
run("KC401 CE loss + sparse_categorical_accuracy metric on one-hot (10)", lambda: dense_model(10, "softmax"), x8,
    onehot10, "categorical_crossentropy", metrics=("sparse_categorical_accuracy",))
run("KC401 mse loss + sparse_categorical_accuracy metric on one-hot (10)", lambda: dense_model(10, "softmax"), x8,
    onehot10, "mse", metrics=("sparse_categorical_accuracy",))

# KC402: a categorical loss (or metric) on integer labels
run("KC402 CE on integer labels (N,)", lambda: dense_model(10, "softmax"), x8, labels10, "categorical_crossentropy")
run("KC402 CE on integer labels (N, 1)", lambda: dense_model(10, "softmax"), x8, labels10.reshape(-1, 1),
    "categorical_crossentropy")
run("KC402 CE on 2-class integer labels, softmax(2)", lambda: dense_model(2, "softmax"), x8, labels10 % 2,
    "categorical_crossentropy")
run("KC402 sparse CE loss + categorical_accuracy metric on integer labels (N,)", lambda: dense_model(10, "softmax"),
    x8, labels10, "sparse_categorical_crossentropy", metrics=("categorical_accuracy",))
run("KC402 mse loss + categorical_accuracy metric on integer labels (N, 1)", lambda: dense_model(10, "softmax"),
    x8, labels10.reshape(-1, 1), "mse", metrics=("categorical_accuracy",))

# KC403: units against classes
run("KC403 softmax(10) on one-hot of 5, CE", lambda: dense_model(10, "softmax"), x8, onehot5,
    "categorical_crossentropy")
run("KC403 linear(10) on one-hot of 5, CE from_logits", lambda: dense_model(10, None), x8, onehot5,
    keras.losses.CategoricalCrossentropy(from_logits=True))
run("KC403 sigmoid(10) on one-hot of 5, CE", lambda: dense_model(10, "sigmoid"), x8, onehot5,
    "categorical_crossentropy")
run("KC403 softmax(10) on one-hot of 5, BCE", lambda: dense_model(10, "softmax"), x8, onehot5,
    "binary_crossentropy")
run("KC403 softmax(5), sparse CE, labels 0-9", lambda: dense_model(5, "softmax"), x8, labels10,
    "sparse_categorical_crossentropy")
run("KC403 softmax(12), sparse CE, labels 0-9 (more units: not flagged)", lambda: dense_model(12, "softmax"), x8,
    labels10, "sparse_categorical_crossentropy")
run("KC403 sigmoid(1) on one-hot of 5, BCE (1 unit: not KC403)", lambda: dense_model(1, "sigmoid"), x8, onehot5,
    "binary_crossentropy")

# KC404: one unit on more than two classes
run("KC404 sigmoid(1) + BCE on labels 0, 1, 2", lambda: dense_model(1, "sigmoid"), x8, labels3,
    "binary_crossentropy")
run("KC404 tanh(1) + hinge on labels 0, 1, 2", lambda: dense_model(1, "tanh"), x8, labels3, "hinge")
run("KC404 sigmoid(1) + BCE on labels 0-9", lambda: dense_model(1, "sigmoid"), x8, labels10,
    "binary_crossentropy")

# KC405: raw 0-255 pixels (a task a scaled input learns in a few epochs)
pixels = rng.randint(0, 256, size=(512, 28, 28)).astype("float32")
pixel_labels = (pixels[:, :14].mean(axis=(1, 2)) > pixels[:, 14:].mean(axis=(1, 2))).astype("int32")


def pixel_model():
    return keras.models.Sequential([layers.Flatten(input_shape=(28, 28)), layers.Dense(64, activation="relu"),
                                    layers.Dense(2, activation="softmax")])


for label, data in (("raw 0-255", pixels), ("divided by 255", pixels / 255.0)):
    np.random.seed(1)
    try:
        tf.random.set_seed(1)
    except Exception:  # noqa: BLE001
        try:
            tf.set_random_seed(1)
        except Exception:  # noqa: BLE001
            pass
    run("KC405 %s pixels, 5 epochs" % label, pixel_model, data, pixel_labels, "sparse_categorical_crossentropy",
        epochs=5, compile_kwargs={})

# KC406: class labels scaled like the images
scaled_labels = labels10 / 255.0
model = run("KC406 sparse CE on labels / 255", lambda: dense_model(10, "softmax"), x8, scaled_labels,
            "sparse_categorical_crossentropy")
if model is not None:
    as_given = model.evaluate(x8, scaled_labels, verbose=0)
    zeros = model.evaluate(x8, np.zeros(N), verbose=0)
    print("KC406 evaluate on labels / 255 %s = on all-zero labels %s" % (np.round(as_given, 4), np.round(zeros, 4)))
run("KC406 CE on one-hot / 255", lambda: dense_model(10, "softmax"), x8, onehot10 / 255.0,
    "categorical_crossentropy")

# KC407: the data's shape against the declared input shape
images = rng.rand(N, 28, 28).astype("float32")


def conv_model(input_shape):
    return keras.models.Sequential([layers.Conv2D(4, (3, 3), activation="relu", input_shape=input_shape),
                                    layers.MaxPooling2D(), layers.Flatten(), layers.Dense(10, activation="softmax")])


def functional_conv(shape):
    inputs = keras.layers.Input(shape)
    hidden = layers.Flatten()(layers.Conv2D(4, (3, 3), activation="relu")(inputs))
    return keras.models.Model(inputs, layers.Dense(10, activation="softmax")(hidden))


run("KC407 (N, 28, 28) into Sequential (28, 28, 1)", lambda: conv_model((28, 28, 1)), images, onehot10,
    "categorical_crossentropy")
run("KC407 (N, 28, 28) into functional (28, 28, 1)", lambda: functional_conv((28, 28, 1)), images, onehot10,
    "categorical_crossentropy")
run("KC407 channels-first (N, 1, 28, 28) into (28, 28, 1)", lambda: conv_model((28, 28, 1)), images[:, None],
    onehot10, "categorical_crossentropy")
run("KC407 channels-first (N, 3, 32, 32) into (32, 32, 3)", lambda: conv_model((32, 32, 3)),
    rng.rand(N, 3, 32, 32).astype("float32"), onehot10, "categorical_crossentropy")
run("KC407 flattened (N, 784) into (28, 28, 1)", lambda: conv_model((28, 28, 1)), images.reshape(N, 784), onehot10,
    "categorical_crossentropy")
run("KC407 (N, 28, 28, 3) into (28, 28, 1) (channels differ)", lambda: conv_model((28, 28, 1)),
    rng.rand(N, 28, 28, 3).astype("float32"), onehot10, "categorical_crossentropy")
run("KC407 images (N, 28, 28, 1) into Dense input_shape=(784,)", lambda: dense_model(10, "softmax", features=784),
    images[..., None], onehot10, "categorical_crossentropy")
run("KC407 images (N, 28, 28) into Dense input_shape=(784,)", lambda: dense_model(10, "softmax", features=784),
    images, onehot10, "categorical_crossentropy")
run("KC407 (N, 784) into Dense input_shape=(28, 28)", lambda: dense_model(10, "softmax", input_shape=(28, 28)),
    images.reshape(N, 784), onehot10, "categorical_crossentropy")
run("KC407 features (N, 20) into Dense input_shape=(30,)", lambda: dense_model(10, "softmax", features=30),
    rng.rand(N, 20).astype("float32"), onehot10, "categorical_crossentropy")
run("KC407 batch in input_shape: Conv2D input_shape=(None, 28, 28, 1), data (N, 28, 28, 1)",
    lambda: conv_model((None, 28, 28, 1)), images[..., None], onehot10, "categorical_crossentropy")
run("KC407 batch in input_shape: Dense input_shape=(64, 20), data (N, 20)",
    lambda: dense_model(10, "softmax", input_shape=(N, 20)), rng.rand(N, 20).astype("float32"), onehot10,
    "categorical_crossentropy")
run("KC407 spatial size only: (N, 32, 32, 1) into (28, 28, 1) (not flagged)", lambda: conv_model((28, 28, 1)),
    rng.rand(N, 32, 32, 1).astype("float32"), onehot10, "categorical_crossentropy")

# KC408-KC410: what is done with predictions
sigmoid_model = run("predictions of a sigmoid(1) model", lambda: dense_model(1, "sigmoid"), x8, labels10 % 2,
                    "binary_crossentropy")
if sigmoid_model is not None:
    predictions = sigmoid_model.predict(x8)
    print("KC408 predictions shape %s; np.argmax(axis=-1) distinct values %s"
          % (predictions.shape, sorted(set(np.argmax(predictions, axis=-1).tolist()))))
    print("KC410 predictions == labels: mean %.3f (shape %s)"
          % (float(np.mean(predictions == (labels10 % 2))), (predictions == (labels10 % 2)).shape))
logit_model = run("predictions of a linear(1) model, BCE from_logits", lambda: dense_model(1, None), x8,
                  labels10 % 2, keras.losses.BinaryCrossentropy(from_logits=True))
if logit_model is not None:
    logits = logit_model.predict(x8)
    print("KC409 logits range [%.2f, %.2f]; (logits > 0.5) differs from (logits > 0) on %d of %d samples"
          % (float(logits.min()), float(logits.max()), int(np.sum((logits > 0.5) != (logits > 0))), N))
