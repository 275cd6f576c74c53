import tensorflow as tf

model = tf.keras.Sequential([tf.keras.layers.Dense(10, activation='softmax')])
model.compile(loss=tf.keras.losses.CategoricalCrossentropy(
                  label_smoothing=0.1,  # the output is already a softmax
              ))
model.compile(loss=tf.keras.losses.CategoricalCrossentropy(False))
model.compile(loss=tf.keras.losses.CategoricalCrossentropy(label_smoothing=0.1))
