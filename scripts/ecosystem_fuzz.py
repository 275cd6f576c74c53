#!/usr/bin/env python3
"""Hostile input at scale: seeded mutations of real files, each checked through kerascheck's own command line.

    python scripts/ecosystem_fuzz.py fixtures/ tests/fixes/ --mutations 8 --seed 1
    python scripts/ecosystem.py --fuzz          # the same over the whole downloaded corpus

Every mutation of every file goes through `kerascheck check --stdin-filename PATH -` (the command line's
per-file path, the one editors use), in this process through click's test runner, so a mutation costs the
check and nothing else. A file passes when kerascheck answers with findings (or none) and no internal error,
no traceback, and within the time bound. The mutators are plain functions of (bytes, random.Random): the
same seed gives the same mutations on every machine, so any failure is reproducible from its seed and name.

Why the time bound is what it is: a check of one file may take (in CPU time, so that a busy machine does not
make a slow check) `TIME_BOUND_SECONDS` (10 s, more than ten times the slowest real file of the corpus) plus
`SECONDS_PER_MB` (10 s) for each MB of input. kerascheck is linear in the size of its input; its slowest path
measured is a notebook (~6.6 s per MB of notebook JSON, in notebooks.py's line scanner and per-cell parse), and
the mutators make inputs of up to a few MB (huge literals, a notebook's cells repeated 500 times). A check over
that bound is a blow-up, not a big file; one that does not answer at all is stopped by an alarm.
"""
from __future__ import annotations

import argparse
import json
import random
import signal
import sys
import time
import tokenize
import io
from dataclasses import dataclass, field
from pathlib import Path

TIME_BOUND_SECONDS = 10.0
SECONDS_PER_MB = 10.0
SOURCE_SUFFIXES = (".py", ".pyi", ".ipynb")


# --------------------------------------------------------------------------------------------------------------
# Mutators: (data: bytes, rng) -> bytes. Each keeps the file Keras-looking enough to get past the cheap
# pre-filter, so the parser, the interpreter and the rules see it, not just the "nothing Keras here" skip.

KERAS_HEADER = b"from keras.models import Sequential\nfrom keras.layers import Dense\n"


def truncate(data: bytes, rng) -> bytes:
    """Cut the file at a random byte (mid-token, mid-string, mid-UTF-8 sequence)."""
    return data[: rng.randrange(len(data) + 1)]


def flip_bytes(data: bytes, rng) -> bytes:
    """Overwrite a few random bytes with random values (NUL, invalid UTF-8, brackets, quotes)."""
    if not data:
        return bytes([rng.randrange(256)])
    buffer = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        buffer[rng.randrange(len(buffer))] = rng.choice([0, 0xFF, 0xC3, ord("("), ord(")"), ord('"'), ord("'"),
                                                         ord(":"), ord("\\"), ord("\t"), rng.randrange(256)])
    return bytes(buffer)


def shuffle_lines(data: bytes, rng) -> bytes:
    """Shuffle a window of lines (uses before definitions, compile before the layers, bodies out of blocks)."""
    lines = data.splitlines(keepends=True)
    if len(lines) < 2:
        return data + data
    start = rng.randrange(len(lines))
    end = min(len(lines), start + rng.randint(2, 60))
    window = lines[start:end]
    rng.shuffle(window)
    return b"".join(lines[:start] + window + lines[end:])


def break_indentation(data: bytes, rng) -> bytes:
    """Add or remove leading spaces and tabs on some lines; mix tabs and spaces."""
    lines = data.splitlines(keepends=True)
    for _ in range(rng.randint(1, 10)):
        if not lines:
            break
        index = rng.randrange(len(lines))
        line = lines[index]
        choice = rng.randrange(4)
        if choice == 0:
            lines[index] = line.lstrip(b" \t")
        elif choice == 1:
            lines[index] = b" " * rng.randint(1, 9) + line
        elif choice == 2:
            lines[index] = b"\t" + line
        else:
            lines[index] = line.replace(b"    ", b"\t", 1)
    return b"".join(lines)


def deep_nesting(data: bytes, rng) -> bytes:
    """Insert deeply nested code at a random line: brackets, calls, blocks, subscripts, unary operators,
    layers calling layers, long `and` chains, past what CPython's parser or a recursive walk can take."""
    depth = rng.choice([50, 200, 1000, 5000, 20000])
    kind = rng.randrange(8)
    if kind == 0:
        snippet = b"x = " + b"(" * depth + b"1" + b")" * depth
    elif kind == 1:
        snippet = b"x = " + b"[" * depth + b"]" * depth
    elif kind == 2:
        snippet = b"x = Dense(10)(" * 1 + b"Dense(10)(" * depth + b"inputs" + b")" * (depth + 1)
    elif kind == 3:
        levels = min(depth, 300)
        snippet = b"".join(b" " * level + b"if x:\n" for level in range(levels)) + b" " * levels + b"model.compile(loss='mse')"
    elif kind == 4:
        snippet = b"x = " + b"-" * depth + b"1"
    elif kind == 5:
        snippet = b"model.compile(loss=" + b"a." * depth + b"b)"
    elif kind == 6:
        snippet = b"model = Sequential(" + b"[" * min(depth, 1000) + b"Dense(1)" + b"]" * min(depth, 1000) + b")"
    else:  # flat for ast, one level per operand for libcst's native parser (8,000 overflowed its C stack)
        snippet = b"flag = " + b" and ".join([b"a"] * max(depth, 8000))
    return _insert_line(data, snippet, rng)


def huge_literal(data: bytes, rng) -> bytes:
    """Insert a huge literal: a long string, a many-digit number, a list of a hundred thousand items,
    a Dense with billions of units."""
    kind = rng.randrange(6)
    if kind == 0:
        snippet = b"s = '" + b"a" * rng.choice([10_000, 1_000_000, 4_000_000]) + b"'"
    elif kind == 1:
        snippet = b"n = " + b"9" * rng.choice([5_000, 100_000])
    elif kind == 2:
        snippet = b"xs = [" + b"1, " * rng.choice([10_000, 100_000]) + b"]"
    elif kind == 3:
        snippet = b"model.add(Dense(" + b"9" * 400 + b", activation='softmax'))"
    elif kind == 4:
        snippet = b"model.compile(loss='binary_crossentropy', metrics=[" + b"'accuracy', " * rng.choice([2_000, 5_000]) + b"])"  # one finding each: ~0.3 ms of CPU apiece
    else:
        snippet = b"x = 1" + b" + 1" * rng.choice([1_000, 50_000])
    return _insert_line(data, snippet, rng)


_REPLACEMENT_LITERALS = [b"0", b"-1", b"1", b"2", b"10**100", b"1e309", b"1.5", b"None", b"True", b"'softmax'",
                         b"'sigmoid'", b"'linear'", b"'accuracy'", b"'binary_crossentropy'", b"''", b"b'x'",
                         b"f'{x}'", b"[]", b"()", b"{}", b"...", b"lambda: 0", b"*args", b"**kwargs"]


def swap_literals(data: bytes, rng) -> bytes:
    """Replace some numbers, strings and names with other values (units of 0, -1 or 10**100; activations and
    losses swapped; a string where a number was), keeping the file parseable where it was, so the interpreter
    and the rules see facts no one writes on purpose."""
    try:
        tokens = list(tokenize.tokenize(io.BytesIO(data).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError, UnicodeDecodeError, LookupError):
        return flip_bytes(data, rng)
    candidates = [t for t in tokens if t.type in (tokenize.NUMBER, tokenize.STRING)
                  or (t.type == tokenize.NAME and t.string in ("None", "True", "False"))]
    if not candidates:
        return data + b"\nx = 1\n"
    lines = data.splitlines(keepends=True)
    chosen = sorted(rng.sample(candidates, min(len(candidates), rng.randint(1, 12))),
                    key=lambda t: t.start, reverse=True)
    for token in chosen:
        (row, col), (end_row, end_col) = token.start, token.end
        if row != end_row or row > len(lines):
            continue
        line = lines[row - 1]
        # tokenize columns count characters of the decoded line; keep to ASCII lines to stay on byte offsets
        if not line.isascii():
            continue
        lines[row - 1] = line[:col] + rng.choice(_REPLACEMENT_LITERALS) + line[end_col:]
    return b"".join(lines)


def splice_keras(data: bytes, rng) -> bytes:
    """Insert Keras model code in odd shapes at a random line: compile calls with every kind of argument, outputs
    built in odd ways, Keras 1 calls, a compile with nothing before it."""
    snippets = [
        b"model.compile(loss=None, metrics=None)",
        b"model.compile(*args, **kwargs)",
        b"model.compile('adam', 'binary_crossentropy', ['accuracy'], None, None)",
        b"model.compile(loss={'a': 'mse', 1: None, **extra}, metrics={'a': [['accuracy']]})",
        b"model.compile(loss=[lambda y, p: p] * 3, metrics=[m for m in ms])",
        b"model.add(Dense(units=None, activation=activation))",
        b"model.add(Dense(-1, activation='softmax')); model.add(Dense(0, activation='sigmoid'))",
        b"model = Sequential([Dense(10, activation='softmax')] * 2 + layers)",
        b"model = Model(inputs=model.inputs, outputs=model.outputs[::-1])",
        b"model.fit_generator(gen, nb_epoch=model, samples_per_epoch=None)",
        b"out = Dense(3)(Dense(3)(out)) if x else Activation('softmax')(out)",
        b"model.compile(loss=tf.keras.losses.BinaryCrossentropy(from_logits=from_logits), metrics=[tf.keras.metrics.BinaryAccuracy(threshold=None)])",
        b"class M(keras.Model):\n    def call(self, x):\n        return self.call(x)",
        b"def build():\n    return build()\nmodel = build()\nmodel.compile(loss='categorical_crossentropy')",
        b"model = model\nmodel.add(model)\nmodel.compile(loss=model)",
        b"model.layers[-1].activation = 'softmax'\nmodel.compile(loss='binary_crossentropy', metrics=['acc'])",
    ]
    return _insert_line(data, rng.choice(snippets), rng)


def encodings(data: bytes, rng) -> bytes:
    """Byte-level surprises: a BOM, a bad or exotic coding cookie, CR or CRLF line ends, NUL bytes, UTF-16."""
    kind = rng.randrange(7)
    if kind == 0:
        return b"\xef\xbb\xbf" + data
    if kind == 1:
        return b"# -*- coding: no-such-codec -*-\n" + data
    if kind == 2:
        return b"# -*- coding: latin-1 -*-\n" + data + b"\n# \xe9\xff\n"
    if kind == 3:
        return data.replace(b"\n", b"\r")
    if kind == 4:
        return data.replace(b"\n", b"\r\n")
    if kind == 5:
        return _insert_line(data, b"x = 1\x00\x00", rng)
    return data.decode("utf-8", "replace").encode("utf-16")


TEXT_MUTATORS = (truncate, flip_bytes, shuffle_lines, break_indentation, deep_nesting, huge_literal,
                 swap_literals, splice_keras, encodings)


def _insert_line(data: bytes, snippet: bytes, rng) -> bytes:
    lines = data.splitlines(keepends=True)
    index = rng.randrange(len(lines) + 1)
    indent = b""
    if index < len(lines):
        line = lines[index]
        indent = line[: len(line) - len(line.lstrip(b" \t"))]
    snippet = b"\n".join(indent + part for part in snippet.split(b"\n"))
    return b"".join(lines[:index] + [snippet + b"\n"] + lines[index:])


# Notebook mutators: the JSON layout (cells, source as a string or a list, nbformat 3 worksheets, wrong types,
# huge cell counts) and the text mutators applied to one code cell's source.


def _load_notebook(data: bytes):
    try:
        notebook = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        return None
    return notebook if isinstance(notebook, dict) else None


def _code_cells(notebook) -> list:
    cells = notebook.get("cells")
    if not isinstance(cells, list):
        return []
    return [cell for cell in cells if isinstance(cell, dict) and cell.get("cell_type") == "code"]


def notebook_cell_text(data: bytes, rng) -> bytes:
    """One of the text mutators on one code cell (the notebook stays valid JSON)."""
    notebook = _load_notebook(data)
    cells = _code_cells(notebook) if notebook else []
    if not cells:
        return rng.choice(TEXT_MUTATORS)(data, rng)
    cell = rng.choice(cells)
    source = cell.get("source", "")
    text = "".join(source) if isinstance(source, list) else str(source)
    mutated = rng.choice(TEXT_MUTATORS)(text.encode("utf-8"), rng).decode("utf-8", "replace")
    cell["source"] = mutated.splitlines(keepends=True) if rng.random() < 0.5 else mutated
    return json.dumps(notebook, indent=1).encode("utf-8")


def notebook_layout(data: bytes, rng) -> bytes:
    """Break the notebook's structure: wrong types, missing keys, nbformat 3 worksheets, magics, huge counts."""
    notebook = _load_notebook(data)
    if notebook is None:
        notebook = {"cells": [{"cell_type": "code", "source": data.decode("utf-8", "replace")}], "nbformat": 4}
    cells = notebook.get("cells") if isinstance(notebook.get("cells"), list) else []
    kind = rng.randrange(10)
    if kind == 0:
        notebook["cells"] = {"not": "a list"}
    elif kind == 1 and cells:
        rng.choice(cells)["source"] = rng.choice([5, None, [1, 2], {"a": "b"}, ["ok\n", None]])
    elif kind == 2 and cells:
        rng.choice(cells).pop("cell_type", None)
    elif kind == 3:
        notebook = {"worksheets": [{"cells": [dict(cell, input=cell.get("source", "")) for cell in cells
                                              if isinstance(cell, dict)]}], "nbformat": 3}
    elif kind == 4:
        notebook["cells"] = cells * rng.choice([50, 500])
    elif kind == 5 and cells:
        rng.choice(cells)["source"] = rng.choice(["%%bash\nls\n", "!pip install keras\n", "model?\n",
                                                  "%timeit model.compile(loss='mse')\n", "files = !ls\n",
                                                  "%%time\nmodel.compile(loss='binary_crossentropy')\n"])
    elif kind == 6:
        notebook["cells"] = [rng.choice(cells) if cells and rng.random() < 0.5 else
                             {"cell_type": rng.choice(["code", "markdown", "raw", "weird"]),
                              "source": rng.choice(["", "\n", "x = (", "model.compile(", "\t"]),
                              "metadata": None, "outputs": "nope"} for _ in range(rng.randint(0, 30))]
    elif kind == 7:
        notebook["nbformat"] = rng.choice([None, "4", 99, -1])
    elif kind == 8:
        return json.dumps(notebook).encode("utf-8")[: rng.randrange(1, max(2, len(data)))]
    else:
        return json.dumps([notebook]).encode("utf-8")
    return json.dumps(notebook).encode("utf-8")


NOTEBOOK_MUTATORS = (notebook_cell_text, notebook_cell_text, notebook_layout, truncate, flip_bytes)


def mutators_for(path: str) -> tuple:
    return NOTEBOOK_MUTATORS if path.endswith(".ipynb") else TEXT_MUTATORS


def mutations(path: str, data: bytes, seed: int, count: int):
    """`count` mutations of one file: (mutator name, bytes). The file's path is part of the seed, so each file
    gets its own sequence and adding a file does not change the others'."""
    rng = random.Random(f"{seed}:{path}")
    choices = mutators_for(path)
    start = rng.randrange(len(choices))  # every mutator once (from a random one on), then at random
    for index in range(count):
        mutator = choices[(start + index) % len(choices)] if index < len(choices) else rng.choice(choices)
        yield mutator.__name__, mutator(data, rng)


# --------------------------------------------------------------------------------------------------------------
# Running kerascheck's command line on one text, in this process


class _Timeout(Exception):
    pass


@dataclass
class Outcome:
    path: str
    mutator: str
    seconds: float  # CPU seconds of the check
    exit_code: int
    problem: str = ""  # empty when kerascheck behaved: findings or none, no internal error, in time
    codes: list = field(default_factory=list)


class Checker:
    """kerascheck's `check --stdin-filename PATH -`, called through click in this process."""

    def __init__(self, time_bound: float = TIME_BOUND_SECONDS):
        from click.testing import CliRunner

        from kerascheck.cli import main  # the console script's entry point (pyproject [project.scripts])

        self.main = main
        self.runner = CliRunner()
        self.time_bound = time_bound
        # Import everything a check needs now, so the first file's time is its own.
        self.runner.invoke(self.main, ["check", "--no-cache", "--stdin-filename", "warm_up.py", "-"],
                           input=KERAS_HEADER + b"model = Sequential([Dense(2, activation='softmax')])\n"
                                               b"model.compile(loss='binary_crossentropy', metrics=['accuracy'])\n")

    def check(self, path: str, data: bytes, mutator: str = "original") -> Outcome:
        args = ["check", "--no-cache", "--output-format", "json", "--exit-zero", "--stdin-filename", path, "-"]
        bound = self.time_bound + SECONDS_PER_MB * len(data) / 1e6 if self.time_bound else 0.0
        alarm = _alarm(bound * 3 + 1)  # a hang becomes a failure instead of a stuck run
        start, cpu_start = time.perf_counter(), time.process_time()
        try:
            result = self.runner.invoke(self.main, args, input=data, catch_exceptions=True)
        except _Timeout:
            return Outcome(path, mutator, time.perf_counter() - start, -1,
                           f"no answer after {bound * 3 + 1:.0f} s (stopped)")
        finally:
            alarm()
        # The bound is on CPU time (the check runs in this process): on a machine shared with other work the
        # wall time says more about the neighbours than about kerascheck. The alarm above catches hangs.
        seconds = time.process_time() - cpu_start
        outcome = Outcome(path, mutator, seconds, result.exit_code)
        stderr = result.stderr
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            error = result.exception
            outcome.problem = f"traceback: {error.__class__.__name__}: {str(error)[:300]}"
        elif "internal error" in stderr or result.exit_code not in (0, 1):
            outcome.problem = f"exit {result.exit_code}: {stderr.strip()[:300]}"
        else:
            try:
                outcome.codes = [finding["code"] for finding in json.loads(result.stdout)]
            except (ValueError, KeyError, TypeError) as error:
                outcome.problem = f"output is not kerascheck's JSON ({error}): {result.stdout[:200]!r}"
        if not outcome.problem and seconds > bound:
            outcome.problem = f"took {seconds:.1f} s on {len(data) / 1e6:.2f} MB, over the {bound:.1f} s bound"
        return outcome


def _alarm(seconds: float):
    """SIGALRM after `seconds` (main thread, POSIX); returns the function that cancels it."""
    if not hasattr(signal, "setitimer"):
        return lambda: None
    import threading

    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def handler(signum, frame):
        raise _Timeout()

    previous = signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, seconds)

    def cancel():
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)

    return cancel


def source_files(roots) -> list:
    files = []
    for root in roots:
        root = Path(root)
        if root.is_file():
            files.append(root)
            continue
        files.extend(path for path in sorted(root.rglob("*"))
                     if path.is_file() and path.name.endswith(SOURCE_SUFFIXES) and ".git" not in path.parts)
    return files


@dataclass
class FuzzReport:
    files: int = 0
    runs: int = 0
    seconds: float = 0.0
    slowest: list = field(default_factory=list)  # (seconds, path, mutator)
    failures: list = field(default_factory=list)  # Outcome
    by_mutator: dict = field(default_factory=dict)  # name -> runs

    def as_dict(self) -> dict:
        return {"files": self.files, "runs": self.runs, "seconds": round(self.seconds, 2),
                "slowest": [[round(s, 3), p, m] for s, p, m in self.slowest],
                "failures": [vars(f) for f in self.failures], "by_mutator": self.by_mutator}


def fuzz(files, seed: int = 0, count: int = 10, relative_to=None, checker=None, progress=None,
         keep_slowest: int = 10) -> FuzzReport:
    """Each file as it is, then `count` seeded mutations of it, through the command line."""
    checker = checker or Checker()
    report = FuzzReport()
    start = time.perf_counter()
    for file in files:
        file = Path(file)
        shown = str(file.relative_to(relative_to)) if relative_to else str(file)
        data = file.read_bytes()
        report.files += 1
        runs = [("original", data)] + list(mutations(shown, data, seed, count))
        for name, mutated in runs:
            outcome = checker.check(shown, mutated, name)
            report.runs += 1
            report.by_mutator[name] = report.by_mutator.get(name, 0) + 1
            report.slowest.append((outcome.seconds, shown, name))
            if outcome.problem:
                report.failures.append(outcome)
        report.slowest = sorted(report.slowest, reverse=True)[:keep_slowest]
        if progress:
            progress(report)
    report.seconds = time.perf_counter() - start
    return report


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="*", help="files or folders (.py, .pyi, .ipynb)")
    parser.add_argument("--files-from", help="a file listing the files to check, one a line")
    parser.add_argument("--time", action="store_true", help="no mutations: time each file as it is")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--mutations", type=int, default=10, help="mutations per file (default: 10)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)
    files = source_files(args.paths)
    if args.files_from:
        files += [Path(line) for line in Path(args.files_from).read_text().splitlines() if line.strip()]
    report = fuzz(files, seed=args.seed, count=0 if args.time else args.mutations,
                  keep_slowest=5 if args.time else 10)
    if args.json:
        print(json.dumps(report.as_dict(), indent=1))
    else:
        print(format_report(report))
    return 1 if report.failures else 0


def format_report(report: FuzzReport) -> str:
    lines = [f"fuzz: {report.files} files x (1 + mutations) = {report.runs} checks in {report.seconds:.1f} s, "
             f"{len(report.failures)} failures (time bound per check: {TIME_BOUND_SECONDS:.0f} s + "
             f"{SECONDS_PER_MB:.0f} s per MB)"]
    lines.append("  slowest: " + "; ".join(f"{s:.2f} s {p} ({m})" for s, p, m in report.slowest[:5]))
    for failure in report.failures:
        lines.append(f"  FAIL {failure.path} [{failure.mutator}] {failure.problem}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
