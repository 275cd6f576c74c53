"""The flake8 plugin driven through the real flake8, compared with the real CLI."""

import json
import os
import re
import subprocess
import sys
import textwrap

import pytest

from tests.conftest import REPO

FLAKE8_LINE = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<column>\d+): (?P<code>[A-Z]+\d+) (?P<message>.*)$")

HEADER = textwrap.dedent("""\
    # kerascheck: keras-version=2.3.1
    from keras.models import Sequential
    from keras.layers import Dense
    model = Sequential([Dense(10, activation='softmax')])
""")
COMPILE = "model.compile(loss='binary_crossentropy', optimizer='adam', metrics=['accuracy'])"


def flake8(*args, cwd):
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    result = subprocess.run([sys.executable, "-m", "flake8", "--isolated", *args], cwd=cwd, capture_output=True,
                            text=True, env=env, timeout=300)
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    return {(m["path"].removeprefix("./"), int(m["line"]), int(m["column"]), m["code"], m["message"])
            for m in map(FLAKE8_LINE.match, result.stdout.splitlines()) if m}


def cli(run_cli, *args, cwd):
    result = run_cli(*args, "--output-format", "json", cwd=cwd)
    assert result.returncode in (0, 1), result.stderr
    return {(f["path"], f["line"], f["column"], f["code"], f["message"]) for f in json.loads(result.stdout)}


def test_plugin_is_registered():
    result = subprocess.run([sys.executable, "-m", "flake8", "--version"], capture_output=True, text=True)
    assert "kerascheck:" in result.stdout


def test_fixtures_same_findings_as_the_cli(run_cli):
    """Same codes, lines, columns and messages on every fixture (flake8 prints 1-based columns, like the CLI)."""
    ours = {f for f in cli(run_cli, "fixtures", "--keras-version", "unknown", cwd=REPO)
            if f[0].endswith(".py")}  # flake8 checks no notebooks
    theirs = flake8("--select", "KC,E999", "--keras-version", "unknown", "fixtures", cwd=REPO)
    assert ours, "the fixtures produce findings"
    # flake8 does not run plugins on a file that does not parse; it reports E999 where we report KC001,
    # and on files with nothing Keras in them, where we report nothing (out of scope).
    syntax_errors = {f[0] for f in ours if f[3] == "KC001"}
    flake8_syntax_errors = {f[0] for f in theirs if f[3] == "E999"}
    assert syntax_errors and syntax_errors <= flake8_syntax_errors
    out_of_scope = flake8_syntax_errors - syntax_errors
    assert out_of_scope == {"fixtures/bad/python2_not_keras.py"}
    assert not {f for f in ours if f[0] in out_of_scope}
    assert {f for f in theirs if f[3] != "E999"} == {f for f in ours if f[0] not in syntax_errors}


# Each comment goes on its own copy of the compile line; which findings it silences is flake8's business.
NOQA_VARIANTS = [
    "# noqa", "# NOQA", "# NoQa:KC101", "# noqa: KC101", "# noqa: KC1", "# noqa: kc101", "# noqa:  KC101",
    "#noqa", "# noqa: KC201", "# noqa : KC101", "# noqa:KC101,KC201", "# noqa: E501", "# noqa: KC101 KC201",
    "# noqa:KC2,", "# type: ignore  # noqa: KC101", "# not a noqa: KC101",
]


def noqa_source() -> str:
    lines = [HEADER]
    for variant in NOQA_VARIANTS:
        lines.append(f"{COMPILE}  {variant}\n")
    # A multi-line call: the comment counts on the physical line the finding is on, not the call's last line.
    lines.append("model.compile(loss='binary_crossentropy',\n"
                 "              optimizer='adam', metrics=['accuracy'])  # noqa: KC101\n")
    lines.append("model.compile(loss='binary_crossentropy',  # noqa: KC201\n"
                 "              optimizer='adam', metrics=['accuracy'])\n")
    # A backslash continuation is one range for flake8: a comment on its last line counts for all of it.
    lines.append("model.compile(loss='binary_crossentropy', optimizer='adam', metrics=['accuracy']) + \\\n"
                 "    0  # noqa: KC101\n")
    return "".join(lines)


def test_noqa_semantics_identical_to_flake8(run_cli, tmp_path):
    (tmp_path / "noqa_cases.py").write_text(noqa_source())
    ours = cli(run_cli, "noqa_cases.py", cwd=tmp_path)
    theirs = flake8("--select", "KC", "noqa_cases.py", cwd=tmp_path)
    assert ours == theirs
    kept = {(line, code) for _, line, _, code, _ in ours}
    first = HEADER.count("\n") + 1
    expected_kept = {
        "# noqa: kc101": {"KC101", "KC201"},  # codes are case-sensitive
        "#noqa": {"KC101", "KC201"},
        "# noqa: KC201": {"KC101"},
        "# noqa: KC101": {"KC201"},
        "# noqa: KC1": {"KC201"},
        "# noqa:  KC101": set(),  # two spaces: flake8 reads a bare noqa
        "# noqa : KC101": set(),
        "# noqa: E501": {"KC101", "KC201"},
        "# noqa:KC2,": {"KC101"},
        "# not a noqa: KC101": {"KC101", "KC201"},
    }
    for offset, variant in enumerate(NOQA_VARIANTS):
        if variant in expected_kept:
            assert {code for line, code in kept if line == first + offset} == expected_kept[variant], variant
    multi = first + len(NOQA_VARIANTS)
    assert {(line - multi, code) for line, code in kept if line >= multi} == {(0, "KC201"), (3, "KC101"), (4, "KC201")}


@pytest.mark.parametrize("directive, kept", [
    ("# kerascheck: noqa", set()),
    ("# kerascheck: noqa: KC1", {"KC201"}),
    ("# KERASCHECK: NOQA: KC201, KC1", set()),
    ("# flake8: noqa", set()),
    ("x = 1  # kerascheck: noqa", {"KC101", "KC201"}),  # must stand alone on its line
])
def test_file_level_noqa_identical(run_cli, tmp_path, directive, kept):
    (tmp_path / "f.py").write_text(f"{directive}\n{HEADER}{COMPILE}\n")
    ours = cli(run_cli, "f.py", cwd=tmp_path)
    theirs = flake8("--select", "KC", "f.py", cwd=tmp_path)
    assert ours == theirs
    assert {code for *_, code, _ in ours} == kept


def test_flake8_select_ignore_disable_noqa_and_pyproject(tmp_path):
    (tmp_path / "f.py").write_text(f"{HEADER}{COMPILE}\n{COMPILE}  # noqa\n")
    assert {f[3] for f in flake8("--select", "KC2", "f.py", cwd=tmp_path)} == {"KC201"}
    assert {f[3] for f in flake8("--select", "KC", "--extend-ignore", "KC201", "f.py", cwd=tmp_path)} == {"KC101"}
    assert len(flake8("--select", "KC", "--disable-noqa", "f.py", cwd=tmp_path)) == 4
    # Default selection: plugin codes are on; pycodestyle's E501 shows too.
    assert {f[3] for f in flake8("f.py", cwd=tmp_path)} >= {"KC101", "KC201", "E501"}
    # [tool.kerascheck] of the nearest pyproject.toml applies under flake8 as in the CLI.
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_text('[tool.kerascheck]\nignore = ["KC101"]\n')
    assert {f[3] for f in flake8("--select", "KC", "f.py", cwd=tmp_path)} == {"KC201"}


def test_columns_are_the_clis_with_non_ascii_and_tabs(run_cli, tmp_path):
    source = HEADER + "if True:\n\tx = 'é€'; model.compile(loss='binary_crossentropy', metrics=['accuracy'])\n"
    (tmp_path / "u.py").write_text(source, encoding="utf-8")
    ours = cli(run_cli, "u.py", cwd=tmp_path)
    assert ours == flake8("--select", "KC", "u.py", cwd=tmp_path)
    assert {(line, column) for _, line, column, _, _ in ours} == {(6, 31), (6, 63)}  # code points, a tab is one
