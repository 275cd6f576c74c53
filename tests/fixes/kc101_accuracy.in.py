from keras.models import Sequential
from keras.layers import Dense

model = Sequential([Dense(10, activation='softmax')])
# the metric in double quotes, in parentheses, after a comment
model.compile(loss='binary_crossentropy',
              metrics=[  # what to report
                  ("acc"),  # the seed's metric
                  'AUC',
              ])
model.compile(loss="bce", metrics=["accuracy"]) ; model.summary()
