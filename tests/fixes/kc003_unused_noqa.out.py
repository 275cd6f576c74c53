# kerascheck-test: safe-only
from keras.models import Sequential
from keras.layers import Dense

model = Sequential([Dense(10, activation='softmax')])
model.compile(loss='categorical_crossentropy')
model.compile(loss='binary_crossentropy')  # noqa: E501, KC201
model.compile(loss='categorical_crossentropy')  # noqa:E501
model.compile(  # the old model
    loss='categorical_crossentropy',
)
x = 1  # type: int
y = 2  # noqa: E501, F401
z = 3  # noqa
text = "# noqa: KC101"
