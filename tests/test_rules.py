"""Every rule's own cases (next to the rule, Fixit-style): `fires` must fire, `passes` must not."""

import pytest

from kerascheck.rules import all_rules
from kerascheck.rules.base import DOC_SECTIONS
from tests.helpers import findings_for

CASES = []
for rule in all_rules():
    for index, source in enumerate(rule.fires):
        CASES.append(pytest.param(rule, source, True, id=f"{rule.code}-fires-{index}"))
    for index, source in enumerate(rule.passes):
        CASES.append(pytest.param(rule, source, False, id=f"{rule.code}-passes-{index}"))


@pytest.mark.parametrize("rule, source, should_fire", CASES)
def test_rule_case(rule, source, should_fire):
    codes = [f.code for f in findings_for(source, rules=[rule])]
    if should_fire:
        assert rule.code in codes, f"{rule.code} did not fire on:\n{source}"
    else:
        assert rule.code not in codes, f"{rule.code} fired on:\n{source}"


def test_every_rule_has_cases_both_ways():
    for rule in all_rules():
        assert rule.passes, f"{rule.code} has no case that must pass"
        # KC002 comes from bytes (tests/test_robustness.py); KC9 from real Keras (tests/runtime/).
        if rule.code != "KC002" and not rule.code.startswith("KC9"):
            assert rule.fires, f"{rule.code} has no case that must fire"


def test_codes_and_names_are_unique():
    rules = all_rules()
    assert len({r.code for r in rules}) == len(rules)
    assert len({r.name for r in rules}) == len(rules)


def test_every_rule_documents_every_section():
    for rule in all_rules():
        docs = rule.docs()
        missing = [s for s in DOC_SECTIONS if not docs.get(s)]
        assert not missing, f"{rule.code} lacks doc sections {missing}"
        assert rule.summary and rule.name


def test_spec_codes_implemented():
    codes = {r.code for r in all_rules()}
    expected = ({"KC001", "KC002", "KC901", "KC902", "KC903"} | {f"KC10{i}" for i in range(1, 9)}
                | {f"KC20{i}" for i in range(1, 10)} | {f"KC4{i:02d}" for i in range(1, 11)})
    assert expected <= codes
