"""linter/frontends/terraform/tfvars.py: variable files become ``tfvars`` resources, and the
credentials rule judges them like any other resource (reported at their line in the file)."""

from __future__ import annotations

import base64
import pathlib

from linter.frontends.terraform.tfvars import TFVARS_TYPE, read_tfvars
from linter.model import Finding
from linter.options import ScanOptions
from linter.pipeline import scan

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


def findings(tmp_path: pathlib.Path, name: str, text: str) -> list[Finding]:
    (tmp_path / name).write_bytes(text.encode())
    result = scan([str(tmp_path)], ScanOptions(select=("IAC0401",)), root=tmp_path)
    return [f for f in result.findings if f.rule_id == "IAC0401"]


def located(tmp_path: pathlib.Path, name: str, text: str) -> list[tuple[int, str]]:
    return [(f.span.start_line, f.address) for f in findings(tmp_path, name, text)]


def test_literals_heredocs_objects_and_base64(tmp_path: pathlib.Path) -> None:
    script = base64.b64encode(b"[default]\r\naws_secret_access_key = somesecret\r\n").decode()
    text = "\n".join([
        'region = "us-east-1"',
        f'aws_secret_key = "{SECRET}"',
        "init = <<EOF",
        "#!/bin/bash",
        "export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE",
        "EOF",
        'keys = { id = "AKIAIOSFODNN7EXAMPLE", other = ["x"] }',
        f'init_aws_cli = "{script}"',
        'from_var = "${var.other}"',
        'masked = "AKIAXXXXXXXXXXXXXXXX"',
    ])
    found = findings(tmp_path, "terraform.tfvars", text)
    assert [(f.span.start_line, f.address) for f in found] == [
        (2, "var.aws_secret_key"), (5, "var.init"), (7, "var.keys"), (8, "var.init_aws_cli")]
    assert all(SECRET not in f.message and "AKIAIOSFODNN7EXAMPLE" not in f.message for f in found)
    assert found[0].category == "hardcoded-credentials"
    assert found[0].resource_type == TFVARS_TYPE
    assert found[0].properties["redact"] == [SECRET]
    assert script in found[3].properties["redact"]
    assert len({f.fingerprint for f in found}) == 4


def test_json_variable_file(tmp_path: pathlib.Path) -> None:
    text = f'{{\n  "secret_key": "{SECRET}",\n  "region": "us-east-1"\n}}\n'
    assert located(tmp_path, "x.tfvars.json", text) == [(2, "var.secret_key")]


def test_broken_and_clean_files_yield_nothing(tmp_path: pathlib.Path) -> None:
    assert read_tfvars("bad.tfvars", b'x = "unterminated\n').resources == []
    assert read_tfvars("bin.tfvars", b"\xff\xfe\x00garbage").resources == []
    assert located(tmp_path, "ok.auto.tfvars", 'region = "eu-west-1"\nsize = 3\n') == []


def test_each_assignment_is_a_resource_with_spans() -> None:
    parsed = read_tfvars("prod.tfvars", b'region = "eu-west-1"\nsizes = [1, 2]\n')
    assert [(r.address, r.type, r.file) for r in parsed.resources] == [
        ("var.region", TFVARS_TYPE, "prod.tfvars"), ("var.sizes", TFVARS_TYPE, "prod.tfvars")]
    assert parsed.resources[1].spans[("sizes", 1)].start_line == 2
    assert parsed.files == ["prod.tfvars"]
