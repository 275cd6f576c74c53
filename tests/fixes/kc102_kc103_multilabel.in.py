import tensorflow as tf

tagger = tf.keras.Sequential([tf.keras.layers.Dense(12, activation='sigmoid')])
tagger.compile(loss='binary_crossentropy', metrics=['accuracy', 'AUC'])
tagger.compile(loss='binary_crossentropy',
               metrics=[tf.keras.metrics.CategoricalAccuracy(name='cat_acc'),
                        tf.keras.metrics.TopKCategoricalAccuracy(k=3),
                        tf.keras.metrics.categorical_accuracy])
