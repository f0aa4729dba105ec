from __future__ import annotations

import json
import pathlib
import shutil
import subprocess
from typing import Any

import jsonschema
import pytest

import linter
from linter.report import sarif
from linter.report.locations import find_base
from linter.result import ScanResult
from tests.paths import SHARED
from tests.report.golden_files import check_golden
from tests.report.sample_result import ACCESS_KEY, ODD_PATH, REVISION, SECRET_KEY, build_result

SCHEMA = pathlib.Path(__file__).with_name("sarif-schema-2.1.0.json")
VALIDATOR = SHARED / "tools" / "sarif-validate"


def _log(result: ScanResult, show_unknown: bool = True) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(sarif.render(result, show_unknown=show_unknown))
    return doc


def _run(result: ScanResult) -> dict[str, Any]:
    run: dict[str, Any] = _log(result)["runs"][0]
    return run


def _result(run: dict[str, Any], rule_id: str, address: str = "") -> dict[str, Any]:
    for res in run["results"]:
        names = [loc.get("fullyQualifiedName") for loc in
                 res["locations"][0].get("logicalLocations", [])]
        if res["ruleId"] == rule_id and (not address or address in names):
            found: dict[str, Any] = res
            return found
    raise AssertionError(f"no {rule_id} result for {address}")


def test_validates_against_the_sarif_schema(result: ScanResult) -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(_log(result))
    jsonschema.Draft202012Validator(schema).validate(_log(ScanResult(root=result.root)))


def test_golden(result: ScanResult) -> None:
    text = sarif.render(result, show_unknown=True)
    text = text.replace(find_base(result.root).directory_uri, "file:///REPO/")
    text = text.replace(f'"{linter.__version__}"', '"VERSION"').replace(
        f"iaclint {linter.__version__}", "iaclint VERSION")
    check_golden("report.sarif", text)


def test_rules_describe_every_rule_that_ran_and_every_tool_rule_used(result: ScanResult) -> None:
    rules = _run(result)["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == ["IAC0101", "IAC0102", "IAC0301", "IAC0401", "IAC0001",
                                        "IAC0006", "IAC0003"]
    imds = rules[0]
    assert imds["name"] == "ImdsV1Allowed"
    assert imds["properties"]["security-severity"] == "8.1"
    assert imds["properties"]["category"] == "imds-tokens"
    assert "security" in imds["properties"]["tags"]
    assert imds["defaultConfiguration"] == {"level": "error"}
    assert imds["helpUri"].endswith("/docs/rules/imds-v1-allowed.md")
    assert "aws ec2 modify-instance-metadata-options" in imds["help"]["markdown"]
    assert "```hcl\nmetadata_options {" in imds["help"]["markdown"]
    tool = rules[4]
    assert tool["properties"] == {"category": "tool", "tags": ["iaclint-tool"]}
    for res in _run(result)["results"]:
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]


def test_a_result_points_at_the_resource_and_its_region(result: ScanResult) -> None:
    res = _result(_run(result), "IAC0101", "aws_instance.web")
    assert res["level"] == "error"
    assert res["message"]["text"].startswith("aws_instance.web allows IMDSv1")
    physical = res["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"] == {"uri": "main.tf", "uriBaseId": "%SRCROOT%"}
    assert physical["region"] == {"startLine": 7, "startColumn": 4, "endLine": 7,
                                  "endColumn": 28,
                                  "snippet": {"text": 'http_tokens = "optional"'}}
    assert physical["contextRegion"]["startLine"] == 5
    assert res["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == "aws_instance.web"
    assert res["locations"][0]["logicalLocations"][0]["kind"] == "resource"
    assert res["partialFingerprints"] == {"iaclint/v1": "3f2a9c1e0d4b5a6978877665544332211"}
    related = res["relatedLocations"]
    assert [r["id"] for r in related] == [1, 2]
    assert related[0]["message"]["text"] == "its instance profile."
    assert related[0]["physicalLocation"]["region"]["startLine"] == 11


def test_uris_are_percent_encoded_and_repository_relative(result: ScanResult) -> None:
    run = _run(result)
    odd = _result(run, "IAC0301")
    assert odd["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
        "envs/prod%20app/%C3%BCn%C3%AFcode%231.tf")
    # scanning a sub-directory of the repository keeps repository-relative URIs
    sub = build_result_in_subdir(result.root)
    sub_run = _run(sub)
    uri = sub_run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "infra/broken.tf"
    assert sub_run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == result.root.resolve().as_uri() + "/"


def build_result_in_subdir(repo: pathlib.Path) -> ScanResult:
    root = repo / "infra"
    root.mkdir()
    sub = build_result(root)
    shutil.rmtree(root / ".git")
    return sub


def test_suppressed_results_are_kept_with_their_kind(result: ScanResult) -> None:
    run = _run(result)
    fleet = _result(run, "IAC0102", "Fleet")
    assert fleet["suppressions"] == [{"kind": "inSource", "status": "accepted",
                                      "justification": "containers",
                                      "properties": {"expires": "2030-01-01"}}]
    legacy = _result(run, "IAC0101", "Legacy")
    assert legacy["suppressions"][0]["kind"] == "external"


def test_fingerprints_survive_unrelated_edits(result: ScanResult, tmp_path: pathlib.Path) -> None:
    before = {r["partialFingerprints"]["iaclint/v1"] for r in _run(result)["results"]}
    main = result.root / "main.tf"
    main.write_text("# a comment\n" * 20 + main.read_text(encoding="utf-8"), encoding="utf-8")
    moved = [type(f)(**{**f.__dict__, "span": type(f.span)(
        f.span.file, f.span.start_line + 20, f.span.start_col, f.span.end_line + 20,
        f.span.end_col)}) if f.span.file == "main.tf" else f for f in result.findings]
    result.findings[:] = moved
    after = {r["partialFingerprints"]["iaclint/v1"] for r in _run(result)["results"]}
    assert before == after


def test_tool_errors_are_results_and_notifications(result: ScanResult) -> None:
    run = _run(result)
    invocation = run["invocations"][0]
    assert invocation["executionSuccessful"] is True
    notes = invocation["toolExecutionNotifications"]
    assert [n["associatedRule"]["id"] for n in notes] == ["IAC0001"]
    assert _result(run, "IAC0001")["level"] == "error"


def test_unknown_verdicts_are_notes_only_on_request(result: ScanResult) -> None:
    assert "IAC0006" not in sarif.render(result)
    res = _result(_run(result), "IAC0006", "aws_launch_template.lt")
    assert res["level"] == "note"
    assert "`var.hop_limit`" in res["message"]["text"]
    assert res["relatedLocations"][0]["physicalLocation"]["region"]["startColumn"] == 35


def test_run_metadata(result: ScanResult) -> None:
    run = _run(result)
    assert run["columnKind"] == "unicodeCodePoints"
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("iaclint", linter.__version__)
    assert driver["informationUri"].startswith("https://")
    assert run["versionControlProvenance"] == [{
        "repositoryUri": "https://github.com/example/infra.git",  # credentials dropped
        "revisionId": REVISION, "branch": "main", "mappedTo": {"uriBaseId": "%SRCROOT%"}}]


def test_messages_have_ids_and_arguments_from_the_rule_template(result: ScanResult) -> None:
    run = _run(result)
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert rules["IAC0101"]["messageStrings"]["default"]["text"] == (
        "'{0}' instance metadata service allows imdsv1.")
    res = _result(run, "IAC0101", "aws_instance.web")
    assert (res["message"]["id"], res["message"]["arguments"]) == ("default", ["aws_instance.web"])
    tool = _result(run, "IAC0001")
    assert tool["message"]["id"] == "plain"


def test_secrets_never_appear(result: ScanResult) -> None:
    out = sarif.render(result, show_unknown=True)
    assert SECRET_KEY not in out
    assert ACCESS_KEY not in out
    assert "ghp_tokenTOKENtoken" not in out
    assert "wJal…" in out


def test_odd_path_is_in_the_sample() -> None:
    assert " " in ODD_PATH  # the encoding test above relies on it


@pytest.mark.skipif(not VALIDATOR.exists(), reason="the shared SARIF validator is not here")
def test_microsoft_validator_reports_no_errors_or_warnings(
        result: ScanResult, tmp_path: pathlib.Path) -> None:
    path = tmp_path / "report.sarif"
    path.write_text(sarif.render(result, show_unknown=True), encoding="utf-8")
    proc = subprocess.run([str(VALIDATOR), str(path)], capture_output=True, text=True,
                          timeout=300, check=False)
    if proc.returncode == 2:
        pytest.skip(f"validator unavailable: {proc.stdout[-300:]}{proc.stderr[-300:]}")
    # notes that remain are only SARIF2006 (URIs unreachable: no network here)
    notes = [line for line in proc.stdout.splitlines() if " note " in line]
    assert all("SARIF2006" in line for line in notes), proc.stdout
    assert proc.returncode == 0, proc.stdout


def test_bundled_rules_tag_compliance_controls_and_peer_checks() -> None:
    from linter.options import ScanOptions
    from linter.pipeline import load_all_rules
    from linter.report.catalog import from_rule

    rules = {r.id: sarif.rule_json(from_rule(r)) for r in load_all_rules(ScanOptions())}
    imds = rules["IAC0101"]["properties"]
    assert imds["tags"][:3] == ["security", "imds-tokens", "external/aws-fsbp/ec2.8"]
    assert "external/cis-aws-foundations/v3.0.0/5.6" in imds["tags"]
    assert "external/checkov/ckv_aws_79" in imds["tags"]
    assert "external/trivy/avd-aws-0028" in imds["tags"]
    assert imds["compliance"][0] == "aws-fsbp:EC2.8"
    assert imds["equivalents"]["checkov"] == ["CKV_AWS_79"]
    for rule in rules.values():  # GitHub rejects a rule with more than 20 tags
        tags = rule["properties"]["tags"]
        assert len(tags) <= sarif.MAX_TAGS
        assert all(tag == tag.lower() and " " not in tag for tag in tags)
    assert len(rules["IAC0205"]["properties"]["equivalents"]["kics"]) > sarif.MAX_TAGS
# ---- fixes -----------------------------------------------------------------------------------

FIXABLE_TF = """resource "aws_instance" "web" {
  ami           = "ami-12345678"
  instance_type = "t3.micro"
}

variable "tokens" {
  default = "optional"
}

resource "aws_launch_template" "app" {
  metadata_options {
    http_tokens = var.tokens
  }
}
"""


def _apply_sarif_fix(fix: dict[str, Any], root: pathlib.Path) -> dict[str, str]:
    """The files after one SARIF fix, applying its replacements to the unmodified text."""
    out: dict[str, str] = {}
    for change in fix["artifactChanges"]:
        uri = change["artifactLocation"]["uri"]
        text = (root / uri).read_text(encoding="utf-8")
        starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]
        edits = []
        for replacement in change["replacements"]:
            region = replacement["deletedRegion"]
            start = starts[region["startLine"] - 1] + region["startColumn"] - 1
            end = starts[region["endLine"] - 1] + region["endColumn"] - 1
            edits.append((start, end, replacement["insertedContent"]["text"]))
        for start, end, new in sorted(edits, reverse=True):
            text = text[:start] + new + text[end:]
        out[uri] = text
    return out


def test_fixable_results_carry_sarif_fixes(tmp_path: pathlib.Path) -> None:
    from linter.options import ScanOptions
    from linter.pipeline import scan

    (tmp_path / "main.tf").write_text(FIXABLE_TF, encoding="utf-8")
    result = scan([str(tmp_path)], ScanOptions(select=("IAC0101",), fixes=True), root=tmp_path)
    run = _run(result)
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(_log(result))
    web, app = _result(run, "IAC0101", "aws_instance.web"), _result(run, "IAC0101",
                                                                     "aws_launch_template.app")
    fixed_web = _apply_sarif_fix(web["fixes"][0], tmp_path)["main.tf"]
    assert 'instance_type = "t3.micro"\n\n  metadata_options {\n    http_tokens = "required"\n' \
        '  }\n}\n' in fixed_web
    assert app["fixes"][0]["description"]["text"].startswith(
        'Set http_tokens = "required" in metadata_options (at its source: the default of '
        "var.tokens (main.tf:7))")
    assert 'default = "required"' in _apply_sarif_fix(app["fixes"][0], tmp_path)["main.tf"]


@pytest.mark.skipif(not VALIDATOR.exists(), reason="the shared SARIF validator is not here")
def test_microsoft_validator_accepts_fixes(tmp_path: pathlib.Path) -> None:
    from linter.options import ScanOptions
    from linter.pipeline import scan

    (tmp_path / "main.tf").write_text(FIXABLE_TF, encoding="utf-8")
    result = scan([str(tmp_path)], ScanOptions(fixes=True), root=tmp_path)
    path = tmp_path / "report.sarif"
    path.write_text(sarif.render(result), encoding="utf-8")
    proc = subprocess.run([str(VALIDATOR), str(path)], capture_output=True, text=True,
                          timeout=300, check=False)
    if proc.returncode == 2:
        pytest.skip(f"validator unavailable: {proc.stdout[-300:]}{proc.stderr[-300:]}")
    assert "0 errors, 0 warnings" in proc.stdout, proc.stdout


def test_fix_edits_name_the_same_repository_relative_files_as_the_locations(
        tmp_path: pathlib.Path) -> None:
    from linter.options import ScanOptions
    from linter.pipeline import scan

    (tmp_path / ".git").mkdir()  # the repository; the scan is of a subdirectory
    infra = tmp_path / "infra"
    infra.mkdir()
    (infra / "main.tf").write_text(FIXABLE_TF, encoding="utf-8")
    result = scan([str(infra)], ScanOptions(select=("IAC0101",), fixes=True), root=infra)
    web = _result(_run(result), "IAC0101", "aws_instance.web")
    location = web["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    change = web["fixes"][0]["artifactChanges"][0]["artifactLocation"]["uri"]
    assert location == change == "infra/main.tf"
