import keras
from keras import layers
from keras.losses import sparse_categorical_crossentropy

model = keras.Sequential([layers.Dense(10)])
model.compile(optimizer='adam', loss='sparse_categorical_crossentropy')
model.compile(optimizer='adam', loss=keras.losses.categorical_crossentropy)
model.compile(optimizer='adam', loss=sparse_categorical_crossentropy)
model.compile(optimizer='adam', loss=keras.losses.SparseCategoricalCrossentropy(from_logits=False))
model.compile(optimizer='adam', loss=keras.losses.CategoricalCrossentropy(label_smoothing=0.1))
