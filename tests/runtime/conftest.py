"""Real interpreters with real Keras for the runtime tests (no mocks).

KERASCHECK_TEST_PY_KERAS3 / KERASCHECK_TEST_PY_KERAS23 name them (.ci/setup_keras_envs.sh
prints both). Without the variable the folders that script creates are tried; a test is
skipped, with the reason, only when neither gives an interpreter, and fails instead when
KERASCHECK_REQUIRE_KERAS_ENVS is set (CI sets it: there the tests must run). A variable
that points at a missing file is an error, not a skip: someone asked for that interpreter.
"""

import os

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

_CANDIDATES = {
    "KERASCHECK_TEST_PY_KERAS3": [os.path.join(REPO, ".ci-venvs", "keras3", "bin", "python")],
    "KERASCHECK_TEST_PY_KERAS23": [os.path.join(REPO, ".ci-venvs", "keras23", "bin", "python")],
}
_WHAT = {
    "KERASCHECK_TEST_PY_KERAS3": "Keras 3 (tensorflow-cpu 2.21)",
    "KERASCHECK_TEST_PY_KERAS23": "Keras 2.3.1 (TensorFlow 1.15, needs a Python 3.7: set KERASCHECK_PY37 "
                                  "if .ci/setup_keras_envs.sh did not find one)",
}


def missing_interpreter(reason):
    """Skip with `reason`; under KERASCHECK_REQUIRE_KERAS_ENVS (CI), fail with it."""
    if os.environ.get("KERASCHECK_REQUIRE_KERAS_ENVS"):
        pytest.fail("KERASCHECK_REQUIRE_KERAS_ENVS is set and " + reason)
    pytest.skip(reason)


def find_python(var):
    value = os.environ.get(var)
    if value:
        if not os.path.exists(value):
            pytest.fail("%s=%s does not exist" % (var, value))
        return value
    for path in _CANDIDATES[var]:
        if os.path.exists(path):
            return path
    missing_interpreter("no interpreter with %s: run .ci/setup_keras_envs.sh or set %s (tried %s)"
                        % (_WHAT[var], var, ", ".join(_CANDIDATES[var])))


@pytest.fixture(scope="session")
def py_keras3():
    return find_python("KERASCHECK_TEST_PY_KERAS3")


@pytest.fixture(scope="session")
def py_keras23():
    return find_python("KERASCHECK_TEST_PY_KERAS23")
