from keras.models import Sequential
from keras.layers import Conv1D, Conv2D, MaxPooling1D, Dense, LSTM, Embedding, Dropout, Conv2DTranspose

model = Sequential()
model.add(Embedding(20000, 128, embeddings_initializer='uniform', embeddings_regularizer=None))
model.add(Conv1D(filters=64,   # filters
                        kernel_size=3,  # kernel
                        padding = 'same', strides=1,
                        activation='relu'))
model.add(MaxPooling1D(pool_size=2))
model.add(LSTM(units=100, dropout=0.2, recurrent_dropout=0.2, consume_less='gpu'))
model.add(Dropout(rate=0.5))
model.add(Dense(units=1, kernel_initializer='uniform', kernel_regularizer=l2(0.01), use_bias=False))
image = Sequential()
image.add(Conv2D(32, kernel_size=(3, 3), data_format='channels_first', strides=(2, 2)))
image.add(Conv2DTranspose(16, (3, 3)))
