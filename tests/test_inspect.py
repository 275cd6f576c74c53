"""`inspect` accounts for every compile of something that can be a model: checked, or listed with why."""

import json
import textwrap

from kerascheck.extract import extract_text
from kerascheck.report import inspect_format


def compiles(source: str) -> list:
    return extract_text("case.py", textwrap.dedent(source)).compiles


def whys(source: str) -> list:
    return [(c.span.line, bool(c.trained), c.why) for c in compiles(source)]


def test_each_unresolved_compile_says_why():
    assert whys("""
        import keras
        import keras_hub
        from models.cnn import build_model

        def train(model):
            model.compile(loss="mse", optimizer="adam")

        loaded = keras.models.load_model("m.keras")
        loaded.compile(loss="mse")
        gpt = keras_hub.models.GPT2CausalLM.from_preset("gpt2_base_en")
        gpt.compile(loss="mse")
        mine = build_model()
        mine.compile(loss="mse")
        something.compile()
    """) == [
        (7, True, "model comes from parameter 'model' of train(), with no caller in the program"),
        (10, True, "model loaded from a file (load_model)"),
        (12, True, "library model: keras_hub GPT2CausalLM"),
        (14, True, "import of a module outside the project (models.cnn.build_model)"),
        (15, False, "the model is not resolved"),
    ]


def test_a_parameter_whose_callers_pass_unknown_models():
    assert whys("""
        import keras
        def train(model):
            model.compile(loss="mse", optimizer="adam")
        train(keras.models.load_model("a.keras"))
    """) == [(4, True, "model loaded from a file (load_model)")]
    assert whys("""
        import keras
        def train(model):
            model.compile(loss="mse", optimizer="adam")
        train(get())
    """) == [(4, True, "model comes from parameter 'model' of train(), and no call in the program passes a known model")]


def test_known_models_have_no_why_and_non_models_are_not_listed():
    assert whys("""
        import re, torch
        import tensorflow as tf
        model = tf.keras.Sequential([tf.keras.layers.Dense(1, activation="sigmoid")])
        model.compile(loss="binary_crossentropy")
        re.compile("x")
        torch.compile(torch.nn.Linear(1, 1))
        class Pipeline:
            def compile(self, loss=None):
                return self
        Pipeline().compile(loss="mse")
    """) == [(5, True, None)]


def test_a_class_deriving_from_an_unread_module_is_listed():
    assert whys("""
        import keras
        from mylib.base import BaseModel
        class Net(BaseModel):
            pass
        Net().compile(loss="mse")
    """) == [(6, True, "class Net derives from mylib.base.BaseModel, which is not read")]


def test_inspect_text_and_json_show_shapes_and_whys():
    facts = compiles("""
        import keras
        from keras import layers
        model = keras.Sequential([layers.Conv2D(8, 3, input_shape=(28, 28, 1)), layers.Flatten(),
                                  layers.Dense(10, activation="softmax")])
        model.compile(loss="categorical_crossentropy")
        class GAN(keras.Model):
            def compile(self, d_optimizer, g_optimizer):
                super().compile()
        GAN().compile(d_optimizer="adam", g_optimizer="adam")
    """)
    text = inspect_format.render_text(facts)
    assert "case.py:6: compile (sequential)\n    input: (None, 28, 28, 1) (input_shape, line 4)\n" in text
    assert "activation=softmax units=10 shape=(None, 10) layer_line=5;" in text
    assert "case.py:10: compile not checked: custom compile() override (GAN.compile)" in text
    rendered = json.loads(inspect_format.render_json(facts))
    assert rendered[0]["outputs"][0]["shape"] == [None, 10]
    assert rendered[0]["inputs"] == [{"shape": [None, 28, 28, 1], "keyword": "input_shape", "line": 4}]
    assert rendered[1]["checked"] is False and rendered[1]["why"] == "custom compile() override (GAN.compile)"
    assert inspect_format.summary(facts) == ("2 compile calls found (1 checked, 1 with a why); "
                                             "1 output: 1 with known activation, 1 with known units.")


def test_structure_facts_for_the_structure_and_data_rules():
    (fact,) = compiles("""
        from tensorflow import keras
        from tensorflow.keras import layers
        model = keras.Sequential([
            layers.Rescaling(1 / 255, input_shape=(32, 32, 3)),
            layers.Conv2D(16, 3, data_format="channels_last"),
            layers.MaxPooling2D(),
            layers.Dense(10),
            layers.Activation("softmax"),
        ])
        model.compile(loss="sparse_categorical_crossentropy")
    """)
    output = fact.outputs[0]
    assert output.shape == (None, 15, 15, 10)
    assert [layer.kind for layer in output.path] == ["Rescaling", "Conv2D", "MaxPooling2D", "Dense", "Activation"]
    assert output.head.kind == "Dense" and output.head.input_shape == (None, 15, 15, 16)
    assert [layer.family for layer in output.path] == ["rescaling", "conv", "pool", "dense", "activation"]
    assert output.path[1].data_format == "channels_last" and output.path[1].spatial_dims == 2
    model = fact.model
    assert model.inputs[0].shape == (None, 32, 32, 3) and model.inputs[0].keyword == "input_shape"
    assert [layer.kind for layer in model.first_layers] == ["Rescaling", "Conv2D"]
    assert model.first_layers[0].rescales


def test_a_model_changed_after_a_compile_is_read_again():
    facts = compiles("""
        from keras.models import Sequential
        from keras.layers import Dense
        model = Sequential()
        model.add(Dense(8, input_dim=16))
        model.add(Dense(4))
        model.compile(loss='mse', optimizer='sgd')
        model.pop()
        model.compile(loss='mse', optimizer='sgd')
    """)
    assert [c.outputs[0].units for c in facts] == [4, 8]


def test_a_library_call_given_a_tensor_may_return_a_model():
    assert whys("""
        import keras
        from keras_retinanet.models.mobilenet import MobileNetBackbone
        inputs = keras.layers.Input((None, None, 3))
        model = MobileNetBackbone(backbone="mobilenet128_1.0").retinanet(num_classes=3, inputs=inputs)
        model.compile(loss={"classification": "binary_crossentropy"}, optimizer="adam")
    """) == [(6, True, "library model: keras_retinanet MobileNetBackbone")]
