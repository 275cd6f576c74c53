"""Issue 15 through the command line: baseline, --add-noqa, output format default, --show-fixes, stdin and
inspect errors, the runtime interpreter's Keras as the target."""

import json
import textwrap

import pytest

BAD = textwrap.dedent("""\
    from keras.models import Sequential
    from keras.layers import Dense
    model = Sequential([Dense(10, activation='softmax')])
    model.compile(loss='binary_crossentropy', optimizer='adam', metrics=['accuracy'])
""")
KERAS1 = "from keras.layers import Dense\nlayer = Dense(output_dim=10, init='uniform')\n"


def codes(result) -> list:
    return [line.split()[1] for line in result.stdout.splitlines()]


# ---------------------------------------------------------------- baseline


def test_baseline_adoption_workflow(run_cli, tmp_path):
    (tmp_path / "train.py").write_text(BAD)
    written = run_cli("check", "--no-cache", "--write-baseline", "kc-baseline.json", ".", cwd=tmp_path)
    assert written.returncode == 0, written.stderr
    assert "Wrote 2 findings to kc-baseline.json" in written.stderr and written.stdout == ""
    quiet = run_cli("check", "--no-cache", "--baseline", "kc-baseline.json", ".", cwd=tmp_path)
    assert quiet.returncode == 0 and quiet.stdout == ""
    assert "2 findings in the baseline" in quiet.stderr
    # Edits above move the findings: still matched. A new mistake is reported.
    (tmp_path / "train.py").write_text("import os\n\n" + BAD + "model.compile(loss='binary_crossentropy')\n")
    new = run_cli("check", "--no-cache", "--baseline", "kc-baseline.json", ".", cwd=tmp_path)
    assert new.returncode == 1 and [line.split(":")[1] for line in new.stdout.splitlines()] == ["7"]
    # The old mistakes fixed: the baseline is stale, and --write-baseline prunes it.
    (tmp_path / "train.py").write_text(BAD.replace("binary_crossentropy", "categorical_crossentropy"))
    stale = run_cli("check", "--no-cache", "--baseline", "kc-baseline.json", ".", cwd=tmp_path)
    assert stale.returncode == 0 and "2 baseline entries no longer match" in stale.stderr
    pruned = run_cli("check", "--no-cache", "--write-baseline", "kc-baseline.json", ".", cwd=tmp_path)
    assert "pruned 2 stale" in pruned.stderr
    assert json.loads((tmp_path / "kc-baseline.json").read_text())["findings"] == []


def test_baseline_from_the_configuration_relative_to_it(run_cli, tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "pyproject.toml").write_text('[tool.kerascheck]\nbaseline = "kc-baseline.json"\n')
    (tmp_path / "sub" / "train.py").write_text(BAD)
    run_cli("check", "--no-cache", "--write-baseline", "kc-baseline.json", ".", cwd=tmp_path)
    result = run_cli("check", "--no-cache", "train.py", cwd=tmp_path / "sub")
    assert result.returncode == 0 and result.stdout == "", result.stdout + result.stderr
    missing = run_cli("check", "--no-cache", "--baseline", "nope.json", "train.py", cwd=tmp_path / "sub")
    assert missing.returncode == 2 and "nope.json: no such baseline file" in missing.stderr


# ---------------------------------------------------------------- --add-noqa


def test_add_noqa_silences_every_finding_and_a_second_run_adds_nothing(run_cli, tmp_path):
    (tmp_path / "train.py").write_text(BAD)
    (tmp_path / "broken.py").write_text("import keras\nprint 'x'\n")
    added = run_cli("check", "--no-cache", "--add-noqa", ".", cwd=tmp_path)
    assert added.returncode == 0, added.stderr
    assert "Added 1 noqa directive." in added.stderr
    assert (tmp_path / "train.py").read_text().splitlines()[3].endswith("  # noqa: KC101,KC201")
    assert (tmp_path / "broken.py").read_text() == "import keras\nprint 'x'\n"
    assert codes(run_cli("check", "--no-cache", ".", cwd=tmp_path)) == ["KC001"]
    again = run_cli("check", "--no-cache", "--add-noqa", ".", cwd=tmp_path)
    assert "Added 0 noqa directives." in again.stderr


# ---------------------------------------------------------------- output


def test_full_is_the_default_on_a_terminal_and_concise_when_piped(tmp_path):
    import os
    import pty
    import subprocess
    import sys

    (tmp_path / "train.py").write_text(BAD)
    leader, follower = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "kerascheck", "check", "--no-cache", "train.py"],
                               cwd=tmp_path, stdout=follower, stderr=subprocess.DEVNULL)
    os.close(follower)
    output = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
    process.wait()
    text = output.decode().replace("\r\n", "\n")
    assert text.startswith("KC201 ") and " --> train.py:4:20" in text and "^^^^" in text


def test_show_fixes_lists_what_fix_fixed(run_cli, tmp_path):
    (tmp_path / "old.py").write_text(KERAS1)
    result = run_cli("check", "--no-cache", "--fix", "--show-fixes", "old.py", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Fixed 2 findings:\n- old.py:\n    2 × KC301 (keras1-layer-argument)" in result.stderr


# ---------------------------------------------------------------- stdin, inspect


def test_stdin_dash_cannot_be_mixed_with_paths(run_cli, tmp_path):
    (tmp_path / "train.py").write_text(BAD)
    result = run_cli("check", "-", "train.py", cwd=tmp_path, input=BAD)
    assert result.returncode == 2
    assert "'-' means stdin" in result.stderr and "cannot be mixed with paths" in result.stderr


def test_inspect_says_what_it_cannot_read_or_parse(run_cli, tmp_path):
    (tmp_path / "broken.py").write_text("import keras\nprint 'x'\n")
    (tmp_path / "ok.py").write_text(BAD)
    result = run_cli("inspect", "broken.py", "ok.py", cwd=tmp_path)
    assert result.returncode == 1
    assert "broken.py:2:1: cannot inspect: syntax error" in result.stderr
    assert "ok.py:4: compile" in result.stdout
    missing = run_cli("inspect", "nope.py", cwd=tmp_path)
    assert missing.returncode == 2 and "no such file or folder: nope.py" in missing.stderr


# ---------------------------------------------------------------- statistics (moved here from the formats tests)
def test_statistics_count_per_code_with_fixable_counts(run_cli, tmp_path):
    from tests.integrations.test_output_formats import BAD as FORMATS_BAD

    project = tmp_path
    (project / "src").mkdir()
    for name in ("train.py", "more.py"):
        (project / "src" / name).write_text(FORMATS_BAD)

    def check(run_cli, project, *flags):
        return run_cli("check", "--no-cache", "--keras-version", "2.3.1", *flags, "src", cwd=project)

    result = check(run_cli, project, "--statistics")
    assert result.returncode == 1
    rows = [line.split("\t") for line in result.stdout.splitlines()]
    assert rows == [["2", "KC101", "[ ] accuracy-with-binary-crossentropy-on-multiclass"],
                    ["2", "KC201", "[ ] softmax-output-with-binary-crossentropy"],
                    ["2", "KC301", "[*] keras1-layer-argument"],
                    ["2", "KC305", "[*] keras1-positional-kernel"]]
    as_json = json.loads(check(run_cli, project, "--statistics", "--output-format", "json").stdout)
    assert as_json[0] == {"code": "KC101", "name": "accuracy-with-binary-crossentropy-on-multiclass", "count": 2,
                          "fixable": False, "fixable_count": 0}
    unsafe = check(run_cli, project, "--statistics", "--unsafe-fixes").stdout
    assert "2\tKC101\t[*] accuracy" in unsafe


def test_after_fix_one_consistent_summary(run_cli, tmp_path):
    (tmp_path / "train.py").write_text(BAD.replace("Dense(10, activation='softmax')",
                                                   "Dense(output_dim=10, activation='softmax')"))
    result = run_cli("check", "--no-cache", "--keras-version", "2.3.1", "--fix", "train.py", cwd=tmp_path)
    lines = result.stderr.splitlines()
    assert lines[0] == "Found 3 findings (1 fixed, 2 remaining)."
    assert lines[1] == "1 hidden fix can be enabled with the `--unsafe-fixes` option."
    assert "No fixes available" not in result.stderr


def test_full_quotes_a_buffer_from_stdin(run_cli, tmp_path):
    result = run_cli("check", "--no-cache", "--output-format", "full", "--stdin-filename", "nothere.py", "-",
                     cwd=tmp_path, input=BAD)
    assert " --> nothere.py:4:20" in result.stdout
    assert "4 | model.compile(loss='binary_crossentropy'" in result.stdout


def test_the_fix_hint_counts_only_what_the_baseline_shows(run_cli, tmp_path):
    (tmp_path / "old.py").write_text(KERAS1)
    run_cli("check", "--no-cache", "--write-baseline", "b.json", ".", cwd=tmp_path)
    result = run_cli("check", "--no-cache", "--baseline", "b.json", ".", cwd=tmp_path)
    assert result.returncode == 0 and "fixable" not in result.stderr, result.stderr
