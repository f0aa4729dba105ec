"""Effective instance metadata options: what a running instance ends up with, and from where.

Each of the three settings (session tokens, PUT response hop limit, endpoint) is taken from the
first place that sets it:

1. the resource's own metadata options;
2. for an instance launched from a launch template: that template (the declared version;
   see ``linter.graph.launch``);
3. the account-level default: an ``aws_ec2_instance_metadata_defaults`` resource in the scan,
   else ``--account-imds-defaults`` / ``account-imds-defaults:`` in the configuration
   (``tokens=required,hop-limit=2,endpoint=enabled``); ``no-preference`` / ``-1`` defer;
4. the image: an AMI registered with ``ImdsSupport = v2.0`` (Amazon Linux 2023, recognised as
   ``linter.graph.ami`` says) requires tokens and sets the hop limit to 2;
5. the platform default: EC2 (tokens optional, hop limit 1, endpoint enabled — the message
   says the AMI is not known to require IMDSv2); an EKS managed node group without a launch
   template gets the template EKS creates (hop limit 2, tokens optional; tokens required and
   hop limit 1 for AL2023 AMI types).

A resource whose own launch template is unknown (a variable, a template outside the scan) gets an
Unknown for every setting it does not set itself, so a rule on it is undecidable, not silent. So
does a metadata options or launch template block that may or may not exist (a ``dynamic`` block
whose ``for_each`` is unknown): unknown is not absent (where the template it would name and
the defaults agree, that value holds).
Resources that only launch from a template (Auto Scaling groups, EKS node groups and fleets that
name one) have no settings of their own: their templates are judged, naming them.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence

from linter.graph.ami import image_defaults
from linter.graph.graph import Graph
from linter.graph.identity import launchers
from linter.graph.launch import EKS_NODE_GROUP_TYPES, LaunchSpec, launch_specs
from linter.model import Path, Resource, Span, Unknown
from linter.options import HopLimitException, ScanOptions
from linter.records import record

TOKENS, HOP_LIMIT, ENDPOINT = "tokens", "hop_limit", "endpoint"
SETTINGS = (TOKENS, HOP_LIMIT, ENDPOINT)

_TF_KEYS = {TOKENS: "http_tokens", HOP_LIMIT: "http_put_response_hop_limit",
            ENDPOINT: "http_endpoint"}
_CFN_KEYS = {TOKENS: "HttpTokens", HOP_LIMIT: "HttpPutResponseHopLimit",
             ENDPOINT: "HttpEndpoint"}
# where each type keeps its metadata options block
_OPTIONS_BLOCK: dict[str, Path] = {
    "aws_instance": ("metadata_options", 0),
    "aws_launch_template": ("metadata_options", 0),
    "aws_launch_configuration": ("metadata_options", 0),
    "aws_spot_instance_request": ("metadata_options", 0),
    "aws_ec2_instance_metadata_defaults": (),
    "AWS::EC2::Instance": ("Properties", "MetadataOptions"),
    "AWS::EC2::LaunchTemplate": ("Properties", "LaunchTemplateData", "MetadataOptions"),
    "AWS::AutoScaling::LaunchConfiguration": ("Properties", "MetadataOptions"),
}
# resources judged with their own posture (everything else only launches from a template)
JUDGED_TYPES = (*_OPTIONS_BLOCK.keys() - {"aws_ec2_instance_metadata_defaults"},
                *EKS_NODE_GROUP_TYPES, "aws_spot_fleet_request", "AWS::EC2::SpotFleet")
ACCOUNT_DEFAULTS_TYPE = "aws_ec2_instance_metadata_defaults"

AWS_DEFAULTS = {TOKENS: "optional", HOP_LIMIT: 1, ENDPOINT: "enabled"}


@record
class Setting:
    """One effective setting and where it came from."""

    value: object  # "required"/"optional", an int, "enabled"/"disabled", or an Unknown
    source: str  # "own" | "launch template" | "account default" | "EC2 default" | "EKS default"
    address: str = ""  # the resource that sets it ("" for option / platform defaults)
    path: Path = ()  # its attribute path in that resource
    span: Span | None = None

    @property
    def unknown(self) -> Unknown | None:
        return self.value if isinstance(self.value, Unknown) else None

    def describe(self) -> str:
        if self.source == "own":
            return _show(self.value)
        where = f" in {self.address}" if self.address else ""
        return f"{_show(self.value)} ({self.source}{where})"

    def origin(self) -> str:
        """Where an inherited or default value comes from, as a phrase ("" for own values)."""
        value = _show(self.value)
        if self.source == "own":
            return ""
        if self.source == "launch template":
            return f'inherits "{value}" from launch template {self.address or "(unknown)"}'
        if self.address:
            return f'{self.source} "{value}" from {self.address}'
        return f'{self.source} "{value}"'


@record
class EffectiveImds:
    tokens: Setting
    hop_limit: Setting
    endpoint: Setting
    judged: bool = True  # False: the resource only launches from a template judged elsewhere

    def get(self, name: str) -> Setting:
        return {TOKENS: self.tokens, HOP_LIMIT: self.hop_limit, ENDPOINT: self.endpoint}[name]


def _show(value: object) -> str:
    return value.expression if isinstance(value, Unknown) else str(value)


def _normalize(name: str, value: object) -> object:
    """Lower-case strings, numbers from numeric strings; None for no-preference / absent."""
    if value is None or isinstance(value, Unknown):
        return value
    if name == HOP_LIMIT:
        if isinstance(value, bool):
            return None
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            value = int(value.strip())
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return None if value == -1 else value
    if isinstance(value, str):
        text = value.strip().lower()
        return None if text in ("", "no-preference") else text
    return value


def own_setting(resource: Resource, name: str) -> Setting | None:
    block = _OPTIONS_BLOCK.get(resource.type)
    if block is None:
        return None
    keys = _CFN_KEYS if resource.type.startswith("AWS::") else _TF_KEYS
    path = (*block, keys[name])
    value = _normalize(name, resource.get(path))
    if value is None:
        # the block (or what holds it) is unknown: a dynamic block whose for_each is unknown,
        # a variable: the setting may be anything, which is not the same as unset
        for cut in range(1, len(block) + 1):
            block_value = resource.get(block[:cut])
            if isinstance(block_value, Unknown):
                return Setting(block_value, "own", resource.address, block[:cut],
                               resource.span_at(block[:cut]))
        return None
    return Setting(value, "own", resource.address, path, resource.span_at(path))


def _account_default(graph: Graph, options: ScanOptions, name: str) -> Setting | None:
    for resource in sorted(graph.of_type(ACCOUNT_DEFAULTS_TYPE), key=lambda r: r.address):
        found = own_setting(resource, name)
        if found is not None:
            return Setting(found.value, "account default", resource.address, found.path,
                           found.span)
    raw = account_option(options, name)
    if raw is not None:
        return Setting(raw, "account default, from the scan options")
    return None


def account_option(options: ScanOptions, name: str) -> object:
    aliases = {TOKENS: ("tokens", "http-tokens", "http_tokens"),
               HOP_LIMIT: ("hop-limit", "hop_limit", "http-put-response-hop-limit"),
               ENDPOINT: ("endpoint", "http-endpoint", "http_endpoint")}[name]
    for key in aliases:
        if key in options.account_imds_defaults:
            return _normalize(name, options.account_imds_defaults[key])
    return None


# the EC2 default of session tokens holds only for images that do not set their own
NOT_KNOWN_V2_ONLY = "EC2 default; the AMI is not known to require IMDSv2"


def _platform_default(resource: Resource, name: str) -> Setting:
    if resource.type in EKS_NODE_GROUP_TYPES:
        ami = resource.get(("ami_type",), resource.get(("Properties", "AmiType")))
        al2023 = isinstance(ami, str) and ami.upper().startswith("AL2023")
        # the template EKS creates: hop limit 2, but 1 with AL2023 AMI types (reported by
        # users: hashicorp/terraform-provider-aws#38516,
        # kubernetes-sigs/aws-load-balancer-controller#3695 and #3740)
        value: object = {TOKENS: "required" if al2023 else "optional",
                         HOP_LIMIT: 1 if al2023 else 2, ENDPOINT: "enabled"}[name]
        if name in (TOKENS, HOP_LIMIT) and isinstance(ami, Unknown):
            value = ami  # the AMI type decides, and it is not known
        return Setting(value, "EKS default")
    return Setting(AWS_DEFAULTS[name], NOT_KNOWN_V2_ONLY if name == TOKENS else "EC2 default")


def _image_default(graph: Graph, resource: Resource, name: str) -> Setting | None:
    """The setting the image itself registers (AL2023: tokens required, hop limit 2)."""
    if resource.type in EKS_NODE_GROUP_TYPES:
        return None  # the EKS default above reads the node group's AMI type
    image = image_defaults(graph, resource)
    if image is None or name not in image.settings:
        return None
    holder = image.holder.address if image.holder is not resource else ""
    return Setting(image.settings[name], f"AMI default: {image.image} is registered with "
                   "ImdsSupport v2.0", holder, image.path, image.span)


def _after_templates(graph: Graph, resource: Resource, options: ScanOptions,
                     name: str) -> Setting:
    """What applies where neither the resource nor a launch template sets ``name``."""
    return (_account_default(graph, options, name) or _image_default(graph, resource, name)
            or _platform_default(resource, name))


def _template_setting(graph: Graph, resource: Resource, spec: LaunchSpec, name: str,
                      options: ScanOptions) -> Setting | None:
    """The setting ``spec``'s template gives (None: the template does not set it)."""
    if spec.target.found:
        template = spec.target.targets[0]
        inherited = own_setting(template, name)
        if inherited is None:
            return None
        return Setting(inherited.value, "launch template", template.address, inherited.path,
                       inherited.span)
    unknown = spec.target.unknown if spec.target.unknown is not None else Unknown(
        _show(spec.target.value),
        "the launch template is not in this scan, so the options it sets are unknown",
        spec.target.span)
    if spec.maybe and len(spec.target.candidates) == 1:
        # the launch template block may not exist: with it the candidate template decides,
        # without it the defaults do; where both agree, that is the value
        template = spec.target.candidates[0]
        without = _after_templates(graph, resource, options, name)
        with_template = (own_setting(template, name)
                         or _after_templates(graph, template, options, name))
        if not isinstance(without.value, Unknown) and not isinstance(
                with_template.value, Unknown) and without.value == with_template.value:
            return Setting(without.value, f"{without.source} and launch template "
                           f"{template.address}, whichever applies", template.address,
                           with_template.path, with_template.span)
    return Setting(unknown, "launch template", "", spec.path, spec.target.span)


def effective_imds(graph: Graph, resource: Resource, options: ScanOptions) -> EffectiveImds:
    """The metadata options instances launched from ``resource`` get, setting by setting
    (computed once per graph, resource and options: several rules ask)."""
    key = ("effective_imds", resource.address, id(resource))
    found: tuple[ScanOptions, EffectiveImds] | None = graph.memo.get(key)
    if found is None or found[0] is not options:
        found = graph.memo[key] = (options, _effective_imds(graph, resource, options))
    return found[1]


def _effective_imds(graph: Graph, resource: Resource, options: ScanOptions) -> EffectiveImds:
    specs = [s for s in launch_specs(graph, resource) if s.kind == "launch_template"]
    definite = [s for s in specs if not s.maybe]
    # a group that launches from a template is judged at the template; one whose template
    # block may not exist (unknown for_each) is judged itself, with an unknown posture
    judged = resource.type in JUDGED_TYPES and not (
        resource.type not in _OPTIONS_BLOCK and definite)
    spec = definite[0] if definite else (specs[0] if specs else None)
    settings: dict[str, Setting] = {}
    for name in SETTINGS:
        found = own_setting(resource, name)
        if found is None and spec is not None:
            found = _template_setting(graph, resource, spec, name, options)
        if found is None:
            found = _after_templates(graph, resource, options, name)
        settings[name] = found
    return EffectiveImds(settings[TOKENS], settings[HOP_LIMIT], settings[ENDPOINT], judged)


# ------------------------------------------------------------------- allowed hop limit


def _tags(resource: Resource) -> dict[str, object]:
    tags: dict[str, object] = {}
    for path in (("tags",), ("tags_all",), ("labels",)):
        value = resource.get(path)
        if isinstance(value, dict):
            tags.update(value)
    for blocks in (resource.get(("tag_specifications",)), resource.get(("tag",))):
        for block in blocks if isinstance(blocks, list) else ():
            if isinstance(block, dict):
                if isinstance(block.get("tags"), dict):
                    tags.update(block["tags"])
                if isinstance(block.get("key"), str):
                    tags[block["key"]] = block.get("value")
    properties = resource.get(("Properties",))
    if isinstance(properties, dict):
        lists = [properties.get("Tags")]
        data = properties.get("LaunchTemplateData")
        if isinstance(data, dict):
            specs = data.get("TagSpecifications")
            for spec in specs if isinstance(specs, list) else ():
                if isinstance(spec, dict):
                    lists.append(spec.get("Tags"))
        for items in lists:
            if isinstance(items, dict):  # EKS Nodegroup Tags / Labels are maps
                tags.update(items)
            for item in items if isinstance(items, list) else ():
                if isinstance(item, dict) and isinstance(item.get("Key"), str):
                    tags[item["Key"]] = item.get("Value")
        labels = properties.get("Labels")
        if isinstance(labels, dict):
            tags.update(labels)
    return tags


def matches(exception: HopLimitException, resource: Resource) -> bool:
    """Does the selector of ``exception`` select ``resource`` (every given part must match)?"""
    if not (exception.types or exception.tags or exception.addresses):
        return False
    if exception.types and resource.type not in exception.types:
        return False
    if exception.addresses and not any(fnmatch.fnmatchcase(resource.address, pattern)
                                       for pattern in exception.addresses):
        return False
    if exception.tags:
        tags = _tags(resource)
        for key, wanted in exception.tags.items():
            if key not in tags or (wanted != "*" and str(tags[key]) != wanted):
                return False
    return True


def _allowance(exceptions: Sequence[HopLimitException], resource: Resource) -> int | None:
    found = [e.max for e in exceptions if matches(e, resource)]
    return max(found) if found else None


def allowed_hop_limit(graph: Graph, resource: Resource, maximum: int,
                      exceptions: Sequence[HopLimitException]) -> tuple[int, str]:
    """The highest hop limit allowed for ``resource`` and why: ``maximum`` (the rule's
    ``max_hop_limit``), or a configured exception selecting the resource itself, or every group
    that launches from it (a template used both by an EKS node group and a plain group gets the
    stricter limit)."""
    if not exceptions:  # the usual case: nothing to look up
        return maximum, "max_hop_limit"
    own = _allowance(exceptions, resource)
    if own is not None:
        return max(own, maximum), f"hop-limit exception for {resource.address}"
    groups = launchers(graph, resource)
    if groups:
        allowances = [_allowance(exceptions, group) for group in groups]
        if all(a is not None for a in allowances):
            limit = min(a for a in allowances if a is not None)
            return max(limit, maximum), (
                "hop-limit exception for " + ", ".join(g.address for g in groups))
    return maximum, "max_hop_limit"
