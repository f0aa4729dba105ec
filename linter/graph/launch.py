"""What launches from what: launch templates and launch configurations, and their launchers.

A launcher (an instance, an Auto Scaling group, an EKS node group, a Spot Fleet or EC2 Fleet)
names a launch template by id or name and a version (``$Latest``, ``$Default``, a number, or a
reference to the template's ``latest_version`` / ``default_version``), or (Auto Scaling only) a
launch configuration. ``launch_specs`` lists every such specification of one resource with the
resource it resolves to.

Versions: Terraform and CloudFormation declare one version of a template, the one the
configuration deploys; whichever version a launcher selects, iaclint judges that declared
content (earlier versions are not in the code). The selected version is kept for messages.
"""

from __future__ import annotations

from linter.graph.graph import Graph
from linter.graph.resolve import Resolution, Status, candidates_at, resolve_ref
from linter.model import Path, Resource, Unknown
from linter.records import record

TEMPLATE_TYPES = ("aws_launch_template", "AWS::EC2::LaunchTemplate")
CONFIGURATION_TYPES = ("aws_launch_configuration", "AWS::AutoScaling::LaunchConfiguration")
INSTANCE_TYPES = ("aws_instance", "AWS::EC2::Instance")
GROUP_TYPES = (
    "aws_autoscaling_group", "AWS::AutoScaling::AutoScalingGroup",
    "aws_eks_node_group", "AWS::EKS::Nodegroup",
    "aws_spot_fleet_request", "AWS::EC2::SpotFleet",
    "aws_ec2_fleet", "AWS::EC2::EC2Fleet",
)
EKS_NODE_GROUP_TYPES = ("aws_eks_node_group", "AWS::EKS::Nodegroup")

# (block path pattern, id key, name key, version key). "*" = every element of a list.
_TF_TEMPLATE_BLOCKS: dict[str, tuple[tuple[Path, str, str, str], ...]] = {
    "aws_instance": ((("launch_template", "*"), "id", "name", "version"),),
    "aws_spot_instance_request": ((("launch_template", "*"), "id", "name", "version"),),
    "aws_eks_node_group": ((("launch_template", "*"), "id", "name", "version"),),
    "aws_autoscaling_group": (
        (("launch_template", "*"), "id", "name", "version"),
        (("mixed_instances_policy", "*", "launch_template", "*", "launch_template_specification",
          "*"), "launch_template_id", "launch_template_name", "version"),
        (("mixed_instances_policy", "*", "launch_template", "*", "override", "*",
          "launch_template_specification", "*"),
         "launch_template_id", "launch_template_name", "version"),
    ),
    "aws_spot_fleet_request": (
        (("launch_template_config", "*", "launch_template_specification", "*"),
         "id", "name", "version"),
    ),
    "aws_ec2_fleet": (
        (("launch_template_config", "*", "launch_template_specification", "*"),
         "launch_template_id", "launch_template_name", "version"),
    ),
    "AWS::EC2::Instance": (
        (("Properties", "LaunchTemplate"), "LaunchTemplateId", "LaunchTemplateName", "Version"),
    ),
    "AWS::AutoScaling::AutoScalingGroup": (
        (("Properties", "LaunchTemplate"), "LaunchTemplateId", "LaunchTemplateName", "Version"),
        (("Properties", "MixedInstancesPolicy", "LaunchTemplate", "LaunchTemplateSpecification"),
         "LaunchTemplateId", "LaunchTemplateName", "Version"),
        (("Properties", "MixedInstancesPolicy", "LaunchTemplate", "Overrides", "*",
          "LaunchTemplateSpecification"), "LaunchTemplateId", "LaunchTemplateName", "Version"),
    ),
    "AWS::EKS::Nodegroup": ((("Properties", "LaunchTemplate"), "Id", "Name", "Version"),),
    "AWS::EC2::SpotFleet": (
        (("Properties", "SpotFleetRequestConfigData", "LaunchTemplateConfigs", "*",
          "LaunchTemplateSpecification"), "LaunchTemplateId", "LaunchTemplateName", "Version"),
    ),
    "AWS::EC2::EC2Fleet": (
        (("Properties", "LaunchTemplateConfigs", "*", "LaunchTemplateSpecification"),
         "LaunchTemplateId", "LaunchTemplateName", "Version"),
    ),
}
_CONFIGURATION_PATHS: dict[str, Path] = {
    "aws_autoscaling_group": ("launch_configuration",),
    "AWS::AutoScaling::AutoScalingGroup": ("Properties", "LaunchConfigurationName"),
}
_LATEST = ("latest_version", "LatestVersionNumber")
_DEFAULT = ("default_version", "DefaultVersionNumber")


@record
class LaunchSpec:
    """One launch template / launch configuration specification of a launcher."""

    kind: str  # "launch_template" | "launch_configuration"
    path: Path  # the specification block (or attribute) in the launcher
    target: Resolution  # what it resolves to
    version: str = ""  # "$Latest", "$Default", "3", "" (configurations), "(unknown)"
    # the specification block itself may not exist (a dynamic block whose for_each is
    # unknown): the launcher may use ``target.candidates`` or no template at all
    maybe: bool = False

    def describe(self) -> str:
        return f"version {self.version}" if self.version else ""


def expand(node: object, pattern: Path, prefix: Path = ()) -> list[Path]:
    """Concrete paths matching ``pattern`` ("*" = each list element; a dict where a list is
    expected counts as its only element, so CloudFormation and Terraform shapes share patterns)."""
    if not pattern:
        return [prefix]
    head, rest = pattern[0], pattern[1:]
    if head == "*":
        if isinstance(node, list):
            return [p for i, item in enumerate(node) for p in expand(item, rest, (*prefix, i))]
        return expand(node, rest, prefix) if isinstance(node, dict) else []
    if isinstance(node, dict) and head in node:
        return expand(node[head], rest, (*prefix, head))
    return []


def unknown_blocks(node: object, pattern: Path, prefix: Path = ()) -> list[tuple[Path, Unknown]]:
    """The Unknowns met on the way of ``pattern`` (a ``dynamic`` block whose ``for_each`` is
    unknown, a block given by a variable …), with their paths: there the pattern may or may
    not match, which is not the same as matching nothing."""
    if isinstance(node, Unknown):
        return [(prefix, node)]
    if not pattern:
        return []
    head, rest = pattern[0], pattern[1:]
    if head == "*":
        if isinstance(node, list):
            return [u for i, item in enumerate(node)
                    for u in unknown_blocks(item, rest, (*prefix, i))]
        return unknown_blocks(node, rest, prefix) if isinstance(node, dict) else []
    if isinstance(node, dict) and head in node:
        return unknown_blocks(node[head], rest, (*prefix, head))
    return []


def unknown_resolution(graph: Graph, source: Resource, path: Path, unknown: Unknown,
                       types: tuple[str, ...]) -> Resolution:
    """An UNKNOWN resolution for an unknown block at ``path``, with the resources of
    ``types`` its content refers to as ``candidates`` (what it names if it exists)."""
    candidates = candidates_at(graph, source, path, types)
    return Resolution(Status.UNKNOWN, value=unknown, path=path, span=source.span_at(path),
                      unknown=unknown, candidates=candidates)


def _version(graph: Graph, launcher: Resource, path: Path) -> str:
    value = launcher.get(path)
    if value is None or value == "":
        return "$Default"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float, str)):
        return str(value)
    for edge in graph.out_edges(launcher.address, "reference"):
        if edge.path[: len(path)] == path:
            if edge.attribute in _LATEST:
                return "$Latest"
            if edge.attribute in _DEFAULT:
                return "$Default"
    if isinstance(value, Unknown):
        text = value.expression
        if any(text.rstrip("}) ]").endswith(a) for a in _LATEST):
            return "$Latest"
        if any(text.rstrip("}) ]").endswith(a) for a in _DEFAULT):
            return "$Default"
    return "(unknown)"


def launch_specs(graph: Graph, launcher: Resource) -> list[LaunchSpec]:
    """Every launch template / configuration specification of ``launcher``, resolved; computed
    once per graph and launcher (the derived edges, the metadata options and the instance
    profile checks each ask). It reads resources and reference edges only, which deriving
    the identity edges leaves as they are."""
    return list(graph.remembered("launch_specs", launcher,
                                 lambda: tuple(_launch_specs(graph, launcher))))


def _launch_specs(graph: Graph, launcher: Resource) -> list[LaunchSpec]:
    specs: list[LaunchSpec] = []
    for pattern, id_key, name_key, version_key in _TF_TEMPLATE_BLOCKS.get(launcher.type, ()):
        for path, unknown in unknown_blocks(launcher.attributes, pattern):
            # a block that may or may not be there (dynamic, unknown for_each)
            target = unknown_resolution(graph, launcher, path, unknown, TEMPLATE_TYPES)
            specs.append(LaunchSpec("launch_template", path, target, "(unknown)", maybe=True))
        for block in expand(launcher.attributes, pattern):
            by_id = resolve_ref(graph, launcher, (*block, id_key), TEMPLATE_TYPES)
            by_name = resolve_ref(graph, launcher, (*block, name_key), TEMPLATE_TYPES)
            if by_id.found or not by_name.found:
                target = by_id if by_id.status is not Status.ABSENT else by_name
            else:
                target = by_name
            if target.status is Status.ABSENT:
                continue
            version = _version(graph, launcher, (*block, version_key))
            specs.append(LaunchSpec("launch_template", block, target, version))
    configuration = _CONFIGURATION_PATHS.get(launcher.type)
    if configuration is not None:
        target = resolve_ref(graph, launcher, configuration, CONFIGURATION_TYPES)
        if target.status is not Status.ABSENT:
            specs.append(LaunchSpec("launch_configuration", configuration, target))
    return specs


def template_of(graph: Graph, instance: Resource) -> LaunchSpec | None:
    """The launch template an instance is launched from (None when it names none; a spec
    that may not exist when that is all there is)."""
    specs = [s for s in launch_specs(graph, instance) if s.kind == "launch_template"]
    return next((s for s in specs if not s.maybe), specs[0] if specs else None)
