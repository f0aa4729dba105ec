"""Which resources an attribute of a resource points at.

An attribute that names another resource (``iam_instance_profile``, ``launch_template.id``,
CloudFormation ``IamInstanceProfile: !Ref Profile``) can arrive in three shapes:

* a reference the evaluator could not turn into a value: an ``Unknown`` whose ``refs`` name the
  target, plus a ``reference`` edge from the attribute's path;
* a reference the evaluator did resolve (``aws_iam_role.app.name`` → ``"app"``): a literal
  value, plus the ``reference`` edge;
* a literal name or ARN written by hand (``iam_instance_profile = "web"``).

``resolve_ref`` tries the edges and the Unknown's refs first, then matches literal names and
ARNs against the resources of the expected types. The answer says whether nothing is set,
what was found, whether the value points outside the scan (a name of something created
elsewhere), whether it cannot be known, or whether it points at nothing at all (a reference to
an undeclared resource: a CloudFormation ``Ref`` to a logical id the template does not have).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable

from linter.graph.graph import Graph
from linter.model import Format, Path, Resource, Span, Unknown
from linter.records import record
from linter.regex import lazy

# CloudFormation pseudo parameters: a Ref to these is never dangling.
_PSEUDO = lazy(r"^AWS::")
# Terraform addresses that are not managed resources of this configuration (cannot dangle).
_TF_NOT_RESOURCE = lazy(r"^(?:var|local|data|module|path|terraform|each|count|self)\.")
_TF_RESOURCE = lazy(r"^(?:module\.[^.]+(?:\[[^\]]*\])?\.)*[a-z][a-z0-9_]*\.[A-Za-z_][\w-]*$")

# Where each type keeps its own name (what a literal name or ARN is matched against).
NAME_PATHS: dict[str, tuple[Path, ...]] = {
    "aws_iam_instance_profile": (("name",),),
    "aws_iam_role": (("name",),),
    "aws_iam_policy": (("name",),),
    "aws_launch_template": (("name",),),
    "aws_launch_configuration": (("name",),),
    "AWS::IAM::InstanceProfile": (("Properties", "InstanceProfileName"),),
    "AWS::IAM::Role": (("Properties", "RoleName"),),
    "AWS::IAM::ManagedPolicy": (("Properties", "ManagedPolicyName"),),
    "AWS::EC2::LaunchTemplate": (("Properties", "LaunchTemplateName"),),
    "AWS::AutoScaling::LaunchConfiguration": (("Properties", "LaunchConfigurationName"),),
}
# ARN resource segment of each type (arn:aws:iam::123:instance-profile/path/name).
ARN_KINDS: dict[str, str] = {
    "aws_iam_instance_profile": "instance-profile",
    "AWS::IAM::InstanceProfile": "instance-profile",
    "aws_iam_role": "role",
    "AWS::IAM::Role": "role",
    "aws_iam_policy": "policy",
    "AWS::IAM::ManagedPolicy": "policy",
}


class Status(enum.Enum):
    ABSENT = "absent"  # the attribute is not set (or null / empty)
    FOUND = "found"  # one or more scanned resources
    EXTERNAL = "external"  # a literal name/ARN/id of something not in this scan
    UNKNOWN = "unknown"  # cannot be known before deployment (variable, unresolved reference)
    DANGLING = "dangling"  # a reference to a resource that is not declared anywhere


@record
class Resolution:
    status: Status
    targets: tuple[Resource, ...] = ()
    value: object = None  # the attribute's value as evaluated
    path: Path = ()  # the attribute's path in the source resource
    span: Span | None = None  # the attribute's span
    unknown: Unknown | None = None  # why it is unknown (status UNKNOWN)
    missing: tuple[str, ...] = ()  # the undeclared addresses (status DANGLING)
    # status UNKNOWN: the scanned resources it refers to if it is set at all (a dynamic
    # block with an unknown for_each whose content names them); never counted as found
    candidates: tuple[Resource, ...] = ()

    @property
    def found(self) -> bool:
        return self.status is Status.FOUND


def lookup(graph: Graph, address: str) -> list[Resource]:
    """The resource at ``address``, or every instance of it (``x.y`` → ``x.y[0]``, ``x.y["a"]``)."""
    resource = graph.resources.get(address)
    if resource is not None:
        return [resource]
    prefix = address + "["
    return [r for a, r in graph.resources.items() if a.startswith(prefix)]


def _edge_targets(graph: Graph, source: Resource, path: Path) -> list[str]:
    out = []
    for edge in graph.out_edges(source.address, "reference"):
        shorter = min(len(edge.path), len(path))
        if edge.path and edge.path[:shorter] == path[:shorter]:
            out.append(edge.target)
    return out


def _refs_in(value: object) -> list[str]:
    if isinstance(value, Unknown):
        return list(value.refs)
    if isinstance(value, list):
        return [ref for item in value for ref in _refs_in(item)]
    if isinstance(value, dict):
        return [ref for item in value.values() for ref in _refs_in(item)]
    return []


def names_of(resource: Resource) -> list[str]:
    """The literal names a resource can be referred to by (its name attribute, CFN logical id)."""
    names = []
    for path in NAME_PATHS.get(resource.type, ()):
        value = resource.get(path)
        if isinstance(value, str) and value:
            names.append(value)
    return names


def name_from_arn(text: str) -> tuple[str, str] | None:
    """``arn:aws:iam::123:role/path/app`` → (``role``, ``app``); None when not an IAM ARN."""
    match = re.match(r"^arn:[^:]+:iam::[^:]*:([a-z-]+)/(?:.*/)?([^/]+)$", text)
    return (match.group(1), match.group(2)) if match else None


def match_literal(graph: Graph, text: str, types: Iterable[str]) -> list[Resource]:
    """Scanned resources of ``types`` named ``text`` (a plain name or an IAM ARN)."""
    types = tuple(types)
    arn = name_from_arn(text)
    out = []
    for resource in graph.of_type(*types):
        names = names_of(resource)
        if arn is not None:
            kind, name = arn
            if ARN_KINDS.get(resource.type) == kind and name in names:
                out.append(resource)
            continue
        if text in names or text == resource.address:
            out.append(resource)
    return out


def _nearest(source: Resource, candidates: list[Resource]) -> list[Resource]:
    """Of resources matching a name, those closest to ``source``: the same file, else the same
    format (names are account-wide, so a name may well refer to another stack or module)."""
    for same in (lambda r: r.file == source.file, lambda r: r.format is source.format):
        close = [r for r in candidates if same(r)]
        if close:
            return close
    return candidates


def is_dangling(graph: Graph, source: Resource, ref: str) -> bool:
    """A reference to something that would have to be declared in this scan and is not."""
    if lookup(graph, ref):
        return False
    if source.format is Format.CLOUDFORMATION:
        # a template is closed: a Ref/GetAtt target is a resource or a parameter of it; the
        # evaluator reports parameters as values (or Unknowns without refs), so a ref left
        # pointing at nothing names an undeclared logical id
        return not _PSEUDO.match(ref) and "." not in ref
    return bool(_TF_RESOURCE.match(ref)) and not _TF_NOT_RESOURCE.match(ref) and (
        _same_module(source.module, ref))


def _same_module(module: str, ref: str) -> bool:
    prefix = f"{module}." if module else ""
    rest = ref[len(prefix):] if ref.startswith(prefix) else None
    return rest is not None and not rest.startswith("module.")


def resolve_ref(graph: Graph, source: Resource, path: Path, types: Iterable[str]) -> Resolution:
    """What the attribute at ``path`` of ``source`` points at, among resources of ``types``."""
    types = tuple(types)
    value = source.get(path)
    span = source.spans.get(path)
    if value is None or value == "" or value == []:
        # a reference whose value came out empty (an attribute the target leaves to the
        # provider) still names its target: the edge decides, not the value
        referenced = _typed_targets(graph, _edge_targets(graph, source, path), types)
        if referenced:
            return Resolution(Status.FOUND, tuple(referenced.values()), value, path, span)
        return Resolution(Status.ABSENT, value=value, path=path, span=span)
    refs = list(dict.fromkeys([*_edge_targets(graph, source, path), *_refs_in(value),
                               *_undeclared(source, value)]))
    found = _typed_targets(graph, refs, types)
    if not found:
        for text in _literals(value):
            for target in _nearest(source, match_literal(graph, text, types)):
                found[target.address] = target
    if found:
        return Resolution(Status.FOUND, tuple(found.values()), value, path, span)
    missing = tuple(ref for ref in refs if is_dangling(graph, source, ref))
    if missing and not any(lookup(graph, ref) for ref in refs):
        return Resolution(Status.DANGLING, value=value, path=path, span=span, missing=missing)
    if isinstance(value, Unknown):
        return Resolution(Status.UNKNOWN, value=value, path=path, span=span, unknown=value)
    if refs:  # resolved to a value, but the referenced resource is of another type
        return Resolution(Status.EXTERNAL, value=value, path=path, span=span)
    if isinstance(value, (dict, list)):
        unknowns = _unknowns(value)
        if unknowns:
            return Resolution(Status.UNKNOWN, value=value, path=path, span=span,
                              unknown=unknowns[0])
    return Resolution(Status.EXTERNAL, value=value, path=path, span=span)


_CFN_REF = lazy(
    r"""^(?:!Ref\s+|!GetAtt\s+|Ref:\s*|Fn::GetAtt:\s*|\{\s*"(?:Ref|Fn::GetAtt)"\s*:\s*\[?\s*")"""
    r"([A-Za-z0-9]+)")
_TF_TRAVERSAL = lazy(r"^([a-z][a-z0-9_]*\.[A-Za-z_][\w-]*)(?:\[[^\]]*\])?\.[A-Za-z_]\w*$")


def candidates_at(graph: Graph, source: Resource, path: Path, types: Iterable[str]
                  ) -> tuple[Resource, ...]:
    """The resources of ``types`` that the references at or under ``path`` point at."""
    return tuple(_typed_targets(graph, _edge_targets(graph, source, path), tuple(types)).values())


def _typed_targets(graph: Graph, refs: Iterable[str], types: tuple[str, ...]
                   ) -> dict[str, Resource]:
    found: dict[str, Resource] = {}
    for ref in refs:
        for target in lookup(graph, ref):
            if target.type in types:
                found[target.address] = target
    return found


def _undeclared(source: Resource, value: object) -> list[str]:
    """The address named by a reference the evaluator left without refs because its target is
    not declared: a Terraform traversal (``aws_iam_role.ghost.name``), or a CloudFormation
    Ref/GetAtt to an undeclared logical id."""
    if isinstance(value, list):
        return [ref for item in value for ref in _undeclared(source, item)]
    if not isinstance(value, Unknown) or value.refs:
        return []
    if source.format is Format.CLOUDFORMATION:
        # the CloudFormation evaluator says so in the reason (a Ref/GetAtt to a logical id that
        # is neither a parameter nor a resource of the template)
        cfn = _CFN_REF.match(value.expression.strip())
        if cfn is not None and "neither a parameter nor a resource" in value.reason:
            return [cfn.group(1)]
        return []
    match = _TF_TRAVERSAL.match(value.expression.strip())
    if match is None or _TF_NOT_RESOURCE.match(match.group(1) + "."):
        return []
    return [f"{source.module}.{match.group(1)}" if source.module else match.group(1)]


def _literals(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    return []


def _unknowns(value: object) -> list[Unknown]:
    if isinstance(value, Unknown):
        return [value]
    if isinstance(value, list):
        return [u for item in value for u in _unknowns(item)]
    if isinstance(value, dict):
        return [u for item in value.values() for u in _unknowns(item)]
    return []
