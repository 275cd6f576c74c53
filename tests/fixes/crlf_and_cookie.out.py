# -*- coding: utf-8 -*-
from keras.models import Sequential
from keras.layers import Dense

model = Sequential([Dense(10, activation='softmax')])  # clasificación
model.compile(loss='binary_crossentropy', metrics=['categorical_accuracy'], optimizer='sgd')
model.fit(x, y, epochs=3)
