from keras.layers import Input, Dense, merge, concatenate, add, dot
from keras.models import Model

a = Input(shape=(4,))
b = Input(shape=(4,))
c = concatenate([a, b], axis=1, name='joined')
d = add([a, b])
e = add([a, b])
f = dot([a, b], axes=1, normalize=True)
g = merge([a, b], mode=lambda x: x[0] - x[1], output_shape=(4,))
