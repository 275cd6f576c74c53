"""Fix intents: the vocabulary a rule writes its fix in, made into edits by kerascheck/fix/ alone.

The next wave of rules is written here in a few lines each, to show that a rule with a
fix is one class: KC401/KC402 replace the loss with another (unsafe), KC502 replaces a
regression loss with the matching cross-entropy (unsafe), KC408 replaces
`np.argmax(pred, axis=-1)` with `(pred > 0.5).astype(int)` (unsafe).
"""

import ast
import textwrap

import pytest

from kerascheck import intents
from kerascheck.facts import Span
from kerascheck.findings import Finding
from kerascheck.fix import fix_source
from kerascheck.intents import Fix, KerasName, ReplaceCode, ReplaceLoss, SetArgument
from kerascheck.rules import check_file
from kerascheck.rules.base import Report, Rule, describe_output
from kerascheck.extract import extract_text
from kerascheck.versions import UNKNOWN


def _span(node: ast.AST) -> Span:
    return Span(node.lineno, node.col_offset + 1, node.end_lineno, node.end_col_offset + 1)


def _fixed(text: str, *changes, safety=intents.UNSAFE) -> str:
    """`text` with one finding whose fix is `changes`, fixed as --fix --unsafe-fixes does."""
    finding = Finding("case.py", 1, 1, "KC999", "case", "a case", fix=Fix("a case", safety, tuple(changes)))
    return fix_source(text, lambda _source: [], unsafe=True, findings=[finding]).text


def _loss_node(text: str) -> ast.AST:
    call = next(node for node in ast.walk(ast.parse(text)) if isinstance(node, ast.Call)
                and getattr(node.func, "attr", None) == "compile")
    return next(keyword.value for keyword in call.keywords if keyword.arg == "loss")


@pytest.mark.parametrize("loss, new, expected", [
    ("'sparse_categorical_crossentropy'", "categorical_crossentropy", "'categorical_crossentropy'"),  # KC401
    ('"categorical_crossentropy"', "sparse_categorical_crossentropy", '"sparse_categorical_crossentropy"'),  # KC402
    ("'mse'", "categorical_crossentropy", "'categorical_crossentropy'"),  # KC502, a string
    ("keras.losses.MeanSquaredError(name='l')", "categorical_crossentropy",
     "keras.losses.CategoricalCrossentropy(name='l')"),  # KC502, an object: its class, its common arguments
    ("keras.losses.mean_squared_error", "categorical_crossentropy", "keras.losses.categorical_crossentropy"),
])
def test_replace_loss_in_the_code_s_own_form(loss, new, expected):
    text = f"import keras\nmodel = keras.Sequential()\nmodel.compile(optimizer='adam', loss={loss})\n"
    assert _fixed(text, ReplaceLoss(_span(_loss_node(text)), new)) == text.replace(loss, expected)


def test_replace_code_by_a_template_of_the_source():
    """KC408: np.argmax over the last axis of a 1-unit output's predictions -> a threshold."""
    text = "import numpy as np\nlabels = np.argmax(model.predict(x_test), axis=-1)  # classes\n"
    call = next(node for node in ast.walk(ast.parse(text)) if isinstance(node, ast.Call)
                and getattr(node.func, "attr", None) == "argmax")
    fixed = _fixed(text, ReplaceCode(_span(call), "({0} > 0.5).astype(int)", (_span(call.args[0]),)))
    assert fixed == "import numpy as np\nlabels = (model.predict(x_test) > 0.5).astype(int)  # classes\n"


def test_replace_code_reaches_keras_names_in_the_file_s_import_style():
    text = "from keras.optimizers import SGD\nopt = SGD(0.1)\n"
    call = next(node for node in ast.walk(ast.parse(text)) if isinstance(node, ast.Call))
    fixed = _fixed(text, ReplaceCode(_span(call.args[0]), "{0}({1}, decay_steps=1, decay_rate=0.5)",
                                     (KerasName("optimizers.schedules.InverseTimeDecay"), _span(call.args[0]))))
    assert fixed == ("from keras.optimizers import SGD\nfrom keras.optimizers.schedules import InverseTimeDecay\n"
                     "opt = SGD(InverseTimeDecay(0.1, decay_steps=1, decay_rate=0.5))\n")


def test_changes_of_one_call_are_made_together():
    """Several changes to one call's arguments: one edit, commas right, whatever their order."""
    text = "import keras\nlayer = keras.layers.Dense(10, init='uniform', W_regularizer=r, bias=False)\n"
    call = next(node for node in ast.walk(ast.parse(text)) if isinstance(node, ast.Call))
    keywords = {keyword.arg: keyword for keyword in call.keywords}
    fixed = _fixed(text, intents.RemoveArgument(_span(keywords["bias"])),
                   intents.RenameKeyword(_span(keywords["init"]), "kernel_initializer"),
                   intents.RemoveArgument(_span(keywords["W_regularizer"])),
                   SetArgument(_span(call), "activation", "'relu'"))
    assert fixed == "import keras\nlayer = keras.layers.Dense(10, kernel_initializer='uniform', activation='relu')\n"


def test_a_change_that_cannot_be_made_drops_its_fix_and_an_optional_one_only_itself():
    text = "import keras\nlayer = keras.layers.Dense(10, init='uniform')\n"
    call = next(node for node in ast.walk(ast.parse(text)) if isinstance(node, ast.Call))
    init = _span(call.keywords[0])
    unreachable = intents.RenameCall(_span(call.args[0]), "Conv2D", "layers")  # not a call: cannot be made
    assert _fixed(text, intents.RenameKeyword(init, "kernel_initializer"), unreachable) == text
    optional = intents.RenameCall(_span(call.args[0]), "Conv2D", "layers", optional=True)
    assert _fixed(text, intents.RenameKeyword(init, "kernel_initializer"), optional) == \
        text.replace("init=", "kernel_initializer=")


def test_every_kind_of_change_round_trips_through_the_cache():
    span = Span(1, 2, 3, 4)
    fix = Fix.unsafe("all of them", intents.ReplaceMetric(span, "binary_accuracy", 0.0),
                     ReplaceLoss(span, "categorical_crossentropy", True),
                     SetArgument(span, "from_logits", "False", 0, "False"), intents.RenameKeyword(span, "epochs"),
                     intents.RemoveArgument(span), intents.ReplaceString(span, "channels_first"),
                     intents.RenameCall(span, "Conv2D", "layers", optional=True),
                     ReplaceCode(span, "({0} > 0.5)", (span, KerasName("metrics.AUC"))),
                     intents.ReplaceText(span, "# noqa: E501"))
    assert {type(change) for change in fix.changes} == set(intents.CHANGES)
    assert Fix.from_json(fix.to_json()) == fix
    finding = Finding("a.py", 1, 1, "KC101", "n", "m", fix=fix)
    assert Finding.from_cache(finding.to_cache()) == finding


class RegressionLossOnSoftmax(Rule):
    """A rule written as a newcomer would (a test-only KC502): its fix is one line next to its decision."""

    code = "KC999"
    name = "regression-loss-on-softmax"
    summary = "A regression loss on a softmax output"
    fix_safety = "unsafe"

    def check_output(self, check):
        loss, output = check.loss, check.output
        if loss is not None and loss.canonical == "mean_squared_error" and output.activation == "softmax":
            yield Report(check.loss_span(), f"{loss.spelling} on a {describe_output(output, check.name_line)}",
                         fix=Fix.unsafe("Use 'categorical_crossentropy'",
                                        ReplaceLoss(loss.span, "categorical_crossentropy")))


def test_a_new_rule_with_a_fix_is_one_class():
    text = textwrap.dedent("""\
        import keras
        model = keras.Sequential([keras.layers.Dense(10, activation='softmax')])
        model.compile(optimizer='adam', loss='mean_squared_error', metrics=['accuracy'])
        """)

    def check(source):
        return check_file(extract_text("case.py", source), UNKNOWN, [RegressionLossOnSoftmax])

    [finding] = check(text)
    assert finding.message == "'mean_squared_error' on a softmax output (line 2, 10 units)"
    assert finding.fix.safety == "unsafe"
    outcome = fix_source(text, check, unsafe=True)
    assert outcome.fixed == 1 and outcome.remaining == []
    assert "loss='categorical_crossentropy'" in outcome.text
    assert fix_source(text, check, unsafe=False).text == text  # unsafe: not without --unsafe-fixes
