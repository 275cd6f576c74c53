from keras.models import Sequential
from keras.layers import Convolution1D, Convolution2D, MaxPooling1D, Dense, LSTM, Embedding, Dropout
from keras.layers.convolutional import Deconvolution2D

model = Sequential()
model.add(Embedding(20000, 128, init='uniform', W_regularizer=None))
model.add(Convolution1D(nb_filter=64,   # filters
                        filter_length=3,  # kernel
                        border_mode = 'same', subsample_length=1,
                        activation='relu'))
model.add(MaxPooling1D(pool_length=2))
model.add(LSTM(output_dim=100, dropout_W=0.2, dropout_U=0.2, consume_less='gpu'))
model.add(Dropout(p=0.5))
model.add(Dense(output_dim=1, init='uniform', W_regularizer=l2(0.01), bias=False))
image = Sequential()
image.add(Convolution2D(32, nb_row=3, nb_col=3, dim_ordering='th', subsample=(2, 2)))
image.add(Deconvolution2D(16, (3, 3)))
