"""CallFacts (extract/calls.py) and the KC3 rules through every spelling of a Keras name."""

import textwrap

import pytest

from kerascheck.extract import extract_text
from tests.helpers import codes_for


def calls(source):
    return [(c.qualified_name, c.span.line, sorted(c.keywords), c.positional_values)
            for c in extract_text("case.py", textwrap.dedent(source)).calls]


def kc3(source):
    return sorted(code for code in codes_for(textwrap.dedent(source)) if code.startswith("KC3"))


@pytest.mark.parametrize("prelude, name", [
    ("from keras.layers import Conv1D", "Conv1D"),
    ("from keras.layers.convolutional import Convolution1D as Conv1D", "Conv1D"),
    ("from tensorflow.keras.layers import Conv1D", "Conv1D"),
    ("import tensorflow as tf", "tf.keras.layers.Conv1D"),
    ("import tensorflow.keras as K", "K.layers.Conv1D"),
    ("from tensorflow.keras import layers", "layers.Conv1D"),
    ("import tf_keras", "tf_keras.layers.Conv1D"),
    ("import keras.layers as KL", "KL.Conv1D"),
    ("from keras.layers import *", "Conv1D"),
    ("import keras\nL = keras.layers", "L.Conv1D"),
    ("", "Conv1D"),  # a pasted snippet: Keras's own name, no import
])
def test_keras1_argument_through_every_spelling(prelude, name):
    assert kc3(f"{prelude}\nlayer = {name}(nb_filter=32, filter_length=3)\n") == ["KC301", "KC301"]


def test_names_bound_in_functions_classes_and_late_imports():
    source = """
        def build():
            from keras.layers import Dense
            return Dense(output_dim=3)

        class Trainer:
            def run(self, model):
                model.fit(x, y, nb_epoch=2)

        def later():
            return SGD(lr=0.1)  # SGD is imported below, before later() can run

        from keras.optimizers import SGD
    """
    assert kc3(source) == ["KC301", "KC302", "KC303"]


def test_other_libraries_and_shadowed_names_are_not_keras():
    source = """
        import numpy as np
        import pandas as pd
        import torch
        from sklearn.linear_model import LogisticRegression

        frame = pd.merge(a, b)
        opt = torch.optim.SGD(params, lr=0.1)
        LogisticRegression().fit(x, y)
        np.polyfit(x, y, 2)

        def merge(parts, mode):
            return parts

        joined = merge([a, b], mode='concat')  # the module's own merge
        Dense = make_dense
        layer = Dense(output_dim=3)  # not Keras's Dense any more
    """
    assert kc3(source) == []


def test_a_file_that_never_mentions_keras_has_no_snippet_optimizers():
    assert kc3("opt = SGD(params, lr=0.1)\nopt.step()\n") == []
    assert kc3("model = Sequential()\nopt = SGD(lr=0.1)\n") == ["KC303"]


def test_positional_values_follow_module_constants():
    found = calls("""
        from keras.layers import Convolution2D
        nb_filters = 32
        img_rows, img_cols = 28, 28
        kernel_size = (3, 3)
        a = Convolution2D(nb_filters, kernel_size[0], kernel_size[1])
        b = Convolution2D(nb_filters, img_rows, -1, *rest)
    """)
    assert found == [("keras.layers.Convolution2D", 6, [], (32, 3, 3)),
                     ("keras.layers.Convolution2D", 7, [], (32, 28, -1, None))]


def test_model_methods_are_recorded_on_unknown_receivers_only():
    found = calls("""
        import keras
        import numpy as np
        history = model.fit(x, y, nb_epoch=3)
        self.net.fit_generator(gen, 10)
        get_model().predict_classes(x)
        np.fit(x)
        model.add(keras.layers.Dense(1))
    """)
    assert [name for name, *_ in found] == ["model.fit", "self.net.fit_generator", "?.predict_classes",
                                            "keras.layers.Dense"]


def test_kc305_needs_known_integers():
    assert kc3("from keras.layers import Conv2D\nk = 3\nlayer = Conv2D(32, k, k)\n") == ["KC305"]
    assert kc3("from keras.layers import Conv2D\nlayer = Conv2D(32, size, stride)\n") == []
    assert kc3("from keras.layers import Conv2D\nk = (3, 3)\nlayer = Conv2D(32, k, 2)\n") == []


def test_target_versions():
    keras1 = "# kerascheck: keras-version=1.2.2\nfrom keras.models import Model\nm = Model(input=a, output=b)\n"
    assert kc3(keras1) == []
    keras2 = "# kerascheck: keras-version=2.3.1\nfrom keras.models import Model\nm = Model(input=a, output=b)\n"
    assert kc3(keras2) == ["KC306", "KC306"]
    old_tf = "# kerascheck: keras-version=tensorflow==1.15\nimport tensorflow as tf\nopt = tf.keras.optimizers.Adam(lr=1e-3)\n"
    assert kc3(old_tf) == []
