"""Every fixture, fixed with --fix --unsafe-fixes: it parses, no fixable finding is left, and a
second run changes nothing. Nothing is written: the fixes are computed in memory."""

import shutil

import pytest

from kerascheck.fix import fix_file, has_fix, parses
from kerascheck.runner import Options, checker
from kerascheck.versions import UNKNOWN
from tests.conftest import FIXTURES

FILES = sorted(p for p in FIXTURES.rglob("*") if p.suffix in (".py", ".ipynb") and ".out." not in p.name
               and ".in." not in p.name)


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_fixture_fixed_to_a_fixed_point(path, tmp_path):
    copy = tmp_path / path.name
    shutil.copyfile(path, copy)
    options = Options(target=UNKNOWN)
    first = fix_file(copy, path.name, checker(path.name, options), unsafe=True, write=True)
    assert first.error is None, first.error
    assert not [f for f in first.remaining if has_fix(f) and _applicable(copy, f)], \
        f"fixable findings left: {[(f.line, f.code) for f in first.remaining]}"
    if path.suffix == ".py":
        if parses(path.read_text(encoding="utf-8")):
            assert parses(copy.read_text(encoding="utf-8"))
        else:  # a file that does not parse is never touched
            assert not first.changed and copy.read_bytes() == path.read_bytes()
    written = copy.read_bytes()
    second = fix_file(copy, path.name, checker(path.name, options), unsafe=True, write=True)
    assert second.error is None and not second.changed and second.fixed == 0
    assert copy.read_bytes() == written


def _applicable(path, finding):
    from kerascheck.fix import applicable, compute_fixes
    from kerascheck.fix.files import decode

    if path.suffix == ".ipynb":
        return False  # checked through the second run: it changes nothing
    text = decode(path.read_bytes())[0]
    return any(applicable(fix, True) for f, fix in compute_fixes(text, [finding]))


def test_fixtures_have_fixes_to_apply():
    """The check above is not vacuous: most fixtures with findings get fixed."""
    fixed = 0
    for path in FILES:
        result = fix_file(path, path.name, checker(path.name, Options(target=UNKNOWN)), unsafe=True, write=False)
        fixed += result.changed
    assert fixed >= 15
