"""`--show-fixes` after `--fix`: what was fixed, by file and code, as ruff prints it.

    Fixed 3 findings:
    - train.py:
        2 × KC301 (keras1-layer-argument)
        1 × KC302 (keras1-fit-argument)
"""

from __future__ import annotations


def render(fixed: dict, names: dict, diff: bool = False) -> str:
    """`fixed`: path -> {code: count}; `names`: code -> rule name. Empty when nothing was fixed."""
    total = sum(sum(codes.values()) for codes in fixed.values())
    if not total:
        return ""
    verb = "Would fix" if diff else "Fixed"
    lines = [f"{verb} {total} finding{'s' if total != 1 else ''}:"]
    for path in sorted(fixed):
        codes = {code: count for code, count in fixed[path].items() if count}
        if not codes:
            continue
        lines.append(f"- {path}:")
        for code, count in sorted(codes.items(), key=lambda item: (-item[1], item[0])):
            lines.append(f"    {count} × {code} ({names.get(code, '')})")
    return "\n".join(lines) + "\n"
