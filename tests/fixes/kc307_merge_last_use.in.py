from keras.layers import Input, merge
import keras.layers as layers

a = Input(shape=(4,))
b = Input(shape=(4,))
c = merge([a, b], mode='mul')
d = layers.merge([a, b], mode='ave')
