"""The evaluator of Python values: statements, expressions, the program's own functions and classes.

It walks a module's statements in order, binding names to abstract values
(extract/values.py), and follows calls into the program's own functions and classes.
Nothing is executed; what it cannot know stays UNKNOWN. It knows nothing of Keras:
a subclass (extract/interpreter.py) says what a call of a library name returns,
what a model's methods do, and what gets recorded.

Control flow is read, not decided: both branches of an `if` run (the later
assignment wins), a loop body runs once, every `except` handler runs.
"""

from __future__ import annotations

import ast
import re
from typing import Optional

from kerascheck.extract import names
from kerascheck.extract.names import Scope, dotted
from kerascheck.extract.spans import NO_SPAN, SourceSpans
from kerascheck.extract.values import (
    UNKNOWN, BoundMethod, ClassValue, Const, FunctionValue, InstanceValue, Mapping, Opaque, Ref, Sequence, Value,
    is_unknown,
)
from kerascheck.facts import Span

# How deep calls into the module's own functions are followed.
MAX_CALL_DEPTH = 6

FUNCTION_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef)
_TRY_STATEMENTS = tuple(getattr(ast, name) for name in ("Try", "TryStar") if hasattr(ast, name))
_MATCH_STATEMENTS = tuple(getattr(ast, name) for name in ("Match",) if hasattr(ast, name))
# Literals the evaluator models; bytes, complex and Ellipsis stay unknown.
LITERAL_TYPES = (bool, int, float, str, type(None))
# Methods that change a list or dict in place: after one, its items are not all known.
_MUTATING_METHODS = {"append", "extend", "insert", "pop", "remove", "clear", "update", "setdefault", "popitem",
                     "sort", "reverse"}
# A method call the subclass did not handle (see `method_call`).
NOT_HANDLED = object()


class Frame:
    """One running body: its scope, the function it belongs to, the values it returned."""

    def __init__(self, scope: Scope, function: Optional[FunctionValue] = None):
        self.scope = scope
        self.function = function
        self.returns: list = []


def literal_constant(node: ast.Constant) -> Value:
    value = node.value
    if isinstance(value, LITERAL_TYPES):
        # True/False/None carry no node: they say nothing about where a value was written.
        return Const(value) if value is None or isinstance(value, bool) else Const(value, node)
    return UNKNOWN


class Evaluator:
    # In a definition's text, what makes analysing it on its own worth it (see `_may_reach`).
    WORTH_ANALYSING: Optional[re.Pattern] = None

    def __init__(self, path: str, module: ast.Module, spans: SourceSpans):
        self.path = path
        self.module = module
        self.spans = spans
        self.global_scope = Scope()
        self.call_stack: list = []
        self.analysed_functions: set = set()
        self.called: set = set()  # ids of the definitions a call in the program reached
        self.call_sites: list = []  # the call nodes being evaluated into the program's own functions, outermost first

    # ------------------------------------------------------------ the whole module

    def run_module(self) -> None:
        self.exec_body(self.module.body, Frame(self.global_scope))
        # Every function and method is also analysed on its own, so what happens inside a
        # function nobody calls (or called from elsewhere) is seen too.
        self._analyse_functions_in(self.global_scope)

    def _analyse_functions_in(self, scope: Scope) -> None:
        values = [value for value in scope.vars.values() if isinstance(value, (FunctionValue, ClassValue))]
        worth_it = self._may_reach(values)
        for value in values:
            if id(value.definition) not in worth_it:
                continue
            if isinstance(value, FunctionValue):
                self._analyse_standalone(value, self_value=None)
            else:
                self._analyse_class(value)

    def _may_reach(self, values: list) -> set:
        """ids of the definitions whose analysis can find something, judged on their text.

        A definition can only reach what WORTH_ANALYSING matches if its code holds a match or
        names (as a word) a definition that can: a fixpoint over the names. Analysing the others
        finds nothing, and in a big module that is not about Keras they are most of the work.
        """
        texts = {id(value.definition): self.spans.source(value.definition) or "" for value in values}
        if self.WORTH_ANALYSING is None:
            return set(texts)
        reaching = {key for key, text in texts.items() if self.WORTH_ANALYSING.search(text)}
        while True:
            found = set()
            for value in values:
                if id(value.definition) in reaching:
                    found.add(value.definition.name)
                    if isinstance(value, ClassValue):
                        found.update(value.methods)
            if not found:
                return reaching
            pattern = re.compile(r"\b(?:%s)\b" % "|".join(sorted(map(re.escape, found))))
            grown = {key for key, text in texts.items() if key not in reaching and pattern.search(text)}
            if not grown:
                return reaching
            reaching |= grown

    def _analyse_class(self, cls: ClassValue) -> None:
        if id(cls) in self.analysed_functions:
            return
        self.analysed_functions.add(id(cls))
        instance = self.instantiate(cls, [], {}, node=cls.definition)
        for method in cls.methods.values():
            self._analyse_standalone(method, self_value=instance)

    def _analyse_standalone(self, function: FunctionValue, self_value) -> None:
        if id(function.definition) in self.analysed_functions:
            return
        self.analysed_functions.add(id(function.definition))
        self.call_function(function, [], {}, self_value=self_value, use_defaults=True)

    # ------------------------------------------------------------ statements

    def exec_body(self, body, frame: Frame) -> None:
        for statement in body:
            try:
                self.exec_statement(statement, frame)
            except RecursionError:
                raise
            except Exception:  # noqa: BLE001 - one odd statement must not lose the file
                continue

    def exec_statement(self, node: ast.stmt, frame: Frame) -> None:
        if isinstance(node, ast.Expr):
            self.eval(node.value, frame)
        elif isinstance(node, ast.Assign):
            value = self.eval(node.value, frame)
            for target in node.targets:
                self.assign(target, value, frame)
        elif isinstance(node, ast.AnnAssign):
            if node.value is not None:
                self.assign(node.target, self.eval(node.value, frame), frame)
        elif isinstance(node, ast.AugAssign):
            current = self.eval(node.target, frame)
            value = self.eval(node.value, frame)
            self.assign(node.target, self.binary(node.op, current, value, node), frame)
        elif isinstance(node, ast.Return):
            value = self.eval(node.value, frame) if node.value is not None else Const(None)
            frame.returns.append(value)
        elif isinstance(node, ast.Import):
            self.import_modules(node, frame.scope)
        elif isinstance(node, ast.ImportFrom):
            self.import_from(node, frame.scope)
        elif isinstance(node, FUNCTION_DEFS):
            frame.scope.vars[node.name] = FunctionValue(definition=node, scope=frame.scope)
        elif isinstance(node, ast.ClassDef):
            frame.scope.vars[node.name] = self.define_class(node, frame)
        elif isinstance(node, ast.If):
            self.exec_if(node, frame)
        elif isinstance(node, (ast.For, ast.AsyncFor, ast.While)):
            if not isinstance(node, ast.While):
                self.assign(node.target, UNKNOWN, frame)
            self.exec_body(node.body, frame)
            self.exec_body(node.orelse, frame)
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                value = self.eval(item.context_expr, frame)
                if item.optional_vars is not None:
                    self.assign(item.optional_vars, self.entered(value), frame)
            self.exec_body(node.body, frame)
        elif isinstance(node, _TRY_STATEMENTS):
            self.exec_body(node.body, frame)
            for handler in node.handlers:
                self.exec_body(handler.body, frame)
            self.exec_body(node.orelse, frame)
            self.exec_body(node.finalbody, frame)
        elif isinstance(node, _MATCH_STATEMENTS):
            for case in node.cases:
                self.exec_body(case.body, frame)

    def exec_if(self, node: ast.If, frame: Frame) -> None:
        """The branch a known condition takes; else both branches run, the `else` after the `if` (an elif is an
        If inside orelse)."""
        taken = known_truth(self.eval(node.test, frame))
        if taken is not None:
            self.exec_body(node.body if taken else node.orelse, frame)
            return
        self.exec_body(node.body, frame)
        self.exec_body(node.orelse, frame)

    def import_modules(self, node: ast.Import, scope: Scope) -> None:
        names.bind_import(node, scope)

    def import_from(self, node: ast.ImportFrom, scope: Scope) -> None:
        names.bind_import_from(node, scope)

    def entered(self, value: Value) -> Value:
        """What `with value as name` binds: the `__enter__` result, unknown unless a subclass knows."""
        return UNKNOWN

    def define_class(self, node: ast.ClassDef, frame: Frame) -> ClassValue:
        bases = [self.eval(base, frame) for base in node.bases]
        cls = ClassValue(definition=node, is_model=self.is_model_class(bases), bases=bases,
                         is_layer=self.is_layer_class(bases))
        for statement in node.body:
            if isinstance(statement, FUNCTION_DEFS):
                cls.methods[statement.name] = FunctionValue(definition=statement, scope=frame.scope, owner=cls)
        return cls

    def is_model_class(self, bases: list) -> bool:
        return any(isinstance(base, ClassValue) and base.is_model for base in bases)

    def is_layer_class(self, bases: list) -> bool:
        return any(isinstance(base, ClassValue) and base.is_layer for base in bases)

    # ------------------------------------------------------------ assignment

    def assign(self, target: ast.expr, value: Value, frame: Frame) -> None:
        if isinstance(target, ast.Name):
            frame.scope.vars[target.id] = value
        elif isinstance(target, (ast.Tuple, ast.List)):
            items = value.items if isinstance(value, Sequence) else None
            elements = target.elts
            for index, element in enumerate(elements):
                if isinstance(element, ast.Starred):
                    self.assign(element.value, UNKNOWN, frame)
                    continue
                item = items[index] if items is not None and index < len(items) and len(items) == len(elements) else UNKNOWN
                self.assign(element, item, frame)
        elif isinstance(target, ast.Subscript):
            container = self.eval(target.value, frame)
            if isinstance(container, (Sequence, Mapping)):
                container.complete = False
        elif isinstance(target, ast.Attribute):
            owner = self.eval(target.value, frame)
            self.set_attribute(owner, target.attr, value)

    def set_attribute(self, owner: Value, attr: str, value: Value) -> None:
        if isinstance(owner, InstanceValue):
            owner.attrs[attr] = value

    # ------------------------------------------------------------ expressions

    def eval(self, node: Optional[ast.expr], frame: Frame) -> Value:
        if node is None:
            return UNKNOWN
        if isinstance(node, ast.Name):
            return self.lookup(node.id, frame)
        if isinstance(node, ast.Attribute):
            return self.eval_attribute(node, frame)
        if isinstance(node, ast.Call):
            return self.eval_call(node, frame)
        if isinstance(node, ast.Constant):
            return literal_constant(node)
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            items = []
            for element in node.elts:
                if isinstance(element, ast.Starred):
                    starred = self.eval(element.value, frame)
                    if isinstance(starred, Sequence):
                        items.extend(starred.items)
                        continue
                    return UNKNOWN
                items.append(self.eval(element, frame))
            return Sequence(items, node)
        if isinstance(node, ast.Dict):
            pairs = []
            for key, value in zip(node.keys, node.values):
                if key is None:  # {**other}
                    return UNKNOWN
                pairs.append((self.eval(key, frame), self.eval(value, frame)))
            return Mapping(pairs, node)
        if isinstance(node, ast.BinOp):
            return self.binary(node.op, self.eval(node.left, frame), self.eval(node.right, frame), node)
        if isinstance(node, ast.UnaryOp):
            operand = self.eval(node.operand, frame)
            if isinstance(node.op, ast.USub) and isinstance(operand, Const) and isinstance(operand.value, (int, float)):
                return Const(-operand.value, node)
            if isinstance(node.op, ast.Not) and known_truth(operand) is not None:
                return Const(not known_truth(operand))
            return UNKNOWN
        if isinstance(node, ast.Compare):
            return self.compare(node, frame)
        if isinstance(node, ast.Subscript):
            return self.eval_subscript(node, frame)
        if isinstance(node, ast.IfExp):
            # A known condition picks its branch; otherwise only a value both branches agree on is known.
            taken = known_truth(self.eval(node.test, frame))
            if taken is not None:
                return self.eval(node.body if taken else node.orelse, frame)
            body = self.eval(node.body, frame)
            orelse = self.eval(node.orelse, frame)
            if isinstance(body, Const) and isinstance(orelse, Const) and body.value == orelse.value:
                return body
            return body if body is orelse else UNKNOWN
        if isinstance(node, ast.NamedExpr):
            value = self.eval(node.value, frame)
            self.assign(node.target, value, frame)
            return value
        if isinstance(node, ast.Await):
            return self.eval(node.value, frame)
        return UNKNOWN  # comprehensions, lambdas, f-strings, comparisons...

    def compare(self, node: ast.Compare, frame: Frame) -> Value:
        """`units == 1`, `n > 2`, `x is None` of known constants (a factory called with known arguments)."""
        left = self.eval(node.left, frame)
        if len(node.ops) != 1:
            return UNKNOWN
        return self.compare_values(node.ops[0], left, self.eval(node.comparators[0], frame))

    def compare_values(self, op: ast.cmpop, left: Value, right: Value) -> Value:
        if isinstance(op, (ast.In, ast.NotIn)):
            return _membership(op, left, right)
        if not (isinstance(left, Const) and isinstance(right, Const)):
            return UNKNOWN
        a, b = left.value, right.value
        try:
            if isinstance(op, (ast.Is, ast.IsNot)):
                if not (a is None or b is None or isinstance(a, bool) or isinstance(b, bool)):
                    return UNKNOWN
                result = (a is b) if isinstance(op, ast.Is) else (a is not b)
            elif isinstance(op, ast.Eq):
                result = a == b
            elif isinstance(op, ast.NotEq):
                result = a != b
            elif isinstance(op, (ast.Lt, ast.LtE, ast.Gt, ast.GtE)) and type(a) in (int, float) and type(b) in (int, float):
                result = {ast.Lt: a < b, ast.LtE: a <= b, ast.Gt: a > b, ast.GtE: a >= b}[type(op)]
            else:
                return UNKNOWN
        except TypeError:
            return UNKNOWN
        return Const(result)

    def lookup(self, name: str, frame: Frame) -> Value:
        return names.lookup(name, frame.scope)

    def eval_attribute(self, node: ast.Attribute, frame: Frame) -> Value:
        return self.attribute(self.eval(node.value, frame), node.attr, node)

    def attribute(self, owner: Value, attr: str, node) -> Value:
        if isinstance(owner, Ref):
            return Ref(f"{owner.qualified}.{attr}", node, owner.snippet)
        if isinstance(owner, InstanceValue):
            if attr in owner.attrs:
                return owner.attrs[attr]
            method = owner.cls.find_method(attr) if owner.cls is not None else None
            if method is not None:
                return BoundMethod(method, owner)
        return UNKNOWN

    def eval_subscript(self, node: ast.Subscript, frame: Frame) -> Value:
        container = self.eval(node.value, frame)
        if isinstance(node.slice, (ast.Slice, ast.Tuple)):
            return UNKNOWN
        index = self.eval(node.slice, frame)
        if not isinstance(index, Const):
            return UNKNOWN
        if isinstance(container, Sequence) and isinstance(index.value, int):
            try:
                return container.items[index.value]
            except IndexError:
                return UNKNOWN
        if isinstance(container, Mapping):
            for key, value in container.items:
                if isinstance(key, Const) and key.value == index.value:
                    return value
        return UNKNOWN

    def binary(self, operator: ast.operator, left: Value, right: Value, node) -> Value:
        if isinstance(operator, ast.Mult) and isinstance(left, Sequence) != isinstance(right, Sequence):
            # [loss] * 2: a list repeated a known number of times
            sequence, count = (left, right) if isinstance(left, Sequence) else (right, left)
            if isinstance(count, Const) and type(count.value) is int and 0 <= count.value <= 64 and sequence.complete:
                return Sequence(sequence.items * count.value, node)
            return UNKNOWN
        if isinstance(operator, ast.Add) and isinstance(left, Sequence) and isinstance(right, Sequence):
            # `items += [...]` may sit in a loop, which runs once here: its contents are then not all known.
            complete = left.complete and right.complete and not isinstance(node, ast.AugAssign)
            return Sequence(left.items + right.items, node, complete=complete)
        if not (isinstance(left, Const) and isinstance(right, Const)):
            return UNKNOWN
        a, b = left.value, right.value
        if not (isinstance(a, (int, float)) and isinstance(b, (int, float))) or isinstance(a, bool) or isinstance(b, bool):
            if isinstance(operator, ast.Add) and isinstance(a, str) and isinstance(b, str):
                return Const(a + b, node)
            return UNKNOWN
        try:
            if isinstance(operator, ast.Add):
                result = a + b
            elif isinstance(operator, ast.Sub):
                result = a - b
            elif isinstance(operator, ast.Mult):
                result = a * b
            elif isinstance(operator, ast.FloorDiv):
                result = a // b
            elif isinstance(operator, ast.Div):
                result = a / b
            elif isinstance(operator, ast.Mod):
                result = a % b
            elif isinstance(operator, ast.Pow) and abs(b) < 64:
                result = a ** b
            else:
                return UNKNOWN
        except (ZeroDivisionError, OverflowError):
            return UNKNOWN
        return Const(result, node)

    # ------------------------------------------------------------ calls

    def eval_call(self, node: ast.Call, frame: Frame) -> Value:
        if isinstance(node.func, ast.Attribute):
            method = node.func.attr
            handled = self.method_call(node, node.func.value, method, frame)
            if handled is not NOT_HANDLED:
                return handled
            receiver = self.eval(node.func.value, frame)
            handled = self.method_of_value(receiver, method, node, frame)
            if handled is not NOT_HANDLED:
                return handled
            if isinstance(receiver, (Sequence, Mapping)) and method in _MUTATING_METHODS:
                # Loop bodies run once here, so the new contents are not known.
                receiver.complete = False
                return UNKNOWN
            func = self.attribute(receiver, method, node.func)
        else:
            func = self.eval(node.func, frame)
        args, kwargs = self.eval_arguments(node, frame)
        return self.call(func, args, kwargs, node, frame)

    def eval_arguments(self, node: ast.Call, frame: Frame) -> tuple:
        """(positional values, {keyword: value}); `*seq` and `**mapping` of values the program builds are spread."""
        args = []
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                spread = self.eval(arg.value, frame)
                if isinstance(spread, Sequence) and spread.complete:
                    args.extend(spread.items)
                    continue
                break  # the positions after an unknown spread are not known
            args.append(self.eval(arg, frame))
        kwargs = {}
        for keyword in node.keywords:
            if keyword.arg is not None:
                kwargs[keyword.arg] = self.eval(keyword.value, frame)
                continue
            spread = self.eval(keyword.value, frame)
            if isinstance(spread, Mapping):
                for key, value in spread.items:
                    if isinstance(key, Const) and isinstance(key.value, str):
                        kwargs.setdefault(key.value, value)
        return args, kwargs

    def method_call(self, node: ast.Call, receiver_node: ast.expr, method: str, frame: Frame):
        """A subclass's chance to handle `receiver.method(...)` before the receiver is evaluated."""
        return NOT_HANDLED

    def method_of_value(self, receiver: Value, method: str, node: ast.Call, frame: Frame):
        """A subclass's chance to handle a method of a value it models (`model.add(...)`)."""
        return NOT_HANDLED

    def call(self, func: Value, args: list, kwargs: dict, node: ast.Call, frame: Frame) -> Value:
        if isinstance(func, Ref):
            return self.call_ref(func.qualified, args, kwargs, node)
        if not isinstance(func, (BoundMethod, FunctionValue, ClassValue)):
            return self.call_other(func, args, kwargs, node)
        self.call_sites.append(node)
        try:
            if isinstance(func, BoundMethod):
                return self.call_function(func.function, args, kwargs, self_value=func.owner)
            if isinstance(func, FunctionValue):
                return self.call_function(func, args, kwargs, self_value=None)
            return self.instantiate(func, args, kwargs, node)
        finally:
            self.call_sites.pop()

    def call_ref(self, qualified: str, args: list, kwargs: dict, node: ast.Call) -> Value:
        """A call of something the program imports (or a builtin)."""
        if qualified == "builtins.len" and args and isinstance(args[0], (Sequence, Mapping)) and args[0].complete:
            return Const(len(args[0].items), node)
        if qualified in ("builtins.int", "builtins.round") and args and isinstance(args[0], Const) \
                and isinstance(args[0].value, (int, float)):
            return Const(int(args[0].value), node)
        return UNKNOWN

    def call_other(self, func: Value, args: list, kwargs: dict, node: ast.Call) -> Value:
        """A call of a value only a subclass models (a layer applied to a tensor)."""
        return UNKNOWN

    def instantiate(self, cls: ClassValue, args, kwargs, node) -> Value:
        instance = self.new_instance(cls, node)
        init = cls.find_method("__init__")
        if init is not None:
            self.call_function(init, args, kwargs, self_value=instance)
        return instance

    def new_instance(self, cls: ClassValue, node) -> Value:
        return InstanceValue(cls=cls, node=node)

    def call_function(self, function: FunctionValue, args, kwargs, self_value, use_defaults: bool = False) -> Value:
        if len(self.call_stack) >= MAX_CALL_DEPTH or function.definition in self.call_stack:
            return UNKNOWN
        scope = Scope(parent=function.scope)
        params = function.definition.args
        positional = list(params.posonlyargs) + list(params.args)
        # defaults belong to the last positional parameters
        defaults = dict(zip((param.arg for param in positional[len(positional) - len(params.defaults):]),
                            params.defaults))
        values = list(args)
        if not use_defaults:
            self.called.add(id(function.definition))
        if function.owner is not None and positional and not _is_static(function.definition):
            first = positional.pop(0)
            scope.vars[first.arg] = self_value if self_value is not None else UNKNOWN

        def missing(param) -> Value:
            # Analysed on its own, a parameter's value comes from callers the analysis has not seen.
            return Opaque("parameter", param_of=(param.arg, function)) if use_defaults else UNKNOWN

        def passed(param, value) -> Value:
            # An unknown argument: what is unknown is then the parameter's value (a why says which).
            return Opaque("parameter", param_of=(param.arg, function)) if value is UNKNOWN else value

        for index, param in enumerate(positional):
            if index < len(values):
                scope.vars[param.arg] = passed(param, values[index])
            elif param.arg in kwargs:
                scope.vars[param.arg] = passed(param, kwargs[param.arg])
            elif param.arg in defaults:
                scope.vars[param.arg] = self.eval(defaults[param.arg], Frame(function.scope))
            else:
                scope.vars[param.arg] = missing(param)
        for param, default in zip(params.kwonlyargs, params.kw_defaults):
            if param.arg in kwargs:
                scope.vars[param.arg] = passed(param, kwargs[param.arg])
            elif default is not None:
                scope.vars[param.arg] = self.eval(default, Frame(function.scope))
            else:
                scope.vars[param.arg] = missing(param)
        named = {param.arg for param in (*positional, *params.kwonlyargs)}
        if params.vararg is not None:
            scope.vars[params.vararg.arg] = Sequence(values[len(positional):], complete=not use_defaults)
        if params.kwarg is not None:
            scope.vars[params.kwarg.arg] = Mapping([(Const(key), value) for key, value in kwargs.items()
                                                    if key not in named], complete=not use_defaults)
        self.bind_parameters(function, self_value, scope, positional)
        frame = Frame(scope, function)
        self.call_stack.append(function.definition)
        try:
            self.exec_body(function.definition.body, frame)
        finally:
            self.call_stack.pop()
        # Nested functions and classes defined in this body are analysed on their own too.
        for value in list(scope.vars.values()):
            if isinstance(value, FunctionValue) and value.scope is scope:
                self._analyse_standalone(value, self_value=None)
        returned = [value for value in frame.returns if not (isinstance(value, Const) and value.value is None)]
        known = [value for value in returned if not is_unknown(value)]
        if known and isinstance(known[-1], Const):
            # A constant is the result only when every return agrees on it: `return distance` in one branch and
            # `return table[distance]` in another is not the string `distance` holds.
            if len(known) == len(returned) and all(isinstance(v, Const) and v.value == known[-1].value for v in known):
                return known[-1]
            return UNKNOWN
        if known:
            return known[-1]
        # Nothing known: an unknown that says why is still worth more than UNKNOWN.
        reasons = [value for value in frame.returns if isinstance(value, Opaque)]
        return reasons[-1] if reasons else UNKNOWN

    def bind_parameters(self, function: FunctionValue, self_value, scope: Scope, positional: list) -> None:
        """A subclass's chance to give parameters the call did not pass a meaning (a model's inputs)."""

    # ------------------------------------------------------------ positions

    def span_of(self, node: Optional[ast.AST]) -> Span:
        return self.spans.span(node) if node is not None else NO_SPAN

    def line_of(self, node: Optional[ast.AST]) -> Optional[int]:
        return getattr(node, "lineno", None)

    def source_of(self, node: ast.AST) -> str:
        """The node's text on one line, at most 80 characters; '?' when there is none."""
        text = self.spans.source(node)
        if text is None:
            return "?"
        return " ".join(text.split())[:80]


_SIMPLE_CONSTANTS = (bool, int, float, str, type(None))


def _membership(op: ast.cmpop, left: Value, right: Value) -> Value:
    """`method in ["ip", "dot"]` of a known constant and a literal list or tuple of constants, all of whose items are
    known (none appended elsewhere); anything else is unknown."""
    if not (isinstance(left, Const) and isinstance(left.value, _SIMPLE_CONSTANTS) and isinstance(right, Sequence)
            and right.complete and all(isinstance(item, Const) and isinstance(item.value, _SIMPLE_CONSTANTS)
                                       for item in right.items)):
        return UNKNOWN
    found = left.value in [item.value for item in right.items]
    return Const(found if isinstance(op, ast.In) else not found)


def known_truth(value: Value):
    """True/False for a literal condition (`if from_logits:` with the default False), None when not known."""
    if isinstance(value, Const) and isinstance(value.value, (bool, int, float, str, type(None))):
        return bool(value.value)
    return None


def _is_static(node: ast.FunctionDef) -> bool:
    return any(dotted(decorator) == "staticmethod" for decorator in node.decorator_list)
