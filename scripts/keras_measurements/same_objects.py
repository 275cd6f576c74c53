import os, sys, warnings
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
warnings.filterwarnings("ignore")
import tensorflow as tf
import keras
print("TF", tf.__version__, "keras", keras.__version__, "TF_USE_LEGACY_KERAS", os.environ.get("TF_USE_LEGACY_KERAS"))
pairs = [("layers.Dense", lambda m: m.layers.Dense), ("models.Sequential", lambda m: m.models.Sequential),
         ("optimizers.Adam", lambda m: m.optimizers.Adam), ("losses.BinaryCrossentropy", lambda m: m.losses.BinaryCrossentropy)]
for name, get in pairs:
    try:
        print(f"  keras.{name} is tf.keras.{name}: {get(keras) is get(tf.keras)}")
    except Exception as e:
        print(f"  {name}: {type(e).__name__}: {e}")
# mixing: a tf.keras Sequential with a keras Dense
try:
    m = tf.keras.models.Sequential([tf.keras.layers.Input((4,)), keras.layers.Dense(2)])
    m.compile(loss="mse", optimizer="sgd"); print("  tf.keras Sequential + keras Dense: builds")
except Exception as e:
    print(f"  tf.keras Sequential + keras Dense: {type(e).__name__}: {str(e).splitlines()[0][:200]}")
try:
    m = keras.models.Sequential([keras.layers.Dense(2, input_shape=(4,)), tf.keras.layers.Dense(2)])
    m.compile(loss="mse", optimizer="sgd"); print("  keras Sequential + tf.keras Dense: builds")
except Exception as e:
    print(f"  keras Sequential + tf.keras Dense: {type(e).__name__}: {str(e).splitlines()[0][:200]}")
