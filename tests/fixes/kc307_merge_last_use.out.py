from keras.layers import Input, multiply
import keras.layers as layers

a = Input(shape=(4,))
b = Input(shape=(4,))
c = multiply([a, b])
d = layers.average([a, b])
