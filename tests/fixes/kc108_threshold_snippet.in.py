# A pasted snippet: it imports nothing, so the fix does not either.
model = Sequential()
model.add(Dense(1))
model.compile(loss=BinaryCrossentropy(from_logits=True), metrics=["accuracy"])
