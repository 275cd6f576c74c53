from keras.models import Model
from keras.layers import Input, Dense

inputs = Input(shape=(4,))
model = Model(input=inputs, output=Dense(1)(inputs))
model2 = Model(input = [inputs],
               output = [Dense(1)(inputs)])
