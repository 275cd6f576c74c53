"""Rule discovery and the engine that runs rules over facts.

Rules are found by walking this package (as Fixit and refurb do), so adding a
rule is adding a class; there is no hand-kept registry.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache
from typing import Iterable, Optional

from kerascheck.facts import FileFacts
from kerascheck.findings import Finding
from kerascheck.rules.base import OutputCheck, Rule
from kerascheck.versions import KerasTarget


@lru_cache(maxsize=None)
def all_rules() -> tuple:
    """Every Rule subclass defined in kerascheck.rules.*, sorted by code."""
    found = {}
    for info in pkgutil.iter_modules(__path__, __name__ + "."):
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, Rule) and value is not Rule and value.code:
                found[value] = None
    return tuple(sorted(found, key=lambda rule: rule.code))


def rule_by_code(code: str):
    for rule in all_rules():
        if rule.code == code:
            return rule
    return None


def rule_fix_safety(code: str) -> Optional[str]:
    """'safe', 'unsafe', or None when the rule has no fix (every rule with one has a fixer in kerascheck.fix)."""
    rule = rule_by_code(code)
    return rule.fix_safety if rule is not None else None


def code_selected(code: str, select: Iterable[str], ignore: Iterable[str]) -> bool:
    """ruff's prefix semantics: the longest matching prefix wins, ignore wins ties."""
    best_select = max((len(p) for p in select if code.startswith(p)), default=-1)
    best_ignore = max((len(p) for p in ignore if code.startswith(p)), default=-1)
    return best_select > best_ignore


def check_file(facts: FileFacts, target: KerasTarget, rules: Iterable = None) -> list:
    """All findings for one file's facts, deduplicated and sorted."""
    rules = [rule() for rule in (rules if rules is not None else all_rules())]
    findings = {}

    def add(rule, report):
        span = report.span
        key = (rule.code, span.line, span.column)
        if key not in findings:
            findings[key] = Finding(
                path=facts.path, line=span.line, column=span.column, end_line=span.end_line,
                end_column=span.end_column, code=rule.code, name=rule.name, message=report.message)

    for problem in facts.problems:
        for rule in rules:
            for report in rule.check_problem(problem):
                add(rule, report)
    for compile_fact in facts.compiles:
        for trained in compile_fact.trained:
            check = OutputCheck(compile_fact, trained, target)
            for rule in rules:
                for report in rule.check_output(check):
                    add(rule, report)
    for rule in rules:
        check_calls = getattr(rule, "check_calls", None)
        if check_calls is not None:
            for report in check_calls(facts, target):
                add(rule, report)
    return sorted(findings.values(), key=Finding.sort_key)


def check_unused_noqa(path: str, unused: Iterable, rules: Iterable) -> list:
    """The findings of the rules that judge `# noqa` comments (KC003), for one file's unused directives
    (kerascheck.suppression, which applies `# noqa` and so knows which ones silenced something)."""
    findings = []
    for rule in rules:
        instance = rule()
        for fact in unused:
            for report in instance.check_noqa(fact):
                span = report.span
                findings.append(Finding(path=path, line=span.line, column=span.column, end_line=span.end_line,
                                        end_column=span.end_column, code=rule.code, name=rule.name,
                                        message=report.message))
    return findings
