from keras.models import Sequential
from keras.wrappers.scikit_learn import KerasRegressor

model = Sequential()
model.fit(x, y, batch_size=32, nb_epoch=10, show_accuracy=True)
model.fit(x, y,
          nb_epoch=10,  # ten passes
          show_accuracy=True,
          )
model.evaluate(x, y, show_accuracy=True,  # kept comment
               verbose=0)
model.fit_generator(gen, samples_per_epoch=1000, nb_epoch=2, nb_worker=4)
estimator = KerasRegressor(build_fn=baseline_model, nb_epoch=100, batch_size=5)
