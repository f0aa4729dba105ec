"""Registry modules that are not downloaded, judged by the arguments of their call.

Without ``.terraform/modules`` a call of a registry module is a ``module`` resource holding its
evaluated arguments, and nothing it creates is visible. For the modules that launch instances
most often — terraform-aws-modules ec2-instance, autoscaling and eks (its node-group maps and
the eks-managed-node-group / self-managed-node-group sub-modules) — ``data/registry_modules.yaml``
records, per range of releases, how the module turns its inputs into the instance identity
settings (metadata options, instance profile, the role and its policies). Each such call is
turned into the resources the module would create, built from its arguments and the module's
defaults, so that the ordinary rules judge them:

* ``module.web.aws_instance.this`` / ``aws_launch_template.this`` /
  ``aws_launch_configuration.this`` / ``aws_eks_node_group.this`` with ``metadata_options``,
  ``iam_instance_profile``, the image (``ami`` / ``image_id``) and node group launch templates;
* ``aws_iam_role.this``, ``aws_iam_instance_profile.this`` and one
  ``aws_iam_role_policy_attachment.this["key"]`` per managed policy ARN the call attaches.

Every synthesized resource points at the call: its header is the module block (a node group
of the eks root module: its key in the map), each attribute that comes from an argument at
that argument (or the key written in it), and ``meta["judged_by_inputs"]`` says which release
was assumed. The version is resolved as ``terraform init`` would (hashicorp/go-version
constraints: the newest known release that matches; the newest of all without ``version``).
Sources that are not in the data, a version no known release matches, or a git ``ref`` that is
not a release tag leave the call unjudged (``Unjudged``, an IAC0004 note as before).
"""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import field
from typing import Any

from linter.frontends.terraform.hcl import parse_hcl
from linter.frontends.terraform.hcl_ast import Expr, Literal, Template
from linter.frontends.terraform.type_constraints import TfType, convert, parse_type
from linter.frontends.terraform.values import EvalError, to_bool, to_number
from linter.model import Edge, Format, Path, Resource, Span, Unknown
from linter.records import mutable, record
from linter.regex import lazy

DATA_FILE = "registry_modules.yaml"
# the sources the data covers (checked against the data by a test): a call of any other module
# never loads it
COVERED_SOURCES = frozenset({"terraform-aws-modules/ec2-instance/aws",
                             "terraform-aws-modules/autoscaling/aws",
                             "terraform-aws-modules/eks/aws"})
IMDS_KEYS = ("http_tokens", "http_put_response_hop_limit", "http_endpoint")
# the input a call gives its image in, per synthesized type (passed through when given)
_IMAGE_INPUTS = {"aws_instance": (("ami",), "ami"),
                 "aws_launch_template": (("image_id", "ami_id"), "image_id"),
                 "aws_launch_configuration": (("image_id",), "image_id")}
_EC2_TRUST = ('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole",'
              '"Principal":{"Service":"ec2.amazonaws.com"}}]}')
_GIT_SOURCE = lazy(
    r"^(?:git::)?(?:https://|ssh://git@|git@)?github\.com[/:]terraform-aws-modules/"
    r"terraform-aws-(?P<name>[a-z0-9-]+?)(?:\.git)?(?://(?P<sub>[^?]+))?(?:\?ref=(?P<ref>.+))?$")
_VERSION = lazy(r"^v?(\d+(?:\.\d+){0,2})$")
_CONSTRAINT = lazy(r"^(~>|>=|<=|!=|=|>|<)?\s*v?(\d+(?:\.\d+){0,2})$")

Version = tuple[int, int, int]


# ---------------------------------------------------------------- the data


@functools.cache
def registry_data() -> dict[str, Any]:
    """The shipped data (``linter/frontends/terraform/data/registry_modules.yaml``)."""
    from importlib import resources  # lazy, as yaml below: importing it costs 4 % of a one-file run

    text = resources.files("linter.frontends.terraform").joinpath(
        f"data/{DATA_FILE}").read_text(encoding="utf-8")
    import yaml  # lazy: only runs that call a covered registry module read the data

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    data: dict[str, Any] = yaml.load(text, Loader=loader)
    return data


def _parse_version(text: str) -> Version | None:
    match = _VERSION.match(text.strip())
    if match is None:
        return None
    major, minor, patch = [*(int(p) for p in match.group(1).split(".")), 0, 0][:3]
    return major, minor, patch


def _show(version: Version) -> str:
    return ".".join(str(p) for p in version)


def matches(version: Version, constraint: str) -> bool:
    """Does ``version`` satisfy a Terraform module version constraint (hashicorp/go-version:
    comma = and; ``~> 5.0`` is >= 5.0, < 6.0; ``~> 5.7.0`` < 5.8.0; ``~> 21`` has no upper
    bound)? A constraint that does not parse matches nothing."""
    parts = [p.strip() for p in constraint.split(",") if p.strip()]
    if not parts:
        return False
    for part in parts:
        found = _CONSTRAINT.match(part)
        if found is None:
            return False
        op, digits = found.group(1) or "=", [int(d) for d in found.group(2).split(".")]
        bound = tuple([*digits, 0, 0][:3])
        if op == "~>":
            if version < bound or list(version[: len(digits) - 1]) != digits[:-1]:
                return False
        elif not {"=": version == bound, "!=": version != bound, ">": version > bound,
                  "<": version < bound, ">=": version >= bound, "<=": version <= bound}[op]:
            return False
    return True


def lower_bound(constraint: str) -> Version | None:
    """The lowest version a constraint admits when it names one (``~> 21.26`` → 21.26.0)."""
    bounds = []
    for part in (p.strip() for p in constraint.split(",")):
        found = _CONSTRAINT.match(part)
        if found is not None and (found.group(1) or "=") in ("~>", ">=", "=", ">"):
            major, minor, patch = [*(int(d) for d in found.group(2).split(".")), 0, 0][:3]
            bounds.append((major, minor, patch))
    return max(bounds) if bounds else None


# ---------------------------------------------------------------- recognising a call


@record
class Judgement:
    """A call the data covers: which entry of the data, for which release, and why."""

    source: str  # "terraform-aws-modules/ec2-instance/aws" or "…/eks/aws//modules/…"
    version: str  # "6.4.0"
    how: str  # 'the newest known release matching "~> 6.0"'
    entry: Mapping[str, Any]

    def describe(self, call: str) -> str:
        return (f"{call} is not downloaded: judged by its inputs as {self.source} "
                f"{self.version}, {self.how} (releases {self.entry['versions']} behave alike)")


@record
class Unjudged:
    """A registry module the data knows but cannot judge at this call (the IAC0004 reason)."""

    reason: str


def recognise(source: str | None, version: str | None) -> Judgement | Unjudged | None:
    """The data's entry for a module call, or why it cannot be judged; None for a source the
    data does not cover."""
    if not source:
        return None
    normalized, pinned = _normalize_source(source)
    if normalized is None or normalized.partition("//")[0] not in COVERED_SOURCES:
        return None
    data = registry_data()
    base, _, _sub = normalized.partition("//")
    known = next((s for s in data["sources"] if s["source"] == base), None)
    if known is None:
        return None
    entries = [m for m in data["modules"] if m["source"] == normalized]
    if not entries:
        return None
    releases = sorted(v for v in (_parse_version(r) for r in known["releases"]) if v)
    if pinned is not None:
        if _parse_version(pinned) is None:
            return Unjudged(f"its git ref {pinned!r} is not a release tag of {base}")
        chosen: Version | None = _parse_version(pinned)
        how = f"the release its git ref {pinned} names"
    elif version is None or not version.strip():
        chosen, how = releases[-1], "the newest known release (the call has no version)"
    else:
        fitting = [r for r in releases if matches(r, version)]
        lowest = lower_bound(version)
        if fitting:
            chosen, how = fitting[-1], f'the newest known release matching "{version}"'
        elif lowest is not None and lowest > releases[-1] and matches(lowest, version):
            # newer than the data (which stops at its snapshot): the range that holds the
            # constraint's lowest release, if the data has one
            chosen = lowest
            how = (f'"{version}" asks for releases newer than the newest iaclint knows '
                   f"({_show(releases[-1])}): judged as {_show(lowest)}")
        else:
            return Unjudged(f"no release of {base} known to iaclint matches version "
                            f"{version!r}")
    assert chosen is not None
    entry = next((e for e in entries if matches(chosen, e["versions"])), None)
    if entry is None:
        return Unjudged(f"{normalized} {_show(chosen)} is not modelled by iaclint")
    if entry.get("coverage") == "partial":
        return Unjudged(f"{normalized} {_show(chosen)} is only partly modelled by iaclint")
    return Judgement(normalized, _show(chosen), how, entry)


def _normalize_source(source: str) -> tuple[str | None, str | None]:
    """(registry source with ``//sub`` path, pinned git ref) of a module source string."""
    text = source.strip()
    git = _GIT_SOURCE.match(text)
    if git is not None:
        sub = (git.group("sub") or "").strip("/")
        base = f"terraform-aws-modules/{git.group('name')}/aws"
        return (f"{base}//{sub}" if sub else base), (git.group("ref") or None)
    text = re.sub(r"^tfr://", "", text)
    text = re.sub(r"^registry\.terraform\.io/", "", text, flags=re.IGNORECASE)
    text, _, query = text.partition("?")
    base, _, sub = text.partition("//")
    if base.lower().count("/") != 2 or not base.lower().startswith("terraform-aws-modules/"):
        return None, None
    pinned = None
    if query.startswith("version="):
        pinned = query[len("version="):]
    normalized = base.lower() + (f"//{sub.strip('/')}" if sub.strip("/") else "")
    return normalized, pinned


# ---------------------------------------------------------------- the call's inputs


@mutable
class Inputs:
    """The arguments a module (or a node group of the eks root module) receives, with where
    each was written. ``paths`` maps an input name to its path in the ``module`` resource."""

    call: Resource
    values: dict[str, Any]
    paths: dict[str, Path]
    header: Span
    address: str  # the module instance the synthesized resources belong to

    def has(self, name: str) -> bool:
        """Given by the call, even as null (a null argument is left out of the attributes
        but keeps its span)."""
        return name in self.values or (
            name in self.paths and self.paths[name] in self.call.spans)

    def get(self, name: str, default: Any = None) -> Any:
        return self.values.get(name, default)

    def span(self, name: str, *keys: str) -> Span | None:
        path = self.paths.get(name)
        if path is None:
            return None
        return self.call.spans.get((*path, *keys))

    def origins(self, name: str) -> tuple[Span, ...]:
        path = self.paths.get(name)
        return tuple(self.call.origins.get(path, ())) if path is not None else ()


def _truthy(value: Any) -> bool | None:
    """True / False, None when unknown (the module's condition would be unknown too)."""
    if isinstance(value, Unknown):
        return None
    if isinstance(value, str) and value not in ("true", "false"):
        return value != ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value > 0
    try:
        flag = to_bool(value)
    except EvalError:
        return bool(value)
    return bool(flag) if flag is not None else False


def conditions_hold(conditions: Iterable[Mapping[str, Any]], inputs: Inputs) -> bool | None:
    """Do all conditions hold (None: one of them is unknown and none is false)?"""
    unknown = False
    for condition in conditions:
        value = inputs.get(condition["input"], condition.get("default"))
        if isinstance(value, Unknown):
            unknown = True
            continue
        if "equals" in condition:
            held: bool | None = value == condition["equals"]
        elif "not_equals" in condition:
            held = value != condition["not_equals"]
        else:
            held = _truthy(value)
        if held is None:
            unknown = True
        elif not held:
            return False
    return None if unknown else True


# ---------------------------------------------------------------- synthesis


@mutable
class Synthesized:
    resources: list[Resource] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    notes: list[tuple[str, Span]] = field(default_factory=list)


@mutable
class _Builder:
    """One synthesized resource being put together."""

    address: str
    type: str
    attributes: dict[str, Any] = field(default_factory=dict)
    spans: dict[Path, Span] = field(default_factory=dict)
    origins: dict[Path, tuple[Span, ...]] = field(default_factory=dict)


def judge_call(judgement: Judgement, call: Resource, call_edges: list[Edge]) -> Synthesized:
    """The resources a module call would create, as far as the rules need them."""
    out = Synthesized()
    entry = judgement.entry
    written = {path[0] for path in call.spans if len(path) == 1 and isinstance(path[0], str)}
    base = Inputs(call, dict(call.attributes),
                  {name: (name,) for name in {*call.attributes, *written}},
                  call.header, call.address)
    note = judgement.describe(call.address)
    if "maps" in entry:
        if conditions_hold(entry.get("enabled_by", ()), base) is False:
            return out
        for spec in entry["maps"]:
            sub = recognise(spec["module"], judgement.version)
            if not isinstance(sub, Judgement):
                continue
            for group in _groups(spec, base, out):
                _module(sub.entry, group, call_edges, note, out)
        return out
    _module(entry, base, call_edges, note, out)
    return out


def _groups(spec: Mapping[str, Any], base: Inputs, out: Synthesized) -> Iterable[Inputs]:
    """One set of inputs per node group of an eks root module map argument."""
    groups = base.get(spec["input"])
    if groups is None:
        return
    if isinstance(groups, Unknown) or not isinstance(groups, dict):
        out.notes.append((f"{spec['input']} of {base.address} is not known: its node groups "
                          "are not judged", base.span(spec["input"]) or base.header))
        return
    defaults_input = spec.get("defaults_input")
    defaults = base.get(defaults_input) if defaults_input else None
    module_name = spec["input"].rstrip("s")
    for key in sorted(groups):
        group = groups[key]
        if not isinstance(group, dict):
            continue
        values: dict[str, Any] = {}
        paths: dict[str, Path] = {}
        names = set(group) | set(spec.get("fallbacks") or {}) | (
            set(defaults) if isinstance(defaults, dict) else set())
        for name in names:
            if name in group:  # try(each.value.x, …): present, even null, wins
                values[name], paths[name] = group[name], (spec["input"], key, name)
            elif isinstance(defaults, dict) and name in defaults and defaults_input:
                values[name], paths[name] = defaults[name], (str(defaults_input), name)
            elif spec.get("resolve") == "try-chain" and name in (spec.get("fallbacks") or {}):
                fallback = spec["fallbacks"][name]
                values[name] = key if fallback == "<map key>" else copy.deepcopy(fallback)
        header = base.call.spans.get((spec["input"], key), base.header)
        yield Inputs(base.call, values, paths, header,
                     f"{base.address}.module.{module_name}[\"{key}\"]")


def _module(entry: Mapping[str, Any], inputs: Inputs, call_edges: list[Edge], note: str,
            out: Synthesized) -> None:
    role = _role(entry.get("role"), inputs, call_edges, note, out)
    templates: dict[str, str] = {}
    # a managed node group's template (EKS attaches the node role: profile attached_by eks)
    # matters only when the node group launches from it: held back until the group decides
    held: dict[str, tuple[_Builder, bool]] = {}
    for launch in entry.get("launches", ()):
        enabled = conditions_hold(launch.get("enabled_by", ()), inputs)
        if enabled is False:
            continue
        builder = _Builder(f"{inputs.address}.{launch['resources'][0]}", launch["judge_as"])
        if launch["kind"] == "node_group":
            _node_group(launch, inputs, builder, role, templates)
            _emit(builder, inputs, note, out, maybe=enabled is None)
            for address in _used_templates(builder):
                out.edges.append(Edge(builder.address, address, "reference",
                                      ("launch_template", 0, "id"), inputs.header, "id"))
                if address in held:
                    template, maybe = held.pop(address)
                    _emit(template, inputs, note, out, maybe)
            continue
        _imds(launch.get("imds") or {}, inputs, builder, out)
        _profile(launch.get("profile") or {}, inputs, builder, role, call_edges, out)
        _image(inputs, builder, call_edges, out)
        templates[launch["kind"]] = builder.address
        if (launch.get("profile") or {}).get("attached_by") == "eks":
            held[builder.address] = (builder, enabled is None)
        else:
            _emit(builder, inputs, note, out, maybe=enabled is None)


def _used_templates(group: _Builder) -> list[str]:
    """The synthesized templates a node group launches from (or may: an unknown block)."""
    block = group.attributes.get("launch_template")
    if isinstance(block, Unknown):
        return list(block.refs)
    refs: list[str] = []
    for item in block if isinstance(block, list) else ():
        value = item.get("id") if isinstance(item, dict) else None
        if isinstance(value, Unknown):
            refs.extend(value.refs)
    return refs


def _emit(builder: _Builder, inputs: Inputs, note: str, out: Synthesized,
          maybe: bool = False) -> Resource:
    spans = {(): inputs.header, **builder.spans}
    meta: dict[str, Any] = {"header": inputs.header, "judged_by_inputs": note,
                            "module_call": inputs.call.address,
                            "module_call_span": inputs.call.header}
    collapsed = list(inputs.call.meta.get("instances_unknown") or ())
    if maybe:
        collapsed.append(builder.address)  # created only if an unknown switch is on
    if collapsed:
        meta["instances_unknown"] = collapsed
    resource = Resource(builder.address, builder.type, Format.TERRAFORM, "resource",
                        builder.attributes, spans, inputs.call.file, inputs.address,
                        builder.origins, meta)
    out.resources.append(resource)
    return resource


def _copy_edges(inputs: Inputs, name: str, source: str, to: Path, call_edges: list[Edge],
                out: Synthesized) -> None:
    """The references written in an argument, as edges of the synthesized attribute."""
    path = inputs.paths.get(name)
    if path is None:
        return
    for edge in call_edges:
        if edge.kind == "reference" and edge.path[: len(path)] == path:
            out.edges.append(Edge(source, edge.target, "reference", to, edge.span,
                                  edge.attribute))


# ---------------------------------------------------------------- metadata options


def _imds(spec: Mapping[str, Any], inputs: Inputs, builder: _Builder, out: Synthesized) -> None:
    name = spec.get("input")
    if not name:
        return
    given = inputs.has(name)
    value = inputs.get(name) if given else copy.deepcopy(spec.get("default"))
    if given:
        span = inputs.span(name)
        if span is not None:
            builder.spans[("metadata_options",)] = span
            builder.spans[("metadata_options", 0)] = span
        origins = inputs.origins(name)
        if origins:
            builder.origins[("metadata_options",)] = origins
    if isinstance(value, list) and len(value) == 1 and isinstance(value[0], dict):
        # written as a block (`metadata_options { … }`): not valid Terraform for a module
        # call, but it spells out the object meant, which is what the module would receive
        value = value[0]
        if given:
            inputs.paths[name] = (*inputs.paths[name], 0)
    if isinstance(value, Unknown):
        builder.attributes["metadata_options"] = value
        return
    if value is None and given:
        when = spec.get("when_null", "omitted")
        if when == "default":
            value = copy.deepcopy(spec.get("default"))
        elif when == "invalid":
            reason = f"{name} = null makes terraform plan fail for this release of the module"
            out.notes.append((reason, inputs.span(name) or inputs.header))
            builder.attributes["metadata_options"] = Unknown(f"{name} = null", reason,
                                                             inputs.span(name))
            return
        else:
            return
    if value is None:
        return
    if not isinstance(value, dict):
        builder.attributes["metadata_options"] = Unknown(
            f"{inputs.address} input {name}", f"{name} is not an object", inputs.span(name))
        return
    value = _converted(value, spec.get("type"))
    if isinstance(value, Unknown):
        builder.attributes["metadata_options"] = value
        return
    if not value and spec.get("when_empty", "keys") == "omitted":
        return
    block: dict[str, Any] = {}
    key_defaults = spec.get("key_defaults") or {}
    for key in IMDS_KEYS:
        if key in value and value[key] is not None:
            block[key] = value[key]
            span = inputs.span(name, key)
            if span is not None:
                builder.spans[("metadata_options", 0, key)] = span
        elif key in value:  # written as null
            if spec.get("null_key") == "key_default" and key in key_defaults:
                block[key] = key_defaults[key]
        elif spec.get("merge") == "per-key" and key in key_defaults:
            block[key] = key_defaults[key]
    builder.attributes["metadata_options"] = [block]


@functools.cache
def _type(text: str) -> TfType:
    parsed = parse_hcl("registry_modules.yaml", f"v = {text}\n".encode())
    attribute = parsed.body.attribute("v")
    if attribute is None or parsed.problems:
        raise EvalError(f"invalid type {text}")
    return parse_type(attribute.expr, _const)


def _const(expr: Expr) -> Any:
    if isinstance(expr, Literal):
        return expr.value
    if isinstance(expr, Template) and all(isinstance(p, str) for p in expr.parts):
        return "".join(p for p in expr.parts if isinstance(p, str))
    number = to_number(expr.text) if expr.text.replace(".", "", 1).isdigit() else None
    if number is not None:
        return number
    raise EvalError(f"not a constant: {expr.text}")


def _converted(value: dict[str, Any], type_text: str | None) -> Any:
    if not type_text:
        return value
    try:
        return convert(value, _type(" ".join(type_text.split())))
    except EvalError as exc:
        return Unknown("metadata_options", f"the module would reject it: {exc}")


# ---------------------------------------------------------------- profile, image, role


@record
class _Role:
    role: str  # address of the synthesized role
    profile: str  # address of the synthesized instance profile ("" if the module makes none)


def _role(spec: Mapping[str, Any] | None, inputs: Inputs, call_edges: list[Edge], note: str,
          out: Synthesized) -> _Role | None:
    if not spec:
        return None
    created = conditions_hold(spec.get("created_when", ()), inputs)
    if created is False:
        return None
    maybe = created is None
    names = [str(r) for r in spec.get("resources", ())]
    role = _Builder(f"{inputs.address}.{names[0]}", "aws_iam_role",
                    {"assume_role_policy": _EC2_TRUST})
    _emit(role, inputs, note, out, maybe)
    profile_address = ""
    if len(names) > 1:
        profile = _Builder(f"{inputs.address}.{names[1]}", "aws_iam_instance_profile",
                           {"role": _ref(role.address, "name")})
        _emit(profile, inputs, note, out, maybe)
        out.edges.append(Edge(profile.address, role.address, "reference", ("role",),
                              inputs.header, "name"))
        profile_address = profile.address
    policies_input = str(spec.get("policies_input") or "")
    policies = inputs.get(policies_input) if policies_input else None
    items: list[tuple[str, Any]] = []
    if isinstance(policies, dict):
        items = sorted(policies.items())
    elif isinstance(policies, list):
        items = [(str(i), arn) for i, arn in enumerate(policies)]
    for key, arn in items:
        attachment = _Builder(f'{inputs.address}.aws_iam_role_policy_attachment.this["{key}"]',
                              "aws_iam_role_policy_attachment",
                              {"role": _ref(role.address, "name"), "policy_arn": arn})
        span = inputs.span(policies_input, key) if isinstance(policies, dict) else None
        span = span or inputs.span(policies_input)
        if span is not None:
            attachment.spans[("policy_arn",)] = span
        header = Inputs(inputs.call, inputs.values, inputs.paths, span or inputs.header,
                        inputs.address)
        _emit(attachment, header, note, out, maybe)
        out.edges.append(Edge(attachment.address, role.address, "reference", ("role",),
                              span or inputs.header, "name"))
        path = inputs.paths.get(policies_input)
        if path is not None:
            key_path = (*path, key) if isinstance(policies, dict) else path
            for edge in call_edges:
                if edge.kind == "reference" and edge.path[: len(key_path)] == key_path:
                    out.edges.append(Edge(attachment.address, edge.target, "reference",
                                          ("policy_arn",), edge.span, edge.attribute))
    return _Role(role.address, profile_address)


def _ref(address: str, attribute: str) -> Unknown:
    return Unknown(f"{address}.{attribute}", "created by the module, not known before apply",
                   refs=(address,))


def _profile(spec: Mapping[str, Any], inputs: Inputs, builder: _Builder, role: _Role | None,
             call_edges: list[Edge], out: Synthesized) -> None:
    if not spec or spec.get("attached_by") == "eks":
        return
    template = builder.type == "aws_launch_template"
    create = str(spec.get("create_input") or "")
    creating = conditions_hold([{"input": create, "default": spec.get("create_default")}],
                               inputs) if create else False
    if creating is None:  # whether the module makes its own profile is not known
        _profile_value(builder, "", Unknown(
            f"{inputs.address} input {create}", f"whether the module creates the instance "
            f"profile ({create}) is not known", inputs.span(create)), template)
        return
    told = inputs.span(create) if create else None
    if not creating and told is not None:
        # told not to create one: a missing profile is reported at that argument
        builder.spans[("iam_instance_profile",)] = told
    if creating and role is not None and role.profile:
        attribute = "arn" if template else "name"
        _profile_value(builder, attribute, _ref(role.profile, attribute), template)
        path = ("iam_instance_profile", 0, "arn") if template else ("iam_instance_profile",)
        out.edges.append(Edge(builder.address, role.profile, "reference", path, inputs.header,
                              attribute))
        return
    for key, input_key, default_key in (("arn", "arn_input", "arn_default"),
                                        ("name", "name_input", "name_default")):
        name = str(spec.get(input_key) or "")
        if not name:
            continue
        value = inputs.get(name, spec.get(default_key))
        if value is None or (value == "" and spec.get("empty_string_is_none")):
            continue
        _profile_value(builder, key, value, template)
        path = ("iam_instance_profile", 0, key) if template else ("iam_instance_profile",)
        span = inputs.span(name)
        if span is not None:
            builder.spans[path] = span
            builder.spans[path[:1]] = span
        _copy_edges(inputs, name, builder.address, path, call_edges, out)
        return


def _profile_value(builder: _Builder, key: str, value: Any, template: bool) -> None:
    """A profile block (launch templates) or attribute; an empty ``key`` means the whole
    block is unknown (whether the module names a profile at all)."""
    if template and key:
        builder.attributes["iam_instance_profile"] = [{key: value}]
    else:
        builder.attributes["iam_instance_profile"] = value


def _image(inputs: Inputs, builder: _Builder, call_edges: list[Edge],
           out: Synthesized) -> None:
    names, attribute = _IMAGE_INPUTS.get(builder.type, ((), ""))
    for name in names:
        value = inputs.get(name)
        if value is None or value == "":
            continue
        builder.attributes[attribute] = value
        span = inputs.span(name)
        if span is not None:
            builder.spans[(attribute,)] = span
        _copy_edges(inputs, name, builder.address, (attribute,), call_edges, out)
        return


# ---------------------------------------------------------------- EKS managed node groups


def _node_group(launch: Mapping[str, Any], inputs: Inputs, builder: _Builder,
                role: _Role | None, templates: dict[str, str]) -> None:
    ami = launch.get("ami_type_input") or {}
    ami_type = inputs.get(ami.get("input", "ami_type"), ami.get("default"))
    if ami_type is not None:
        builder.attributes["ami_type"] = ami_type
        span = inputs.span(ami.get("input", "ami_type"))
        if span is not None:
            builder.spans[("ami_type",)] = span
    if role is not None:
        builder.attributes["node_role_arn"] = _ref(role.role, "arn")
    elif inputs.get("iam_role_arn") is not None:
        builder.attributes["node_role_arn"] = inputs.get("iam_role_arn")
    for case in (launch.get("template") or {}).get("cases", ()):
        held = conditions_hold(case.get("when", ()), inputs)
        if held is False:
            continue
        use = case["use"]
        if use == "eks_default":
            # EKS's own template: its settings are reported at the argument that chose it
            for condition in case.get("when", ()):
                span = inputs.span(condition["input"])
                if span is not None:
                    builder.spans[("metadata_options",)] = span
                    break
        block: dict[str, Any] | None = None
        if use == "module_template" and "launch_template" in templates:
            block = {"id": _ref(templates["launch_template"], "id"),
                     "version": _ref(templates["launch_template"], "default_version")}
        elif isinstance(use, dict) and ("external_by_id" in use or "external_by_name" in use):
            by_id = "external_by_id" in use
            name = use["external_by_id"] if by_id else use["external_by_name"]
            value = inputs.get(name)
            if value is not None and value != "":
                block = {"id" if by_id else "name": value}
        if held is None:  # which template the group uses is not known
            builder.attributes["launch_template"] = Unknown(
                f"{inputs.address} launch template",
                "which launch template the node group uses depends on inputs that are not "
                "known", inputs.header,
                (templates["launch_template"],) if "launch_template" in templates else ())
            return
        if block is not None:
            builder.attributes["launch_template"] = [block]
        return
