from keras.layers import Input, Dense, merge
from keras.models import Model

a = Input(shape=(4,))
b = Input(shape=(4,))
c = merge([a, b], mode='concat', concat_axis=1, name='joined')
d = merge([a, b], mode='sum')
e = merge([a, b])
f = merge([a, b], mode='cos', dot_axes=1)
g = merge([a, b], mode=lambda x: x[0] - x[1], output_shape=(4,))
