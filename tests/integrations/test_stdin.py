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
