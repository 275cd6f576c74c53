"""Keras model programs whose output activation, units and loss are known by construction.

Used by the benchmark (bench/run.py builds its Keras-heavy tree from these and
from fixtures/) and by the property tests (tests/test_properties.py draws the
same choices with hypothesis and checks kerascheck against `expected_codes`,
an oracle written from the rules' documentation, not from kerascheck's code).

`generate(choose)` asks `choose(name, options)` for every decision, so the same
generator serves `random.Random(seed).choice` and hypothesis' `draw`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional

# How Keras is imported and spelled: name -> (import lines, model module, layers module, losses module,
# Input, Model, Sequential). Every spelling kerascheck must resolve.
SPELLINGS = {
    "keras": ("import keras\n", "keras", "keras.layers", "keras.losses", "keras.Input", "keras.Model",
              "keras.Sequential"),
    "keras_from": ("from keras.models import Sequential, Model\n"
                   "from keras.layers import Dense, Dropout, Activation, Input, Flatten\n"
                   "from keras import losses\n",
                   None, None, "losses", "Input", "Model", "Sequential"),
    "tf.keras": ("import tensorflow as tf\n", "tf.keras", "tf.keras.layers", "tf.keras.losses", "tf.keras.Input",
                 "tf.keras.Model", "tf.keras.Sequential"),
    "tensorflow.keras": ("from tensorflow import keras\nfrom tensorflow.keras import layers, models\n",
                         "keras", "layers", "keras.losses", "keras.Input", "models.Model", "models.Sequential"),
    "tf_keras": ("import tf_keras as tfk\n", "tfk", "tfk.layers", "tfk.losses", "tfk.Input", "tfk.Model",
                 "tfk.Sequential"),
    "alias": ("import keras as K\nfrom keras import layers as L\n", "K", "L", "K.losses", "K.Input", "K.Model",
              "K.models.Sequential"),
}
STYLES = ("sequential_add", "sequential_list", "functional", "subclassed", "factory", "factory_compiles")
UNITS = (1, 2, 3, 10, None)  # None: not known statically (len() of something read at run time)
ACTIVATIONS = ("softmax", "sigmoid", None)  # None: no activation (logits)
ACTIVATION_SPELLINGS = ("keyword", "layer")  # Dense(..., activation='x') or Dense(...) + Activation('x')
LOSSES = ("binary_crossentropy", "bce", "categorical_crossentropy", "sparse_categorical_crossentropy",
          "mean_squared_error")
LOSS_FORMS = ("string", "class")
TARGETS = (None, "2.3.1", "3")  # the file's `# kerascheck: keras-version=` directive; None: unknown

_LOSS_CLASSES = {
    "binary_crossentropy": "BinaryCrossentropy", "bce": "BinaryCrossentropy",
    "categorical_crossentropy": "CategoricalCrossentropy",
    "sparse_categorical_crossentropy": "SparseCategoricalCrossentropy", "mean_squared_error": "MeanSquaredError",
}
_BCE = {"binary_crossentropy", "bce"}
_CATEGORICAL = {"categorical_crossentropy", "sparse_categorical_crossentropy"}


@dataclass
class ModelSpec:
    spelling: str
    style: str
    hidden: int
    units: Optional[int]
    activation: Optional[str]
    activation_spelling: str
    loss: str
    loss_form: str
    from_logits: bool
    metrics: bool
    target: Optional[str]
    padding: int = 0  # extra realistic lines (data loading, training, helpers), for the benchmark
    notes: list = field(default_factory=list)


def draw_spec(choose: Callable, padding: int = 0) -> ModelSpec:
    loss_form = choose("loss_form", LOSS_FORMS)
    loss = choose("loss", LOSSES)
    from_logits = choose("from_logits", (False, True)) if loss_form == "class" and loss != "mean_squared_error" else False
    return ModelSpec(
        spelling=choose("spelling", tuple(SPELLINGS)), style=choose("style", STYLES), hidden=choose("hidden", (0, 1, 2)),
        units=choose("units", UNITS), activation=choose("activation", ACTIVATIONS),
        activation_spelling=choose("activation_spelling", ACTIVATION_SPELLINGS), loss=loss, loss_form=loss_form,
        from_logits=from_logits, metrics=choose("metrics", (True, False)), target=choose("target", TARGETS),
        padding=padding)


def expected_codes(spec: ModelSpec) -> set:
    """The oracle: which of KC101/KC201/KC202/KC203/KC204/KC206 must fire, from the rules' documentation."""
    act, units, loss = spec.activation or "linear", spec.units, spec.loss
    bce, categorical = loss in _BCE, loss in _CATEGORICAL
    crossentropy = bce or categorical
    multiclass_softmax = act == "softmax" and (units is None or units > 2)
    codes = set()
    if bce and multiclass_softmax:
        codes.add("KC201")  # softmax + binary cross-entropy, more than 2 (or unknown) units
        # 'accuracy' resolved from the loss: Keras <= 2.3 (and unknown targets, which describe both).
        if spec.metrics and spec.target != "3":
            codes.add("KC101")
    if categorical and act == "sigmoid" and units is not None and units >= 2:
        codes.add("KC202")
    if act == "softmax" and units == 1:
        codes.add("KC203")
    if categorical and units == 1:
        codes.add("KC204")
    if crossentropy and act == "linear" and not spec.from_logits:
        codes.add("KC206")
    return codes


ORACLE_CODES = {"KC101", "KC201", "KC202", "KC203", "KC204", "KC206"}


def _names(spec: ModelSpec) -> dict:
    imports, module, layers, losses, input_name, model_name, sequential = SPELLINGS[spec.spelling]
    layer = (lambda name: name) if layers is None else (lambda name: f"{layers}.{name}")
    return dict(imports=imports, layer=layer, losses=losses, Input=input_name, Model=model_name,
                Sequential=sequential)


def render(spec: ModelSpec) -> str:
    n = _names(spec)
    layer = n["layer"]
    units = "NUM_CLASSES" if spec.units is not None else "len(class_names)"
    activation = f", activation={spec.activation!r}" if spec.activation and spec.activation_spelling == "keyword" else ""
    separate = spec.activation is not None and spec.activation_spelling == "layer"
    hidden = [f"{layer('Dense')}({32 * (i + 1)}, activation='relu')" for i in range(spec.hidden)]
    output = f"{layer('Dense')}({units}{activation})"
    after = [f"{layer('Activation')}({spec.activation!r})"] if separate else []

    lines = []
    if spec.target:
        lines.append(f"# kerascheck: keras-version={spec.target}")
    lines.append('"""A generated Keras training script (bench/modelgen.py)."""')
    lines.append(n["imports"].rstrip("\n"))
    lines.append("import numpy as np")
    lines.append("")
    if spec.units is not None:
        lines.append(f"NUM_CLASSES = {spec.units}")
    else:
        lines.append("class_names = open('labels.txt').read().split()")
    lines.append("")
    lines += _padding_before(spec.padding)

    compile_call = f"model.compile(optimizer='adam', loss={_loss(spec, n)}{_metrics(spec)})"
    if spec.style in ("sequential_add", "factory", "factory_compiles"):
        body = [f"model = {n['Sequential']}()"]
        body += [f"model.add({item})" for item in hidden + [output] + after]
    elif spec.style == "sequential_list":
        items = hidden + [output] + after
        body = [f"model = {n['Sequential']}(["] + [f"    {item}," for item in items] + ["])"]
    elif spec.style == "functional":
        body = [f"inputs = {n['Input']}(shape=(20,))", "x = inputs"]
        body += [f"x = {item}(x)" for item in hidden]
        body += [f"outputs = {output}(x)"] + [f"outputs = {item}(outputs)" for item in after]
        body += [f"model = {n['Model']}(inputs=inputs, outputs=outputs)"]
    else:  # subclassed
        lines += [f"class Classifier({n['Model']}):", "    def __init__(self):", "        super().__init__()"]
        lines += [f"        self.hidden{i} = {item}" for i, item in enumerate(hidden)]
        lines += [f"        self.head = {output}"]
        if separate:
            lines += [f"        self.act = {after[0]}"]
        lines += ["", "    def call(self, inputs, training=False):", "        x = inputs"]
        lines += [f"        x = self.hidden{i}(x)" for i in range(spec.hidden)]
        lines += ["        x = self.head(x)"] + (["        x = self.act(x)"] if separate else []) + ["        return x", ""]
        body = ["model = Classifier()"]
    if spec.style in ("factory", "factory_compiles"):
        lines.append("def build_model():")
        lines += ["    " + line for line in body]
        if spec.style == "factory_compiles":
            lines.append("    " + compile_call)
        lines += ["    return model", "", "", "model = build_model()"]
        if spec.style == "factory":
            lines.append(compile_call)
    else:
        lines += body + [compile_call]
    lines += _padding_after(spec.padding)
    return "\n".join(lines) + "\n"


def _loss(spec: ModelSpec, n: dict) -> str:
    if spec.loss_form == "string":
        return repr(spec.loss)
    arguments = "from_logits=True" if spec.from_logits else ""
    return f"{n['losses']}.{_LOSS_CLASSES[spec.loss]}({arguments})"


def _metrics(spec: ModelSpec) -> str:
    return ", metrics=['accuracy']" if spec.metrics else ""


def _padding_before(count: int) -> list:
    lines = []
    for i in range(count):
        lines += [
            f"def load_split_{i}(path, limit=None):",
            f'    """Read split {i} from a .npz file and scale it to [0, 1]."""',
            "    data = np.load(path)",
            "    x, y = data['x'].astype('float32') / 255.0, data['y']",
            "    if limit is not None:",
            "        x, y = x[:limit], y[:limit]",
            "    return x, y",
            "",
        ]
    return lines


def _padding_after(count: int) -> list:
    lines = ["", "x_train, y_train = np.random.rand(64, 20), np.random.randint(0, 2, (64,))"]
    for i in range(count):
        lines += [
            "",
            f"def report_{i}(history, name='run{i}'):",
            "    best = max(history.history.get('val_loss', [0.0]) or [0.0])",
            "    print(f'{name}: best validation loss {best:.4f}')",
            "    return best",
        ]
    lines += ["", "history = model.fit(x_train, y_train, epochs=2, batch_size=16, validation_split=0.2)",
              "model.evaluate(x_train, y_train)"]
    return lines


def generate(choose: Callable, padding: int = 0) -> tuple:
    """(source, spec) for one program."""
    spec = draw_spec(choose, padding)
    return render(spec), spec
