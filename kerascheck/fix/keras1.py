"""Fixes of the KC3 rules: Keras 1 spellings rewritten to the Keras 2+ ones Keras 2 itself converted them to."""

from __future__ import annotations

from typing import Optional

import libcst as cst

from kerascheck.fix.cst_names import dotted_name as _dotted
from kerascheck.fix import args as arguments
from kerascheck.fix.context import FixContext, FixUnavailable
from kerascheck.fix.imports import reference, swap_name
from kerascheck.fix.registry import Fix, fixer
from kerascheck.rules import kc3_keras1 as kc3

# What the Keras 3 methods accept as keywords, for the generator-method rename.
_METHOD_KEYWORDS = {
    "fit": {"steps_per_epoch", "epochs", "verbose", "callbacks", "validation_data", "validation_steps",
            "validation_freq", "class_weight", "initial_epoch", "shuffle"},
    "evaluate": {"steps", "callbacks", "verbose"},
    "predict": {"steps", "callbacks", "verbose"},
}


def _callee(call: cst.Call) -> str:
    return (_dotted(call.func) or "").rsplit(".", 1)[-1]


def _argument(ctx: FixContext, finding) -> tuple:
    arg = ctx.node_at(finding, cst.Arg)
    if arg is None or arg.keyword is None:
        raise FixUnavailable("no keyword argument at the finding")
    return arg, ctx.enclosing_call(arg)


def _rename_keyword(ctx: FixContext, call: cst.Call, arg: cst.Arg, new: str) -> list:
    if arguments.keyword(call, new) is not None:
        raise FixUnavailable(f"{new}= is already given")
    return [ctx.replace(arg.keyword, new)]


def rename_callee(ctx: FixContext, call: cst.Call, required: bool = False) -> list:
    """Edits turning a Keras 1 layer name (Convolution2D) into its Keras 2 name (Conv2D); [] when not one."""
    old = _callee(call)
    new = kc3.KERAS1_LAYER_NAMES.get(old)
    if new is None:
        return []
    if isinstance(call.func, cst.Attribute):
        return [ctx.replace(call.func.attr, new)]
    if isinstance(call.func, cst.Name):
        found = swap_name(ctx, call.func, "layers", new)
        if found is not None:
            text, imports = found
            return [ctx.replace(call.func, text)] + imports
    if required:
        raise FixUnavailable(f"cannot reach {new} in this file's import style")
    return []


@fixer("KC301")
def fix_layer_argument(ctx: FixContext, finding) -> Optional[Fix]:
    arg = ctx.node_at(finding, cst.Arg)
    if arg is None or arg.keyword is None:  # a removed Keras 1 layer name, reported at the call
        call = ctx.node_at(finding, cst.Call)
        if call is None or _callee(call) not in kc3.REMOVED_LAYER_NAMES:
            return None
        return Fix(f"Rename {_callee(call)} to {kc3.KERAS1_LAYER_NAMES[_callee(call)]}",
                   rename_callee(ctx, call, required=True))
    call = ctx.enclosing_call(arg)
    layer, keyword = _callee(call), arg.keyword.value
    table = kc3.TOKENIZER_ARGUMENTS if layer == "Tokenizer" else kc3.layer_arguments(layer)
    if keyword in ("nb_row", "nb_col"):
        return _kernel_from_rows_and_columns(ctx, call)
    new = table.get(keyword)
    if not new:
        return None
    edits = _rename_keyword(ctx, call, arg, new)
    if keyword in kc3.VALUE_CONVERSIONS:
        conversions = kc3.VALUE_CONVERSIONS[keyword]
        value = arg.value
        if not (isinstance(value, cst.SimpleString) and value.evaluated_value in conversions):
            return None
        converted = conversions[value.evaluated_value]
        edits.append(ctx.replace(value, "None" if converted is None else f"{value.quote}{converted}{value.quote}"))
    return Fix(f"Rename {keyword}= to {new}=", edits + rename_callee(ctx, call))


def _kernel_from_rows_and_columns(ctx: FixContext, call: cst.Call) -> Optional[Fix]:
    """Convolution2D(32, nb_row=3, nb_col=3) -> Conv2D(32, kernel_size=(3, 3))."""
    rows, columns = arguments.keyword(call, "nb_row"), arguments.keyword(call, "nb_col")
    positional = arguments.positionals(call)
    if columns is None or arguments.has_star(call) or arguments.keyword(call, "kernel_size") is not None:
        return None
    if rows is None:
        if len(positional) != 2:
            return None
        row_code, column_code = ctx.code_for(positional[1].value), ctx.code_for(columns.value)
        kernel = cst.parse_expression(f"({row_code}, {column_code})")
        new_args = [arg.with_changes(value=kernel) if arg is positional[1] else arg for arg in call.args]
    else:
        if len(positional) > 1:
            return None
        row_code, column_code = ctx.code_for(rows.value), ctx.code_for(columns.value)
        kernel = cst.parse_expression(f"({row_code}, {column_code})")
        new_args = [arg.with_changes(keyword=cst.Name("kernel_size"), value=kernel) if arg is rows else arg
                    for arg in call.args]
    new_call = arguments.without(call.with_changes(args=new_args),
                                 [arg for arg in new_args if arg.keyword is not None and arg.keyword.value == "nb_col"])
    callee = rename_callee(ctx, call)
    if callee:  # one rewrite of the whole call, callee included
        new_call = new_call.with_changes(func=_parsed_callee(ctx, call, callee))
        callee = [edit for edit in callee if not _inside(ctx, edit, call)]
    return Fix("Join nb_row and nb_col into kernel_size", [ctx.rewrite(call, new_call)] + callee)


def _inside(ctx: FixContext, edit, node) -> bool:
    start, end = ctx.span(node)
    return start <= edit.start and edit.end <= end


def _parsed_callee(ctx: FixContext, call: cst.Call, edits: list) -> cst.BaseExpression:
    """The callee after the rename edits that fall inside it."""
    start, end = ctx.span(call.func)
    text = ctx.text[start:end]
    for edit in sorted((e for e in edits if start <= e.start and e.end <= end), key=lambda e: -e.start):
        text = text[:edit.start - start] + edit.content + text[edit.end - start:]
    return cst.parse_expression(text)


@fixer("KC302")
def fix_fit_argument(ctx: FixContext, finding) -> Optional[Fix]:
    arg, call = _argument(ctx, finding)
    keyword = arg.keyword.value
    new = kc3.FIT_ARGUMENTS.get(keyword)
    if new == kc3.DROP:
        return Fix(f"Remove {keyword}=", [ctx.rewrite(call, arguments.without(call, [arg]))])
    if not new:
        return None
    return Fix(f"Rename {keyword}= to {new}=", _rename_keyword(ctx, call, arg, new))


def _is_zero(node: cst.BaseExpression) -> bool:
    if isinstance(node, (cst.Integer, cst.Float)):
        try:
            return float(node.value.replace("_", "")) == 0.0
        except ValueError:
            return False
    return False


@fixer("KC303")
def fix_optimizer_argument(ctx: FixContext, finding) -> Optional[Fix]:
    arg, call = _argument(ctx, finding)
    keyword = arg.keyword.value
    if keyword == "lr":
        return Fix("Rename lr= to learning_rate=", _rename_keyword(ctx, call, arg, "learning_rate"))
    if keyword != "decay":
        return None
    if _is_zero(arg.value):
        return Fix("Remove decay=0", [ctx.rewrite(call, arguments.without(call, [arg]))])
    # Keras 2's decay: lr / (1 + decay * iterations), which is InverseTimeDecay with decay_steps=1.
    rate = arguments.keyword(call, "lr") or arguments.keyword(call, "learning_rate")
    positional = arguments.positionals(call)
    if rate is None and positional:
        rate = positional[0]
    if rate is not None:
        initial = ctx.code_for(rate.value)
    else:
        default = kc3.KERAS2_DEFAULT_LEARNING_RATE.get(_callee(call))
        if default is None:
            return None
        initial = repr(default)
    found = reference(ctx, "optimizers.schedules", "InverseTimeDecay")
    if found is None:
        return None
    schedule_name, imports = found
    schedule = cst.parse_expression(f"{schedule_name}({initial}, decay_steps=1, "
                                    f"decay_rate={ctx.code_for(arg.value)})")
    if rate is None:
        new_args = [a.with_changes(keyword=cst.Name("learning_rate"), value=schedule) if a is arg else a for a in call.args]
        new_call = call.with_changes(args=new_args)
    else:
        new_args = []
        for a in call.args:
            if a is rate:
                a = a.with_changes(value=schedule)
                if a.keyword is not None:
                    a = a.with_changes(keyword=cst.Name("learning_rate"))
            new_args.append(a)
        new_call = arguments.without(call.with_changes(args=new_args),
                                     [a for a in new_args if a.keyword is not None and a.keyword.value == "decay"])
    return Fix("Replace decay= with an InverseTimeDecay learning-rate schedule",
               [ctx.rewrite(call, new_call)] + imports, safety="unsafe")


@fixer("KC304")
def fix_removed_method(ctx: FixContext, finding) -> Optional[Fix]:
    call = ctx.node_at(finding, cst.Call)
    if call is None or not isinstance(call.func, cst.Attribute):
        return None
    method = call.func.attr.value
    new = kc3.REMOVED_METHODS.get(method)
    if new is None:
        return None
    edits = [ctx.replace(call.func.attr, new)]
    if method in kc3.GENERATOR_METHODS:
        if len(arguments.positionals(call)) > 1 or arguments.has_star(call):
            return None  # Keras 1 and Keras 2 disagree on what the second positional is
        for arg in call.args:
            if arg.keyword is None:
                continue
            if arg.keyword.value == "generator":
                edits.extend(_rename_keyword(ctx, call, arg, "x"))
            elif arg.keyword.value not in _METHOD_KEYWORDS[new]:
                return None  # workers=, use_multiprocessing=, ...: Keras 3 moved them to PyDataset
    return Fix(f"Replace {method}() with {new}()", edits)


@fixer("KC305")
def fix_positional_kernel(ctx: FixContext, finding) -> Optional[Fix]:
    node = ctx.node_at(finding, cst.BaseExpression)
    arg = ctx.parent(node) if node is not None else None
    if not isinstance(arg, cst.Arg):
        return None
    call = ctx.enclosing_call(arg)
    positional = arguments.positionals(call)
    size = 3 if _callee(call) in kc3.CONV3D_LIKE else 2
    if len(positional) != size + 1 or arguments.has_star(call):
        return None
    sizes = positional[1:]
    start, _ = ctx.span(sizes[0])
    _, end = ctx.span(sizes[-1])
    if "#" in ctx.text[start:end]:
        return None  # a comment between the numbers: leave it to the author
    kernel = "(" + ", ".join(ctx.render(arg) for arg in sizes) + ")"
    edits = [ctx.between(sizes[0], sizes[-1], kernel)] + rename_callee(ctx, call)
    return Fix(f"Write the kernel size as a tuple: {kernel}", edits)


@fixer("KC306")
def fix_model_argument(ctx: FixContext, finding) -> Optional[Fix]:
    arg, call = _argument(ctx, finding)
    new = kc3.MODEL_ARGUMENTS.get(arg.keyword.value)
    if new is None:
        return None
    return Fix(f"Rename {arg.keyword.value}= to {new}=", _rename_keyword(ctx, call, arg, new))


_MERGE_KEPT = {"name"}
_MERGE_RENAMED = {"concatenate": {"concat_axis": "axis"}, "dot": {"dot_axes": "axes"}}


@fixer("KC307")
def fix_merge(ctx: FixContext, finding) -> Optional[Fix]:
    call = ctx.node_at(finding, cst.Call)
    if call is None or _callee(call) != "merge" or arguments.has_star(call):
        return None
    mode_arg = arguments.keyword(call, "mode")
    if mode_arg is None:
        mode = "sum"  # Keras 1's default
    elif isinstance(mode_arg.value, cst.SimpleString) and mode_arg.value.evaluated_value in kc3.MERGE_MODES:
        mode = mode_arg.value.evaluated_value
    else:
        return None
    function = kc3.MERGE_MODES[mode]
    renamed = _MERGE_RENAMED.get(function, {})
    new_args, dropped = [], []
    for arg in call.args:
        name = arg.keyword.value if arg.keyword is not None else None
        if name is None or name in ("inputs", "layers") or name in _MERGE_KEPT:
            new_args.append(arg)
        elif name in renamed:
            new_args.append(arguments.renamed(arg, renamed[name]))
        elif name in ("mode", "concat_axis", "dot_axes"):
            new_args.append(arg)
            dropped.append(new_args[-1])
        else:
            return None  # output_shape=, arguments=, ...: no mechanical equivalent
    new_call = arguments.without(call.with_changes(args=new_args), dropped)
    if arguments.keyword(new_call, "layers") is not None:
        layers = arguments.keyword(new_call, "layers")
        new_call = new_call.with_changes(args=[arguments.renamed(a, "inputs") if a is layers else a for a in new_call.args])
    if function == "dot" and arguments.keyword(new_call, "axes") is None:
        new_call = arguments.with_keyword(new_call, "axes", cst.parse_expression("-1"))  # Keras 1's default
    if mode == "cos":
        new_call = arguments.with_keyword(new_call, "normalize", cst.Name("True"))
    if isinstance(call.func, cst.Attribute):
        func, imports = call.func.with_changes(attr=cst.Name(function)), []
    else:
        found = swap_name(ctx, call.func, "layers", function)
        if found is None:
            return None
        text, imports = found
        func = cst.parse_expression(text)
    return Fix(f"Replace merge(mode='{mode}') with {function}()", [ctx.rewrite(call, new_call.with_changes(func=func))] + imports)
