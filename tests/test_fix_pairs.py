"""Fix golden files: every tests/fixes/NAME.in.py fixed must equal NAME.out.py, byte for byte.

Regenerate the .out.py files with KERASCHECK_UPDATE_GOLDEN=1 (then read the diff). A
file whose first line is `# kerascheck-test: safe-only` gets the safe fixes only, else
`--unsafe-fixes` too. The target Keras is the file's own directive, else unknown.
"""

import os
from pathlib import Path

import pytest

from kerascheck.fix import fix_source, has_fix, parses
from kerascheck.fix.files import decode
from kerascheck.runner import Options, check_source
from kerascheck.versions import UNKNOWN

FIXES = Path(__file__).resolve().parent / "fixes"
PAIRS = sorted(FIXES.glob("*.in.py"))
UPDATE = os.environ.get("KERASCHECK_UPDATE_GOLDEN") == "1"


def fixed(path: Path) -> tuple:
    text, encoding = decode(path.read_bytes())
    unsafe = not text.startswith("# kerascheck-test: safe-only")
    options = Options(target=UNKNOWN)

    def check(source):
        return check_source(path.name, source, options).findings

    return text, fix_source(text, check, unsafe=unsafe), encoding, check, unsafe


def test_there_are_pairs():
    assert len(PAIRS) >= 15


@pytest.mark.parametrize("path", PAIRS, ids=lambda p: p.name.replace(".in.py", ""))
def test_fix_matches_golden(path):
    text, outcome, encoding, check, unsafe = fixed(path)
    golden = path.with_name(path.name.replace(".in.py", ".out.py"))
    result = outcome.text.encode(encoding)
    if UPDATE:
        golden.write_bytes(result)
    assert golden.exists(), f"no {golden.name}: run with KERASCHECK_UPDATE_GOLDEN=1"
    assert result == golden.read_bytes(), f"{path.name} fixed differs from {golden.name}"
    assert outcome.fixed > 0 and outcome.text != text
    assert parses(outcome.text)
    # A second run changes nothing, and no applicable fix is left.
    again = fix_source(outcome.text, check, unsafe=unsafe)
    assert again.text == outcome.text and again.fixed == 0


def test_every_fixable_rule_has_a_pair():
    from kerascheck.rules import all_rules

    fixable = {rule.code for rule in all_rules() if rule.fix_safety}
    covered = set()
    for path in PAIRS:
        text, _, _, check, _ = fixed(path)
        covered |= {f.code for f in check(text) if has_fix(f)}
    assert fixable <= covered, f"no in/out pair exercises {sorted(fixable - covered)}"
