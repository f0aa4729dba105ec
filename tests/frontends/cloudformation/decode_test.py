"""CloudFormation detection, decoding with marks, and comments."""

from __future__ import annotations

import json

import pytest

from linter.frontends.cloudformation.decode import (
    decode_template,
    looks_like_cfn,
    template_comments,
)

GITHUB_WORKFLOW = b"""name: ci
on: [push]
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: aws cloudformation deploy --template-file template.yaml  # Resources
"""
K8S_MANIFEST = b"""apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
    - name: web
      image: nginx
      resources:
        limits: {cpu: "1"}
"""
COMPOSE = b"""services:
  web:
    image: nginx
    deploy:
      resources:
        limits: {cpus: "0.5"}
"""
SERVERLESS_FRAMEWORK = b"""service: api
provider: {name: aws}
resources:
  Resources:
    Bucket:
      Type: AWS::S3::Bucket
"""


@pytest.mark.parametrize("data", [
    b'AWSTemplateFormatVersion: "2010-09-09"\nResources: {}\n',
    b"Resources:\n  Web:\n    Type: AWS::EC2::Instance\n",
    b"Resources:\n  Thing:\n    Type: Custom::Thing\n",
    b"Transform: AWS::Serverless-2016-10-31\nResources:\n  F:\n"
    b"    Type: AWS::Serverless::Function\n",
    b"\xef\xbb\xbf---\nAWSTemplateFormatVersion: 2010-09-09\n",
    json.dumps({"Resources": {"Web": {"Type": "AWS::EC2::Instance"}}}).encode(),
    json.dumps({"AWSTemplateFormatVersion": "2010-09-09"}).encode(),
    b'{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {',  # broken, still a template
], ids=["version", "resources", "custom", "sam", "bom-doc-start", "json", "json-version",
        "json-broken"])
def test_templates_are_recognized(data: bytes) -> None:
    assert looks_like_cfn(data)


@pytest.mark.parametrize("data", [
    GITHUB_WORKFLOW, K8S_MANIFEST, COMPOSE, SERVERLESS_FRAMEWORK,
    json.dumps({"name": "app", "version": "1.0.0", "dependencies": {"left-pad": "1"}}).encode(),
    json.dumps({"Resources": {"X": {"Type": "Not::Aws"}}}).encode(),
    b"Resources:\n  X:\n    Kind: thing\n",
    b"",
    b"\x00\x01binary",
    b'{"Resources": {}}',
], ids=["workflow", "k8s", "compose", "serverless-framework", "package-json", "json-other-types",
        "yaml-no-types", "empty", "binary", "json-no-resources"])
def test_other_files_are_not_templates(data: bytes) -> None:
    assert not looks_like_cfn(data)


YAML = """AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Web:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: !Ref Ami
      Tags:
        - Key: a
          Value: !Sub "${AWS::StackName}-web"
"""


def test_yaml_short_form_tags_decode_with_marks() -> None:
    decoded, findings = decode_template("t.yaml", YAML.encode())
    assert findings == []
    assert decoded is not None
    assert not decoded.is_json
    web = decoded.template["Resources"]["Web"]
    assert web["Properties"]["ImageId"] == {"Ref": "Ami"}
    assert web["Properties"]["Tags"][0]["Value"] == {"Fn::Sub": "${AWS::StackName}-web"}
    key = next(k for k in web["Properties"] if k == "ImageId")
    assert (key.start_mark.line, key.start_mark.column) == (5, 6)  # 0-based


def test_json_decodes_with_marks() -> None:
    text = json.dumps({"Resources": {"Web": {"Type": "AWS::EC2::Instance",
                                            "Properties": {"ImageId": {"Ref": "Ami"}}}}},
                      indent=2)
    decoded, findings = decode_template("t.json", text.encode())
    assert findings == []
    assert decoded is not None
    assert decoded.is_json
    props = decoded.template["Resources"]["Web"]["Properties"]
    key = next(iter(props))
    assert key.start_mark.line + 1 == text.splitlines().index('        "ImageId": {') + 1


@pytest.mark.parametrize(("data", "line", "needle"), [
    (b"Resources:\n  Web:\n    Type: AWS::EC2::Instance\n   bad: [\n", 4, ""),
    (b"Resources:\n  Web:\n    Type: A\n  Web:\n    Type: B\n", 2, "Duplicate"),
    (b'{"Resources": {"Web":\n  [1, 2}}', 2, ""),
    (b"", 1, "empty"),
    (b"   \n\n", 1, "empty"),
    (b"Resources:\n  W: \xff\xfe\n", 2, "UTF-8"),
    (b"- just\n- a list\n", 1, "mapping"),
], ids=["yaml-syntax", "duplicate-key", "json-syntax", "empty", "blank", "non-utf8", "list"])
def test_broken_templates_become_iac0001(data: bytes, line: int, needle: str) -> None:
    decoded, findings = decode_template("bad.yaml", data)
    assert decoded is None
    assert findings
    assert all(f.rule_id == "IAC0001" for f in findings)
    assert findings[0].span.file == "bad.yaml"
    assert findings[0].span.start_line == line
    assert needle in " ".join(f.message for f in findings)


def test_comments_skip_hashes_inside_scalars() -> None:
    data = b"""# header
Resources:  # ruleid: IAC0101
  Web:
    Type: AWS::EC2::Instance
    Properties:
      UserData: |
        #!/bin/bash
        echo "# not a comment"
      Name: "a # b"   # ok: IAC0101
      Other: a#b
"""
    assert template_comments(data) == [(1, "header"), (2, "ruleid: IAC0101"),
                                       (9, "ok: IAC0101")]


def test_comments_of_broken_yaml_and_json() -> None:
    assert template_comments(b"# ruleid: IAC0001\nResources: [\n  # still\n") == [
        (1, "ruleid: IAC0001"), (3, "still")]
    assert template_comments(b'{"a": "# no"}') == []


def test_comments_after_a_scanner_error_are_found_quote_aware() -> None:
    """Suppression comments of a broken template (row 20 breaks the YAML on purpose): past the
    scanner's error, a ``#`` inside quotes is not a comment."""
    data = b'a: 1 # one\nb: @bad\n# two\nc: "q # no" # three\nd: \'e # no\'\n'
    assert template_comments(data) == [(1, "one"), (3, "two"), (4, "three")]


WIDE = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Web:\n    Type: AWS::EC2::Instance\n"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32",
                                      "utf-32-le", "utf-32-be"])
def test_utf16_and_utf32_templates_with_a_bom_are_read(encoding: str) -> None:
    data = WIDE.encode(encoding)
    if not encoding.endswith(("le", "be")):
        assert data.startswith((b"\xff\xfe", b"\xfe\xff"))  # the codec wrote a BOM
    else:
        data = "\ufeff".encode(encoding) + data
    assert looks_like_cfn(data)
    decoded, findings = decode_template("wide.yaml", data)
    assert findings == []
    assert decoded is not None
    web = decoded.template["Resources"]["Web"]
    assert web["Type"] == "AWS::EC2::Instance"
    key = next(iter(web))
    assert (key.start_mark.line, key.start_mark.column) == (3, 4)


def test_other_encodings_are_a_finding_that_says_what_to_do() -> None:
    data = "Resources:\n  Web:\n    Type: AWS::EC2::Instance\n    Name: café\n".encode("latin-1")
    assert looks_like_cfn(data)
    decoded, findings = decode_template("latin.yaml", data)
    assert decoded is None
    [finding] = findings
    assert finding.rule_id == "IAC0001"
    assert (finding.span.start_line, finding.span.start_col) == (4, 14)
    assert finding.message.startswith("not valid UTF-8 (byte 0xe9 at line 4, column 14)")
    assert "UTF-16" in finding.message


def test_a_truncated_utf16_template_is_a_finding() -> None:
    decoded, findings = decode_template("w.yaml", b"\xff\xfe" + b"a\x00b")
    assert decoded is None
    assert [(f.rule_id, f.message) for f in findings] == [
        ("IAC0001", "not valid UTF-16: truncated data at byte 4")]


@pytest.mark.parametrize("name", ["deep.yaml", "deep.json"])
def test_a_deeply_nested_template_is_a_finding(name: str) -> None:
    nested = b"[" * 20_000 + b"]" * 20_000
    data = (b'{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {"A": {"Type": '
            b'"AWS::EC2::Instance", "Properties": {"X": ' + nested + b"}}}}")
    decoded, findings = decode_template(name, data)
    assert decoded is None
    assert [f.rule_id for f in findings] == ["IAC0001"]


def test_a_utf16_file_without_its_bom_is_binary() -> None:
    decoded, findings = decode_template("x.yaml", WIDE.encode("utf-16-le"))
    assert decoded is None
    assert "binary" in findings[0].message
