import keras
from keras import layers
from keras.losses import categorical_crossentropy
import tensorflow as tf

model = keras.Sequential([layers.Dense(10, activation='softmax')])
model.compile(optimizer='adam', loss='categorical_crossentropy', metrics=['accuracy'])
model.compile(optimizer='adam', loss="categorical_crossentropy")
model.compile(optimizer='adam', loss=keras.losses.categorical_crossentropy)
model.compile(optimizer='adam', loss=categorical_crossentropy)
model.compile(optimizer='adam', loss=keras.losses.CategoricalCrossentropy(name='loss'))
model.compile(optimizer='adam', loss=tf.keras.losses.CategoricalCrossentropy())

regression = keras.Sequential([layers.Dense(1)])
regression.compile(optimizer='adam', loss='mse')
