from __future__ import annotations

import errno
import os
import pathlib

import pytest

from linter.discover.read import (
    LOOP,
    MISSING,
    NOT_REGULAR,
    OUTSIDE,
    TOO_LARGE,
    UNREADABLE,
    Refused,
    config_span,
    confine,
    inside,
    read_confined,
    read_file,
    read_regular,
    real_path,
    refusal_finding,
    size_text,
    unread_encoding,
)
from linter.model import ParseResult, Span


def _kind(value: bytes | Refused) -> str:
    assert isinstance(value, Refused), value
    return value.kind


def test_a_regular_file_inside_the_root_is_read(tmp_path: pathlib.Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "main.tf").write_bytes(b"x = 1\n")
    (tmp_path / "link.tf").symlink_to(tmp_path / "a" / "main.tf")
    assert read_confined(tmp_path, "a/main.tf", 100) == b"x = 1\n"
    assert read_confined(tmp_path, "link.tf", 100) == b"x = 1\n"  # a link that stays inside


@pytest.mark.parametrize("rel", ["../outside.tf", "/etc/passwd", "a/../../outside.tf"])
def test_paths_that_leave_the_root_are_refused(tmp_path: pathlib.Path, rel: str) -> None:
    assert _kind(read_confined(tmp_path / "root", rel, 100)) == OUTSIDE


def test_a_symlink_out_of_the_root_is_refused_unread(tmp_path: pathlib.Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    (tmp_path / "secret.tf").write_text("secret")
    (root / "creds.tf").symlink_to(tmp_path / "secret.tf")
    (root / "zero.tf").symlink_to("/dev/zero")
    assert _kind(read_confined(root, "creds.tf", 100)) == OUTSIDE
    assert _kind(read_confined(root, "zero.tf", 100)) == OUTSIDE


def test_a_fifo_a_device_and_a_directory_are_not_regular(tmp_path: pathlib.Path) -> None:
    os.mkfifo(tmp_path / "x.yaml")
    (tmp_path / "dir.tf").mkdir()
    assert _kind(read_confined(tmp_path, "x.yaml", 100)) == NOT_REGULAR  # and never blocks
    assert _kind(read_confined(tmp_path, "dir.tf", 100)) == NOT_REGULAR
    refused = read_regular(pathlib.Path("/dev/null"), 100)
    assert _kind(refused) == NOT_REGULAR
    assert isinstance(refused, Refused)
    assert "a device" in refused.message


def test_loops_and_dangling_links(tmp_path: pathlib.Path) -> None:
    (tmp_path / "loop.tf").symlink_to("loop.tf")
    (tmp_path / "dangling.tf").symlink_to("nowhere.tf")
    assert _kind(read_confined(tmp_path, "loop.tf", 100)) == LOOP
    assert _kind(read_confined(tmp_path, "dangling.tf", 100)) == MISSING
    assert _kind(read_confined(tmp_path, "absent.tf", 100)) == MISSING


def test_a_file_past_the_limit_is_refused_unread(tmp_path: pathlib.Path) -> None:
    (tmp_path / "big.tf").write_bytes(b"x" * 2048)
    refused = read_confined(tmp_path, "big.tf", 1024)
    assert _kind(refused) == TOO_LARGE
    assert isinstance(refused, Refused)
    assert "1024 bytes" in refused.message
    assert read_confined(tmp_path, "big.tf", 2048) == b"x" * 2048
    assert size_text(16 * 1024 * 1024) == "16 MB"


def test_a_file_that_grows_while_read_is_refused(tmp_path: pathlib.Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "grows.tf").write_bytes(b"x" * 10)
    real_read = os.read
    monkeypatch.setattr(os, "read", lambda fd, n: real_read(fd, n) + b"y" * n)
    assert _kind(read_confined(tmp_path, "grows.tf", 16)) == TOO_LARGE


def test_an_unreadable_file(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "locked.tf").write_text("x")

    def denied(*args: object, **kwargs: object) -> int:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(os, "open", denied)
    refused = read_confined(tmp_path, "locked.tf", 100)
    assert _kind(refused) == UNREADABLE
    assert isinstance(refused, Refused)
    assert not refused.is_note
    assert "Permission denied" in refused.message


def test_read_file_turns_a_refusal_into_a_finding_on_the_path(tmp_path: pathlib.Path) -> None:
    os.mkfifo(tmp_path / "x.yaml")
    (tmp_path / "big.json").write_bytes(b"{}" * 100)
    into = ParseResult()
    assert read_file(tmp_path, "x.yaml", into, 100) is None
    assert read_file(tmp_path, "big.json", into, 100) is None
    assert [(f.rule_id, f.span.file) for f in into.findings] == [
        ("IAC0004", "x.yaml"), ("IAC0001", "big.json")]
    note = refusal_finding(Refused(LOOP, "is a symlink loop; not read"), "d/x", "module d/x")
    assert note.message == "module d/x is a symlink loop; not read"


def test_utf16_and_utf32_candidates_are_findings(tmp_path: pathlib.Path) -> None:
    into = ParseResult()
    unread_encoding("a.yaml", "x: 1\n".encode("utf-16"), into)
    unread_encoding("b.yaml", "x: 1\n".encode("utf-32"), into)
    unread_encoding("c.yaml", b"x: 1\n", into)
    assert [(f.span.file, f.message.split(" text")[0]) for f in into.findings] == [
        ("a.yaml", "a.yaml is UTF-16"), ("b.yaml", "b.yaml is UTF-32")]


def test_config_span_only_inside_the_root(tmp_path: pathlib.Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    assert config_span(root, str(root.resolve() / ".iaclint.yaml")) == Span(".iaclint.yaml", 1)
    assert config_span(root, str(tmp_path.resolve() / ".iaclint.yaml")) is None
    assert config_span(root, "") is None


def _confine_by_realpath(root: pathlib.Path, rel: str) -> pathlib.Path | Refused:
    """``confine`` as defined: the whole path resolved, then checked against the real root."""
    real_root = pathlib.Path(os.path.realpath(root))
    real = real_path(real_root / rel)
    if isinstance(real, Refused):
        return real
    return real if inside(real, real_root) else Refused(OUTSIDE, "links outside the scan root; "
                                                        "not read")


def test_confine_without_links_below_the_root_agrees_with_realpath(tmp_path: pathlib.Path
                                                                   ) -> None:
    """The shortcut for paths without a link below the root (one lstat per component) gives
    what resolving the whole path gives, links anywhere (in the root's own path too)."""
    real = tmp_path / "real"
    (real / "a" / "b").mkdir(parents=True)
    (real / "a" / "b" / "t.yaml").write_text("x")
    (real / "file.yaml").write_text("x")
    (real / "dirlink").symlink_to(real / "a")
    (real / "a" / "up").symlink_to(tmp_path)
    (real / "a" / "loop").symlink_to("loop")
    (real / "a" / "dangling").symlink_to("nowhere")
    (tmp_path / "rootlink").symlink_to(real)
    rels = ["a/b/t.yaml", "file.yaml", "a", ".", "a/./b/t.yaml", "a//b/t.yaml", "dirlink/b/t.yaml",
            "a/up/real/file.yaml", "a/up/x", "a/loop", "a/loop/x", "a/dangling", "missing.yaml",
            "file.yaml/x", "a/b/missing/t.yaml", "dirlink", "a/b/"]
    for root in (real, tmp_path / "rootlink", tmp_path / "absent"):
        for rel in rels:
            assert confine(root, rel) == _confine_by_realpath(root, rel), (root, rel)


def test_a_remembered_root_follows_its_link_when_it_is_retargeted(tmp_path: pathlib.Path
                                                                   ) -> None:
    """The real root is remembered per root path; a root symlink pointed elsewhere is resolved
    again (reads stay inside the directory the root leads to now)."""
    for name in ("one", "two"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "t.yaml").write_text(name)
    root = tmp_path / "root"
    root.symlink_to(tmp_path / "one")
    assert confine(root, "t.yaml") == tmp_path.resolve() / "one" / "t.yaml"
    assert read_confined(root, "t.yaml", 100) == b"one"
    root.unlink()
    root.symlink_to(tmp_path / "two")
    assert confine(root, "t.yaml") == _confine_by_realpath(root, "t.yaml")
    assert read_confined(root, "t.yaml", 100) == b"two"
    root.unlink()
    assert _kind(read_confined(root, "t.yaml", 100)) == MISSING
