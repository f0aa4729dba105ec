from __future__ import annotations

from linter.json_positions import decode_json, json_positions, lenient_json, text_spans
from linter.model import Span

TEXT = """{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": ["s3:GetObject",
                 "iam:*"],
      "Resource": "*"
    }
  ]
}
"""


def test_positions_of_keys_and_list_items() -> None:
    positions = json_positions(TEXT)
    assert positions[("Statement", 0, "Action")].line == 5
    assert positions[("Statement", 0, "Action", 1)].line == 6
    assert positions[("Statement", 0, "Resource")].line == 7


def test_heredoc_lines_map_onto_the_file() -> None:
    # policy = <<EOF on line 10, text on 11.., EOF on the line after the text
    container = Span("main.tf", 10, 3, 10 + TEXT.count("\n") + 1, 4)
    spans = text_spans(TEXT, container, ("policy",))
    assert spans[("policy", "Statement", 0, "Action", 1)].start_line == 17
    assert spans[("policy", "Statement", 0, "Effect")].start_line == 15


def test_single_line_strings_get_no_spans() -> None:
    assert text_spans('{"Statement": []}', Span("a.tf", 3), ("policy",)) == {}


def test_invalid_json_never_raises() -> None:
    value, error = decode_json("{not json")
    assert value is None
    assert error
    assert json_positions("{not: [json") == {} or isinstance(json_positions("{not: [json"), dict)


def test_json_iam_would_reject_is_located_through_yaml() -> None:
    lenient = TEXT.replace('"*"\n', '"*",\n')  # a trailing comma: not JSON, still YAML
    assert decode_json(lenient)[0] is None
    assert lenient_json(lenient) == {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["s3:GetObject", "iam:*"], "Resource": "*"}]}
    positions = json_positions(lenient)
    assert positions[("Statement", 0, "Action", 1)].line == 6
    assert positions[("Statement", 0, "Resource")].line == 7
