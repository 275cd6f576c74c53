"""The fix machinery's guarantees: no unparseable write, atomic writes, encodings kept, notebooks
rewritten cell by cell with everything else byte for byte, one fixer per fixable rule."""

import json
import os
import shutil

import pytest

from kerascheck import atomic, intents
from kerascheck.fix import MAKERS, fix_file, fix_source
from kerascheck.fix.edits import Edit, apply_edits, overlaps
from kerascheck.rules import all_rules
from kerascheck.runner import Options, check_source, checker
from kerascheck.versions import UNKNOWN
from tests.conftest import FIXTURES

OPTIONS = Options(target=UNKNOWN)
KERAS1_FIT = "import keras\nmodel.fit(x, y, nb_epoch=3)\n"


def check(text):
    return check_source("case.py", text, OPTIONS).findings


def test_every_rule_with_a_fix_safety_gives_fixes_and_the_reverse():
    """A rule's fix_safety (its documentation's word) and the fixes its reports carry agree."""
    fixed = {finding.code for rule in all_rules() for source in rule.fires for finding in check(source)
             if finding.code == rule.code and finding.fix is not None}
    with_safety = {rule.code for rule in all_rules() if rule.fix_safety}
    assert with_safety == fixed
    assert all(rule.fix_safety in (None, "safe", "unsafe") for rule in all_rules())


def test_every_kind_of_change_has_a_maker():
    assert set(MAKERS) == set(intents.CHANGES)


def test_overlaps():
    assert overlaps(Edit(0, 5, ""), Edit(4, 6, ""))
    assert not overlaps(Edit(0, 5, ""), Edit(5, 6, ""))
    assert overlaps(Edit(3, 3, "a"), Edit(3, 3, "b"))  # two insertions at one point: order unknown
    assert not overlaps(Edit(3, 3, "a"), Edit(3, 6, ""))
    assert overlaps(Edit(4, 4, "a"), Edit(3, 6, ""))
    assert apply_edits("abcdef", [Edit(3, 3, "X"), Edit(3, 6, "Y"), Edit(0, 1, "")]) == "bcXY"


def test_a_fix_that_would_not_parse_is_never_applied(tmp_path, monkeypatch):
    def broken(ctx, change, made):
        start = ctx.text.index("nb_epoch")
        made.edits.append(Edit(start, start + 8, "epochs=("))

    monkeypatch.setitem(MAKERS, intents.RenameKeyword, broken)
    path = tmp_path / "t.py"
    path.write_text(KERAS1_FIT)
    result = fix_file(path, "t.py", checker("t.py", OPTIONS), unsafe=True, write=True)
    assert result.error is None and not result.changed and result.fixed == 0
    assert path.read_text() == KERAS1_FIT
    assert [f.code for f in result.remaining] == ["KC302"]


def test_a_maker_that_raises_loses_its_fix_not_the_run(monkeypatch):
    def crash(ctx, change, made):
        raise RuntimeError("bug")

    monkeypatch.setitem(MAKERS, intents.RenameKeyword, crash)
    outcome = fix_source(KERAS1_FIT, check, unsafe=True)
    assert outcome.text == KERAS1_FIT and [f.code for f in outcome.remaining] == ["KC302"]


def test_a_failed_write_leaves_the_file_and_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "t.py"
    path.write_text(KERAS1_FIT)

    def refuse(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic.os, "replace", refuse)
    result = fix_file(path, "t.py", checker("t.py", OPTIONS), unsafe=True, write=True)
    assert result.error is not None and "cannot write" in result.error
    assert path.read_text() == KERAS1_FIT
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.py"]


@pytest.mark.parametrize("prefix, encoding", [
    (b"# -*- coding: latin-1 -*-\n", "latin-1"),
    (b"\xef\xbb\xbf", "utf-8-sig"),
])
def test_encoding_and_bom_are_kept(tmp_path, prefix, encoding):
    text = "import keras\n# años, niños\nmodel.fit(x, y, nb_epoch=3)\n"
    path = tmp_path / "t.py"
    path.write_bytes(prefix + text.encode(encoding if encoding != "utf-8-sig" else "utf-8"))
    result = fix_file(path, "t.py", checker("t.py", OPTIONS), unsafe=False, write=True)
    assert result.error is None and result.fixed == 1
    expected = text.replace("nb_epoch", "epochs")
    assert path.read_bytes() == prefix + expected.encode(encoding if encoding != "utf-8-sig" else "utf-8")


def _notebook(tmp_path):
    path = tmp_path / "nb.ipynb"
    shutil.copyfile(FIXTURES / "notebooks" / "fashion_mnist.ipynb", path)
    return path


def test_notebook_cells_are_fixed_and_nothing_else_changes(tmp_path):
    path = _notebook(tmp_path)
    before = json.loads(path.read_text(encoding="utf-8"))
    result = fix_file(path, "nb.ipynb", checker("nb.ipynb", OPTIONS), unsafe=True, write=True)
    assert result.error is None and result.fixed == 2
    after = json.loads(path.read_text(encoding="utf-8"))
    changed = [i for i, (old, new) in enumerate(zip(before["cells"], after["cells"])) if old != new]
    assert changed == [6, 9]  # cells 7 and 10: only their source
    for index in changed:
        old, new = before["cells"][index], after["cells"][index]
        assert {k: v for k, v in old.items() if k != "source"} == {k: v for k, v in new.items() if k != "source"}
    assert before["metadata"] == after["metadata"] and len(before["cells"]) == len(after["cells"])
    assert after["cells"][6]["source"][0] == "%%time\n"  # the magic line is back
    assert "%timeit binary.predict(x_test[:1])\n" in after["cells"][9]["source"]
    assert "metrics=['categorical_accuracy']" in "".join(after["cells"][6]["source"])
    # The layout is nbformat's: re-serialising the result the same way reproduces it byte for byte.
    assert json.dumps(after, indent=1, ensure_ascii=False) + "\n" == path.read_text(encoding="utf-8")
    second = fix_file(path, "nb.ipynb", checker("nb.ipynb", OPTIONS), unsafe=True, write=True)
    assert not second.changed and second.fixed == 0


def test_notebook_diff_is_per_cell(tmp_path):
    path = _notebook(tmp_path)
    original = path.read_bytes()
    result = fix_file(path, "nb.ipynb", checker("nb.ipynb", OPTIONS), unsafe=True, write=False)
    assert result.diff().startswith("--- nb.ipynb:cell 7\n+++ nb.ipynb:cell 7\n")
    assert path.read_bytes() == original


def test_notebook_with_a_foreign_json_layout_is_left_alone(tmp_path):
    path = _notebook(tmp_path)
    document = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps(document, separators=(",", ":")) + "\n\n")
    original = path.read_bytes()
    result = fix_file(path, "nb.ipynb", checker("nb.ipynb", OPTIONS), unsafe=True, write=True)
    assert result.error is not None and "layout" in result.error
    assert path.read_bytes() == original


def test_fix_chains_to_a_fixed_point():
    """from_logits=True (KC206) makes the 0.5 threshold wrong (KC108): both in one run."""
    text = ("from keras.models import Sequential\nfrom keras.layers import Dense\n"
            "model = Sequential([Dense(1)])\nmodel.compile(loss='binary_crossentropy', metrics=['accuracy'])\n")
    outcome = fix_source(text, check, unsafe=True)
    assert outcome.fixed == 2 and outcome.remaining == []
    assert "from keras.losses import BinaryCrossentropy\nfrom keras.metrics import BinaryAccuracy\n" in outcome.text
    assert "loss=BinaryCrossentropy(from_logits=True), metrics=[BinaryAccuracy(threshold=0.0)]" in outcome.text
    assert fix_source(outcome.text, check, unsafe=True).text == outcome.text


def test_noqa_findings_are_not_fixed():
    text = "import keras\nmodel.fit(x, y, nb_epoch=3)  # noqa: KC302\n"
    assert fix_source(text, check, unsafe=True).text == text


def test_fixed_file_mode_is_kept(tmp_path):
    path = tmp_path / "t.py"
    path.write_text(KERAS1_FIT)
    os.chmod(path, 0o751)
    fix_file(path, "t.py", checker("t.py", OPTIONS), unsafe=False, write=True)
    assert oct(os.stat(path).st_mode & 0o777) == oct(0o751)


def test_fixes_that_add_the_same_import_go_in_one_pass():
    """The same edit twice is one edit: two losses that both need `from keras.losses import ...` are fixed
    together (a file with thousands of them takes two passes, not one per import)."""
    text = ("from keras.models import Sequential\nfrom keras.layers import Dense\n"
            "a = Sequential([Dense(1)])\na.compile(loss='binary_crossentropy')\n"
            "b = Sequential([Dense(1)])\nb.compile(loss='binary_crossentropy')\n")
    checks = []

    def counting(source):
        checks.append(source)
        return check(source)

    outcome = fix_source(text, counting, unsafe=True)
    assert outcome.fixed == 2 and outcome.remaining == []
    assert outcome.text.count("from keras.losses import BinaryCrossentropy\n") == 1
    assert outcome.text.count("loss=BinaryCrossentropy(from_logits=True)") == 2
    assert len(checks) == 2  # one pass fixes both, the second finds nothing left
