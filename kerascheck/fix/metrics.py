"""Fixes of the KC1 metric rules: the right metric, in the spelling the code used.

A string stays a string (same quotes), a function stays a function, a metric object
stays an object (keeping its `name=`/`dtype=`): `'accuracy'` → `'categorical_accuracy'`,
`metrics.BinaryAccuracy()` → `metrics.CategoricalAccuracy()`.
"""

from __future__ import annotations

import re

import libcst as cst

from kerascheck import knowledge
from kerascheck.fix import args as arguments
from kerascheck.fix.context import FixContext, FixUnavailable
from kerascheck.fix.imports import reference, swap_name
from kerascheck.fix.registry import Fix, fixer

CLASS_OF = {"binary_accuracy": "BinaryAccuracy", "categorical_accuracy": "CategoricalAccuracy",
            "sparse_categorical_accuracy": "SparseCategoricalAccuracy"}
# Arguments every accuracy class takes; the others (threshold, k) belong to the old class.
_COMMON_ARGUMENTS = {"name", "dtype"}
_STRING_PREFIXES = {"", "u", "U", "r", "R"}


def metric_node(ctx: FixContext, finding) -> cst.BaseExpression:
    node = ctx.node_at(finding, cst.SimpleString, cst.Name, cst.Attribute, cst.Call)
    if node is None:
        raise FixUnavailable("the metric is not written at the finding")
    return node


def current_metric(ctx: FixContext, node: cst.BaseExpression):
    """The canonical metric a node writes: 'accuracy', 'binary_accuracy', ...; None when not a Keras metric."""
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return knowledge.canonical_metric(value, "string") if isinstance(value, str) else None
    callee = node.func if isinstance(node, cst.Call) else node
    path = ctx.keras_path(callee)
    if path is None or not path.startswith("metrics."):
        return None
    name = path.rsplit(".", 1)[-1]
    return knowledge.canonical_metric(name, "class" if name[:1].isupper() else "function")


def replace_metric(ctx: FixContext, node: cst.BaseExpression, new: str, allow=None) -> Fix:
    """The metric `new` (a canonical function name) in the node's own form."""
    if allow is not None and current_metric(ctx, node) not in allow:
        raise FixUnavailable("not the metric the finding is about")
    if isinstance(node, cst.SimpleString):
        if node.prefix not in _STRING_PREFIXES:
            raise FixUnavailable("odd string prefix")
        return Fix(f"Replace {node.value} with '{new}'", [ctx.replace(node, f"{node.prefix}{node.quote}{new}{node.quote}")])
    if current_metric(ctx, node) is None:
        raise FixUnavailable("not a Keras metric")
    if isinstance(node, cst.Call):
        new_class = CLASS_OF[new]
        func, imports = _renamed(ctx, node.func, new_class)
        kept = [arg for arg in node.args if arg.keyword is not None and arg.keyword.value in _COMMON_ARGUMENTS]
        call = arguments.without(node, [arg for arg in node.args if not any(arg is k for k in kept)])
        return Fix(f"Replace with {new_class}()", [ctx.rewrite(node, call.with_changes(func=func))] + imports)
    func, imports = _renamed(ctx, node, new)
    return Fix(f"Replace with {new}", [ctx.replace(node, func)] + imports)


def _renamed(ctx: FixContext, callee: cst.BaseExpression, new_name: str) -> tuple:
    """(the callee naming keras.metrics.new_name in the same spelling, import edits)."""
    if isinstance(callee, cst.Attribute):
        return callee.with_changes(attr=cst.Name(new_name)), []
    if isinstance(callee, cst.Name):
        found = swap_name(ctx, callee, "metrics", new_name)
        if found is None:
            raise FixUnavailable(f"cannot reach {new_name} in this file's import style")
        text, imports = found
        return cst.parse_expression(text), imports
    raise FixUnavailable("unexpected callee")


def _metric_fixer(new_for):
    def fix(ctx: FixContext, finding):
        node = metric_node(ctx, finding)
        current = current_metric(ctx, node)
        new = new_for(current)
        if new is None or new == current:
            return None
        return replace_metric(ctx, node, new)
    return fix


fixer("KC101")(_metric_fixer(lambda current: "categorical_accuracy" if current == "accuracy" else None))
fixer("KC102")(_metric_fixer(lambda current: "binary_accuracy" if current == "accuracy" else None))
fixer("KC103")(_metric_fixer(lambda current: "binary_accuracy"
                             if current in ("categorical_accuracy", "top_k_categorical_accuracy") else None))
fixer("KC104")(_metric_fixer(lambda current: "categorical_accuracy" if current == "binary_accuracy" else None))
fixer("KC105")(_metric_fixer(lambda current: {"sparse_categorical_accuracy": "categorical_accuracy",
                                              "categorical_accuracy": "sparse_categorical_accuracy"}.get(current)))


@fixer("KC108")
def fix_threshold_on_logits(ctx: FixContext, finding):
    node = metric_node(ctx, finding)
    if isinstance(node, cst.Call):  # BinaryAccuracy(...): threshold=0.0
        if current_metric(ctx, node) != "binary_accuracy":
            return None
        positional = arguments.positionals(node)
        if len(positional) >= 3:  # BinaryAccuracy(name, dtype, threshold)
            call = node.with_changes(args=[arg.with_changes(value=cst.Float("0.0")) if arg is positional[2] else arg
                                           for arg in node.args])
        else:
            call = arguments.with_keyword(node, "threshold", cst.Float("0.0"))
        return Fix("Set threshold=0.0", [ctx.rewrite(node, call)])
    current = current_metric(ctx, node)
    if current not in ("accuracy", "binary_accuracy"):
        return None
    found = reference(ctx, "metrics", "BinaryAccuracy")
    if found is None:
        return None
    text, imports = found
    return Fix("Replace with BinaryAccuracy(threshold=0.0)", [ctx.replace(node, f"{text}(threshold=0.0)")] + imports)


# KC106 and KC107 name the metric to use in their message (the rule knows the output
# and the target's names; the finding carries only the message): read it back.
_THRESHOLDED = re.compile(r"use the right thresholded accuracy: '(\w+)'( with threshold 0\.0)?")
_DID_YOU_MEAN = re.compile(r"did you mean '([\w ]+)'\?$")


@fixer("KC106")
def fix_exact_match_accuracy(ctx: FixContext, finding):
    match = _THRESHOLDED.search(finding.message)
    if match is None:
        return None
    node = metric_node(ctx, finding)
    new, on_logits = match.group(1), bool(match.group(2))
    if isinstance(node, cst.SimpleString) or not on_logits:
        if on_logits:  # a string cannot carry a threshold: the object instead
            found = reference(ctx, "metrics", "BinaryAccuracy")
            if found is None:
                return None
            text, imports = found
            return Fix("Replace with BinaryAccuracy(threshold=0.0)", [ctx.replace(node, f"{text}(threshold=0.0)")] + imports)
        return replace_metric(ctx, node, new, allow=("exact_accuracy", "Accuracy"))
    if not isinstance(node, cst.Call):
        return None
    fix = replace_metric(ctx, node, new, allow=("exact_accuracy",))
    fix.edits[0] = ctx.rewrite(node, _with_threshold(ctx, fix, node))
    return fix


def _with_threshold(ctx: FixContext, fix: Fix, node: cst.Call) -> cst.Call:
    start, end = ctx.span(node)
    edit = fix.edits[0]
    text = ctx.text[start:edit.start] + edit.content + ctx.text[edit.end:end]
    return arguments.with_keyword(cst.parse_expression(text), "threshold", cst.Float("0.0"))


@fixer("KC107")
def fix_unknown_metric_name(ctx: FixContext, finding):
    match = _DID_YOU_MEAN.search(finding.message)
    node = ctx.node_at(finding, cst.SimpleString)
    if match is None or node is None or node.prefix not in _STRING_PREFIXES:
        return None
    return Fix(f"Replace {node.value} with '{match.group(1)}'",
               [ctx.replace(node, f"{node.prefix}{node.quote}{match.group(1)}{node.quote}")])
