"""KC108 in a file that imports Keras names: the new name joins its from-import line."""
from keras.models import Sequential
from keras.layers import Dense
from keras.losses import BinaryCrossentropy
from keras.metrics import (
    AUC,
    Precision,
)

model = Sequential([Dense(1)])
model.compile(loss=BinaryCrossentropy(from_logits=True), metrics=['accuracy', AUC()])
