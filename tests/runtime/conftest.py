"""Real interpreters with real Keras for the runtime tests (no mocks).

KERASCHECK_TEST_PY_KERAS3 / KERASCHECK_TEST_PY_KERAS23 name them (CI sets both,
see .ci/setup_keras_envs.sh). Without the variable the default venv paths are
tried; a test is skipped only when neither exists. A variable that points at a
missing file is an error, not a skip: CI asked for that interpreter.
"""

import os

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

_CANDIDATES = {
    "KERASCHECK_TEST_PY_KERAS3": [os.path.join(REPO, ".ci-venvs", "keras3", "bin", "python"),
                                  "/work/venv-tf/bin/python"],
    "KERASCHECK_TEST_PY_KERAS23": [os.path.join(REPO, ".ci-venvs", "keras23", "bin", "python"),
                                   "/work/venv-k23/bin/python"],
}


def find_python(var):
    value = os.environ.get(var)
    if value:
        if not os.path.exists(value):
            pytest.fail("%s=%s does not exist" % (var, value))
        return value
    for path in _CANDIDATES[var]:
        if os.path.exists(path):
            return path
    pytest.skip("no interpreter for %s: set it, or run .ci/setup_keras_envs.sh (tried %s)"
                % (var, ", ".join(_CANDIDATES[var])))


@pytest.fixture(scope="session")
def py_keras3():
    return find_python("KERASCHECK_TEST_PY_KERAS3")


@pytest.fixture(scope="session")
def py_keras23():
    return find_python("KERASCHECK_TEST_PY_KERAS23")
