from __future__ import annotations

import pathlib

from linter.model import Span
from linter.report.locations import SourceFiles, artifact_uri, end_column, find_base


def test_artifact_uri_encodes_each_segment() -> None:
    assert artifact_uri("a b/c#d%.tf") == "a%20b/c%23d%25.tf"
    assert artifact_uri("ü.tf") == "%C3%BC.tf"


def test_base_is_the_enclosing_work_tree(tmp_path: pathlib.Path) -> None:
    (tmp_path / ".git").mkdir()
    sub = tmp_path / "infra" / "prod"
    sub.mkdir(parents=True)
    base = find_base(sub)
    assert base.directory == tmp_path.resolve()
    assert base.path("main.tf") == "infra/prod/main.tf"


def test_without_a_work_tree_the_scan_root_is_the_base(tmp_path: pathlib.Path) -> None:
    base = find_base(tmp_path)
    if base.directory == tmp_path.resolve():  # unless tmp itself lies in a work tree
        assert base.prefix == ""


def test_source_lines(tmp_path: pathlib.Path) -> None:
    (tmp_path / "a.tf").write_bytes(b"\xef\xbb\xbfone\r\ntwo\n")
    (tmp_path / "bin.tf").write_bytes(b"\x00\x01")
    sources = SourceFiles(tmp_path)
    assert sources.lines("a.tf") == ["one", "two"]
    assert sources.line("a.tf", 3) is None
    assert sources.lines("bin.tf") is None
    assert sources.lines("../outside.tf") is None
    assert sources.lines("/etc/passwd") is None
    assert sources.lines("missing.tf") is None


def test_end_column(tmp_path: pathlib.Path) -> None:
    (tmp_path / "a.tf").write_text("abcdef\nxy\n", encoding="utf-8")
    sources = SourceFiles(tmp_path)
    assert end_column(Span("a.tf", 1, 2, 1, 4), sources) == 4
    assert end_column(Span("a.tf", 1, 2), sources) == 7  # open end: end of the line
    assert end_column(Span("a.tf", 1, 2, 2, 0), sources) == 3
    assert end_column(Span("gone.tf", 1, 2), sources) is None
