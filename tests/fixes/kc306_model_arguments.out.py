from keras.models import Model
from keras.layers import Input, Dense

inputs = Input(shape=(4,))
model = Model(inputs=inputs, outputs=Dense(1)(inputs))
model2 = Model(inputs = [inputs],
               outputs = [Dense(1)(inputs)])
