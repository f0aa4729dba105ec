"""What the property tests and the fuzz job feed their inputs to.

Each target runs one input through a front end, an evaluator or the IAM policy reader and
returns normally when the code under test behaved: broken input became findings, Unknowns or
the errors the function documents. Anything else (an exception escaping, a budget ignored) is a
bug and propagates. Every target runs under small budgets, so a slow path is a budget note,
not a stalled test.
"""

from __future__ import annotations

import contextlib
import pathlib
import tempfile
from typing import Any

from linter.frontends.budget import BudgetExceeded, metering
from linter.frontends.cloudformation.template import evaluate_template
from linter.frontends.terraform import functions as tf_functions
from linter.frontends.terraform.expressions import Context, evaluate
from linter.frontends.terraform.files import FileAccess
from linter.frontends.terraform.functions import UnknownResult
from linter.frontends.terraform.hcl import parse_hcl
from linter.frontends.terraform.module import ConstResolver, evaluate_module
from linter.frontends.terraform.modules import clear_caches
from linter.frontends.terraform.values import EvalError
from linter.iam import analysis
from linter.iam.policy import DocKind, PolicyDocument, statements_from_json
from linter.model import ParseResult, Unknown
from linter.options import Budgets, ScanOptions

BUDGETS = Budgets(string_length=64 * 1024, collection_length=5_000, decode_nodes=5_000,
                  produced_length=1024 * 1024, instances=50, seconds=5.0)
OPTIONS = ScanOptions(use_env_vars=False, budgets=BUDGETS)
_ROOT = pathlib.Path(tempfile.gettempdir())


def _well_formed(result: ParseResult) -> None:
    for finding in result.findings:
        assert finding.rule_id.startswith("IAC00"), finding
        assert finding.span.start_line >= 1, finding
    for resource in result.resources:
        assert resource.address, resource


def hcl_module(text: str) -> None:
    """A ``.tf`` file (and a local module calling back into the root) evaluated as a root."""
    with tempfile.TemporaryDirectory(prefix="iaclint-fuzz-") as directory:
        root = pathlib.Path(directory)
        (root / "main.tf").write_text(text, encoding="utf-8", errors="surrogatepass")
        (root / "m").mkdir()
        (root / "m" / "main.tf").write_text(
            'variable "x" {}\noutput "out" {\n  value = var.x\n}\n', encoding="utf-8")
        clear_caches()
        _well_formed(evaluate_module(root, ".", OPTIONS))


def hcl_bytes(data: bytes) -> None:
    """The parser alone, on any bytes."""
    parsed = parse_hcl("fuzz.tf", data)
    for problem in parsed.problems:
        assert problem.span.start_line >= 1


def hcl_expression(expr: str) -> None:
    """One expression evaluated with constants only (references are errors, i.e. Unknown)."""
    parsed = parse_hcl("fuzz.tf", f"v = {expr}\n".encode("utf-8", "surrogatepass"))
    attribute = parsed.body.attribute("v")
    if attribute is None:
        return
    with metering(BUDGETS, "fuzz"):
        evaluate(attribute.expr, Context(ConstResolver(FileAccess(_ROOT / "iaclint-none",
                                                                  "."))))


class NoFiles:
    def read_file(self, path: str) -> str | Unknown:
        return Unknown(f'file("{path}")', "no files in the fuzz job")

    def file_exists(self, path: str) -> bool | Unknown:
        return False

    def file_set(self, path: str, pattern: str) -> list[str] | Unknown:
        return []

    def render_template(self, path: str, text: str, variables: dict[str, Any]) -> Any:
        return text

    def file_read(self) -> str | None:
        return None


def tf_function(name: str, args: list[Any]) -> None:
    """A built-in function: a value, or one of the errors ``call`` documents."""
    with metering(BUDGETS, "fuzz"), contextlib.suppress(EvalError, UnknownResult,
                                                         BudgetExceeded):
        tf_functions.call(name, args, NoFiles())


def cfn_template(data: bytes, json_name: bool = False) -> None:
    name = "fuzz.json" if json_name else "fuzz.yaml"
    _well_formed(evaluate_template(_ROOT, name, data, OPTIONS))


FIX_OPTIONS = ScanOptions(use_env_vars=False, budgets=BUDGETS, fixes=True)


def fix_stage(document: tuple[str, bytes]) -> None:
    """One file scanned with the fix stage on (as for every JSON or SARIF report) and the fixes
    applied (``--fix``): a fix is planned or left with a note, never an exception, and every
    change stays in the scan root and parses."""
    from linter.fixes.apply import apply_fixes, oracle_problem
    from linter.pipeline import scan

    name, data = document
    with tempfile.TemporaryDirectory(prefix="iaclint-fuzz-") as directory:
        root = pathlib.Path(directory)
        (root / name).write_bytes(data)
        clear_caches()
        result = scan([str(root)], FIX_OPTIONS, root=root)
        _well_formed(ParseResult(findings=[f for f in result.findings
                                           if f.rule_id.startswith("IAC00")]))
        outcome = apply_fixes(result.root, result.findings, BUDGETS)
        for change in outcome.changes:
            assert change.file == name, change.file
            assert oracle_problem(change.file, change.after) is None, change.after


def iam_policy(document: Any) -> None:
    """The policy reader and every analysis over what it read."""
    statements, _unknowns = statements_from_json(document, ("Properties", "PolicyDocument"),
                                                 "Fuzz", {})
    for kind in (DocKind.IDENTITY, DocKind.TRUST):
        doc = PolicyDocument(statements, kind, "Fuzz", ("PolicyDocument",), "inline policy")
        analysis.admin_hits(statements, doc)
        analysis.wildcard_action_hits(statements, doc)
        analysis.wildcard_resource_hits(statements, doc)
        analysis.not_action_hits(statements, doc)
        analysis.escalation_hits(statements, doc)
        analysis.trust_hits(statements, doc)
        analysis.assumable_role_patterns(statements)
        analysis.effective_permissions([doc])
        for statement in statements:
            statement.label  # noqa: B018 - the property reads every field it derives
