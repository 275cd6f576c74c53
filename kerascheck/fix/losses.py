"""Fixes of KC205/KC206: `from_logits` that matches the output."""

from __future__ import annotations

import libcst as cst

from kerascheck import knowledge
from kerascheck.fix import args as arguments
from kerascheck.fix.context import FixContext, FixUnavailable
from kerascheck.fix.imports import reference, swap_name
from kerascheck.fix.registry import Fix, fixer

# Canonical cross-entropy -> the loss class that takes from_logits.
LOSS_CLASS = {"binary_crossentropy": "BinaryCrossentropy", "categorical_crossentropy": "CategoricalCrossentropy",
              "sparse_categorical_crossentropy": "SparseCategoricalCrossentropy",
              "binary_focal_crossentropy": "BinaryFocalCrossentropy",
              "categorical_focal_crossentropy": "CategoricalFocalCrossentropy"}


def _is_bool(node: cst.BaseExpression, value: bool) -> bool:
    return isinstance(node, cst.Name) and node.value == str(value)


@fixer("KC205")
def fix_from_logits_on_probabilities(ctx: FixContext, finding):
    """Loss(from_logits=True) on a probability output: drop from_logits (False is the default)."""
    call = ctx.node_at(finding, cst.Call)
    if call is None:
        return None
    present = arguments.keyword(call, "from_logits")
    if present is not None:
        if not _is_bool(present.value, True):
            return None
        return Fix("Remove from_logits=True", [ctx.rewrite(call, arguments.without(call, [present]))])
    positional = arguments.positionals(call)
    if positional and _is_bool(positional[0].value, True):
        return Fix("Set from_logits to False", [ctx.replace(positional[0].value, "False")])
    return None


@fixer("KC206")
def fix_probability_loss_on_logits(ctx: FixContext, finding):
    """A cross-entropy on a linear output: the loss class with from_logits=True."""
    node = ctx.node_at(finding, cst.SimpleString, cst.Name, cst.Attribute, cst.Call)
    if node is None:
        return None
    if isinstance(node, cst.Call):
        present = arguments.keyword(node, "from_logits")
        positional = arguments.positionals(node)
        if present is None and positional and _is_bool(positional[0].value, False):
            return Fix("Set from_logits=True", [ctx.replace(positional[0].value, "True")])
        if present is not None and not _is_bool(present.value, False):
            return None
        if present is None and positional:
            return None  # from_logits is the first positional of every cross-entropy class: something else is here
        return Fix("Set from_logits=True",
                   [ctx.rewrite(node, arguments.with_keyword(node, "from_logits", cst.Name("True")))])
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        loss_class = LOSS_CLASS.get(knowledge.canonical_loss(value) if isinstance(value, str) else None)
        if loss_class is None:
            return None
        found = reference(ctx, "losses", loss_class)
        if found is None:
            return None
        text, imports = found
        return Fix(f"Use {loss_class}(from_logits=True)", [ctx.replace(node, f"{text}(from_logits=True)")] + imports)
    path = ctx.keras_path(node)  # a loss function: keras.losses.binary_crossentropy
    if path is None or not path.startswith("losses."):
        return None
    loss_class = LOSS_CLASS.get(knowledge.canonical_loss(path.rsplit(".", 1)[-1]))
    if loss_class is None:
        return None
    if isinstance(node, cst.Attribute):
        text, imports = ctx.render(node.with_changes(attr=cst.Name(loss_class))), []
    else:
        found = swap_name(ctx, node, "losses", loss_class)
        if found is None:
            raise FixUnavailable(f"cannot reach {loss_class}")
        text, imports = found
    return Fix(f"Use {loss_class}(from_logits=True)", [ctx.replace(node, f"{text}(from_logits=True)")] + imports)
