"""[tool.kerascheck] found per file: the nearest pyproject.toml walking up, stopping at a repository root."""

import json

import pytest

BAD = """\
from keras.models import Sequential
from keras.layers import Dense
model = Sequential([Dense(10, activation='softmax')])
model.compile(loss='binary_crossentropy', optimizer='adam', metrics=['accuracy'])
"""


def write(folder, name, text):
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def findings(run_cli, *args, cwd):
    result = run_cli(*args, "--output-format", "json", cwd=cwd)
    assert result.returncode in (0, 1), result.stderr
    return sorted((f["path"], f["code"]) for f in json.loads(result.stdout))


def test_each_file_gets_its_nearest_config(run_cli, tmp_path):
    (tmp_path / ".git").mkdir()
    write(tmp_path, "pyproject.toml", '[tool.kerascheck]\nignore = ["KC2"]\nkeras-version = "2.3.1"\n')
    write(tmp_path, "top.py", BAD)
    # A sub-project with its own table: Keras 3 (no KC101) and everything selected.
    write(tmp_path, "sub/pyproject.toml", '[tool.kerascheck]\nkeras-version = "3"\n')
    write(tmp_path, "sub/pkg/inner.py", BAD)
    # A pyproject.toml without the table does not stop the walk.
    write(tmp_path, "other/pyproject.toml", "[project]\nname = 'x'\n")
    write(tmp_path, "other/o.py", BAD)
    assert findings(run_cli, ".", cwd=tmp_path) == [
        ("other/o.py", "KC101"), ("sub/pkg/inner.py", "KC201"), ("top.py", "KC101")]
    # The same from inside the sub-project, and naming the file directly.
    assert findings(run_cli, "pkg/inner.py", cwd=tmp_path / "sub") == [("pkg/inner.py", "KC201")]


def test_walk_stops_at_the_repository_root(run_cli, tmp_path):
    write(tmp_path, "pyproject.toml", '[tool.kerascheck]\nignore = ["KC"]\n')
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    write(tmp_path, "repo/t.py", BAD)
    assert {code for _, code in findings(run_cli, "t.py", "--keras-version", "2.3.1", cwd=tmp_path / "repo")} == {
        "KC101", "KC201"}


def test_per_file_ignores_and_exclude_are_relative_to_their_pyproject(run_cli, tmp_path):
    (tmp_path / ".git").mkdir()
    write(tmp_path, "lib/pyproject.toml", '[tool.kerascheck]\nkeras-version = "2.3.1"\n'
                                          'per-file-ignores = { "tests/*" = ["KC2"] }\nexclude = ["generated"]\n')
    write(tmp_path, "lib/tests/t.py", BAD)
    write(tmp_path, "lib/generated/g.py", BAD)
    write(tmp_path, "lib/m.py", BAD)
    assert findings(run_cli, ".", cwd=tmp_path) == [
        ("lib/m.py", "KC101"), ("lib/m.py", "KC201"), ("lib/tests/t.py", "KC101")]
    # Named on the command line: checked anyway, unless --force-exclude.
    assert findings(run_cli, "lib/generated/g.py", cwd=tmp_path) != []
    assert findings(run_cli, "lib/generated/g.py", "--force-exclude", cwd=tmp_path) == []


def test_command_line_flags_win(run_cli, tmp_path):
    write(tmp_path, "pyproject.toml", '[tool.kerascheck]\nselect = ["KC2"]\nkeras-version = "3"\n')
    write(tmp_path, "t.py", BAD)
    assert findings(run_cli, "t.py", cwd=tmp_path) == [("t.py", "KC201")]
    assert findings(run_cli, "t.py", "--select", "KC1", "--keras-version", "2.3.1", cwd=tmp_path) == [
        ("t.py", "KC101")]


@pytest.mark.parametrize("table, message", [
    ('selct = ["KC1"]', "unknown key(s) in [tool.kerascheck]: selct"),
    ("select = 3", "select must be a list of strings"),
    ('ignore = ["KC999"]', "unknown rule code or prefix 'KC999'"),
    ('keras-version = "pytorch==2"', "keras-version"),
    ('per-file-ignores = ["x"]', "per-file-ignores must be a table"),
    ("keras-version = [", "cannot read TOML"),
])
def test_bad_config_in_a_nested_pyproject_is_exit_2(run_cli, tmp_path, table, message):
    (tmp_path / ".git").mkdir()
    write(tmp_path, "t.py", BAD)
    write(tmp_path, "nested/pyproject.toml", f"[tool.kerascheck]\n{table}\n")
    write(tmp_path, "nested/n.py", BAD)
    result = run_cli(".", cwd=tmp_path)
    assert result.returncode == 2, result.stdout
    assert message in result.stderr and "nested" in result.stderr and "pyproject.toml" in result.stderr
    assert result.stdout == "" and "Traceback" not in result.stderr
