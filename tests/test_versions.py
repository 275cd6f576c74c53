import pytest

from kerascheck import versions


@pytest.mark.parametrize("spec, package, version, by_loss", [
    ("2.3.1", "keras", (2, 3, 1), True),
    ("keras==2.3.1", "keras", (2, 3, 1), True),
    ("tensorflow==2.1", "tensorflow", (2, 1), True),
    ("tensorflow==2.2.0", "tensorflow", (2, 2, 0), False),
    ("tf-keras==2.21", "tf_keras", (2, 21), False),
    ("3", "keras", (3,), False),
    ("keras==2.6.0", "keras", (2, 6, 0), False),
    ("tensorflow-gpu==1.15.5", "tensorflow", (1, 15, 5), True),
])
def test_parse_spec(spec, package, version, by_loss):
    target = versions.parse_spec(spec)
    assert (target.package, target.version, target.accuracy_by_loss) == (package, version, by_loss)


@pytest.mark.parametrize("bad", ["pytorch==2.0", "latest", "keras>=", "=="])
def test_bad_spec_is_an_error(bad):
    with pytest.raises(versions.VersionSpecError):
        versions.parse_spec(bad)


def test_unknown_spec():
    assert not versions.parse_spec("unknown").known


def test_repository_pins(tmp_path):
    (tmp_path / "requirements.txt").write_text("numpy==1.16\nKeras==2.2.4  # old\ntensorflow-gpu==1.13.1\n")
    target = versions.from_repository(tmp_path)
    assert (target.package, target.version) == ("keras", (2, 2, 4))


def test_pyproject_pins(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project]\ndependencies = ["tensorflow==2.1.0", "pandas"]\n')
    target = versions.from_repository(tmp_path)
    assert (target.package, target.version, target.accuracy_by_loss) == ("tensorflow", (2, 1, 0), True)


def test_no_pins(tmp_path):
    (tmp_path / "requirements.txt").write_text("keras>=2\n")
    assert versions.from_repository(tmp_path) is None
