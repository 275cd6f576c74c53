"""The pre-commit hook, driven by the real pre-commit in a throwaway git repository.

pre-commit clones this checkout at its HEAD commit (what a user's `rev:` pins)
and installs the hook's environment with pip (~20 s, package registry only).
Uncommitted changes to this checkout are not part of what is tested.
"""

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.conftest import REPO

BAD = textwrap.dedent("""\
    from keras.models import Sequential
    from keras.layers import Dense
    model = Sequential([Dense(10, activation='softmax')])
    model.compile(loss='binary_crossentropy', optimizer='adam')
""")
GOOD = BAD.replace("binary_crossentropy", "categorical_crossentropy")


def git(*args, cwd):
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_pre_commit_hook_blocks_a_bad_commit_and_lets_a_good_one_through(tmp_path):
    head = git("rev-parse", "HEAD", cwd=REPO)
    if head.returncode != 0 or shutil.which("git") is None:
        pytest.skip("not a git checkout")
    pre_commit = [sys.executable, "-m", "pre_commit"]
    env = dict(os.environ, PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"), PRE_COMMIT_COLOR="never",
               GIT_CONFIG_NOSYSTEM="1")
    for variable in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        env.pop(variable, None)
    project = tmp_path / "project"
    project.mkdir()
    assert git("init", "-q", cwd=project).returncode == 0
    git("config", "user.email", "dev@example.invalid", cwd=project)
    git("config", "user.name", "Dev", cwd=project)
    (project / ".pre-commit-config.yaml").write_text(
        f"repos:\n- repo: {REPO.as_posix()}\n  rev: {head.stdout.strip()}\n  hooks:\n  - id: kerascheck\n")
    installed = subprocess.run([*pre_commit, "install"], cwd=project, env=env, capture_output=True, text=True)
    assert installed.returncode == 0, installed.stderr

    def commit(message):
        git("add", "-A", cwd=project)
        return subprocess.run(["git", "commit", "-q", "-m", message], cwd=project, env=env, capture_output=True,
                              text=True, timeout=600)

    (project / "train.py").write_text(BAD)
    notebook = json.dumps({"cells": [
        {"cell_type": "markdown", "metadata": {}, "source": ["# explore"]},
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": BAD}],
        "metadata": {}, "nbformat": 4, "nbformat_minor": 5})
    (project / "explore.ipynb").write_text(notebook)
    blocked = commit("bad")
    output = blocked.stdout + blocked.stderr
    assert blocked.returncode != 0, output
    assert "kerascheck" in output and "Failed" in output
    assert "train.py:4:20: KC201 " in output
    assert "explore.ipynb:cell 2:4:20: KC201 " in output
    assert git("rev-parse", "HEAD", cwd=project).returncode != 0  # nothing was committed

    (project / "train.py").write_text(GOOD)
    (project / "explore.ipynb").write_text(notebook.replace("binary_crossentropy", "categorical_crossentropy"))
    passed = commit("good")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "Passed" in passed.stdout + passed.stderr
    assert git("rev-parse", "HEAD", cwd=project).returncode == 0
    assert Path(project / ".git" / "hooks" / "pre-commit").exists()
