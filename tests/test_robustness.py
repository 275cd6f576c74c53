"""Bad input never crashes the run: a clear KC001/KC002 finding or nothing, and the run goes on."""

import json

import pytest

KERAS_LINE = b"import keras\n"

CASES = {
    "syntax.py": (KERAS_LINE + b"model.compile(loss='bce'\n", "KC001"),
    "py2.py": (KERAS_LINE + b"print 'training'\n", "KC001"),
    "nul.py": (KERAS_LINE + b"x = 1\x00\n", "KC002"),
    "latin1.py": (KERAS_LINE + "name = 'café'\n".encode("latin-1"), "KC002"),
    "bad_cookie.py": (b"# -*- coding: klingon -*-\n" + KERAS_LINE, "KC002"),
    "deep.py": (KERAS_LINE + b"x = " + b"(" * 5000 + b"1" + b")" * 5000 + b"\n", "KC001"),
    "bom_crlf_tabs.py": (b"\xef\xbb\xbf" + KERAS_LINE.replace(b"\n", b"\r\n") + b"if True:\r\n\tx = 1\r\n", None),
    "empty.py": (b"", None),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_file(run_cli, tmp_path, name):
    data, code = CASES[name]
    (tmp_path / name).write_bytes(data)
    (tmp_path / "good.py").write_text("import keras\nm = keras.Sequential([keras.layers.Dense(3, activation='softmax')])\n"
                                      "m.compile(loss='binary_crossentropy')\n")
    result = run_cli(".", "--output-format", "json", cwd=tmp_path)
    assert "Traceback" not in result.stderr
    findings = json.loads(result.stdout)
    codes_here = [f["code"] for f in findings if f["path"] == name]
    assert codes_here == ([code] if code else [])
    assert any(f["path"] == "good.py" and f["code"] == "KC201" for f in findings), "the run must go on"
    assert result.returncode == 1


def test_syntax_error_position(run_cli, tmp_path):
    (tmp_path / "s.py").write_text("import keras\n\ndef f(:\n    pass\n")
    result = run_cli("s.py", cwd=tmp_path)
    assert result.stdout.startswith("s.py:3:7: KC001 syntax error")


def test_directory_named_like_a_python_file_and_symlink_loop(run_cli, tmp_path):
    (tmp_path / "weird.py").mkdir()
    (tmp_path / "weird.py" / "inner.py").write_text("x = 1\n")
    (tmp_path / "loop").symlink_to(tmp_path)
    result = run_cli(".", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
