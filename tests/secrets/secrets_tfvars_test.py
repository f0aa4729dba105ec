"""linter/secrets/tfvars.py: credentials in variable files, reported at their line."""

from __future__ import annotations

import base64
import pathlib

from linter.secrets.tfvars import scan_tfvars

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


def scan(tmp_path: pathlib.Path, name: str, text: str) -> list[tuple[int, str, str]]:
    return [(f.span.start_line, f.address, f.message)
            for f in scan_tfvars(tmp_path, name, text.encode())]


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
    found = scan(tmp_path, "terraform.tfvars", text)
    assert [(line, address) for line, address, _ in found] == [
        (2, "var.aws_secret_key"), (5, "var.init"), (7, "var.keys"), (8, "var.init_aws_cli")]
    assert all(SECRET not in message and "AKIAIOSFODNN7EXAMPLE" not in message
               for _, _, message in found)
    findings = scan_tfvars(tmp_path, "terraform.tfvars", text.encode())
    assert findings[0].rule_id == "IAC0401"
    assert findings[0].category == "hardcoded-credentials"
    assert findings[0].properties["redact"] == [SECRET]
    assert script in findings[3].properties["redact"]
    assert len({f.fingerprint for f in findings}) == 4


def test_json_variable_file(tmp_path: pathlib.Path) -> None:
    text = f'{{\n  "secret_key": "{SECRET}",\n  "region": "us-east-1"\n}}\n'
    assert [(line, address) for line, address, _ in scan(tmp_path, "x.tfvars.json", text)] == [
        (2, "var.secret_key")]


def test_broken_and_clean_files_yield_nothing(tmp_path: pathlib.Path) -> None:
    assert scan(tmp_path, "bad.tfvars", 'x = "unterminated\n') == []
    assert scan(tmp_path, "ok.auto.tfvars", 'region = "eu-west-1"\nsize = 3\n') == []
    assert scan_tfvars(tmp_path, "bin.tfvars", b"\xff\xfe\x00garbage") == []
