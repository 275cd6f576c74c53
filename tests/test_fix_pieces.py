"""Fixes computed from the statements around the findings are exactly those of a parse of the whole file.

attach_file_edits (and compute_fixes) parse only the statements that hold the findings,
and the whole file only for the fixes that ask about it (kerascheck/fix/context.py);
`whole_file=True` parses the whole file first, as the fixer always did. Both ways
must attach the same edits to the same findings, with the same safety, for every
fixture (notebooks included) and for the same code re-shaped (nested in a function,
tab-indented, Windows newlines, joined by `;`, behind a one-line `if`).
"""

import re
import textwrap

import libcst
import pytest

from kerascheck.fix import applicable, attach_edits, compute_fixes, has_fix
from kerascheck.fix import context as fix_context
from kerascheck.fix.edits import LineIndex
from kerascheck.fix.statements import statement_runs
from kerascheck.runner import Options, check_one_file, check_source
from kerascheck.versions import UNKNOWN
from tests.conftest import FIXTURES

OPTIONS = Options(target=UNKNOWN)
FILES = sorted(p for p in FIXTURES.rglob("*") if p.suffix in (".py", ".ipynb"))


def _attached(path, whole_file, include_unsafe):
    findings = check_one_file(path, OPTIONS).findings
    attach_edits(findings, {f.path: path for f in findings}, whole_file=whole_file)
    shown = [f for f in findings if f.fix is not None and applicable(f.fix, include_unsafe)]
    counts = (len(shown), sum(1 for f in findings if f.fix is not None) - len(shown))
    return counts, [(f.code, f.line, f.column, f.cell, f.fix_json() if f in shown else None) for f in findings]


@pytest.mark.parametrize("include_unsafe", [False, True], ids=["safe", "unsafe"])
@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_attached_fixes_are_those_of_the_whole_file(path, include_unsafe):
    assert _attached(path, False, include_unsafe) == _attached(path, True, include_unsafe)


def test_the_comparison_is_not_vacuous():
    safe = [_attached(path, False, include_unsafe=False)[0] for path in FILES]
    unsafe = [_attached(path, False, include_unsafe=True)[0] for path in FILES]
    assert sum(attached for attached, _ in safe) >= 50 and sum(hidden for _, hidden in safe) >= 20
    assert sum(attached for attached, _ in unsafe) >= 75
    # the notebook fixtures whose findings have fixes (the KC4 notebook's findings have none) get them attached
    notebooks = {path.name: counts for path, counts in zip(FILES, unsafe) if path.suffix == ".ipynb"}
    assert notebooks["fashion_mnist.ipynb"][0] >= 2


def _nested(text, unit="    "):
    return "def _wrapper():\n" + "".join(unit + line if line.strip() else line for line in text.splitlines(True))


RESHAPED = {
    "nested": _nested,
    "tabs": lambda text: _nested(text, "\t"),
    "crlf": lambda text: _nested(text).replace("\n", "\r\n"),
    "mixed newlines": lambda text: text.replace("\n", "\r\n", 1),
    "semicolons": lambda text: re.sub(r"^(\s*)(model\.compile)", r"\1pass; \2", text, flags=re.M),
    "one-line if": lambda text: re.sub(r"^(\s*)(model\.compile)", r"\1if True: \2", text, flags=re.M),
}


def _fixes(text, findings, whole_file):
    return [(finding.code, finding.line, finding.column, fix.safety, fix.message,
             [(edit.start, edit.end, edit.content) for edit in fix.edits])
            for finding, fix in compute_fixes(text, findings, whole_file=whole_file)]


@pytest.mark.parametrize("shape", sorted(RESHAPED))
def test_reshaped_fixtures_get_the_same_fixes(shape):
    compared = 0
    for path in FILES:
        if path.suffix != ".py":
            continue
        text = RESHAPED[shape](path.read_text(encoding="utf-8"))
        findings = check_source("case.py", text, OPTIONS).findings
        if not any(has_fix(finding) for finding in findings):
            continue
        pieces = _fixes(text, findings, whole_file=False)
        assert pieces == _fixes(text, findings, whole_file=True), path.name
        compared += len(pieces)
    assert compared >= 20


# ---------------------------------------------------------------- which lines are parsed


def _runs(code, first, last=None):
    code = textwrap.dedent(code)
    return statement_runs(code, [(first, last or first)], LineIndex(code))


def test_a_statement_of_its_own():
    code = """
        import keras
        def build():
            model = keras.Sequential()
            model.compile(loss='mse',
                          metrics=['accuracy'])  # a comment
            return model
        """
    assert _runs(code, 6) == [(5, 6)]  # the call, not the function
    assert _runs(code, 3) == [(3, 7)]  # the def line: the whole function


def test_statements_sharing_a_line_go_together():
    assert _runs("a = 1; b = f(\n  2)\nc = 3\n", 2) == [(1, 2)]


def test_a_body_on_its_header_line_takes_the_header():
    code = """
        def build():
            if ready: model.compile(metrics=['accuracy'])
            else:
                pass
        """
    assert _runs(code, 3) == [(3, 5)]


def test_a_decorated_function_starts_at_its_decorator():
    code = """
        @ tf.function(jit_compile=True)
        def step():
            pass
        """
    assert _runs(code, 2) == [(2, 4)]


def test_a_statement_after_a_line_it_does_not_own():
    # After a triple-quoted string's last line, `x = f(1)` does not start its line: the string's statement too.
    assert _runs('s = """a\nb"""; x = f(1)\n', 2) == [(1, 2)]
    assert _runs("x = f(1) \\\n\n", 1) == []  # a backslash after it: unsure, no run (the whole file)


def test_files_the_pieces_do_not_handle():
    assert _runs("model.compile(\n", 1) is None  # does not parse
    assert statement_runs("a = 1\r\nb = 2\n", [(1, 1)], LineIndex("a = 1\r\nb = 2\n")) is None  # mixed newlines
    assert _runs("# only a comment\n", 1) == []


def test_a_string_fix_parses_only_its_statement(monkeypatch):
    code = "import keras\n" + "x = 1\n" * 200 + textwrap.dedent("""
        model = keras.Sequential([keras.layers.Dense(5, activation='softmax')])
        model.compile(loss='binary_crossentropy', metrics=['accuracy'])
        """)
    findings = [f for f in check_source("case.py", code, OPTIONS).findings if has_fix(f)]
    assert [f.code for f in findings] == ["KC101"]
    parsed = []
    real_parse = libcst.parse_module
    monkeypatch.setattr(fix_context.cst, "parse_module", lambda text, *a, **k: parsed.append(text) or real_parse(text))
    [(_, fix)] = compute_fixes(code, findings)
    assert [edit.content for edit in fix.edits] == ["'categorical_accuracy'"]
    assert parsed == ["model.compile(loss='binary_crossentropy', metrics=['accuracy'])\n"]


def test_a_fix_that_asks_about_the_module_is_computed_on_the_whole_file(monkeypatch):
    code = textwrap.dedent("""
        from keras.layers import Dense
        from keras.models import Sequential
        model = Sequential([Dense(10)])
        model.compile(loss='categorical_crossentropy', optimizer='adam')
        """)
    findings = [f for f in check_source("case.py", code, OPTIONS).findings if f.code == "KC206"]
    parsed = []
    real_parse = libcst.parse_module
    monkeypatch.setattr(fix_context.cst, "parse_module", lambda text, *a, **k: parsed.append(text) or real_parse(text))
    fixes = _fixes(code, findings, whole_file=False)
    assert fixes and fixes == _fixes(code, findings, whole_file=True)
    assert code in parsed  # the import it adds needs the file's imports


def test_no_fix_when_the_whole_file_does_not_parse_with_libcst(monkeypatch):
    """As when the whole file is parsed first: a fix that needs it loses every fix of the file.

    KC206's fix here extends the `from keras.losses import` line: that rewrite needs the line's
    libcst node, from the whole file (choosing where a new import goes needs only ast)."""
    code = textwrap.dedent("""
        from keras.layers import Dense
        from keras.losses import Huber
        from keras.models import Sequential
        first = Sequential([Dense(5, activation='softmax')])
        first.compile(loss='binary_crossentropy', metrics=['accuracy'])
        second = Sequential([Dense(10)])
        second.compile(loss='categorical_crossentropy', optimizer='adam')
        """)
    findings = check_source("case.py", code, OPTIONS).findings
    assert [f.code for f, _ in compute_fixes(code, findings)] == ["KC101", "KC206"]
    real_parse = libcst.parse_module

    def whole_file_fails(text, *args, **kwargs):
        if text == code:
            raise libcst.ParserSyntaxError("as if", lines=[""], raw_line=1, raw_column=0)
        return real_parse(text, *args, **kwargs)

    monkeypatch.setattr(fix_context.cst, "parse_module", whole_file_fails)
    assert compute_fixes(code, findings) == []


_HEADER = "from keras.models import Sequential\nfrom keras.layers import Dense, Convolution2D\nimport keras\n"
_MODEL = "model = Sequential([Dense(5, activation='softmax')])\n"
_COMPILE = "model.compile(loss='binary_crossentropy', metrics=['accuracy', keras.metrics.BinaryAccuracy()])"
_LINEAR = "linear = Sequential([Dense(5)])\n"
_LINEAR_COMPILE = "linear.compile(loss='categorical_crossentropy', optimizer=keras.optimizers.Adam(lr=0.1, decay=0.0))"
ODD_SHAPES = {
    "backslash": _MODEL + "model.compile(loss='binary_crossentropy', \\\n    metrics=['accuracy'])\n",
    "try": _MODEL + "try:\n    pass\nexcept E as e:\n    " + _COMPILE + "\nelse:\n    " + _LINEAR + "    "
           + _LINEAR_COMPILE + "\nfinally:\n    pass\n",
    "match": _MODEL + "match x:\n    case 1:\n        " + _COMPILE + "\n    case _:\n        pass\n",
    "after a non-ASCII statement": _MODEL + "ñ = 'é'; " + _COMPILE + "\n",
    "after a string's last line": _MODEL + 's = """a\nb"""; ' + _COMPILE + "\n",
    "after a backslash": _MODEL + "x = 1; \\\n" + _COMPILE + "\n",
    "in a method": "class A:\n    def build(self):\n        " + _MODEL.replace("\n", "\n        ") + _COMPILE + "\n",
    "decorated": "@decorator(\n  x=1)\ndef build():\n    " + _MODEL + "    " + _COMPILE + "\n    return model\n",
    "semicolons": _MODEL + _COMPILE + "; " + _LINEAR.strip() + "; " + _LINEAR_COMPILE + ";\n",
    "no last newline": "def f():\n    " + _MODEL + "    " + _COMPILE,
    "form feed": _MODEL + "\x0c\n" + _COMPILE + "\n",
    "walrus": _MODEL + "if (m := " + _COMPILE + "): pass\n",
    "await": "async def f():\n    " + _MODEL + "    await " + _COMPILE + "\n",
    "keras 1": _LINEAR + _LINEAR_COMPILE + "\nlinear.fit(x, y, nb_epoch=3)\nm = Sequential([Convolution2D(32, 3, 3)])\n",
}


@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
@pytest.mark.parametrize("shape", sorted(ODD_SHAPES))
def test_odd_shapes_get_the_same_fixes(shape, newline):
    text = (_HEADER + ODD_SHAPES[shape]).replace("\n", newline)
    findings = check_source("case.py", text, OPTIONS).findings
    pieces = _fixes(text, findings, whole_file=False)
    assert pieces
    assert pieces == _fixes(text, findings, whole_file=True)


def test_a_new_import_line_needs_no_libcst_parse_of_the_whole_file(monkeypatch):
    """Where a new import goes is read from ast: only the statement being fixed is parsed with libcst."""
    code = textwrap.dedent("""
        from keras.layers import Dense
        from keras.models import Sequential
        linear = Sequential([Dense(10)])
        linear.compile(loss='categorical_crossentropy', optimizer='adam')
        """)
    findings = check_source("case.py", code, OPTIONS).findings
    expected = compute_fixes(code, findings, whole_file=True)
    assert [f.code for f, _ in expected] == ["KC206"]
    assert any("from keras.losses import CategoricalCrossentropy" in edit.content
               for _, fix in expected for edit in fix.edits)
    real_parse = libcst.parse_module

    def whole_file_fails(text, *args, **kwargs):
        if text == code:
            raise AssertionError("the whole file was parsed with libcst")
        return real_parse(text, *args, **kwargs)

    monkeypatch.setattr(fix_context.cst, "parse_module", whole_file_fails)
    assert compute_fixes(code, findings) == expected
