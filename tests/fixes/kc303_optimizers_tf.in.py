import tensorflow as tf

opt = tf.keras.optimizers.Adam(lr=1e-3,
                               decay=1e-5)  # per step
