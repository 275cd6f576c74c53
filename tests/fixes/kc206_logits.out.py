import keras
from keras import layers
from keras.losses import SparseCategoricalCrossentropy

model = keras.Sequential([layers.Dense(10)])
model.compile(optimizer='adam', loss=SparseCategoricalCrossentropy(from_logits=True))
model.compile(optimizer='adam', loss=keras.losses.CategoricalCrossentropy(from_logits=True))
model.compile(optimizer='adam', loss=SparseCategoricalCrossentropy(from_logits=True))
model.compile(optimizer='adam', loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
model.compile(optimizer='adam', loss=keras.losses.CategoricalCrossentropy(label_smoothing=0.1, from_logits=True))
