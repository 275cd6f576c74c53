# kerascheck-test: safe-only
# Only the safe fixes: the Keras 1 renames change, the metric does not.
from keras.models import Sequential
from keras.layers import Dense

model = Sequential([Dense(output_dim=10, activation='softmax')])
model.compile(loss='binary_crossentropy', metrics=['accuracy'])
model.fit(x, y, nb_epoch=3)
