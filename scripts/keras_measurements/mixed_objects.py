"""Which Keras objects break when given to a model of another Keras package (KC503).

Run where `keras` and `tf.keras` are different packages:

    /work/main/.ci-venvs/keras23/bin/python mixed_objects.py                      # keras 2.3.1 / TF 1.15.5
    TF_USE_LEGACY_KERAS=1 /work/main/.ci-venvs/keras3/bin/python mixed_objects.py # Keras 3.15.1 / tf_keras 2.21

For each direction (a tf.keras model with keras objects, and the reverse), each kind of object: "works" (compile
and fit one batch) or the error, first line.
"""
import os, sys, warnings
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
warnings.filterwarnings("ignore")
import numpy as np
import tensorflow as tf
import keras
print("TF", tf.__version__, "keras", keras.__version__, "tf.keras", getattr(tf.keras, "__version__", "?"))
x = np.random.rand(16, 4).astype("float32"); y = np.eye(2)[np.random.randint(2, size=16)]

def attempt(label, fn):
    try:
        fn(); print("  %s: works" % label)
    except Exception as e:
        print("  %s: %s: %s" % (label, type(e).__name__, str(e).strip().splitlines()[0][:200]))

def model_of(pkg, **dense):
    return pkg.models.Sequential([pkg.layers.Dense(2, activation="softmax", input_shape=(4,), **dense)])

for base_name, base, other_name, other in (("tf.keras", tf.keras, "keras", keras), ("keras", keras, "tf.keras", tf.keras)):
    print(base_name, "model with", other_name, "objects:")
    def opt():
        m = model_of(base); m.compile(optimizer=other.optimizers.Adam(), loss="categorical_crossentropy"); m.fit(x, y, verbose=0)
    attempt("optimizer", opt)
    def loss_obj():
        m = model_of(base); m.compile(optimizer="adam", loss=other.losses.CategoricalCrossentropy()); m.fit(x, y, verbose=0)
    attempt("loss object", loss_obj)
    def loss_fn():
        m = model_of(base); m.compile(optimizer="adam", loss=other.losses.categorical_crossentropy); m.fit(x, y, verbose=0)
    attempt("loss function", loss_fn)
    def metric_obj():
        m = model_of(base); m.compile(optimizer="adam", loss="categorical_crossentropy", metrics=[other.metrics.CategoricalAccuracy()]); m.fit(x, y, verbose=0)
    attempt("metric object", metric_obj)
    def metric_fn():
        m = model_of(base); m.compile(optimizer="adam", loss="categorical_crossentropy", metrics=[other.metrics.categorical_accuracy]); m.fit(x, y, verbose=0)
    attempt("metric function", metric_fn)
    def callback():
        m = model_of(base); m.compile(optimizer="adam", loss="categorical_crossentropy"); m.fit(x, y, verbose=0, callbacks=[other.callbacks.EarlyStopping(monitor="loss")])
    attempt("callback", callback)
    def regularizer():
        m = model_of(base, kernel_regularizer=other.regularizers.l2(0.01)); m.compile(optimizer="adam", loss="categorical_crossentropy"); m.fit(x, y, verbose=0)
    attempt("regularizer", regularizer)
    def initializer():
        m = model_of(base, kernel_initializer=other.initializers.glorot_uniform()); m.compile(optimizer="adam", loss="categorical_crossentropy"); m.fit(x, y, verbose=0)
    attempt("initializer", initializer)
    def layer():
        m = base.models.Sequential([base.layers.Dense(3, input_shape=(4,)), other.layers.Dense(2)]); m.compile(optimizer="adam", loss="categorical_crossentropy"); m.fit(x, y, verbose=0)
    attempt("layer in Sequential", layer)
    def functional():
        i = base.layers.Input((4,)); o = other.layers.Dense(2)(i); m = base.models.Model(i, o); m.compile(optimizer="adam", loss="categorical_crossentropy"); m.fit(x, y, verbose=0)
    attempt("functional: layer applied to Input", functional)
    def functional_model():
        i = other.layers.Input((4,)); o = other.layers.Dense(2)(i); m = base.models.Model(i, o); m.compile(optimizer="adam", loss="categorical_crossentropy"); m.fit(x, y, verbose=0)
    attempt("functional: Model() of the other's tensors", functional_model)
