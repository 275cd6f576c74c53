"""The closing line of a text run about fixes, as ruff prints it."""

from __future__ import annotations

from typing import Optional


def fix_hint(attached: int, hidden: int, unsafe: bool) -> Optional[str]:
    """ruff's closing line: how many findings `--fix` would fix, and how many only `--unsafe-fixes` would."""
    plural = "es" if hidden != 1 else ""
    hidden_note = (f"{hidden} hidden fix{plural} can be enabled with the `--unsafe-fixes` option" if hidden else "")
    if attached:
        option = "`--fix --unsafe-fixes`" if unsafe else "`--fix`"
        return f"[*] {attached} fixable with the {option} option" + (f" ({hidden_note})." if hidden else ".")
    if hidden:
        return f"No fixes available ({hidden_note})."
    return None
