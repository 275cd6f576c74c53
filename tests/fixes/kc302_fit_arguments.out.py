from keras.models import Sequential
from keras.wrappers.scikit_learn import KerasRegressor

model = Sequential()
model.fit(x, y, batch_size=32, epochs=10)
model.fit(x, y,
          epochs=10,  # ten passes
          )
model.evaluate(x, y,  # kept comment
               verbose=0)
model.fit_generator(gen, samples_per_epoch=1000, epochs=2, workers=4)
estimator = KerasRegressor(build_fn=baseline_model, epochs=100, batch_size=5)
