"""``cfn.verify``'s shortcuts (the part of the document enclosing the edits parsed alone, trees
compared without flattening) give the answers of the full comparison they replace, for edits
that keep or break the data outside the allowed keys, for edits that break the syntax and for
arbitrary text written anywhere."""

from __future__ import annotations

import json
from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from linter.fixes.cfn import Template, _compare, _flatten, parse, to_python, verify
from linter.fixes.sites import NotFixable
from linter.model import Edit

KEYS = ("A", "B", "New", "1", "#0")
ALLOWED = st.sets(st.sampled_from(KEYS))
SCALARS = st.one_of(st.sampled_from(["x", "", "1", "New"]), st.integers(-2, 2), st.booleans(),
                    st.none(), st.sampled_from([1.0, 0.5]))
DATA = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(KEYS), inner, max_size=3)),
    max_leaves=12)


def full_verify(template: Template, after: str, allowed: set[str]) -> str | None:
    """``verify`` as it was: the whole edited text parsed, both trees flattened."""
    try:
        new = to_python(parse(template.rel, after, template.is_json))
    except NotFixable as exc:
        return str(exc)
    return _compare(dict(_flatten(to_python(template.root))), dict(_flatten(new)), allowed)


def one_edit(template: Template, after: str) -> list[Edit]:
    """The edit turning the template's text into ``after``: the span between their common
    beginning and end."""
    before = template.text.source
    start = 0
    while start < min(len(before), len(after)) and before[start] == after[start]:
        start += 1
    end = 0
    while end < min(len(before), len(after)) - start and before[-1 - end] == after[-1 - end]:
        end += 1
    return [template.text.edit(start, len(before) - end, after[start:len(after) - end])]


def dump(data: Any, is_json: bool, indent: int | None) -> str:
    if is_json:
        return json.dumps(data, indent=indent)
    return yaml.safe_dump(data, default_flow_style=None if indent is None else False,
                          sort_keys=False)


SNIPPETS = ("\n", "  ", "    ", "- ", ": ", "'", '"', "#", "x", "\n  A: 1", "\nB: 2",
            "\n    New: 1", "|", "|+\n", ">-", "{", "}", "[", "]", ",", "---\n", "...\n",
            "%TAG ! x\n", "&a ", "*a", "\t", "!Ref ", "? ", "\r\n", "1")


@settings(max_examples=400, deadline=None)
@given(old=st.dictionaries(st.sampled_from(KEYS), DATA, min_size=1, max_size=3),
       new=st.dictionaries(st.sampled_from(KEYS), DATA, min_size=1, max_size=3),
       inner=st.tuples(st.sampled_from(KEYS), DATA), allowed=ALLOWED, is_json=st.booleans(),
       indent=st.sampled_from([None, 2]), mode=st.sampled_from(["other", "inner", "broken"]))
def test_verify_answers_as_the_full_comparison(
        old: dict[str, Any], new: dict[str, Any], inner: tuple[str, Any], allowed: set[str],
        is_json: bool, indent: int | None, mode: str) -> None:
    document = {"Resources": {"R": old}, "Other": [1, {"B": "x"}]}
    template = Template("t.json" if is_json else "t.yaml", dump(document, is_json, indent))
    if mode == "other":  # another resource body
        edited = {**document, "Resources": {"R": new}}
    else:  # one key of the body set, possibly to a collection
        edited = {**document, "Resources": {"R": {**old, inner[0]: inner[1]}}}
    after = dump(edited, is_json, indent)
    if mode == "broken":
        after = after.replace(":", "", 1) if not is_json else after[:-1]
    edits = one_edit(template, after)
    assert verify(template, after, allowed, edits) == full_verify(template, after, allowed)
    assert verify(template, after, allowed) == full_verify(template, after, allowed)


def test_a_json_region_is_parsed_alone_only_when_it_encloses_the_edits() -> None:
    source = '{"Resources": {"R": {"Type": "T", "Properties": {"A": 1}}}, "Other": [1]}'
    template = Template("t.json", source)
    start = source.index("1}")
    inside = [template.text.edit(start, start + 1, "2")]
    assert verify(template, source.replace('"A": 1', '"A": 2'), {"A"}, inside) is None
    assert verify(template, source.replace('"A": 1', '"A": 2'), {"B"}, inside) == (
        "Resources.R.Properties.A would change")
    broken = [template.text.edit(start, start + 1, "2}, ")]
    assert verify(template, source.replace('"A": 1', '"A": 2}, '), {"A"}, broken) == (
        full_verify(template, source.replace('"A": 1', '"A": 2}, '), {"A"}))


@settings(max_examples=600, deadline=None)
@given(old=st.dictionaries(st.sampled_from(KEYS), DATA, min_size=1, max_size=3),
       allowed=ALLOWED, is_json=st.booleans(), indent=st.sampled_from([None, 2]),
       where=st.tuples(st.floats(0, 1), st.integers(0, 12)),
       written=st.lists(st.sampled_from(SNIPPETS), max_size=4))
def test_verify_answers_as_the_full_comparison_for_any_text_written(
        old: dict[str, Any], allowed: set[str], is_json: bool, indent: int | None,
        where: tuple[float, int], written: list[str]) -> None:
    document = {"Resources": {"R": old, "S": {"B": [1, "x"]}}, "Other": {"A": 1}}
    template = Template("t.json" if is_json else "t.yaml", dump(document, is_json, indent))
    before = template.text.source
    start = int(where[0] * len(before))
    end = min(len(before), start + where[1])
    after = before[:start] + "".join(written) + before[end:]
    edits = [template.text.edit(start, end, "".join(written))]
    assert verify(template, after, allowed, edits) == full_verify(template, after, allowed)


YAML_TEMPLATE = """\
# a comment
Resources:
  R:
    Type: AWS::EC2::Instance  # trailing
    Properties:
      UserData: |+
        #!/bin/bash
        echo hi

      Tags:
      - Key: a
        Value: 'quoted
          on two lines'
      - {Key: b, Value: plain
          continued}
      MetadataOptions:
        HttpTokens: optional

  S:
    Type: !Ref Kind
    Properties: {A: 1}
Outputs:
  O:
    Value: >-
      folded
      text
"""
SPACES = ("\n", "\n\n", " ", "  ", "    ", "      ", "#x\n", "\n  ", "\n    ", "\n      x: 1",
          "        New: 1\n", "      New: 1\n", "    New: 1\n", "  New: 1\n", "- ", "x", ":")


@settings(max_examples=600, deadline=None)
@given(where=st.tuples(st.integers(0, len(YAML_TEMPLATE)), st.integers(0, 3)),
       written=st.lists(st.sampled_from(SPACES), max_size=3), allowed=ALLOWED)
def test_verify_answers_as_the_full_comparison_for_spacing_written_in_yaml(
        where: tuple[int, int], written: list[str], allowed: set[str]) -> None:
    template = Template("t.yaml", YAML_TEMPLATE)
    start, end = where[0], min(len(YAML_TEMPLATE), where[0] + where[1])
    after = YAML_TEMPLATE[:start] + "".join(written) + YAML_TEMPLATE[end:]
    edits = [template.text.edit(start, end, "".join(written))]
    assert verify(template, after, allowed | {"New"}, edits) == full_verify(
        template, after, allowed | {"New"})
