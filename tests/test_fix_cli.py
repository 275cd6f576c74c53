"""--fix, --unsafe-fixes and --diff through the real command line, as a ruff user drives them."""

import json
import os
import stat
import textwrap

from kerascheck.fix.edits import Edit, LineIndex, apply_edits

KERAS1 = textwrap.dedent("""\
    from keras.models import Sequential
    from keras.layers import Dense, Conv1D

    model = Sequential()
    model.add(Conv1D(nb_filter=32, filter_length=4))  # Keras 1
    model.add(Dense(10, activation='softmax'))
    model.compile(loss='binary_crossentropy', optimizer='adam', metrics=['accuracy'])
    model.fit(x, y, nb_epoch=10)
""")


def write(folder, name, text):
    path = folder / name
    path.write_text(text)
    return path


def test_check_marks_safe_fixes_and_counts_hidden_ones(run_cli, tmp_path):
    write(tmp_path, "t.py", KERAS1)
    result = run_cli("t.py", cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert [line.split()[1:3] for line in lines] == [
        ["KC301", "[*]"], ["KC301", "[*]"], ["KC201", "binary_crossentropy"], ["KC101", "'accuracy'"],
        ["KC302", "[*]"]]
    assert "[*] 3 fixable with the `--fix` option (1 hidden fix can be enabled with the `--unsafe-fixes` option)." \
        in result.stderr
    marked = run_cli("t.py", "--unsafe-fixes", cwd=tmp_path)
    assert sum(" [*] " in line for line in marked.stdout.splitlines()) == 4
    assert (tmp_path / "t.py").read_text() == KERAS1  # checking writes nothing


def test_diff_prints_and_writes_nothing(run_cli, tmp_path):
    path = write(tmp_path, "t.py", KERAS1)
    result = run_cli("t.py", "--diff", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.startswith("--- t.py\n+++ t.py\n@@ ")
    assert "-model.add(Conv1D(nb_filter=32, filter_length=4))  # Keras 1\n" in result.stdout
    assert "+model.add(Conv1D(filters=32, kernel_size=4))  # Keras 1\n" in result.stdout
    assert "+model.fit(x, y, epochs=10)\n" in result.stdout
    assert "categorical_accuracy" not in result.stdout  # unsafe, not asked for
    assert "Would fix 3 findings." in result.stderr
    assert path.read_text() == KERAS1
    unsafe = run_cli("t.py", "--diff", "--unsafe-fixes", cwd=tmp_path)
    assert "+model.compile(loss='binary_crossentropy', optimizer='adam', metrics=['categorical_accuracy'])\n" \
        in unsafe.stdout
    clean = write(tmp_path, "clean.py", "import keras\nmodel.fit(x, y, epochs=3)\n")
    nothing = run_cli(clean.name, "--diff", cwd=tmp_path)
    assert nothing.returncode == 0 and nothing.stdout == ""


def test_fix_writes_reports_what_remains_and_is_idempotent(run_cli, tmp_path):
    path = write(tmp_path, "t.py", KERAS1)
    os.chmod(path, 0o640)
    result = run_cli("t.py", "--fix", cwd=tmp_path)
    assert result.returncode == 1  # KC201 and KC101 remain
    assert [line.split()[1] for line in result.stdout.splitlines()] == ["KC201", "KC101"]
    assert "Found 5 findings (3 fixed, 2 remaining)." in result.stderr
    # One consistent summary: nothing says "No fixes available" right after 3 were fixed.
    assert "1 hidden fix can be enabled with the `--unsafe-fixes` option." in result.stderr
    assert "No fixes available" not in result.stderr
    assert "model.add(Conv1D(filters=32, kernel_size=4))  # Keras 1\n" in path.read_text()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".kerascheck")]  # no temporary file left
    everything = run_cli("t.py", "--fix", "--unsafe-fixes", cwd=tmp_path)
    assert "Found 2 findings (1 fixed, 1 remaining)." in everything.stderr
    after = path.read_text()
    again = run_cli("t.py", "--fix", "--unsafe-fixes", cwd=tmp_path)
    assert path.read_text() == after
    assert "Found 1 finding in 1 file" in again.stderr and again.returncode == 1


def test_fix_of_everything_exits_0(run_cli, tmp_path):
    path = write(tmp_path, "t.py", "import keras\nmodel.fit(x, y, nb_epoch=3, show_accuracy=True)\n")
    result = run_cli("t.py", "--fix", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Found 2 findings (2 fixed, 0 remaining)." in result.stderr
    assert path.read_text() == "import keras\nmodel.fit(x, y, epochs=3)\n"


def test_json_carries_every_fix_with_its_safety_and_edits(run_cli, tmp_path):
    write(tmp_path, "t.py", KERAS1)
    result = run_cli("t.py", "--output-format", "json", cwd=tmp_path)
    findings = json.loads(result.stdout)
    by_code = {}
    for finding in findings:
        by_code.setdefault(finding["code"], []).append(finding)
    assert "fix" not in by_code["KC201"][0]
    metric_fix = by_code["KC101"][0]["fix"]
    assert metric_fix["safety"] == "unsafe"
    assert metric_fix["edits"] == [{"line": 7, "column": 70, "end_line": 7, "end_column": 80,
                                    "content": "'categorical_accuracy'"}]
    assert by_code["KC302"][0]["fix"]["safety"] == "safe"
    # Applying a finding's JSON edits gives the text --fix writes for that fix.
    index = LineIndex(KERAS1)
    edits = [Edit(index.offset(e["line"], e["column"] - 1), index.offset(e["end_line"], e["end_column"] - 1),
                  e["content"]) for e in by_code["KC302"][0]["fix"]["edits"]]
    assert apply_edits(KERAS1, edits).endswith("model.fit(x, y, epochs=10)\n")


def test_files_without_fixable_findings_are_not_rewritten(run_cli, tmp_path):
    path = write(tmp_path, "t.py", "import keras\nmodel.compile(loss='categorical_crossentropyy')\n")  # KC209: no fix
    before = os.stat(path).st_mtime_ns
    result = run_cli("t.py", "--fix", "--unsafe-fixes", cwd=tmp_path)
    assert result.returncode == 1
    assert os.stat(path).st_mtime_ns == before


def test_fix_follows_symlinks_and_keeps_them(run_cli, tmp_path):
    target = write(tmp_path, "real.py", "import keras\nmodel.fit(x, y, nb_epoch=3)\n")
    link = tmp_path / "link.py"
    link.symlink_to(target.name)
    result = run_cli("link.py", "--fix", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert link.is_symlink()
    assert target.read_text() == "import keras\nmodel.fit(x, y, epochs=3)\n"
