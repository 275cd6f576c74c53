"""The output formats ruff users know, from the real command line, each read by its consumer's parser or
checked against its schema where one exists: full and concise text, GitLab Code Quality, JUnit XML, pylint,
JSON lines, --statistics."""

import json
import re
import textwrap
from pathlib import Path

import jsonschema
import pytest

DATA = Path(__file__).parent / "data"

BAD = textwrap.dedent("""\
    from keras.models import Sequential
    from keras.layers import Dense, Convolution2D
    model = Sequential([Dense(10, activation='softmax')])
    model.compile(loss='binary_crossentropy', optimizer='adam', metrics=['accuracy'])
    conv = Convolution2D(32, 3, 3, border_mode='same')
""")
CLEAN = "import keras\n"

# GitLab's "Code Quality report format" (docs.gitlab.com/ci/testing/code_quality, "Implement a custom tool"):
# no schema for it exists on the package index, so this is what that page requires, written as a JSON schema.
GITLAB_SCHEMA = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["description", "check_name", "fingerprint", "severity", "location"],
        "properties": {
            "description": {"type": "string", "minLength": 1},
            "check_name": {"type": "string", "minLength": 1},
            "fingerprint": {"type": "string", "minLength": 1},
            "severity": {"enum": ["info", "minor", "major", "critical", "blocker"]},
            "location": {
                "type": "object",
                "required": ["path", "lines"],
                "properties": {
                    "path": {"type": "string", "pattern": "^[^/]"},  # relative to the repository
                    "lines": {"type": "object", "required": ["begin"],
                              "properties": {"begin": {"type": "integer", "minimum": 1},
                                             "end": {"type": "integer", "minimum": 1}}},
                },
            },
        },
    },
}


@pytest.fixture
def project(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "train.py").write_text(BAD)
    (tmp_path / "src" / "clean.py").write_text(CLEAN)
    return tmp_path


def check(run_cli, project, *flags):
    return run_cli("check", "--no-cache", "--keras-version", "2.3.1", *flags, "src", cwd=project)


def test_piped_default_is_concise_one_line_per_finding_as_editors_read_it(run_cli, project):
    result = check(run_cli, project)
    lines = result.stdout.splitlines()
    assert len(lines) == 4 and all(re.match(r"^src/train\.py:\d+:\d+: KC\d{3} ", line) for line in lines)
    assert lines == check(run_cli, project, "--output-format", "concise").stdout.splitlines()
    assert lines == check(run_cli, project, "--output-format", "text").stdout.splitlines()


def test_full_shows_the_source_a_caret_under_the_range_and_the_fix(run_cli, project):
    result = check(run_cli, project, "--output-format", "full")
    assert result.returncode == 1
    blocks = result.stdout.split("\n\n")
    assert len(blocks) == 4
    kc201 = next(block for block in blocks if block.startswith("KC201 "))
    assert kc201.splitlines()[1:] == [
        " --> src/train.py:4:20",
        "  |",
        "2 | from keras.layers import Dense, Convolution2D",
        "3 | model = Sequential([Dense(10, activation='softmax')])",
        "4 | model.compile(loss='binary_crossentropy', optimizer='adam', metrics=['accuracy'])",
        "  |                    ^^^^^^^^^^^^^^^^^^^^^",
        "5 | conv = Convolution2D(32, 3, 3, border_mode='same')",
        "  |",
    ]
    kc301 = next(block for block in blocks if block.startswith("KC301 [*] "))
    assert kc301.splitlines()[-1] == "help: Rename border_mode= to padding="


def test_full_in_a_notebook_quotes_the_cell(run_cli, tmp_path):
    cells = [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": "%matplotlib inline\n"},
             {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": BAD}]
    (tmp_path / "nb.ipynb").write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4,
                                                   "nbformat_minor": 5}))
    result = run_cli("check", "--no-cache", "--output-format", "full", "--select", "KC201", "nb.ipynb", cwd=tmp_path)
    assert " --> nb.ipynb:cell 2:4:20" in result.stdout
    assert "4 | model.compile(loss='binary_crossentropy'" in result.stdout


def test_gitlab_code_quality_report(run_cli, project):
    result = check(run_cli, project, "--output-format", "gitlab")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    jsonschema.Draft7Validator(GITLAB_SCHEMA).validate(report)
    assert sorted(issue["check_name"] for issue in report) == ["KC101", "KC201", "KC301", "KC305"]
    assert {issue["location"]["path"] for issue in report} == {"src/train.py"}
    assert len({issue["fingerprint"] for issue in report}) == len(report)  # GitLab keeps one issue per fingerprint
    kc201 = next(issue for issue in report if issue["check_name"] == "KC201")
    assert kc201["location"]["lines"]["begin"] == 4
    assert kc201["location"]["positions"]["begin"] == {"line": 4, "column": 20}
    # Lines added above move every finding; GitLab must still see the same issues (same fingerprints).
    (project / "src" / "train.py").write_text("import os\n\n# training script\n" + BAD)
    moved = json.loads(check(run_cli, project, "--output-format", "gitlab").stdout)
    assert {i["fingerprint"] for i in moved} == {i["fingerprint"] for i in report}
    assert next(i for i in moved if i["check_name"] == "KC201")["location"]["lines"]["begin"] == 7


def test_gitlab_fingerprints_of_identical_findings_differ(run_cli, project):
    (project / "src" / "train.py").write_text(BAD + BAD.splitlines()[3] + "\n")
    report = json.loads(check(run_cli, project, "--output-format", "gitlab", "--select", "KC201").stdout)
    assert len(report) == 2 and len({issue["fingerprint"] for issue in report}) == 2
    broken = report + [dict(report[0], severity="fatal")]  # the schema does catch a bad report
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft7Validator(GITLAB_SCHEMA).validate(broken)


def test_junit_validates_and_reads_back(run_cli, project):
    import junitparser
    import xmlschema

    result = check(run_cli, project, "--output-format", "junit")
    assert result.returncode == 1
    report = project / "report.xml"
    report.write_text(result.stdout, encoding="utf-8")
    xmlschema.XMLSchema(str(DATA / "junit-10.xsd")).validate(str(report))
    xml = junitparser.JUnitXml.fromfile(str(report))
    suites = {suite.name: suite for suite in xml}
    assert set(suites) == {"src/train.py", "src/clean.py"}
    assert (suites["src/train.py"].tests, suites["src/train.py"].failures) == (4, 4)
    assert (suites["src/clean.py"].tests, suites["src/clean.py"].failures) == (1, 0)
    cases = list(suites["src/train.py"])
    kc201 = next(case for case in cases if case.name.startswith("KC201"))
    [failure] = kc201.result
    assert failure.type == "KC201" and failure.message.startswith("binary_crossentropy on a softmax output")
    assert failure.text.startswith("src/train.py: line 4, column 20: ")
    assert all(case.is_passed for case in suites["src/clean.py"])


def test_junit_escapes_what_xml_cannot_carry(run_cli, tmp_path):
    import xmlschema

    (tmp_path / "t\u00e9st.py").write_text(BAD.replace("'binary_crossentropy'", "'binary_crossentropy<&\"\x01>'"))
    result = run_cli("check", "--no-cache", "--output-format", "junit", ".", cwd=tmp_path)
    (tmp_path / "report.xml").write_text(result.stdout, encoding="utf-8")
    xmlschema.XMLSchema(str(DATA / "junit-10.xsd")).validate(str(tmp_path / "report.xml"))


# Jenkins Warnings NG's PyLint parser reads `path:line: [CODE(symbol), object] message` (its pattern, in
# essence; the symbol and object are optional). It is not on the package index: this is that pattern.
PYLINT_LINE = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+): \[(?P<code>[A-Z]+\d+)(?:\((?P<symbol>[^)]*)\))?"
                         r"(?:, (?P<object>[^\]]*))?\] (?P<message>.+)$")


def test_pylint_lines_parse_as_pylints(run_cli, project):
    result = check(run_cli, project, "--output-format", "pylint")
    parsed = [PYLINT_LINE.match(line) for line in result.stdout.splitlines()]
    assert len(parsed) == 4 and all(parsed)
    assert [(m["path"], m["line"], m["code"]) for m in parsed][:1] == [("src/train.py", "4", "KC201")] or \
        ("src/train.py", "4", "KC201") in [(m["path"], m["line"], m["code"]) for m in parsed]


def test_json_lines_are_the_json_formats_elements(run_cli, project):
    lines = check(run_cli, project, "--output-format", "json-lines").stdout.splitlines()
    as_json = json.loads(check(run_cli, project, "--output-format", "json").stdout)
    assert [json.loads(line) for line in lines] == as_json and len(lines) == 4


def test_statistics_rows_count_per_code_with_fixable_counts():
    from kerascheck.findings import Finding
    from kerascheck.intents import Fix
    from kerascheck.report import statistics

    def finding(code, name, fix=None):
        return Finding("t.py", 1, 1, code, name, "m", fix=fix)

    findings = [finding("KC301", "keras1-layer-argument", Fix.safe("Rename")), finding("KC201", "b"),
                finding("KC101", "a", Fix.unsafe("Replace")), finding("KC201", "b"), finding("KC101", "a")]
    text = statistics.render(findings, {"unsafe_fixes": False})
    assert [line.split("\t") for line in text.splitlines()] == [["2", "KC101", "[ ] a"], ["2", "KC201", "[ ] b"],
                                                               ["1", "KC301", "[*] keras1-layer-argument"]]
    assert "[*] a" in statistics.render(findings, {"unsafe_fixes": True})
    rows = json.loads(statistics.render(findings, {"unsafe_fixes": True}, "json"))
    assert rows[0] == {"code": "KC101", "name": "a", "count": 2, "fixable": True, "fixable_count": 1}


def test_a_multi_line_keras_error_is_folded_in_text_and_whole_in_json_and_sarif():
    from kerascheck.findings import Finding
    from kerascheck.report import render

    error = "Arguments `target` and `output` must have the same shape.\nReceived: target.shape=(None, 10),\n  output.shape=(None, 3)"
    static = Finding("t.py", 4, 20, "KC201", "softmax-output-with-binary-crossentropy", "bce on softmax",
                     runtime={"keras_version": "3.15.1", "backend": "tensorflow", "tensorflow_version": "2.21.0",
                              "error": error, "reproduced": True})
    runtime_only = Finding("t.py", 5, 1, "KC902", "output-fails-at-runtime", "on Keras 3.15.1, evaluating raised: " + error)
    findings = [static, runtime_only]
    for name in ("concise", "pylint"):
        lines = render(name, findings, {"files": ["t.py"]}).splitlines()
        assert len(lines) == 2 and lines[0].endswith("Received: target.shape=(None, 10), output.shape=(None, 3)]")
    full = render("full", findings, {"files": ["t.py"]}).splitlines()  # t.py does not exist: no snippet
    assert full[0].startswith("KC201 ") and full[0].endswith("output.shape=(None, 3)]")
    assert full[1] == " --> t.py:4:20"
    as_json = json.loads(render("json", findings, {"files": ["t.py"]}))
    assert error in as_json[0]["message"] and as_json[0]["runtime"]["error"] == error
    assert error in as_json[1]["message"]
    sarif = json.loads(render("sarif", findings, {"files": ["t.py"]}))
    assert error in sarif["runs"][0]["results"][1]["message"]["text"]
