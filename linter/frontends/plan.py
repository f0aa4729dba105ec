"""Terraform plan JSON (``terraform show -json plan.out``) as an input format.

Values come from ``planned_values`` (root and child modules, instance addresses with their
index), plus data sources read during planning (``prior_state``) that the plan does not list
again. Attributes that ``resource_changes[].change.after_unknown`` marks are ``Unknown``
("known after apply"). Edges come from the ``configuration`` section: each expression's
``references`` and each ``depends_on``.

Spans: every resource and attribute points at its object/value in the plan file. When the
Terraform configuration that produced the plan sits beside it (the plan file's directory holds
``.tf`` files with the same resource blocks, and local module sources resolve inside the scan
root), ``point_at_configuration`` moves each resource's spans to its HCL block and attributes;
the plan position stays in ``meta["plan_span"]``. Every resource carries
``meta["config_address"]``: the address without instance keys
(``module.app.aws_instance.web``).
"""

from __future__ import annotations

import pathlib
import posixpath
from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from typing import Any

from linter.frontends.terraform.hcl_ast import Block, HclFile
from linter.json_positions import JNode, JsonPositionError, LineIndex, parse_json
from linter.model import Edge, Format, ParseResult, Path, Resource, Span, Unknown
from linter.regex import lazy
from linter.rule import FILE_DOES_NOT_PARSE, tool_finding

_INSTANCE_KEY = lazy(r'\[(?:"(?:[^"\\]|\\.)*"|[0-9]+)\]')
_NOT_RESOURCES = frozenset({"var", "local", "each", "count", "path", "terraform", "self", "module"})


def looks_like_plan(data: bytes) -> bool:
    """Cheap content check: a JSON object with the keys ``terraform show -json`` writes."""
    if data.lstrip()[:1] != b"{":
        return False
    return b'"terraform_version"' in data and (
        b'"planned_values"' in data or b'"resource_changes"' in data)


def config_address(address: str) -> str:
    """``module.a["x"].aws_instance.web[0]`` → ``module.a.aws_instance.web``."""
    return _INSTANCE_KEY.sub("", address)


def parse_plan(root: pathlib.Path, rel_path: str, data: bytes) -> ParseResult:
    result = ParseResult(files=[rel_path])
    try:
        text = data.decode("utf-8")
        document = parse_json(text)
    except UnicodeDecodeError as exc:
        result.findings.append(tool_finding(
            FILE_DOES_NOT_PARSE, f"plan JSON is not valid UTF-8 (byte offset {exc.start})",
            Span(rel_path, 1, 1)))
        return result
    except JsonPositionError as exc:
        line, col = LineIndex(text).position(exc.offset)
        result.findings.append(tool_finding(
            FILE_DOES_NOT_PARSE, f"invalid plan JSON: {exc.message}", Span(rel_path, line, col)))
        return result
    if document.kind != "object":
        result.findings.append(tool_finding(
            FILE_DOES_NOT_PARSE, "plan JSON must be an object", Span(rel_path, 1, 1)))
        return result
    reader = _PlanReader(rel_path, text, document)
    result.resources = reader.resources()
    result.edges = reader.edges(result.resources)
    point_at_configuration(root, rel_path, result, document.to_python().get("configuration"))
    return result


# ---------------------------------------------------------------- reading the plan


def _path(node: JNode | None, *keys: str) -> JNode | None:
    for key in keys:
        if node is None or node.kind != "object":
            return None
        node = node.member(key)
    return node


class _PlanReader:
    def __init__(self, rel_path: str, text: str, document: JNode) -> None:
        self.file = rel_path
        self.lines = LineIndex(text)
        self.document = document
        self.changes: dict[str, JNode] = {}
        changes = document.member("resource_changes")
        for item in changes.items if changes is not None else ():
            address = item.member("address")
            change = item.member("change")
            if address is not None and change is not None:
                self.changes[str(address.scalar)] = change

    def span(self, node: JNode) -> Span:
        return self.lines.span(self.file, node.start, node.end)

    def resources(self) -> list[Resource]:
        out: list[Resource] = []
        seen: set[str] = set()
        planned = _path(self.document, "planned_values", "root_module")
        for node, module in _module_resources(planned):
            resource = self.resource(node, module)
            if resource is not None and resource.address not in seen:
                seen.add(resource.address)
                out.append(resource)
        prior = _path(self.document, "prior_state", "values", "root_module")
        for node, module in _module_resources(prior):
            mode = node.member("mode")
            if mode is None or mode.scalar != "data":
                continue
            resource = self.resource(node, module)
            if resource is not None and resource.address not in seen:
                seen.add(resource.address)
                out.append(resource)
        return out

    def resource(self, node: JNode, module: str) -> Resource | None:
        fields = {m.key: m.value for m in node.members}
        address = fields.get("address")
        type_ = fields.get("type")
        if address is None or type_ is None:
            return None
        addr = str(address.scalar)
        mode = str(fields["mode"].scalar) if "mode" in fields else "managed"
        values = fields.get("values")
        spans: dict[Path, Span] = {(): self.span(node)}
        attributes: dict[str, Any] = {}
        if values is not None and values.kind == "object":
            attributes = values.to_python()
            _value_spans(values, (), spans, self.span)
        change = self.changes.get(addr)
        after_unknown = _path(change, "after_unknown")
        if after_unknown is not None:
            _apply_unknowns(attributes, after_unknown.to_python(), (), addr, spans, spans[()])
        meta: dict[str, Any] = {
            "config_address": config_address(addr),
            "plan_file": self.file,
            "plan_span": spans[()],
        }
        if "index" in fields:
            meta["index"] = fields["index"].scalar
        if change is not None and change.member("actions") is not None:
            meta["actions"] = change.member("actions").to_python()  # type: ignore[union-attr]
        return Resource(
            address=addr,
            type=str(type_.scalar),
            format=Format.TERRAFORM,
            kind="data" if mode == "data" else "resource",
            attributes=attributes,
            spans=spans,
            file=self.file,
            module=module,
            meta=meta,
        )

    def edges(self, resources: list[Resource]) -> list[Edge]:
        configuration = self.document.member("configuration")
        if configuration is None:
            return []
        config = configuration.to_python()
        by_config: dict[str, list[Resource]] = {}
        for resource in resources:
            by_config.setdefault(str(resource.meta["config_address"]), []).append(resource)
        edges: list[Edge] = []
        for prefix, config_resource in _config_resources(config.get("root_module") or {}, ""):
            sources = by_config.get(prefix + str(config_resource.get("address", "")), [])
            for source in sources:
                for path, reference in _references(config_resource.get("expressions") or {}, ()):
                    edges.extend(_edges_to(source, prefix, reference, path, "reference", by_config))
                for reference in config_resource.get("depends_on") or ():
                    edges.extend(_edges_to(source, prefix, str(reference), (), "depends_on",
                                           by_config))
        # ``references`` lists both ``aws_iam_role.r.name`` and ``aws_iam_role.r``: keep one
        unique: dict[tuple[str, str, str, Path], Edge] = {}
        for edge in edges:
            key = (edge.source, edge.target, edge.kind, edge.path)
            if key not in unique or (edge.attribute and not unique[key].attribute):
                unique[key] = edge
        return list(unique.values())


def _module_resources(module: JNode | None, name: str = "") -> Iterator[tuple[JNode, str]]:
    if module is None or module.kind != "object":
        return
    address = module.member("address")
    current = str(address.scalar) if address is not None else name
    resources = module.member("resources")
    for node in resources.items if resources is not None else ():
        if node.kind == "object":
            yield node, current
    children = module.member("child_modules")
    for child in children.items if children is not None else ():
        yield from _module_resources(child, current)


def _value_spans(node: JNode, path: Path, spans: dict[Path, Span],
                 span_of: Callable[[JNode], Span]) -> None:
    if node.kind == "object":
        for member in node.members:
            child = (*path, member.key)
            spans[child] = span_of(member.value)
            _value_spans(member.value, child, spans, span_of)
    elif node.kind == "array":
        for index, item in enumerate(node.items):
            child = (*path, index)
            spans[child] = span_of(item)
            _value_spans(item, child, spans, span_of)


def _apply_unknowns(target: Any, marks: Any, path: Path, address: str,
                    spans: Mapping[Path, Span], default: Span) -> Any:
    """Replace the values that ``after_unknown`` marks ``true`` by Unknowns (in place)."""
    if marks is True:
        dotted = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path)
        span = spans.get(path, default)
        return Unknown(f"{address}{dotted}", "known after apply", span)
    if isinstance(marks, dict):
        if not isinstance(target, dict):
            return target
        for key, mark in marks.items():
            if mark is False or mark == {} or mark == []:
                continue
            target[key] = _apply_unknowns(target.get(key), mark, (*path, key), address, spans,
                                          default)
        return target
    if isinstance(marks, list):
        if not isinstance(target, list):
            target = [None] * len(marks) if target is None else target
        if not isinstance(target, list):
            return target
        while len(target) < len(marks):
            target.append(None)
        for index, mark in enumerate(marks):
            if mark is False or mark == {} or mark == []:
                continue
            target[index] = _apply_unknowns(target[index], mark, (*path, index), address, spans,
                                            default)
        return target
    return target


# ---------------------------------------------------------------- configuration → edges


def _config_resources(module: Mapping[str, Any], prefix: str
                      ) -> Iterator[tuple[str, Mapping[str, Any]]]:
    for resource in module.get("resources") or ():
        if isinstance(resource, dict):
            yield prefix, resource
    for name, call in (module.get("module_calls") or {}).items():
        if isinstance(call, dict) and isinstance(call.get("module"), dict):
            yield from _config_resources(call["module"], f"{prefix}module.{name}.")


def _references(expressions: Any, path: Path) -> Iterator[tuple[Path, str]]:
    if isinstance(expressions, dict):
        refs = expressions.get("references")
        if isinstance(refs, list) and all(isinstance(r, str) for r in refs):
            for ref in refs:
                yield path, ref
        for key, value in expressions.items():
            if key != "references" and isinstance(value, (dict, list)):
                yield from _references(value, (*path, key))
    elif isinstance(expressions, list):
        for index, item in enumerate(expressions):
            yield from _references(item, (*path, index))


def _resource_part(reference: str) -> str | None:
    """``aws_iam_role.r.arn`` → ``aws_iam_role.r``; ``data.x.y.json`` → ``data.x.y``."""
    parts = config_address(reference).split(".")
    if parts[0] in _NOT_RESOURCES or len(parts) < 2:
        return None
    if parts[0] == "data":
        return ".".join(parts[:3]) if len(parts) >= 3 else None
    return ".".join(parts[:2])


def _edges_to(source: Resource, prefix: str, reference: str, path: Path, kind: str,
              by_config: Mapping[str, list[Resource]]) -> list[Edge]:
    part = _resource_part(reference)
    if part is None:
        return []
    targets = by_config.get(prefix + part, [])
    same_module = [t for t in targets if t.module == source.module]
    attribute = reference[len(part):].lstrip(".") if reference.startswith(part) else ""
    return [
        Edge(source.address, target.address, kind, path, source.span_at(path),
             attribute.split(".")[0] if attribute else "")
        for target in (same_module or targets)
        if target.address != source.address
    ]


# ---------------------------------------------------------------- pointing at the HCL source


def point_at_configuration(root: pathlib.Path, rel_path: str, result: ParseResult,
                           configuration: Any) -> None:
    """Move spans to the ``.tf`` blocks beside the plan when they define the same resources."""
    from linter.frontends.terraform.hcl import load_module  # plan ↔ hcl: imported on demand

    plan_dir = posixpath.dirname(rel_path)
    module_dirs: dict[str, str] = {"": plan_dir}
    if isinstance(configuration, dict):
        _module_dirs(configuration.get("root_module") or {}, "", plan_dir, module_dirs)
    blocks: dict[str, Block] = {}
    for prefix, directory in module_dirs.items():
        files, _ = load_module(root, directory or ".")
        blocks.update(_resource_blocks(files, prefix))
    if not blocks:
        return
    for index, resource in enumerate(result.resources):
        block = blocks.get(str(resource.meta.get("config_address", "")))
        if block is None:
            continue
        source_spans = _block_spans(block)
        spans = {path: _deepest(source_spans, path) for path in resource.spans}
        result.resources[index] = replace(resource, spans=spans, file=block.span.file)
    result.files.extend(sorted({b.span.file for b in blocks.values()} - set(result.files)))


def _module_dirs(module: Mapping[str, Any], prefix: str, directory: str,
                 out: dict[str, str]) -> None:
    for name, call in (module.get("module_calls") or {}).items():
        source = call.get("source") if isinstance(call, dict) else None
        if not isinstance(source, str) or not source.startswith(("./", "../")):
            continue
        child = posixpath.normpath(posixpath.join(directory or ".", source))
        if child.startswith(".."):
            continue
        child_prefix = f"{prefix}module.{name}."
        out[child_prefix] = "" if child == "." else child
        if isinstance(call.get("module"), dict):
            _module_dirs(call["module"], child_prefix, out[child_prefix], out)


def _resource_blocks(files: list[HclFile], prefix: str) -> dict[str, Block]:
    out: dict[str, Block] = {}
    for file in files:
        for block in file.body.blocks:
            if block.type == "resource" and len(block.labels) == 2:
                out[f"{prefix}{block.labels[0]}.{block.labels[1]}"] = block
            elif block.type == "data" and len(block.labels) == 2:
                out[f"{prefix}data.{block.labels[0]}.{block.labels[1]}"] = block
    return out


def _block_spans(block: Block, path: Path = ()) -> dict[Path, Span]:
    spans: dict[Path, Span] = {path: block.span}
    for attribute in block.body.attributes:
        key: Path = (*path, attribute.name)
        spans[key] = attribute.span
    counts: dict[str, int] = {}
    for nested in block.body.blocks:
        index = counts.get(nested.type, 0)
        counts[nested.type] = index + 1
        if index == 0:
            first: Path = (*path, nested.type)
            spans[first] = nested.span
        spans.update(_block_spans(nested, (*path, nested.type, index)))
    return spans


def _deepest(spans: Mapping[Path, Span], path: Path) -> Span:
    for cut in range(len(path), -1, -1):
        span = spans.get(path[:cut])
        if span is not None:
            return span
    return spans[()]
