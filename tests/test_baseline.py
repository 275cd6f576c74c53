"""The baseline library (kerascheck/baseline.py): matching that survives unrelated edits, counts, pruning."""

import json
import os
import textwrap
from pathlib import Path

import pytest

from kerascheck import baseline
from kerascheck.runner import Options, check_one_file
from kerascheck.versions import UNKNOWN

MODEL = textwrap.dedent("""\
    from keras.models import Sequential
    from keras.layers import Dense
    model = Sequential([Dense(10, activation='softmax')])
    model.compile(loss='binary_crossentropy', optimizer='adam', metrics=['accuracy'])
""")


def findings(path: Path) -> list:
    return check_one_file(path, Options(target=UNKNOWN)).findings


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "train.py").write_text(MODEL)
    return tmp_path


def new_after(project, text: str, name: str = "train.py") -> list:
    (project / name).write_text(text)
    filtered = baseline.Baseline.load("kc-baseline.json").filter(findings(Path(name)), [name])
    return [(f.code, f.line) for f in filtered.findings]


def test_recorded_findings_are_not_new(project):
    written, pruned = baseline.write("kc-baseline.json", findings(Path("train.py")), ["train.py"])
    assert (written, pruned) == (2, 0)
    data = json.loads((project / "kc-baseline.json").read_text())
    assert data["kerascheck-baseline"] == 1
    assert [(e["path"], e["code"], e["count"]) for e in data["findings"]] == [("train.py", "KC101", 1),
                                                                             ("train.py", "KC201", 1)]
    assert new_after(project, MODEL) == []


def test_moved_lines_and_edits_above_keep_the_match(project):
    baseline.write("kc-baseline.json", findings(Path("train.py")), ["train.py"])
    edited = "import numpy as np\n\n\n" + MODEL.replace("model = Sequential", "# a comment\nmodel = Sequential")
    assert new_after(project, edited) == []
    indented = "def build():\n" + textwrap.indent(MODEL, "    ")
    assert new_after(project, indented) == []
    reformatted = MODEL.replace("model.compile(loss='binary_crossentropy', ",
                                "model.compile(  # noqa: E501\n    loss='binary_crossentropy',\n    ")
    assert new_after(project, reformatted) == []


def test_a_changed_statement_or_a_second_copy_is_new(project):
    baseline.write("kc-baseline.json", findings(Path("train.py")), ["train.py"])
    changed = MODEL.replace("optimizer='adam'", "optimizer='sgd'")
    assert sorted(new_after(project, changed)) == [("KC101", 4), ("KC201", 4)]
    twice = MODEL + "model.compile(loss='binary_crossentropy', optimizer='adam', metrics=['accuracy'])\n"
    assert sorted(new_after(project, twice)) == [("KC101", 5), ("KC201", 5)]


def test_stale_entries_are_counted_and_pruned_on_rewrite_but_unchecked_files_kept(project):
    (project / "other.py").write_text(MODEL)
    both = findings(Path("train.py")) + findings(Path("other.py"))
    assert baseline.write("kc-baseline.json", both, ["train.py", "other.py"]) == (4, 0)
    fixed = MODEL.replace("binary_crossentropy", "categorical_crossentropy")
    (project / "train.py").write_text(fixed)
    filtered = baseline.Baseline.load("kc-baseline.json").filter(findings(Path("train.py")), ["train.py"])
    assert (filtered.findings, filtered.matched, filtered.stale) == ([], 0, 2)
    # Rewritten from a run on train.py alone: its stale entries go, other.py's stay.
    assert baseline.write("kc-baseline.json", findings(Path("train.py")), ["train.py"]) == (2, 2)
    entries = json.loads((project / "kc-baseline.json").read_text())["findings"]
    assert {e["path"] for e in entries} == {"other.py"}
    os.remove(project / "other.py")  # a deleted file's entries go too
    assert baseline.write("kc-baseline.json", [], ["train.py"]) == (0, 2)


def test_paths_are_relative_to_the_baseline_so_any_working_directory_works(project, monkeypatch):
    (project / "sub").mkdir()
    baseline.write("sub/kc-baseline.json", findings(Path("train.py")), ["train.py"])
    entries = json.loads((project / "sub" / "kc-baseline.json").read_text())["findings"]
    assert {e["path"] for e in entries} == {"../train.py"}
    monkeypatch.chdir(project / "sub")
    filtered = baseline.Baseline.load("kc-baseline.json").filter(findings(Path("../train.py")), ["../train.py"])
    assert filtered.findings == [] and filtered.matched == 2


def test_a_file_that_does_not_parse_and_a_notebook(project):
    (project / "broken.py").write_text("import keras\nprint 'x'\n")
    nb = {"cells": [{"cell_type": "markdown", "metadata": {}, "source": ["# t"]},
                    {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": MODEL}],
          "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (project / "nb.ipynb").write_text(json.dumps(nb))
    found = findings(Path("broken.py")) + findings(Path("nb.ipynb"))
    assert sorted(f.code for f in found) == ["KC001", "KC101", "KC201"]
    baseline.write("kc-baseline.json", found, ["broken.py", "nb.ipynb"])
    nb["cells"].insert(1, {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
                           "source": "import os\n"})
    (project / "nb.ipynb").write_text(json.dumps(nb))
    again = findings(Path("broken.py")) + findings(Path("nb.ipynb"))
    assert [f.cell for f in again if f.cell] == [3, 3]
    assert baseline.Baseline.load("kc-baseline.json").filter(again, ["broken.py", "nb.ipynb"]).findings == []


@pytest.mark.parametrize("content, message", [
    (None, "no such baseline file"),
    ("{", "cannot read the baseline"),
    ('{"findings": []}', "not a kerascheck baseline"),
    ('{"kerascheck-baseline": 1, "findings": [{"path": "x"}]}', "lacks path, code or fingerprint"),
])
def test_a_bad_baseline_is_an_error_naming_it(project, content, message):
    if content is not None:
        (project / "kc-baseline.json").write_text(content)
    with pytest.raises(baseline.BaselineError) as error:
        baseline.Baseline.load("kc-baseline.json")
    assert str(error.value).startswith("kc-baseline.json: ") and message in str(error.value)
