"""`kerascheck inspect`: what was inferred for every compile call."""

from __future__ import annotations

import json


def _where(fact, line):
    """(cell, line in cell) in a notebook (kerascheck/notebooks.py sets `fact.notebook`), else (None, line)."""
    notebook = getattr(fact, "notebook", None)
    if notebook is None or line is None:
        return None, line
    return notebook.position(line)


def compile_to_json(compile_fact) -> dict:
    outputs, losses, from_logits, metrics = [], [], [], []
    for trained in compile_fact.trained:
        output = trained.output
        layer_cell, layer_line = _where(compile_fact, output.layer_line)
        outputs.append({"name": output.name, "activation": output.activation, "units": output.units,
                        "layer_line": layer_line, **({"layer_cell": layer_cell} if layer_cell else {})})
        loss = trained.loss
        losses.append(None if loss is None else (loss.canonical or loss.spelling))
        from_logits.append(None if loss is None else loss.from_logits)
        metrics.append([metric.canonical or metric.spelling for metric in trained.metrics])
    cell, line = _where(compile_fact, compile_fact.span.line)
    return {"path": compile_fact.path, **({"cell": cell} if cell else {}), "line": line,
            "model_style": compile_fact.model_style,
            "outputs": outputs, "losses": losses, "from_logits": from_logits, "metrics": metrics}


def render_json(compile_facts: list) -> str:
    return json.dumps([compile_to_json(c) for c in compile_facts], indent=2) + "\n"


def render_text(compile_facts: list) -> str:
    lines = []
    for fact in compile_facts:
        cell, line = _where(fact, fact.span.line)
        lines.append(f"{fact.path}:{f'cell {cell}:' if cell else ''}{line}: compile ({fact.model_style or 'unknown model'})")
        for trained in fact.trained:
            o = trained.output
            layer_cell, layer_line = _where(fact, o.layer_line)
            loss = trained.loss
            lines.append(
                f"    output {o.name or '-'}: activation={o.activation or '?'} units={o.units if o.units is not None else '?'}"
                f" layer_line={f'cell {layer_cell}:' if layer_cell else ''}{layer_line or '?'}; loss={(loss.canonical or loss.spelling) if loss else None}"
                f" from_logits={loss.from_logits if loss else None};"
                f" metrics={[m.canonical or m.spelling for m in trained.metrics]}")
    return "\n".join(lines) + ("\n" if lines else "")
