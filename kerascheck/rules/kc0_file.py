"""KC0: the file itself could not be analysed."""

from __future__ import annotations

from kerascheck.facts import FileProblem, Span
from kerascheck.rules.base import Report, Rule


class _FileProblemRule(Rule):
    def check_problem(self, problem: FileProblem):
        if problem.code == self.code:
            yield Report(Span(problem.line, problem.column, problem.line, problem.column), problem.message)


class SyntaxErrorRule(_FileProblemRule):
    """
    ## What it does
    Reports a file (or notebook cell) that Python cannot parse, at the line and
    column the parser gives.

    ## Why is this bad?
    kerascheck cannot check a file it cannot parse, and neither can Python run it.
    Python 2 files (`print x`) are the usual case in old Keras code.

    ## Example
    ```python
    print "training"
    model.compile(loss='binary_crossentropy')
    ```

    ## Use instead
    ```python
    print("training")
    model.compile(loss='binary_crossentropy')
    ```

    ## Fix safety
    No fix.
    """

    code = "KC001"
    name = "syntax-error"
    summary = "The file does not parse"
    fires = ("import keras\nprint 'hello'\n",)
    passes = ("import keras\nprint('hello')\n",)


class UnreadableFileRule(_FileProblemRule):
    """
    ## What it does
    Reports a file that cannot be read or decoded (binary content, a wrong
    encoding declaration, a notebook that is not valid JSON), or that kerascheck
    could not analyse at all.

    ## Why is this bad?
    Nothing in the file was checked; a silent skip would hide that.

    ## Example
    A `.py` file saved as Latin-1 without a `# -*- coding: latin-1 -*-` line.

    ## Use instead
    Save the file as UTF-8, or declare its encoding on the first line.

    ## Fix safety
    No fix.
    """

    code = "KC002"
    name = "unreadable-file"
    summary = "The file cannot be read or decoded"
    fires = ()  # made from bytes, not source text: see tests/test_robustness.py
    passes = ("import keras\n",)
