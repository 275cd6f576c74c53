"""The small things a ruff or flake8 user notices (issue 15), driven through the command line."""

import json


def test_a_decode_error_names_its_line_and_column(run_cli, tmp_path):
    (tmp_path / "latin1.py").write_bytes(b"import keras\nx = 1\nname = 'caf\xe9'\n")
    (tmp_path / "cookie.py").write_bytes(b"#!/usr/bin/env python\n# -*- coding: klingon -*-\nimport keras\n")
    (tmp_path / "nul.py").write_bytes(b"import keras\nx = 1\x00\n")
    (tmp_path / "nb.ipynb").write_bytes(b'{"cells": [\n {"source": "import keras \xff"}]}')
    result = run_cli("check", "--no-cache", ".", cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("cookie.py:2:1: KC002 cannot read file: bad encoding declaration on line 2")
    assert lines[1].startswith("latin1.py:3:12: KC002 cannot read file: line 3, column 12: byte 0xe9 is not valid "
                               "utf-8")
    assert lines[2].startswith("nb.ipynb:2:27: KC002 cannot read notebook: not UTF-8: byte 0xff at line 2, column 27")
    assert lines[3] == "nul.py:2:6: KC002 cannot read file: a NUL byte at line 2, column 6 (binary file?)"
    data = json.loads(run_cli("check", "--no-cache", "--output-format", "json", "latin1.py", cwd=tmp_path).stdout)
    assert (data[0]["line"], data[0]["column"]) == (3, 12)


def flake8(tmp_path, *args):
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "flake8", "--select", "KC", *args], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300)


def test_a_configuration_error_under_flake8_is_reported_once_with_its_own_message(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.kerascheck]\nbogus = 1\n')
    for name in ("a.py", "b.py", "c.py"):
        (tmp_path / name).write_text("import keras\n")
    result = flake8(tmp_path, ".")
    output = result.stdout + result.stderr
    assert result.returncode == 1
    assert output.count("unknown key(s) in [tool.kerascheck]: bogus") == 1, output
    assert "kerascheck: configuration error:" in output and "KC002" not in output
    (tmp_path / "pyproject.toml").unlink()
    result = flake8(tmp_path, "--keras-version", "4", "a.py")
    assert result.returncode == 1 and (result.stdout + result.stderr).count("implausible Keras version '4'") == 1


def test_a_sub_projects_bad_configuration_under_flake8_is_one_finding(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "pyproject.toml").write_text('[tool.kerascheck]\nbogus = 1\n')
    for name in ("a.py", "b.py", "c.py"):
        (tmp_path / "sub" / name).write_text("import keras\n")
    result = flake8(tmp_path, "-j", "1", ".")
    assert result.returncode == 1
    assert result.stdout.count("unknown key(s)") == 1 and "its files are not checked" in result.stdout


def test_the_measured_figure_only_for_ten_classes_what_follows_for_k_otherwise():
    from tests.helpers import findings_for

    def kc101(units: str) -> str:
        source = ("# kerascheck: keras-version=2.3.1\nfrom keras.models import Sequential\n"
                  "from keras.layers import Dense\n"
                  f"model = Sequential([Dense({units}, activation='softmax')])\n"
                  "model.compile(loss='binary_crossentropy', metrics=['accuracy'])\n")
        [finding] = [f for f in findings_for(source) if f.code == "KC101"]
        return finding.message

    assert "0.90 reported, 0.18 true, measured on Keras 2.3.1" in kc101("10")
    assert "predicting no class at all scores 1 − 1/5 = 0.80" in kc101("5") and "0.90" not in kc101("5")
    unknown = kc101("len(classes)")
    assert "0.90" not in unknown and "1 − 1/" not in unknown and unknown.endswith("use 'categorical_accuracy'")
    assert len(kc101("10")) <= 240
