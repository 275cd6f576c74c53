"""Test helpers: run the whole pipeline on a source string."""

from kerascheck.extract import extract_text
from kerascheck.rules import all_rules, check_file
from kerascheck.suppression import apply_noqa
from kerascheck.runner import Options, target_for
from kerascheck.versions import UNKNOWN


def findings_for(source: str, rules=None, path: str = "case.py"):
    """Findings for a source text, `# noqa` applied (KC003 judged) as in a check. The target is the file's
    directive, else unknown."""
    facts = extract_text(path, source)
    target = target_for(source.encode("utf-8"), Options(target=UNKNOWN))
    rules = rules if rules is not None else all_rules()
    return apply_noqa(check_file(facts, target, rules), source, path, rules)


def codes_for(source: str) -> list:
    return [f.code for f in findings_for(source)]


def outputs_for(source: str) -> list:
    """[(line of compile, [(activation, units, layer_line, name)], [loss canonical])]."""
    facts = extract_text("case.py", source)
    return [(c.span.line, [(t.output.activation, t.output.units, t.output.layer_line, t.output.name) for t in c.trained],
             [t.loss.canonical if t.loss else None for t in c.trained], c.model_style) for c in facts.compiles]
