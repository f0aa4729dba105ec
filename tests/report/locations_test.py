from __future__ import annotations

import pathlib

from linter.fingerprint import fingerprint_of
from linter.model import Span
from linter.report.locations import (
    SourceFiles,
    artifact_uri,
    end_column,
    find_base,
    repository_relative,
)
from linter.result import ScanResult


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


def _result(root: pathlib.Path) -> ScanResult:
    from linter.model import Finding, Related, Severity

    finding = Finding("IAC0101", "imds-v1-allowed", "imds-tokens", Severity.ERROR, "m",
                      Span("repo/infra/main.tf", 5), address="aws_instance.web",
                      related=(Related(Span("repo/infra/variables.tf", 2), "from here"),),
                      root="repo/infra")
    return ScanResult(root=root, findings=[finding], files=["repo/infra/main.tf"])


def test_run_from_the_parent_paths_are_relative_to_the_repository_below(
        tmp_path: pathlib.Path) -> None:
    (tmp_path / "repo" / "infra").mkdir(parents=True)
    (tmp_path / "repo" / ".git").mkdir()
    original = _result(tmp_path)
    moved = repository_relative(original)
    assert moved.root == (tmp_path / "repo").resolve()
    [finding] = moved.findings
    assert finding.span.file == "infra/main.tf"
    assert finding.related[0].span.file == "infra/variables.tf"
    assert finding.root == "infra"  # the unit (root module) is a path as well
    assert finding.fingerprint == fingerprint_of(original.findings[0])  # identity kept
    assert moved.files == ["infra/main.tf"]


def test_run_inside_the_repository_paths_gain_the_scan_roots_place(
        tmp_path: pathlib.Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "repo").mkdir()
    moved = repository_relative(_result(tmp_path / "repo"))
    assert moved.findings[0].span.file == "repo/repo/infra/main.tf"


def test_without_a_repository_the_scan_root_stays(tmp_path: pathlib.Path) -> None:
    result = _result(tmp_path)
    if find_base(tmp_path).directory == tmp_path.resolve():
        assert repository_relative(result) is result


def test_code_frames_never_read_outside_the_root(tmp_path: pathlib.Path) -> None:
    from linter.report.locations import SourceFiles

    (tmp_path / "secret.tf").write_text("outside\n")
    root = tmp_path / "root"
    root.mkdir()
    (root / "link.tf").symlink_to(tmp_path / "secret.tf")
    (root / "main.tf").write_text("inside\n")
    sources = SourceFiles(root)
    assert sources.lines("link.tf") is None
    assert sources.lines("../secret.tf") is None
    assert sources.lines("main.tf") == ["inside"]
