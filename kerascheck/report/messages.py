"""A finding's message as every format prints it, shared by the formats (kerascheck.report imports them)."""

from __future__ import annotations

from kerascheck.report.evidence import note


def message(finding) -> str:
    """A finding's message as every format prints it: the rule's words, then the runtime pass's evidence."""
    return finding.message + note(finding.runtime)


def one_line(text: str) -> str:
    """A message folded onto one line, for the formats that print one finding a line (a multi-line Keras error
    quoted by the runtime pass would otherwise break them); JSON and SARIF keep it whole."""
    if "\n" not in text and "\r" not in text:
        return text
    return " ".join(part.strip() for part in text.splitlines() if part.strip())


def line_message(finding) -> str:
    """message(finding), folded onto one line."""
    return one_line(message(finding))


def marked(finding, context: dict) -> bool:
    """Whether a finding's fix is applicable in this run (the text format's [*]): from the rule's intent alone."""
    return finding.fix is not None and finding.fix.applicable(bool(context.get("unsafe_fixes")))
