# kerascheck-test: safe-only
from keras.models import Sequential
from keras.layers import Dense

model = Sequential([Dense(10, activation='softmax')])
model.compile(loss='categorical_crossentropy')  # noqa: KC201
model.compile(loss='binary_crossentropy')  # noqa: E501, KC201, KC104
model.compile(loss='categorical_crossentropy')  # noqa:KC2,E501
model.compile(  # noqa: KC101 the old model
    loss='categorical_crossentropy',
)
x = 1  # type: int  # noqa: KC101
y = 2  # noqa: E501, F401
z = 3  # noqa
text = "# noqa: KC101"
