# Does this Keras add the missing trailing axis of size 1? (N, 28, 28) into input_shape=(28, 28, 1)
import os, sys, warnings
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
warnings.filterwarnings("ignore")
import numpy as np
try:
    import tensorflow as tf
    tfv = tf.__version__
except Exception:
    tf = None; tfv = None
use = sys.argv[1] if len(sys.argv) > 1 else "tf.keras"
if use == "keras":
    import keras
    K = keras
else:
    K = tf.keras
kv = getattr(K, "__version__", "?")
x = np.random.rand(64, 28, 28).astype("float32")
y = np.eye(10)[np.random.randint(10, size=64)].astype("float32")
for style in ("sequential", "functional", "dense_flat"):
    try:
        if style == "sequential":
            m = K.models.Sequential([K.layers.Conv2D(4, (3, 3), activation="relu", input_shape=(28, 28, 1)),
                                     K.layers.Flatten(), K.layers.Dense(10, activation="softmax")])
        elif style == "functional":
            i = K.layers.Input((28, 28, 1))
            h = K.layers.Conv2D(4, (3, 3), activation="relu")(i)
            o = K.layers.Dense(10, activation="softmax")(K.layers.Flatten()(h))
            m = K.models.Model(i, o)
        else:
            m = K.models.Sequential([K.layers.Dense(10, activation="softmax", input_shape=(28, 28, 1))])
            y2 = y
        m.compile(loss="categorical_crossentropy", optimizer="sgd", metrics=["accuracy"])
        m.fit(x, y if style != "dense_flat" else np.zeros((64, 28, 28, 10), "float32"), epochs=1, batch_size=16, verbose=0)
        print(f"{use} {kv} (TF {tfv}) {style}: trains")
    except Exception as e:
        print(f"{use} {kv} (TF {tfv}) {style}: {type(e).__name__}: {str(e).splitlines()[0][:200]}")
