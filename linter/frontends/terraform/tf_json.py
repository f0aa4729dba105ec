"""Terraform's JSON configuration syntax (``*.tf.json``) → the same ``HclFile`` tree as ``.tf``.

Rules followed (Terraform's "JSON Configuration Syntax"):

* The top-level object's keys are block types. ``resource``/``data`` take two labels,
  ``module``/``variable``/``output``/``provider``/``check`` one, ``terraform``/``locals``/
  ``moved``/``import``/``removed`` none. Each label level is an object keyed by the label; at any
  level an array of objects stands for repeated entries, and a block body given as an array of
  objects is several blocks with the same labels.
* Property names ``"//"`` are comments and ignored.
* In expression context a string is a template: ``"${var.x}"`` and ``"a-${b}"`` are parsed by
  tree-sitter-hcl as HCL templates; numbers, bools and null are literals; arrays and objects
  are tuple and object expressions. Exceptions, as in Terraform: variable ``default`` (and
  ``description`` …) are literal JSON values; variable ``type`` is a type expression;
  ``depends_on``, ``ignore_changes``, ``replace_triggered_by``, a resource's ``provider`` and a
  module's ``providers`` values are references written as strings (``"aws_iam_role.r"``).
* Whether an object is a nested block or an attribute whose value is a map depends on the
  provider schema, which iaclint does not load. Heuristic: an object (or array of objects) is a
  nested block when its name is a known block type — Terraform's own (``lifecycle``,
  ``provisioner``, ``connection``, ``dynamic``/``content``, ``validation``, ``backend`` …) or
  one of the AWS provider block names in ``AWS_BLOCKS`` (``metadata_options``, ``statement``,
  ``principals``, ``condition``, ``inline_policy``, ``launch_template``,
  ``ebs_block_device`` …). Everything else is an attribute (``tags = {…}``). Both shapes evaluate
  to the same nested-block path (``metadata_options.http_tokens``) for rules, so a miss costs
  little.
"""

from __future__ import annotations

from linter.frontends.terraform.hcl_ast import (
    Attribute,
    Block,
    Body,
    Expr,
    HclFile,
    Invalid,
    Literal,
    ObjectExpr,
    ObjectItem,
    SyntaxProblem,
    Template,
    TupleExpr,
)
from linter.frontends.terraform.hcl_treesitter import (
    Converter,
    ParseBudgetExceeded,
    Point,
    parse_tree,
)
from linter.json_positions import JMember, JNode, JsonPositionError, LineIndex, parse_json
from linter.model import Span
from linter.records import record

_TOP_LABELS = {
    "resource": 2, "data": 2, "ephemeral": 2,
    "module": 1, "variable": 1, "output": 1, "provider": 1, "check": 1,
    "terraform": 0, "locals": 0, "moved": 0, "import": 0, "removed": 0,
}
_NESTED_LABELS = {"provisioner": 1, "dynamic": 1, "backend": 1, "provider_meta": 1}
_META_BLOCKS = frozenset({
    "lifecycle", "provisioner", "connection", "dynamic", "content", "timeouts",
    "precondition", "postcondition", "validation", "required_providers", "backend", "cloud",
    "workspaces", "provider_meta", "assert",
})
AWS_BLOCKS = frozenset({
    # EC2 instances, launch templates and configurations
    "metadata_options", "root_block_device", "ebs_block_device", "ephemeral_block_device",
    "network_interface", "network_interfaces", "credit_specification", "cpu_options",
    "capacity_reservation_specification", "capacity_reservation_target", "enclave_options",
    "maintenance_options", "private_dns_name_options", "instance_market_options",
    "spot_options", "launch_template", "block_device_mappings", "ebs", "iam_instance_profile",
    "placement", "monitoring", "tag_specifications", "hibernation_options",
    "license_specification", "elastic_gpu_specifications", "instance_requirements",
    # auto scaling, EKS, ECS
    "mixed_instances_policy", "instances_distribution", "launch_template_specification",
    "override", "tag", "instance_refresh", "preferences", "warm_pool",
    "initial_lifecycle_hook", "scaling_config", "remote_access", "update_config",
    "vpc_config", "access_config",
    # IAM policy documents and roles
    "statement", "principals", "not_principals", "condition", "inline_policy",
    # networking and provider configuration
    "ingress", "egress", "assume_role", "assume_role_with_web_identity", "default_tags",
    "ignore_tags", "endpoints",
})
_LITERAL_ATTRIBUTES = {
    "variable": frozenset({"default", "description", "sensitive", "nullable", "ephemeral"}),
    "module": frozenset({"source", "version"}),
    "output": frozenset({"description", "sensitive", "ephemeral"}),
}
_REFERENCE_ATTRIBUTES = frozenset({"depends_on", "ignore_changes", "replace_triggered_by"})


def parse_tf_json(rel_path: str, data: bytes) -> HclFile:
    """Parse one ``.tf.json`` file; invalid JSON is a ``SyntaxProblem`` (decoder's message)."""
    text = data.decode("utf-8", "replace")
    lines = LineIndex(text)
    if not text.strip():
        # Terraform parses .tf.json with HCL's JSON parser, which rejects empty input
        # ("Missing value: The JSON data ends prematurely"), unlike an empty .tf file
        problem = SyntaxProblem(Span(rel_path, 1, 1), "invalid JSON: the file is empty "
                                "(Terraform rejects an empty .tf.json file: \"The JSON data ends "
                                "prematurely\"; delete it or write {})")
        return HclFile(rel_path, Body(), (problem,))
    try:
        root = parse_json(text)
    except JsonPositionError as exc:
        line, col = lines.position(exc.offset)
        problem = SyntaxProblem(Span(rel_path, line, col), f"invalid JSON: {exc.message}")
        return HclFile(rel_path, Body(), (problem,))
    if root.kind != "object":
        problem = SyntaxProblem(lines.span(rel_path, root.start, root.end),
                                "a Terraform JSON file must hold an object at the top level")
        return HclFile(rel_path, Body(), (problem,))
    reader = _Reader(rel_path, text, lines)
    blocks: list[Block] = []
    for member in root.members:
        if member.key in _TOP_LABELS:
            blocks.extend(reader.blocks(member.key, member, _TOP_LABELS[member.key], "top"))
    return HclFile(rel_path, Body((), tuple(blocks)))


@record
class _StringSpans:
    """Maps points of a string parsed by tree-sitter back into the JSON file."""

    file: str
    lines: LineIndex
    node: JNode
    exact: bool  # the JSON text of the string equals its value (no escapes)
    row: int  # the row of the wrapper source that holds the string
    column: int  # byte column where the string starts in that row
    value_bytes: bytes

    def _offset(self, point: Point) -> int | None:
        if not self.exact or point.row != self.row:
            return None
        within = max(0, point.column - self.column)
        chars = len(self.value_bytes[:within].decode("utf-8", "replace"))
        return self.node.start + 1 + chars

    def span(self, start: Point, end: Point) -> Span:
        first, last = self._offset(start), self._offset(end)
        if first is None or last is None:
            return self.lines.span(self.file, self.node.start, self.node.end)
        return self.lines.span(self.file, first, last)


class _Reader:
    def __init__(self, path: str, text: str, lines: LineIndex) -> None:
        self.path = path
        self.text = text
        self.lines = lines

    def span(self, start: int, end: int) -> Span:
        return self.lines.span(self.path, start, end)

    # -- blocks

    def blocks(self, block_type: str, member: JMember, labels_needed: int, parent: str,
               labels: tuple[str, ...] = ()) -> list[Block]:
        """The blocks of ``member``: descend ``labels_needed`` label levels, then read bodies."""
        out: list[Block] = []
        for value in _objects(member.value):
            if labels_needed == 0:
                header = (self.span(member.key_start, member.key_end)
                          if value is member.value else self.span(value.start, value.start + 1))
                start = member.key_start if value is member.value else value.start
                body = self.body(value, block_type if parent == "top" else parent, block_type)
                out.append(Block(block_type, labels, body, self.span(start, value.end), header))
                continue
            for inner in value.members:
                if inner.key == "//":
                    continue
                out.extend(self.blocks(block_type, inner, labels_needed - 1, parent,
                                       (*labels, inner.key)))
        return out

    def body(self, obj: JNode, top_type: str, block_type: str) -> Body:
        attributes: list[Attribute] = []
        blocks: list[Block] = []
        for member in obj.members:
            key, value = member.key, member.value
            if key == "//":
                continue
            if self._is_block(top_type, block_type, key, value):
                blocks.extend(self.blocks(key, member, _NESTED_LABELS.get(key, 0), top_type))
                continue
            expr = self.expression(value, self._mode(top_type, block_type, key))
            attributes.append(Attribute(key, expr, self.span(member.key_start, value.end),
                                        self.span(member.key_start, member.key_end)))
        return Body(tuple(attributes), tuple(blocks))

    @staticmethod
    def _is_block(top_type: str, block_type: str, key: str, value: JNode) -> bool:
        if top_type == "locals" or (top_type in ("module", "output") and key != "lifecycle"):
            return False
        if block_type == "required_providers":
            return False
        if not _objects(value) or (value.kind == "array" and not value.items):
            return False
        return key in _META_BLOCKS or key in AWS_BLOCKS

    @staticmethod
    def _mode(top_type: str, block_type: str, key: str) -> str:
        if block_type == top_type and key in _LITERAL_ATTRIBUTES.get(top_type, frozenset()):
            return "literal"
        if top_type == "variable" and block_type == "variable" and key == "type":
            return "expression"
        if key in _REFERENCE_ATTRIBUTES:
            return "reference"
        if key == "provider" and top_type in ("resource", "data") and block_type == top_type:
            return "reference"
        if key == "providers" and top_type == "module":
            return "reference"
        if key == "iterator" and block_type == "dynamic":
            return "expression"
        return "template"

    # -- expressions

    def expression(self, node: JNode, mode: str) -> Expr:
        span = self.span(node.start, node.end)
        raw = self.text[node.start : node.end]
        if node.kind == "array":
            return TupleExpr(tuple(self.expression(i, mode) for i in node.items), span, raw)
        if node.kind == "object":
            items: list[ObjectItem] = []
            for member in node.members:
                if member.key == "//" and mode != "literal":
                    continue
                key_span = self.span(member.key_start, member.key_end)
                key_raw = self.text[member.key_start : member.key_end]
                key: Expr = Literal(member.key, key_span, key_raw)
                if mode == "template" and ("${" in member.key or "%{" in member.key):
                    key = self._parse_string(member.key, JNode("string", member.key_start,
                                                               member.key_end, member.key), True)
                value_mode = "reference" if mode == "reference" else mode
                items.append(ObjectItem(key, self.expression(member.value, value_mode),
                                        self.span(member.key_start, member.value.end)))
            return ObjectExpr(tuple(items), span, raw)
        if node.kind != "string" or mode == "literal":
            return Literal(node.scalar, span, raw)
        value = str(node.scalar)
        if mode == "template":
            if "${" not in value and "%{" not in value:
                return Literal(value, span, raw)
            return self._parse_string(value, node, True)
        return self._parse_string(value, node, False)

    def _parse_string(self, value: str, node: JNode, template: bool) -> Expr:
        """Parse a JSON string's value as an HCL template (heredoc wrapper) or expression."""
        if template:
            marker = "EOT"
            while marker in value:
                marker += "_"
            source = f"x = <<{marker}\n{value}\n{marker}\n"
            row, column = 1, 0
        else:
            source = f"x = {value}\n"
            row, column = 0, 4
        data = source.encode("utf-8")
        exact = self.text[node.start + 1 : node.end - 1] == value and "\n" not in value
        mapper = _StringSpans(self.path, self.lines, node, exact, row, column,
                              value.encode("utf-8"))
        whole = self.span(node.start, node.end)
        try:
            tree = parse_tree(data)
        except ParseBudgetExceeded:
            return Invalid(whole, value)
        body = next((c for c in tree.root_node.children if c.type == "body"), None)
        attribute = body.children[0] if body is not None and body.children else None
        if tree.root_node.has_error or attribute is None or attribute.type != "attribute":
            return Invalid(whole, value)
        parsed = Converter(data, mapper).attribute(attribute).expr
        if template:
            parsed = _drop_final_newline(parsed, whole, value)
        return parsed


def _drop_final_newline(expr: Expr, span: Span, value: str) -> Expr:
    """The heredoc wrapper adds one newline after the string; take it off again."""
    if isinstance(expr, Literal) and isinstance(expr.value, str):
        return Literal(expr.value.removesuffix("\n"), span, value)
    if isinstance(expr, Template):
        parts = list(expr.parts)
        if parts and isinstance(parts[-1], str):
            last = parts[-1].removesuffix("\n")
            if last:
                parts[-1] = last
            else:
                parts.pop()
        return Template(tuple(parts), span, value)
    return expr


def _objects(value: JNode) -> list[JNode]:
    """An object, or the objects of an array of objects; [] for anything else."""
    if value.kind == "object":
        return [value]
    if value.kind == "array" and all(item.kind == "object" for item in value.items):
        return list(value.items)
    return []
