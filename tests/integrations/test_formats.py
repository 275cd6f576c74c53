"""Machine formats from the real command line: SARIF 2.1.0 (checked against the schema) and GitHub annotations."""

import json
import subprocess
from pathlib import Path

import jsonschema
import pytest

from kerascheck.rules import all_rules
from tests.conftest import REPO

SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))

BAD = """\
from keras.models import Sequential
from keras.layers import Dense
model = Sequential([Dense(10, activation='softmax')])
model.compile(loss='binary_crossentropy', optimizer='adam', metrics=['accuracy'])
"""


def make_repo(tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / "src" / "my models").mkdir(parents=True)
    (tmp_path / "src" / "my models" / "train.py").write_text(BAD)
    nb = {"cells": [{"cell_type": "markdown", "metadata": {}, "source": ["# t"]},
                    {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
                     "source": BAD}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (tmp_path / "src" / "nb.ipynb").write_text(json.dumps(nb))
    return tmp_path


def test_sarif_validates_and_has_what_code_scanning_needs(run_cli, tmp_path):
    repo = make_repo(tmp_path)
    # Run from a subfolder: URIs must still be relative to the repository root.
    result = run_cli("..", "--output-format", "sarif", "--keras-version", "2.3.1", cwd=repo / "src" / "my models")
    assert result.returncode == 1, result.stderr
    log = json.loads(result.stdout)
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    broken = json.loads(result.stdout)  # the schema does catch a bad log
    broken["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft4Validator(SCHEMA).validate(broken)
    assert log["version"] == "2.1.0" and log["$schema"].endswith("sarif-2.1.0.json")
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "kerascheck" and driver["version"]
    rules = driver["rules"]
    assert [r["id"] for r in rules] == [r.code for r in all_rules()]
    for rule in rules:
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
        assert rule["help"]["text"] and "## Why is this bad?" in rule["help"]["markdown"]
        assert rule["name"]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == repo.resolve().as_uri() + "/"
    results = run["results"]
    assert {r["ruleId"] for r in results} == {"KC101", "KC201"}
    by_uri = {}
    for r in results:
        assert r["message"]["text"]
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"]
        (location,) = r["locations"]
        physical = location["physicalLocation"]
        assert physical["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        by_uri.setdefault(physical["artifactLocation"]["uri"], []).append((r["ruleId"], physical["region"], r))
    assert set(by_uri) == {"src/my%20models/train.py", "src/nb.ipynb"}
    regions = {rule: region for rule, region, _ in by_uri["src/my%20models/train.py"]}
    assert regions["KC201"] == {"startLine": 4, "startColumn": 20, "endLine": 4, "endColumn": 41}
    assert regions["KC101"]["startLine"] == 4 and regions["KC101"]["startColumn"] == 70
    for _, region, r in by_uri["src/nb.ipynb"]:
        assert r["properties"]["cell"] == 2 and region["startLine"] == 4


def test_sarif_with_no_findings_is_valid(run_cli, tmp_path):
    (tmp_path / "ok.py").write_text("x = 1\n")
    result = run_cli("ok.py", "--output-format", "sarif", cwd=tmp_path)
    assert result.returncode == 0
    log = json.loads(result.stdout)
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    assert log["runs"][0]["results"] == []


def test_github_annotations(run_cli, tmp_path):
    repo = make_repo(tmp_path)
    (repo / "src" / "odd, name%.py").write_text(BAD)
    result = run_cli("src", "--output-format", "github", "--keras-version", "2.3.1", cwd=repo)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("::error file=src/my models/train.py,line=4,col=20,endLine=4,endColumn=41,"
                               "title=KC201::binary_crossentropy on a softmax output")
    assert lines[1].startswith("::error file=src/my models/train.py,line=4,col=70,")
    assert "title=KC101::'accuracy' with binary_crossentropy" in lines[1]
    # A notebook finding: the cell in the title, no line (GitHub's lines would be the JSON's).
    assert any(line.startswith("::error file=src/nb.ipynb,title=KC201 (cell 2%2C line 4%2C column 20)::")
               for line in lines)
    # Property values escape ',' ':' '%'.
    assert any(line.startswith("::error file=src/odd%2C name%25.py,line=4,") for line in lines)
    assert all(line.startswith("::error ") for line in lines)
