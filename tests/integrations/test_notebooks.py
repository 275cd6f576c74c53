"""Notebooks through the real command line: cells, magics, broken files, inspect."""

import json
import re

import pytest

from tests.conftest import FIXTURES

NOTEBOOK = FIXTURES / "notebooks" / "fashion_mnist.ipynb"


def notebook(cells, **metadata):
    def cell(kind, source):
        data = {"cell_type": kind, "metadata": {}, "source": source}
        if kind == "code":
            data.update(outputs=[], execution_count=None)
        return data

    return json.dumps({"cells": [cell(kind, source) for kind, source in cells],
                       "metadata": metadata or {"language_info": {"name": "python"}},
                       "nbformat": 4, "nbformat_minor": 5}, indent=1)


MODEL = ["from keras.models import Sequential\n", "from keras.layers import Dense\n",
         "model = Sequential([Dense(10, activation='softmax')])\n"]
BAD_COMPILE = "model.compile(loss='binary_crossentropy', metrics=['accuracy'])"


def test_fixture_notebook_cells_lines_columns(run_cli):
    result = run_cli(str(NOTEBOOK.relative_to(NOTEBOOK.parents[2])), "--keras-version", "unknown")
    assert result.returncode == 1, result.stderr
    positions = [" ".join(re.match(r"^(.*?): (KC\d+) ", line).groups()) for line in result.stdout.splitlines()]
    assert positions == [
        "fixtures/notebooks/fashion_mnist.ipynb:cell 7:3:20 KC201",
        "fixtures/notebooks/fashion_mnist.ipynb:cell 7:4:24 KC101",
        "fixtures/notebooks/fashion_mnist.ipynb:cell 10:2:39 KC206",
    ]
    # The output layer's line in the message is a cell line too.
    assert "softmax output (line 4 of cell 6, 10 units)" in result.stdout
    assert "Traceback" not in result.stderr


def test_json_has_cell(run_cli):
    result = run_cli(str(NOTEBOOK), "--keras-version", "unknown", "--output-format", "json")
    data = json.loads(result.stdout)
    assert [(d["cell"], d["line"], d["column"], d["code"]) for d in data] == [
        (7, 3, 20, "KC201"), (7, 4, 24, "KC101"), (10, 2, 39, "KC206")]


def test_every_cell_counts_and_magics_are_neutralised(run_cli, tmp_path):
    cells = [
        ("markdown", "# title"),
        ("raw", "raw text"),
        ("code", ["%load_ext autoreload\n", "%autoreload 2\n", "!pip install keras\n", *MODEL]),
        ("code", ["%%bash\n", "model.compile(loss='binary_crossentropy')  # not Python: not checked\n"]),
        ("code", ["%%time\n", "out = !ls\n", "x = %env HOME\n", "model?\n", "??model\n", "model.fit??\n",
                  "if True:\n", "    %time pass\n", "    !echo \\\n", "      continued\n",
                  'text = """ends with?\n', '!not a magic inside a string\n', '"""\n',
                  BAD_COMPILE + "\n"]),
        ("markdown", ["after\n"]),
        ("code", BAD_COMPILE + "  # noqa: KC101"),
    ]
    (tmp_path / "nb.ipynb").write_text(notebook(cells))
    result = run_cli("nb.ipynb", "--keras-version", "2.3.1", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    positions = [" ".join(re.match(r"^(.*?): (KC\d+) ", line).groups()) for line in result.stdout.splitlines()]
    assert positions == ["nb.ipynb:cell 5:14:20 KC201", "nb.ipynb:cell 5:14:52 KC101", "nb.ipynb:cell 7:1:20 KC201"]


def test_syntax_error_in_one_cell_is_kc001_there_and_the_rest_is_checked(run_cli, tmp_path):
    cells = [("code", MODEL), ("markdown", "text"), ("code", ["x = 1\n", "print 'hello'\n"]),
             ("code", BAD_COMPILE)]
    (tmp_path / "nb.ipynb").write_text(notebook(cells))
    result = run_cli("nb.ipynb", "--keras-version", "2.3.1", "--output-format", "json", cwd=tmp_path)
    data = json.loads(result.stdout)
    assert [(d["cell"], d["line"], d["code"]) for d in data] == [
        (3, 2, "KC001"), (4, 1, "KC201"), (4, 1, "KC101")]
    assert "print" in data[0]["message"]


@pytest.mark.parametrize("content", [
    b"", b"{not json", b"[1, 2]", b'{"cells": 3}', b'{"cells": [{"cell_type": "code", "source": 3}]}',
    b'{"nbformat": 4}', b"\xff\xfe\x00garbage", b"[" * 100000,
], ids=["empty", "not-json", "array", "cells-not-list", "bad-source", "no-cells", "binary", "deep"])
def test_broken_notebook_is_kc002_never_a_traceback(run_cli, tmp_path, content):
    (tmp_path / "broken.ipynb").write_bytes(content)
    (tmp_path / "ok.py").write_text("".join(MODEL) + BAD_COMPILE + "\n")
    result = run_cli("broken.ipynb", "ok.py", "--keras-version", "2.3.1", cwd=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("broken.ipynb:") and " KC002 cannot read notebook: " in lines[0]
    assert any(line.startswith("ok.py:") for line in lines)


def test_inspect_on_a_notebook(run_cli):
    result = run_cli("inspect", str(NOTEBOOK), "--output-format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert [(d["cell"], d["line"], d["losses"]) for d in data] == [
        (7, 2, ["binary_crossentropy"]), (10, 2, ["binary_crossentropy"]), (11, 2, ["categorical_crossentropy"])]
    assert data[0]["outputs"][0] | {} == {"name": None, "activation": "softmax", "units": 10, "layer_line": 4,
                                         "layer_cell": 6, "shape": [None, 10]}
    text = run_cli("inspect", str(NOTEBOOK))
    assert ":cell 7:2: compile (sequential)" in text.stdout and "layer_line=cell 6:4" in text.stdout


def test_nbformat3_directive_in_first_cell_and_other_languages(run_cli, tmp_path):
    v3 = {"nbformat": 3, "metadata": {}, "worksheets": [{"cells": [
        {"cell_type": "markdown", "source": ["x"]},
        {"cell_type": "code", "input": ["# kerascheck: keras-version=3\n", *MODEL, BAD_COMPILE], "outputs": []}]}]}
    (tmp_path / "old.ipynb").write_text(json.dumps(v3))
    r_notebook = notebook([("code", [*MODEL, BAD_COMPILE])], language_info={"name": "R"})
    (tmp_path / "r.ipynb").write_text(r_notebook)
    result = run_cli(".", "--output-format", "json", cwd=tmp_path)
    data = json.loads(result.stdout)
    # Keras 3 from the directive: no KC101; the R notebook is not Python.
    assert [(d["path"], d["cell"], d["line"], d["code"]) for d in data] == [("old.ipynb", 2, 5, "KC201")]
