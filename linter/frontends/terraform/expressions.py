"""Evaluation of one HCL expression tree (``linter.frontends.terraform.hcl_ast``) to a value.

The evaluator knows the expression language (templates, operators, conditionals, for
expressions, splats, indexing, function calls with ``try``/``can``); what a root name such as
``var``, ``local``, ``module`` or ``aws_instance`` means is the ``Resolver``'s business (the module
instance in ``linter.frontends.terraform.module``). Names bound by the surrounding construct
(``each``, ``count``, for-expression variables, dynamic-block iterators, template variables) live
in the ``Context``'s bindings.

Resources and module calls are ``LazyObject``s: their attributes are evaluated only when a
traversal reaches them, and every access is written to the ``Trace`` of the evaluation, which
is how the caller learns which resources an attribute refers to (graph edges) and which
variable defaults, tfvars lines or module arguments supplied its value (origins).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping
from typing import Protocol

from linter.frontends.budget import BudgetExceeded, Meter, meter
from linter.frontends.terraform import functions as tf_functions
from linter.frontends.terraform.functions import FunctionEnv, UnknownResult
from linter.frontends.terraform.hcl_ast import (
    BinaryOp,
    Conditional,
    Expr,
    ForExpr,
    FunctionCall,
    GetAttr,
    Invalid,
    Literal,
    ObjectExpr,
    Relative,
    Splat,
    Step,
    Template,
    TemplateFor,
    TemplateIf,
    TemplatePart,
    Traversal,
    TupleExpr,
    UnaryOp,
)
from linter.frontends.terraform.values import (
    EvalError,
    PartialObject,
    Value,
    derive_unknown,
    is_number,
    iter_unknowns,
    normalize_number,
    template_string,
    tf_equal,
    to_bool,
    to_number,
    to_string,
    type_name,
)
from linter.model import Span, Unknown


class Trace:
    """What one evaluation touched: resource references and the origins of input values."""

    __slots__ = ("nodes", "origins", "reads", "refs")

    def __init__(self) -> None:
        self.refs: dict[tuple[str, str], Span | None] = {}  # (instance address, attribute)
        self.nodes: dict[str, tuple[str, Span | None]] = {}  # resource / module call address
        self.origins: dict[Span, None] = {}  # an ordered set: spans in the order first met
        # how many resource/module reads happened: Lazy objects only come from those, so an
        # evaluation during which it did not change needs no materializing
        self.reads = 0

    def add_ref(self, address: str, attribute: str, span: Span | None) -> None:
        self.reads += 1
        self.refs.setdefault((address, attribute), span)

    def add_node(self, address: str, attribute: str, span: Span | None) -> None:
        """A reference to a (possibly multi-instance) resource or module call as a whole."""
        self.reads += 1
        self.nodes.setdefault(address, (attribute, span))

    def add_origins(self, spans: Iterable[Span]) -> None:
        self.origins.update(dict.fromkeys(spans))

    def merge(self, other: Trace) -> None:
        self.reads += other.reads
        for key, span in other.refs.items():
            self.refs.setdefault(key, span)
        for address, node in other.nodes.items():
            self.nodes.setdefault(address, node)
        self.add_origins(other.origins)


class LazyObject:
    """An object whose attributes are computed on access (a resource or module instance)."""

    address: str = ""

    def get_attr(self, name: str, ctx: Context, span: Span | None) -> Value:
        raise NotImplementedError

    def materialize(self, ctx: Context) -> Value:
        raise NotImplementedError


class Resolver(Protocol):
    """Resolves the root names of traversals for one module instance."""

    def resolve(self, traversal: Traversal, ctx: Context) -> tuple[Value, int]:
        """The value named by the root (and the first steps it consumed), or EvalError."""
        ...

    def functions(self, span: Span) -> FunctionEnv:
        """The file-system environment of function calls (``span``: the call, for notes)."""
        ...


class Context:
    """Where an expression is evaluated: the resolver of root names, the names bound by the
    surrounding construct, and the trace that records what the evaluation touched."""

    __slots__ = ("bindings", "resolver", "trace")

    def __init__(self, resolver: Resolver, bindings: Mapping[str, Value] | None = None,
                 trace: Trace | None = None) -> None:
        self.resolver = resolver
        self.bindings: Mapping[str, Value] = bindings if bindings is not None else {}
        self.trace = trace if trace is not None else Trace()

    def bind(self, names: Mapping[str, Value]) -> Context:
        return Context(self.resolver, {**self.bindings, **names}, self.trace)

    def with_trace(self, trace: Trace) -> Context:
        return Context(self.resolver, self.bindings, trace)


# ---------------------------------------------------------------- entry points


def evaluate(expr: Expr, ctx: Context) -> Value:
    """The value of ``expr`` with no Lazy objects left; an error (or a value past a budget of
    ``linter.frontends.budget``) becomes an Unknown."""
    reads = ctx.trace.reads
    try:
        value = evaluate_raw(expr, ctx)
        return value if ctx.trace.reads == reads else materialize(value, ctx)
    except EvalError as exc:
        return Unknown(expression=expr.text, reason=f"error: {exc}", span=expr.span)
    except RecursionError:
        return Unknown(expression=expr.text, reason="expression nests too deeply", span=expr.span)
    except BudgetExceeded as exc:
        return Unknown(expr.text, meter().record(exc, expr.span), expr.span)


def evaluate_lazy(expr: Expr, ctx: Context) -> Value:
    """Like ``evaluate`` but keeps Lazy objects (for locals and outputs read by traversals)."""
    try:
        return evaluate_raw(expr, ctx)
    except EvalError as exc:
        return Unknown(expression=expr.text, reason=f"error: {exc}", span=expr.span)
    except RecursionError:
        return Unknown(expression=expr.text, reason="expression nests too deeply", span=expr.span)
    except BudgetExceeded as exc:
        return Unknown(expr.text, meter().record(exc, expr.span), expr.span)


def evaluate_raw(expr: Expr, ctx: Context) -> Value:
    """The value of ``expr``; may hold Lazy objects; raises ``EvalError`` (and
    ``BudgetExceeded``, which ``try()`` and ``can()`` do not catch)."""
    meter().tick()
    if isinstance(expr, Literal):
        return expr.value
    if isinstance(expr, Template):
        return _template(expr, ctx)
    if isinstance(expr, Traversal):
        return _traversal(expr, ctx)
    if isinstance(expr, Relative):
        return apply_steps(evaluate_raw(expr.source, ctx), expr.steps, ctx, expr)
    if isinstance(expr, FunctionCall):
        return _function_call(expr, ctx)
    if isinstance(expr, Conditional):
        return _conditional(expr, ctx)
    if isinstance(expr, BinaryOp):
        return _binary(expr, ctx)
    if isinstance(expr, UnaryOp):
        return _unary(expr, ctx)
    if isinstance(expr, TupleExpr):
        return [evaluate_raw(item, ctx) for item in expr.items]
    if isinstance(expr, ObjectExpr):
        return _object(expr, ctx)
    if isinstance(expr, ForExpr):
        return _for(expr, ctx)
    if isinstance(expr, Invalid):
        return Unknown(expression=expr.text, reason="expression does not parse", span=expr.span)
    raise EvalError(f"unsupported expression {type(expr).__name__}")


def materialize(value: Value, ctx: Context) -> Value:
    """``value`` with every Lazy object replaced by its plain form."""
    if isinstance(value, LazyObject):
        return materialize(value.materialize(ctx), ctx)
    if isinstance(value, list):
        if any(isinstance(v, (LazyObject, list, dict)) for v in value):
            return [materialize(v, ctx) for v in value]
        return value
    if isinstance(value, dict):
        if any(isinstance(v, (LazyObject, list, dict)) for v in value.values()):
            items = {k: materialize(v, ctx) for k, v in value.items()}
            if isinstance(value, PartialObject):
                return PartialObject(items, value.address)
            return items
        return value
    return value


def _value(expr: Expr, ctx: Context) -> Value:
    reads = ctx.trace.reads
    value = evaluate_raw(expr, ctx)
    return value if ctx.trace.reads == reads else materialize(value, ctx)


def _unknowns(value: Value) -> list[Unknown]:
    return list(iter_unknowns(value))


# ---------------------------------------------------------------- templates


def _template(expr: Template, ctx: Context) -> Value:
    parts = expr.parts
    if len(parts) == 1 and not isinstance(parts[0], (str, TemplateIf, TemplateFor)):
        return evaluate_raw(parts[0], ctx)
    causes: list[Unknown] = []
    current = meter()
    text = _render_parts(parts, ctx, causes, _Length(current))
    if causes:
        return derive_unknown(expr.text, expr.span, causes)
    current.produced(len(text))
    return text


class _Length:
    """The running length of a rendered template, held to the string budget as it grows."""

    __slots__ = ("meter", "total")

    def __init__(self, current: Meter) -> None:
        self.meter = current
        self.total = 0

    def add(self, text: str) -> str:
        self.total += len(text)
        self.meter.string(self.total, "a template result")
        return text


def _render_parts(parts: tuple[TemplatePart, ...], ctx: Context, causes: list[Unknown],
                  length: _Length) -> str:
    out: list[str] = []
    for part in parts:
        if isinstance(part, str):
            out.append(length.add(part))
        elif isinstance(part, TemplateIf):
            condition = _value(part.condition, ctx)
            if isinstance(condition, Unknown):
                causes.append(condition)
                continue
            flag = to_bool(condition)
            if flag is None:
                raise EvalError("the condition of a template %{if} is null")
            branch = part.then if flag else part.otherwise
            if branch is not None:
                out.append(_render_parts(branch.parts, ctx, causes, length))
        elif isinstance(part, TemplateFor):
            collection = _value(part.collection, ctx)
            if isinstance(collection, Unknown):
                causes.append(collection)
                continue
            for key, item in _iterate(collection):
                names = {part.value_var: item}
                if part.key_var:
                    names[part.key_var] = key
                out.append(_render_parts(part.body.parts, ctx.bind(names), causes, length))
        else:
            value = _value(part, ctx)
            unknowns = _unknowns(value)
            if unknowns:
                causes.extend(unknowns)
                continue
            out.append(length.add(template_string(value)))
    return "".join(out)


# ---------------------------------------------------------------- traversals


def _traversal(expr: Traversal, ctx: Context) -> Value:
    if expr.root in ctx.bindings:
        value, consumed = ctx.bindings[expr.root], 0
    else:
        value, consumed = ctx.resolver.resolve(expr, ctx)
    return apply_steps(value, expr.steps[consumed:], ctx, expr)


def apply_steps(value: Value, steps: tuple[Step, ...], ctx: Context,
                expr: Traversal | Relative) -> Value:
    for position, step in enumerate(steps):
        if isinstance(value, Unknown):
            return value
        if isinstance(step, Splat):
            return _splat(value, step, steps[position + 1:], ctx, expr)
        if isinstance(step, GetAttr):
            value = get_attribute(value, step.name, ctx, expr.span)
        else:
            key = _value(step.key, ctx)
            if isinstance(key, Unknown):
                return derive_unknown(expr.text, expr.span, [key])
            value = get_index(value, key, ctx, expr.span)
    return value


def get_attribute(value: Value, name: str, ctx: Context, span: Span | None) -> Value:
    if isinstance(value, LazyObject):
        return value.get_attr(name, ctx, span)
    if isinstance(value, dict):
        if name in value:
            return value[name]
        if isinstance(value, PartialObject):
            return value.missing(name, span)
        raise EvalError(f"this object does not have an attribute named {name!r}")
    if value is None:
        raise EvalError(f"attempt to get attribute {name!r} from a null value")
    raise EvalError(f"cannot get attribute {name!r} of a {type_name(value)}")


def get_index(value: Value, key: Value, ctx: Context, span: Span | None) -> Value:
    if isinstance(value, list):
        number = to_number(key)
        if not is_number(number) or (isinstance(number, float) and not number.is_integer()):
            raise EvalError(f"a list index must be a whole number, got {key!r}")
        index = int(number)
        if not 0 <= index < len(value):
            raise EvalError(f"index {index} is out of range for a list of {len(value)}")
        return value[index]
    if isinstance(value, (dict, LazyObject)):
        name = to_string(key)
        if not isinstance(name, str):
            raise EvalError("a map key must not be null")
        if isinstance(value, LazyObject):
            return value.get_attr(name, ctx, span)
        if name in value:
            return value[name]
        if isinstance(value, PartialObject):
            return value.missing(name, span)
        raise EvalError(f"the map has no element for key {name!r}")
    if value is None:
        raise EvalError("attempt to index a null value")
    raise EvalError(f"cannot index a {type_name(value)}")


def _splat(value: Value, step: Splat, rest: tuple[Step, ...], ctx: Context,
           expr: Traversal | Relative) -> Value:
    if value is None:
        items: list[Value] = []
    elif isinstance(value, list):
        items = value
    else:
        items = [value]
    if step.full:
        return [apply_steps(item, rest, ctx, expr) for item in items]
    cut = 0
    while cut < len(rest) and isinstance(rest[cut], GetAttr):
        cut += 1
    mapped = [apply_steps(item, rest[:cut], ctx, expr) for item in items]
    return apply_steps(mapped, rest[cut:], ctx, expr)


# ---------------------------------------------------------------- function calls


def _function_call(expr: FunctionCall, ctx: Context) -> Value:
    name = expr.name
    if name == "try":
        return _try(expr, ctx)
    if name == "can":
        return _can(expr, ctx)
    try:
        args = [_value(arg, ctx) for arg in expr.args]
    except EvalError as exc:
        if name in _ENCODERS and len(expr.args) == 1 and not expr.expand_final and isinstance(
                expr.args[0], (ObjectExpr, TupleExpr)):
            return _partly_broken_document(expr, ctx, exc)
        raise
    if expr.expand_final and args:
        last = args.pop()
        if isinstance(last, Unknown):
            return derive_unknown(expr.text, expr.span, [last])
        if not isinstance(last, list):
            raise EvalError(f"{name}(...): the expanded argument must be a list")
        args.extend(last)
    if "::" in name:
        return Unknown(expr.text, f"provider function {name}() is not evaluated by iaclint",
                       expr.span)
    if name in tf_functions.NOT_KNOWN_BEFORE_APPLY:
        return Unknown(expr.text, f"{name}() is not known before apply", expr.span)
    env = ctx.resolver.functions(expr.span)
    try:
        result = tf_functions.call(name, args, env)
        read = env.file_read() if name in ("file", "templatefile") else None
        if read is not None and isinstance(result, str):
            # the text was written in that file: its lines are where its parts come from
            lines = result.count("\n") + (0 if result.endswith("\n") else 1)
            ctx.trace.add_origins([Span(read, 1, 1, max(lines, 1))])
        return result
    except KeyError:
        return Unknown(expr.text, f"function {name}() is not supported by iaclint", expr.span)
    except UnknownResult as unknown:
        result = derive_unknown(expr.text, expr.span, unknown.causes)
        if name in ("jsonencode", "yamlencode") and len(args) == 1 and isinstance(
                args[0], (dict, list)):
            # the document is partly known: keep its structure for rules that can judge it
            result = Unknown(result.expression, result.reason, result.span, result.refs,
                             partial=args[0])
        return result


_ENCODERS = ("jsonencode", "yamlencode")


def _partly_broken_document(expr: FunctionCall, ctx: Context, error: EvalError) -> Unknown:
    """``jsonencode({...})`` whose structure holds a leaf that cannot be evaluated (an
    undeclared variable, a bad index): the document is Unknown, but the rest of its structure
    is kept (``Unknown.partial``, that leaf Unknown) so rules judge what is written."""
    partial = _tolerant(expr.args[0], ctx)
    refs = tuple(dict.fromkeys(ref for u in _unknowns(partial) for ref in u.refs))
    return Unknown(expr.text, f"error: {error}", expr.span, refs, partial=partial)


def _tolerant(expr: Expr, ctx: Context) -> Value:
    """The value of an object/tuple constructor in which a failing leaf becomes an Unknown."""
    if isinstance(expr, TupleExpr):
        return [_tolerant(item, ctx) for item in expr.items]
    if isinstance(expr, ObjectExpr):
        out: dict[str, Value] = {}
        for item in expr.items:
            try:
                key = _object_key(item.key, ctx)
            except EvalError as exc:
                return Unknown(expr.text, f"error: {exc}", expr.span)
            if isinstance(key, Unknown):
                return derive_unknown(expr.text, expr.span, [key])
            out[key] = _tolerant(item.value, ctx)
        return out
    try:
        return _value(expr, ctx)
    except EvalError as exc:
        return Unknown(expr.text, f"error: {exc}", expr.span)


def _try(expr: FunctionCall, ctx: Context) -> Value:
    errors: list[str] = []
    for arg in expr.args:
        try:
            value = _value(arg, ctx)
        except EvalError as exc:
            errors.append(str(exc))
            continue
        unknowns = _unknowns(value)
        if unknowns and not isinstance(value, Unknown):
            return derive_unknown(expr.text, expr.span, unknowns)
        return value
    raise EvalError("no argument of try() could be evaluated: " + "; ".join(errors))


def _can(expr: FunctionCall, ctx: Context) -> Value:
    if len(expr.args) != 1:
        raise EvalError("can() takes exactly one argument")
    try:
        value = _value(expr.args[0], ctx)
    except EvalError:
        return False
    unknowns = _unknowns(value)
    if unknowns:
        return derive_unknown(expr.text, expr.span, unknowns)
    return True


# ---------------------------------------------------------------- operators


def _conditional(expr: Conditional, ctx: Context) -> Value:
    condition = _value(expr.condition, ctx)
    if isinstance(condition, Unknown):
        # Both branches are judged: when they agree, the condition does not matter.
        try:
            then, otherwise = _value(expr.then, ctx), _value(expr.otherwise, ctx)
        except EvalError:
            return derive_unknown(expr.text, expr.span, [condition])
        if not _unknowns(then) and not _unknowns(otherwise) and tf_equal(then, otherwise):
            return then
        return derive_unknown(expr.text, expr.span, [condition])
    flag = to_bool(condition)
    if flag is None:
        raise EvalError("the condition of a conditional expression is null")
    return evaluate_raw(expr.then if flag else expr.otherwise, ctx)


def _binary(expr: BinaryOp, ctx: Context) -> Value:
    op = expr.op
    if op in ("&&", "||"):
        return _logical(expr, ctx)
    left, right = _value(expr.left, ctx), _value(expr.right, ctx)
    if op in ("==", "!=") and _null_against_container(left, right):
        # a map or list is not null even when its elements are unknown (cty: IsKnown is
        # shallow), so `var.groups != null` is known for a map of unknown values
        return (op == "!=")
    causes = _unknowns(left) + _unknowns(right)
    if causes:
        return derive_unknown(expr.text, expr.span, causes)
    if op == "==":
        return tf_equal(left, right)
    if op == "!=":
        return not tf_equal(left, right)
    a, b = to_number(left), to_number(right)
    if a is None or b is None:
        raise EvalError(f"a null value cannot be used with {op}")
    if op == "<":
        return bool(a < b)
    if op == "<=":
        return bool(a <= b)
    if op == ">":
        return bool(a > b)
    if op == ">=":
        return bool(a >= b)
    return _arithmetic(op, a, b)


def _null_against_container(left: Value, right: Value) -> bool:
    return (left is None and isinstance(right, (dict, list))) or (
        right is None and isinstance(left, (dict, list)))


_MAX_INTEGER_BITS = 1024  # far beyond any count or port; keeps big-integer work bounded


def _arithmetic(op: str, a: int | float, b: int | float) -> int | float:
    result = _arithmetic_raw(op, a, b)
    if isinstance(result, int) and result.bit_length() > _MAX_INTEGER_BITS:
        raise EvalError(f"the result of {op} is too large a number")
    return result


def _arithmetic_raw(op: str, a: int | float, b: int | float) -> int | float:
    if op == "+":
        return normalize_number(a + b)
    if op == "-":
        return normalize_number(a - b)
    if op == "*":
        return normalize_number(a * b)
    if op in ("/", "%") and b == 0:
        raise EvalError("division by zero")
    if op == "/":
        if isinstance(a, int) and isinstance(b, int) and a % b == 0:
            return a // b
        return normalize_number(a / b)
    if op == "%":
        if isinstance(a, int) and isinstance(b, int):
            return int(math.copysign(abs(a) % abs(b), a)) if a % b else 0
        return normalize_number(math.fmod(a, b))
    raise EvalError(f"unknown operator {op}")


def _logical(expr: BinaryOp, ctx: Context) -> Value:
    deciding = expr.op == "||"  # the value of the left operand that decides the result
    left = _bool_operand(expr.left, ctx)
    if left is deciding:
        return deciding
    right = _bool_operand(expr.right, ctx)
    if right is deciding:
        return deciding
    causes = [v for v in (left, right) if isinstance(v, Unknown)]
    if causes:
        return derive_unknown(expr.text, expr.span, causes)
    return right


def _bool_operand(expr: Expr, ctx: Context) -> Value:
    value = _value(expr, ctx)
    if isinstance(value, Unknown):
        return value
    flag = to_bool(value)
    if flag is None:
        raise EvalError("a null value cannot be used with a logical operator")
    return flag


def _unary(expr: UnaryOp, ctx: Context) -> Value:
    value = _value(expr.operand, ctx)
    if isinstance(value, Unknown):
        return derive_unknown(expr.text, expr.span, [value])
    if expr.op == "!":
        flag = to_bool(value)
        if flag is None:
            raise EvalError("a null value cannot be negated")
        return not flag
    number = to_number(value)
    if number is None:
        raise EvalError("a null value cannot be negated")
    return normalize_number(-number)


# ---------------------------------------------------------------- collections


def _object(expr: ObjectExpr, ctx: Context) -> Value:
    out: dict[str, Value] = {}
    for item in expr.items:
        key = _object_key(item.key, ctx)
        if isinstance(key, Unknown):
            return derive_unknown(expr.text, expr.span, [key])
        out[key] = evaluate_raw(item.value, ctx)
    return out


def _object_key(key: Expr, ctx: Context) -> Value:
    value = _value(key, ctx)
    if isinstance(value, Unknown):
        return value
    text = to_string(value)
    if not isinstance(text, str):
        raise EvalError("an object key must not be null")
    return text


def _iterate(collection: Value) -> Iterator[tuple[Value, Value]]:
    if isinstance(collection, list):
        yield from enumerate(collection)
    elif isinstance(collection, dict):
        for key in sorted(collection):
            yield key, collection[key]
    elif collection is None:
        raise EvalError("cannot iterate over a null value")
    else:
        raise EvalError(f"cannot iterate over a {type_name(collection)}")


def _for(expr: ForExpr, ctx: Context) -> Value:
    collection = evaluate_raw(expr.collection, ctx)
    if isinstance(collection, LazyObject):
        collection = materialize(collection, ctx)
    if isinstance(collection, Unknown):
        return derive_unknown(expr.text, expr.span, [collection])
    current = meter()
    size = len(collection) if isinstance(collection, (list, dict)) else 0
    with current.iterating(size, "nested for expressions"):
        return _for_items(expr, collection, ctx, current)


def _for_items(expr: ForExpr, collection: Value, ctx: Context, current: Meter) -> Value:
    items: list[Value] = []
    groups: dict[str, Value] = {}
    causes: list[Unknown] = []
    produced = 0  # elements produced, counting one level of nesting (a for in a for)
    for key, item in _iterate(collection):
        current.tick()
        names = {expr.value_var: item}
        if expr.key_var:
            names[expr.key_var] = key
        inner = ctx.bind(names)
        if expr.condition is not None:
            keep = _value(expr.condition, inner)
            if isinstance(keep, Unknown):
                causes.append(keep)
                continue
            flag = to_bool(keep)
            if flag is None:
                raise EvalError("the condition of a for expression is null")
            if not flag:
                continue
        if not expr.is_object:
            element = evaluate_raw(expr.value_expr, inner)
            produced += _weight(element)
            current.collection(produced, "a for expression's result")
            items.append(element)
            continue
        assert expr.key_expr is not None
        out_key = _value(expr.key_expr, inner)
        if isinstance(out_key, Unknown):
            causes.append(out_key)
            continue
        name = to_string(out_key)
        if not isinstance(name, str):
            raise EvalError("a for expression produced a null key")
        value = evaluate_raw(expr.value_expr, inner)
        produced += _weight(value)
        current.collection(produced, "a for expression's result")
        if expr.grouping:
            groups.setdefault(name, []).append(value)
        elif name in groups:
            raise EvalError(f"duplicate key {name!r} in a for expression (use ... to group)")
        else:
            groups[name] = value
    if causes:
        return derive_unknown(expr.text, expr.span, causes)
    return groups if expr.is_object else items


def _weight(value: Value) -> int:
    """One element, plus its own elements when it is a collection (nested fors multiply)."""
    if isinstance(value, (list, dict)):
        return 1 + len(value)
    return 1
