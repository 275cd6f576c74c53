"""Source text -> FileFacts. The only place that reads syntax.

Order of work, cheapest first: decode, skip files that cannot hold Keras code,
parse once with CPython's `ast` (fast, exact messages, refuses absurd
nesting) and interpret. libcst, which keeps every character, is only for --fix.
"""

from __future__ import annotations

import ast
import os
import re
import sys
import warnings
from typing import Optional

from kerascheck import knowledge
from kerascheck.extract.calls import MODEL_METHODS, SNIPPET_EXTRA, extract_calls
from kerascheck.extract.interpreter import BETWEEN_DOT_AND_NAME, COMPILE_ATTRIBUTE, ModuleInterpreter
from kerascheck.extract.project import ProjectLayout
from kerascheck.extract.spans import SourceSpans
from kerascheck.facts import FileFacts, FileProblem
# Decoding lives below extraction (extract/project.py and the reports decode without the extractor);
# kerascheck.extract.decode_source and DecodeError stay public names.
from kerascheck.source_text import DecodeError, decode_source, one_line

# A file that mentions none of these cannot hold a Keras compile or a Keras API call.
_MAY_HOLD_KERAS = re.compile(rb"keras|Keras|Sequential|\.compile\s*\(|Dense\s*\(|Conv[123]D|Convolution[123]D")
# Every pattern below starts with a literal where it can, and `in` tests go first: Python's
# `re` tries an alternation at every position of the text, and these run on megabytes.
# The interpreter records a compile only for a call whose callee is an attribute named `compile`
# (interpreter.COMPILE_ATTRIBUTE).
_SEQUENTIAL_OR_DENSE = re.compile(r"\b(?:Sequential|Dense)\b")
# Where a name can come to mean Keras in code: an import line that names a Keras module (or
# scikeras's KerasClassifier), or an attribute `.keras`/`keras.`. "Keras" only in comments and
# docstrings (TensorFlow's are full of it) resolves nothing.
_KERAS_IMPORT_LINE = re.compile(r"(?im)^[ \t]*(?:from|import)[ \t][^\n]*keras")
_KERAS_ATTRIBUTE = re.compile(r"\.keras\b|\bkeras\s*\.")
# A compile of a model built in another module of the project: an import, and Keras's compile arguments.
_IMPORT_LINE = re.compile(r"(?m)^[ \t]*(?:from[ \t]+\S+[ \t]+import|import)[ \t]")
_COMPILE_ARGUMENT = re.compile(r"\b(?:loss|metrics|optimizer)\s*=")
_MODEL_METHOD_CALL = re.compile(r"\.%s(?:%s)\b" % (BETWEEN_DOT_AND_NAME, "|".join(sorted(MODEL_METHODS))))


def _word_trie(words) -> str:
    """A regex matching any of `words`, as a trie: far faster in `re` than a flat alternation."""
    tree: dict = {}
    for word in words:
        node = tree
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def build(node: dict) -> str:
        branches = [re.escape(char) + build(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:%s)" % "|".join(branches)
        return "(?:%s)?" % body if "" in node else body

    return build(tree)


# A pasted snippet uses Keras's own names bare (`Dense`, not `np.Dense`): matches are checked
# for what comes before them in _bare_names_match.
_SNIPPET_NAMES = _word_trie({*knowledge.SNIPPET_MODULE, *SNIPPET_EXTRA})
_SNIPPET_WORD = re.compile(r"%s\b" % _SNIPPET_NAMES)
_SNIPPET_CALL = re.compile(r"%s\s*\(" % _SNIPPET_NAMES)


def _bare_names_match(pattern, text: str, definition_too: bool) -> bool:
    """Whether `pattern` matches somewhere as a bare name: not inside a longer name, not after a
    dot (an attribute), and, unless definition_too, not right after 'def ' or 'class '."""
    for match in pattern.finditer(text):
        start = match.start()
        before = text[start - 1] if start else " "
        if before.isalnum() or before in "._":
            continue
        if not definition_too and text.endswith(("def ", "class "), 0, start):
            continue
        return True
    return False


def mentions_keras(text: str) -> bool:
    """What makes the interpreter count a compile of a receiver it cannot see (with loss=...)."""
    return "keras" in text or "Keras" in text or (
        ("Sequential" in text or "Dense" in text) and _SEQUENTIAL_OR_DENSE.search(text) is not None)


def may_yield_facts(text: str) -> tuple:
    """(may hold a compile of a Keras model, may hold a call worth a look), judged on the text alone.

    A name resolves to Keras through an import of a Keras module (all say "keras") or, in a
    pasted snippet, as one of Keras's own names used bare. The interpreter records a compile
    of a Keras model: a `.compile` and some name of Keras's. The call extractor records a call
    of a Keras name (imported or reached as an attribute `.keras`) or of a model method; there a
    snippet name counts only where it is called
    (the word `Add` in a comment does not; `D = Dense; D(...)` in a snippet that never says
    "keras" is not looked at). A compile with Keras's arguments (`loss=`...) in a file that imports
    something may be of a model built in another module of the project. Keep this in step with what extract/ records
    (tests/test_hostile.py checks the gates change no result).
    """
    may_compile = "compile" in text and COMPILE_ATTRIBUTE.search(text) is not None and (
        mentions_keras(text) or _bare_names_match(_SNIPPET_WORD, text, definition_too=True)
        or (_COMPILE_ARGUMENT.search(text) is not None and _IMPORT_LINE.search(text) is not None))
    names_keras_in_code = ("keras" in text or "Keras" in text) and (
        _KERAS_IMPORT_LINE.search(text) is not None or _KERAS_ATTRIBUTE.search(text) is not None)
    may_call = names_keras_in_code or _MODEL_METHOD_CALL.search(text) is not None or \
        _bare_names_match(_SNIPPET_CALL, text, definition_too=False)
    return may_compile, may_call


# Set to False (tests, benchmarks) to check that the gates above change no result.
USE_GATES = True


def may_hold_keras(data: bytes) -> bool:
    return _MAY_HOLD_KERAS.search(data) is not None


def extract_bytes(path: str, data: bytes, project_root: Optional[str] = None) -> FileFacts:
    if not may_hold_keras(data):
        return FileFacts(path=path)
    try:
        text = decode_source(data)
    except DecodeError as error:
        return FileFacts(path=path, problems=[FileProblem("KC002", f"cannot read file: {error}", error.line,
                                                          error.column)])
    return extract_text(path, text, project_root)


def extract_text(path: str, text: str, project_root: Optional[str] = None) -> FileFacts:
    """The facts of one file. Imports of the program's own modules are followed when `path` is a file on disk
    (its folder, its package and `project_root` say where they are: extract/project.py)."""
    facts = FileFacts(path=path)
    may_compile, may_call = may_yield_facts(text) if USE_GATES else (True, True)
    if not (may_compile or may_call):
        # Nothing Keras to analyse, so nothing to report, not even a syntax error: such a file
        # is out of kerascheck's scope (and compiling it only to judge syntax cost ~15% of a
        # run over a large repository).
        return facts
    module = parse_module(text)
    if isinstance(module, FileProblem):
        facts.problems.append(module)
        return facts
    layout = ProjectLayout.for_file(path, project_root) if os.path.isfile(path) else None
    try:
        interpreter = ModuleInterpreter(path, module, SourceSpans(text), mentions_keras(text), layout)
        if may_compile:
            facts.compiles = interpreter.run()
            facts.model_calls = interpreter.recorder.model_call_facts()
            facts.sets_channels_first = interpreter.sets_channels_first
            facts.mentions_legacy_keras = "TF_USE_LEGACY_KERAS" in text
            facts.prediction_uses = interpreter.recorder.prediction_use_facts()
            facts.dependencies = interpreter.dependencies
        if may_call:
            facts.calls = extract_calls(interpreter)
    except RecursionError:
        facts.problems.append(FileProblem("KC002", "not analysed: the code is nested too deeply"))
    return facts


# The last text parsed and its tree: computing fixes right after checking a file asks for the
# same tree again (one entry, so memory stays flat).
_last_parsed: tuple = ("", None)


def last_tree(text: str) -> Optional[ast.Module]:
    """The tree of `text` if it is the last text parse_module parsed, else None."""
    last_text, tree = _last_parsed
    return tree if tree is not None and last_text == text else None


def parse_module(text: str):
    """The module's `ast`, or the KC001/KC002 problem that stops it."""
    global _last_parsed
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escape sequences and the like
            tree = ast.parse(text)
        _last_parsed = (text, tree)
        return tree
    except SyntaxError as error:
        return _syntax_error_problem(error)
    except (RecursionError, MemoryError):
        return FileProblem("KC001", "syntax error: too deeply nested for Python's parser")
    except ValueError as error:  # e.g. source code string cannot contain null bytes
        return FileProblem("KC002", f"cannot read file: {one_line(str(error))}")


def _syntax_error_problem(error: SyntaxError) -> FileProblem:
    line = error.lineno or 1
    column = error.offset or 1
    message = error.msg
    if "print" in message and "parentheses" in message:
        message += " (Python 2 code?)"
    return FileProblem("KC001", f"syntax error: {message}", line, max(column, 1))


__all__ = ["extract_bytes", "extract_text", "decode_source", "may_hold_keras", "DecodeError", "sys"]
