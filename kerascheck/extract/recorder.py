"""The recording of facts: models become OutputFacts and ModelFacts, `compile(...)` calls become CompileFacts.

The interpreter (extract/interpreter.py) evaluates the program into abstract
values; this module reads those values into the facts rules see (kerascheck/facts.py).
A tensor is read from its input forward, by Keras's table (knowledge/layers.py): each
layer applied gives its output's activation, units and shape from its input's and its
own arguments. Then each compile pairs the model's outputs with their losses and metrics.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, replace
from typing import Optional

from kerascheck import knowledge
from kerascheck.extract.project import module_path_of
from kerascheck.extract.values import (
    ArrayValue, ClassValue, Const, DatasetValue, FunctionValue, InstanceValue, KerasObject, LayerValue, Mapping,
    ModelValue, PredictionValue, Ref, Sequence, TensorValue, Value, is_unknown,
)
from kerascheck.facts import (
    Activation, CompileFact, DataFact, InputFact, KerasObjectFact, LayerFact, LossFact, MetricFact, ModelCallFact,
    ModelFact, OutputFact, PredictionUseFact, Span, TrainedOutput,
)
from kerascheck.knowledge import applications, layers, packages
from kerascheck.knowledge.shapes import CHANNELS_LAST, LayerArgs

# A model's methods that take data or give predictions (ModelCallFact), with their positional parameters.
MODEL_DATA_METHODS = {
    "fit": ("x", "y", "batch_size", "epochs"), "evaluate": ("x", "y", "batch_size"), "predict": ("x", "batch_size"),
    "train_on_batch": ("x", "y"), "test_on_batch": ("x", "y"), "predict_on_batch": ("x",),
    "fit_generator": ("generator", "steps_per_epoch", "epochs"), "evaluate_generator": ("generator", "steps"),
    "predict_generator": ("generator", "steps"), "predict_classes": ("x", "batch_size"),
    "predict_proba": ("x", "batch_size"),
}

# Beyond this many layers from an input, a tensor is not read (a generated graph, not a model anyone wrote).
MAX_DEPTH = 400
# Layers that leave the tensor as it was for KC501's "the head": see OutputFact.head.
_NOT_A_HEAD = ("pass", "activation")


@dataclass(frozen=True)
class TensorInfo:
    """What is known of one tensor: an OutputFact's content, with the layers that made it."""

    shape: Optional[tuple] = None
    activation: Optional[str] = None
    units: Optional[int] = None
    layer_node: Optional[ast.AST] = None  # the layer that decides activation/units (OutputFact.layer_line)
    stacked: tuple = ()
    name: Optional[str] = None
    path: tuple = ()  # tuple[LayerFact]
    head: Optional[LayerFact] = None
    inputs: tuple = ()  # tuple[InputFact]: the declared inputs it comes from

    def output_fact(self, recorder, name: Optional[str] = None) -> OutputFact:
        return OutputFact(name=name if name is not None else self.name, activation=self.activation, units=self.units,
                          layer_line=getattr(self.layer_node, "lineno", None), stacked=self.stacked, shape=self.shape,
                          path=self.path, head=self.head, layer_path=recorder.path_of(self.layer_node))


_NOTHING = TensorInfo()


class FactRecorder:
    def __init__(self, interpreter):
        self.interpreter = interpreter
        # compile node -> [(score, CompileFact, call site line)]: every context the compile was reached in.
        self.compiles: dict = {}
        self._tensors: dict = {}  # id(TensorValue) -> (TensorValue, TensorInfo)
        self._models: dict = {}  # id(ModelValue) -> (ModelValue, [TensorInfo], ModelFact)
        self._busy: set = set()  # ids of the models being read (a model that contains itself)
        # call node -> [ModelCallFact]: one per reading with different data (a helper called with two datasets)
        self.model_calls: dict = {}
        self._last_compile: dict = {}  # id(ModelValue) -> (ModelValue, its last CompileFact so far)
        self.prediction_uses: dict = {}  # (use node, id of the predict's ModelCallFact) -> PredictionUseFact

    def model_call_facts(self) -> list:
        """Every reading of every call; a reading that knows no data is dropped when another of the same call does."""
        facts = []
        for readings in self.model_calls.values():
            informed = [fact for fact in readings if _knows_data(fact)]
            facts.extend(informed or readings[-1:])
        return sorted(facts, key=lambda f: (f.span.line, f.span.column))

    def prediction_use_facts(self) -> list:
        kept = set(map(id, self.model_call_facts()))
        uses = [use for use in self.prediction_uses.values() if id(use.call) in kept]
        return sorted(uses, key=lambda f: (f.span.line, f.span.column))

    def compile_facts(self) -> list:
        """One CompileFact per compile: its most informative context; one per call site when the contexts in
        which callers pass models give different known outputs (each names its call site)."""
        facts = []
        for contexts in self.compiles.values():
            best = max(contexts, key=lambda context: context[0])  # the first of the best
            by_outputs: dict = {}
            for score, fact, call_site in contexts:
                if call_site is None or not any(o.is_known for o in fact.outputs):
                    continue
                signature = tuple((o.activation, o.units) for o in fact.outputs)
                if signature not in by_outputs or score > by_outputs[signature][0]:
                    by_outputs[signature] = (score, fact, call_site)
            chosen = [best[1]]
            if len(by_outputs) >= 2:
                chosen = []
                for _, fact, call_site in sorted(by_outputs.values(), key=lambda context: context[2]):
                    fact.call_site = call_site
                    for output in fact.outputs:
                        output.call_site = call_site
                    chosen.append(fact)
            for fact in chosen:
                final = getattr(fact.why, "final", None)
                if final is not None:
                    fact.why = final()
                facts.append(fact)
        facts.sort(key=lambda f: (f.span.line, f.span.column, f.call_site or 0))
        return facts

    # ------------------------------------------------------------ models

    def model_outputs(self, model: ModelValue) -> list:
        """The OutputFacts of a model, in order; [] when unknown."""
        infos, _ = self.read_model(model)
        names = self._output_names(model, len(infos))
        return [info.output_fact(self, name) for info, name in zip(infos, names)]

    def read_model(self, model: ModelValue) -> tuple:
        """([TensorInfo] of its outputs, ModelFact), read again when the model changed (`.add`, `.pop`)."""
        key = (id(model), model.style, tuple(map(id, model.layers)), id(model.outputs), id(model.declared_input))
        if key in self._models:
            return self._models[key][1], self._models[key][2]
        if id(model) in self._busy:
            return [], ModelFact(style=model.style)
        self._busy.add(id(model))
        try:
            infos = self._model_output_infos(model)
        finally:
            self._busy.discard(id(model))
        fact = self._model_fact(model, infos)
        self._models[key] = (model, infos, fact)
        return infos, fact

    def _model_output_infos(self, model: ModelValue) -> list:
        if model.style == "sequential":
            tensor = self.sequential_output(model)
            return [self.describe(tensor)] if tensor is not None else []
        if model.style == "functional":
            return [self.describe(tensor) if isinstance(tensor, TensorValue) else _NOTHING
                    for tensor in _output_tensors(model.outputs)]
        if model.style == "application":
            return [self.application_output(model, None)]
        if model.style == "subclassed" and model.cls is not None:
            call = model.cls.find_method("call")
            if call is None:
                return []
            returned = self.interpreter.call_function(call, [], {}, self_value=model)
            if isinstance(returned, TensorValue):
                return [self.describe(returned)]
            if isinstance(returned, Sequence):
                return [self.describe(t) if isinstance(t, TensorValue) else _NOTHING for t in returned.items]
            return [_NOTHING]
        return []

    def _output_names(self, model: ModelValue, count: int) -> list:
        names = [None] * count
        if model.style == "functional" and isinstance(model.outputs, Mapping):
            for index, (key, _) in enumerate(model.outputs.items[:count]):
                names[index] = const_str(key)
        return names

    def sequential_output(self, model: ModelValue) -> Optional[TensorValue]:
        """The last tensor of a Sequential: each layer applied to the one before, from its declared input."""
        if not model.layers:
            return None
        tensor = TensorValue(declared=model.declared_input, node=model.node)
        first = True
        for item in model.layers:
            if first and model.declared_input is None:
                declared = item.declared if isinstance(item, TensorValue) and item.layer is None else \
                    item.declared_input if isinstance(item, LayerValue) else None
                if declared is not None:
                    tensor = TensorValue(declared=declared, node=model.node)
            first = False
            tensor = self.apply_in_sequence(item, tensor)
        return tensor

    def apply_in_sequence(self, item: Value, tensor: TensorValue) -> TensorValue:
        if isinstance(item, TensorValue) and item.layer is None:
            return tensor  # Input(...) in the list: it declares the input (read above)
        if isinstance(item, LayerValue):
            if item.kind == "InputLayer":
                return tensor
            return TensorValue(layer=item, inputs=[tensor], node=item.node)
        if isinstance(item, ModelValue):
            if item.style == "subclassed" and item.cls is not None:
                applied = self.interpreter._apply_call_method(item, item.cls, tensor, [tensor], {})
                if applied is not None:
                    return applied
            return TensorValue(layer=item, inputs=[tensor], node=item.node)
        if isinstance(item, InstanceValue) and item.cls.is_layer:
            return self.interpreter.call_other(item, [tensor], {}, item.node)
        # Not a layer we know (a library's, an unresolved name): a step whose effect is unknown.
        kind = _short_kind(item)
        return TensorValue(layer=LayerValue(kind=kind, node=getattr(item, "node", None)), inputs=[tensor],
                           node=getattr(item, "node", None))

    def _model_fact(self, model: ModelValue, infos: list) -> ModelFact:
        layers_seen, inputs = [], []
        for info in infos:
            for layer in info.path:
                if layer not in layers_seen:
                    layers_seen.append(layer)
            for declared in info.inputs:
                if declared not in inputs:
                    inputs.append(declared)
        if not inputs and model.declared_input is not None:
            inputs.append(model.declared_input)
        own = _functional_inputs(model)
        if own is not None:
            inputs = own  # what Keras takes as the model's inputs, not a nested model's reached on a path
        return ModelFact(style=model.style, line=self.interpreter.line_of(model.node), inputs=inputs,
                         layers=layers_seen, application=model.application, keras_objects=self._model_objects(model))

    # ------------------------------------------------------------ the Keras packages a model is built from (KC503)

    def _keras_object(self, value: Value, kind: str, node=None) -> Optional[KerasObjectFact]:
        """The object as a fact, when it comes from one of Keras's packages through an import."""
        qualified = value.qualified if isinstance(value, Ref) and not value.snippet else getattr(value, "origin", None)
        package = packages.keras_package(qualified) if qualified else None
        if package is None:
            return None
        node = node if node is not None else getattr(value, "node", None)
        return KerasObjectFact(package=package, name=knowledge.keras_path(qualified) or qualified, kind=kind,
                               span=self._span(node), line=self.interpreter.line_of(node) if node is not None else None,
                               path=self.path_of(node) if node is not None else None)

    def _model_objects(self, model: ModelValue) -> tuple:
        """The model's constructor (or Keras base class), its inputs and layers, each with its package, in source order."""
        found = []
        own = self._keras_object(model, "model")
        if own is None and model.cls is not None:
            own = self._keras_base(model.cls)
        if own is not None:
            found.append(own)
        seen = set()
        stack = list(model.layers) if model.style == "sequential" else []
        if model.style == "functional":
            stack.extend(_output_tensors(model.outputs))
        elif model.style == "subclassed" and model.cls is not None:
            stack.extend(value for value in model.attrs.values() if isinstance(value, (LayerValue, ModelValue)))
        while stack and len(seen) < MAX_DEPTH * 4:
            value = stack.pop()
            if id(value) in seen or value is model:
                continue
            seen.add(id(value))
            if isinstance(value, TensorValue):
                if value.layer is None:
                    fact = self._keras_object(value, "input")
                    if fact is not None:
                        found.append(fact)
                else:
                    stack.append(value.layer)
                    stack.extend(value.inputs)
            elif isinstance(value, LayerValue):
                kind = "input" if value.kind == "InputLayer" else "layer"
                fact = self._keras_object(value, kind)
                if fact is not None:
                    found.append(fact)
                if value.inner is not None:
                    stack.append(value.inner)
            elif isinstance(value, ModelValue):
                fact = self._keras_object(value, "model")
                if fact is not None:
                    found.append(fact)
        unique = {(fact.span, fact.name): fact for fact in found if fact.span is not None}
        return tuple(sorted(unique.values(), key=lambda fact: (fact.span.line, fact.span.column)))

    def _keras_base(self, cls) -> Optional[KerasObjectFact]:
        """`class Net(tf.keras.Model)`: the Keras class it derives from, written in its bases."""
        for base, node in zip(cls.bases, cls.definition.bases):
            if isinstance(base, Ref):
                fact = self._keras_object(base, "model", node)
                if fact is not None:
                    return fact
            elif isinstance(base, ClassValue):
                fact = self._keras_base(base)
                if fact is not None:
                    return fact
        return None

    def _compile_objects(self, arguments: dict) -> tuple:
        """The optimizer, losses and metrics a compile gives, each with its package."""
        found = []
        for name, kind in (("optimizer", "optimizer"), ("loss", "loss"), ("metrics", "metric")):
            _, value, _ = arguments.get(name, (None, None, False))
            for item in _flattened(value):
                item_kind = kind
                if kind == "metric" and isinstance(item, KerasObject):
                    item_kind = "metric_object"
                fact = self._keras_object(item, item_kind) if isinstance(item, (Ref, KerasObject)) else None
                if fact is not None:
                    found.append(fact)
        return tuple(sorted((fact for fact in found if fact.span is not None),
                            key=lambda fact: (fact.span.line, fact.span.column)))

    # ------------------------------------------------------------ tensors

    def describe(self, tensor: Optional[TensorValue], depth: int = 0) -> TensorInfo:
        """What is known of a tensor, from its inputs forward (memoized per tensor)."""
        if tensor is None:
            return _NOTHING
        known = self._tensors.get(id(tensor))
        if known is not None:
            return known[1]
        if depth > MAX_DEPTH:
            return _NOTHING
        info = self._describe(tensor, depth)
        self._tensors[id(tensor)] = (tensor, info)
        return info

    def _describe(self, tensor: TensorValue, depth: int) -> TensorInfo:
        layer = tensor.layer
        if layer is None:  # a model input
            declared = tensor.declared
            if declared is None:
                return _NOTHING
            shape = declared.shape
            return TensorInfo(shape=shape, units=shape[-1] if shape else None, inputs=(declared,))
        inputs = [self.describe(t, depth + 1) for t in tensor.inputs]
        if isinstance(layer, ModelValue):
            return self.apply_model(layer, tensor, inputs[0] if inputs else _NOTHING)
        info = self.apply_layer(layer, inputs)
        if not tensor.inputs and info.path:
            # applied to something not known to be a tensor of the model: the path starts over here
            step = replace(info.path[-1], applied_to_unknown=True)
            info = replace(info, path=info.path[:-1] + (step,), head=step if info.head is info.path[-1] else info.head)
        return info

    def apply_model(self, model: ModelValue, tensor: TensorValue, given: TensorInfo) -> TensorInfo:
        """A model applied like a layer (or its own `.output`): its output, one step on the path."""
        if model.style == "sequential" and tensor.inputs:
            # Its layers applied to the tensor it is given (from its own declared input when that says more).
            start = tensor.inputs[0]
            if given.shape is None and model.declared_input is not None:
                start = TensorValue(declared=model.declared_input)
            info = _NOTHING
            current = start
            for item in model.layers:
                current = self.apply_in_sequence(item, current)
            info = self.describe(current)
        elif model.style == "application":
            info = self.application_output(model, given if tensor.inputs else None)
        else:
            infos, _ = self.read_model(model)
            info = infos[tensor.output_index] if tensor.output_index < len(infos) else _NOTHING
        if not tensor.inputs:
            return info  # the model's own output: its own path
        _, model_fact = self.read_model(model)
        step = LayerFact(path=self.path_of(model.node), kind=model.application or _model_kind(model),
                         family="application" if model.application
                         else "model", line=self.interpreter.line_of(model.node), span=self._span(model.node),
                         input_shape=given.shape, output_shape=info.shape, activation=info.activation,
                         units=info.units, rescales=_rescales_first(model_fact))
        return replace(info, path=given.path + (step,), head=info.head if info.head is not None else step,
                       inputs=given.inputs or info.inputs)

    def application_output(self, model: ModelValue, given: Optional[TensorInfo]) -> TensorInfo:
        """A keras.applications model's output, from Keras's table (knowledge/applications.py)."""
        app = applications.application(model.application)
        args = model.args or LayerArgs({})
        declared = model.declared_input
        input_info = given
        if input_info is None and isinstance(model.inputs, TensorValue):
            input_info = self.describe(model.inputs)
        input_shape = input_info.shape if input_info is not None and input_info.shape is not None else \
            declared.shape if declared is not None else None
        shape, activation, units = applications.output(app, args, input_shape)
        line = self.interpreter.line_of(model.node)
        step = LayerFact(path=self.path_of(model.node), kind=model.application, family="application", line=line,
                         span=self._span(model.node),
                         input_shape=input_shape, output_shape=shape, activation=activation, units=units,
                         rescales=app.rescales)
        stacked = (self._activation_fact(activation, model.node),) \
            if activation in knowledge.PROBABILITY_ACTIVATIONS else ()
        earlier = input_info.path if input_info is not None else ()
        inputs = input_info.inputs if input_info is not None and input_info.inputs else \
            ((declared,) if declared is not None else ())
        return TensorInfo(shape=shape, activation=activation, units=units, layer_node=model.node, stacked=stacked,
                          path=earlier + (step,), head=step, inputs=inputs)

    def apply_layer(self, layer: LayerValue, inputs: list) -> TensorInfo:
        """One layer applied to its inputs' infos, by its row of the table."""
        first = inputs[0] if inputs else _NOTHING
        spec = layer.spec
        line = self.interpreter.line_of(layer.node)
        span = self._span(layer.node)
        if spec is None:  # a layer the table lacks, or a Layer class of the program with an unknown call()
            step = LayerFact(path=self.path_of(layer.node), kind=layer.kind, line=line, span=span, name=layer.name,
                             input_shape=first.shape)
            return TensorInfo(name=layer.name, layer_node=layer.node, path=first.path + (step,), head=step,
                              inputs=first.inputs)
        if spec.family == "wrapper":
            return self.apply_wrapper(layer, first)
        if spec.family == "lambda":
            return self.apply_lambda(layer, first)
        args = layer.args or LayerArgs({})
        if spec.is_merge:
            shape = spec.shape([info.shape for info in inputs], args)
        else:
            shape = spec.shape(first.shape, args)
        units = self._units(layer, spec, args, shape, inputs)
        activation, stacked, layer_node, name = self._activation(layer, spec, inputs)
        if spec.family in ("flatten", "reshape") and units != first.units:
            layer_node = layer.node  # Flatten/Reshape/Permute decide the units they change: their line is the one
        step = LayerFact(path=self.path_of(layer.node), kind=layer.kind, family=spec.family, line=line, span=span,
                         name=layer.name,
                         input_shape=first.shape, output_shape=shape, activation=activation, units=units,
                         data_format=getattr(args, "written_format", None), spatial_dims=spec.spatial_dims,
                         rescales=spec.rescales)
        head = first.head if spec.family in _NOT_A_HEAD else step
        return TensorInfo(shape=shape, activation=activation, units=units, layer_node=layer_node, stacked=stacked,
                          name=name, path=first.path + (step,), head=head, inputs=_inputs_of(inputs))

    def _units(self, layer: LayerValue, spec, args, shape, inputs: list) -> Optional[int]:
        """Units: the layer's argument, else its output shape's last size, else its input's where they pass through."""
        if spec.units:
            return layer.units
        if shape is not None and shape and shape[-1] is not None:
            return shape[-1]
        if shape is not None and len(shape) >= 2 and not spec.keeps_channels:
            return None
        if spec.is_merge:
            units = [info.units for info in inputs]
            if not units or None in units:
                return None
            if layer.kind == "Concatenate":
                axis = args.get("axis", -1)
                return sum(units) if axis == -1 else None
            return units[0] if len(set(units)) == 1 else None
        if spec.keeps_channels and args.data_format == CHANNELS_LAST:
            return inputs[0].units if inputs else None
        return None

    def _activation(self, layer: LayerValue, spec, inputs: list) -> tuple:
        """(activation, stacked, layer node, name) of the layer's output."""
        first = inputs[0] if inputs else _NOTHING
        effect = spec.activation
        if effect == layers.APPLIES and layer.activation == "linear":
            effect = layers.KEEPS  # an identity: Activation('linear', dtype='float32') after a softmax
        if effect == layers.ARGUMENT:
            stacked = (self._activation_fact(layer.activation, layer.node),) \
                if layer.activation in knowledge.PROBABILITY_ACTIVATIONS else ()
            return layer.activation, stacked, layer.node, layer.name
        if effect == layers.APPLIES:
            stacked = ()
            if layer.activation in knowledge.PROBABILITY_ACTIVATIONS:
                earlier = first.stacked if first.activation in knowledge.PROBABILITY_ACTIVATIONS else ()
                stacked = earlier + (self._activation_fact(layer.activation, layer.node),)
            layer_node = layer.node if first.units is None or first.layer_node is None else first.layer_node
            return layer.activation, stacked, layer_node, layer.name
        if effect == layers.KEEPS:
            return first.activation, first.stacked, first.layer_node, layer.name or first.name
        if spec.is_merge:
            activations = {info.activation for info in inputs}
            common = activations.pop() if len(activations) == 1 and inputs else None
            if effect == layers.MERGE_COMMON:
                activation = common
            elif effect == layers.MERGE_ELEMENTWISE:
                activation = common if common is not None and common != "softmax" else None
            elif effect == layers.MERGE_LINEAR:
                activation = "linear" if common == "linear" else None
            else:
                activation = None
            stacked = first.stacked if activation in knowledge.PROBABILITY_ACTIVATIONS else ()
            return activation, stacked, layer.node, layer.name
        return None, (), layer.node, layer.name

    def apply_wrapper(self, layer: LayerValue, first: TensorInfo) -> TensorInfo:
        """TimeDistributed(inner) and Bidirectional(inner): the wrapped layer's activation and units."""
        inner = layer.inner
        line = self.interpreter.line_of(layer.node)
        args = layer.args or LayerArgs({})
        shape = first.shape
        if layer.kind == "TimeDistributed":
            step_shape = (shape[0], *shape[2:]) if shape is not None and len(shape) >= 2 else None
        else:
            step_shape = shape
        inner_info = self._apply_inner(inner, TensorInfo(shape=step_shape, units=first.units if step_shape else None))
        activation, units, stacked = inner_info.activation, inner_info.units, inner_info.stacked
        out_shape = inner_info.shape
        if layer.kind == "TimeDistributed":
            time = shape[1] if shape is not None and len(shape) >= 2 else None
            out_shape = (out_shape[0], time, *out_shape[1:]) if out_shape is not None else None
        else:  # Bidirectional: forward and backward outputs merged
            mode = args.get("merge_mode", "concat")
            if mode == "concat":
                units = 2 * units if units is not None else None
                out_shape = (*out_shape[:-1], units) if out_shape is not None else None
                activation = activation if activation not in ("softmax",) else None
            elif mode not in ("sum", "ave", "mul"):
                activation, units, out_shape = None, None, None
            elif mode != "ave":
                activation = "linear" if mode == "sum" and activation == "linear" else None
            stacked = stacked if activation in knowledge.PROBABILITY_ACTIVATIONS else ()
        inner_kind = inner.kind if isinstance(inner, LayerValue) else _model_kind(inner) if isinstance(inner, ModelValue) \
            else None
        step = LayerFact(path=self.path_of(layer.node), kind=layer.kind, family="wrapper", line=line,
                         span=self._span(layer.node), name=layer.name,
                         input_shape=first.shape, output_shape=out_shape, activation=activation, units=units,
                         wrapped=inner_kind)
        layer_node = inner_info.layer_node if inner_info.layer_node is not None else layer.node
        return TensorInfo(shape=out_shape, activation=activation, units=units, layer_node=layer_node, stacked=stacked,
                          name=layer.name or inner_info.name, path=first.path + (step,), head=step,
                          inputs=first.inputs)

    def _apply_inner(self, inner, given: TensorInfo) -> TensorInfo:
        if isinstance(inner, LayerValue):
            return self.apply_layer(inner, [given])
        if isinstance(inner, ModelValue):
            infos, _ = self.read_model(inner)
            return infos[0] if infos else _NOTHING
        return _NOTHING

    def apply_lambda(self, layer: LayerValue, first: TensorInfo) -> TensorInfo:
        """A Lambda: a cast keeps its input; a division rescales it (KC405); anything else is unknown."""
        line = self.interpreter.line_of(layer.node)
        if layer.lambda_effect == "identity":
            step = LayerFact(path=self.path_of(layer.node), kind="Lambda", family="pass", line=line,
                             span=self._span(layer.node), name=layer.name,
                             input_shape=first.shape, output_shape=first.shape, activation=first.activation,
                             units=first.units)
            return replace(first, path=first.path + (step,), name=layer.name or first.name)
        rescales = layer.lambda_effect == "rescale"
        step = LayerFact(path=self.path_of(layer.node), kind="Lambda", family="rescaling" if rescales else "lambda", line=line,
                         span=self._span(layer.node), name=layer.name, input_shape=first.shape,
                         output_shape=first.shape if rescales else None, units=first.units if rescales else None,
                         rescales=rescales)
        return TensorInfo(shape=step.output_shape, units=step.units, layer_node=layer.node, name=layer.name,
                          path=first.path + (step,), head=step, inputs=first.inputs)

    def _span(self, node) -> Optional[Span]:
        """The node's span, in its own file (LayerFact.path says which)."""
        return self.interpreter.span_of(node) if node is not None else None

    def path_of(self, node) -> Optional[str]:
        """The file a node comes from, as findings show it; None for the file being checked."""
        return self.interpreter.shown_path_of(node)

    def _activation_fact(self, name: str, node) -> Activation:
        path = self.path_of(node)
        return Activation(name, getattr(node, "lineno", None), None if path else self._span(node), path=path)

    # ------------------------------------------------------------ fit, evaluate, predict

    def record_model_call(self, node: ast.Call, model: ModelValue, method: str, given: dict) -> ModelCallFact:
        """`model.fit(x, y)` and the like on a known model: the join point of model facts and data facts.

        `given`: the evaluated arguments by parameter name ('x', 'y', 'validation_data', ...).
        """
        span_of = self.interpreter.span_of
        arguments = {}
        for name, arg in zip(MODEL_DATA_METHODS[method], node.args):
            if isinstance(arg, ast.Starred):
                break
            arguments["x" if name == "generator" else name] = span_of(arg)
        for keyword in node.keywords:
            if keyword.arg is not None:
                arguments[keyword.arg] = span_of(keyword.value)
        infos, model_fact = self.read_model(model) if model.style is not None else ([], None)
        names = self._output_names(model, len(infos))
        compile_fact = self._last_compile.get(id(model), (None, None))[1]
        x, y = self.data_pair(given.get("x"), given.get("y"), arguments.get("x"), arguments.get("y"))
        validation = given.get("validation_data")
        validation_x = validation_y = None
        if isinstance(validation, Sequence) and len(validation.items) in (2, 3):
            validation_x, validation_y = self.data_pair(validation.items[0], validation.items[1],
                                                        arguments.get("validation_data"),
                                                        arguments.get("validation_data"))
        elif isinstance(validation, DatasetValue):
            validation_x, validation_y = self.data_pair(validation, None, arguments.get("validation_data"), None)
        fact = ModelCallFact(method=method, span=span_of(node), model=model_fact,
                             outputs=[info.output_fact(self, name) for info, name in zip(infos, names)],
                             compile_span=compile_fact.span if compile_fact is not None else None,
                             arguments=arguments, x=x, y=y, validation_x=validation_x, validation_y=validation_y,
                             trained=list(compile_fact.trained) if compile_fact is not None else [])
        readings = self.model_calls.setdefault(node, [])
        for index, reading in enumerate(readings):
            if _same_reading(reading, fact):
                readings[index] = fact  # analysed again in the same context: the last reading stands
                break
        else:
            readings.append(fact)
        return fact

    def data_pair(self, x: Value, y: Value, x_span: Optional[Span], y_span: Optional[Span]) -> tuple:
        """(DataFact of x, DataFact of y): a dataset or generator in x gives both."""
        if isinstance(x, DatasetValue):
            element_x = data_fact(x.x, x_span, batched_dataset=x.batched)
            element_y = data_fact(x.y, x_span, batched_dataset=x.batched) if x.y is not None else None
            return element_x, element_y
        return data_fact(x, x_span), data_fact(y, y_span)

    def record_prediction_use(self, kind: str, node: ast.AST, prediction: PredictionValue, function: str = "",
                              qualified: str = "", array_node=None, axis=None, over_last_axis: bool = False, threshold=None,
                              threshold_node=None, labels=None) -> None:
        """What the program does with a known model's predictions (KC408-KC410)."""
        if module_path_of(node) is not None:
            return  # in a helper of another module: no position of this file to report at
        readings = self.model_calls.get(prediction.call)
        if not readings:
            return
        call = readings[-1]
        span_of = self.interpreter.span_of
        use = PredictionUseFact(kind=kind, span=span_of(node), call=call, function=function, qualified=qualified,
                                text=self.interpreter.origin(node).text,
                                prediction_span=span_of(array_node) if array_node is not None else None,
                                output_index=prediction.output_index,
                                last_axis_is_units=prediction.last_axis_is_units, rank=prediction.rank, axis=axis,
                                over_last_axis=over_last_axis, threshold=threshold,
                                threshold_span=span_of(threshold_node) if threshold_node is not None else None,
                                labels=data_fact(labels, None) if labels is not None else None,
                                prediction_line=call.span.line)
        self.prediction_uses[(node, id(call))] = use

    # ------------------------------------------------------------ compile

    def record_unchecked(self, node: ast.Call, why: str) -> None:
        """A compile that is listed (with why) but not checked: its model's own compile(), a model not seen."""
        if node in self.compiles:
            return
        fact = CompileFact(path=self.interpreter.path, span=self.interpreter.span_of(node), model_style=None,
                           trained=[], why=why)
        self.compiles[node] = [(-1, fact, None)]

    def record_compile(self, node: ast.Call, model: ModelValue, arguments: dict) -> None:
        """One `compile(...)` of `model`: its outputs, each with the loss and metrics that apply to it."""
        loss_arg, loss_value, _ = arguments.get("loss", (None, None, False))
        metrics_arg, metrics_value, _ = arguments.get("metrics", (None, None, False))
        infos, model_fact = self.read_model(model) if model.style is not None else ([], None)
        names = self._output_names(model, len(infos))
        outputs = [info.output_fact(self, name) for info, name in zip(infos, names)]
        trained = self.align(outputs, loss_value, loss_arg, metrics_value, metrics_arg, node)
        why = model.why
        if why is None and not any(o.is_known for o in outputs):
            why = _why_outputs_unknown(model)
        fact = CompileFact(path=self.interpreter.path, span=self.interpreter.span_of(node), model_style=model.style,
                           trained=trained, model=model_fact, why=why, keras_objects=self._compile_objects(arguments))
        self._last_compile[id(model)] = (model, fact)  # the model kept alive: its id stays its own
        score = sum((o.activation is not None) + (o.units is not None) for o in fact.outputs)
        contexts = self.compiles.setdefault(node, [])
        if len(contexts) < 32:  # a compile reached through very many call sites: the first ones are enough
            contexts.append((score, fact, self.interpreter.call_site_line()))

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
        if node is not None and module_path_of(node) is None:  # written in this file
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
                                form=form, name=name, keras_attribute=_module_attribute(path))
        if isinstance(value, KerasObject):
            name = value.short_name
            from_logits_value = value.kwargs.get("from_logits", value.args[0] if value.args else Const(False))
            from_logits = from_logits_value.value if isinstance(from_logits_value, Const) \
                and isinstance(from_logits_value.value, bool) else None
            from_logits_node = getattr(from_logits_value, "node", None)
            path = knowledge.keras_path(value.qualified) or ""
            return LossFact(canonical=knowledge.canonical_loss(name), spelling=spelling, span=span,
                            form="class", name=name, from_logits=from_logits,
                            from_logits_span=self.interpreter.span_of(from_logits_node)
                            if from_logits_node is not None else None,
                            kwargs=literal_kwargs(value.kwargs), keras_attribute=_module_attribute(path))
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
                                  form=form, name=name, keras_attribute=_module_attribute(path))
        if isinstance(value, KerasObject):
            name = value.short_name
            threshold = 0.5
            if "threshold" in value.kwargs or (name == "BinaryAccuracy" and len(value.args) >= 3):
                raw = value.kwargs.get("threshold", value.args[2] if len(value.args) >= 3 else None)
                threshold = raw.value if isinstance(raw, Const) and isinstance(raw.value, (int, float)) else None
            path = knowledge.keras_path(value.qualified) or ""
            return MetricFact(canonical=knowledge.canonical_metric(name, "class"), spelling=spelling, span=span,
                              threshold=threshold, form="class", name=name, kwargs=literal_kwargs(value.kwargs),
                              keras_attribute=_module_attribute(path))
        if isinstance(value, FunctionValue):
            return MetricFact(canonical=None, spelling=spelling, span=span, form="function", name=value.name)
        return MetricFact(canonical=None, spelling=spelling, span=span)


def data_fact(value: Value, span: Optional[Span], batched_dataset: Optional[bool] = None) -> Optional[DataFact]:
    """The facts of an array given to a model; None when nothing is known of it.

    `batched_dataset`: the array is a dataset's element (its shape without the batch axis); True when the
    dataset yields batches of it, False when it does not (then the shape Keras sees is not known).
    """
    if not isinstance(value, ArrayValue):
        return None
    shape = value.shape
    if batched_dataset is not None:
        shape = (None, *shape) if batched_dataset and shape is not None and not value.batched else None
    elif not value.batched:
        shape = None
    fact = DataFact(encoding=value.encoding, classes=value.classes, shape=shape, scale=value.scale,
                    scaled_labels=value.scaled_labels, encoding_origin=value.encoding_origin,
                    classes_origin=value.classes_origin, shape_origin=value.shape_origin if shape else None,
                    scale_origin=value.scale_origin, span=span, from_dataset=batched_dataset is not None)
    return fact if fact.is_known or fact.scaled_labels is not None else None


def _functional_inputs(model: ModelValue) -> Optional[list]:
    """A functional model's declared inputs, from its `inputs=` (input tensors); None when that is not known."""
    if model.style != "functional" or model.inputs is None:
        return None
    given = model.inputs
    tensors = [given] if isinstance(given, TensorValue) else \
        [item for _, item in given.items] if isinstance(given, Mapping) and given.complete else \
        list(given.items) if isinstance(given, Sequence) and given.complete else None
    if not tensors or not all(isinstance(t, TensorValue) and t.layer is None for t in tensors):
        return None
    return [t.declared for t in tensors if t.declared is not None]


def _knows_data(fact: ModelCallFact) -> bool:
    return any(data is not None for data in (fact.x, fact.y, fact.validation_x, fact.validation_y))


def _same_reading(a: ModelCallFact, b: ModelCallFact) -> bool:
    return (a.x, a.y, a.validation_x, a.validation_y, a.outputs, a.compile_span) == \
        (b.x, b.y, b.validation_x, b.validation_y, b.outputs, b.compile_span)


def _short_kind(item: Value) -> str:
    why = getattr(item, "why", None)
    if isinstance(item, (LayerValue, KerasObject)):
        return getattr(item, "kind", None) or item.short_name
    if why:
        return "unknown layer"
    return "unknown layer"


def _module_attribute(path: str) -> Optional[str]:
    """'losses.categorical_crossentropy' when written as an attribute of keras.losses / keras.metrics, else None."""
    parts = path.split(".")
    return path if len(parts) == 2 and parts[0] in ("losses", "metrics") else None


def _model_kind(model: ModelValue) -> str:
    if model.application:
        return model.application
    if model.cls is not None:
        return model.cls.definition.name
    return {"sequential": "Sequential", "functional": "Model"}.get(model.style, "Model")


def _rescales_first(model_fact: ModelFact) -> bool:
    return any(layer.rescales for layer in model_fact.first_layers)


def _why_outputs_unknown(model: ModelValue) -> Optional[str]:
    if model.style == "subclassed" and model.cls is not None and model.cls.find_method("call") is None:
        return f"subclassed model {model.cls.definition.name} has no call() the analysis can read"
    return None


def _inputs_of(infos: list) -> tuple:
    inputs = []
    for info in infos:
        for declared in info.inputs:
            if declared not in inputs:
                inputs.append(declared)
    return tuple(inputs)


def _flattened(value, depth: int = 0) -> list:
    """The items of a loss or metrics argument: a value, a list, a dict, nested."""
    if value is None or depth > 3:
        return []
    if isinstance(value, Sequence):
        return [item for element in value.items for item in _flattened(element, depth + 1)]
    if isinstance(value, Mapping):
        return [item for _, element in value.items for item in _flattened(element, depth + 1)]
    return [value]


def _output_tensors(outputs: Value) -> list:
    if isinstance(outputs, Sequence):
        return list(outputs.items)
    if isinstance(outputs, Mapping):
        return [tensor for _, tensor in outputs.items]
    if isinstance(outputs, TensorValue):
        return [outputs]
    return []


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
    if is_unknown(value):
        return []
    return [value]


__all__ = ["FactRecorder", "TensorInfo", "ClassValue", "InputFact"]
