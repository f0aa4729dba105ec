"""Terraform evaluation: a module directory, evaluated as a root module the way ``terraform plan``
would, into ``Resource``s with values, spans, origins and reference edges.

* Inputs: variable defaults, then the sources of ``linter.frontends.terraform.inputs`` in
  Terraform's precedence, converted to the variable's ``type`` (``optional()`` defaults included).
* Everything is lazy and memoized: a local, variable, module output or another resource's
  attribute is evaluated when something refers to it. A cycle is an Unknown, never a crash.
* ``count`` / ``for_each`` expand resources and module calls into instances
  (``aws_instance.web[0]``, ``module.app["k"]``); zero instances make no Resource; an unknown
  count judges the resource once (``meta["count_unknown"]``) with an IAC0004 note; a map with
  known keys expands even when its values are unknown. The resources of a module instance whose
  call's count/for_each is unknown name it in ``meta["instances_unknown"]``.
* Local module sources are evaluated recursively; remote ones from
  ``.terraform/modules/modules.json`` when ``terraform init`` has run, else the module call is
  a ``module`` Resource (its evaluated arguments) plus an IAC0004 note naming the source.
* A reference to another resource's configured attribute resolves to its value; one that is not
  configured (or configured as null: the provider computes it) is Unknown carrying the
  reference (not known before apply). Every reference, known or not, is an edge.
"""

from __future__ import annotations

import json
import os
import pathlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import field

from linter.discover.read import config_span
from linter.frontends.budget import BudgetExceeded, Meter, meter, metering
from linter.frontends.terraform.body import (
    Collected,
    body_members,
    evaluate_body,
    evaluate_member,
    structure_spans,
)
from linter.frontends.terraform.config import ModuleConfig
from linter.frontends.terraform.expressions import (
    Context,
    LazyObject,
    Trace,
    evaluate,
    evaluate_lazy,
    materialize,
)
from linter.frontends.terraform.files import FileAccess, FunctionFiles
from linter.frontends.terraform.hcl import parse_hcl
from linter.frontends.terraform.hcl_ast import (
    Attribute,
    Block,
    Expr,
    GetAttr,
    Index,
    Literal,
    Traversal,
    TupleExpr,
)
from linter.frontends.terraform.inputs import Confinement, Inputs, collect_inputs
from linter.frontends.terraform.modules import (
    Manifest,
    is_local_source,
    join_dir,
    literal_attribute,
    literal_source,
    load_config_cached,
)
from linter.frontends.terraform.modules import (
    local_module_dirs as _local_module_dirs,
)
from linter.frontends.terraform.registry import Judgement, Unjudged, judge_call, recognise
from linter.frontends.terraform.type_constraints import ANY, TfType, convert, parse_type
from linter.frontends.terraform.values import (
    EvalError,
    PartialObject,
    Value,
    derive_unknown,
    iter_unknowns,
    to_number,
    with_ref,
)
from linter.model import Edge, Format, ParseResult, Path, Resource, Span, Unknown
from linter.options import ScanOptions
from linter.records import mutable

__all__ = ["evaluate_module", "local_module_dirs"]

# provisioner blocks stay in the attributes (their scripts can hold credentials); a
# connection block only says how to reach the host
RESOURCE_META = frozenset({"count", "for_each", "depends_on", "provider", "lifecycle",
                           "connection"})
MODULE_META = frozenset({"count", "for_each", "depends_on", "providers"})
_MAX_MODULE_DEPTH = 16

InstanceKey = int | str | None


def local_module_dirs(root: pathlib.Path, module_dir: str) -> list[str]:
    """Directories (root-relative, POSIX) that ``module_dir`` calls through local sources."""
    return _local_module_dirs(root, module_dir)


def evaluate_module(root: pathlib.Path, module_dir: str, options: ScanOptions) -> ParseResult:
    """Evaluate ``root/module_dir`` as a root module (see the module docstring)."""
    return Evaluation(root, module_dir, options).run()


def instance_address(base: str, key: InstanceKey) -> str:
    if key is None:
        return base
    if isinstance(key, int):
        return f"{base}[{key}]"
    return f"{base}[{json.dumps(key, ensure_ascii=False)}]"


# ---------------------------------------------------------------- the evaluation of one root


class Evaluation:
    def __init__(self, root: pathlib.Path, module_dir: str, options: ScanOptions) -> None:
        self.root = root
        self.root_dir = join_dir("", module_dir or ".") or "."
        self.options = options
        self.access = FileAccess(root, self.root_dir)
        self.result = ParseResult()
        self.manifest = Manifest.read(root, self.root_dir)
        self._configs: dict[str, ModuleConfig] = {}
        self.nodes: dict[str, Node] = {}  # base address → resource or module call node
        # id of a variable's type expression → (the expression, its type, why it is invalid)
        self._types: dict[int, tuple[Expr, TfType, str | None]] = {}

    # -- configuration

    def config(self, directory: str) -> ModuleConfig:
        config = self._configs.get(directory)
        if config is None:
            config, files, findings = load_config_cached(self.root, directory,
                                                         self.options.budgets)
            self.result.findings.extend(findings)
            for file in files:
                if file.path not in self.result.files:
                    self.result.files.append(file.path)
            self._configs[directory] = config
        return config

    def type_of(self, expr: Expr) -> tuple[TfType, str | None]:
        """The type a variable's ``type`` expression means (``ANY`` when it is invalid) and why
        it is invalid (None when it is not): parsed once per evaluation, where each instance of
        a module asked for every variable it reads (7,542 parses of 1,026 expressions on the
        five terraform-aws-modules repositories). The expression is constant (no references),
        so every instance gets the same answer."""
        found = self._types.get(id(expr))
        if found is None or found[0] is not expr:
            const = Context(ConstResolver(self.access))
            try:
                found = (expr, parse_type(expr, lambda e: evaluate(e, const)), None)
            except EvalError as exc:
                found = (expr, ANY, str(exc))
            self._types[id(expr)] = found
        return found[1], found[2]

    def note(self, message: str, span: Span) -> None:
        self.access.note(message, span)

    def path_module(self, directory: str) -> str:
        """``path.module``: the module's directory relative to the root module's."""
        if self.root_dir == ".":
            return directory
        if directory == self.root_dir:
            return "."
        if directory.startswith(self.root_dir + "/"):
            return directory[len(self.root_dir) + 1:]
        up = "/".join(".." for _ in self.root_dir.split("/"))
        return up if directory == "." else f"{up}/{directory}"

    # -- running

    def run(self) -> ParseResult:
        label = f"module {self.root_dir}" if self.root_dir != "." else "the root module"
        try:
            with metering(self.options.budgets, label) as meter:
                return self._run(meter)
        finally:
            self._release()

    def _release(self) -> None:
        """Break the evaluator's reference cycles (module instance ↔ node ↔ instance ↔ memo)
        once the resources are out, so that reference counting frees the evaluator and the
        syntax trees it holds at once, without waiting for a pass of the cyclic collector."""
        for node in self.nodes.values():
            module = node.module
            module.resources, module.calls = {}, {}
            module._memo.clear()
            node._expansion = None
        self.nodes.clear()

    def _run(self, meter: Meter) -> ParseResult:
        config = self.config(self.root_dir)
        first = Span(config.files[0].path, 1) if config.files else None
        home = os.path.dirname(self.options.config_file) if self.options.config_file else ""
        inputs = collect_inputs(self.root, self.root_dir, self.options.var_files,
                                self.options.variables,
                                os.environ if self.options.use_env_vars else None,
                                config.variables,
                                confinement=Confinement(home, self.options.config_paths),
                                max_bytes=self.options.budgets.file_bytes,
                                note_at=config_span(self.root, self.options.config_file) or first)
        self.result.findings.extend(inputs.findings)
        for file in inputs.files:
            if file not in self.result.files:
                self.result.files.append(file)
        if not config.files:
            return self.result
        assert first is not None
        module = ModuleInstance(self, config, prefix="", key="", inputs=RootInputs(inputs),
                                ancestors=(self.root_dir,))
        Emitter(self).emit(module)
        self.result.findings.extend(self.access.notes)
        self.result.findings.extend(meter.notes(first))
        for file in self.access.files_read:
            if file not in self.result.files:
                self.result.files.append(file)
        return self.result

    def instance_addresses(self, base: str) -> list[str]:
        node = self.nodes.get(base)
        if node is None:
            return [base]
        return [instance.address for instance in node.expansion().instances.values()]


# ---------------------------------------------------------------- inputs of a module instance


class ConstResolver:
    """Variable defaults and tfvars values: constants only (functions allowed)."""

    def __init__(self, access: FileAccess) -> None:
        self.access = access

    def resolve(self, traversal: Traversal, ctx: Context) -> tuple[Value, int]:
        raise EvalError(f"references are not allowed here ({traversal.text})")

    def functions(self, span: Span) -> FunctionFiles:
        return FunctionFiles(self.access, span)


class InputSource:
    def supply(self, name: str, var_type: TfType, module: ModuleInstance) -> (
            tuple[Value, Trace] | None):
        raise NotImplementedError


class RootInputs(InputSource):
    def __init__(self, inputs: Inputs) -> None:
        self.inputs = inputs

    def supply(self, name: str, var_type: TfType, module: ModuleInstance) -> (
            tuple[Value, Trace] | None):
        supplied = self.inputs.values.get(name)
        if supplied is None:
            return None
        trace = Trace()
        trace.add_origins(supplied.origins)
        const = Context(ConstResolver(module.evaluation.access))
        if supplied.raw is not None:
            if var_type.is_primitive or var_type.kind == "any":
                return supplied.raw, trace
            parsed = parse_hcl(supplied.source, f"v = {supplied.raw}\n".encode())
            attribute = parsed.body.attribute("v")
            if parsed.problems or attribute is None:
                return Unknown(f"var.{name}", f"the value given by {supplied.source} does not "
                               f"parse as a {var_type}"), trace
            return evaluate(attribute.expr, const), trace
        if supplied.is_literal:
            return supplied.literal, trace
        assert supplied.expr is not None
        return evaluate(supplied.expr, const), trace


class CallerInputs(InputSource):
    """The arguments of a module call, evaluated in the calling module (memoized)."""

    def __init__(self, caller: ModuleInstance, block: Block, bindings: Mapping[str, Value]):
        self.caller = caller
        self.block = block
        self.bindings = bindings
        self._cache: dict[str, tuple[Value, Trace]] = {}

    def argument(self, name: str) -> tuple[Value, Trace] | None:
        if name in self._cache:
            return self._cache[name]
        attribute = self.block.body.attribute(name)
        if attribute is None or name in MODULE_META or name in ("source", "version"):
            return None
        trace = Trace()
        trace.add_origins([attribute.span])
        value = evaluate_lazy(attribute.expr, self.caller.context(self.bindings, trace))
        self._cache[name] = (value, trace)
        return value, trace

    def supply(self, name: str, var_type: TfType, module: ModuleInstance) -> (
            tuple[Value, Trace] | None):
        return self.argument(name)


# ---------------------------------------------------------------- module instances


class ModuleInstance:
    """One instance of a module (the root, or ``module.app["k"]``): the Resolver of its names."""

    def __init__(self, evaluation: Evaluation, config: ModuleConfig, prefix: str, key: str,
                 inputs: InputSource, ancestors: tuple[str, ...],
                 collapsed: tuple[str, ...] = ()) -> None:
        self.evaluation = evaluation
        # module calls on the way here whose count/for_each is unknown: this one instance
        # stands for all of theirs
        self.collapsed = collapsed
        self.config = config
        self.prefix = prefix
        self.key = key  # the module path in modules.json ("app.db"), "" for the root
        self.inputs = inputs
        self.ancestors = ancestors
        self.path_module = evaluation.path_module(config.directory)
        self._memo: dict[str, tuple[Value, Trace]] = {}
        self._busy: set[str] = set()
        self._types: dict[str, TfType] = {}
        self.resources = {key_: ResourceNode(self, key_, kind, block)
                          for key_, (kind, block) in config.resources.items()}
        self.calls = {name: ModuleCallNode(self, name, block)
                      for name, block in config.module_calls.items()}

    def address(self, local: str) -> str:
        return f"{self.prefix}.{local}" if self.prefix else local

    def context(self, bindings: Mapping[str, Value] | None = None,
                trace: Trace | None = None) -> Context:
        return Context(self, bindings, trace)

    def functions(self, span: Span) -> FunctionFiles:
        return FunctionFiles(self.evaluation.access, span)

    # -- memoized named values

    def _memoized(self, key: str, span: Span | None,
                  compute: Callable[[], tuple[Value, Trace]]) -> tuple[Value, Trace]:
        found = self._memo.get(key)
        if found is not None:
            return found
        if key in self._busy:
            return Unknown(key, "refers to itself (a cycle)", span), Trace()
        self._busy.add(key)
        try:
            with meter().detached():
                result = compute()
        finally:
            self._busy.discard(key)
        self._memo[key] = result
        return result

    def variable(self, name: str) -> tuple[Value, Trace]:
        block = self.config.variables.get(name)
        if block is None:
            raise EvalError(f"there is no variable named {name!r}")
        return self._memoized(f"var.{name}", block.header, lambda: self._variable(name, block))

    def variable_type(self, name: str, block: Block) -> TfType:
        if name not in self._types:
            attribute = block.body.attribute("type")
            var_type = ANY
            if attribute is not None:
                var_type, problem = self.evaluation.type_of(attribute.expr)
                if problem is not None:
                    self.evaluation.note(f"variable {name!r}: {problem}", attribute.span)
            self._types[name] = var_type
        return self._types[name]

    def _variable(self, name: str, block: Block) -> tuple[Value, Trace]:
        var_type = self.variable_type(name, block)
        supplied = self.inputs.supply(name, var_type, self)
        trace = Trace()
        value: Value = None
        if supplied is not None:
            value, supplied_trace = supplied
            trace.merge(supplied_trace)
        nullable = block.body.attribute("nullable")
        non_nullable = (nullable is not None and isinstance(nullable.expr, Literal)
                        and nullable.expr.value is False)
        if supplied is None or (value is None and non_nullable):
            default = block.body.attribute("default")
            if default is not None:
                trace = Trace()
                trace.add_origins([default.span])
                value = evaluate(default.expr, Context(ConstResolver(self.evaluation.access)))
            elif supplied is None:
                where = f"var.{name}" if not self.prefix else f"{self.prefix} input {name!r}"
                value = Unknown(f"var.{name}", f"{where} has no value (no default"
                                + (", tfvars, --var or TF_VAR_" + name if not self.prefix
                                   else " and not set by the module call") + ")",
                                block.header)
        try:
            value = convert(value, var_type)
        except EvalError as exc:
            value = Unknown(f"var.{name}", f"invalid value for variable {name!r}: {exc}",
                            block.header)
        return value, trace

    def local(self, name: str) -> tuple[Value, Trace]:
        attribute = self.config.locals.get(name)
        if attribute is None:
            raise EvalError(f"there is no local value named {name!r}")

        def compute() -> tuple[Value, Trace]:
            trace = Trace()
            trace.add_origins([attribute.span])  # a value's chain runs through its locals
            return evaluate_lazy(attribute.expr, self.context(None, trace)), trace
        return self._memoized(f"local.{name}", attribute.span, compute)

    def output(self, name: str) -> tuple[Value, Trace]:
        block = self.config.outputs.get(name)
        if block is None:
            raise EvalError(f"module {self.prefix} has no output named {name!r}")
        attribute = block.body.attribute("value")

        def compute() -> tuple[Value, Trace]:
            trace = Trace()
            if attribute is None:
                return None, trace
            return evaluate_lazy(attribute.expr, self.context(None, trace)), trace
        return self._memoized(f"output.{name}", block.header, compute)

    # -- the Resolver protocol

    def resolve(self, traversal: Traversal, ctx: Context) -> tuple[Value, int]:
        root, steps = traversal.root, traversal.steps
        if root in ("var", "local"):
            name = _step_name(traversal, 0)
            value, trace = self.variable(name) if root == "var" else self.local(name)
            ctx.trace.merge(trace)
            return value, 1
        if root == "path":
            name = _step_name(traversal, 0)
            paths = {"module": self.path_module, "root": ".", "cwd": "."}
            if name not in paths:
                raise EvalError(f"unknown path attribute {name!r}")
            return paths[name], 1
        if root == "terraform":
            if _step_name(traversal, 0) == "workspace":
                return "default", 1
            raise EvalError(f"unknown attribute {traversal.text}")
        if root in ("count", "each", "self"):
            raise EvalError(f"{root!r} cannot be used here")
        if root == "module":
            name = _step_name(traversal, 0)
            call = self.calls.get(name)
            if call is None:
                raise EvalError(f"there is no module call named {name!r}")
            ctx.trace.add_node(call.address, _attribute_after(steps, 1), traversal.span)
            return call.reference_value(), 1
        if root == "data":
            key, consumed = f"data.{_step_name(traversal, 0)}.{_step_name(traversal, 1)}", 2
        else:
            key, consumed = f"{root}.{_step_name(traversal, 0)}", 1
        node = self.resources.get(key)
        if node is None:
            raise EvalError(f"reference to undeclared resource {key}")
        ctx.trace.add_node(node.address, _attribute_after(steps, consumed), traversal.span)
        return node.reference_value(), consumed


def _step_name(traversal: Traversal, index: int) -> str:
    if index < len(traversal.steps):
        step = traversal.steps[index]
        if isinstance(step, GetAttr):
            return step.name
        if isinstance(step, Index) and isinstance(step.key, Literal) and isinstance(
                step.key.value, str):
            return step.key.value
    raise EvalError(f"invalid reference {traversal.text}")


def _attribute_after(steps: tuple[object, ...], start: int) -> str:
    for step in steps[start:]:
        if isinstance(step, GetAttr):
            return step.name
        if not isinstance(step, Index):
            break
    return ""


# ---------------------------------------------------------------- count / for_each


@mutable
class Expansion:
    mode: str  # single | count | for_each | unknown
    instances: dict[InstanceKey, Instance] = field(default_factory=dict)
    unknown: Unknown | None = None
    trace: Trace = field(default_factory=Trace)
    attribute: Attribute | None = None  # the count / for_each argument


class Node:
    """A resource, data source or module call of one module instance, before expansion."""

    kind = "resource"

    def __init__(self, module: ModuleInstance, local_address: str, block: Block) -> None:
        self.module = module
        self.block = block
        self.address = module.address(local_address)
        self._expansion: Expansion | None = None
        self._expanding = False
        module.evaluation.nodes[self.address] = self

    def make_instance(self, key: InstanceKey, bindings: dict[str, Value]) -> Instance:
        raise NotImplementedError

    def expansion(self) -> Expansion:
        if self._expansion is not None:
            return self._expansion
        if self._expanding:
            return self._unknown_expansion(None, Unknown(
                self.address, "count/for_each refers to the resource itself", self.block.header))
        self._expanding = True
        try:
            self._expansion = self._expand()
        finally:
            self._expanding = False
        return self._expansion

    def _expand(self) -> Expansion:
        body = self.block.body
        count, for_each = body.attribute("count"), body.attribute("for_each")
        if count is None and for_each is None:
            return Expansion("single", {None: self.make_instance(None, {})})
        attribute = count if count is not None else for_each
        assert attribute is not None
        trace = Trace()
        value = evaluate(attribute.expr, self.module.context(None, trace))
        unknowns = list(iter_unknowns(value))
        # a map with known keys tells the instances apart even when values are unknown (as
        # Terraform requires only the keys): each instance gets its own each.value
        keys_known = count is None and type(value) is dict
        if unknowns and not keys_known:
            cause = derive_unknown(attribute.expr.text, attribute.expr.span, unknowns)
            return self._unknown_expansion(attribute, cause, trace)
        try:
            pairs = _count_pairs(value) if count is not None else _for_each_pairs(value)
            meter().instances(len(pairs), f"{attribute.name} of {self.address}")
        except EvalError as exc:
            cause = Unknown(attribute.expr.text, f"error: {exc}", attribute.expr.span)
            return self._unknown_expansion(attribute, cause, trace)
        except BudgetExceeded as exc:
            cause = Unknown(attribute.expr.text, f"not evaluated: {exc.message}",
                            attribute.expr.span)
            return self._unknown_expansion(attribute, cause, trace)
        instances: dict[InstanceKey, Instance] = {}
        for key, bindings in pairs:
            instances[key] = self.make_instance(key, bindings)
        return Expansion("count" if count is not None else "for_each", instances, None, trace,
                         attribute)

    def _unknown_expansion(self, attribute: Attribute | None, cause: Unknown,
                           trace: Trace | None = None) -> Expansion:
        unknown = cause
        bindings: dict[str, Value] = {"count": {"index": unknown},
                                      "each": {"key": unknown, "value": unknown}}
        return Expansion("unknown", {None: self.make_instance(None, bindings)}, unknown,
                         trace or Trace(), attribute)

    def reference_value(self) -> Value:
        expansion = self.expansion()
        if expansion.mode == "unknown":
            assert expansion.unknown is not None
            return with_ref(expansion.unknown, self.address)
        if expansion.mode == "single":
            return expansion.instances[None]
        if expansion.mode == "count":
            return list(expansion.instances.values())
        return {str(k): v for k, v in expansion.instances.items()}


def _count_pairs(value: Value) -> list[tuple[InstanceKey, dict[str, Value]]]:
    number = to_number(value)
    if number is None:
        raise EvalError("count must not be null")
    if isinstance(number, float) and not number.is_integer():
        raise EvalError(f"count must be a whole number, got {number}")
    if number < 0:
        raise EvalError(f"count must not be negative, got {number}")
    meter().instances(int(number), "count")  # before building a million instances
    return [(i, {"count": {"index": i}}) for i in range(int(number))]


def _for_each_pairs(value: Value) -> list[tuple[InstanceKey, dict[str, Value]]]:
    if value is None:
        raise EvalError("for_each must not be null")
    if isinstance(value, dict):
        return [(k, {"each": {"key": k, "value": value[k]}}) for k in sorted(value)]
    if isinstance(value, list):
        keys: list[str] = []
        for item in value:
            if not isinstance(item, str):
                raise EvalError("for_each over a set needs strings "
                                f"(got a {type(item).__name__})")
            if item not in keys:
                keys.append(item)
        return [(k, {"each": {"key": k, "value": k}}) for k in sorted(keys)]
    raise EvalError("for_each must be a map or a set of strings")


class Instance(LazyObject):
    def __init__(self, node: Node, key: InstanceKey, bindings: dict[str, Value]) -> None:
        self.node = node
        self.key = key
        self.bindings = bindings
        self.address = instance_address(node.address, key)


# ---------------------------------------------------------------- resources


class ResourceNode(Node):
    def __init__(self, module: ModuleInstance, key: str, kind: str, block: Block) -> None:
        super().__init__(module, key, block)
        self.kind = kind
        self.type = block.labels[0]
        self.members = body_members(block.body, RESOURCE_META)

    def make_instance(self, key: InstanceKey, bindings: dict[str, Value]) -> Instance:
        return ResourceInstance(self, key, bindings)


@mutable
class MemberResult:
    value: Value
    collected: Collected | None  # None: collected into the instance's full evaluation


class ResourceInstance(Instance):
    node: ResourceNode

    def __init__(self, node: Node, key: InstanceKey, bindings: dict[str, Value]) -> None:
        super().__init__(node, key, bindings)
        assert isinstance(node, ResourceNode)
        self._members = node.members
        self._results: dict[str, MemberResult] = {}
        self._busy: set[str] = set()
        self._ctx: Context | None = None
        self._full: tuple[dict[str, Value], Collected] | None = None

    def _context(self) -> Context:
        if self._ctx is None:
            self._ctx = self.node.module.context(self.bindings)
        return self._ctx

    def member(self, name: str, into: Collected | None = None) -> MemberResult | None:
        """The value of one attribute or block type; ``into`` receives its spans, origins and
        traces (a fresh Collected, kept with the result, when None)."""
        result = self._results.get(name)
        if result is not None:
            return result
        member = self._members.get(name)
        if member is None:
            return None
        if name in self._busy:
            return MemberResult(Unknown(f"{self.address}.{name}", "refers to itself (a cycle)",
                                        self.node.block.header, (self.address,)), Collected())
        self._busy.add(name)
        collected = into if into is not None else Collected()
        try:
            value = evaluate_member(name, member, self._context(), (), collected)
        finally:
            self._busy.discard(name)
        result = MemberResult(value, collected if into is None else None)
        self._results[name] = result
        return result

    def get_attr(self, name: str, ctx: Context, span: Span | None) -> Value:
        ctx.trace.add_ref(self.address, name, span)
        result = self.member(name)
        if result is None:
            return Unknown(f"{self.address}.{name}", "not known before apply", span,
                           (self.address,))
        if result.value is None:
            # configured as null (``name = null`` beside ``name_prefix``): the provider
            # computes it at apply, so the reference is unknown, never null (and keeps its ref)
            return Unknown(f"{self.address}.{name}", "set to null in the configuration: "
                           "computed by the provider, not known before apply", span,
                           (self.address,))
        if isinstance(result.value, Unknown):
            return with_ref(result.value, self.address)
        return result.value

    def attributes(self) -> tuple[dict[str, Value], Collected]:
        """Every member's value (null and zero blocks left out) with what was collected."""
        if self._full is not None:
            return self._full
        values: dict[str, Value] = {}
        collected = Collected()
        for name, member in self._members.items():
            known = name in self._results
            result = self.member(name, collected)
            assert result is not None
            if known and result.collected is not None:
                collected.merge(result.collected)
            value = result.value
            if value is not None and not (isinstance(member, list) and value == []):
                values[name] = value
        self._full = (values, collected)
        return self._full

    def materialize(self, ctx: Context) -> Value:
        ctx.trace.add_ref(self.address, "", None)
        values, _ = self.attributes()
        return PartialObject(values, self.address)


# ---------------------------------------------------------------- module calls


class ModuleCallNode(Node):
    kind = "module"

    def __init__(self, module: ModuleInstance, name: str, block: Block) -> None:
        super().__init__(module, f"module.{name}", block)
        self.name = name
        self.source = literal_source(block)
        self.key = f"{module.key}.{name}" if module.key else name
        self._resolved: tuple[ModuleConfig | None, str] | None = None

    def make_instance(self, key: InstanceKey, bindings: dict[str, Value]) -> Instance:
        return ModuleCallInstance(self, key, bindings)

    def resolved(self) -> tuple[ModuleConfig | None, str]:
        """The called module's configuration, or None and the reason it is not available."""
        if self._resolved is None:
            self._resolved = self._resolve()
        return self._resolved

    def _resolve(self) -> tuple[ModuleConfig | None, str]:
        evaluation = self.module.evaluation
        source = self.source
        if source is None:
            return None, "the module source is not a literal string"
        if is_local_source(source):
            directory = join_dir(self.module.config.directory, source)
            if directory is None:
                return None, f"module source {source!r} is outside the scan root"
        else:
            directory = evaluation.manifest.directory(self.key)
            if directory is None:
                return None, (f"module source {source!r} is not downloaded "
                              "(run terraform init to evaluate it)")
        if directory in self.module.ancestors or len(self.module.ancestors) > _MAX_MODULE_DEPTH:
            return None, f"module source {source!r} calls itself recursively"
        config = evaluation.config(directory)
        if not config.files:
            return None, f"module source {source!r} ({directory}) has no Terraform files"
        return config, ""


class ModuleCallInstance(Instance):
    node: ModuleCallNode

    def __init__(self, node: Node, key: InstanceKey, bindings: dict[str, Value]) -> None:
        super().__init__(node, key, bindings)
        self.inputs = CallerInputs(node.module, node.block, bindings)
        self._child: ModuleInstance | None = None

    def child(self) -> ModuleInstance | None:
        if self._child is None:
            config, _ = self.node.resolved()
            if config is None:
                return None
            parent = self.node.module
            collapsed = parent.collapsed + (
                (self.node.address,) if self.node.expansion().mode == "unknown" else ())
            self._child = ModuleInstance(parent.evaluation, config, self.address, self.node.key,
                                         self.inputs, (*parent.ancestors, config.directory),
                                         collapsed)
        return self._child

    def get_attr(self, name: str, ctx: Context, span: Span | None) -> Value:
        ctx.trace.add_ref(self.address, name, span)
        child = self.child()
        if child is None:
            _, reason = self.node.resolved()
            return Unknown(f"{self.address}.{name}", reason, span, (self.address,))
        value, trace = child.output(name)
        ctx.trace.merge(trace)
        return value

    def materialize(self, ctx: Context) -> Value:
        ctx.trace.add_ref(self.address, "", None)
        child = self.child()
        if child is None:
            _, reason = self.node.resolved()
            return Unknown(self.address, reason, self.node.block.header, (self.address,))
        outputs: dict[str, Value] = {}
        for name in child.config.outputs:
            value, trace = child.output(name)
            ctx.trace.merge(trace)
            outputs[name] = value
        return outputs


# ---------------------------------------------------------------- emitting resources


class Emitter:
    def __init__(self, evaluation: Evaluation) -> None:
        self.evaluation = evaluation
        self.result = evaluation.result
        self._unknown_keys: set[tuple[str, str, Span | None]] = set()

    def emit(self, module: ModuleInstance) -> None:
        for block in module.config.providers:
            self._provider(module, block)
        for node in module.resources.values():
            expansion = self._expansion(node)
            for instance in expansion.instances.values():
                assert isinstance(instance, ResourceInstance)
                self._resource(instance, expansion)
        for call in module.calls.values():
            expansion = self._expansion(call)
            config, reason = call.resolved()
            judgement = registry_judgement(call) if config is None else None
            if isinstance(judgement, Unjudged):
                reason = f"{reason}, and {judgement.reason}"
            if config is None and expansion.instances and not isinstance(judgement, Judgement):
                where = call.block.body.attribute("source")
                self.evaluation.note(f"{call.address}: {reason}; its resources are not evaluated",
                                     where.span if where is not None else call.block.header)
            for instance in expansion.instances.values():
                assert isinstance(instance, ModuleCallInstance)
                resource, edges = self._module_call(instance, expansion)
                child = instance.child()
                if child is not None:
                    self.emit(child)
                elif isinstance(judgement, Judgement):
                    self._judged_by_inputs(judgement, resource, edges)

    def _expansion(self, node: Node) -> Expansion:
        expansion = node.expansion()
        if expansion.mode == "unknown" and expansion.attribute is not None:
            assert expansion.unknown is not None
            meta = expansion.attribute.name
            reason = expansion.unknown.reason
            if reason.startswith("not evaluated: "):  # past a budget
                key = reason.rsplit("the budget ", 1)[-1].split(" ", 1)[0]
                self.evaluation.note(
                    f"{meta} of {node.address} is not expanded: {reason[15:]}; it is judged "
                    f"once (raise budgets.{key} in the configuration to expand it)",
                    expansion.attribute.span)
            else:
                self.evaluation.note(
                    f"{meta} of {node.address} is not known ({reason}); it is judged once",
                    expansion.attribute.span)
            self._add_unknowns([expansion.unknown])
        return expansion

    def _add_unknowns(self, unknowns: list[Unknown]) -> None:
        for unknown in unknowns:
            key = (unknown.expression, unknown.reason, unknown.span)
            if key not in self._unknown_keys:
                self._unknown_keys.add(key)
                self.result.unknowns.append(unknown)

    def _meta(self, instance: Instance, expansion: Expansion) -> dict[str, Value]:
        meta: dict[str, Value] = {"header": instance.node.block.header}
        collapsed = list(instance.node.module.collapsed)
        if expansion.mode == "unknown":
            meta["count_unknown"] = True
            collapsed.append(instance.node.address)
        elif instance.key is not None:
            meta["index"] = instance.key
        if collapsed:
            # the resources and module calls whose instances cannot be told apart: one
            # verdict here stands for all of them (reports say so)
            meta["instances_unknown"] = collapsed
        return meta

    def _resource(self, instance: ResourceInstance, expansion: Expansion) -> None:
        node = instance.node
        attributes, collected = instance.attributes()
        meta = self._meta(instance, expansion)
        provider = node.block.body.attribute("provider")
        if provider is not None:
            meta["provider"] = provider.expr.text
        traces = [*collected.traces]
        if expansion.attribute is not None:
            traces.append(((expansion.attribute.name,), expansion.trace))
        self._finish(instance.address, node.type, node.kind, attributes, collected, node.block,
                     node.module, meta, traces)

    def _module_call(self, instance: ModuleCallInstance, expansion: Expansion
                     ) -> tuple[Resource, list[Edge]]:
        node = instance.node
        collected = Collected()
        attributes: dict[str, Value] = {}
        for name, member in body_members(node.block.body, MODULE_META).items():
            if isinstance(member, Attribute) and name not in ("source", "version"):
                supplied = instance.inputs.argument(name)
                assert supplied is not None
                value, trace = supplied
                value = evaluate_module_value(value, instance)
                collected.spans[(name,)] = member.span
                structure_spans(member.expr, (name,), collected.spans)
                origins = [s for s in trace.origins if s != member.span]
                if origins:
                    collected.origins[(name,)] = tuple(origins)
                collected.traces.append(((name,), trace))
            else:
                context = node.module.context(instance.bindings)
                value = evaluate_member(name, member, context, (), collected)
            if value is not None:
                attributes[name] = value
        config, reason = node.resolved()
        meta = self._meta(instance, expansion)
        meta.update({"source": node.source or "", "resolved": config is not None})
        version = literal_attribute(node.block, "version")
        if version is not None:
            meta["version"] = version
        if config is not None:
            meta["directory"] = config.directory
        else:
            meta["unresolved_reason"] = reason
        traces = [*collected.traces]
        if expansion.attribute is not None:
            traces.append(((expansion.attribute.name,), expansion.trace))
        return self._finish(instance.address, "module", "module", attributes, collected,
                            node.block, node.module, meta, traces)

    def _judged_by_inputs(self, judgement: Judgement, call: Resource,
                          edges: list[Edge]) -> None:
        """The resources a registry module that is not downloaded would create, from the
        call's arguments (``linter.frontends.terraform.registry``)."""
        synthesized = judge_call(judgement, call, edges)
        self.result.resources.extend(synthesized.resources)
        self.result.edges.extend(synthesized.edges)
        for message, span in synthesized.notes:
            self.evaluation.note(message, span)

    def _provider(self, module: ModuleInstance, block: Block) -> None:
        name = block.labels[0]
        collected = Collected()
        attributes = evaluate_body(block.body, module.context(), (), collected)
        alias = attributes.get("alias")
        local = f"provider.{name}.{alias}" if isinstance(alias, str) else f"provider.{name}"
        meta: dict[str, Value] = {"header": block.header}
        if isinstance(alias, str):
            meta["alias"] = alias
        self._finish(module.address(local), f"provider.{name}", "provider", attributes,
                     collected, block, module, meta, collected.traces)

    def _finish(self, address: str, type_: str, kind: str, attributes: dict[str, Value],
                collected: Collected, block: Block, module: ModuleInstance,
                meta: dict[str, Value], traces: list[tuple[Path, Trace]]
                ) -> tuple[Resource, list[Edge]]:
        spans: dict[Path, Span] = {(): block.span, **collected.spans}
        resource = Resource(
            address=address, type=type_, format=Format.TERRAFORM, kind=kind,
            attributes=attributes, spans=spans, file=block.span.file,
            module=module.prefix, origins=dict(collected.origins), meta=meta)
        self.result.resources.append(resource)
        self._add_unknowns(list(iter_unknowns(attributes)))
        edges = list(self._edges(resource, traces))
        self.result.edges.extend(edges)
        self.result.edges.extend(self._depends_on(resource, block, module))
        return resource, edges

    def _edges(self, resource: Resource, traces: list[tuple[Path, Trace]]) -> Iterator[Edge]:
        seen: set[tuple[str, Path, str]] = set()
        for path, trace in traces:
            covered: set[str] = set()
            for (target, attribute), span in trace.refs.items():
                covered.add(target)
                yield from self._edge(resource, target, path, attribute, span, seen)
            for base, (attribute, span) in trace.nodes.items():
                if any(t == base or t.startswith(base + "[") for t in covered):
                    continue
                for target in self.evaluation.instance_addresses(base):
                    yield from self._edge(resource, target, path, attribute, span, seen)

    def _edge(self, resource: Resource, target: str, path: Path, attribute: str,
              span: Span | None, seen: set[tuple[str, Path, str]]) -> Iterator[Edge]:
        if target == resource.address or (target, path, attribute) in seen:
            return
        seen.add((target, path, attribute))
        if span is None or span.file != resource.file or not _within(span, resource.header):
            span = resource.span_at(path)
        yield Edge(resource.address, target, "reference", path, span, attribute)

    def _depends_on(self, resource: Resource, block: Block,
                    module: ModuleInstance) -> Iterator[Edge]:
        attribute = block.body.attribute("depends_on")
        if attribute is None or not isinstance(attribute.expr, TupleExpr):
            return
        for item in attribute.expr.items:
            if not isinstance(item, Traversal):
                continue
            names = [item.root] + [s.name for s in item.steps if isinstance(s, GetAttr)]
            if names[0] == "module" and len(names) >= 2:
                base = module.address(f"module.{names[1]}")
            elif names[0] == "data" and len(names) >= 3:
                base = module.address(f"data.{names[1]}.{names[2]}")
            elif len(names) >= 2:
                base = module.address(f"{names[0]}.{names[1]}")
            else:
                continue
            for target in self.evaluation.instance_addresses(base):
                yield Edge(resource.address, target, "depends_on", ("depends_on",), item.span)


def registry_judgement(call: ModuleCallNode) -> Judgement | Unjudged | None:
    """How the data on registry modules judges a call whose module is not available."""
    if call.source is None or is_local_source(call.source):
        return None
    return recognise(call.source, literal_attribute(call.block, "version"))


def _within(span: Span, outer: Span | None) -> bool:
    return outer is not None and outer.start_line <= span.start_line <= outer.end_line


def evaluate_module_value(value: Value, instance: ModuleCallInstance) -> Value:
    """A module argument as stored on the module Resource (Lazy objects made plain)."""
    return materialize(value, instance.node.module.context(instance.bindings))
