"""What the structural mistakes of KC5 and KC308 do on a real Keras (docs/keras-semantics.md).

Run under the Python of the Keras to measure (Python 3.7 for keras 2.3.1: no newer syntax here):

    /work/main/.ci-venvs/keras3/bin/python scripts/keras_measurements/structure.py
    /work/main/.ci-venvs/keras23/bin/python scripts/keras_measurements/structure.py

Each case builds a small model, compiles it and fits one batch (16 samples, batch 16) on synthetic
data, and prints what happened: "trains" with the output shape and loss, or Keras's error, quoted.
"""

import os
import sys
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
warnings.filterwarnings("ignore")

import numpy as np  # noqa: E402

try:
    import keras  # noqa: E402
    from keras import layers  # noqa: E402
except ImportError:  # pragma: no cover
    from tensorflow import keras  # noqa: E402
    from tensorflow.keras import layers  # noqa: E402

N = 16
rng = np.random.RandomState(0)


def first_line(error):
    text = str(error).strip()
    for marker in ("in user code:",):
        if marker in text:
            text = text.split(marker)[-1]
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for line in lines:
        if "Error" in line or "must" in line or "expected" in line or "Computed" in line or "Negative" in line:
            return line[:300]
    return lines[0][:300] if lines else type(error).__name__


def case(label, build, x, y, loss, metrics=None):
    try:
        model = build()
        model.compile(optimizer="sgd", loss=loss, metrics=metrics or [])
        history = model.fit(x, y, batch_size=N, epochs=1, verbose=0)
        print("%-72s trains: output %s, loss %.3f" % (label, tuple(model.output_shape), history.history["loss"][-1]))
    except Exception as error:  # noqa: BLE001 - every error is the measurement
        print("%-72s %s: %s" % (label, type(error).__name__, first_line(error)))


def sequential(layers_factory):
    """A builder of a fresh Sequential model of the layers `layers_factory()` makes."""
    return lambda: keras.models.Sequential(layers_factory())


def one_hot(classes, shape=(N,)):
    return np.eye(classes)[rng.randint(classes, size=shape)].astype("float32")


def labels(classes, shape=(N,)):
    return rng.randint(classes, size=shape)


print("keras", keras.__version__)
images_first = rng.rand(N, 1, 28, 28).astype("float32")
rgb_first = rng.rand(N, 3, 32, 32).astype("float32")

print("-- KC308: a channels-first input shape on a channels-last Keras")
case("(1, 28, 28), Conv2D 3x3 valid, MaxPooling2D 2, Flatten, Dense(10, softmax)",
     sequential(lambda: [layers.Conv2D(8, (3, 3), activation="relu", input_shape=(1, 28, 28)),
                         layers.MaxPooling2D((2, 2)), layers.Flatten(), layers.Dense(10, activation="softmax")]),
     images_first, one_hot(10), "categorical_crossentropy")
case("(1, 28, 28), Conv2D 3x3 valid, Flatten, Dense(10, softmax)",
     sequential(lambda: [layers.Conv2D(8, (3, 3), activation="relu", input_shape=(1, 28, 28)),
                         layers.Flatten(), layers.Dense(10, activation="softmax")]),
     images_first, one_hot(10), "categorical_crossentropy")
case("(3, 32, 32), Conv2D 3x3 same, MaxPooling2D 2 same, Flatten, Dense(10, softmax)",
     sequential(lambda: [layers.Conv2D(8, (3, 3), padding="same", activation="relu", input_shape=(3, 32, 32)),
                         layers.MaxPooling2D((2, 2), padding="same"), layers.Flatten(),
                         layers.Dense(10, activation="softmax")]),
     rgb_first, one_hot(10), "categorical_crossentropy")
case("(3, 32, 32), Conv2D 3x3 valid, MaxPooling2D 2, Flatten, Dense(10, softmax)",
     sequential(lambda: [layers.Conv2D(8, (3, 3), activation="relu", input_shape=(3, 32, 32)),
                         layers.MaxPooling2D((2, 2)), layers.Flatten(), layers.Dense(10, activation="softmax")]),
     rgb_first, one_hot(10), "categorical_crossentropy")
case("the message's shape (28, 28, 1) and np.moveaxis(x, 1, -1)",
     sequential(lambda: [layers.Conv2D(8, (3, 3), activation="relu", input_shape=(28, 28, 1)),
                         layers.MaxPooling2D((2, 2)), layers.Flatten(), layers.Dense(10, activation="softmax")]),
     np.moveaxis(images_first, 1, -1), one_hot(10), "categorical_crossentropy")
case("(1, 28, 28) with data_format='channels_first' on the layers (CPU)",
     sequential(lambda: [layers.Conv2D(8, (3, 3), activation="relu", input_shape=(1, 28, 28),
                                       data_format="channels_first"),
                         layers.MaxPooling2D((2, 2), data_format="channels_first"), layers.Flatten(),
                         layers.Dense(10, activation="softmax")]),
     images_first, one_hot(10), "categorical_crossentropy")

print("-- KC501: a Dense head on unflattened features, per-sample targets")
conv_then_dense = sequential(lambda: [layers.Conv2D(8, (3, 3), activation="relu", input_shape=(28, 28, 1)),
                                      layers.MaxPooling2D((2, 2)), layers.Dense(10, activation="softmax")])
images = rng.rand(N, 28, 28, 1).astype("float32")
case("Conv2D, MaxPooling2D, Dense(10, softmax); CCE, one-hot (N, 10)", conv_then_dense, images, one_hot(10),
     "categorical_crossentropy")
case("Conv2D, MaxPooling2D, Dense(10, softmax); sparse CCE, labels (N,)", conv_then_dense, images, labels(10),
     "sparse_categorical_crossentropy")
case("Conv2D, MaxPooling2D, Dense(1, sigmoid); BCE, labels (N,)",
     sequential(lambda: [layers.Conv2D(8, (3, 3), activation="relu", input_shape=(28, 28, 1)),
                         layers.MaxPooling2D((2, 2)), layers.Dense(1, activation="sigmoid")]),
     images, labels(2).astype("float32"), "binary_crossentropy")
case("Conv2D, MaxPooling2D, Dense(1); mse, targets (N, 1)",
     sequential(lambda: [layers.Conv2D(8, (3, 3), activation="relu", input_shape=(28, 28, 1)),
                         layers.MaxPooling2D((2, 2)), layers.Dense(1)]),
     images, rng.rand(N, 1).astype("float32"), "mse")
sequences = rng.rand(N, 5, 3).astype("float32")
case("LSTM(return_sequences=True), Dense(10, softmax); CCE, one-hot (N, 10)",
     sequential(lambda: [layers.LSTM(4, return_sequences=True, input_shape=(5, 3)),
                         layers.Dense(10, activation="softmax")]),
     sequences, one_hot(10), "categorical_crossentropy")
case("LSTM(return_sequences=True), Dense(10, softmax); sparse CCE, labels (N,)",
     sequential(lambda: [layers.LSTM(4, return_sequences=True, input_shape=(5, 3)),
                         layers.Dense(10, activation="softmax")]),
     sequences, labels(10), "sparse_categorical_crossentropy")
case("(5, 3) input, Dense(1); mse, targets (N, 1)",
     sequential(lambda: [layers.Dense(1, input_shape=(5, 3))]), sequences, rng.rand(N, 1).astype("float32"), "mse")
tokens = rng.randint(1, 50, size=(N, 20))
case("Embedding(50, 8, input_length=20), Dense(1, sigmoid); BCE, labels (N,)",
     sequential(lambda: [layers.Embedding(50, 8, input_length=20), layers.Dense(1, activation="sigmoid")]),
     tokens, labels(2).astype("float32"), "binary_crossentropy", ["accuracy"])
case("Embedding(50, 8, input_length=20), Dense(1, sigmoid); BCE, labels (N, 1)",
     sequential(lambda: [layers.Embedding(50, 8, input_length=20), layers.Dense(1, activation="sigmoid")]),
     tokens, labels(2, (N, 1)).astype("float32"), "binary_crossentropy", ["accuracy"])
case("Embedding(50, 8, input_length=20), Dense(3, softmax); CCE, one-hot (N, 3)",
     sequential(lambda: [layers.Embedding(50, 8, input_length=20), layers.Dense(3, activation="softmax")]),
     tokens, one_hot(3), "categorical_crossentropy")
case("the message's fix: Conv2D, MaxPooling2D, Flatten, Dense(10, softmax); CCE",
     sequential(lambda: [layers.Conv2D(8, (3, 3), activation="relu", input_shape=(28, 28, 1)),
                         layers.MaxPooling2D((2, 2)), layers.Flatten(), layers.Dense(10, activation="softmax")]),
     images, one_hot(10), "categorical_crossentropy")
case("the message's fix: Conv2D, GlobalAveragePooling2D, Dense(10, softmax); CCE",
     sequential(lambda: [layers.Conv2D(8, (3, 3), activation="relu", input_shape=(28, 28, 1)),
                         layers.GlobalAveragePooling2D(), layers.Dense(10, activation="softmax")]),
     images, one_hot(10), "categorical_crossentropy")
case("trap: LSTM(return_sequences=True), Dense(10, softmax); CCE, one-hot (N, 5, 10)",
     sequential(lambda: [layers.LSTM(4, return_sequences=True, input_shape=(5, 3)),
                         layers.Dense(10, activation="softmax")]),
     sequences, one_hot(10, (N, 5)), "categorical_crossentropy")

print("-- KC501: which losses broadcast an output with one axis more than the targets (Keras 3 trains on those)")
broadcast_model = sequential(lambda: [layers.Dense(1, input_shape=(5, 3))])
for loss_name in ("mse", "mae", "msle", "mape", "huber", "log_cosh", "logcosh", "hinge", "squared_hinge",
                  "kl_divergence", "kullback_leibler_divergence", "poisson", "cosine_similarity"):
    case("(5, 3) input, Dense(1); %s, targets (N, 1)" % loss_name, broadcast_model, sequences,
         rng.rand(N, 1).astype("float32"), loss_name)
case("(5, 3) input, Dense(1); mse, targets (N,) (output two axes more)", broadcast_model, sequences,
     rng.rand(N).astype("float32"), "mse")
case("Embedding(50, 8, input_length=20), Dense(1, sigmoid); mse, labels (N,)",
     sequential(lambda: [layers.Embedding(50, 8, input_length=20), layers.Dense(1, activation="sigmoid")]),
     tokens, labels(2).astype("float32"), "mse")
case("Conv2D, MaxPooling2D, Dense(10, softmax); mse, one-hot (N, 10)", conv_then_dense, images, one_hot(10), "mse")
case("LSTM(return_sequences=True), Dense(10, softmax); mse, one-hot (N, 10)",
     sequential(lambda: [layers.LSTM(4, return_sequences=True, input_shape=(5, 3)),
                         layers.Dense(10, activation="softmax")]),
     sequences, one_hot(10), "mse")
case("trap: LSTM(return_sequences=True), Dense(10, softmax); sparse CCE, labels (N, 5) per timestep",
     sequential(lambda: [layers.LSTM(4, return_sequences=True, input_shape=(5, 3)),
                         layers.Dense(10, activation="softmax")]),
     sequences, labels(10, (N, 5)), "sparse_categorical_crossentropy")
case("trap: LSTM(return_sequences=True), Dense(1, sigmoid); BCE, labels (N, 5) per timestep",
     sequential(lambda: [layers.LSTM(4, return_sequences=True, input_shape=(5, 3)),
                         layers.Dense(1, activation="sigmoid")]),
     sequences, labels(2, (N, 5)).astype("float32"), "binary_crossentropy")

print("-- KC502: a regression loss on a classifier")
flat = rng.rand(N, 8).astype("float32")
case("Dense(10, softmax); mse, one-hot (N, 10)",
     sequential(lambda: [layers.Dense(10, activation="softmax", input_shape=(8,))]), flat, one_hot(10), "mse")
case("Dense(1, sigmoid); mse, labels (N,)",
     sequential(lambda: [layers.Dense(1, activation="sigmoid", input_shape=(8,))]), flat,
     labels(2).astype("float32"), "mse")


def gradient_at_saturated_wrong_prediction():
    """d(loss)/d(logits) for a softmax that puts 0.999 on a wrong class: mse against cross-entropy."""
    logits = np.array([[8.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]], dtype="float32")
    target = np.eye(10, dtype="float32")[[3]]
    try:
        import tensorflow as tf
    except ImportError:
        print("  (no TensorFlow: gradients not measured)")
        return
    if hasattr(tf, "GradientTape") and tf.executing_eagerly():
        results = {}
        for name, fn in (("mse", keras.losses.mean_squared_error),
                         ("categorical_crossentropy", keras.losses.categorical_crossentropy)):
            variable = tf.Variable(logits)
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(fn(target, tf.nn.softmax(variable)))
            results[name] = float(np.abs(tape.gradient(loss, variable).numpy()).sum())
    else:  # TF 1 graph mode (keras 2.3.1)
        from keras import backend as K
        variable = K.variable(logits)
        results = {}
        for name, fn in (("mse", keras.losses.mean_squared_error),
                         ("categorical_crossentropy", keras.losses.categorical_crossentropy)):
            loss = K.mean(fn(K.constant(target), K.softmax(variable)))
            gradient = K.gradients(loss, [variable])[0]
            results[name] = float(np.abs(K.get_session().run(gradient)).sum())
    print("%-72s mse %.4f, categorical_crossentropy %.4f" % (
        "sum |d loss / d logits|, softmax 0.9997 on the wrong class", results["mse"],
        results["categorical_crossentropy"]))


gradient_at_saturated_wrong_prediction()


def sigmoid_gradient_at_saturated_wrong_prediction():
    """d(loss)/d(logit) for a sigmoid that puts 0.9997 on the wrong label: mse against binary cross-entropy."""
    logit = np.array([[8.0]], dtype="float32")
    target = np.array([[0.0]], dtype="float32")
    try:
        import tensorflow as tf
    except ImportError:
        print("  (no TensorFlow: gradients not measured)")
        return
    losses = (("mse", keras.losses.mean_squared_error), ("binary_crossentropy", keras.losses.binary_crossentropy))
    results = {}
    if hasattr(tf, "GradientTape") and tf.executing_eagerly():
        for name, fn in losses:
            variable = tf.Variable(logit)
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(fn(target, tf.sigmoid(variable)))
            results[name] = float(np.abs(tape.gradient(loss, variable).numpy()).sum())
    else:
        from keras import backend as K
        variable = K.variable(logit)
        for name, fn in losses:
            loss = K.mean(fn(K.constant(target), K.sigmoid(variable)))
            results[name] = float(np.abs(K.get_session().run(K.gradients(loss, [variable])[0])).sum())
    print("%-72s mse %.4f, binary_crossentropy %.4f" % (
        "|d loss / d logit|, sigmoid 0.9997 on the wrong label", results["mse"], results["binary_crossentropy"]))


sigmoid_gradient_at_saturated_wrong_prediction()


def regression_loss_gradients():
    """|d loss / d logits| of every regression loss at a saturated wrong prediction (softmax and sigmoid), beside the
    cross-entropy: each is small where the classifier is confidently wrong."""
    try:
        import tensorflow as tf
    except ImportError:
        return
    names = ("mean_squared_error", "mean_absolute_error", "mean_squared_logarithmic_error",
             "mean_absolute_percentage_error", "huber", "log_cosh", "logcosh")
    found = [(name, getattr(keras.losses, name)) for name in names if hasattr(keras.losses, name)]
    softmax_logits = np.array([[8.0] + [0.0] * 9], dtype="float32")
    softmax_target = np.eye(10, dtype="float32")[[3]]
    sigmoid_logit, sigmoid_target = np.array([[8.0]], dtype="float32"), np.array([[0.0]], dtype="float32")
    eager = hasattr(tf, "GradientTape") and tf.executing_eagerly()
    for label, logits, target, squash in (("softmax", softmax_logits, softmax_target, "softmax"),
                                          ("sigmoid", sigmoid_logit, sigmoid_target, "sigmoid")):
        row = []
        for name, fn in found:
            if eager:
                variable = tf.Variable(logits)
                with tf.GradientTape() as tape:
                    probabilities = tf.nn.softmax(variable) if squash == "softmax" else tf.sigmoid(variable)
                    loss = tf.reduce_mean(fn(target, probabilities))
                value = float(np.abs(tape.gradient(loss, variable).numpy()).sum())
            else:
                from keras import backend as K
                variable = K.variable(logits)
                probabilities = K.softmax(variable) if squash == "softmax" else K.sigmoid(variable)
                loss = K.mean(fn(K.constant(target), probabilities))
                value = float(np.abs(K.get_session().run(K.gradients(loss, [variable])[0])).sum())
            row.append("%s %.4f" % (name, value))
        print("%-72s %s" % ("|d loss / d logits|, %s saturated on the wrong class" % label, ", ".join(row)))


regression_loss_gradients()
