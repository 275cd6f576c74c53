"""Adding, dropping and changing call arguments with libcst, keeping the call's own layout."""

from __future__ import annotations

from typing import Optional

import libcst as cst


def keyword(call: cst.Call, name: str) -> Optional[cst.Arg]:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg
    return None


def has_star(call: cst.Call) -> bool:
    return any(arg.star for arg in call.args)


def _has_comment(whitespace) -> bool:
    if isinstance(whitespace, cst.ParenthesizedWhitespace):
        return whitespace.first_line.comment is not None or any(line.comment for line in whitespace.empty_lines)
    return False


def _breaks_line(comma) -> bool:
    return isinstance(comma, cst.Comma) and isinstance(comma.whitespace_after, cst.ParenthesizedWhitespace)


def without(call: cst.Call, dropped) -> cst.Call:
    """The call without the given Arg nodes. A comma that carries a comment stays, as a trailing comma."""
    dropped = list(dropped)
    args = list(call.args)
    kept = []
    for index, arg in enumerate(args):
        if not any(arg is d for d in dropped):
            kept.append(arg)
        elif kept and index < len(args) - 1 and _breaks_line(arg.comma) and not _breaks_line(kept[-1].comma) \
                and isinstance(kept[-1].comma, cst.Comma):
            # `a,\n    b=1,\n    c` without b: a keeps the line break b's comma had (the call keeps its lines).
            kept[-1] = kept[-1].with_changes(comma=kept[-1].comma.with_changes(
                whitespace_after=arg.comma.whitespace_after))
    if kept and any(args[-1] is arg for arg in dropped):  # the last argument went
        last = args[-1]
        previous = kept[-1]
        if _has_comment(previous.comma.whitespace_after if isinstance(previous.comma, cst.Comma) else None):
            kept[-1] = previous.with_changes(whitespace_after_arg=last.whitespace_after_arg)
        else:
            kept[-1] = previous.with_changes(comma=last.comma, whitespace_after_arg=last.whitespace_after_arg)
    return call.with_changes(args=kept)


def with_keyword(call: cst.Call, name: str, value: cst.BaseExpression) -> cst.Call:
    """The call with `name=value` set: replaced in place when present, else appended in the call's style."""
    present = keyword(call, name)
    if present is not None:
        return call.with_changes(args=[arg.with_changes(value=value) if arg is present else arg for arg in call.args])
    new = cst.Arg(keyword=cst.Name(name), value=value,
                  equal=cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""),
                                        whitespace_after=cst.SimpleWhitespace("")))
    args = list(call.args)
    if not args:
        return call.with_changes(args=[new])
    last = args[-1]
    if len(args) > 1 and isinstance(args[-2].comma, cst.Comma):
        between = args[-2].comma
    elif isinstance(call.whitespace_before_args, cst.ParenthesizedWhitespace) and isinstance(last.comma, cst.Comma):
        between = cst.Comma(whitespace_after=call.whitespace_before_args)
    else:
        between = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    args[-1] = last.with_changes(comma=between, whitespace_after_arg=cst.SimpleWhitespace(""))
    args.append(new.with_changes(comma=last.comma, whitespace_after_arg=last.whitespace_after_arg))
    return call.with_changes(args=args)


def renamed(arg: cst.Arg, name: str) -> cst.Arg:
    return arg.with_changes(keyword=arg.keyword.with_changes(value=name))

