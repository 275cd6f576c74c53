"""Property-based tests (hypothesis).

1. Generated Keras programs (bench/modelgen.py: every model style, every import
   spelling, separate Activation layers, string and class losses, from_logits,
   unknown units, per-file Keras versions) whose output activation, units and loss
   are known by construction: the analysis never raises, and KC101/KC201/KC202/
   KC203/KC204/KC206 fire exactly when an oracle written from the rules'
   documentation says so.
2. Random mutations of the fixtures (cut, duplicate, swap and truncate lines,
   insert odd tokens and bytes): the analysis never raises and reports no internal
   error; every finding is a known rule at a line of the file.

Bounded: max_examples below, no deadline (libcst's first parse warms caches).
"""

from __future__ import annotations

import sys

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import FIXTURES, REPO
from tests.helpers import findings_for

sys.path.insert(0, str(REPO))
from bench import modelgen  # noqa: E402

SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@settings(max_examples=250, **SETTINGS)
@given(st.data())
def test_generated_models_agree_with_the_oracle(data):
    source, spec = modelgen.generate(lambda name, options: data.draw(st.sampled_from(options), label=name),
                                     padding=data.draw(st.integers(0, 1), label="padding"))
    findings = findings_for(source)
    got = sorted({f.code for f in findings} & modelgen.ORACLE_CODES)
    assert got == sorted(modelgen.expected_codes(spec)), f"{spec}\n{source}"
    lines = source.count("\n") + 1
    assert all(1 <= f.line <= lines for f in findings)


FIXTURE_TEXTS = [p.read_text(encoding="utf-8", errors="replace") for p in sorted(FIXTURES.rglob("*.py"))
                 if ".in." not in p.name and ".out." not in p.name]
ODD_TOKENS = ["(", ")", "[", "]", "{", "}", ":", ",", "\n", "\t", "    ", "\\", "\\\n", "'", '"', '"""', "#", "@",
              "lambda", "*", "**", "=", ":=", "->", "...", "None", "compile(", ".compile(loss=", "Dense(",
              "activation=", "'softmax'", "Sequential([", "Model(", "metrics=['accuracy']", "from_logits=True",
              "import keras\n", "from keras import *\n", "def f(", "class C(keras.Model):", "return ", "yield ",
              "async ", "await ", "\x00", "\ufeff", "é", "\r", "\r\n", "\f", "𝕜", "print 'x'\n", "0x", "1e999",
              "f'{", "}'", "if True:\n", "else:\n", "global x\n", "del ", "super().", "self.", "len(x)"]


def _mutate(text: str, data) -> str:
    lines = text.split("\n")
    for _ in range(data.draw(st.integers(1, 4), label="mutations")):
        kind = data.draw(st.sampled_from(["insert", "delete", "duplicate", "swap", "truncate", "splice"]), label="kind")
        if not lines:
            lines = [""]
        index = data.draw(st.integers(0, len(lines) - 1), label="line")
        line = lines[index]
        if kind == "insert":
            column = data.draw(st.integers(0, len(line)), label="column")
            token = data.draw(st.sampled_from(ODD_TOKENS) | st.text(max_size=6), label="token")
            lines[index] = line[:column] + token + line[column:]
        elif kind == "delete":
            start = data.draw(st.integers(0, len(line)), label="start")
            lines[index] = line[:start] + line[start + data.draw(st.integers(0, 12), label="width"):]
        elif kind == "duplicate":
            lines.insert(index, line)
        elif kind == "swap":
            other = data.draw(st.integers(0, len(lines) - 1), label="other")
            lines[index], lines[other] = lines[other], lines[index]
        elif kind == "truncate":
            lines = lines[: index + 1]
        else:  # a line of another fixture
            donor = data.draw(st.sampled_from(FIXTURE_TEXTS), label="donor").split("\n")
            lines.insert(index, donor[data.draw(st.integers(0, len(donor) - 1), label="donor line")])
    return "\n".join(lines)


@settings(max_examples=250, **SETTINGS)
@given(st.data())
def test_mutated_fixtures_never_break_the_analysis(data):
    from kerascheck.rules import all_rules
    from kerascheck.runner import Options, check_source
    from kerascheck.versions import UNKNOWN

    text = _mutate(data.draw(st.sampled_from(FIXTURE_TEXTS), label="fixture"), data)
    codes = {rule.code for rule in all_rules()}
    findings = findings_for(text)  # extraction and rules, in-process: any exception fails the test
    lines = max(text.count("\n") + text.count("\r") + 1, 1)
    assert all(f.code in codes and 1 <= f.line <= lines for f in findings), [(f.code, f.line) for f in findings]
    # The whole per-file path as the command line runs it (bytes, decoding, noqa), also as a notebook cell.
    for payload in (text.encode("utf-8", errors="surrogatepass"), text.encode("latin-1", errors="replace")):
        result = check_source("mutated.py", payload, Options(target=UNKNOWN))
        assert result.internal_error is None, result.internal_error


@settings(max_examples=60, **SETTINGS)
@given(st.data())
def test_mutated_notebooks_never_break_the_analysis(data):
    import json

    from kerascheck.runner import Options, check_source
    from kerascheck.versions import UNKNOWN

    cells = [_mutate(data.draw(st.sampled_from(FIXTURE_TEXTS), label="cell"), data)
             for _ in range(data.draw(st.integers(0, 3), label="cells"))]
    notebook = {"cells": [{"cell_type": data.draw(st.sampled_from(["code", "markdown", "raw"]), label="type"),
                           "metadata": {}, "source": cell.splitlines(keepends=True), "outputs": [],
                           "execution_count": None} for cell in cells],
                "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    raw = json.dumps(notebook)
    if data.draw(st.booleans(), label="damage the JSON"):
        cut = data.draw(st.integers(0, len(raw)), label="cut")
        raw = raw[:cut] + data.draw(st.sampled_from(["", "}", "]", '"', "\x00", "{"]), label="junk") + raw[cut + 1:]
    result = check_source("mutated.ipynb", raw.encode("utf-8", errors="surrogatepass"), Options(target=UNKNOWN),
                          notebook=True)
    assert result.internal_error is None, result.internal_error
