import numpy as np
from tensorflow import keras

(x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
x_train, x_test = x_train / 255.0, x_test / 255.0
is_zero = (y_train == 0).astype("float32")

sigmoid = keras.Sequential([keras.layers.Flatten(input_shape=(28, 28)), keras.layers.Dense(1, activation="sigmoid")])
sigmoid.compile(optimizer="adam", loss="binary_crossentropy")
sigmoid.fit(x_train, is_zero)
labels = np.argmax(sigmoid.predict(x_test), axis=-1)  # every sample becomes class 0

logits = keras.Sequential([keras.layers.Flatten(input_shape=(28, 28)), keras.layers.Dense(1)])
logits.compile(optimizer="adam", loss=keras.losses.BinaryCrossentropy(from_logits=True))
logits.fit(x_train, is_zero)
scores = logits.predict(x_test)
guess = scores >= 0.5
rounded = scores.round()
picked = scores.argmax(axis=1)
