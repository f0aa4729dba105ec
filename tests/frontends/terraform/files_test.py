"""``file``, ``fileexists``, ``fileset`` and ``templatefile``: confined to the scan root,
regular files only, bounded, never a crash (issue 15: "only regular files inside the scan root
are read, by anything")."""

from __future__ import annotations

import os
import pathlib

from linter.model import Unknown
from linter.options import Budgets, ScanOptions
from tests.frontends.terraform.tf_helpers import resource, run, value

MARKER = "OUTSIDE_MARKER_Q7ZK3"


def _root_beside_outside(tmp_path: pathlib.Path) -> pathlib.Path:
    root, outside = tmp_path / "root", tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    (outside / "creds.txt").write_text(MARKER)
    (root / "creds.txt").symlink_to(outside / "creds.txt")
    (root / "zero.txt").symlink_to("/dev/zero")
    os.mkfifo(root / "fifo.txt")
    return root


def _unknown_reason(result: object) -> str:
    assert isinstance(result, Unknown), result
    return result.reason


def test_file_reads_only_regular_files_inside_the_root(tmp_path: pathlib.Path) -> None:
    root = _root_beside_outside(tmp_path)
    (root / "latin1.txt").write_bytes(b"caf\xe9")
    (root / "ok.txt").write_text("fine")
    assert value(root, 'file("ok.txt")') == "fine"
    for expr, reason in [
        ('file("creds.txt")', "outside the scan root"),  # the symlink's target is outside
        ('file("zero.txt")', "outside the scan root"),  # /dev/zero, through a symlink
        ('file("../outside/creds.txt")', "outside the scan root"),
        ('file("/etc/hostname")', "outside the scan root"),
        ('file("fifo.txt")', "is not a regular file (a FIFO)"),  # no hang
        ('file("latin1.txt")', "is not valid UTF-8"),
        ('file("missing.txt")', "no file exists"),
    ]:
        assert reason in _unknown_reason(value(root, expr)), expr
    result = run(root, {"main.tf": 'resource "test" "t" {\n  v = file("creds.txt")\n}\n'})
    assert MARKER not in repr(result)
    assert any("outside the scan root is not read: creds.txt" in f.message
               for f in result.findings)


def test_file_is_bounded_by_the_file_bytes_budget(tmp_path: pathlib.Path) -> None:
    (tmp_path / "big.txt").write_text("x" * 2000)
    result = run(tmp_path, {"main.tf": 'resource "test" "t" {\n  v = file("big.txt")\n}\n'},
                 options=ScanOptions(use_env_vars=False, budgets=Budgets(file_bytes=1000)))
    assert "is larger than 1000 bytes" in _unknown_reason(
        resource(result, "test.t").attributes["v"])


def test_fileexists_and_fileset_are_confined(tmp_path: pathlib.Path) -> None:
    root = _root_beside_outside(tmp_path)
    (root / "conf" / "a").mkdir(parents=True)
    (root / "conf" / "a" / "one.yaml").write_text("1")
    (root / "conf" / "two.yaml").write_text("2")
    (root / "conf" / "three.json").write_text("3")
    (root / "conf" / "out").symlink_to(tmp_path / "outside")  # a directory outside: not walked
    assert value(root, 'fileexists("conf/two.yaml")') is True
    assert value(root, 'fileexists("fifo.txt")') is False  # exists, but not a regular file
    assert "outside the scan root" in _unknown_reason(value(root, 'fileexists("/etc/passwd")'))
    assert value(root, 'fileset("conf", "**.yaml")') == ["a/one.yaml", "two.yaml"]
    assert value(root, 'fileset("conf", "*.json")') == ["three.json"]
    assert value(root, 'fileset("nowhere", "*")') == []
    assert "outside the scan root" in _unknown_reason(value(root, 'fileset("conf/out", "*")'))
    assert "outside the scan root" in _unknown_reason(value(root, 'fileset("..", "*")'))


def test_templatefile_is_bounded_and_confined(tmp_path: pathlib.Path) -> None:
    root = _root_beside_outside(tmp_path)
    (root / "self.tpl").write_text('x${templatefile("self.tpl", {})}')  # renders itself
    (root / "broken.tpl").write_text("${")
    (root / "hello.tpl").write_text("hello ${name}")
    assert value(root, 'templatefile("hello.tpl", { name = "you" })') == "hello you"
    assert "nest too deeply" in _unknown_reason(value(root, 'templatefile("self.tpl", {})'))
    assert "does not parse" in _unknown_reason(value(root, 'templatefile("broken.tpl", {})'))
    assert "invalid template variable name" in _unknown_reason(
        value(root, 'templatefile("hello.tpl", { "a-b" = 1 })'))
    assert "outside the scan root" in _unknown_reason(
        value(root, 'templatefile("creds.txt", {})'))
