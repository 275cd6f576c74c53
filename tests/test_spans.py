"""Extraction reads CPython's `ast`; fixes edit libcst trees and find their node by a finding's
range. So every range in the facts must be exactly the range libcst gives some node."""

from __future__ import annotations

from pathlib import Path

import libcst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from kerascheck.extract import extract_text
from kerascheck.facts import Span

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

TRICKY = {
    "non_ascii": (
        "from keras.models import Sequential\nfrom keras.layers import Dense, Conv2D\n"
        "modèle = Sequential([Dense(10, activation='softmax', name='sortie_é')])\n"
        "modèle.compile(optimizer='adam', loss='binary_crossentropy', metrics=['accuracy'])  # précision\n"
        "x = Conv2D(32, (3, 3), border_mode='same')  # ü\n"),
    "tabs_and_crlf": (
        "import keras\r\ndef build():\r\n\tm = keras.Sequential()\r\n\tm.add(keras.layers.Dense(1, activation='sigmoid'))\r\n"
        "\tm.compile(loss='categorical_crossentropy',\r\n\t\tmetrics=( 'accuracy', ))\r\n\treturn m\r\n"),
    "tuples": (
        "from keras.layers import Conv2D, MaxPooling2D\n"
        "a = Conv2D(8, ((3, 3)), padding='same')\nb = MaxPooling2D(( 2,\n  2, ), strides=())\n"
        "c = Conv2D(8, (3), (1, 1))\nd = Conv2D(8, (  # why\n    3, 3))\n"),
    "wide_characters": (
        "from tensorflow import keras\n"
        "m = keras.Sequential([keras.layers.Dense(3, name='出力'), keras.layers.Activation('softmax')])\n"
        "m.compile(loss='出力' and 'binary_crossentropy', metrics=['出力', 'acc'])\n"
        "m.compile(loss={'出力': 'binary_crossentropy'}, metrics=['acc'])\n"),
}


def _spans(value, found: list) -> None:
    if isinstance(value, Span):
        found.append(value)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _spans(item, found)
    elif isinstance(value, dict):
        for item in value.values():
            _spans(item, found)
    elif hasattr(value, "__dataclass_fields__"):
        for name in value.__dataclass_fields__:
            _spans(getattr(value, name), found)


def _cases() -> list:
    files = [p for p in sorted(FIXTURES.rglob("*.py")) if "bad" not in p.parts]
    return [(p.name, p.read_text(encoding="utf-8")) for p in files] + sorted(TRICKY.items())


@pytest.mark.parametrize("name,text", _cases(), ids=lambda value: value if len(value) < 60 else "")
def test_every_range_in_the_facts_is_a_libcst_node_range(name, text):
    facts = extract_text(name, text)
    spans: list = []
    _spans([facts.compiles, facts.calls], spans)
    if name in TRICKY:
        assert len(spans) >= 4, "the tricky case must produce facts to check"
    module = libcst.parse_module(text)
    ranges = {(r.start.line, r.start.column + 1, r.end.line, r.end.column + 1)
              for r in MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider).values()}
    missing = [span for span in spans if (span.line, span.column, span.end_line, span.end_column) not in ranges]
    assert not missing, missing
