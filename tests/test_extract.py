"""Output inference across model styles and spellings (what `kerascheck inspect` shows)."""

import textwrap

from kerascheck.extract import extract_text
from tests.helpers import codes_for, outputs_for


def one(source):
    results = outputs_for(textwrap.dedent(source))
    assert len(results) == 1, results
    return results[0]


def test_sequential_add_with_activation_layer_after_shape_keeping_layers():
    line, outputs, losses, style = one("""
        from keras.models import Sequential
        from keras.layers import Dense, Dropout, Activation
        model = Sequential()
        model.add(Dense(256, activation='relu'))
        model.add(Dense(10))
        model.add(Dropout(0.5))
        model.add(Activation('softmax'))
        model.compile(loss='categorical_crossentropy', optimizer='adam')
    """)
    assert style == "sequential" and line == 9
    assert outputs == [("softmax", 10, 6, None)]
    assert losses == ["categorical_crossentropy"]


def test_flatten_changes_the_units_to_the_product_of_its_input_dimensions():
    """Flatten keeps the activation, never the units of the layer before (rules.md, "What an output is")."""
    source = """
        from keras.models import Sequential
        from keras.layers import Dense, Dropout, Activation, Flatten
        model = Sequential()
        model.add(Dense(256, activation='relu'{input}))
        model.add(Dense(10))
        model.add(Dropout(0.5))
        model.add(Flatten())
        model.add(Activation('softmax'))
        model.compile(loss='categorical_crossentropy', optimizer='adam')
    """
    # Without an input shape, Dense(10)'s output may be (batch, 10) or (batch, steps, 10): unknown units.
    assert one(source.format(input=""))[1] == [("softmax", None, 9, None)]
    assert one(source.format(input=", input_shape=(784,)"))[1] == [("softmax", 10, 6, None)]
    assert one(source.format(input=", input_shape=(384, 64)"))[1] == [("softmax", 3840, 8, None)]


def test_sequential_list_with_softmax_layer_and_tf_keras_spelling():
    _, outputs, _, style = one("""
        import tensorflow as tf
        model = tf.keras.Sequential([
            tf.keras.layers.Dense(64, activation=tf.nn.relu),
            tf.keras.layers.Dense(5),
            tf.keras.layers.Softmax(),
        ])
        model.compile(loss=tf.keras.losses.CategoricalCrossentropy())
    """)
    assert style == "sequential"
    assert outputs[0][:2] == ("softmax", 5)


def test_keras1_spellings_do_not_derail_inference():
    _, outputs, _, _ = one("""
        from keras.models import Sequential
        from keras.layers import Convolution2D, Dense, Flatten
        model = Sequential()
        model.add(Convolution2D(32, 3, 3, border_mode='same', input_shape=(28, 28, 1)))
        model.add(Flatten())
        model.add(Dense(output_dim=10, activation='softmax', init='uniform'))
        model.compile(loss='categorical_crossentropy', optimizer='sgd')
    """)
    assert outputs[0][:2] == ("softmax", 10)


def test_functional_multi_output_matched_by_name():
    _, outputs, losses, style = one("""
        from tensorflow import keras
        from tensorflow.keras import layers
        inputs = keras.Input(shape=(32,))
        x = layers.Dense(64, activation="relu")(inputs)
        x = layers.Dropout(0.2)(x)
        species = layers.Dense(3, activation="softmax", name="species")(x)
        flags = layers.Dense(4, activation="sigmoid", name="flags")(x)
        model = keras.Model(inputs=inputs, outputs=[species, flags])
        model.compile(optimizer="adam",
                      loss={"flags": "binary_crossentropy", "species": "categorical_crossentropy"},
                      metrics={"species": ["accuracy"], "flags": ["AUC"]})
    """)
    assert style == "functional"
    assert [o[:2] + (o[3],) for o in outputs] == [("softmax", 3, "species"), ("sigmoid", 4, "flags")]
    assert losses == ["categorical_crossentropy", "binary_crossentropy"]


def test_subclassed_model():
    _, outputs, _, style = one("""
        import tensorflow as tf
        class Classifier(tf.keras.Model):
            def __init__(self, n_classes=7):
                super().__init__()
                self.hidden = tf.keras.layers.Dense(32, activation="relu")
                self.head = tf.keras.layers.Dense(n_classes, activation="softmax")
            def call(self, inputs, training=False):
                return self.head(self.hidden(inputs))
        model = Classifier()
        model.compile(loss="binary_crossentropy", metrics=["accuracy"])
    """)
    assert style == "subclassed"
    assert outputs[0][:2] == ("softmax", 7)


def test_factory_function_with_literal_argument_and_module_constant():
    _, outputs, _, _ = one("""
        from keras.models import Sequential
        from keras.layers import Dense
        NUM_CLASSES = 4
        def build_model(num_classes=NUM_CLASSES, hidden=64):
            model = Sequential()
            model.add(Dense(hidden, activation='relu'))
            model.add(Dense(num_classes * 2 + 1, activation='softmax'))
            return model
        model = build_model(5)
        model.compile(loss='categorical_crossentropy', optimizer='adam')
    """)
    assert outputs[0][:2] == ("softmax", 11)


def test_factory_compiling_inside_uses_default_parameter():
    _, outputs, _, _ = one("""
        import keras
        def make(classes=10):
            m = keras.Sequential([keras.layers.Dense(classes, activation=keras.activations.softmax)])
            m.compile(loss=keras.losses.binary_crossentropy, metrics=['accuracy'])
            return m
    """)
    assert outputs[0][:2] == ("softmax", 10)


def test_unknown_units_stay_unknown():
    _, outputs, _, _ = one("""
        from keras.models import Sequential
        from keras.layers import Dense, Activation
        model = Sequential()
        model.add(Dense(len(class_id_index)))
        model.add(Activation('softmax'))
        model.compile(loss='binary_crossentropy', optimizer='adam', metrics=['accuracy'])
    """)
    assert outputs[0][:2] == ("softmax", None)


def test_import_aliases_and_tf_keras():
    _, outputs, _, _ = one("""
        import tf_keras as K
        from tf_keras.layers import Dense as FC
        model = K.models.Sequential([FC(3, activation='sigmoid')])
        model.compile(loss='categorical_crossentropy')
    """)
    assert outputs[0][:2] == ("sigmoid", 3)


def test_non_models_are_never_compiles():
    source = textwrap.dedent("""
        import re
        import torch
        import tensorflow as tf
        pattern = re.compile(r"\\d+")
        net = torch.compile(torch.nn.Linear(2, 2))
        class Pipeline:
            def compile(self, loss=None, metrics=None):
                return self
        Pipeline().compile(loss='binary_crossentropy', metrics=['accuracy'])
        class MyModel(tf.keras.Model):
            def compile(self, optimizer, loss, metrics=None, **kwargs):
                super().compile(optimizer=optimizer, loss=loss, metrics=metrics, **kwargs)
    """)
    assert outputs_for(source) == []
    assert codes_for(source) == []


def test_pasted_snippet_without_imports_is_checked():
    codes = codes_for(textwrap.dedent("""
        model = Sequential()
        model.add(Dense(64, activation='relu', input_dim=20))
        model.add(Dense(10, activation='softmax'))
        model.compile(loss='binary_crossentropy', optimizer='sgd', metrics=['accuracy'])
    """))
    assert sorted(codes) == ["KC101", "KC201"]


def test_model_of_unknown_origin_is_a_compile_with_unknown_outputs():
    results = outputs_for(textwrap.dedent("""
        from keras.models import load_model
        model = load_model('m.h5')
        model.compile(loss='binary_crossentropy', metrics=['accuracy'])
    """))
    assert results and results[0][1] == [(None, None, None, None)]


def test_double_activation_is_recorded():
    assert "KC208" in codes_for(textwrap.dedent("""
        from keras.models import Sequential
        from keras.layers import Dense, Activation, Dropout
        model = Sequential()
        model.add(Dense(1, activation='sigmoid'))
        model.add(Dropout(0.1))
        model.add(Activation('sigmoid'))
        model.compile(loss='binary_crossentropy')
    """))


def test_conditional_expression_with_unknown_condition_is_unknown():
    _, outputs, _, _ = one("""
        from keras.layers import Dense, Input
        from keras.models import Model
        def dynamic_model(X, y, loss):
            inp = Input(shape=(3,))
            n_outputs = y.shape[1] if len(y.shape) > 1 else 1
            model = Model(inp, Dense(n_outputs, activation="softmax")(inp))
            model.compile(loss=loss, optimizer="rmsprop")
            return model
    """)
    assert outputs[0][:2] == ("softmax", None)


def test_model_overriding_compile_is_listed_with_why_and_not_checked():
    facts = extract_text("case.py", textwrap.dedent("""
        import keras
        class Contrastive(keras.Model):
            def compile(self, optimizer, loss="info_nce", **kwargs):
                super().compile(optimizer=optimizer, **kwargs)
        m = Contrastive()
        m.compile(optimizer="adam", loss="info_nce")
    """))
    assert [(c.span.line, c.trained, c.why) for c in facts.compiles] == [
        (7, [], "custom compile() override (Contrastive.compile)")]


def test_containers_filled_at_run_time_have_unknown_length():
    _, outputs, _, _ = one("""
        from keras.models import Sequential
        from keras.layers import Dense
        class_index = {}
        labels = []
        for i, name in enumerate(open('labels.txt')):
            class_index[name] = i
            labels.append(name)
        model = Sequential([Dense(len(class_index), activation='softmax')])
        model.compile(loss='binary_crossentropy', metrics=['accuracy'])
    """)
    assert outputs[0][:2] == ("softmax", None)


def test_literal_containers_have_known_length():
    _, outputs, _, _ = one("""
        from keras.models import Sequential
        from keras.layers import Dense
        CLASSES = ['cat', 'dog', 'bird']
        model = Sequential([Dense(len(CLASSES), activation='softmax')])
        model.compile(loss='categorical_crossentropy')
    """)
    assert outputs[0][:2] == ("softmax", 3)
