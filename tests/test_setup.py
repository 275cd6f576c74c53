"""The set-up a newcomer runs (README): the Python 3.7 the legacy Keras tests need is found without a
machine-specific path, its absence is said loudly and skips those tests with the reason, and CI's flag turns
that skip into a failure."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.runtime import conftest as runtime_conftest

SCRIPT = REPO / ".ci" / "setup_keras_envs.sh"


def real_python37():
    """This machine's Python 3.7, as the script finds it with the real PATH (pyenv, python3.7, uv)."""
    found = subprocess.run(["bash", str(SCRIPT), "--find-python37"], capture_output=True, text=True,
                           env={k: v for k, v in os.environ.items() if k != "KERASCHECK_PY37"}).stdout.strip()
    if not found:
        runtime_conftest.missing_interpreter("no Python 3.7 on this machine to find")
    return found


def run_script(*args, path_dirs=(), **env):
    environment = {"PATH": os.pathsep.join([*map(str, path_dirs), "/usr/bin", "/bin"]), "HOME": os.environ.get("HOME", "/")}
    environment.update(env)
    return subprocess.run(["bash", str(SCRIPT), *args], capture_output=True, text=True, env=environment, timeout=300)


def fake_tool(folder: Path, name: str, body: str) -> None:
    folder.mkdir(exist_ok=True)
    (folder / name).write_text("#!/bin/sh\n" + body)
    (folder / name).chmod(0o755)


def test_python37_found_on_path_by_pyenv_and_by_uv_and_never_at_a_fixed_path(tmp_path):
    python37 = real_python37()
    assert run_script("--find-python37").stdout == ""  # nothing on a bare PATH: no built-in machine path
    on_path = tmp_path / "path"
    on_path.mkdir()
    (on_path / "python3.7").symlink_to(python37)
    assert run_script("--find-python37", path_dirs=[on_path]).stdout.strip() == str(on_path / "python3.7")
    prefix = Path(python37).resolve().parent.parent
    fake_tool(tmp_path / "pyenv", "pyenv", f'case "$1" in versions) echo 3.6.15; echo 3.7.99;; '
                                            f'prefix) echo "{prefix}";; esac\n')
    assert run_script("--find-python37", path_dirs=[tmp_path / "pyenv"]).stdout.strip() == f"{prefix}/bin/python"
    fake_tool(tmp_path / "uv", "uv", f'[ "$1 $2 $3" = "python find 3.7" ] && echo "{python37}"\n')
    assert run_script("--find-python37", path_dirs=[tmp_path / "uv"]).stdout.strip() == python37
    # Asked for explicitly: that one or none.
    assert run_script("--find-python37", path_dirs=[on_path], KERASCHECK_PY37=sys.executable).stdout == ""
    assert run_script("--find-python37", KERASCHECK_PY37=python37).stdout.strip() == python37


def test_no_python37_is_said_loudly_and_is_an_error_only_where_required(tmp_path):
    from tests.runtime.conftest import find_python

    keras3_venv = Path(find_python("KERASCHECK_TEST_PY_KERAS3")).parent.parent  # ready: nothing installed
    env = dict(KERASCHECK_KERAS3_VENV=str(keras3_venv), KERASCHECK_KERAS23_VENV=str(tmp_path / "keras23"))
    result = run_script(**env)
    assert result.returncode == 0, result.stderr
    assert "NO PYTHON 3.7 FOUND" in result.stderr and "SKIPPED" in result.stderr
    assert "KERASCHECK_TEST_PY_KERAS3=" in result.stdout and "KERAS23" not in result.stdout
    assert not (tmp_path / "keras23").exists()
    required = run_script(KERASCHECK_REQUIRE_KERAS_ENVS="1", **env)
    assert required.returncode == 1 and "NO PYTHON 3.7 FOUND" in required.stderr


def test_a_missing_interpreter_skips_with_its_reason_or_fails_where_required(monkeypatch, tmp_path):
    monkeypatch.delenv("KERASCHECK_TEST_PY_KERAS23", raising=False)
    monkeypatch.setattr(runtime_conftest, "_CANDIDATES", {"KERASCHECK_TEST_PY_KERAS23": [str(tmp_path / "none")]})
    monkeypatch.delenv("KERASCHECK_REQUIRE_KERAS_ENVS", raising=False)
    with pytest.raises(pytest.skip.Exception) as skipped:
        runtime_conftest.find_python("KERASCHECK_TEST_PY_KERAS23")
    assert "Keras 2.3.1" in str(skipped.value) and "KERASCHECK_PY37" in str(skipped.value)
    monkeypatch.setenv("KERASCHECK_REQUIRE_KERAS_ENVS", "1")
    with pytest.raises(pytest.fail.Exception) as failed:
        runtime_conftest.find_python("KERASCHECK_TEST_PY_KERAS23")
    assert "KERASCHECK_REQUIRE_KERAS_ENVS is set" in str(failed.value)


def test_ci_requires_the_keras_environments():
    assert "export KERASCHECK_REQUIRE_KERAS_ENVS=1" in (REPO / ".ci" / "run").read_text()
