"""keras.applications models: what each one outputs, read off the real package.

Measured on Keras 3.15.1 (scripts/dump_keras_applications.py builds each with `weights=None`,
`include_top=False` at its default input size): the default input size, the feature map it
returns, and whether its first layers rescale the pixels (Rescaling / Normalization inside the
model, what KC405 looks for). With `include_top=True` (the default) the output is `classes`
units (default 1000) under `classifier_activation` (default 'softmax'; Keras ≤ 2.3's
keras_applications always used softmax).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from kerascheck import knowledge
from kerascheck.knowledge.shapes import LayerArgs


@dataclass(frozen=True)
class Application:
    default_size: int  # its default input is (default_size, default_size, 3)
    features: tuple  # (rows, cols, channels) of include_top=False at the default size
    rescales: bool = False  # its first layers rescale raw pixels (include_preprocessing=True, the default)


def _family(names, default_size, features, rescales=False) -> dict:
    return {name: Application(default_size, features, rescales) for name in names}


APPLICATIONS = {
    "Xception": Application(299, (10, 10, 2048)),
    "VGG16": Application(224, (7, 7, 512)),
    "VGG19": Application(224, (7, 7, 512)),
    **_family(("ResNet50", "ResNet101", "ResNet152", "ResNet50V2", "ResNet101V2", "ResNet152V2"), 224, (7, 7, 2048)),
    "InceptionV3": Application(299, (8, 8, 2048)),
    "InceptionResNetV2": Application(299, (8, 8, 1536)),
    "MobileNet": Application(224, (7, 7, 1024)),
    "MobileNetV2": Application(224, (7, 7, 1280)),
    "MobileNetV3Small": Application(224, (7, 7, 576), rescales=True),
    "MobileNetV3Large": Application(224, (7, 7, 960), rescales=True),
    "DenseNet121": Application(224, (7, 7, 1024)),
    "DenseNet169": Application(224, (7, 7, 1664)),
    "DenseNet201": Application(224, (7, 7, 1920)),
    "NASNetMobile": Application(224, (7, 7, 1056)),
    "NASNetLarge": Application(331, (11, 11, 4032)),
    "EfficientNetB0": Application(224, (7, 7, 1280), rescales=True),
    "EfficientNetB1": Application(240, (8, 8, 1280), rescales=True),
    "EfficientNetB2": Application(260, (9, 9, 1408), rescales=True),
    "EfficientNetB3": Application(300, (10, 10, 1536), rescales=True),
    "EfficientNetB4": Application(380, (12, 12, 1792), rescales=True),
    "EfficientNetB5": Application(456, (15, 15, 2048), rescales=True),
    "EfficientNetB6": Application(528, (17, 17, 2304), rescales=True),
    "EfficientNetB7": Application(600, (19, 19, 2560), rescales=True),
    "EfficientNetV2B0": Application(224, (7, 7, 1280), rescales=True),
    "EfficientNetV2B1": Application(240, (8, 8, 1280), rescales=True),
    "EfficientNetV2B2": Application(260, (9, 9, 1408), rescales=True),
    "EfficientNetV2B3": Application(300, (10, 10, 1536), rescales=True),
    "EfficientNetV2S": Application(384, (12, 12, 1280), rescales=True),
    "EfficientNetV2M": Application(480, (15, 15, 1280), rescales=True),
    "EfficientNetV2L": Application(480, (15, 15, 1280), rescales=True),
    "ConvNeXtTiny": Application(224, (7, 7, 768), rescales=True),
    "ConvNeXtSmall": Application(224, (7, 7, 768), rescales=True),
    "ConvNeXtBase": Application(224, (7, 7, 1024), rescales=True),
    "ConvNeXtLarge": Application(224, (7, 7, 1536), rescales=True),
    "ConvNeXtXLarge": Application(224, (7, 7, 2048), rescales=True),
}


def application(name: Optional[str]) -> Optional[Application]:
    return APPLICATIONS.get(name) if name else None


def output(app: Optional[Application], args: LayerArgs, input_shape: Optional[tuple]) -> tuple:
    """(shape, activation, units) of an application's output, from its keyword arguments."""
    if app is None:
        return None, None, None
    include_top = args.get("include_top", True)
    if include_top is True:
        classes = args.get("classes", 1000)
        classes = classes if isinstance(classes, int) and not isinstance(classes, bool) and classes > 0 else None
        activation = args.get("classifier_activation", "softmax")
        if activation is None:
            activation = "linear"
        elif activation not in ("softmax", "sigmoid", "linear"):
            activation = knowledge.canonical_activation_string(activation) if isinstance(activation, str) else None
        return (None, classes), activation, classes
    if include_top is not False:
        return None, None, None
    channels = app.features[2]
    pooling = args.get("pooling")
    if pooling in ("avg", "max"):
        return (None, channels), None, channels
    if pooling is not None:
        return None, None, None
    rows = cols = None
    if input_shape is not None and len(input_shape) == 4 and input_shape[1:3] == (app.default_size,) * 2:
        rows, cols = app.features[:2]
    return (None, rows, cols, channels), None, channels
