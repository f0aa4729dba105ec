"""Inline suppressions written for other scanners, found where each scanner looks for them.

A team moving from Checkov, tfsec or Trivy already has its accepted risks written down in the
peers' own syntax; ``linter.engine.suppress`` maps the ids they name to iaclint rules (a rule's
``equivalents``) and honours them like ``iaclint:ignore``. Each syntax keeps the placement its
own scanner gives it (sources: each scanner's documentation and parser, see the rule docs):

* Checkov ``checkov:skip=CKV_AWS_79[,CKV_AWS_8][:reason]`` (also ``bridgecrew:skip=``,
  ``cortex:skip=``): on a line strictly inside a Terraform block, or anywhere in a
  CloudFormation resource's lines; covers that resource. The text after the ids is the reason.
  CloudFormation also ``Metadata: {checkov: {skip: [{id: CKV_AWS_79, comment: reason}]}}``
  (or ``bridgecrew:``). Skips of Checkov's secrets scanner (``CKV_SECRET_*``) are not taken:
  they silence that scanner on one line while Checkov's resource checks (CKV_AWS_46 …) still
  report the resource, as iaclint does.
* tfsec ``tfsec:ignore:ID[:exp:YYYY-MM-DD]`` and Trivy ``trivy:ignore:ID[:exp:YYYY-MM-DD]``
  (Trivy reads both prefixes; several on one line; ``*`` wildcards in the id): trailing a line,
  that line (and a block opening on it); on the comment lines just above a line, that line, so
  above a resource the whole resource and above a ``module`` block every resource of the module.
  No reason syntax; an expiry that has passed makes it inactive. Entries Trivy scopes to a
  workspace (``:ws:``) or to attribute values (``ID[key=value]``) are not honoured: iaclint
  cannot tell the workspace, and honouring them without the condition would hide more than
  their author meant.
* cfn_nag ``Metadata: {cfn_nag: {rules_to_suppress: [{id: W43, reason: …}]}}``: the resource.

This module only finds them; it knows no iaclint rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from linter.model import Format, Resource, Span
from linter.records import record
from linter.regex import lazy

CHECKOV = lazy(
    r"(?:#|//|/\*)[^\n]*?\b(?P<token>(?:checkov|bridgecrew|cortex):skip=)\s*"
    r"(?P<ids>[A-Za-z_\d-]+(?:,[A-Za-z_\d-]+)*)?(?::(?P<reason>[^\n]*))?"
)
TRIVY = lazy(
    r"^(?P<tool>trivy|tfsec):ignore:(?P<id>[^\s:\[\]]+)(?P<params>\[[^\]]*\])?"
    r"(?P<sections>(?::[a-z]+:[^\s:]*)*)$"
)
COMMENT_START = lazy(r"#|//|/\*")
TOKENS = ("checkov:skip=", "bridgecrew:skip=", "cortex:skip=", "tfsec:ignore:", "trivy:ignore:")
SECRETS = "CKV_SECRET_"  # Checkov's secrets scanner: see the module docstring
METADATA_KEYS = {"checkov": ("skip", "comment"), "bridgecrew": ("skip", "comment"),
                 "cfn_nag": ("rules_to_suppress", "reason")}


@record
class PeerSuppression:
    tool: str  # checkov | tfsec | trivy | cfn_nag
    ids: tuple[str, ...]  # as written (Trivy/tfsec ids may hold * wildcards)
    reason: str
    span: Span  # where it is written
    text: str  # the token as written, for the justification (checkov:skip=CKV_AWS_79)
    expires: str = ""
    applies_to: tuple[int, ...] = ()  # lines whose findings it covers
    resources: tuple[str, ...] = ()  # addresses of the resources it covers whole
    modules: tuple[str, ...] = ()  # module calls whose resources it covers


def in_text(text: str) -> bool:
    """Cheap test before parsing a file line by line."""
    return any(token in text for token in TOKENS)


def comment_suppressions(rel: str, text: str, resources: Sequence[Resource]
                         ) -> list[PeerSuppression]:
    """The Checkov, tfsec and Trivy comments of one file. ``resources``: those defined in it
    (the same block once per root module that uses it)."""
    lines = text.splitlines()
    found: list[PeerSuppression] = []
    for index, line in enumerate(lines, start=1):
        if not any(token in line for token in TOKENS):
            continue
        found.extend(_checkov(rel, index, line, resources))
        found.extend(_trivy(rel, index, line, lines, resources))
    return found


def _checkov(rel: str, index: int, line: str, resources: Sequence[Resource]
             ) -> list[PeerSuppression]:
    match = CHECKOV.search(line)
    if match is None or not match.group("ids"):
        return []
    holding = _innermost(resources, index)
    if not holding:
        return []
    reason = (match.group("reason") or "").strip().removesuffix("*/").strip()
    ids = tuple(i for i in match.group("ids").split(",") if i and not i.startswith(SECRETS))
    if not ids:
        return []
    return [PeerSuppression(
        tool="checkov", ids=ids, reason=reason,
        span=Span(rel, index, match.start("token") + 1),
        text=f"{match.group('token')}{match.group('ids')}",
        applies_to=(holding[0].header.start_line,),
        resources=tuple(dict.fromkeys(r.address for r in holding)),
    )]


def _innermost(resources: Sequence[Resource], line: int) -> list[Resource]:
    """The resources whose block holds ``line`` (strictly inside a Terraform block; anywhere
    in a CloudFormation resource), the innermost when blocks nest; every instance of it
    (``count``/``for_each`` instances share the block)."""
    holding = [
        r for r in resources
        if r.kind != "module" and _holds(r, line)
    ]
    if not holding:
        return []
    smallest = min(r.header.end_line - r.header.start_line for r in holding)
    return [r for r in holding if r.header.end_line - r.header.start_line == smallest]


def _holds(resource: Resource, line: int) -> bool:
    header = resource.header
    if resource.format is Format.CLOUDFORMATION:
        return header.start_line <= line <= header.end_line
    return header.start_line < line < header.end_line


def _trivy(rel: str, index: int, line: str, lines: Sequence[str],
           resources: Sequence[Resource]) -> list[PeerSuppression]:
    comment = COMMENT_START.search(line)
    if comment is None:
        return []
    own_line = not line[:comment.start()].strip()
    target = index
    if own_line:  # a stack of comment lines annotates the first code line below it
        target = index + 1
        while target <= len(lines) and COMMENT_START.match(lines[target - 1].lstrip()):
            target += 1
    starting = [r for r in resources if r.header.start_line == target]
    covered = tuple(dict.fromkeys(r.address for r in starting if r.kind != "module"))
    modules = tuple(dict.fromkeys(r.address for r in starting if r.kind == "module"))
    found: list[PeerSuppression] = []
    column = comment.start()
    for part in line[comment.start():].split():
        column = line.find(part, column)
        match = TRIVY.match(part.lstrip("#/*"))
        if match is None:
            continue
        sections = dict(_pairs(match.group("sections")))
        if match.group("params") or "ws" in sections:
            continue  # scoped to a workspace or to attribute values: see the module docstring
        found.append(PeerSuppression(
            tool=match.group("tool"), ids=(match.group("id"),), reason="",
            span=Span(rel, index, column + 1), text=match.group(0),
            expires=sections.get("exp", ""),
            applies_to=(index, target) if own_line else (index,),
            resources=covered, modules=modules,
        ))
    return found


def _pairs(sections: str) -> Iterable[tuple[str, str]]:
    parts = sections.split(":")[1:]
    return zip(parts[::2], parts[1::2], strict=False)


def metadata_suppressions(resources: Sequence[Resource]) -> list[PeerSuppression]:
    """CloudFormation ``Metadata`` entries for Checkov (``checkov``/``bridgecrew``) and
    cfn_nag."""
    found: list[PeerSuppression] = []
    for resource in resources:
        if resource.format is not Format.CLOUDFORMATION:
            continue
        metadata = resource.get(("Metadata",))
        if not isinstance(metadata, Mapping):
            continue
        for key, (list_key, reason_key) in METADATA_KEYS.items():
            entries = resource.get(("Metadata", key, list_key))
            if not isinstance(entries, list):
                continue
            for index, entry in enumerate(entries):
                if not isinstance(entry, Mapping) or not isinstance(entry.get("id"), str):
                    continue
                if entry["id"].startswith(SECRETS):
                    continue
                reason = entry.get(reason_key)
                found.append(PeerSuppression(
                    tool="cfn_nag" if key == "cfn_nag" else "checkov",
                    ids=(entry["id"],),
                    reason=reason.strip() if isinstance(reason, str) else "",
                    span=resource.span_at(("Metadata", key, list_key, index)),
                    text=f"Metadata.{key}.{list_key}: {entry['id']}",
                    resources=(resource.address,),
                ))
    return found


def all_suppressions(texts: Mapping[str, str], resources: Sequence[Resource]
                     ) -> list[PeerSuppression]:
    """Every peer suppression in the given files (path → text) and in CloudFormation metadata."""
    by_file: dict[str, list[Resource]] = {}
    for resource in resources:
        by_file.setdefault(resource.file, []).append(resource)
    found: list[PeerSuppression] = []
    for rel, text in sorted(texts.items()):
        if in_text(text):
            found.extend(comment_suppressions(rel, text, by_file.get(rel, [])))
    found.extend(metadata_suppressions(resources))
    return found
