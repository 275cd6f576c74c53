import tensorflow as tf

opt = tf.keras.optimizers.Adam(learning_rate=tf.keras.optimizers.schedules.InverseTimeDecay(1e-3, decay_steps=1, decay_rate=1e-5))  # per step
