"""Fixers by rule code. A fixer turns one finding into edits, or says it cannot (None)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

FIXERS: dict = {}


@dataclass
class Fix:
    message: str  # what the fix does: "Replace with 'categorical_accuracy'"
    edits: list = field(default_factory=list)  # list[Edit], offsets into the text the fix was computed on
    safety: Optional[str] = None  # None: the rule's fix_safety


def fixer(*codes: str):
    """Register a function(ctx, finding) -> Optional[Fix] as the fixer of rule codes."""

    def register(function):
        for code in codes:
            FIXERS[code] = function
        return function

    return register
