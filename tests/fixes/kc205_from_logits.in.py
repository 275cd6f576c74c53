import tensorflow as tf

model = tf.keras.Sequential([tf.keras.layers.Dense(10, activation='softmax')])
model.compile(loss=tf.keras.losses.CategoricalCrossentropy(
                  label_smoothing=0.1,
                  from_logits=True,  # the output is already a softmax
              ))
model.compile(loss=tf.keras.losses.CategoricalCrossentropy(True))
model.compile(loss=tf.keras.losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1))
