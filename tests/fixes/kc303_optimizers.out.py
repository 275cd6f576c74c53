from keras.optimizers import SGD, Adadelta, RMSprop
from keras.optimizers.schedules import InverseTimeDecay

sgd = SGD(learning_rate=InverseTimeDecay(0.01, decay_steps=1, decay_rate=1e-6), momentum=0.9, nesterov=True)
slow = Adadelta(learning_rate=InverseTimeDecay(1.0, decay_steps=1, decay_rate=0.95))
flat = RMSprop(learning_rate=0.001)
positional = SGD(InverseTimeDecay(0.1, decay_steps=1, decay_rate=1e-4))
