"""Everything a scan can be told, by flags or by the configuration file (flags win)."""

from __future__ import annotations

from dataclasses import field
from typing import Any

from linter.model import Severity
from linter.records import record


@record
class HopLimitException:
    """A higher hop-limit maximum for resources matching a selector (containers need 2)."""

    max: int
    types: tuple[str, ...] = ()  # native resource types, e.g. aws_eks_node_group
    tags: dict[str, str] = field(default_factory=dict)  # tag key → value ("*" = any value)
    addresses: tuple[str, ...] = ()  # fnmatch patterns on the resource address


@record
class Budgets:
    """Bounds on what one file, module or template may cost (configuration key ``budgets``).

    A value past a budget is Unknown and an IAC0004 note names the budget (by its configuration
    key), so a hostile repository costs bounded time and memory and nothing is lost silently.
    """

    file_bytes: int = 16 * 1024 * 1024  # .tf, .tf.json, .tfvars, parameter and variables files
    syntax_nodes: int = 500_000  # tree-sitter nodes of one .tf / .tfvars file (~7500 resources)
    template_bytes: int = 8 * 1024 * 1024  # YAML/JSON candidates (CloudFormation, plan JSON)
    instances: int = 1000  # instances of one count / for_each
    string_length: int = 1024 * 1024  # characters of any string an evaluation produces
    produced_length: int = 64 * 1024 * 1024  # characters of all strings one unit produces
    collection_length: int = 100_000  # elements of any list or map an evaluation produces
    decode_nodes: int = 100_000  # nodes of a jsondecode / yamldecode result (aliases expanded)
    intrinsic_depth: int = 64  # nesting of CloudFormation intrinsic functions (Fn::Sub …)
    seconds: float = 30.0  # evaluation time of one Terraform root module or one template

    @staticmethod
    def key(name: str) -> str:
        """The configuration key of field ``name`` (``string_length`` → ``string-length``)."""
        return name.replace("_", "-")


@record
class ScanOptions:
    rule_dirs: tuple[str, ...] = ()  # extra rule directories (the bundled rules always load)
    select: tuple[str, ...] = ()  # rule ids, names or categories; empty = all
    ignore: tuple[str, ...] = ()
    enable: tuple[str, ...] = ()  # opt-in rules to run (by id or name), besides --select
    severity_overrides: dict[str, Severity] = field(default_factory=dict)
    fail_on: Severity = Severity.WARNING
    # rule parameters (linter.engine.params): NAME → value for every rule declaring NAME, or
    # RULE (id, name or alias) → {NAME: value} for one rule, the rule's own setting winning
    parameters: dict[str, Any] = field(default_factory=dict)
    hop_limit_exceptions: tuple[HopLimitException, ...] = ()
    show_unknown: bool = False
    # evaluation inputs
    var_files: tuple[str, ...] = ()
    variables: dict[str, str] = field(default_factory=dict)  # --var NAME=VALUE
    use_env_vars: bool = True  # TF_VAR_name
    cfn_parameters: dict[str, str] = field(default_factory=dict)
    cfn_parameter_files: tuple[str, ...] = ()
    account_imds_defaults: dict[str, str] = field(default_factory=dict)  # tokens=, hop-limit=
    # files
    # .gitignore-style patterns, after the defaults (.terraform, .terragrunt-cache,
    # node_modules, .git) that linter.discover.walk always applies
    exclude: tuple[str, ...] = ()
    only_files: tuple[str, ...] = ()  # pre-commit: report only findings located in these files
    # paths named by a repository's own configuration file (var-files, cfn-parameter-files):
    # read only when they resolve inside the directory of config_file (absolute, resolved)
    config_file: str = ""
    config_paths: tuple[str, ...] = ()
    budgets: Budgets = field(default_factory=Budgets)
    # suppressions
    inline_suppressions: bool = True
    peer_suppressions: bool = True  # honour Checkov/tfsec/Trivy/cfn_nag suppressions of equivalents
    require_reason: bool = False
    baseline: str = ""  # a baseline file: findings recorded there are reported as suppressed
    today: str = ""  # ISO date used to judge suppression expiry ("" = the real today)
    # the fix stage: attach a Fix to findings of rules with an autofix (--fix, JSON, SARIF)
    fixes: bool = False
    # processes that evaluate and judge the units of a large scan (linter.pipeline.worker_count):
    # 1 = this one only, 0 = one per usable core; reports are the same whatever the number
    jobs: int = 1
