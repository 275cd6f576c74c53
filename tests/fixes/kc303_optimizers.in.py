from keras.optimizers import SGD, Adadelta, RMSprop

sgd = SGD(lr=0.01, decay=1e-6, momentum=0.9, nesterov=True)
slow = Adadelta(decay=0.95)
flat = RMSprop(lr=0.001, decay=0.0)
positional = SGD(0.1, decay=1e-4)
