"""A hand-built scan result shared by the report tests.

It holds what every format must handle: related locations, a multi-line span, an inline and a
baseline suppression, secrets to redact (also in the code frame), an unknown verdict, tool
findings (a parse error, an unused suppression), a path that needs percent-encoding.
"""

from __future__ import annotations

import pathlib
import textwrap

from linter.model import (
    Finding,
    Format,
    Related,
    Severity,
    Span,
    Suppression,
    Unknown,
    UnknownVerdict,
)
from linter.result import ScanResult
from linter.rule import (
    FILE_DOES_NOT_PARSE,
    UNUSED_SUPPRESSION,
    Docs,
    MatchBlock,
    Remediation,
    Rule,
    tool_finding,
)

ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

MAIN_TF = """\
resource "aws_instance" "web" {
  ami                  = "ami-12345678"
  instance_type        = "t3.micro"
  iam_instance_profile = aws_iam_instance_profile.web.name

  metadata_options {
  \thttp_tokens = "optional"
  }
}

resource "aws_iam_instance_profile" "web" {
  role = aws_iam_role.admin.name
}

provider "aws" {
  access_key = "AKIAIOSFODNN7EXAMPLE"
  secret_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
}

resource "aws_launch_template" "lt" {
  metadata_options {
    http_tokens                 = "required"
    http_put_response_hop_limit = var.hop_limit
  }
}
"""

VARIABLES_TF = """\
variable "hop_limit" {
  type = number
}
"""

TEMPLATE_YAML = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Fleet:
    Type: AWS::EC2::LaunchTemplate
    Properties:
      LaunchTemplateData:
        MetadataOptions:
          HttpTokens: required
          HttpPutResponseHopLimit: 3 # iaclint:ignore IAC0102 reason="pods" expires=2030-01-01
  Legacy:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: ami-12345678
"""

ODD_PATH = "envs/prod app/ünïcode#1.tf"
ODD_TF = """\
resource "aws_instance" "odd" {
  ami = "ami-1"
}
"""

BROKEN_TF = """\
resource "aws_instance" "broken" {
  ami = "ami-1"
"""


def make_rule(rule_id: str, name: str, category: str, severity: Severity, title: str,
              security_severity: str, types: tuple[str, ...]) -> Rule:
    return Rule(
        id=rule_id,
        name=name,
        category=category,
        severity=severity,
        security_severity=security_severity,
        title=title,
        message="{address} " + title.lower(),
        docs=Docs(
            what=f"Finds {title.lower()}.",
            why="The instance role's credentials can be stolen through SSRF.",
            example={"terraform": 'metadata_options {\n  http_tokens = "optional"\n}\n'},
            fix="Require session tokens.",
            references=("https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/"
                        "configuring-instance-metadata-service.html",),
        ),
        remediation=Remediation(
            terraform='metadata_options {\n  http_tokens = "required"\n}\n',
            cloudformation="MetadataOptions:\n  HttpTokens: required\n",
            cli="aws ec2 modify-instance-metadata-options --instance-id <id> "
                "--http-tokens required",
        ),
        match={Format.TERRAFORM: MatchBlock(types=types, where={})},
        tags=("imds", "ec2"),
    )


RULES = [
    make_rule("IAC0101", "imds-v1-allowed", "imds-tokens", Severity.ERROR,
              "Instance metadata service allows IMDSv1", "8.1",
              ("aws_instance", "aws_launch_template")),
    make_rule("IAC0102", "imds-hop-limit-too-high", "imds-hop-limit", Severity.WARNING,
              "Metadata hop limit lets containers reach IMDS", "5.0",
              ("aws_instance", "aws_launch_template")),
    make_rule("IAC0301", "instance-without-profile", "instance-no-profile", Severity.NOTE,
              "Instance has no instance profile", "2.0", ("aws_instance",)),
    make_rule("IAC0401", "hardcoded-aws-credentials", "hardcoded-credentials", Severity.ERROR,
              "AWS credentials are hard-coded", "9.5", ("provider.aws",)),
]


def finding(rule: Rule, message: str, span: Span, address: str, resource_type: str,
            **kwargs: object) -> Finding:
    return Finding(
        rule_id=rule.id,
        rule_name=rule.name,
        category=rule.category,
        severity=rule.severity,
        message=message,
        span=span,
        address=address,
        resource_type=resource_type,
        **kwargs,  # type: ignore[arg-type]
    )


REVISION = "0123456789abcdef0123456789abcdef01234567"
GIT_CONFIG = """\
[core]
\trepositoryformatversion = 0
[remote "origin"]
\turl = https://ci-bot:ghp_tokenTOKENtoken@github.com/example/infra.git
\tfetch = +refs/heads/*:refs/remotes/origin/*
"""


def make_git_dir(root: pathlib.Path) -> None:
    """Just the files of a git directory that provenance reads (no git command is run)."""
    git = root / ".git"
    (git / "refs" / "heads").mkdir(parents=True)
    (git / "HEAD").write_text("ref: refs/heads/main\n", encoding="utf-8")
    (git / "refs" / "heads" / "main").write_text(REVISION + "\n", encoding="utf-8")
    (git / "config").write_text(GIT_CONFIG, encoding="utf-8")


def build_result(root: pathlib.Path) -> ScanResult:
    make_git_dir(root)
    (root / "main.tf").write_text(MAIN_TF, encoding="utf-8")
    (root / "variables.tf").write_text(VARIABLES_TF, encoding="utf-8")
    (root / "template.yaml").write_text(TEMPLATE_YAML, encoding="utf-8")
    (root / "broken.tf").write_text(BROKEN_TF, encoding="utf-8")
    odd = root / ODD_PATH
    odd.parent.mkdir(parents=True)
    odd.write_text(ODD_TF, encoding="utf-8")
    imds, hop, profile, creds = RULES
    findings = [
        finding(
            imds, "aws_instance.web allows IMDSv1: http_tokens is \"optional\"",
            Span("main.tf", 7, 4, 7, 28), "aws_instance.web", "aws_instance",
            related=(
                Related(Span("main.tf", 11, 1, 13, 2), "its instance profile",
                        "aws_iam_instance_profile.web"),
                Related(Span("main.tf", 12, 3, 12, 33), "grants the role aws_iam_role.admin"),
            ),
            fingerprint="3f2a9c1e0d4b5a6978877665544332211",
            root=".",
            properties={"value": "optional"},
        ),
        finding(
            creds, f"provider.aws has a hard-coded secret key {SECRET_KEY}",
            Span("main.tf", 17, 16, 17, 58), "provider.aws", "provider.aws",
            related=(Related(Span("main.tf", 16, 16, 16, 38),
                             f"access key {ACCESS_KEY} is hard-coded too"),),
            fingerprint="7c1b2d3e4f5a6b7c8d9e0f1a2b3c4d5e",
            properties={"redact": [SECRET_KEY, ACCESS_KEY]},
        ),
        finding(
            hop, "Fleet allows 3 network hops to IMDS (maximum 1)",
            Span("template.yaml", 9, 11, 9, 37), "Fleet", "AWS::EC2::LaunchTemplate",
            fingerprint="aa11bb22cc33dd44ee55ff6677889900",
            root="template.yaml",
            suppression=Suppression("inSource", "containers", "2030-01-01"),
        ),
        finding(
            imds, "Legacy allows IMDSv1: MetadataOptions is missing",
            Span("template.yaml", 10, 3, 13, 28), "Legacy", "AWS::EC2::Instance",
            fingerprint="0123456789abcdef0123456789abcdef",
            suppression=Suppression("external", "in baseline .iaclint-baseline.json"),
        ),
        finding(
            profile, "aws_instance.odd has no instance profile",
            Span(ODD_PATH, 1, 1, 3, 2), "aws_instance.odd", "aws_instance",
            fingerprint="fedcba9876543210fedcba9876543210",
            root=".",  # a child module's file: text output names the root
        ),
        tool_finding(FILE_DOES_NOT_PARSE, "Unclosed configuration block: there is no closing "
                     "brace for this block", Span("broken.tf", 1, 34)),
        tool_finding(UNUSED_SUPPRESSION, "iaclint:ignore IAC0101 matches no finding",
                     Span("template.yaml", 9, 38, 9, 95)),
    ]
    findings.sort(key=lambda f: f.sort_key)
    unknown = Unknown("var.hop_limit", "variable has no value", Span("main.tf", 23, 35, 23, 48),
                      ("var.hop_limit",))
    verdicts = [UnknownVerdict("IAC0102", "aws_launch_template.lt", Span("main.tf", 23, 5, 23, 48),
                               (unknown,))]
    return ScanResult(
        root=root,
        findings=findings,
        unknown_verdicts=verdicts,
        unknowns=[unknown],
        files=["broken.tf", ODD_PATH, "main.tf", "template.yaml", "variables.tf"],
        rules=list(RULES),
        duration=0.125,
    )


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")
