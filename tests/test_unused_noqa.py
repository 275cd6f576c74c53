"""KC003 unused-noqa: which `# noqa` codes silenced nothing, judged only where kerascheck knows (issue 15)."""

import json
import textwrap

import pytest

from kerascheck.suppression import noqa_comments, without_codes
from tests.helpers import findings_for

MODEL = textwrap.dedent("""\
    from keras.models import Sequential
    from keras.layers import Dense
    model = Sequential([Dense(10, activation='softmax')])
""")


def kc003(source: str) -> list:
    return [(f.line, f.column, f.end_column, f.message) for f in findings_for(source) if f.code == "KC003"]


def test_a_code_that_silences_a_finding_is_used():
    assert kc003(MODEL + "model.compile(loss='binary_crossentropy')  # noqa: KC201\n") == []


def test_a_code_that_silences_nothing_is_reported_at_the_directive():
    source = MODEL + "model.compile(loss='categorical_crossentropy')  # noqa: KC201\n"
    [(line, column, end_column, message)] = kc003(source)
    assert (line, column, end_column) == (4, 49, 62)
    assert message.startswith("`# noqa: KC201` silences no kerascheck finding on this line")


def test_only_the_unused_codes_of_a_comment_and_never_other_tools_codes():
    source = MODEL + "model.compile(loss='binary_crossentropy')  # noqa: E501, KC201, KC104, F401\n"
    [(_, _, _, message)] = kc003(source)
    assert message.startswith("KC104 in `# noqa: E501, KC201, KC104, F401` silences no kerascheck finding")
    assert kc003(MODEL + "model.compile(loss='categorical_crossentropy')  # noqa: E501, F401\n") == []


def test_prefixes_count_as_used_when_they_silence_a_finding_of_theirs():
    assert kc003(MODEL + "model.compile(loss='binary_crossentropy')  # noqa: KC2\n") == []
    assert [m for *_, m in kc003(MODEL + "model.compile(loss='categorical_crossentropy')  # noqa: KC2\n")]


def test_bare_noqa_strings_runtime_codes_and_kc003_itself_are_left_alone():
    assert kc003(MODEL + "model.compile(loss='categorical_crossentropy')  # noqa\n") == []
    assert kc003(MODEL + "model.compile(loss='categorical_crossentropy')  # noqa: KC901, KC9\n") == []
    assert kc003(MODEL + "text = '# noqa: KC101'\n") == []
    assert kc003(MODEL + "x = 1  # noqa: KC003\n") == []


def test_unknown_kerascheck_codes_are_reported_as_such():
    [(_, _, _, message)] = kc003(MODEL + "x = 1  # noqa: KC999\n")
    assert "(KC999: no such kerascheck rule)" in message


def test_a_noqa_after_a_multi_line_string_is_used_by_a_finding_on_its_first_line():
    source = MODEL + 'model.compile(loss="""binary_crossentropy\n""")  # noqa: KC209\n'  # a loss Keras does not know
    assert kc003(source) == []
    assert [f.code for f in findings_for(source)] == []


def test_a_file_silenced_whole_reports_nothing_and_kc003_can_be_silenced():
    assert kc003("# kerascheck: noqa\n" + MODEL + "x = 1  # noqa: KC101\n") == []
    assert kc003(MODEL + "x = 1  # noqa: KC101, KC003\n") == []


@pytest.mark.parametrize("line, codes, expected", [
    ("x = 1  # noqa: KC101", ["KC101"], "x = 1"),
    ("x = 1  # noqa: E501, KC101", ["KC101"], "x = 1  # noqa: E501"),
    ("x = 1  # noqa:KC101,E501,KC2", ["KC101", "KC2"], "x = 1  # noqa:E501"),
    ("x = 1  # NOQA: KC101 KC201", ["KC201"], "x = 1  # NOQA: KC101"),
    ("x = 1  # type: int  # noqa: KC101", ["KC101"], "x = 1  # type: int"),
    ("x = 1  # noqa: KC101 because of the legacy model", ["KC101"], "x = 1  # because of the legacy model"),
    ("x = 1  # noqa: KC101, E501 because", ["KC101"], "x = 1  # noqa: E501 because"),
    ("x = 1  # note  # noqa: KC101  # more", ["KC101"], "x = 1  # note  # more"),
])
def test_the_fix_removes_the_codes_or_the_directive_and_keeps_the_rest(line, codes, expected):
    [comment] = noqa_comments(line + "\n")
    start, end, replacement = without_codes(comment, codes)
    fixed = line[:start - 1] + replacement + line[end - 1:]
    assert fixed == expected


def test_unselected_and_ignored_rules_are_not_judged(run_cli, tmp_path):
    (tmp_path / "train.py").write_text(MODEL + "model.compile(loss='categorical_crossentropy')  # noqa: KC201\n")
    judged = run_cli("check", "--no-cache", "train.py", cwd=tmp_path)
    assert judged.returncode == 1 and "KC003" in judged.stdout
    assert "train.py:4:49: KC003 " in judged.stdout
    for flags in (["--select", "KC0,KC1"], ["--ignore", "KC201"], ["--ignore", "KC003"]):
        result = run_cli("check", "--no-cache", *flags, "train.py", cwd=tmp_path)
        assert result.returncode == 0 and result.stdout == "", (flags, result.stdout)
    (tmp_path / "pyproject.toml").write_text('[tool.kerascheck]\nper-file-ignores = { "train.py" = ["KC2"] }\n')
    assert run_cli("check", "--no-cache", "train.py", cwd=tmp_path).stdout == ""


def test_in_a_notebook_by_cell(run_cli, tmp_path):
    cells = [{"cell_type": "markdown", "metadata": {}, "source": ["# title"]},
             {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": MODEL},
             {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
              "source": "model.compile(loss='categorical_crossentropy')  # noqa: KC201\n"}]
    (tmp_path / "nb.ipynb").write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4,
                                                   "nbformat_minor": 5}))
    result = run_cli("check", "--no-cache", "nb.ipynb", cwd=tmp_path)
    assert result.stdout.startswith("nb.ipynb:cell 3:1:49: KC003 "), result.stdout


def test_not_under_flake8_which_applies_noqa_itself(tmp_path):
    import subprocess
    import sys

    (tmp_path / "train.py").write_text(MODEL + "model.compile(loss='categorical_crossentropy')  # noqa: KC201\n")
    result = subprocess.run([sys.executable, "-m", "flake8", "--select", "KC", "train.py"], cwd=tmp_path,
                            capture_output=True, text=True)
    assert result.stdout == "" and result.returncode == 0, result.stdout + result.stderr


def test_the_safe_fix_through_the_command_line_in_a_file_and_a_notebook(run_cli, tmp_path):
    source = MODEL + ("model.compile(loss='categorical_crossentropy')  # noqa: KC201\n"
                      "model.compile(loss='binary_crossentropy')  # noqa: E501, KC201, KC104\n")
    (tmp_path / "train.py").write_text(source)
    cells = [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": source}]
    (tmp_path / "nb.ipynb").write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4,
                                                   "nbformat_minor": 5}, indent=1) + "\n")
    result = run_cli("check", "--no-cache", "--fix", "train.py", "nb.ipynb", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    fixed = MODEL + ("model.compile(loss='categorical_crossentropy')\n"
                     "model.compile(loss='binary_crossentropy')  # noqa: E501, KC201\n")
    assert (tmp_path / "train.py").read_text() == fixed
    assert "".join(json.loads((tmp_path / "nb.ipynb").read_text())["cells"][0]["source"]) == fixed
