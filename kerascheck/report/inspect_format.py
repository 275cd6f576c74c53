"""`kerascheck inspect`: what was inferred for every compile call, and why where it is not known."""

from __future__ import annotations

import json


def _where(fact, line):
    """(cell, line in cell) in a notebook (kerascheck/notebooks.py sets `fact.notebook`), else (None, line)."""
    notebook = getattr(fact, "notebook", None)
    if notebook is None or line is None:
        return None, line
    return notebook.position(line)


def _at(path, line) -> str:
    if line is None:
        return "?"
    return f"{path}:{line}" if path else str(line)


def _line_where(fact, line) -> str:
    """'line 4', or 'cell 6:2' in a notebook."""
    cell, line = _where(fact, line)
    return f"cell {cell}:{line}" if cell else f"line {line}"


def _input_where(fact, declared) -> str:
    """Where an input is declared: 'line 4', 'cell 6:2' in a notebook, 'models/cnn.py:12' in another module."""
    if declared.path:
        return f"{declared.path}:{declared.line}"
    return _line_where(fact, declared.line)


def shape_text(shape) -> str:
    """(None, 28, 28, 1) -> '(None, 28, 28, 1)'; an unknown rank -> '?'."""
    if shape is None:
        return "?"
    return "(" + ", ".join("None" if size is None else str(size) for size in shape) + ("," if len(shape) == 1 else "") + ")"


def _shape_json(shape):
    return list(shape) if shape is not None else None


# ---------------------------------------------------------------------------------------------- data

_ENCODINGS = {"one_hot": "one-hot", "integer": "integer labels", "multi_hot": "multi-hot", "binary": "binary 0/1"}
_SCALES = {"raw": "raw 0-255 pixels", "scaled": "scaled"}


def _origin_text(fact, origin) -> str:
    if origin is None:
        return ""
    return f" (`{origin.text}`, {_line_where(fact, origin.line)})"


def data_text(owner, data) -> str:
    """'shape (None, 28, 28), raw 0-255 pixels (`mnist.load_data()`, line 5)'; '?' when nothing is known."""
    if data is None:
        return "?"
    parts = []
    if data.encoding is not None:
        classes = f" of {data.classes} classes" if data.classes is not None else ""
        parts.append(f"{_ENCODINGS.get(data.encoding, data.encoding)}{classes}{_origin_text(owner, data.encoding_origin)}")
    if data.scaled_labels is not None:
        parts.append(f"scaled{_origin_text(owner, data.scaled_labels)}")
    if data.scale is not None:
        parts.append(f"{_SCALES.get(data.scale, data.scale)}{_origin_text(owner, data.scale_origin)}")
    if data.shape is not None:
        origin = data.shape_origin if data.shape_origin not in (data.scale_origin, data.encoding_origin) else None
        parts.append(f"shape {shape_text(data.shape)}{_origin_text(owner, origin)}")
    return ", ".join(parts) or "?"


def _data_json(owner, data):
    if data is None:
        return None

    def origin(value):
        if value is None:
            return None
        cell, line = _where(owner, value.line)
        return {"text": value.text, "line": line, **({"cell": cell} if cell else {})}

    return {"encoding": data.encoding, "classes": data.classes, "shape": _shape_json(data.shape), "scale": data.scale,
            "scaled_labels": origin(data.scaled_labels), "encoding_origin": origin(data.encoding_origin),
            "classes_origin": origin(data.classes_origin), "shape_origin": origin(data.shape_origin),
            "scale_origin": origin(data.scale_origin)}


def call_to_json(call) -> dict:
    cell, line = _where(call, call.span.line)
    uses = []
    for use in getattr(call, "uses", ()):
        use_cell, use_line = _where(call, use.span.line)
        uses.append({"kind": use.kind, "text": use.text, "line": use_line, **({"cell": use_cell} if use_cell else {}),
                     "axis": use.axis, "over_last_axis": use.over_last_axis, "threshold": use.threshold})
    return {"path": getattr(call, "path", None), **({"cell": cell} if cell else {}), "line": line,
            "method": call.method, "x": _data_json(call, call.x), "y": _data_json(call, call.y),
            "validation_x": _data_json(call, call.validation_x), "validation_y": _data_json(call, call.validation_y),
            "predictions": uses}


def call_lines(call) -> list:
    """The text lines of one call that gives a model data, indented under its compile."""
    where = _line_where(call, call.span.line)
    lines = [f"    {call.method} ({where}): x: {data_text(call, call.x)}"
             + (f"; y: {data_text(call, call.y)}" if call.y is not None else "")]
    if call.validation_x is not None or call.validation_y is not None:
        lines.append(f"        validation: x: {data_text(call, call.validation_x)}; "
                     f"y: {data_text(call, call.validation_y)}")
    for use in getattr(call, "uses", ()):
        detail = f" (threshold {use.threshold:g})" if use.threshold is not None else \
            (" (over the last axis)" if use.over_last_axis else "")
        lines.append(f"        predictions: {use.kind} `{use.text}` ({_line_where(call, use.span.line)}){detail}")
    return lines


def _calls_by_compile(model_calls) -> tuple:
    """({(path, compile span): [calls]}, [calls of a model whose compile is not seen])."""
    grouped, alone = {}, []
    for call in model_calls:
        if call.compile_span is None:
            alone.append(call)
        else:
            grouped.setdefault((getattr(call, "path", None), call.compile_span), []).append(call)
    return grouped, alone


def compile_to_json(compile_fact) -> dict:
    outputs, losses, from_logits, metrics = [], [], [], []
    for trained in compile_fact.trained:
        output = trained.output
        layer_cell, layer_line = _where(compile_fact, output.layer_line)
        outputs.append({"name": output.name, "activation": output.activation, "units": output.units,
                        "layer_line": layer_line, **({"layer_cell": layer_cell} if layer_cell else {}),
                        **({"layer_path": output.layer_path} if output.layer_path else {}),
                        "shape": _shape_json(output.shape)})
        loss = trained.loss
        losses.append(None if loss is None else (loss.canonical or loss.spelling))
        from_logits.append(None if loss is None else loss.from_logits)
        metrics.append([metric.canonical or metric.spelling for metric in trained.metrics])
    cell, line = _where(compile_fact, compile_fact.span.line)
    model = compile_fact.model
    inputs = []
    for declared in (model.inputs if model is not None else []):
        input_cell, input_line = _where(compile_fact, declared.line) if not declared.path else (None, declared.line)
        inputs.append({"shape": _shape_json(declared.shape), "keyword": declared.keyword, "line": input_line,
                       **({"cell": input_cell} if input_cell else {}), **({"path": declared.path} if declared.path else {})})
    return {"path": compile_fact.path, **({"cell": cell} if cell else {}), "line": line,
            "model_style": compile_fact.model_style, "checked": bool(compile_fact.trained),
            "why": compile_fact.why, "inputs": inputs,
            **({"call_site": compile_fact.call_site} if compile_fact.call_site is not None else {}),
            "outputs": outputs, "losses": losses, "from_logits": from_logits, "metrics": metrics}


def render_json(compile_facts: list, model_calls: list = ()) -> str:
    grouped, alone = _calls_by_compile(model_calls)
    rendered = []
    for fact in compile_facts:
        entry = compile_to_json(fact)
        entry["calls"] = [call_to_json(call) for call in grouped.pop((fact.path, fact.span), [])]
        rendered.append(entry)
    leftover = alone + [call for calls in grouped.values() for call in calls]
    if leftover:
        rendered.append({"calls_without_compile": [call_to_json(call) for call in leftover]})
    return json.dumps(rendered, indent=2) + "\n"


def render_text(compile_facts: list, model_calls: list = ()) -> str:
    grouped, alone = _calls_by_compile(model_calls)
    lines = []
    for fact in compile_facts:
        calls = grouped.pop((fact.path, fact.span), [])
        cell, line = _where(fact, fact.span.line)
        where = f"{fact.path}:{f'cell {cell}:' if cell else ''}{line}"
        if not fact.trained:
            lines.append(f"{where}: compile not checked: {fact.why}")
            for call in calls:
                lines.extend(call_lines(call))
            continue
        described = fact.model_style or "unknown model"
        if fact.why:
            described += f": {fact.why}"
        if fact.call_site is not None:
            described += f", the model passed at line {fact.call_site}"
        lines.append(f"{where}: compile ({described})")
        if fact.model is not None and fact.model.inputs:
            declared = ", ".join(f"{shape_text(i.shape)} ({i.keyword}, {_input_where(fact, i)})"
                                 for i in fact.model.inputs)
            lines.append(f"    input: {declared}")
        for trained in fact.trained:
            o = trained.output
            layer_cell, layer_line = _where(fact, o.layer_line)
            loss = trained.loss
            lines.append(
                f"    output {o.name or '-'}: activation={o.activation or '?'} units={o.units if o.units is not None else '?'}"
                f" shape={shape_text(o.shape)}"
                f" layer_line={f'cell {layer_cell}:' if layer_cell else ''}{_at(o.layer_path, layer_line)};"
                f" loss={(loss.canonical or loss.spelling) if loss else None}"
                f" from_logits={loss.from_logits if loss else None};"
                f" metrics={[m.canonical or m.spelling for m in trained.metrics]}")
        for call in calls:
            lines.extend(call_lines(call))
    for call in alone + [call for calls in grouped.values() for call in calls]:
        cell, line = _where(call, call.span.line)
        lines.append(f"{getattr(call, 'path', '?')}:{f'cell {cell}:' if cell else ''}{line}: "
                     f"{call.method} of a model whose compile is not seen")
        lines.extend(call_lines(call))
    return "\n".join(lines) + ("\n" if lines else "")


def summary(compile_facts: list, model_calls: list = ()) -> str:
    """One line for stderr: how much of what was found is known."""
    checked = [fact for fact in compile_facts if fact.trained]
    checked_calls = len({(fact.path, fact.span) for fact in checked})
    outputs = [trained.output for fact in checked for trained in fact.trained]
    with_why = len({(fact.path, fact.span) for fact in compile_facts if fact.why})
    activation = sum(1 for output in outputs if output.activation is not None)
    units = sum(1 for output in outputs if output.units is not None)
    calls = len({(fact.path, fact.span) for fact in compile_facts})  # a compile read for two callers is one call
    text = (f"{calls} compile call{'s' if calls != 1 else ''} found ({checked_calls} checked, {with_why} with a why); "
            f"{len(outputs)} output{'s' if len(outputs) != 1 else ''}: {activation} with known activation, "
            f"{units} with known units.")
    fits = [call for call in model_calls if call.method in ("fit", "fit_generator")]
    if fits:
        targets = sum(1 for call in fits if call.y is not None and call.y.encoding is not None)
        inputs = sum(1 for call in fits if call.x is not None and (call.x.scale is not None or call.x.shape is not None))
        both = sum(1 for call in fits if call.y is not None and call.y.encoding is not None and call.x is not None
                   and (call.x.scale is not None or call.x.shape is not None))
        text += (f" {len(fits)} fit call{'s' if len(fits) != 1 else ''} of known models: {targets} with known target "
                 f"encoding, {inputs} with known inputs (scale or shape), {both} with both.")
    return text
