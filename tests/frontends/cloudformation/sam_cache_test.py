"""SAM expansions kept between runs: the same expansion, nodes and marks, without the translator;
entries that do not check out are expanded again; a rejection is kept too."""

from __future__ import annotations

import json
import pathlib
from typing import Any

import pytest

from linter.frontends.cloudformation import marked_yaml, sam_cache
from linter.frontends.cloudformation.sam import SamError, expand_sam
from tests.frontends.cloudformation.sam_test import SAM

BROKEN = "Transform: AWS::Serverless-2016-10-31\nResources:\n  F:\n    Type: AWS::Serverless::Api\n"


@pytest.fixture
def cache(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> pathlib.Path:
    monkeypatch.setenv("IACLINT_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("IACLINT_NO_CACHE", raising=False)
    return tmp_path / "sam-expansions"


def _no_translator(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*_args: Any) -> Any:
        raise AssertionError("the translator ran")

    monkeypatch.setattr(sam_cache, "expand_sam", fail)


def shape(node: Any) -> Any:
    """Everything the cache must keep: types, values, marks (line and column), order."""
    marks = None
    if hasattr(node, "start_mark"):
        marks = (node.start_mark.line, node.start_mark.column, node.end_mark.line,
                 node.end_mark.column)
    if isinstance(node, dict):
        return (type(node).__name__, marks, [(shape(k), shape(v)) for k, v in node.items()])
    if isinstance(node, list):
        return (type(node).__name__, marks, [shape(i) for i in node])
    return (type(node).__name__, marks, node)


def test_a_cached_expansion_is_the_expansion(cache: pathlib.Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    template = marked_yaml.load(SAM)
    fresh = expand_sam(template, {"Stage": "prod"})
    first = sam_cache.expand_sam_cached(template, {"Stage": "prod"})
    assert len(list(cache.iterdir())) == 1
    _no_translator(monkeypatch)
    again = sam_cache.expand_sam_cached(marked_yaml.load(SAM), {"Stage": "prod"})
    assert shape(again.template) == shape(first.template) == shape(fresh.template)
    assert dict(again.source_of) == dict(fresh.source_of)
    assert dict(again.rejected) == dict(fresh.rejected)
    def action(expansion: Any) -> Any:
        role = expansion.template["Resources"]["ApiRole"]
        return role["Properties"]["Policies"][0]["PolicyDocument"]["Statement"][0]["Action"]

    assert type(action(again)) is marked_yaml.MarkedStr  # copied from the SAM resource
    assert action(again).start_mark.line == action(fresh).start_mark.line > 0


def test_other_inputs_are_other_entries(cache: pathlib.Path) -> None:
    template = marked_yaml.load(SAM)
    sam_cache.expand_sam_cached(template, {})
    sam_cache.expand_sam_cached(template, {"Stage": "prod"})
    moved = marked_yaml.load("\n" + SAM)  # the same values, other marks
    sam_cache.expand_sam_cached(moved, {})
    assert len(list(cache.iterdir())) == 3


def test_a_rejection_is_kept(cache: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(SamError) as first:
        sam_cache.expand_sam_cached(marked_yaml.load(BROKEN), {})
    _no_translator(monkeypatch)
    with pytest.raises(SamError) as again:
        sam_cache.expand_sam_cached(marked_yaml.load(BROKEN), {})
    assert str(again.value) == str(first.value)


@pytest.mark.parametrize("damage", ["truncated", "edited", "other-key", "not-json",
                                    "symlink", "directory", "bad-node"])
def test_an_entry_that_does_not_check_out_is_expanded_again(
        cache: pathlib.Path, monkeypatch: pytest.MonkeyPatch, tmp_path: pathlib.Path,
        damage: str) -> None:
    template = marked_yaml.load(SAM)
    fresh = sam_cache.expand_sam_cached(template, {})
    (entry,) = cache.iterdir()
    text = entry.read_text(encoding="utf-8")
    data = json.loads(text)
    if damage == "truncated":
        entry.write_text(text[: len(text) // 2], encoding="utf-8")
    elif damage == "edited":  # a value changed without the checksum
        entry.write_text(text.replace('"python3.12"', '"python2.7"'), encoding="utf-8")
    elif damage == "other-key":
        data["key"] = "0" * 64
        entry.write_text(json.dumps(data), encoding="utf-8")
    elif damage == "not-json":
        entry.write_text("{", encoding="utf-8")
    elif damage == "symlink":
        (tmp_path / "elsewhere").write_text(text, encoding="utf-8")
        entry.unlink()
        entry.symlink_to(tmp_path / "elsewhere")
    elif damage == "directory":
        entry.unlink()
        entry.mkdir()
    else:  # a node of no known shape, with a checksum that matches it
        data["expansion"]["template"] = {"x": 1}
        data["check"] = sam_cache._checksum(data["key"], data["expansion"], data["error"])
        entry.write_text(json.dumps(data), encoding="utf-8")
    calls: list[int] = []
    real = expand_sam

    def counted(*args: Any) -> Any:
        calls.append(1)
        return real(*args)

    monkeypatch.setattr(sam_cache, "expand_sam", counted)
    again = sam_cache.expand_sam_cached(marked_yaml.load(SAM), {})
    assert calls == [1]
    assert shape(again.template) == shape(fresh.template)


def test_no_cache_writes_nothing(cache: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IACLINT_NO_CACHE", "1")
    sam_cache.expand_sam_cached(marked_yaml.load(SAM), {})
    assert not cache.exists()


def test_a_template_holding_other_values_is_not_cached(cache: pathlib.Path) -> None:
    binary = SAM.replace("Timeout: 3", "Timeout: 3\n    Description: !!binary aGVsbG8=")  # bytes
    expansion = sam_cache.expand_sam_cached(marked_yaml.load(binary), {})
    assert "Api" in expansion.template["Resources"]
    assert not cache.exists() or not any(cache.iterdir())


def test_encoding_keeps_every_node() -> None:
    tree = marked_yaml.load(SAM + "Outputs:\n  O: {Value: [1, 2.5, true, null, !Ref Api, "
                            "2010-09-09, 2001-12-14t21:59:43.10-05:00]}\n")
    again = sam_cache.decode(json.loads(json.dumps(sam_cache.encode(tree))))
    assert shape(again) == shape(tree)
    assert again == tree
