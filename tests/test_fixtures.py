"""Every fixture carries its expected findings as `# expect: CODE` comments; check them all, exactly."""

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from kerascheck.runner import Options, check_one_file
from kerascheck.versions import UNKNOWN
from tests.conftest import FIXTURES

EXPECT = re.compile(r"#\s*expect:\s*([A-Z0-9,\s]+)")
FIXTURE_FILES = sorted(p for p in FIXTURES.rglob("*") if p.suffix in (".py", ".ipynb") and ".out." not in p.name
                       and ".in." not in p.name)


def expected_findings(path: Path) -> Counter:
    """(position, code) -> how many times; a code written twice on a line expects two findings there."""
    expected = Counter()
    if path.suffix == ".ipynb":  # ((cell, line), code) from the code cells' comments
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        for cell_number, cell in enumerate(cells, start=1):
            for number, line in enumerate("".join(cell["source"]).splitlines(), start=1):
                match = EXPECT.search(line) if cell["cell_type"] == "code" else None
                for code in re.split(r"[,\s]+", match.group(1).strip()) if match else ():
                    if code:
                        expected[((cell_number, number), code)] += 1
        return expected
    for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), start=1):
        match = EXPECT.search(line)
        if match:
            for code in re.split(r"[,\s]+", match.group(1).strip()):
                if code:
                    expected[(number, code)] += 1
    return expected


def test_there_are_fixtures():
    assert len(FIXTURE_FILES) >= 15


@pytest.mark.parametrize("path", [p for p in FIXTURE_FILES if p.suffix == ".py"], ids=lambda p: p.name)
def test_fixture_findings_exactly(path):
    result = check_one_file(path, Options(target=UNKNOWN))
    assert result.internal_error is None
    actual = Counter((f.line, f.code) for f in result.findings)
    expected = expected_findings(path)
    missing = sorted((expected - actual).elements())
    unexpected = sorted((actual - expected).elements())
    details = "\n".join(f"  {f.line}:{f.column} {f.code} {f.message}" for f in result.findings)
    assert not missing and not unexpected, f"missing {missing}, unexpected {unexpected}; got:\n{details}"


def test_cli_on_fixture_folder(run_cli):
    """The README's first command, through the real command line."""
    result = run_cli("fixtures", "--keras-version", "unknown", "--output-format", "json")
    assert result.returncode == 1, result.stderr
    findings = json.loads(result.stdout)
    total_expected = sum(sum(expected_findings(p).values()) for p in FIXTURE_FILES)
    assert len(findings) == total_expected
    assert all(not f["path"].startswith("/") for f in findings)
    assert "Traceback" not in result.stderr
