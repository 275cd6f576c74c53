"""Turning a rule's fix intent (kerascheck/intents.py) into text edits, with libcst.

Each kind of change has one maker here (`MAKERS`). A maker finds the node the
change is aimed at (the node spanning exactly its range), and says how it changes,
in the node's own form and the file's own import style. It never decides whether
or what to fix: that is the rule's. It refuses (FixUnavailable) only when the code
is not in a shape it can rewrite cleanly (a string with an odd prefix, a name the
file's imports cannot reach, a comment inside the code to replace).

The changes a fix makes to the arguments of one call (rename a keyword, remove an
argument, set one, replace its code, rename the callee) are applied together to
that call and written as one edit, the narrowest that holds them: the commas and
comments between arguments stay right whatever the combination.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import libcst as cst

from kerascheck import intents, knowledge
from kerascheck.facts import Span
from kerascheck.fix import args as arguments
from kerascheck.fix.context import FixContext, FixUnavailable
from kerascheck.fix.edits import trimmed
from kerascheck.fix.imports import reference, swap_name

_STRING_PREFIXES = {"", "u", "U", "r", "R"}
# Arguments every accuracy class takes; the others (threshold, k) belong to the old class.
_COMMON_METRIC_ARGUMENTS = {"name", "dtype"}
# Arguments every cross-entropy (and regression) loss class takes.
_COMMON_LOSS_ARGUMENTS = {"from_logits", "reduction", "name", "dtype"}


@dataclass
class TextFix:
    """A fix made: the rule's message and safety, and the text edits (offsets into the text it was made on)."""

    message: str
    safety: str
    edits: list = field(default_factory=list)


def make_fix(ctx: FixContext, fix: intents.Fix) -> Optional[TextFix]:
    """The edits of a fix intent, or None when nothing needs to change. Raises FixUnavailable, NeedsWholeFile."""
    calls: dict = {}  # id(Call) -> _CallRewrite: the changes made to that call's arguments and callee
    edits: list = []
    for change in fix.changes:
        try:
            MAKERS[type(change)](ctx, change, _Made(calls, edits))
        except FixUnavailable:
            if not change.optional:
                raise
    for rewrite in calls.values():
        edits.extend(rewrite.edits(ctx))
    edits = [edit for edit in edits if ctx.text[edit.start:edit.end] != edit.content]
    return TextFix(fix.message, fix.safety, edits) if edits else None


@dataclass
class _Made:
    """What the makers of one fix have made so far."""

    calls: dict
    edits: list

    def call(self, call: cst.Call) -> "_CallRewrite":
        found = self.calls.get(id(call))
        if found is None:
            found = self.calls[id(call)] = _CallRewrite(call)
        return found


class _CallRewrite:
    """Changes to one call, each kept by the index of the argument it touches, applied at once."""

    def __init__(self, call: cst.Call):
        self.call = call
        self.replaced: dict = {}  # index -> the argument's new node
        self.removed: set = set()  # indices
        self.keywords: list = []  # (name, value node) to set, in order
        self.func: Optional[cst.BaseExpression] = None
        self.extra: list = []  # edits elsewhere (imports)

    def index(self, arg: cst.Arg) -> int:
        for index, candidate in enumerate(self.call.args):
            if candidate is arg:
                return index
        raise FixUnavailable("the argument is not one of the call's")

    def current(self, index: int) -> cst.Arg:
        return self.replaced.get(index, self.call.args[index])

    def keyword_index(self, name: str) -> Optional[int]:
        for index in range(len(self.call.args)):
            arg = self.current(index)
            if index not in self.removed and arg.keyword is not None and arg.keyword.value == name:
                return index
        return None

    def build(self) -> cst.Call:
        args = [self.current(index) for index in range(len(self.call.args))]
        call = self.call.with_changes(args=args)
        if self.removed:
            call = arguments.without(call, [args[index] for index in sorted(self.removed)])
        for name, value in self.keywords:
            call = arguments.with_keyword(call, name, value)
        if self.func is not None:
            call = call.with_changes(func=self.func)
        return call

    def edits(self, ctx: FixContext) -> list:
        return [ctx.rewrite(self.call, self.build())] + self.extra


# ---------------------------------------------------------------------------------------------- finding nodes


def _node(ctx: FixContext, span: Span, *types) -> cst.CSTNode:
    node = ctx.node_at(span, *types)
    if node is None:
        raise FixUnavailable(f"no {' or '.join(t.__name__ for t in types)} at {span}")
    return node


def _argument(ctx: FixContext, span: Span) -> tuple:
    """(the Arg at span, the call it belongs to)."""
    arg = _node(ctx, span, cst.Arg)
    return arg, ctx.enclosing_call(arg)


def _offsets(ctx: FixContext, span: Span) -> tuple:
    return ctx.lines.offset(span.line, span.column - 1), ctx.lines.offset(span.end_line, span.end_column - 1)


def _string(node: cst.SimpleString, value: str) -> str:
    if node.prefix not in _STRING_PREFIXES:
        raise FixUnavailable("odd string prefix")
    return f"{node.prefix}{node.quote}{value}{node.quote}"


# ---------------------------------------------------------------------------------------------- arguments


def make_rename_keyword(ctx: FixContext, change: intents.RenameKeyword, made: _Made) -> None:
    arg, call = _argument(ctx, change.span)
    if arg.keyword is None:
        raise FixUnavailable("not a keyword argument")
    rewrite = made.call(call)
    if rewrite.keyword_index(change.new) is not None:
        raise FixUnavailable(f"{change.new}= is already given")
    index = rewrite.index(arg)
    rewrite.replaced[index] = arguments.renamed(rewrite.current(index), change.new)


def make_remove_argument(ctx: FixContext, change: intents.RemoveArgument, made: _Made) -> None:
    arg, call = _argument(ctx, change.span)
    rewrite = made.call(call)
    rewrite.removed.add(rewrite.index(arg))


def make_set_argument(ctx: FixContext, change: intents.SetArgument, made: _Made) -> None:
    call = _node(ctx, change.span, cst.Call)
    _set_argument(made.call(call), change.keyword, change.value, change.position, change.default)


def _set_argument(rewrite: _CallRewrite, keyword: str, value: str, position: Optional[int],
                  default: Optional[str]) -> None:
    present = rewrite.keyword_index(keyword)
    if present is not None:
        if default is not None and value == default:
            rewrite.removed.add(present)
        else:
            rewrite.replaced[present] = rewrite.current(present).with_changes(value=cst.parse_expression(value))
        return
    positional = [index for index, arg in enumerate(rewrite.call.args) if arg.keyword is None and not arg.star]
    if arguments.has_star(rewrite.call):
        raise FixUnavailable("*args or **kwargs: where the argument goes is unknown")
    if position is not None and len(positional) > position:
        index = positional[position]
        rewrite.replaced[index] = rewrite.current(index).with_changes(value=cst.parse_expression(value))
    elif default is None or value != default:
        rewrite.keywords.append((keyword, cst.parse_expression(value)))


def make_rename_call(ctx: FixContext, change: intents.RenameCall, made: _Made) -> None:
    call = _node(ctx, change.span, cst.Call)
    func = call.func
    if isinstance(func, cst.Attribute):
        new_func, imports = func.with_changes(attr=cst.Name(change.new)), []
    elif isinstance(func, cst.Name) and change.module is not None:
        found = swap_name(ctx, func, change.module, change.new)
        if found is None:
            raise FixUnavailable(f"cannot reach {change.new} in this file's import style")
        text, imports = found
        new_func = cst.parse_expression(text)
    else:
        raise FixUnavailable("not a callee that can be renamed")
    rewrite = made.call(call)
    rewrite.func = new_func
    rewrite.extra.extend(imports)


def make_replace_string(ctx: FixContext, change: intents.ReplaceString, made: _Made) -> None:
    node = _node(ctx, change.span, cst.SimpleString)
    new = _string(node, change.value)
    parent = ctx.parent(node)
    if isinstance(parent, cst.Arg) and parent.value is node:  # an argument's value: with the call's other changes
        rewrite = made.call(ctx.enclosing_call(parent))
        index = rewrite.index(parent)
        rewrite.replaced[index] = rewrite.current(index).with_changes(value=cst.parse_expression(new))
    else:
        made.edits.append(ctx.replace(node, new))


def make_replace_code(ctx: FixContext, change: intents.ReplaceCode, made: _Made) -> None:
    node = ctx.node_at(change.span, cst.Arg, cst.BaseExpression)  # None: a range of code (several arguments)
    start, end = ctx.span(node) if node is not None else _offsets(ctx, change.span)
    if "#" in ctx.text[start:end]:
        raise FixUnavailable("a comment inside the code to replace: leave it to the author")
    pieces, imports = [], []
    for part in change.parts:
        if isinstance(part, intents.KerasName):
            module, _, name = part.path.rpartition(".")
            found = reference(ctx, module, name)
            if found is None:
                raise FixUnavailable(f"cannot reach {part.path} in this file's import style")
            pieces.append(found[0])
            imports.extend(found[1])
        else:
            first, last = _offsets(ctx, part)
            pieces.append(ctx.text[first:last])
    code = change.template.format(*pieces)
    parent = node if isinstance(node, cst.Arg) or node is None else ctx.parent(node)
    if node is not None and isinstance(parent, cst.Arg) and (parent is node or parent.value is node):
        # An argument, or its value: with the call's other changes.
        rewrite = made.call(ctx.enclosing_call(parent))
        index = rewrite.index(parent)
        if parent is node:
            new_arg = cst.parse_expression(f"_({code})").args[0]
            new_arg = new_arg.with_changes(comma=node.comma, whitespace_after_arg=node.whitespace_after_arg)
            if new_arg.keyword is not None and node.keyword is not None:  # `name = value` keeps its spacing
                new_arg = new_arg.with_changes(equal=node.equal)
            rewrite.replaced[index] = new_arg
        else:
            rewrite.replaced[index] = rewrite.current(index).with_changes(value=cst.parse_expression(code))
        rewrite.extra.extend(imports)
    else:
        made.edits.append(trimmed(ctx.text, start, end, code))
        made.edits.extend(imports)


# ---------------------------------------------------------------------------------------------- metrics and losses


def _metric_node(ctx: FixContext, span: Span) -> cst.BaseExpression:
    return _node(ctx, span, cst.SimpleString, cst.Name, cst.Attribute, cst.Call)


def current_metric(ctx: FixContext, node: cst.BaseExpression) -> Optional[str]:
    """The canonical metric a node writes: 'accuracy', 'binary_accuracy', ...; None when not a Keras metric."""
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return knowledge.canonical_metric(value, "string") if isinstance(value, str) else None
    path = ctx.keras_path(node.func if isinstance(node, cst.Call) else node)
    if path is None or not path.startswith("metrics."):
        return None
    name = path.rsplit(".", 1)[-1]
    return knowledge.canonical_metric(name, "class" if name[:1].isupper() else "function")


def _keras_callee(ctx: FixContext, callee: cst.BaseExpression, module: str, new_name: str) -> tuple:
    """(the callee naming keras.<module>.<new_name> in the callee's own spelling, import edits)."""
    if isinstance(callee, cst.Attribute):
        return callee.with_changes(attr=cst.Name(new_name)), []
    if isinstance(callee, cst.Name):
        found = swap_name(ctx, callee, module, new_name)
        if found is None:
            raise FixUnavailable(f"cannot reach {new_name} in this file's import style")
        text, imports = found
        return cst.parse_expression(text), imports
    raise FixUnavailable("unexpected callee")


def _swapped_class(ctx: FixContext, call: cst.Call, module: str, new_class: str, kept: set,
                   made: _Made) -> _CallRewrite:
    """The call rewritten to keras.<module>.<new_class>, keeping the keyword arguments in `kept`."""
    func, imports = _keras_callee(ctx, call.func, module, new_class)
    rewrite = made.call(call)
    for index, arg in enumerate(call.args):
        if arg.keyword is None or arg.keyword.value not in kept:
            rewrite.removed.add(index)
    rewrite.func = func
    rewrite.extra.extend(imports)
    return rewrite


def make_replace_metric(ctx: FixContext, change: intents.ReplaceMetric, made: _Made) -> None:
    node = _metric_node(ctx, change.span)
    new_class = knowledge.METRIC_CLASSES.get(change.metric)
    if change.threshold is not None:
        threshold = repr(float(change.threshold))
        if isinstance(node, cst.Call):
            if current_metric(ctx, node) == change.metric:  # the class already: its threshold
                _set_argument(made.call(node), "threshold", threshold, 2, None)
                return
            if new_class is None or current_metric(ctx, node) is None:
                raise FixUnavailable("not a Keras metric")
            rewrite = _swapped_class(ctx, node, "metrics", new_class, _COMMON_METRIC_ARGUMENTS, made)
            rewrite.keywords.append(("threshold", cst.parse_expression(threshold)))
            return
        # A string or a function cannot carry a threshold: the object instead.
        found = reference(ctx, "metrics", new_class) if new_class is not None else None
        if found is None:
            raise FixUnavailable(f"cannot reach {new_class}")
        text, imports = found
        made.edits.extend([ctx.replace(node, f"{text}(threshold={threshold})")] + imports)
        return
    if isinstance(node, cst.SimpleString):
        made.edits.append(ctx.replace(node, _string(node, change.metric)))
        return
    if current_metric(ctx, node) is None:
        raise FixUnavailable("not a Keras metric")
    if isinstance(node, cst.Call):
        if new_class is None:
            raise FixUnavailable(f"no metric class for {change.metric}")
        _swapped_class(ctx, node, "metrics", new_class, _COMMON_METRIC_ARGUMENTS, made)
        return
    func, imports = _keras_callee(ctx, node, "metrics", change.metric)
    made.edits.extend([ctx.replace(node, func)] + imports)


def current_loss(ctx: FixContext, node: cst.BaseExpression) -> Optional[str]:
    """The canonical loss a node writes; None when not a Keras loss."""
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return knowledge.canonical_loss(value) if isinstance(value, str) else None
    path = ctx.keras_path(node.func if isinstance(node, cst.Call) else node)
    if path is None or not path.startswith("losses."):
        return None
    return knowledge.canonical_loss(path.rsplit(".", 1)[-1])


def make_replace_loss(ctx: FixContext, change: intents.ReplaceLoss, made: _Made) -> None:
    node = _metric_node(ctx, change.span)
    new_class = knowledge.LOSS_CLASSES.get(change.loss)
    if isinstance(node, cst.Call):
        if current_loss(ctx, node) in (None, change.loss):  # the class already: only from_logits changes
            if change.from_logits is None:
                raise FixUnavailable("nothing to change")
            _set_argument(made.call(node), "from_logits", str(change.from_logits), 0, "False")
            return
        if new_class is None or any(arg.keyword is None for arg in node.args):
            raise FixUnavailable("positional arguments of another loss class")
        rewrite = _swapped_class(ctx, node, "losses", new_class, _COMMON_LOSS_ARGUMENTS, made)
        if change.from_logits is not None:
            _set_argument(rewrite, "from_logits", str(change.from_logits), None, "False")
        return
    if change.from_logits:  # a string or a function cannot take from_logits: the loss class
        if new_class is None:
            raise FixUnavailable(f"no loss class for {change.loss}")
        if isinstance(node, cst.SimpleString):
            found = reference(ctx, "losses", new_class)
            if found is None:
                raise FixUnavailable(f"cannot reach {new_class}")
            text, imports = found
        else:
            if current_loss(ctx, node) is None:
                raise FixUnavailable("not a Keras loss")
            callee, imports = _keras_callee(ctx, node, "losses", new_class)
            text = ctx.render(callee) if isinstance(node, cst.Attribute) else ctx.code_for(callee)
        made.edits.extend([ctx.replace(node, f"{text}(from_logits=True)")] + imports)
        return
    if isinstance(node, cst.SimpleString):
        made.edits.append(ctx.replace(node, _string(node, change.loss)))
        return
    if current_loss(ctx, node) is None:
        raise FixUnavailable("not a Keras loss")
    func, imports = _keras_callee(ctx, node, "losses", change.loss)
    made.edits.extend([ctx.replace(node, func)] + imports)


def make_replace_text(ctx: FixContext, change: intents.ReplaceText, made: _Made) -> None:
    start, end = _offsets(ctx, change.span)
    made.edits.append(trimmed(ctx.text, start, end, change.text))


MAKERS = {
    intents.ReplaceMetric: make_replace_metric,
    intents.ReplaceLoss: make_replace_loss,
    intents.SetArgument: make_set_argument,
    intents.RenameKeyword: make_rename_keyword,
    intents.RemoveArgument: make_remove_argument,
    intents.ReplaceString: make_replace_string,
    intents.RenameCall: make_rename_call,
    intents.ReplaceCode: make_replace_code,
    intents.ReplaceText: make_replace_text,
}

