"""The closing line of a text run about fixes, as ruff prints it."""

from __future__ import annotations

from typing import Optional


def fix_hint(attached: int, hidden: int, unsafe: bool, fixed: int = 0) -> Optional[str]:
    """ruff's closing line: how many findings `--fix` would fix, and how many only `--unsafe-fixes` would.

    After `--fix` (`fixed` applied) it never says "No fixes available": the line before it just said how many
    were fixed. Only what is left is named: the hidden (unsafe) fixes."""
    plural = "es" if hidden != 1 else ""
    hidden_note = (f"{hidden} hidden fix{plural} can be enabled with the `--unsafe-fixes` option" if hidden else "")
    if attached:
        option = "`--fix --unsafe-fixes`" if unsafe else "`--fix`"
        return f"[*] {attached} fixable with the {option} option" + (f" ({hidden_note})." if hidden else ".")
    if hidden:
        return f"{hidden_note[0].upper()}{hidden_note[1:]}." if fixed else f"No fixes available ({hidden_note})."
    return None
