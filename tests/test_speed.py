"""The results cache and the worker processes: same output, fewer reads.

Timing itself is bench/run.py's job (numbers on a quiet machine); these tests
check the behaviour that makes the numbers honest: a second run with nothing
changed reads the cache and never imports libcst; a change of content or of
configuration is seen; a broken cache is ignored; writes are atomic; the output is
the same for any number of jobs.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest

from tests.conftest import FIXTURES

GOOD = ("import keras\nm = keras.Sequential([keras.layers.Dense(3, activation='softmax')])\n"
        "m.compile(loss='binary_crossentropy', metrics=['accuracy'])\n")
CLEAN = GOOD.replace("binary_crossentropy", "categorical_crossentropy")


@pytest.fixture
def project(tmp_path, monkeypatch):
    root = tmp_path / "project"
    root.mkdir()
    for path in sorted(FIXTURES.glob("*.py")):
        shutil.copyfile(path, root / path.name)
    (root / "clean.py").write_text(CLEAN)
    monkeypatch.setenv("KERASCHECK_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("KERASCHECK_PARALLEL_MIN_BYTES", "0")
    return root


def _no_libcst(tmp_path, monkeypatch):
    """Make `import libcst` fail in the child process: proof that a run never needed it."""
    site = tmp_path / "site"
    site.mkdir(exist_ok=True)
    (site / "sitecustomize.py").write_text("import sys\nsys.modules['libcst'] = None\n")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")]))


def test_second_run_uses_the_cache_and_never_imports_libcst(run_cli, project, tmp_path, monkeypatch):
    first = run_cli(".", "--output-format", "json", cwd=project)
    assert first.returncode == 1 and "Traceback" not in first.stderr
    assert list((tmp_path / "cache").glob("results-*.json"))
    _no_libcst(tmp_path, monkeypatch)
    second = run_cli(".", "--output-format", "json", cwd=project)
    assert "Traceback" not in second.stderr, second.stderr
    assert (second.stdout, second.returncode) == (first.stdout, first.returncode)
    # Without the cache the same run needs libcst: the check above is not vacuous.
    third = run_cli(".", "--output-format", "json", "--no-cache", cwd=project)
    assert third.returncode == 2 or third.stdout != first.stdout


def test_cache_is_keyed_by_content_even_when_size_and_mtime_are_kept(run_cli, project):
    target = project / "clean.py"
    time.sleep(2.2)  # older than the racy window: the cache trusts this file's stat from now on
    assert run_cli("clean.py", cwd=project).returncode == 0
    before = target.stat()
    changed = GOOD.ljust(len(CLEAN))  # same size, different content
    assert len(changed) == len(CLEAN)
    target.write_text(changed)
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))
    result = run_cli("clean.py", cwd=project)
    assert result.returncode == 1 and "KC201" in result.stdout


def test_cache_is_keyed_by_configuration(run_cli, project):
    everything = run_cli(".", cwd=project).stdout
    only_kc2 = run_cli(".", "--select", "KC2", cwd=project).stdout
    assert only_kc2 and all(" KC2" in line for line in only_kc2.splitlines())
    assert run_cli(".", cwd=project).stdout == everything
    (project / "pyproject.toml").write_text('[tool.kerascheck]\nignore = ["KC201"]\n')
    assert " KC201 " not in run_cli(".", cwd=project).stdout


def test_a_broken_cache_is_ignored_and_replaced(run_cli, project, tmp_path):
    expected = run_cli(".", "--no-cache", cwd=project).stdout
    run_cli(".", cwd=project)
    for path in (tmp_path / "cache").glob("results-*.json"):
        path.write_bytes(b"\x00garbage{")
    result = run_cli(".", cwd=project)
    assert result.stdout == expected and "Traceback" not in result.stderr
    for path in (tmp_path / "cache").glob("results-*.json"):
        json.loads(path.read_text())
    # Entries of the wrong shape are misses, not crashes.
    for path in (tmp_path / "cache").glob("results-*.json"):
        data = json.loads(path.read_text())
        data["files"] = {key: [None, 1, "x", [{"bogus": 1}], None] for key in data["files"]}
        path.write_text(json.dumps(data))
    result = run_cli(".", cwd=project)
    assert result.stdout == expected and "Traceback" not in result.stderr


def test_no_cache_writes_nothing_and_writes_are_atomic(run_cli, project, tmp_path):
    run_cli(".", "--no-cache", cwd=project)
    assert not (tmp_path / "cache").exists()
    run_cli(".", cwd=project)
    names = sorted(p.name for p in (tmp_path / "cache").iterdir())
    assert [n for n in names if n.endswith(".tmp")] == []
    assert ".gitignore" in names and len([n for n in names if n.startswith("results-")]) == 1


def test_default_cache_folder_is_at_the_project_root_and_ignored(run_cli, tmp_path, monkeypatch):
    monkeypatch.delenv("KERASCHECK_CACHE_DIR", raising=False)
    root = tmp_path / "repo"
    (root / "src").mkdir(parents=True)
    (root / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    (root / "src" / "m.py").write_text(GOOD)
    run_cli(".", cwd=root / "src")
    assert (root / ".kerascheck_cache" / ".gitignore").read_text().strip().endswith("*")


@pytest.mark.parametrize("output_format", ["text", "json"])
def test_same_output_for_any_number_of_jobs(run_cli, project, output_format):
    outputs = {run_cli(".", "--no-cache", "-j", jobs, "--output-format", output_format, cwd=project).stdout
               for jobs in ("1", "2", "4")}
    assert len(outputs) == 1


def test_jobs_must_be_positive(run_cli, project):
    result = run_cli(".", "-j", "0", cwd=project)
    assert result.returncode == 2 and "Traceback" not in result.stderr


def test_cache_in_process_round_trip(tmp_path):
    """A finding comes back from the cache equal to what was stored; a racy stat is not trusted."""
    from kerascheck.cache import ResultCache
    from kerascheck.findings import Finding

    finding = Finding("a.py", 3, 5, "KC201", "name", "message", 3, 9, cell=2)
    source = tmp_path / "a.py"
    source.write_text("x = 1\n")
    cache = ResultCache(tmp_path / "c")
    cache.store("a.py", source.stat(), "digest", "options", [finding])
    cache.save()
    again = ResultCache(tmp_path / "c")
    assert again.lookup_digest("a.py", "digest", "options", source.stat()) == [finding]
    assert again.lookup_digest("a.py", "other", "options", source.stat()) is None
    assert again.lookup_digest("a.py", "digest", "other options", source.stat()) is None
    # Written just now: the stat shortcut is not trusted, the digest decides.
    assert again.lookup_stat("a.py", source.stat(), "options") is None


def test_facts_never_need_libcst_only_fixes_do(run_cli, tmp_path, monkeypatch):
    """Extraction reads CPython's ast; libcst (11x slower to parse) is loaded only to compute fixes."""
    nothing_to_fix = tmp_path / "nothing_to_fix"
    nothing_to_fix.mkdir()
    (nothing_to_fix / "softmax_bce.py").write_text(  # KC201 has no fix
        "import keras\nm = keras.Sequential([keras.layers.Dense(3, activation='softmax')])\n"
        "m.compile(loss='binary_crossentropy', metrics=['categorical_accuracy'])\n"
        "m.fit(x, y, epochs=2)\n")
    (nothing_to_fix / "clean.py").write_text(CLEAN)
    (nothing_to_fix / "plain.py").write_text("import re\nPATTERN = re.compile('x')\n")
    something_to_fix = tmp_path / "something_to_fix"
    shutil.copytree(nothing_to_fix, something_to_fix)
    (something_to_fix / "keras1.py").write_text("import keras\nm = keras.Sequential()\nm.fit(x, y, nb_epoch=2)\n")
    runs = {}
    for blocked in (False, True):
        if blocked:
            _no_libcst(tmp_path, monkeypatch)
        for root in (nothing_to_fix, something_to_fix):
            runs[root.name, blocked] = run_cli(".", "--no-cache", "--output-format", "json", cwd=root)
    reference = runs["nothing_to_fix", False]
    assert reference.returncode == 1 and "KC201" in reference.stdout
    without_libcst = runs["nothing_to_fix", True]
    assert "Traceback" not in without_libcst.stderr, without_libcst.stderr
    assert (without_libcst.stdout, without_libcst.returncode) == (reference.stdout, reference.returncode)
    # With a fix to compute, the same block does take something away: the check above is not vacuous.
    assert any(finding.get("fix") for finding in json.loads(runs["something_to_fix", False].stdout))
    assert runs["something_to_fix", True].stdout != runs["something_to_fix", False].stdout


def _old(path, seconds=10):
    """Set path's mtime `seconds` in the past: older than the cache's racy window, so its stat is trusted."""
    when = time.time_ns() - seconds * 1_000_000_000
    os.utime(path, ns=(when, when))


def test_a_change_within_the_same_tick_and_size_is_seen(run_cli, project):
    """Git's racy case: written, checked and rewritten (same size, same mtime) within one second."""
    target = project / "clean.py"
    assert run_cli("clean.py", cwd=project).returncode == 0
    before = target.stat()
    target.write_text(GOOD.ljust(len(CLEAN)))
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert target.stat().st_size == before.st_size
    result = run_cli("clean.py", cwd=project)
    assert result.returncode == 1 and "KC201" in result.stdout


def test_a_touched_but_identical_file_is_a_hit(run_cli, project, tmp_path, monkeypatch):
    for path in project.iterdir():
        _old(path)
    first = run_cli(".", "--output-format", "json", cwd=project)
    for path in project.iterdir():  # new mtimes, same bytes
        _old(path, seconds=5)
    _no_libcst(tmp_path, monkeypatch)
    second = run_cli(".", "--output-format", "json", cwd=project)
    assert "Traceback" not in second.stderr, second.stderr
    assert (second.stdout, second.returncode) == (first.stdout, first.returncode)


def test_an_edited_file_is_a_miss(run_cli, project):
    target = project / "clean.py"
    _old(target)
    assert run_cli(".", cwd=project).returncode == 1
    assert "clean.py" not in run_cli(".", cwd=project).stdout
    target.write_text(GOOD + "# edited\n")
    result = run_cli(".", cwd=project)
    assert "clean.py:" in result.stdout and "KC201" in result.stdout


def test_all_hits_start_no_worker_process(tmp_path, monkeypatch):
    from kerascheck import parallel, pipeline
    from kerascheck.config import Options

    monkeypatch.chdir(tmp_path)
    for index in range(4):
        (tmp_path / f"m{index}.py").write_text(GOOD)
        _old(tmp_path / f"m{index}.py")
    monkeypatch.setattr(parallel, "_PARALLEL_MIN_BYTES", 0)
    files = sorted(path.name for path in tmp_path.glob("*.py"))
    options = Options()
    first = pipeline.check_files(files, lambda _path: options, jobs=2, cache_dir=tmp_path / "cache")

    def fail(*_args, **_kwargs):
        raise AssertionError("a cache hit started work")

    monkeypatch.setattr(parallel, "_pool", fail)
    monkeypatch.setattr(pipeline, "check_task", fail)
    again = pipeline.check_files(files, lambda _path: options, jobs=2, cache_dir=tmp_path / "cache")
    assert [r.findings for r in again] == [r.findings for r in first] and first[0].findings


def test_installed_distributions_name_the_cache_file(tmp_path, monkeypatch):
    """What is installed stands for libcst's and Keras's versions: installing or upgrading one is a new cache."""
    import sys

    from kerascheck import cache

    site = tmp_path / "site"
    (site / "keras-3.0.0.dist-info").mkdir(parents=True)
    monkeypatch.setattr(sys, "path", [str(tmp_path / "empty"), str(site)])
    before = cache._package_fingerprint()
    assert cache.installed_distributions()[0][0] == str(site)
    (site / "keras-3.0.0.dist-info").rename(site / "keras-3.1.0.dist-info")
    assert cache._package_fingerprint() != before
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.txt").write_text("a folder without distributions does not count")
    monkeypatch.setattr(sys, "path", [str(tmp_path / "empty"), str(site)])
    after = cache._package_fingerprint()
    monkeypatch.setattr(sys, "path", [str(site)])
    assert cache._package_fingerprint() == after


def test_file_settings_resolve_folders_as_realpath(tmp_path, monkeypatch):
    """Per-folder settings find the nearest pyproject through a symlinked folder as Path.resolve would."""
    from kerascheck.config import FileOptions

    real = tmp_path / "real" / "pkg"
    real.mkdir(parents=True)
    (tmp_path / "real" / "pyproject.toml").write_text('[tool.kerascheck]\nignore = ["KC201"]\n')
    (tmp_path / "work").mkdir()
    (tmp_path / "work" / "link").symlink_to(real, target_is_directory=True)
    (real / "m.py").write_text(GOOD)
    monkeypatch.chdir(tmp_path / "work")
    file_options = FileOptions()
    assert file_options._real_folder("link") == os.path.realpath("link")
    assert file_options._real_folder("link/sub/..") == os.path.realpath("link/sub/..")
    assert file_options.file_settings("link/m.py")[1].ignore == ("KC201",)
    assert file_options.options_for(Path("link/m.py")).ignore == ("KC201",)


def test_fix_marks_need_no_edit_and_no_libcst(run_cli, tmp_path, monkeypatch):
    """The [*] marks and the hidden-fix count come from the rules' fix intents: a text check computes no edit,
    so it runs the same with libcst unavailable (issue 11: marks once cost a quadratic scan of the file)."""
    project = tmp_path / "project"
    project.mkdir()
    (project / "keras1.py").write_text(
        "import keras\nm = keras.Sequential([keras.layers.Dense(10, activation='softmax')])\n"
        "m.compile(loss='binary_crossentropy', metrics=['accuracy'])\nm.fit(x, y, nb_epoch=2)\n")
    reference = run_cli(".", "--no-cache", cwd=project)
    assert " KC302 [*] " in reference.stdout and "hidden fix" in reference.stderr
    _no_libcst(tmp_path, monkeypatch)
    blocked = run_cli(".", "--no-cache", cwd=project)
    assert "Traceback" not in blocked.stderr, blocked.stderr
    assert (blocked.stdout, blocked.stderr, blocked.returncode) == \
        (reference.stdout, reference.stderr, reference.returncode)
