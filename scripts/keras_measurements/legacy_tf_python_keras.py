import os, warnings; os.environ["TF_CPP_MIN_LOG_LEVEL"]="3"; warnings.filterwarnings("ignore")
import tensorflow as tf
try:
    from tensorflow.python.keras import layers as L
    print(tf.__version__, "tensorflow.python.keras.layers.Dense is tf.keras.layers.Dense:", L.Dense is tf.keras.layers.Dense)
    try:
        m = tf.keras.models.Sequential([tf.keras.layers.Input((4,)), L.Dense(2)]); m.compile(loss="mse", optimizer="sgd"); import numpy as np; m.fit(np.zeros((8,4)), np.zeros((8,2)), verbose=0); print("  mixing builds and fits")
    except Exception as e:
        print("  mixing:", type(e).__name__, str(e).splitlines()[0][:160])
except Exception as e:
    print(tf.__version__, "no tensorflow.python.keras:", type(e).__name__, e)
