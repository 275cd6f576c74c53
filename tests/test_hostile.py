"""Hostile input: every odd file gives KC001/KC002 or nothing, the run goes on, no traceback, exit as documented.

Also: the skip-before-parse gates and the lean position table (kerascheck/extract/)
change no result, and an internal error is one line after the other files'
findings, with exit 2, whatever the number of worker processes.
"""

from __future__ import annotations

import json
import os
import re
import textwrap
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, REPO

KERAS = b"import keras\n"
GOOD = ("import keras\nm = keras.Sequential([keras.layers.Dense(3, activation='softmax')])\n"
        "m.compile(loss='binary_crossentropy')\n")

NOTHING = ""  # in a set of allowed codes: no finding at all is fine too
# name -> (bytes, the codes allowed for it: exactly one of them, or none when empty)
HOSTILE = {
    "syntax.py": (KERAS + b"model.compile(loss='bce'\n", {"KC001"}),
    "py2.py": (KERAS + b"print 'training'\nexec 'x = 1'\n", {"KC001"}),
    "py2_except.py": (KERAS + b"try:\n    pass\nexcept Exception, e:\n    pass\n", {"KC001"}),
    "nul.py": (KERAS + b"x = 1\x00\n", {"KC002"}),
    "latin1.py": (KERAS + "name = 'café'\n".encode("latin-1"), {"KC002"}),
    "bad_cookie.py": (b"# -*- coding: klingon -*-\n" + KERAS, {"KC002"}),
    "bom.py": (b"\xef\xbb\xbf" + KERAS + b"x = 1\n", set()),
    "bom_crlf_tabs.py": (b"\xef\xbb\xbf" + KERAS.replace(b"\n", b"\r\n") + b"if True:\r\n\tx = 1\r\n", set()),
    "cr_only.py": (KERAS.replace(b"\n", b"\r") + b"x = 1\r", set()),
    "mixed_tabs_spaces.py": (KERAS + b"if True:\n\tx = 1\n        y = 2\n", {"KC001"}),
    "empty.py": (b"", set()),
    "only_comment.py": (b"# keras", set()),
    "no_newline_at_end.py": (KERAS + b"x = 1", set()),
    "deep_parens.py": (KERAS + b"x = " + b"(" * 5000 + b"1" + b")" * 5000 + b"\n", {"KC001"}),
    "deep_lists.py": (KERAS + b"x = " + b"[" * 300 + b"]" * 300 + b"\n", {"KC001"}),
    "long_binop.py": (KERAS + b"x = " + b"+".join([b"1"] * 100000) + b"\n", {"KC001", "KC002", NOTHING}),
    "long_attribute_chain.py": (KERAS + b"x = a" + b".b" * 50000 + b"\n", {"KC001", "KC002", NOTHING}),
    "deep_calls.py": (KERAS + b"x = " + b"f(" * 150 + b")" * 150 + b"\n", {"KC001", "KC002", NOTHING}),
    "deep_indent.py": (KERAS + b"".join(b"    " * i + b"if x:\n" for i in range(120)) + b"    " * 120 + b"pass\n",
                       {"KC001"}),
    "deep_lambdas.py": (KERAS + b"f = " + b"lambda: " * 500 + b"1\n", {"KC001", "KC002", NOTHING}),
    "many_strings.py": (KERAS + b"x = " + b" ".join([b"'a'"] * 50000) + b"\n", {"KC001", "KC002", NOTHING}),
    "binary.py": (KERAS + bytes(range(256)) * 64, {"KC002"}),
    "binary_not_keras.py": (bytes(range(256)) * 64, set()),  # cannot hold Keras code: skipped unread
    "utf16.py": ("import keras\nx = 1\n".encode("utf-16"), set()),  # no byte says keras: skipped unread
    "surrogates.py": (KERAS + b"x = '\xed\xa0\x80'\n", {"KC002"}),
    "not_json.ipynb": (b"{ this is not json, keras", {"KC002"}),
    "no_cells.ipynb": (json.dumps({"metadata": {}, "nbformat": 4, "nbformat_minor": 5}).encode(), {"KC002"}),
    "empty_cells.ipynb": (json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}).encode(),
                          set()),
    "cells_not_a_list.ipynb": (json.dumps({"cells": {"a": 1}, "nbformat": 4}).encode(), {"KC002"}),
    "json_array.ipynb": (b"[1, 2, 3]", {"KC002"}),
    "empty.ipynb": (b"", {"KC002"}),
}


def _codes_by_path(findings) -> dict:
    found: dict = {}
    for finding in findings:
        found.setdefault(finding["path"], []).append(finding["code"])
    return found


@pytest.fixture
def hostile_tree(tmp_path):
    for name, (data, _) in HOSTILE.items():
        (tmp_path / name).write_bytes(data)
    (tmp_path / "good.py").write_text(GOOD)
    (tmp_path / "weird.py").mkdir()  # a directory named like a Python file
    (tmp_path / "weird.py" / "inner.py").write_text(GOOD)
    (tmp_path / "loop").symlink_to(tmp_path)  # a symlink loop
    (tmp_path / "self_loop.py").symlink_to(tmp_path / "self_loop.py")  # a symlink to itself
    (tmp_path / "dangling.py").symlink_to(tmp_path / "missing.py")
    return tmp_path


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_hostile_tree(run_cli, hostile_tree, jobs, monkeypatch):
    monkeypatch.setenv("KERASCHECK_PARALLEL_MIN_BYTES", "0")  # really use the workers with -j 2
    result = run_cli(".", "--output-format", "json", "--no-cache", "-j", jobs, cwd=hostile_tree)
    assert "Traceback" not in result.stderr, result.stderr
    assert "internal error" not in result.stderr, result.stderr
    assert result.returncode == 1, result.stderr
    found = _codes_by_path(json.loads(result.stdout))
    for name, (_, allowed) in HOSTILE.items():
        codes = found.get(name, [])
        if allowed and not (NOTHING in allowed and not codes):
            assert len(codes) == 1 and codes[0] in allowed, (name, codes)
        else:
            assert codes == [], (name, codes)
    assert found.get("good.py") == ["KC201"], "the run must go on"
    assert found.get(os.path.join("weird.py", "inner.py")) == ["KC201"]
    assert set(found) <= set(HOSTILE) | {"good.py", os.path.join("weird.py", "inner.py")}


def test_output_is_the_same_for_any_number_of_jobs(run_cli, hostile_tree, monkeypatch):
    monkeypatch.setenv("KERASCHECK_PARALLEL_MIN_BYTES", "0")
    outputs = {run_cli(".", "--no-cache", "-j", jobs, cwd=hostile_tree).stdout for jobs in ("1", "2", "3")}
    assert len(outputs) == 1


def test_ten_megabyte_files(run_cli, tmp_path):
    """A 10 MB Keras script (a huge docstring after the model) and 10 MB of data that never mentions Keras."""
    model = GOOD + 'NOTES = """\n' + ("training log line, nothing to see here\n" * 270_000) + '"""\n'
    (tmp_path / "huge_model.py").write_text(model)
    assert (tmp_path / "huge_model.py").stat().st_size >= 10_000_000
    (tmp_path / "huge_data.py").write_text("DATA = [\n" + "    123456789, 987654321, 555555555,\n" * 290_000 + "]\n")
    assert (tmp_path / "huge_data.py").stat().st_size >= 10_000_000
    result = run_cli(".", "--output-format", "json", "--no-cache", cwd=tmp_path)
    assert "Traceback" not in result.stderr
    assert result.returncode == 1
    assert _codes_by_path(json.loads(result.stdout)) == {"huge_model.py": ["KC201"]}


def test_unreadable_file(run_cli, tmp_path):
    secret = tmp_path / "secret.py"
    secret.write_text(GOOD)
    secret.chmod(0)
    (tmp_path / "good.py").write_text(GOOD)
    try:
        if os.access(secret, os.R_OK):
            pytest.skip("running as root: chmod 000 does not stop reads (test_unreadable_named_files covers "
                        "files that cannot be read)")
        result = run_cli(".", "--output-format", "json", "--no-cache", cwd=tmp_path)
    finally:
        secret.chmod(0o644)
    found = _codes_by_path(json.loads(result.stdout))
    assert found["secret.py"] == ["KC002"] and found["good.py"] == ["KC201"]
    assert result.returncode == 1 and "Traceback" not in result.stderr


def test_unreadable_named_files(run_cli, tmp_path):
    """Named on the command line: a dangling symlink, a symlink loop, a FIFO (must not block), a directory."""
    (tmp_path / "dangling.py").symlink_to(tmp_path / "nowhere.py")
    (tmp_path / "loop_a.py").symlink_to(tmp_path / "loop_b.py")
    (tmp_path / "loop_b.py").symlink_to(tmp_path / "loop_a.py")
    os.mkfifo(tmp_path / "pipe.py")
    (tmp_path / "good.py").write_text(GOOD)
    result = run_cli("dangling.py", "loop_a.py", "pipe.py", "good.py", "--output-format", "json", "--no-cache",
                     cwd=tmp_path)
    assert "Traceback" not in result.stderr
    found = _codes_by_path(json.loads(result.stdout))
    assert found == {"dangling.py": ["KC002"], "loop_a.py": ["KC002"], "pipe.py": ["KC002"], "good.py": ["KC201"]}
    assert result.returncode == 1


_BOOM = textwrap.dedent("""
    # Installed by tests/test_hostile.py: an internal error for any file whose name holds 'boom'.
    import kerascheck.rules as rules
    _check_file = rules.check_file
    def check_file(facts, *args, **kwargs):
        if "boom" in facts.path:
            raise ZeroDivisionError("simulated")
        return _check_file(facts, *args, **kwargs)
    rules.check_file = check_file
    import kerascheck.runner as runner
    runner.check_file = check_file
""")


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_internal_error_is_one_line_after_the_findings_with_exit_2(run_cli, tmp_path, jobs, monkeypatch):
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(_BOOM)
    monkeypatch.setenv("PYTHONPATH", f"{site}{os.pathsep}{REPO}")
    monkeypatch.setenv("KERASCHECK_PARALLEL_MIN_BYTES", "0")
    project = tmp_path / "project"
    project.mkdir()
    for index in range(6):
        (project / f"good_{index}.py").write_text(GOOD)
    (project / "boom.py").write_text(GOOD)
    result = run_cli(".", "--no-cache", "-j", jobs, cwd=project)
    assert result.returncode == 2
    assert result.stdout.count("KC201") == 6
    errors = [line for line in result.stderr.splitlines() if "internal error" in line]
    assert len(errors) == 1 and "boom.py" in errors[0] and "report a bug" in errors[0]
    assert "Traceback" not in result.stderr
    assert "(7 files checked, 1 failed)" in result.stderr


def test_no_all_checks_passed_when_the_only_file_is_an_internal_error(run_cli, tmp_path, monkeypatch):
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(_BOOM)
    monkeypatch.setenv("PYTHONPATH", f"{site}{os.pathsep}{REPO}")
    project = tmp_path / "project"
    project.mkdir()
    (project / "boom.py").write_text(GOOD)
    result = run_cli(".", "--no-cache", cwd=project)
    assert result.returncode == 2
    assert "All checks passed" not in result.stderr
    assert "No findings (1 file checked, 1 failed)." in result.stderr


# ------------------------------------------------------------------ the gates change nothing


def _facts_both_ways(path: str, text: str, monkeypatch):
    """Facts with the gates and without. A file the gates leave out is out of scope: no finding at
    all, not even its syntax error; what the gates must never lose is a compile or a call."""
    import kerascheck.extract as extract

    fast = extract.extract_text(path, text)
    with monkeypatch.context() as patch:
        patch.setattr(extract, "USE_GATES", False)
        reference = extract.extract_text(path, text)
    if not any(extract.may_yield_facts(text)):
        assert not fast.problems
        reference.problems = []
    return fast, reference


def _reference_cases() -> list:
    cases = [p for p in sorted(FIXTURES.rglob("*.py")) if ".in." not in p.name and ".out." not in p.name]
    return [(p.name, p.read_text(encoding="utf-8", errors="replace")) for p in cases]


@pytest.mark.parametrize("name,text", _reference_cases(), ids=lambda value: value if len(value) < 60 else "")
def test_gates_change_nothing_on_fixtures(name, text, monkeypatch):
    fast, reference = _facts_both_ways(name, text, monkeypatch)
    assert fast == reference


def _standard_library_sample(count: int = 12) -> list:
    """Small standard-library files that reach the parser only by `re.compile(` (the gate's business)."""
    import sysconfig

    from kerascheck.extract import may_hold_keras, may_yield_facts

    root = Path(sysconfig.get_paths()["stdlib"])
    found = []
    for path in sorted(root.glob("*.py"), key=lambda p: p.stat().st_size):
        data = path.read_bytes()
        if may_hold_keras(data) and len(data) < 40_000:
            text = data.decode("utf-8", errors="replace")
            found.append((path.name, text, any(may_yield_facts(text))))
        if len(found) >= count:
            break
    return found


def test_gates_change_nothing_on_standard_library_files(monkeypatch):
    sample = _standard_library_sample()
    assert any(not passes for _, _, passes in sample), "the sample must exercise the gate"
    for name, text, _ in sample:
        fast, reference = _facts_both_ways(name, text, monkeypatch)
        assert fast == reference, name


def test_lean_positions_equal_position_provider_node_for_node():
    import libcst
    from libcst.metadata import MetadataWrapper, PositionProvider

    from kerascheck.fix.positions import LazyPositions

    texts = [text for _, text in _reference_cases()] + [
        "x = (\n  1,\r\n  2)\r\nif x:\r\n\ty = 'é' ; z = f'{x!r:>{y}}'\n",
        "@deco\n# comment\n@other(1)\nasync def f(a, /, b=2, *c, d, **e) -> 'T':\n    return [i async for i in a]\n",
        "class C(B, metaclass=M):\n    '''doc'''\n    x: int = 1\n    def g(self): yield from (yield)\n",
        "with (open(a) as b, open(c) as d):\n    match x:\n        case [1, *rest] | {'k': _} if rest:\n            pass\n",
        "a = b if c else d\nlambda *, k=1: k\nprint(*a, **b)\nx[1:2, ::3] @= y\nglobal g\ndel a[0], b.c\n",
    ]
    for text in texts:
        try:
            module = libcst.parse_module(text)
        except libcst.ParserSyntaxError:
            continue  # fixtures/bad/
        reference = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
        lean = LazyPositions(module)  # the fixer's: exactly PositionProvider's ranges, computed when asked
        for node, code_range in reference.items():
            expected = ((code_range.start.line, code_range.start.column), (code_range.end.line, code_range.end.column))
            assert lean.range(node) == expected, (type(node).__name__, text[:40])


def test_syntax_verdict_is_ast_parse():
    import ast
    import warnings

    from kerascheck.extract import parse_module
    from kerascheck.facts import FileProblem

    def syntax_problem(text):
        result = parse_module(text)
        return result if isinstance(result, FileProblem) else None

    samples = ["x = 1\n", "return 1\n", "def f():\n    nonlocal x\n", "await x\n", "yield 1\n", "break\n",
               "from __future__ import braces\n", "def f(x, x): pass\n", "x = 1 +\n", "f(**a, *b)\n",
               "async def f():\n    yield from x\n", "class A:\n    return\n", "'\\N{nope}'\n", "x: int = 1\n"]
    for text in samples:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                ast.parse(text)
            parses = True
        except SyntaxError:
            parses = False
        problem = syntax_problem(text)
        assert (problem is None) == parses, (text, problem)
        if problem is not None:
            assert problem.code == "KC001"
            assert re.match(r"syntax error: ", problem.message)


def test_check_path_matches_check_one_file():
    """pipeline.check_task (what workers run) is runner.check_one_file plus the content digest."""
    from kerascheck.pipeline import check_task
    from kerascheck.runner import Options, check_one_file
    from kerascheck.versions import UNKNOWN

    for path in sorted(FIXTURES.rglob("*"))[:40]:
        if path.suffix in (".py", ".ipynb"):
            mine, digest = check_task(str(path), Options(target=UNKNOWN), False, True, None)
            theirs = check_one_file(path, Options(target=UNKNOWN))
            assert mine == theirs and digest, path


def test_gates_are_linear_on_comment_banners():
    """A '.' then lines of '#' once made the gates' regular expressions backtrack exponentially."""
    import time

    from kerascheck.extract import extract_text

    text = 'import keras\n"""Notes.\n' + ("#" * 3000 + "\n") * 200 + 'The end.\n' + ("#" * 80 + "\n") * 50 + '"""\n'
    start = time.perf_counter()
    facts = extract_text("banners.py", text)
    assert time.perf_counter() - start < 10
    assert not facts.problems


# ------------------------------------------------------------------ skipping functions that cannot reach a compile

_REACH_CASES = {
    "chain_of_helpers": (
        "import keras\n"
        "def head(n):\n    return keras.layers.Dense(n, activation='softmax')\n"
        "def body(n):\n    return keras.Sequential([keras.layers.Dense(8), head(n)])\n"
        "def train(model):\n    model.compile(loss='binary_crossentropy', metrics=['accuracy'])\n"
        "def main():\n    train(body(10))\n"),
    "method_through_self": (
        "import tensorflow as tf\n"
        "class Trainer:\n"
        "    def __init__(self):\n        self.model = self.build()\n"
        "    def build(self):\n        return tf.keras.Sequential([tf.keras.layers.Dense(1, activation='softmax')])\n"
        "    def prepare(self):\n        self.finish()\n"
        "    def finish(self):\n        self.model.compile(loss='categorical_crossentropy')\n"
        "def unrelated():\n    return re.compile('x')\n"),
}


@pytest.mark.parametrize("name,text", sorted(_REACH_CASES.items()) + _reference_cases(),
                         ids=lambda value: value if len(value) < 60 else "")
def test_skipping_definitions_that_cannot_reach_a_compile_changes_nothing(name, text, monkeypatch):
    from kerascheck.extract import extract_text
    from kerascheck.extract.interpreter import ModuleInterpreter

    pruned = extract_text(name, text)
    with monkeypatch.context() as patch:
        patch.setattr(ModuleInterpreter, "_may_reach",
                      lambda self, values: {id(value.definition) for value in values})
        everything = extract_text(name, text)
    assert pruned == everything
    if name in _REACH_CASES:
        assert pruned.compiles and pruned.compiles[0].outputs[0].activation == "softmax"


CHAIN = " and ".join(["a"] * 8000)
FIXABLE = ("from keras.models import Sequential\nfrom keras.layers import Dense\n"
           "model = Sequential([Dense(10, activation='softmax', input_shape=(4,))])\n"
           "model.compile(loss='binary_crossentropy', optimizer='adam', metrics=['accuracy'])\n")
# The chain on a line of its own (a fix parses the whole file: stdin) and inside the statement a fix parses.
CHAIN_FILES = {
    "own line": FIXABLE + "flag = " + CHAIN + "\n",
    "in the compile": FIXABLE.replace("optimizer='adam'", "optimizer='adam' if " + CHAIN + " else 'sgd'"),
}


@pytest.mark.parametrize("where", sorted(CHAIN_FILES))
@pytest.mark.parametrize("fix_flags", [(), ("--fix", "--unsafe-fixes"), ("--diff",)])
@pytest.mark.parametrize("stdin", [False, True], ids=["file", "stdin"])
def test_long_boolean_chain_in_a_file_with_fixes(run_cli, tmp_path, fix_flags, where, stdin):
    """`a and a and ...` of 8,000 operands: one flat node for `ast`, one C stack frame per operand in libcst's
    native parser, which killed the process (SIGSEGV) on the main thread when a fix parsed it."""
    text = CHAIN_FILES[where]
    path = tmp_path / "deep_and.py"
    path.write_text(text)
    if stdin:
        result = run_cli(*fix_flags, "--no-cache", "--stdin-filename", "deep_and.py", "-", cwd=tmp_path, input=text)
    else:
        result = run_cli(*fix_flags, "--no-cache", str(path), cwd=tmp_path)
    assert result.returncode in (0, 1), (result.returncode, result.stderr[-2000:])
    assert "Traceback" not in result.stderr
    fixed = result.stdout if stdin and "--fix" in fix_flags else path.read_text()
    assert fixed.startswith("from keras.models import Sequential\n") and CHAIN in fixed  # the rest of the file kept
    if where == "own line":  # in the compile, libcst's Python side may meet the depth: no fix then, never a crash
        assert ("'categorical_accuracy'" in fixed) == ("--fix" in fix_flags)


def test_libcst_parse_on_a_large_stack_raises_as_libcst_does():
    import libcst

    from kerascheck.fix.cst_parse import parse_module

    assert isinstance(parse_module("x = " + " or ".join(["a"] * 20000) + "\n").body[0], libcst.SimpleStatementLine)
    with pytest.raises(libcst.ParserSyntaxError):
        parse_module("x = (\n")


def test_a_project_folder_named_like_a_standard_module_does_not_shadow_it(run_cli, tmp_path):
    """`python -m kerascheck` run inside Keras's own sources (which have `keras/random/`) failed on every file:
    the working directory, first on sys.path, shadowed the standard library's `random`."""
    (tmp_path / "random").mkdir()
    (tmp_path / "random" / "__init__.py").write_text("raise ImportError('the project folder, not the standard module')\n")
    (tmp_path / "train.py").write_text(GOOD)
    result = run_cli("--no-cache", ".", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "KC201" in result.stdout and "internal error" not in result.stderr
