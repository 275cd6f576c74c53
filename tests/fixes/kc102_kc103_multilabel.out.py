import tensorflow as tf

tagger = tf.keras.Sequential([tf.keras.layers.Dense(12, activation='sigmoid')])
tagger.compile(loss='binary_crossentropy', metrics=['binary_accuracy', 'AUC'])
tagger.compile(loss='binary_crossentropy',
               metrics=[tf.keras.metrics.BinaryAccuracy(name='cat_acc'),
                        tf.keras.metrics.BinaryAccuracy(),
                        tf.keras.metrics.binary_accuracy])
