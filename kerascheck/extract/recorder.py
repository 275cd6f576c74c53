"""The recording of facts: models become OutputFacts, `compile(...)` calls become CompileFacts.

The interpreter (extract/interpreter.py) evaluates the program into abstract
values; this module reads those values into the facts rules see (kerascheck/facts.py):
what each output of a model is, and which loss and metrics apply to it.
"""

from __future__ import annotations

import ast
from typing import Optional

from kerascheck import knowledge
from kerascheck.extract.values import (
    UNKNOWN, Const, FunctionValue, KerasObject, LayerValue, Mapping, ModelValue, Ref, Sequence, TensorValue, Value,
)
from kerascheck.facts import Activation, CompileFact, LossFact, MetricFact, OutputFact, Span, TrainedOutput


class FactRecorder:
    def __init__(self, interpreter):
        self.interpreter = interpreter
        # compile node -> (score, CompileFact), the most informative context wins.
        self.compiles: dict = {}

    def compile_facts(self) -> list:
        facts = [fact for _, fact in self.compiles.values()]
        facts.sort(key=lambda f: (f.span.line, f.span.column))
        return facts

    # ------------------------------------------------------------ models → outputs

    def model_outputs(self, model: ModelValue) -> list:
        """The OutputFacts of a model, in order; [] when unknown."""
        if model.style == "sequential":
            if not model.layers:
                return []
            tensor = None
            for layer in model.layers:
                tensor = TensorValue(layer=layer if isinstance(layer, LayerValue) else None, parent=tensor,
                                     fixed=self.model_outputs(layer)[:1] or None if isinstance(layer, ModelValue) else None)
                if not isinstance(layer, (LayerValue, ModelValue)):
                    tensor = TensorValue(parent=None)
            return [self.output_of_tensor(tensor)]
        if model.style == "functional":
            outputs = model.outputs
            if isinstance(outputs, Sequence):
                return [self.output_of_tensor(t) if isinstance(t, TensorValue) else OutputFact() for t in outputs.items]
            if isinstance(outputs, Mapping):
                facts = []
                for key, tensor in outputs.items:
                    fact = self.output_of_tensor(tensor) if isinstance(tensor, TensorValue) else OutputFact()
                    if isinstance(key, Const) and isinstance(key.value, str):
                        fact.name = key.value
                    facts.append(fact)
                return facts
            if isinstance(outputs, TensorValue):
                return [self.output_of_tensor(outputs)]
            return []
        if model.style == "subclassed" and model.cls is not None:
            call = model.cls.find_method("call")
            if call is None:
                return []
            returned = self.interpreter.call_function(call, [], {}, self_value=model)
            if isinstance(returned, TensorValue):
                return [self.output_of_tensor(returned)]
            if isinstance(returned, Sequence):
                return [self.output_of_tensor(t) if isinstance(t, TensorValue) else OutputFact() for t in returned.items]
            return [OutputFact()]
        return []

    def output_of_tensor(self, tensor: Optional[TensorValue], depth: int = 0) -> OutputFact:
        if tensor is None or depth > 200:
            return OutputFact()
        if tensor.fixed is not None:
            fixed = tensor.fixed[0] if isinstance(tensor.fixed, list) else tensor.fixed
            return OutputFact(name=fixed.name, activation=fixed.activation, units=fixed.units,
                              layer_line=fixed.layer_line, stacked=fixed.stacked)
        layer = tensor.layer
        if layer is None:
            return OutputFact()
        if layer.kind in knowledge.WRAPPER_LAYERS and layer.inner is not None:
            layer = layer.inner
        span_of, line = self.interpreter.span_of, self.interpreter.line_of(layer.node)
        if layer.kind in knowledge.UNIT_LAYERS:
            stacked = ()
            if layer.activation in knowledge.PROBABILITY_ACTIVATIONS:
                stacked = (Activation(layer.activation, line, span_of(layer.node)),)
            return OutputFact(name=layer.name, activation=layer.activation, units=layer.units,
                              layer_line=line, stacked=stacked)
        base = self.output_of_tensor(tensor.parent, depth + 1)
        if layer.kind in knowledge.ACTIVATION_LAYERS:
            stacked = ()
            if layer.activation in knowledge.PROBABILITY_ACTIVATIONS:
                earlier = base.stacked if base.activation in knowledge.PROBABILITY_ACTIVATIONS else ()
                stacked = earlier + (Activation(layer.activation, line, span_of(layer.node)),)
            return OutputFact(name=layer.name, activation=layer.activation, units=base.units,
                              layer_line=line if base.units is None or base.layer_line is None else base.layer_line,
                              stacked=stacked)
        if layer.kind in knowledge.PASS_THROUGH_LAYERS:
            units = base.units
            if layer.kind == "Reshape":
                units = layer.target_units
            return OutputFact(name=layer.name or base.name, activation=base.activation, units=units,
                              layer_line=base.layer_line, stacked=base.stacked)
        if layer.kind in knowledge.UNITS_ONLY_LAYERS:
            return OutputFact(name=layer.name, activation=None, units=base.units, layer_line=line)
        return OutputFact(name=layer.name, layer_line=line)

    # ------------------------------------------------------------ compile

    def record_compile(self, node: ast.Call, model: ModelValue, keywords: dict, positional: list, frame) -> None:
        """One `compile(...)` of `model`: its outputs, each with the loss and metrics that apply to it."""
        evaluate = self.interpreter.eval
        loss_arg = keywords.get("loss") or (positional[1] if len(positional) > 1 else None)
        metrics_arg = keywords.get("metrics") or (positional[2] if len(positional) > 2 else None)
        outputs = self.model_outputs(model)
        loss_value = evaluate(loss_arg, frame) if loss_arg is not None else None
        metrics_value = evaluate(metrics_arg, frame) if metrics_arg is not None else None
        trained = self.align(outputs, loss_value, loss_arg, metrics_value, metrics_arg, node)
        fact = CompileFact(path=self.interpreter.path, span=self.interpreter.span_of(node), model_style=model.style,
                           trained=trained)
        score = sum((o.activation is not None) + (o.units is not None) for o in fact.outputs)
        previous = self.compiles.get(node)
        if previous is None or score > previous[0]:
            self.compiles[node] = (score, fact)

    def align(self, outputs, loss_value, loss_arg, metrics_value, metrics_arg, compile_node) -> list:
        """Pair each output with its loss and metrics (single, list or dict by name)."""
        outputs = list(outputs)
        if isinstance(loss_value, Mapping) and not outputs:
            outputs = [OutputFact(name=const_str(key)) for key, _ in loss_value.items]
        if isinstance(loss_value, Sequence) and not outputs:
            outputs = [OutputFact() for _ in loss_value.items]
        if not outputs:
            outputs = [OutputFact()]
        loss_anchor = loss_arg if loss_arg is not None else compile_node
        metrics_anchor = metrics_arg if metrics_arg is not None else compile_node
        trained = []
        for index, output in enumerate(outputs):
            loss = None
            if loss_value is not None:
                chosen = _pick(loss_value, index, output.name, len(outputs))
                if chosen is not None:
                    loss = self.make_loss(chosen, loss_anchor)
            metrics = []
            if metrics_value is not None:
                chosen = _pick_metrics(metrics_value, index, output.name, len(outputs))
                metrics = [self.make_metric(item, metrics_anchor) for item in chosen]
            trained.append(TrainedOutput(output=output, loss=loss, metrics=metrics))
        return trained

    def _anchor_span(self, value: Value, anchor: ast.AST) -> Span:
        """The value's own position when it is written inside the compile argument, else the argument's."""
        anchor_span = self.interpreter.span_of(anchor)
        node = getattr(value, "node", None)
        if node is not None:
            span = self.interpreter.span_of(node)
            if _contains(anchor_span, span):
                return span
        return anchor_span

    def make_loss(self, value: Value, anchor: ast.AST) -> LossFact:
        span = self._anchor_span(value, anchor)
        spelling = self.interpreter.source_of(getattr(value, "node", None) or anchor)
        if isinstance(value, Const) and isinstance(value.value, str):
            return LossFact(canonical=knowledge.canonical_loss(value.value), spelling=spelling, span=span,
                            string=value.value, form="string", name=value.value)
        if isinstance(value, Ref):
            name = value.qualified.rsplit(".", 1)[-1]
            path = knowledge.keras_path(value.qualified)
            if path is not None and (path.startswith("losses.") or path == name or path.startswith("metrics.")):
                form = "class" if name[:1].isupper() else "function"
                return LossFact(canonical=knowledge.canonical_loss(name), spelling=spelling, span=span,
                                form=form, name=name)
        if isinstance(value, KerasObject):
            name = value.short_name
            from_logits_value = value.kwargs.get("from_logits", value.args[0] if value.args else Const(False))
            from_logits = from_logits_value.value if isinstance(from_logits_value, Const) \
                and isinstance(from_logits_value.value, bool) else None
            from_logits_node = getattr(from_logits_value, "node", None)
            return LossFact(canonical=knowledge.canonical_loss(name), spelling=spelling, span=span,
                            form="class", name=name, from_logits=from_logits,
                            from_logits_span=self.interpreter.span_of(from_logits_node)
                            if from_logits_node is not None else None,
                            kwargs=literal_kwargs(value.kwargs))
        if isinstance(value, FunctionValue):
            return LossFact(canonical=None, spelling=spelling, span=span, form="function", name=value.name,
                            from_logits=None)
        return LossFact(canonical=None, spelling=spelling, span=span, from_logits=None)

    def make_metric(self, value: Value, anchor: ast.AST) -> MetricFact:
        span = self._anchor_span(value, anchor)
        spelling = self.interpreter.source_of(getattr(value, "node", None) or anchor)
        if isinstance(value, Const) and isinstance(value.value, str):
            return MetricFact(canonical=knowledge.canonical_metric(value.value, "string"), spelling=spelling,
                              span=span, string=value.value, form="string", name=value.value)
        if isinstance(value, Ref):
            name = value.qualified.rsplit(".", 1)[-1]
            path = knowledge.keras_path(value.qualified)
            if path is not None:
                form = "class" if name[:1].isupper() else "function"
                return MetricFact(canonical=knowledge.canonical_metric(name, form), spelling=spelling, span=span,
                                  form=form, name=name)
        if isinstance(value, KerasObject):
            name = value.short_name
            threshold = 0.5
            if "threshold" in value.kwargs or (name == "BinaryAccuracy" and len(value.args) >= 3):
                raw = value.kwargs.get("threshold", value.args[2] if len(value.args) >= 3 else None)
                threshold = raw.value if isinstance(raw, Const) and isinstance(raw.value, (int, float)) else None
            return MetricFact(canonical=knowledge.canonical_metric(name, "class"), spelling=spelling, span=span,
                              threshold=threshold, form="class", name=name, kwargs=literal_kwargs(value.kwargs))
        if isinstance(value, FunctionValue):
            return MetricFact(canonical=None, spelling=spelling, span=span, form="function", name=value.name)
        return MetricFact(canonical=None, spelling=spelling, span=span)


def const_int(value) -> Optional[int]:
    if isinstance(value, Const) and isinstance(value.value, (int, float)) and not isinstance(value.value, bool):
        if float(value.value).is_integer():
            return int(value.value)
    return None


def const_str(value) -> Optional[str]:
    if isinstance(value, Const) and isinstance(value.value, str):
        return value.value
    return None


def literal_kwargs(kwargs: dict) -> dict:
    return {k: v.value for k, v in kwargs.items()
            if isinstance(v, Const) and isinstance(v.value, (int, float, str, bool, type(None)))}


def _contains(outer: Span, inner: Span) -> bool:
    return (outer.line, outer.column) <= (inner.line, inner.column) and \
        (inner.end_line, inner.end_column) <= (outer.end_line, outer.end_column)


def _pick(value: Value, index: int, name: Optional[str], count: int) -> Optional[Value]:
    """The part of a loss argument that applies to output `index`."""
    if isinstance(value, Sequence):
        if count == 1 and len(value.items) == 1:
            return value.items[0]
        return value.items[index] if index < len(value.items) else None
    if isinstance(value, Mapping):
        for key, item in value.items:
            if isinstance(key, Const) and key.value == name:
                return item
        return None
    return value


def _pick_metrics(value: Value, index: int, name: Optional[str], count: int) -> list:
    """The metrics that apply to output `index`: a flat list applies to every output."""
    if isinstance(value, Sequence):
        nested = value.items and all(isinstance(item, Sequence) for item in value.items)
        if nested and count > 1:
            chosen = value.items[index] if index < len(value.items) else None
            return list(chosen.items) if isinstance(chosen, Sequence) else []
        return list(value.items)
    if isinstance(value, Mapping):
        for key, item in value.items:
            if isinstance(key, Const) and key.value == name:
                return list(item.items) if isinstance(item, Sequence) else [item]
        return []
    if value is UNKNOWN:
        return []
    return [value]
