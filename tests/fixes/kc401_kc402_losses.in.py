import numpy as np
from tensorflow import keras
from tensorflow.keras import layers
from tensorflow.keras.utils import to_categorical

(x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
x_train, x_test = x_train / 255.0, x_test / 255.0

onehot = keras.Sequential([layers.Flatten(input_shape=(28, 28)), layers.Dense(10, activation="softmax")])
onehot.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(), metrics=["accuracy"])
onehot.fit(x_train, to_categorical(y_train, 10))

labels = keras.Sequential([layers.Flatten(input_shape=(28, 28)), layers.Dense(10, activation="softmax")])
labels.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
labels.fit(x_train, y_train, validation_data=(x_test, y_test))
