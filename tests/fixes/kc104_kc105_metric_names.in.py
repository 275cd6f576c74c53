from keras.models import Sequential
from keras.layers import Dense
from keras.metrics import BinaryAccuracy, sparse_categorical_accuracy

digits = Sequential([Dense(10, activation='softmax')])
digits.compile(loss='categorical_crossentropy', metrics=[BinaryAccuracy(threshold=0.7, name='acc')])
digits.compile(loss='categorical_crossentropy', metrics=['binary_accuracy'])
digits.compile(loss='categorical_crossentropy', metrics=[sparse_categorical_accuracy])
digits.compile(loss='sparse_categorical_crossentropy', metrics=['categorical_accuracy'])
