"""Where a written statement goes: the receivers shown as a finding's related locations."""

from __future__ import annotations

import pathlib

from linter.options import ScanOptions
from linter.pipeline import scan

POLICY = '''resource "aws_iam_role" "fn" {
  name               = "fn"
  assume_role_policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole",
                   Principal = { Service = "lambda.amazonaws.com" } }]
  })
}

resource "aws_iam_role_policy" "fn" {
  role   = aws_iam_role.fn.id
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = "iam:CreateLoginProfile", Resource = "*" }]
  })
}

resource "aws_lambda_function" "fn" {
  function_name = "fn"
  role          = aws_iam_role.fn.arn
  handler       = "index.handler"
  runtime       = "python3.12"
}

resource "aws_iam_role_policy_attachment" "other" {
  role       = aws_iam_role.fn.name
  policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
}
'''


def related_of(tmp_path: pathlib.Path, rule: str) -> list[str]:
    (tmp_path / "main.tf").write_text(POLICY)
    result = scan([str(tmp_path)], ScanOptions(select=(rule,)), root=tmp_path)
    [finding] = result.findings
    return [r.message for r in finding.related]


def test_a_function_that_runs_as_the_role_receives_its_statements(tmp_path: pathlib.Path) -> None:
    assert related_of(tmp_path, "IAC0205") == [
        "reaches: aws_iam_role.fn gets it",
        "reaches: aws_lambda_function.fn runs as the role",
    ]  # the attachment of another policy to the role is not a receiver of this statement
