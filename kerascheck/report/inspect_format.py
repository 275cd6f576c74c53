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


def _input_where(fact, declared) -> str:
    """Where an input is declared: 'line 4', 'cell 6:2' in a notebook, 'models/cnn.py:12' in another module."""
    if declared.path:
        return f"{declared.path}:{declared.line}"
    cell, line = _where(fact, declared.line)
    return f"cell {cell}:{line}" if cell else f"line {line}"


def shape_text(shape) -> str:
    """(None, 28, 28, 1) -> '(None, 28, 28, 1)'; an unknown rank -> '?'."""
    if shape is None:
        return "?"
    return "(" + ", ".join("None" if size is None else str(size) for size in shape) + ("," if len(shape) == 1 else "") + ")"


def _shape_json(shape):
    return list(shape) if shape is not None else None


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


def render_json(compile_facts: list) -> str:
    return json.dumps([compile_to_json(c) for c in compile_facts], indent=2) + "\n"


def render_text(compile_facts: list) -> str:
    lines = []
    for fact in compile_facts:
        cell, line = _where(fact, fact.span.line)
        where = f"{fact.path}:{f'cell {cell}:' if cell else ''}{line}"
        if not fact.trained:
            lines.append(f"{where}: compile not checked: {fact.why}")
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
    return "\n".join(lines) + ("\n" if lines else "")


def summary(compile_facts: list) -> str:
    """One line for stderr: how much of what was found is known."""
    checked = [fact for fact in compile_facts if fact.trained]
    checked_calls = len({(fact.path, fact.span) for fact in checked})
    outputs = [trained.output for fact in checked for trained in fact.trained]
    with_why = len({(fact.path, fact.span) for fact in compile_facts if fact.why})
    activation = sum(1 for output in outputs if output.activation is not None)
    units = sum(1 for output in outputs if output.units is not None)
    calls = len({(fact.path, fact.span) for fact in compile_facts})  # a compile read for two callers is one call
    return (f"{calls} compile call{'s' if calls != 1 else ''} found ({checked_calls} checked, {with_why} with a why); "
            f"{len(outputs)} output{'s' if len(outputs) != 1 else ''}: {activation} with known activation, "
            f"{units} with known units.")
