"""Where "suppress with reason" writes its comment, checked by the engine that reads it."""

from __future__ import annotations

import pathlib

from linter.engine.suppress import inline_suppressions
from linter.lsp.suppression import Placement, place

HCL = '''resource "aws_iam_policy" "p" {
  name = "p"
  policy = <<EOT
{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
EOT
}

resource "aws_instance" "web" {
  metadata_options {
    http_tokens = "optional"
  }
}
'''

YAML = '''Resources:
  Web:
    Type: AWS::EC2::Instance
    Properties:
      UserData: !Base64 |
        #!/bin/bash
        export AWS_SECRET_ACCESS_KEY=abc
      Tags: [{Key: a, Value: b}]
'''


def inserted(text: str, placement: Placement) -> str:
    lines = text.splitlines(keepends=True)
    return "".join([*lines[: placement.line], placement.text, *lines[placement.line:]])


def covered_lines(tmp_path: pathlib.Path, name: str, text: str) -> list[tuple[int, ...]]:
    """The lines each iaclint:ignore comment of ``text`` covers, as the engine reads them."""
    (tmp_path / name).write_text(text)
    return [s.applies_to for s in inline_suppressions(tmp_path, [name], {})]


def test_above_the_line_with_its_indentation(tmp_path: pathlib.Path) -> None:
    placement = place("main.tf", HCL, "IAC0101", 10, header=8)
    assert placement == Placement(9, '    # iaclint:ignore IAC0101 reason=""\n', 37, False)
    text = inserted(HCL, placement)
    assert text.splitlines()[placement.line][placement.reason - 1:placement.reason + 1] == '""'
    assert covered_lines(tmp_path, "main.tf", text) == [(10, 11)]  # the finding, one line down


def test_never_inside_a_heredoc_but_above_the_resource(tmp_path: pathlib.Path) -> None:
    placement = place("main.tf", HCL, "IAC0202", 4, header=1)
    assert placement is not None
    assert (placement.line, placement.whole_resource) == (0, True)
    assert placement.text == '# iaclint:ignore IAC0202 reason=""\n'
    assert place("main.tf", HCL, "IAC0202", 4, header=None) is None


def test_never_inside_a_yaml_block_scalar(tmp_path: pathlib.Path) -> None:
    placement = place("stack.yaml", YAML, "IAC0401", 7, header=2)
    assert placement is not None
    assert (placement.line, placement.whole_resource) == (1, True)
    assert placement.text.startswith("  # iaclint:ignore IAC0401")
    tags = place("stack.yaml", YAML, "IAC0401", 8, header=2)
    assert tags is not None
    assert (tags.line, tags.whole_resource) == (7, False)


def test_a_finding_on_the_header_covers_the_resource() -> None:
    placement = place("main.tf", HCL, "IAC0301", 8, header=8)
    assert placement is not None
    assert (placement.line, placement.whole_resource) == (7, True)


def test_no_comment_in_json_and_crlf_kept() -> None:
    assert place("stack.json", '{"Resources": {}}', "IAC0101", 1, header=None) is None
    assert place("stack.template", '\n{"Resources": {}}', "IAC0101", 2, header=None) is None
    crlf = place("main.tf", HCL.replace("\n", "\r\n"), "IAC0101", 10, header=8)
    assert crlf is not None
    assert crlf.text.endswith('reason=""\r\n')


def test_a_broken_yaml_file_still_gets_the_line_above() -> None:
    placement = place("stack.yaml", "Resources:\n  Web: [\n    Type: x\n", "IAC0101", 3,
                      header=None)
    assert placement is not None
    assert placement.line == 2
