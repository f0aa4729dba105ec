"""The shared data model: every stage speaks these types and nothing else.

Data flow: discover → parse → evaluate → graph → rules → suppress → report.

* A ``Span`` is a region of one file (1-based lines and columns, end inclusive of the last
  character's line, end column exclusive), with ``file`` a POSIX path relative to the scan root.
* Attribute values are JSON-like: ``None``, ``bool``, ``int``, ``float``, ``str``, ``list``,
  ``dict`` (string keys) — or an ``Unknown`` anywhere in the tree.
* ``Unknown`` is a value the scanner cannot know before deployment (a variable without value,
  a resource id, an unsupported function, ``Fn::ImportValue`` …). It carries the expression text,
  where it is, why it is unknown and which resources it refers to (so an unknown reference still
  makes a graph edge).
* Terraform nested blocks are stored as lists of objects (as in plan JSON):
  ``{"metadata_options": [{"http_tokens": "required"}]}``. CloudFormation resources keep the
  template's own keys: ``{"Type": …, "Properties": {…}, "Condition": …, "Metadata": …}``.
* ``Resource.spans`` maps an attribute path (tuple of keys and list indexes) to its source span;
  the empty path ``()`` is the whole resource block. Every attribute, nested block, list element
  and (for CloudFormation and decoded policy documents) every key that has a source position
  has an entry.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping
from dataclasses import field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from linter.records import mutable, record

PathKey = str | int
Path = tuple[PathKey, ...]


class Format(str, enum.Enum):
    TERRAFORM = "terraform"
    CLOUDFORMATION = "cloudformation"


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"

    @property
    def rank(self) -> int:
        return {"error": 3, "warning": 2, "note": 1}[self.value]


@record(order=True, slots=True)
class Span:
    file: str
    start_line: int
    start_col: int = 1
    end_line: int = 0  # 0 = same as start_line
    end_col: int = 0  # 0 = unknown / end of line

    if not TYPE_CHECKING:  # the type checker sees the dataclass's __init__: the same signature

        def __init__(self, file, start_line, start_col=1, end_line=0, end_col=0):
            """The dataclass's ``__init__`` and an end line defaulted in one call (a scan of
            10,000 resources makes 300,000 spans; a ``__post_init__`` cost each another)."""
            self.file = file
            self.start_line = start_line
            self.start_col = start_col
            self.end_line = end_line if end_line != 0 else start_line
            self.end_col = end_col

    def contains_line(self, line: int) -> bool:
        return self.start_line <= line <= self.end_line

    def __str__(self) -> str:
        return f"{self.file}:{self.start_line}:{self.start_col}"


@record
class Unknown:
    """A value that cannot be known before deployment (or that iaclint cannot evaluate)."""

    expression: str
    reason: str = "not known before apply"
    span: Span | None = None
    refs: tuple[str, ...] = ()  # addresses this expression refers to
    # the structure behind an unknown *string* when only parts of it are unknown, e.g. the
    # object given to ``jsonencode({... Resource = var.arn ...})`` with Unknowns inside
    partial: Any = field(default=None, compare=False, hash=False, repr=False)
    # where the value is read at deploy time, when the code says so: an SSM parameter
    # (``ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-6.1-x86_64``)
    resolved_from: str = field(default="", compare=False, hash=False, repr=False)

    def __bool__(self) -> bool:  # guard against accidental truthiness checks
        raise TypeError("the truth value of an Unknown is unknown; check isinstance first")

    def __repr__(self) -> str:
        return f"Unknown({self.expression!r})"


def is_unknown(value: object) -> bool:
    return isinstance(value, Unknown)


def contains_unknown(value: object) -> bool:
    if isinstance(value, Unknown):
        return True
    if isinstance(value, dict):
        return any(contains_unknown(v) for v in value.values())
    if isinstance(value, list):
        return any(contains_unknown(v) for v in value)
    return False


@record
class Edge:
    """A directed link between two resources of the graph.

    ``kind``: ``reference`` (a Terraform traversal, CFN Ref / GetAtt / Sub), ``depends_on``,
    or a derived kind added by the graph stage (``instance_profile``, ``role``,
    ``launch_template``, ``policy_attachment`` …).
    """

    source: str
    target: str
    kind: str = "reference"
    path: Path = ()  # attribute path in the source resource that holds the reference
    span: Span | None = None
    attribute: str = ""  # attribute of the target that is referenced (``name``, ``Arn`` …)


@record
class Resource:
    """One normalized resource (or data source, provider, module call) of either format."""

    # aws_instance.web[0], module.app.aws_instance.this, data.x.y, provider.aws, LogicalId
    address: str
    type: str  # native type: aws_instance, AWS::EC2::Instance, provider "aws" → "provider.aws"
    format: Format
    kind: str  # terraform: resource | data | provider | module; cloudformation: resource
    attributes: dict[str, Any]
    spans: Mapping[Path, Span]
    file: str  # the file that defines the resource (relative to the scan root)
    module: str = ""  # terraform module path ("" for root, "module.app", …)
    origins: Mapping[Path, tuple[Span, ...]] = field(default_factory=dict)
    # where an evaluated value came from (variable default, tfvars, module argument, parameter)
    meta: Mapping[str, Any] = field(default_factory=dict)
    # free-form facts from the front end: "source_resource" for SAM-generated resources,
    # "condition" for a CFN condition, "count_unknown" …
    # the unit the resource belongs to: its Terraform root module directory ("." for the scan
    # root) or its CloudFormation template file; addresses are unique within a unit only
    unit: str = ""

    @property
    def header(self) -> Span:
        span = self.spans.get(())  # the fallback made only when needed
        return span if span is not None else Span(self.file, 1)

    def span_at(self, path: Path) -> Span:
        """The deepest existing span on ``path`` (attribute, else enclosing block, else header)."""
        span = self.spans.get(path)  # the usual case: the path itself has one
        if span is not None:
            return span
        for cut in range(len(path) - 1, -1, -1):
            span = self.spans.get(path[:cut])
            if span is not None:
                return span
        return self.header

    def get(self, path: Path, default: Any = None) -> Any:
        node: Any = self.attributes
        for key in path:
            if isinstance(node, list) and isinstance(key, int) and -len(node) <= key < len(node):
                node = node[key]
                continue
            if isinstance(node, dict) and isinstance(key, str) and key in node:
                node = node[key]
                continue
            return default
        return node


def condition_note(resource: Resource) -> str:
    """``when condition IsProd is true and IsEu is false`` for a CloudFormation condition
    variant (``meta["condition_values"]``), else ""."""
    values = resource.meta.get("condition_values")
    if not isinstance(values, Mapping) or not values:
        return ""
    parts = [f"{name} is {'true' if value else 'false'}" for name, value in values.items()]
    return "when condition " + " and ".join(parts)


def scope_note(resource: Resource) -> str:
    """What one judged resource stands for, when that is not simply itself, as a note for
    every finding on it (the front ends say so in ``meta``):

    * ``meta["judged_by_inputs"]``: a resource a registry module would create, synthesized
      from the module call's arguments because the module is not downloaded;
    * ``meta["instances_unknown"]``: resources and module calls whose ``count`` / ``for_each``
      is unknown, so that one verdict stands for instances that cannot be told apart.
    """
    notes = []
    judged = resource.meta.get("judged_by_inputs")
    if isinstance(judged, str) and judged:
        notes.append(judged)
    collapsed = resource.meta.get("instances_unknown")
    if isinstance(collapsed, (list, tuple)) and collapsed:
        names = ", ".join(str(name) for name in collapsed)
        notes.append(f"judged once for every instance of {names}: count/for_each is not "
                     "known, so the instances cannot be told apart")
    return f" ({'; '.join(notes)})" if notes else ""


def scope_related(resource: Resource) -> tuple[Related, ...]:
    """The module call a resource judged by its inputs comes from, as a related location
    (``meta["module_call"]`` and ``meta["module_call_span"]``)."""
    call, span = resource.meta.get("module_call"), resource.meta.get("module_call_span")
    if not isinstance(call, str) or not isinstance(span, Span):
        return ()
    return (Related(span, f"{resource.address} is what the call of {call} would create; the "
                    "module is not downloaded, so it is judged by the call's inputs", call),)


@record
class Match:
    """One value found at a rule path, with the concrete path it was found at."""

    path: Path
    value: Any


def parse_path(text: str) -> Path:
    """``metadata_options.http_tokens`` / ``Properties.Tags[0].Key`` → path tuple."""
    out: list[PathKey] = []
    for part in text.split("."):
        while "[" in part:
            head, _, rest = part.partition("[")
            if head:
                out.append(head)
            index, _, part = rest.partition("]")
            out.append(int(index) if index.lstrip("-").isdigit() else index.strip("\"'"))
        if part:
            out.append(part)
    return tuple(out)


def resolve(root: Any, path: Path, prefix: Path = ()) -> Iterator[Match]:
    """Every value at ``path`` under ``root``; a name step over a list visits each element.

    Terraform stores nested blocks as lists, so ``metadata_options.http_tokens`` finds the
    attribute in every ``metadata_options`` block. An Unknown met on the way is yielded itself
    (the rule cannot know what lies below it).
    """
    if not path:
        yield Match(prefix, root)
        return
    if isinstance(root, Unknown):
        yield Match(prefix, root)
        return
    key, rest = path[0], path[1:]
    if isinstance(root, list):
        if isinstance(key, int):
            if -len(root) <= key < len(root):
                yield from resolve(root[key], rest, (*prefix, key % len(root)))
            return
        for index, item in enumerate(root):
            yield from resolve(item, path, (*prefix, index))
        return
    if isinstance(root, dict) and isinstance(key, str) and key in root:
        yield from resolve(root[key], rest, (*prefix, key))


@record
class Related:
    """A secondary location of a finding (a hop of a chain, the origin of a value)."""

    span: Span
    message: str
    address: str = ""


@record
class Suppression:
    kind: str  # inSource | external (baseline)
    justification: str = ""
    expires: str = ""


@record
class Edit:
    """Replace the text of ``span`` (against the unmodified file) with ``text``.

    Columns count characters (Unicode code points), 1-based, ``end_col`` exclusive; a span with
    ``start == end`` is an insertion point. ``span.end_col`` is never 0 here."""

    span: Span
    text: str


@record
class Fix:
    """The automatic fix of a finding (``iaclint check --fix``).

    ``edits`` empty means the finding was left unfixed and ``note`` says why (the value is
    shared with a resource that is not flagged, comes from an expression, the file does not
    parse …). All edits of one fix are applied together or not at all."""

    description: str  # what the fix does: 'set http_tokens = "required" in metadata_options'
    edits: tuple[Edit, ...] = ()
    note: str = ""  # why there is no edit ("" when there are edits)

    @property
    def applicable(self) -> bool:
        return bool(self.edits)

    @property
    def files(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(edit.span.file for edit in self.edits))


@record
class Finding:
    rule_id: str
    rule_name: str
    category: str
    severity: Severity
    message: str
    span: Span
    address: str = ""  # resource address ("" for file-level findings)
    resource_type: str = ""
    related: tuple[Related, ...] = ()
    fingerprint: str = ""  # stable across unrelated edits; filled by the engine
    root: str = ""  # the unit of the resource (Terraform root module directory or template)
    suppression: Suppression | None = None
    properties: Mapping[str, Any] = field(default_factory=dict)
    fix: Fix | None = None  # filled by the fix stage for rules that declare an autofix
    # what the check reported (its message placeholders: the allowed maximum …); not rendered
    details: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.span.file, self.span.start_line, self.span.start_col, self.rule_id)


class Tri(enum.Enum):
    TRUE = "true"
    FALSE = "false"
    UNKNOWN = "unknown"


@record
class Outcome:
    verdict: Tri
    paths: tuple[Path, ...] = ()  # attribute paths of ctx.resource where the condition held
    spans: tuple[Span, ...] = ()  # explicit spans (e.g. a statement in another resource)
    details: Mapping[str, Any] = field(default_factory=dict)  # message placeholders
    related: tuple[Related, ...] = ()
    unknowns: tuple[Unknown, ...] = ()

    @staticmethod
    def true(**kwargs: Any) -> Outcome:
        return Outcome(Tri.TRUE, **kwargs)

    @staticmethod
    def false(**kwargs: Any) -> Outcome:
        return Outcome(Tri.FALSE, **kwargs) if kwargs else _FALSE

    @staticmethod
    def unknown(*unknowns: Unknown, **kwargs: Any) -> Outcome:
        return Outcome(Tri.UNKNOWN, unknowns=unknowns, **kwargs)


# the plain FALSE most conditions return: one shared outcome (records are not changed; its
# details cannot be) instead of one made for each of ~50,000 resources a rule does not fire on
_FALSE = Outcome(Tri.FALSE, details=MappingProxyType({}))


@record
class UnknownVerdict:
    """A rule whose verdict on a resource depends on a value iaclint could not know."""

    rule_id: str
    address: str
    span: Span
    unknowns: tuple[Unknown, ...]
    root: str = ""  # the unit of the resource (see Finding.root)


@mutable
class ParseResult:
    """What a front end returns for one unit (a Terraform root module or one template)."""

    resources: list[Resource] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)  # broken files, tool notes
    unknowns: list[Unknown] = field(default_factory=list)  # unknowns met while evaluating
    files: list[str] = field(default_factory=list)  # files that were read
