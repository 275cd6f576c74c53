"""The quick fix's `# noqa` edit and the lines flake8 reads `# noqa` from (the LSP's and the CLI's share this)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kerascheck.suppression import Suppressions, add_noqa, line_suppresses

CODES = st.sampled_from(["KC101", "KC201", "KC2", "KC1", "E501", "KC305"])


@pytest.mark.parametrize("line, code, expected", [
    ("model.compile(loss='bce')", "KC201", "model.compile(loss='bce')  # noqa: KC201"),
    ("model.compile(loss='bce')   ", "KC201", "model.compile(loss='bce')  # noqa: KC201"),
    ("x = 1  # noqa: KC101", "KC201", "x = 1  # noqa: KC101,KC201"),
    ("x = 1  # noqa:KC101, E501  # why", "KC201", "x = 1  # noqa:KC101, E501,KC201  # why"),
    ("x = 1  # noqa: KC201", "KC201", "x = 1  # noqa: KC201"),
    ("x = 1  # noqa", "KC201", "x = 1  # noqa"),
    ("x = 1  # type: ignore", "KC201", "x = 1  # type: ignore  # noqa: KC201"),
])
def test_add_noqa(line, code, expected):
    assert add_noqa(line, code) == expected
    assert line_suppresses(add_noqa(line, code), code)


@given(existing=st.lists(CODES, max_size=3), comment=st.sampled_from(["", "  # note", "  # type: ignore"]),
       code=CODES)
def test_the_quick_fix_always_silences_the_code_and_keeps_the_others(existing, comment, code):
    line = "model.compile(loss='bce')" + comment + (f"  # noqa: {','.join(existing)}" if existing else "")
    fixed = add_noqa(line, code)
    assert line_suppresses(fixed, code)
    for other in existing:
        assert line_suppresses(fixed, other)


def test_noqa_range_of_a_multi_line_string_ends_after_its_closing_quotes():
    text = 'model.compile(loss="""binary_crossentropy\n""")\nx = 1\n'
    suppressions = Suppressions(text)
    assert suppressions.line_range(1) == (1, 2) and suppressions.line_range(3) == (3, 3)
    fixed = text.splitlines()
    fixed[1] = add_noqa(fixed[1], "KC201")
    assert Suppressions("\n".join(fixed) + "\n").suppressed("KC201", 1)


def test_text_that_does_not_tokenize_falls_back_to_the_physical_line():
    suppressions = Suppressions("x = (\n  1  # noqa\n")
    assert suppressions.suppressed("KC101", 2) and not suppressions.suppressed("KC101", 1)
