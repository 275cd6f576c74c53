"""`kerascheck check -` and `--stdin-filename`: what editors and tools that pipe a buffer use."""

import json

BAD = """\
from keras.models import Sequential
from keras.layers import Dense
model = Sequential([Dense(10, activation='softmax')])
model.compile(loss='binary_crossentropy', optimizer='adam', metrics=['accuracy'])  # noqa: KC101
"""


def test_stdin_with_a_filename_uses_its_config_and_noqa(run_cli, tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "pyproject.toml").write_text('[tool.kerascheck]\nkeras-version = "2.3.1"\n')
    result = run_cli("check", "--stdin-filename", "sub/train.py", "--output-format", "json", "-", cwd=tmp_path,
                     input=BAD)
    assert result.returncode == 1, result.stderr
    assert [(f["path"], f["line"], f["code"]) for f in json.loads(result.stdout)] == [("sub/train.py", 4, "KC201")]
    # Without a filename the path is '-'; the file need not exist.
    plain = run_cli("-", cwd=tmp_path, input=BAD.replace("  # noqa: KC101", ""))
    assert plain.stdout.startswith("-:4:20: KC201 ")
    clean = run_cli("check", "-", cwd=tmp_path, input="x = 1\n")
    assert clean.returncode == 0 and clean.stdout == ""


KERAS1 = "import keras\nmodel.fit(x, y, nb_epoch=3)\nmodel.compile(loss='categorical_crossentropyy')\n"


def test_stdin_fix_prints_the_fixed_source_and_reports_on_stderr(run_cli, tmp_path):
    """As `ruff check --fix -`: stdout is the fixed source, the remaining findings and summary go to stderr."""
    result = run_cli("check", "--fix", "--stdin-filename", "train.py", "-", cwd=tmp_path, input=KERAS1)
    assert result.stdout == KERAS1.replace("nb_epoch", "epochs")
    assert result.returncode == 1  # KC209 remains (no fix)
    assert "train.py:3:20: KC209 " in result.stderr
    assert "Found 2 findings (1 fixed, 1 remaining)." in result.stderr
    assert not (tmp_path / "train.py").exists()  # nothing written
    # Nothing to fix: the input comes back unchanged, byte for byte.
    clean = "import keras\nmodel.fit(x, y, epochs=3)  \n"
    unchanged = run_cli("check", "--fix", "-", cwd=tmp_path, input=clean)
    assert unchanged.stdout == clean and unchanged.returncode == 0
    # Fixed completely: exit 0.
    done = run_cli("check", "--fix", "-", cwd=tmp_path, input="import keras\nmodel.fit(x, y, nb_epoch=3)\n")
    assert done.stdout == "import keras\nmodel.fit(x, y, epochs=3)\n" and done.returncode == 0


def test_stdin_fix_keeps_the_encoding(run_cli, tmp_path):
    import subprocess
    import sys

    source = "# -*- coding: latin-1 -*-\nimport keras\n# años\nmodel.fit(x, y, nb_epoch=3)\n".encode("latin-1")
    result = subprocess.run([sys.executable, "-m", "kerascheck", "check", "--fix", "-"], input=source,
                            capture_output=True, cwd=tmp_path, timeout=300)
    assert result.stdout == source.replace(b"nb_epoch", b"epochs")


def test_stdin_diff_prints_the_diff(run_cli, tmp_path):
    result = run_cli("check", "--diff", "--stdin-filename", "train.py", "-", cwd=tmp_path, input=KERAS1)
    assert result.returncode == 1
    assert result.stdout.startswith("--- train.py\n+++ train.py\n@@ ")
    assert "-model.fit(x, y, nb_epoch=3)\n+model.fit(x, y, epochs=3)\n" in result.stdout
    assert "Would fix 1 finding." in result.stderr
    nothing = run_cli("check", "--diff", "-", cwd=tmp_path, input="import keras\n")
    assert nothing.returncode == 0 and nothing.stdout == ""


def test_stdin_marks_fixes_as_a_file_check_does(run_cli, tmp_path):
    result = run_cli("check", "--stdin-filename", "train.py", "-", cwd=tmp_path, input=KERAS1)
    (tmp_path / "train.py").write_text(KERAS1)
    on_disk = run_cli("check", "train.py", "--no-cache", cwd=tmp_path)
    assert result.stdout == on_disk.stdout and "KC302 [*] " in result.stdout
    assert "[*] 1 fixable with the `--fix` option." in result.stderr
