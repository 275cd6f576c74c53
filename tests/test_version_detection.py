"""Which Keras a file targets, driven through the CLI: each file follows its own project's pins, wherever
kerascheck runs from (issue 15)."""

import textwrap

import pytest

BAD = textwrap.dedent("""
    from keras.models import Sequential
    from keras.layers import Dense
    model = Sequential([Dense(10, activation='softmax')])
    model.compile(loss='binary_crossentropy', optimizer='adam', metrics=['accuracy'])
""")


def codes(result) -> list:
    return [line.split()[1] for line in result.stdout.splitlines()]


def test_pins_of_the_files_own_repository_not_the_working_directory(run_cli, tmp_path):
    project = tmp_path / "proj"
    (project / ".git").mkdir(parents=True)
    (project / "requirements.txt").write_text("keras==3.4.1\n")
    (project / "src").mkdir()
    (project / "src" / "train.py").write_text(BAD)
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / ".git").mkdir(parents=True)
    (elsewhere / "requirements.txt").write_text("keras==2.3.1\n")  # the working directory's pins: not the file's
    result = run_cli("check", "--no-cache", str(project / "src" / "train.py"), cwd=elsewhere)
    # Keras 3 resolves 'accuracy' by shape: no KC101; the loss is wrong on any Keras.
    assert codes(result) == ["KC201"], result.stdout
    result = run_cli("check", "--no-cache", "--output-format", "json", str(project / "src" / "train.py"),
                     cwd=elsewhere)
    assert "Keras 2.3.1" not in result.stdout


def test_requirements_beside_the_file_without_git_or_pyproject(run_cli, tmp_path):
    folder = tmp_path / "scripts"
    folder.mkdir()
    (folder / "requirements.txt").write_text("tensorflow==2.1.0\n")  # tf.keras 2.1 resolves 'accuracy' by loss
    (folder / "train.py").write_text(BAD)
    result = run_cli("check", "--no-cache", "--output-format", "json", str(folder / "train.py"), cwd=tmp_path)
    assert '"code": "KC101"' in result.stdout and "tf.keras in TensorFlow 2.1.0" in result.stdout
    (folder / "requirements.txt").write_text("keras==3.0.0\n")
    result = run_cli("check", "--no-cache", str(folder / "train.py"), cwd=tmp_path)
    assert codes(result) == ["KC201"]


@pytest.mark.parametrize("spec", ["4", "0.1"])
def test_implausible_version_is_a_usage_error_with_the_accepted_forms(run_cli, tmp_path, spec):
    (tmp_path / "train.py").write_text(BAD)
    result = run_cli("check", "--keras-version", spec, "train.py", cwd=tmp_path)
    assert result.returncode == 2
    assert "implausible Keras version" in result.stderr and "keras==2.3.1, tensorflow==2.1" in result.stderr
    (tmp_path / "pyproject.toml").write_text(f'[tool.kerascheck]\nkeras-version = "{spec}"\n')
    result = run_cli("check", "train.py", cwd=tmp_path)
    assert result.returncode == 2 and "pyproject.toml" in result.stderr and "implausible" in result.stderr
