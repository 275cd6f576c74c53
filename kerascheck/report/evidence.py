"""The runtime pass's evidence in words: a static finding's note, and the words of the KC9 findings.

A finding the runtime pass looked at carries its evidence as data (`Finding.runtime`,
kerascheck/runtime/verify.py); every format renders it here, as a note after the rule's
own message: ` [confirmed on Keras 2.3.1 (TensorFlow 1.15.5): ...]`.
"""

from __future__ import annotations

from typing import Optional


def keras_label(evidence: dict) -> str:
    """'Keras 2.3.1 (TensorFlow 1.15.5)', 'Keras 3.15.1 (jax backend)'."""
    label = f"Keras {evidence.get('keras_version') or '?'}"
    if evidence.get("tensorflow_version") and evidence.get("backend") == "tensorflow":
        label += f" (TensorFlow {evidence['tensorflow_version']})"
    elif evidence.get("backend"):
        label += f" ({evidence['backend']} backend)"
    return label


def units_note(evidence: dict) -> str:
    """When the static pass did not know the output's units, how many the runtime measured with."""
    if evidence.get("static_units") is not None:
        return ""
    return f" (units unknown: measured with {evidence.get('units')})"


def _number(value: Optional[float]) -> str:
    return "?" if value is None else f"{value:.2f}"


def measured(evidence: dict) -> str:
    """What a metric did: "'accuracy' became binary_accuracy and reported 0.90 where the true accuracy ..."."""
    return (f"'{evidence.get('metric')}' became {evidence.get('resolved')} and reported "
            f"{_number(evidence.get('reported'))} where the true accuracy ({evidence.get('accuracy_kind')}) of the "
            f"same predictions is {_number(evidence.get('true_accuracy'))}{units_note(evidence)}")


def _shape(sizes) -> str:
    return "(" + ", ".join(str(size) for size in sizes or ()) + ("," if sizes and len(sizes) == 1 else "") + ")"


def note(evidence: Optional[dict]) -> str:
    """The runtime's word on a static finding, after its message ('' without evidence)."""
    if not evidence:
        return ""
    label = keras_label(evidence)
    if evidence.get("error") and evidence.get("reproduced") is False:
        return f" [not reproduced on {label}, which raised instead: {evidence['error']}]"
    if evidence.get("error"):
        return f" [confirmed on {label}: {evidence['error']}]"
    if evidence.get("trained"):
        numbers = ", ".join(f"{name} {_number(value)}" for name, value in (evidence.get("history") or {}).items())
        verdict = "confirmed on" if evidence.get("reproduced") else "not reproduced on"
        return f" [{verdict} {label}: fit ran one epoch without an error{': ' + numbers if numbers else ''}]"
    if evidence.get("warning"):
        return f" [{label} warns: {evidence['warning']}]"
    if evidence.get("broadcast"):
        shapes = evidence["broadcast"]
        return (f" [confirmed on {label}: no error, the loss of the {_shape(shapes.get('output'))} output is broadcast "
                f"against the {_shape(shapes.get('target'))} targets and training goes on, silently]")
    if "resolved" in evidence:
        verdict = "confirmed on" if evidence.get("reproduced") else "not reproduced on"
        return f" [{verdict} {label}: {measured(evidence)}]"
    return ""
