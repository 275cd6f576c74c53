"""`--output-format full` (ruff's default): each finding, then its source lines with a caret under the range,
then the fix's title when it has one.

    KC201 [*] binary_crossentropy on a softmax output (line 3, 10 units) ...
     --> train.py:4:20
      |
    3 | model = Sequential([Dense(10, activation='softmax')])
    4 | model.compile(loss='binary_crossentropy')
      |                    ^^^^^^^^^^^^^^^^^^^^^
      |
    help: Replace with 'categorical_crossentropy'

Lines and columns are kerascheck's own (1-based, in characters), shown as they are; the
caret line repeats the tabs of the line above it, so it lines up in any terminal.
"""

from __future__ import annotations

from kerascheck.report import line_message, marked
from kerascheck.report.source_lines import SourceLines

CONTEXT_LINES = 2  # before and after the finding's lines, as ruff shows them (blank lines at the edges dropped)


def fix_marker(finding, context: dict) -> str:
    """' [*]' when `--fix` would apply the finding's fix (a safe one, or any with --unsafe-fixes)."""
    return " [*]" if marked(finding, context) else ""


def location(finding) -> str:
    cell = f"cell {finding.cell}:" if finding.cell is not None else ""
    return f"{finding.path}:{cell}{finding.line}:{finding.column}"


def _snippet(finding, lines: list) -> list:
    first = finding.line
    last = max(first, finding.end_line or first)
    if not 1 <= first <= len(lines):
        return []
    last = min(last, len(lines))
    start = max(1, first - CONTEXT_LINES)
    end = min(len(lines), last + CONTEXT_LINES)
    while start < first and not lines[start - 1].strip():
        start += 1
    while end > last and not lines[end - 1].strip():
        end -= 1
    width = len(str(end))
    gutter = " " * width + " |"
    out = [gutter]
    for number in range(start, end + 1):
        text = lines[number - 1]
        out.append(f"{number:>{width}} | {text}".rstrip())
        if number == first:
            begin = min(max(finding.column - 1, 0), len(text))
            if finding.end_line in (None, first) and finding.end_column is not None:
                stop = min(max(finding.end_column - 1, begin + 1), max(len(text), begin + 1))
            else:
                stop = max(len(text.rstrip()), begin + 1)
            prefix = "".join(char if char == "\t" else " " for char in text[:begin])
            out.append(f"{gutter} {prefix}{'^' * (stop - begin)}")
    out.append(gutter)
    return out


def render(findings: list, context: dict) -> str:
    sources = SourceLines(context.get("sources"))
    blocks = []
    for finding in findings:
        block = [f"{finding.code}{fix_marker(finding, context)} {line_message(finding)}", f" --> {location(finding)}"]
        lines = sources.lines(finding.path, finding.cell)
        if lines is not None:
            block.extend(_snippet(finding, lines))
        if finding.fix is not None:
            block.append(f"help: {finding.fix.message}")
            if finding.fix.safety == "unsafe":
                block.append("note: This is an unsafe fix: it changes what is trained or measured (--unsafe-fixes)")
        blocks.append("\n".join(block) + "\n")
    return "\n".join(blocks)
