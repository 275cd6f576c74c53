"""docs/rules.md is generated from the rules' docstrings; it must be current and complete."""

import json
import subprocess
import sys

from kerascheck.rules import all_rules
from kerascheck.rules.base import DOC_SECTIONS
from tests.conftest import REPO

SCRIPT = REPO / "scripts" / "gen_rule_docs.py"


def test_docs_rules_md_is_not_stale():
    result = subprocess.run([sys.executable, str(SCRIPT), "--check"], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, f"{result.stderr}\nRegenerate it: python scripts/gen_rule_docs.py"


def test_docs_cover_every_rule_and_section():
    text = (REPO / "docs" / "rules.md").read_text(encoding="utf-8")
    for rule in all_rules():
        docs = rule.docs()
        assert f"## {rule.code} {rule.name}" in text
        for section in DOC_SECTIONS:
            assert docs.get(section), f"{rule.code} lacks the section {section!r}"
            assert docs[section] in text


def test_rule_and_rules_commands(run_cli):
    explained = run_cli("rule", "kc201")
    assert explained.returncode == 0
    for section in DOC_SECTIONS:
        assert f"## {section}" in explained.stdout
    listing = json.loads(run_cli("rules", "--output-format", "json").stdout)
    assert [r["code"] for r in listing] == [r.code for r in all_rules()]
    assert all(set(r["docs"]) >= set(DOC_SECTIONS) for r in listing)
    assert run_cli("rule", "KC999").returncode == 2
