#!/usr/bin/env bash
# Create the two real-Keras virtualenvs the runtime tests run against.
#
#   KERASCHECK_KERAS3_VENV   (default <repo>/.ci-venvs/keras3):  Python 3.11+,
#                            tensorflow-cpu 2.21.0 (keras 3.15.1) + tf_keras 2.21.0
#   KERASCHECK_KERAS23_VENV  (default <repo>/.ci-venvs/keras23): Python 3.7,
#                            tensorflow 1.15.5 + keras 2.3.1
#   KERASCHECK_PY3           interpreter for the Keras 3 venv (default: python3)
#   KERASCHECK_PY37          interpreter for the Keras 2.3 venv
#                            (default: /root/.pyenv/versions/3.7.16/bin/python)
#
# Idempotent: a venv whose python already imports keras is left alone.
# At the end it prints the two export lines the tests read
# (KERASCHECK_TEST_PY_KERAS3 / KERASCHECK_TEST_PY_KERAS23).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
keras3_venv="${KERASCHECK_KERAS3_VENV:-$repo/.ci-venvs/keras3}"
keras23_venv="${KERASCHECK_KERAS23_VENV:-$repo/.ci-venvs/keras23}"
py3="${KERASCHECK_PY3:-python3}"
py37="${KERASCHECK_PY37:-/root/.pyenv/versions/3.7.16/bin/python}"

log() { echo "[setup_keras_envs] $*" >&2; }

# True when the venv's python imports keras (TF logs silenced, output dropped).
has_keras() {
    [ -x "$1/bin/python" ] &&
        TF_CPP_MIN_LOG_LEVEL=3 "$1/bin/python" -c "import keras" >/dev/null 2>&1
}

make_venv() {  # make_venv <python> <dir>
    if ! command -v "$1" >/dev/null 2>&1 && [ ! -x "$1" ]; then
        log "interpreter not found: $1"
        exit 2
    fi
    rm -rf "$2"
    "$1" -m venv "$2"
    "$2/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip
}

pipq() {  # pip, quiet, no version nag
    "$@" -q --disable-pip-version-check
}

if has_keras "$keras3_venv"; then
    log "keras3 venv ready: $keras3_venv"
else
    log "creating keras3 venv at $keras3_venv (tensorflow-cpu 2.21.0, ~30 s)"
    make_venv "$py3" "$keras3_venv"
    pipq "$keras3_venv/bin/python" -m pip install "tensorflow-cpu==2.21.0"
    # --no-deps: tf_keras would otherwise pull the CUDA build of tensorflow
    pipq "$keras3_venv/bin/python" -m pip install --no-deps "tf_keras==2.21.0"
    has_keras "$keras3_venv" || { log "keras does not import in $keras3_venv"; exit 1; }
fi

if has_keras "$keras23_venv"; then
    log "keras23 venv ready: $keras23_venv"
else
    log "creating keras23 venv at $keras23_venv (tensorflow 1.15.5 + keras 2.3.1, ~30 s)"
    make_venv "$py37" "$keras23_venv"
    pipq "$keras23_venv/bin/python" -m pip install \
        "tensorflow==1.15.5" "keras==2.3.1" "h5py<3" "protobuf<3.21"
    has_keras "$keras23_venv" || { log "keras does not import in $keras23_venv"; exit 1; }
fi

echo "export KERASCHECK_TEST_PY_KERAS3=$keras3_venv/bin/python"
echo "export KERASCHECK_TEST_PY_KERAS23=$keras23_venv/bin/python"
