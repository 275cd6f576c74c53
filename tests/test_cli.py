"""The command line as a user drives it: exit codes, output, selection, paths."""

import json
import textwrap

BAD = textwrap.dedent("""
    from keras.models import Sequential
    from keras.layers import Dense
    model = Sequential([Dense(10, activation='softmax')])
    model.compile(loss='binary_crossentropy', optimizer='adam', metrics=['accuracy'])
""")
GOOD = textwrap.dedent("""
    from keras.models import Sequential
    from keras.layers import Dense
    model = Sequential([Dense(1, activation='sigmoid')])
    model.compile(loss='binary_crossentropy', optimizer='adam', metrics=['accuracy'])
""")


def write(folder, name, text):
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_findings_exit_1_flake8_format_and_summary(run_cli, tmp_path):
    write(tmp_path, "pkg/train.py", BAD)
    result = run_cli("--keras-version", "2.3.1", "pkg", cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("pkg/train.py:5:20: KC201 ")
    assert lines[1].startswith("pkg/train.py:5:70: KC101 'accuracy' with binary_crossentropy")
    assert "Keras 2.3.1" in lines[1]
    assert "Found 2 findings in 1 file (1 file checked)." in result.stderr


def test_clean_exit_0(run_cli, tmp_path):
    write(tmp_path, "ok.py", GOOD)
    result = run_cli("check", "ok.py", cwd=tmp_path)
    assert result.returncode == 0, result.stdout
    assert result.stdout == ""
    assert "All checks passed" in result.stderr


def test_select_and_ignore_by_prefix(run_cli, tmp_path):
    write(tmp_path, "t.py", BAD)
    only_metrics = run_cli("t.py", "--select", "KC1", "--keras-version", "2.3.1", cwd=tmp_path)
    assert [l.split()[1] for l in only_metrics.stdout.splitlines()] == ["KC101"]
    nothing = run_cli("t.py", "--ignore", "KC101,KC2", "--keras-version", "2.3.1", cwd=tmp_path)
    assert nothing.returncode == 0 and nothing.stdout == ""


def test_unknown_code_is_usage_error(run_cli, tmp_path):
    write(tmp_path, "t.py", BAD)
    result = run_cli("t.py", "--select", "KC999", cwd=tmp_path)
    assert result.returncode == 2
    assert "unknown rule code" in result.stderr


def test_bad_keras_version_is_usage_error(run_cli, tmp_path):
    write(tmp_path, "t.py", BAD)
    result = run_cli("t.py", "--keras-version", "pytorch==2", cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr


def test_missing_path_is_usage_error(run_cli, tmp_path):
    result = run_cli("nope.py", cwd=tmp_path)
    assert result.returncode == 2


def test_json_output_fields(run_cli, tmp_path):
    write(tmp_path, "t.py", BAD)
    result = run_cli("t.py", "--output-format", "json", "--keras-version", "2.3.1", cwd=tmp_path)
    data = json.loads(result.stdout)
    assert [d["code"] for d in data] == ["KC201", "KC101"]
    first = data[0]
    assert set(first) >= {"path", "line", "column", "end_line", "end_column", "code", "name", "message"}
    assert (first["line"], first["column"], first["end_column"]) == (5, 20, 41)
    assert first["name"] == "softmax-output-with-binary-crossentropy"


def test_walk_skips_venvs_git_build_and_excludes_but_named_files_are_checked(run_cli, tmp_path):
    write(tmp_path, "src/a.py", BAD)
    write(tmp_path, ".git/hooks/b.py", BAD)
    write(tmp_path, "build/lib/c.py", BAD)
    write(tmp_path, "env/lib/d.py", BAD)
    write(tmp_path, "env/pyvenv.cfg", "home = /usr\n")
    write(tmp_path, "src/__pycache__/e.py", BAD)
    write(tmp_path, "gen/f.py", BAD)
    result = run_cli(".", "--exclude", "gen", "--output-format", "json", cwd=tmp_path)
    assert {d["path"] for d in json.loads(result.stdout)} == {"src/a.py"}
    named = run_cli("gen/f.py", "--exclude", "gen", cwd=tmp_path)
    assert named.returncode == 1
    forced = run_cli("gen/f.py", "--exclude", "gen", "--force-exclude", cwd=tmp_path)
    assert forced.returncode == 0


def test_output_sorted_by_path_and_position(run_cli, tmp_path):
    write(tmp_path, "b.py", BAD)
    write(tmp_path, "a.py", BAD + BAD)
    result = run_cli(".", "--output-format", "json", cwd=tmp_path)
    keys = [(d["path"], d["line"], d["column"]) for d in json.loads(result.stdout)]
    assert keys == sorted(keys) and keys[0][0] == "a.py"


def test_pyproject_config(run_cli, tmp_path):
    write(tmp_path, "pyproject.toml", '[tool.kerascheck]\nignore = ["KC2"]\nkeras-version = "2.3.1"\n')
    write(tmp_path, "t.py", BAD)
    result = run_cli("t.py", cwd=tmp_path)
    assert [l.split()[1] for l in result.stdout.splitlines()] == ["KC101"]
    assert "Keras 2.3.1" in result.stdout


def test_pyproject_unknown_key_is_an_error(run_cli, tmp_path):
    write(tmp_path, "pyproject.toml", '[tool.kerascheck]\nselct = ["KC1"]\n')
    write(tmp_path, "t.py", BAD)
    result = run_cli("t.py", cwd=tmp_path)
    assert result.returncode == 2 and "selct" in result.stderr


def test_version_from_requirements_pin(run_cli, tmp_path):
    (tmp_path / ".git").mkdir()
    write(tmp_path, "requirements.txt", "keras==2.3.1\n")
    write(tmp_path, "t.py", BAD)
    result = run_cli("t.py", cwd=tmp_path)
    assert "Keras 2.3.1 makes it binary_accuracy" in result.stdout
    write(tmp_path, "requirements.txt", "keras==3.6.0\n")
    newer = run_cli("t.py", cwd=tmp_path)
    assert "KC101" not in newer.stdout and "KC201" in newer.stdout


def test_inspect_json(run_cli, tmp_path):
    write(tmp_path, "t.py", BAD)
    result = run_cli("inspect", "t.py", "--output-format", "json", cwd=tmp_path)
    assert result.returncode == 0
    assert json.loads(result.stdout) == [{
        "path": "t.py", "line": 5, "model_style": "sequential", "checked": True, "why": None, "inputs": [],
        "outputs": [{"name": None, "activation": "softmax", "units": 10, "layer_line": 4, "shape": None}],
        "losses": ["binary_crossentropy"], "from_logits": [False], "metrics": [["accuracy"]], "calls": [],
    }]
    assert result.stderr.strip() == ("1 compile call found (1 checked, 0 with a why); "
                                     "1 output: 1 with known activation, 1 with known units.")


def test_rule_docs_commands(run_cli):
    result = run_cli("rule", "KC101")
    assert result.returncode == 0 and "## Why is this bad?" in result.stdout
    listing = run_cli("rules", "--output-format", "json")
    assert len(json.loads(listing.stdout)) >= 19
