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


@pytest.mark.parametrize("bad", ["4", "0.1", "keras==4.0", "tensorflow==3", "tf-keras==3.1", "keras==0.3.3"])
def test_implausible_spec_is_an_error_listing_the_accepted_forms(bad):
    with pytest.raises(versions.VersionSpecError) as error:
        versions.parse_spec(bad)
    assert "implausible" in str(error.value) and versions.ACCEPTED_FORMS in str(error.value)


def test_unreadable_spec_lists_the_accepted_forms_too():
    with pytest.raises(versions.VersionSpecError) as error:
        versions.parse_spec("banana")
    assert versions.ACCEPTED_FORMS in str(error.value)


def test_an_implausible_pin_is_no_pin(tmp_path):
    (tmp_path / "requirements.txt").write_text("keras==0.3.3\ntensorflow==1.15\n")
    target = versions.from_repository(tmp_path)
    assert (target.package, target.version) == ("tensorflow", (1, 15))


def test_requirements_folder_and_setup_cfg(tmp_path):
    (tmp_path / "requirements").mkdir()
    (tmp_path / "requirements" / "base.txt").write_text("tf-keras==2.16.0\n")
    assert versions.from_repository(tmp_path).package == "tf_keras"


def test_pins_come_from_the_nearest_folder_that_pins_up_to_the_repository_root(tmp_path):
    (tmp_path / "requirements.txt").write_text("keras==2.3.1\n")  # above the repository: never read
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "requirements.txt").write_text("tensorflow==2.1.0\n")
    (repo / "sub" / "deeper").mkdir(parents=True)
    (repo / "sub" / "pyproject.toml").write_text("[project]\nname = 'x'\n")  # pins nothing: the walk goes on
    (repo / "other").mkdir()
    (repo / "other" / "requirements-dev.txt").write_text("keras==3.4.1\n")
    versions.pinned_target.cache_clear()
    assert versions.pinned_target(str(repo / "sub" / "deeper")).version == (2, 1, 0)
    assert versions.pinned_target(str(repo / "other")).version == (3, 4, 1)
    (repo / "requirements.txt").write_text("numpy\n")
    versions.pinned_target.cache_clear()
    assert versions.pinned_target(str(repo / "sub" / "deeper")) is None  # stops at the repository root
    versions.pinned_target.cache_clear()


@pytest.mark.parametrize("installed, legacy, expected", [
    ({"keras": "2.3.1", "tensorflow": "1.15.5"}, False, ("keras", (2, 3, 1))),
    ({"keras": "3.15.1", "tensorflow-cpu": "2.21.0", "tf-keras": "2.21.0"}, False, ("keras", (3, 15, 1))),
    ({"keras": "3.15.1", "tensorflow-cpu": "2.21.0", "tf-keras": "2.21.0"}, True, ("tf_keras", (2, 21, 0))),
    ({"tensorflow-gpu": "2.1.0"}, False, ("tensorflow", (2, 1, 0))),
    ({"keras": None, "torch": "2.1"}, False, None),
])
def test_the_target_an_interpreter_runs(installed, legacy, expected):
    target = versions.from_distributions(installed, "test", legacy_keras=legacy)
    assert (None if target is None else (target.package, target.version)) == expected
