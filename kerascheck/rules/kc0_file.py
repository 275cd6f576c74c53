"""KC0: the file itself could not be analysed."""

from __future__ import annotations

from kerascheck.facts import FileProblem, Span
from kerascheck.intents import Fix, ReplaceText
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


class UnusedNoqaRule(Rule):
    """
    ## What it does
    Reports the kerascheck codes of a `# noqa: KC...` comment that silence no
    kerascheck finding on their line (as ruff's RUF100). Codes of other tools
    (`E501`, `F401`) and a bare `# noqa` are left alone, and so is a code whose
    rules did not run on the file (not selected, or ignored for it) or that only
    the runtime pass can report (KC9). A KC code that names no rule is reported
    too. Under flake8, which applies `# noqa` itself, it is not reported.

    ## Why is this bad?
    A stale `# noqa` hides the next real finding on its line: the mistake it was
    written for is gone (or was never there), but a new one would be silenced
    without anyone noticing. It also keeps code reviewers guessing.

    ## Example
    ```python
    model.compile(loss='categorical_crossentropy', metrics=['accuracy'])  # noqa: KC101
    ```

    ## Use instead
    ```python
    model.compile(loss='categorical_crossentropy', metrics=['accuracy'])
    ```

    ## Fix safety
    Safe: only the unused codes are removed (`# noqa: E501, KC101` becomes
    `# noqa: E501`), or the whole directive when none is left; the rest of the
    comment stays. Nothing that is silenced today becomes visible.
    """

    code = "KC003"
    name = "unused-noqa"
    summary = "A `# noqa` comment lists kerascheck codes that silence nothing"
    fix_safety = "safe"
    # Run alone (tests/test_rules.py), KC003 can judge only codes that name no rule; with the others, see
    # tests/test_unused_noqa.py.
    fires = (
        "import keras\nx = 1  # noqa: KC9999\n",
        "import keras\nx = 1  # noqa: E501, KC1000\n",
    )
    passes = (
        "from keras.models import Sequential\nfrom keras.layers import Dense\n"
        "model = Sequential([Dense(10, activation='softmax')])\n"
        "model.compile(loss='binary_crossentropy')  # noqa: KC201\n",
        "import keras\nx = 1  # noqa: E501\n",
        "import keras\nx = 1  # noqa\n",
        "import keras\nx = 1  # noqa: KC901\n",
        "import keras\ntext = '# noqa: KC101'\n",
    )

    def check_noqa(self, unused):
        from kerascheck.suppression import without_codes  # suppression imports the rules where it reports KC003

        comment = unused.comment
        listed = ", ".join(comment.codes)
        if unused.removes_comment:
            what = f"`# noqa: {listed}` silences no kerascheck finding on this line; remove it"
        else:
            codes = ", ".join(unused.unused)
            what = (f"{codes} in `# noqa: {listed}` silence{'s' if len(unused.unused) == 1 else ''} no kerascheck "
                    f"finding on this line; remove {'it' if len(unused.unused) == 1 else 'them'}")
        if unused.unknown:
            what += f" ({', '.join(unused.unknown)}: no such kerascheck rule)"
        start, end, text = without_codes(comment, unused.unused)
        title = "Remove the unused `noqa` directive" if unused.removes_comment else \
            f"Remove the unused code{'s' if len(unused.unused) != 1 else ''} {', '.join(unused.unused)}"
        fix = Fix.safe(title, ReplaceText(Span(comment.line, start, comment.line, end), text))
        yield Report(Span(comment.line, comment.column, comment.line, comment.end_column), what, fix=fix)
