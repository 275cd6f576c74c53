"""--add-noqa's library (kerascheck/add_noqa.py): every finding silenced where `# noqa` is read, nothing else
changed, files that do not parse never touched, notebooks cell by cell."""

import json
import textwrap
from pathlib import Path

import pytest

from kerascheck.add_noqa import add_noqa_to_files
from kerascheck.runner import Options, check_one_file
from kerascheck.versions import UNKNOWN

MODEL = textwrap.dedent("""\
    from keras.models import Sequential
    from keras.layers import Dense
    model = Sequential([Dense(10, activation='softmax')])
""")


def findings(path) -> list:
    return check_one_file(Path(path), Options(target=UNKNOWN)).findings


def add(path) -> list:
    return add_noqa_to_files(findings(path))


@pytest.fixture(autouse=True)
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


@pytest.mark.parametrize("source, expected", [
    ("model.compile(loss='binary_crossentropy', metrics=['accuracy'])\n",
     "model.compile(loss='binary_crossentropy', metrics=['accuracy'])  # noqa: KC101,KC201\n"),
    ("model.compile(loss='binary_crossentropy', metrics=['accuracy'])  # noqa: E501\n",
     "model.compile(loss='binary_crossentropy', metrics=['accuracy'])  # noqa: E501,KC101,KC201\n"),
    ("model.compile(loss='binary_crossentropy')  # type: ignore\n",
     "model.compile(loss='binary_crossentropy')  # type: ignore  # noqa: KC201\n"),
    ("model.compile(\n    loss='binary_crossentropy',\n    metrics=['accuracy'],\n)\n",
     "model.compile(\n    loss='binary_crossentropy',  # noqa: KC201\n    metrics=['accuracy'],  # noqa: KC101\n)\n"),
    ("model.compile(loss='''binary_crossentropy\n''')\n",  # after the string's closing quotes
     "model.compile(loss='''binary_crossentropy\n''')  # noqa: KC209\n"),
    ("model.compile(loss='binary_crossentropy', \\\n              optimizer='adam')\n",  # after the continuation
     "model.compile(loss='binary_crossentropy', \\\n              optimizer='adam')  # noqa: KC201\n"),
])
def test_comments_go_where_noqa_is_read_and_silence_everything(source, expected):
    Path("train.py").write_text(MODEL + source)
    [result] = add("train.py")
    assert result.error is None and result.added >= 1
    assert Path("train.py").read_text() == MODEL + expected
    assert findings("train.py") == []
    assert add_noqa_to_files(findings("train.py")) == []  # a second run has nothing to add


def test_line_endings_and_encoding_are_kept():
    source = "# -*- coding: latin-1 -*-\n" + MODEL + "model.compile(loss='binary_crossentropy')  # café\n"
    Path("train.py").write_bytes(source.replace("\n", "\r\n").encode("latin-1"))
    [result] = add("train.py")
    assert result.added == 1
    assert Path("train.py").read_bytes() == source.replace("# café", "# café  # noqa: KC201").replace(
        "\n", "\r\n").encode("latin-1")


def test_a_file_that_does_not_parse_is_never_touched():
    source = MODEL + "model.compile(loss='binary_crossentropy')\nprint 'x'\n"
    Path("train.py").write_text(source)
    assert [f.code for f in findings("train.py")] == ["KC001"]
    [result] = add("train.py")
    assert (result.added, result.error) == (0, None)
    assert Path("train.py").read_text() == source


def test_unused_noqa_gets_no_noqa():
    Path("train.py").write_text(MODEL + "model.compile(loss='categorical_crossentropy')  # noqa: KC201\n")
    assert [f.code for f in findings("train.py")] == ["KC003"]
    [result] = add("train.py")
    assert result.added == 0


def notebook(*sources, indent=1):
    cells = [{"cell_type": "markdown", "metadata": {}, "source": ["# title\n", "text"]}]
    for source in sources:
        cells.append({"cell_type": "code", "execution_count": 3, "metadata": {"tags": []},
                      "outputs": [{"name": "stdout", "output_type": "stream", "text": ["ok\n"]}],
                      "source": source.splitlines(keepends=True)})
    return json.dumps({"cells": cells, "metadata": {"kernelspec": {"language": "python", "name": "python3"}},
                       "nbformat": 4, "nbformat_minor": 5}, indent=indent) + "\n"


def test_notebooks_cell_by_cell_layout_and_magics_kept():
    before = notebook("%matplotlib inline\n" + MODEL, "%%time\nmodel.compile(loss='binary_crossentropy')\n",
                      "!pip list\nmodel.compile(loss='binary_crossentropy')\n")
    Path("nb.ipynb").write_text(before)
    [result] = add("nb.ipynb")
    assert result.error is None and result.added == 2
    after = Path("nb.ipynb").read_text()
    expected = before.replace("model.compile(loss='binary_crossentropy')\\n",
                              "model.compile(loss='binary_crossentropy')  # noqa: KC201\\n")
    assert after == expected
    assert findings("nb.ipynb") == []
