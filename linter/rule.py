"""Rules: a loaded, validated rule (the YAML file's content in typed form), and the reserved
rule ids for findings about the scan itself (category ``tool``) with ``tool_finding``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import field
from typing import Any

from linter.model import Finding, Format, Severity, Span
from linter.records import record


@record
class Docs:
    what: str = ""
    why: str = ""
    # bad examples per format: {"terraform": …, "cloudformation": …}
    example: Mapping[str, str] = field(default_factory=dict)
    fix: str = ""  # prose: what to do instead
    references: tuple[str, ...] = ()


@record
class Remediation:
    terraform: str = ""  # snippet
    cloudformation: str = ""  # snippet
    cli: str = ""  # AWS CLI command(s) for an already-deployed resource


@record
class MatchBlock:
    """One format's match: which native types, where to point, and the condition tree."""

    types: tuple[str, ...]
    where: Mapping[str, Any]  # condition tree, validated by the schema and the loader
    at: str = ""  # attribute path the finding points at when present (else deepest node, header)
    at_paths: tuple[str, ...] = ()  # all `at` alternatives in order (the first that exists wins)


PEER_TOOLS = ("checkov", "trivy", "kics", "cfn-nag")  # the scanners equivalents may name


@record
class Equivalent:
    """The same check in another scanner: its id there, and the other names it accepts."""

    tool: str  # one of PEER_TOOLS
    id: str  # CKV_AWS_79, AVD-AWS-0028, a KICS query UUID, W43
    name: str = ""  # Trivy/tfsec long id (aws-ec2-enforce-http-token-imds), cfn_nag rule class
    title: str = ""  # the peer's own title
    aliases: tuple[str, ...] = ()  # further ids the peer accepts (AWS-0028, older tfsec ids)
    note: str = ""

    @property
    def ids(self) -> tuple[str, ...]:
        """Every string naming this check in the peer's suppressions and selections."""
        return tuple(dict.fromkeys(i for i in (self.id, self.name, *self.aliases) if i))


@record
class Control:
    """A compliance control a finding of the rule is evidence for."""

    framework: str  # aws-fsbp, cis-aws-foundations, aws-control-tower
    control: str  # EC2.8, v3.0.0/5.6
    title: str = ""
    note: str = ""

    @property
    def key(self) -> str:
        """``aws-fsbp:EC2.8``: how --select names it."""
        return f"{self.framework}:{self.control}"


@record
class Autofix:
    """What ``--fix`` sets on resources of ``types``: each key of ``settings`` in the block
    (Terraform) or mapping (CloudFormation) at ``container``, created when missing. A value is
    a scalar or ``{param: NAME}`` (bound to the rule's parameter when the fix is planned)."""

    types: tuple[str, ...]
    container: tuple[str, ...]  # metadata_options / Properties.MetadataOptions, as names
    settings: Mapping[str, Any]


@record
class Rule:
    id: str  # IAC0101
    name: str  # kebab-case: imds-v1-allowed
    category: str
    severity: Severity
    security_severity: str  # "8.1" (SARIF property, GitHub's 0.0-10.0 scale)
    title: str
    message: str  # template: {address}, {type}, {value}, {path}, predicate details
    docs: Docs
    remediation: Remediation
    match: Mapping[Format, MatchBlock]
    tags: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()  # old names/ids kept after a rename
    suppressible: bool = True
    source: str = ""  # the YAML file it came from
    # name → JSON Schema with a default; conditions reference them as {param: NAME}
    parameters: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    precision: str = "high"  # SARIF precision: how often a finding of this rule is true
    equivalents: tuple[Equivalent, ...] = ()  # the same check in Checkov, Trivy, KICS, cfn_nag
    compliance: tuple[Control, ...] = ()
    autofix: Mapping[Format, tuple[Autofix, ...]] = field(default_factory=dict)

    @property
    def selectors(self) -> tuple[str, ...]:
        """Every name --select, --ignore and the configuration may use for this rule: id, name,
        aliases, category, the peers' ids of its equivalents, its compliance controls
        (``aws-fsbp:EC2.8``) and their frameworks."""
        names = [self.id, self.name, *self.aliases, self.category]
        names += [i for e in self.equivalents for i in e.ids]
        names += [key for c in self.compliance for key in (c.key, c.framework)]
        return tuple(dict.fromkeys(names))

    def autofix_for(self, fmt: Format, native_type: str) -> Autofix | None:
        for spec in self.autofix.get(fmt, ()):
            if native_type in spec.types:
                return spec
        return None

    @property
    def help_uri(self) -> str:
        return f"https://github.com/iaclint/iaclint/blob/main/docs/rules/{self.name}.md"


# ---------------------------------------------------------------- reserved (tool) rules


@record
class ReservedRule:
    id: str
    name: str
    severity: Severity
    title: str


FILE_DOES_NOT_PARSE = ReservedRule(
    "IAC0001", "file-does-not-parse", Severity.ERROR, "File could not be parsed")
RULE_RAISED = ReservedRule(
    "IAC0002", "rule-raised", Severity.ERROR, "A rule failed on this resource (iaclint bug)")
UNUSED_SUPPRESSION = ReservedRule(
    "IAC0003", "unused-suppression", Severity.WARNING, "Suppression matches no finding")
EVALUATION_NOTE = ReservedRule(
    "IAC0004", "evaluation-note", Severity.NOTE, "Something could not be evaluated")
SUPPRESSION_PROBLEM = ReservedRule(
    "IAC0005", "suppression-problem", Severity.WARNING, "Suppression is expired or incomplete")
UNKNOWN_VERDICT = ReservedRule(
    "IAC0006", "unknown-verdict", Severity.NOTE, "A rule could not decide: a value is unknown")

RESERVED: dict[str, ReservedRule] = {
    r.id: r
    for r in (FILE_DOES_NOT_PARSE, RULE_RAISED, UNUSED_SUPPRESSION, EVALUATION_NOTE,
              SUPPRESSION_PROBLEM, UNKNOWN_VERDICT)
}


def tool_finding(rule: ReservedRule, message: str, span: Span, address: str = "") -> Finding:
    return Finding(
        rule_id=rule.id,
        rule_name=rule.name,
        category="tool",
        severity=rule.severity,
        message=message,
        span=span,
        address=address,
    )
