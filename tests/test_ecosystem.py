"""The ecosystem check's offline parts (scripts/ecosystem.py, scripts/ecosystem_fuzz.py).

The fuzzer runs over the shipped fixtures and fix inputs: every seeded mutation of every file goes through
kerascheck's command line with no internal error, no traceback and within the time bound. The corpus run
itself needs the network (`python scripts/ecosystem.py`); here its list, its snapshot and its pieces are
checked on local data.
"""
import io
import json
import random
import sys
import tarfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import ecosystem  # noqa: E402
import ecosystem_fuzz  # noqa: E402


# ---------------------------------------------------------------- the fuzzer over fixtures/ and tests/fixes/

FUZZ_SEED = 20261130


def test_fuzzer_finds_no_internal_error_in_fixtures():
    files = ecosystem_fuzz.source_files([ROOT / "fixtures", ROOT / "tests" / "fixes"])
    assert len(files) > 50
    # each mutator once per file (the first len(TEXT_MUTATORS) mutations cycle through them)
    report = ecosystem_fuzz.fuzz(files, seed=FUZZ_SEED, count=len(ecosystem_fuzz.TEXT_MUTATORS),
                                 relative_to=ROOT)
    assert report.runs == len(files) * (1 + len(ecosystem_fuzz.TEXT_MUTATORS))
    assert set(report.by_mutator) >= {m.__name__ for m in ecosystem_fuzz.TEXT_MUTATORS}
    assert set(report.by_mutator) >= {m.__name__ for m in ecosystem_fuzz.NOTEBOOK_MUTATORS}
    assert not report.failures, ecosystem_fuzz.format_report(report)


def test_checker_reports_an_internal_error(monkeypatch):
    """The fuzzer's oracle works: a crash inside the per-file check is a failure, not a pass."""
    import kerascheck.runner

    checker = ecosystem_fuzz.Checker()

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(kerascheck.runner, "check_source", broken)
    outcome = checker.check("x.py", b"import keras\nmodel.compile(loss='mse')\n")
    assert "boom" in outcome.problem


def test_checker_reports_a_time_out():
    checker = ecosystem_fuzz.Checker(time_bound=0.0)
    outcome = checker.check("x.py", b"import keras\nmodel.compile(loss='mse')\n")
    assert "bound" in outcome.problem


@pytest.mark.parametrize("mutator", ecosystem_fuzz.TEXT_MUTATORS + ecosystem_fuzz.NOTEBOOK_MUTATORS,
                         ids=lambda m: m.__name__)
def test_mutators_are_seeded_and_change_the_file(mutator):
    path = ROOT / ("fixtures/notebooks/fashion_mnist.ipynb" if mutator.__name__.startswith("notebook")
                   else "fixtures/mnist_cnn_bce.py")
    data = path.read_bytes()
    outputs = [mutator(data, random.Random(7)) for _ in range(2)]
    assert outputs[0] == outputs[1]
    assert any(mutator(data, random.Random(seed)) != data for seed in range(5))


def test_mutation_sequence_depends_on_seed_and_path_only():
    data = (ROOT / "fixtures/mnist_cnn_bce.py").read_bytes()
    first = list(ecosystem_fuzz.mutations("a.py", data, 1, 12))
    assert first == list(ecosystem_fuzz.mutations("a.py", data, 1, 12))
    assert first != list(ecosystem_fuzz.mutations("b.py", data, 1, 12))
    assert sorted(name for name, _ in first[:len(ecosystem_fuzz.TEXT_MUTATORS)]) == \
        sorted(m.__name__ for m in ecosystem_fuzz.TEXT_MUTATORS)


# ---------------------------------------------------------------- the pinned list and the snapshot


def test_package_list_is_pinned_and_described():
    packages = ecosystem.read_packages()
    assert len(packages) >= 150
    for package in packages:
        assert package.version and package.comment, package.pin
        assert ".compile(" in package.comment, package.pin


def test_snapshot_is_sorted_and_names_listed_packages():
    lines = ecosystem.read_snapshot()
    assert lines, "scripts/ecosystem/snapshot.txt is empty"
    assert lines == sorted(lines)
    pins = {p.pin for p in ecosystem.read_packages()}
    for line in lines:
        code, package, where = line.split(" ", 2)
        assert code.startswith("KC") and package in pins, line
        assert not Path(where.split(":")[0]).is_absolute(), line


def _result(package, *findings):
    return {"package": package, "findings": [dict(path=p, line=n, code=c, message=f"{c} at {p}:{n}", fix=False)
                                             for c, p, n in findings]}


def test_compare_shows_added_and_removed_per_code():
    snapshot = ["KC101 a==1 x.py:3", "KC304 a==1 x.py:9", "KC304 b==2 y.py:1"]
    results = [_result("a==1", ("KC101", "x.py", 3), ("KC201", "x.py", 4))]
    text = ecosystem.compare(results, snapshot, {"a==1"})
    assert "1 findings added, 1 removed" in text
    assert "KC201: +1 -0" in text and "+ a==1 x.py:4  KC201 at x.py:4" in text
    assert "KC304: +0 -1" in text and "- a==1 x.py:9" in text
    assert "b==2" not in text  # not run: not compared
    assert ecosystem.compare([_result("a==1", ("KC101", "x.py", 3), ("KC304", "x.py", 9))], snapshot,
                             {"a==1"}) == ""


def test_snapshot_lines_are_relative_and_sorted():
    results = [_result("b==1", ("KC304", "z.py", 2)), _result("a==1", ("KC101", "x.py", 3))]
    assert ecosystem.snapshot_lines(results) == ["KC101 a==1 x.py:3", "KC304 b==1 z.py:2"]


# ---------------------------------------------------------------- unpacking a distribution safely


def _tar(tmp_path, members: dict) -> Path:
    archive = tmp_path / "pkg-1.0.tar.gz"
    with tarfile.open(archive, "w:gz") as bundle:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            bundle.addfile(info, io.BytesIO(data))
    return archive


def test_unpack_keeps_sources_and_pins_only_and_never_leaves_the_folder(tmp_path):
    archive = _tar(tmp_path, {"pkg-1.0/pkg/model.py": b"import keras\n", "pkg-1.0/requirements.txt": b"keras==2.3.1\n",
                              "pkg-1.0/data/weights.h5": b"\x00" * 10, "pkg-1.0/../evil.py": b"x = 1\n",
                              "pkg-1.0/nb/demo.ipynb": b"{}"})
    destination = tmp_path / "src" / "pkg-1.0"
    ecosystem.unpack(archive, destination)
    kept = sorted(str(p.relative_to(destination)) for p in destination.rglob("*") if p.is_file())
    assert kept == [ecosystem.STAMP, "nb/demo.ipynb", "pkg/model.py", "requirements.txt"]
    assert (destination / ".git").is_dir()  # its own project root
    assert not (tmp_path / "src" / "evil.py").exists() and not (tmp_path / "evil.py").exists()


def test_choose_file_prefers_the_sdist_of_the_pinned_version():
    files = [{"filename": "keras_tcn-3.5.7-py3-none-any.whl"}, {"filename": "keras-tcn-3.5.7.tar.gz"},
             {"filename": "keras-tcn-3.5.6.tar.gz"}]
    package = ecosystem.Package("keras-tcn", "3.5.7")
    assert ecosystem.choose_file(files, package)["filename"] == "keras-tcn-3.5.7.tar.gz"
    assert ecosystem.choose_file(files[:1], package)["filename"] == "keras_tcn-3.5.7-py3-none-any.whl"
    assert ecosystem.choose_file(files[2:], package) is None
