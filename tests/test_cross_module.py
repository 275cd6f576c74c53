"""The program's own modules: the same findings for any -j, from a cold and a warm cache, and after
editing only an imported module; installed packages are never read."""

from __future__ import annotations

import json
import shutil
import textwrap
import time
from pathlib import Path

import pytest

from kerascheck.extract import extract_text
from tests.conftest import FIXTURES

PROJECTS = FIXTURES / "projects"


@pytest.fixture
def projects(tmp_path, monkeypatch):
    root = tmp_path / "projects"
    shutil.copytree(PROJECTS, root)
    monkeypatch.setenv("KERASCHECK_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("KERASCHECK_PARALLEL_MIN_BYTES", "0")
    return root


def _findings(result) -> list:
    assert "Traceback" not in result.stderr, result.stderr
    return [(f["path"], f["line"], f["code"], f["message"]) for f in json.loads(result.stdout)]


def test_the_same_findings_for_any_number_of_jobs(run_cli, projects):
    runs = [_findings(run_cli(".", "--output-format", "json", "--no-cache", "-j", str(jobs), cwd=projects))
            for jobs in (1, 2, 3)]
    assert runs[0] == runs[1] == runs[2]
    assert any(code == "KC201" and path.endswith("train.py") for path, _, code, _ in runs[0])


def test_a_warm_cache_gives_what_a_cold_run_gives(run_cli, projects):
    cold = _findings(run_cli(".", "--output-format", "json", cwd=projects))
    warm = _findings(run_cli(".", "--output-format", "json", cwd=projects))
    uncached = _findings(run_cli(".", "--output-format", "json", "--no-cache", cwd=projects))
    assert cold == warm == uncached


def _mark_cached_messages(cache_dir: Path) -> None:
    """Rewrite every cached message: a file read from the cache afterwards shows 'CACHED'."""
    (cache_file,) = cache_dir.glob("results-*.json")
    data = json.loads(cache_file.read_text())
    for entry in data["files"].values():
        if len(entry) >= 4:
            for finding in entry[3]:
                finding["message"] = "CACHED"
    cache_file.write_text(json.dumps(data))


def test_editing_only_an_imported_module_rechecks_its_importers_and_nothing_else(run_cli, projects, tmp_path):
    layout = projects / "scripts_layout"
    (layout / "standalone.py").write_text(textwrap.dedent("""
        import keras
        m = keras.Sequential([keras.layers.Dense(3, activation="softmax")])
        m.compile(loss="binary_crossentropy")
    """))
    time.sleep(2.2)  # older than the racy window: the cache trusts these stats
    before = _findings(run_cli(".", "--output-format", "json", cwd=layout))
    assert ("train.py", 12, "KC201") in {(p, line, code) for p, line, code, _ in before}
    _mark_cached_messages(tmp_path / "cache")
    # Two classes: a 2-unit softmax with binary cross-entropy is the same loss as categorical (no KC201, no KC101).
    (layout / "config.py").write_text("NUM_CLASSES = 2\nIMAGE_SHAPE = (64, 64, 3)\n")
    after = _findings(run_cli(".", "--output-format", "json", cwd=layout))
    by_file = {}
    for path, line, code, message in after:
        by_file.setdefault(path, []).append((line, code, message))
    assert [(line, code) for line, code, _ in by_file["train.py"]] == [(18, "KC206")]  # re-checked
    assert all(message != "CACHED" for _, _, message in by_file["train.py"])
    assert [message for _, _, message in by_file["standalone.py"]] == ["CACHED"]  # never read config.py: a hit


def test_installed_packages_are_never_read(tmp_path):
    package = tmp_path / "venv" / "lib" / "site-packages" / "mylib"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "nets.py").write_text("import keras\n"
                                     "def build():\n"
                                     "    return keras.Sequential([keras.layers.Dense(3, activation='softmax')])\n")
    train = package / "train.py"
    train.write_text("import keras\nfrom mylib.nets import build\nfrom .nets import build as relative\n"
                     "build().compile(loss='binary_crossentropy')\nrelative().compile(loss='binary_crossentropy')\n")
    facts = extract_text(str(train), train.read_text())
    assert [(c.model_style, c.why) for c in facts.compiles] == [
        (None, "import of a module outside the project (mylib.nets.build)"),
        (None, "import of a module outside the project (.nets.build)")]
    assert facts.dependencies == ()


def test_an_import_cycle_terminates_and_a_module_is_read_once_per_file(tmp_path):
    for name, other in (("a", "b"), ("b", "c"), ("c", "a")):
        (tmp_path / f"{name}.py").write_text(f"import keras\nimport {other}\nUNITS_{name.upper()} = 3\n"
                                             f"def build():\n    return {other}.build()\n")
    main = tmp_path / "main.py"
    main.write_text("import keras\nimport a\nfrom c import UNITS_C\n"
                    "m = keras.Sequential([keras.layers.Dense(UNITS_C, activation='softmax')])\n"
                    "m.compile(loss='binary_crossentropy')\na.build().compile(loss='mse')\n")
    facts = extract_text(str(main), main.read_text())
    assert [c.outputs[0].units for c in facts.compiles] == [3, None]
    assert sorted(Path(path).name for path, _, _ in facts.dependencies) == ["a.py", "c.py"]  # b: never needed


def test_a_relative_import_outside_any_package_is_outside_the_project(tmp_path):
    main = tmp_path / "main.py"
    main.write_text("import keras\nfrom .nets import build\nbuild().compile(loss='mse')\n")
    (compile_fact,) = extract_text(str(main), main.read_text()).compiles
    assert compile_fact.why == "import of a module outside the project (.nets.build)"


def test_names_re_exported_in_a_cycle_are_unknown_not_endless(tmp_path):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("from .a import build\n")
    (package / "a.py").write_text("from . import build\n")
    main = tmp_path / "main.py"
    main.write_text("import keras\nfrom pkg import build\nbuild().compile(loss='mse')\n")
    (compile_fact,) = extract_text(str(main), main.read_text()).compiles
    assert compile_fact.why is not None and compile_fact.model_style is None


def test_a_model_grown_differently_in_the_two_branches_of_an_if_has_an_unknown_end(tmp_path):
    source = textwrap.dedent("""
        import keras
        def build(units):
            m = keras.Sequential([keras.layers.Dense(8, input_shape=(4,)), keras.layers.Dense(units)])
            if units == 1:
                m.add(keras.layers.Activation("sigmoid"))
            else:
                m.add(keras.layers.Activation("softmax"))
            return m
        build(int(input())).compile(loss="binary_crossentropy")
        only_if = keras.Sequential([keras.layers.Dense(3, input_shape=(4,))])
        if True:
            only_if.add(keras.layers.Activation("softmax"))
        only_if.compile(loss="categorical_crossentropy")
    """)
    facts = extract_text("case.py", source)
    assert [(c.outputs[0].activation, c.outputs[0].stacked) for c in facts.compiles][0] == (None, ())
    assert facts.compiles[1].outputs[0].activation == "softmax"
    # A condition on known values takes its branch: build(3) ends in the softmax, build(1) in the sigmoid.
    known = extract_text("case.py", source.replace("build(int(input()))", "build(3)")).compiles
    assert known[0].outputs[0].activation == "softmax"
    known = extract_text("case.py", source.replace("build(int(input()))", "build(1)")).compiles
    assert known[0].outputs[0].activation == "sigmoid"


def test_a_function_returning_a_constant_on_one_path_only_returns_an_unknown():
    source = textwrap.dedent("""
        import keras
        losses = {}
        def pick(distance="pn"):
            if callable(distance):
                return distance
            return losses[distance]
        m = keras.Sequential([keras.layers.Dense(3, activation="softmax")])
        m.compile(loss=pick())
    """)
    (compile_fact,) = extract_text("case.py", source).compiles
    assert compile_fact.trained[0].loss.string is None


def test_membership_in_a_literal_list_is_a_known_condition():
    """stellargraph's link_classification: `if edge_embedding_method in ["ip", "dot"]:` takes one branch for a known
    method, so the output's layer line is the branch's, not the other one's."""
    source = textwrap.dedent("""
        import keras
        def head(x, method="concat"):
            if method in ["ip", "dot"]:
                out = keras.layers.Dense(10, activation="softmax")(x)
            else:
                out = keras.layers.Dense(1, activation="sigmoid")(x)
            return out
        inputs = keras.Input((4,))
        model = keras.Model(inputs, head(inputs, method=METHOD))
        model.compile(loss="binary_crossentropy")
    """)

    def output(method: str):
        (compile_fact,) = extract_text("case.py", source.replace("METHOD", method)).compiles
        return compile_fact.outputs[0].activation, compile_fact.outputs[0].units

    assert output('"dot"') == ("softmax", 10)
    assert output('"concat"') == ("sigmoid", 1)
    assert output('"ip"') == output('"dot"')
    not_in = source.replace('method in ["ip", "dot"]', 'method not in ("ip", "dot")')
    (compile_fact,) = extract_text("case.py", not_in.replace("METHOD", '"ip"')).compiles
    assert compile_fact.outputs[0].activation == "sigmoid"
