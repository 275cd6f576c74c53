#!/usr/bin/env bash
# Create the two real-Keras virtualenvs the runtime tests run against.
#
#   KERASCHECK_KERAS3_VENV   (default <repo>/.ci-venvs/keras3):  Python 3.9+,
#                            tensorflow-cpu 2.21.0 (keras 3.15.1) + tf_keras 2.21.0
#   KERASCHECK_KERAS23_VENV  (default <repo>/.ci-venvs/keras23): Python 3.7,
#                            tensorflow 1.15.5 + keras 2.3.1 (TensorFlow 1.15 has no wheel for a newer Python)
#   KERASCHECK_PY3           interpreter for the Keras 3 venv (default: python3)
#   KERASCHECK_PY37          a Python 3.7 interpreter for the Keras 2.3 venv. Default: the first found of
#                            pyenv's 3.7 (`pyenv prefix`), `python3.7` on PATH, `uv python find 3.7`.
#   KERASCHECK_REQUIRE_KERAS_ENVS=1
#                            (CI sets it) no Python 3.7 is an error here, and a missing real-Keras
#                            interpreter fails the runtime tests instead of skipping them.
#
# `bash .ci/setup_keras_envs.sh --find-python37` only prints the Python 3.7 it would use (nothing: none).
#
# Without a Python 3.7 the Keras 2.3.1 venv is not made: this script says so (loudly) and the
# tests that need it are skipped with that reason. Idempotent: a venv whose python already imports
# keras is left alone. At the end it prints the two export lines the tests read
# (KERASCHECK_TEST_PY_KERAS3 / KERASCHECK_TEST_PY_KERAS23); without them the tests look in the
# default folders above.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
keras3_venv="${KERASCHECK_KERAS3_VENV:-$repo/.ci-venvs/keras3}"
keras23_venv="${KERASCHECK_KERAS23_VENV:-$repo/.ci-venvs/keras23}"
py3="${KERASCHECK_PY3:-python3}"
require="${KERASCHECK_REQUIRE_KERAS_ENVS:-}"
started=$SECONDS

log() { echo "[setup_keras_envs +$((SECONDS - started))s] $*" >&2; }

# True when the venv's python imports keras (TF logs silenced, output dropped).
has_keras() {
    [ -x "$1/bin/python" ] &&
        TF_CPP_MIN_LOG_LEVEL=3 "$1/bin/python" -c "import keras" >/dev/null 2>&1
}

is_python37() {  # is_python37 <interpreter>
    [ -n "$1" ] && "$1" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 7))' >/dev/null 2>&1
}

find_python37() {  # prints the interpreter, or nothing
    local candidate
    if [ -n "${KERASCHECK_PY37:-}" ]; then
        if is_python37 "$KERASCHECK_PY37"; then echo "$KERASCHECK_PY37"; fi
        return 0  # asked for explicitly: no other guess
    fi
    if command -v pyenv >/dev/null 2>&1; then
        for version in $(pyenv versions --bare 2>/dev/null | grep -E '^3\.7(\.[0-9]+)?$' | sort -t. -k3,3nr); do
            candidate="$(pyenv prefix "$version" 2>/dev/null)/bin/python"
            if is_python37 "$candidate"; then echo "$candidate"; return 0; fi
        done
    fi
    candidate="$(command -v python3.7 2>/dev/null || true)"
    if is_python37 "$candidate"; then echo "$candidate"; return 0; fi
    if command -v uv >/dev/null 2>&1; then
        candidate="$(uv python find 3.7 2>/dev/null || true)"
        if is_python37 "$candidate"; then echo "$candidate"; return 0; fi
    fi
    return 0
}

if [ "${1:-}" = "--find-python37" ]; then
    find_python37
    exit 0
fi

make_venv() {  # make_venv <python> <dir>
    if ! command -v "$1" >/dev/null 2>&1 && [ ! -x "$1" ]; then
        log "interpreter not found: $1"
        exit 2
    fi
    rm -rf "$2"
    "$1" -m venv "$2"
    "$2/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip
}

pip_install() {  # pip_install <venv> <pip arguments...>: pip's own progress, one line per package
    local venv="$1"
    shift
    "$venv/bin/python" -m pip install --disable-pip-version-check --progress-bar off "$@" 2>&1 |
        awk -v prefix="[setup_keras_envs]   " \
            '/^(Collecting|Downloading|Using cached|Installing collected|Successfully installed|ERROR|error)/ \
             { print prefix $0; fflush() }' >&2
}

if has_keras "$keras3_venv"; then
    log "keras3 venv ready: $keras3_venv"
else
    log "creating the Keras 3 venv at $keras3_venv with $py3 (tensorflow-cpu 2.21.0 + tf_keras 2.21.0)"
    make_venv "$py3" "$keras3_venv"
    pip_install "$keras3_venv" "tensorflow-cpu==2.21.0"
    # --no-deps: tf_keras would otherwise pull the CUDA build of tensorflow
    pip_install "$keras3_venv" --no-deps "tf_keras==2.21.0"
    has_keras "$keras3_venv" || { log "keras does not import in $keras3_venv"; exit 1; }
    log "keras3 venv ready: $keras3_venv"
fi

keras23_ready=""
if has_keras "$keras23_venv"; then
    log "keras23 venv ready: $keras23_venv"
    keras23_ready=1
else
    py37="$(find_python37)"
    if [ -z "$py37" ]; then
        {
            echo "################################################################################"
            echo "# NO PYTHON 3.7 FOUND: the Keras 2.3.1 venv is NOT created, and the runtime"
            echo "# tests that need Keras 2.3.1 (TensorFlow 1.15: Python 3.7 at most) are SKIPPED."
            if [ -n "${KERASCHECK_PY37:-}" ]; then
                echo "# KERASCHECK_PY37=$KERASCHECK_PY37 is not a Python 3.7 interpreter."
            else
                echo "# Looked for: pyenv's 3.7, python3.7 on PATH, \`uv python find 3.7\`."
            fi
            echo "# Install one (\`pyenv install 3.7\`, or \`uv python install 3.7\`) and run this"
            echo "# script again, or point at one: KERASCHECK_PY37=/path/to/python3.7"
            echo "################################################################################"
        } >&2
        if [ -n "$require" ]; then
            log "KERASCHECK_REQUIRE_KERAS_ENVS is set: a missing Python 3.7 is an error"
            exit 1
        fi
    else
        log "creating the Keras 2.3.1 venv at $keras23_venv with $py37 (tensorflow 1.15.5 + keras 2.3.1)"
        make_venv "$py37" "$keras23_venv"
        pip_install "$keras23_venv" "tensorflow==1.15.5" "keras==2.3.1" "h5py<3" "protobuf<3.21"
        has_keras "$keras23_venv" || { log "keras does not import in $keras23_venv"; exit 1; }
        log "keras23 venv ready: $keras23_venv"
        keras23_ready=1
    fi
fi

log "done"
echo "export KERASCHECK_TEST_PY_KERAS3=$keras3_venv/bin/python"
if [ -n "$keras23_ready" ]; then
    echo "export KERASCHECK_TEST_PY_KERAS23=$keras23_venv/bin/python"
fi
