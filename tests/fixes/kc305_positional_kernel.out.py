import tensorflow as tf
from keras.layers import Conv3D, Conv2D

kernel_size = (3, 3)
a = Conv2D(32, (kernel_size[0], kernel_size[1]), activation='relu')
b = Conv2D(64, (5, 5))
c = tf.keras.layers.Conv2D(64, (3, 3), padding='same')
d = Conv3D(8, (3, 3, 3))
e = Conv2D(64, 3,  # rows
           3)
