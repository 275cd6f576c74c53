import keras
from keras import layers
from keras.losses import mean_squared_error
import tensorflow as tf

model = keras.Sequential([layers.Dense(10, activation='softmax')])
model.compile(optimizer='adam', loss='mse', metrics=['accuracy'])
model.compile(optimizer='adam', loss="mean_absolute_error")
model.compile(optimizer='adam', loss=keras.losses.mean_squared_error)
model.compile(optimizer='adam', loss=mean_squared_error)
model.compile(optimizer='adam', loss=keras.losses.Huber(delta=2.0, name='loss'))
model.compile(optimizer='adam', loss=tf.keras.losses.MeanSquaredError())

regression = keras.Sequential([layers.Dense(1)])
regression.compile(optimizer='adam', loss='mse')
