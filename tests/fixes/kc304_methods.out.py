from keras.models import Sequential

model = Sequential()
history = model.fit(x=train_gen, steps_per_epoch=100, epochs=10,
                              validation_data=val_gen, validation_steps=10)
loss = model.evaluate(val_gen, steps=10)
pred = model.predict_generator(test_gen, 10)
pool = model.predict_generator(test_gen, steps=10, workers=4, use_multiprocessing=True)
proba = model.predict(x_test)
classes = model.predict_classes(x_test)
