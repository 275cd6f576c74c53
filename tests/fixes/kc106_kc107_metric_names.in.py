# kerascheck: keras-version=tensorflow==2.4
import tensorflow as tf

softmax = tf.keras.Sequential([tf.keras.layers.Dense(10, activation='softmax')])
softmax.compile(loss='categorical_crossentropy', metrics=[tf.keras.metrics.Accuracy(name='acc')])
softmax.compile(loss='categorical_crossentropy', metrics=['Accuracy'])
softmax.compile(loss='categorical_crossentropy', metrics=['acuracy', 'categorical_acc'])
logits = tf.keras.Sequential([tf.keras.layers.Dense(1)])
logits.compile(loss=tf.keras.losses.BinaryCrossentropy(from_logits=True), metrics=[tf.keras.metrics.Accuracy()])
