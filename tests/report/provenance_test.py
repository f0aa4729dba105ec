from __future__ import annotations

import os
import pathlib

import pytest

from linter.report.provenance import provenance, public_uri, remote_url

SHA = "89abcdef0123456789abcdef0123456789abcdef"


@pytest.mark.parametrize(("url", "expected"), [
    ("https://user:token@github.com/o/r.git", "https://github.com/o/r.git"),
    ("https://github.com:8443/o/r", "https://github.com:8443/o/r"),
    ("git@github.com:o/r.git", "ssh://github.com/o/r.git"),
    ("ssh://git@host/o/r", "ssh://host/o/r"),
    ("/srv/git/r.git", ""),
    ("../r", ""),
    ("file:///srv/r", ""),
])
def test_public_uri(url: str, expected: str) -> None:
    assert public_uri(url) == expected


def test_remote_url_prefers_origin() -> None:
    config = '[remote "up"]\n\turl = https://a/x\n[remote "origin"]\n  url = https://b/y\n[core]\n'
    assert remote_url(config) == "https://b/y"
    assert remote_url('[remote "up"]\nurl = https://a/x\n') == "https://a/x"


def test_packed_refs_detached_head_and_gitfile(tmp_path: pathlib.Path) -> None:
    real = tmp_path / "real.git"
    real.mkdir()
    (real / "config").write_text('[remote "origin"]\n\turl = https://h/o/r\n', encoding="utf-8")
    (real / "HEAD").write_text("ref: refs/heads/dev\n", encoding="utf-8")
    (real / "packed-refs").write_text(f"# pack-refs\n{SHA} refs/heads/dev\n", encoding="utf-8")
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / ".git").write_text(f"gitdir: {real}\n", encoding="utf-8")
    found = provenance(tree)
    assert found is not None
    assert (found.repository_uri, found.revision, found.branch) == ("https://h/o/r", SHA, "dev")
    (real / "HEAD").write_text(SHA + "\n", encoding="utf-8")
    detached = provenance(tree)
    assert detached is not None
    assert (detached.revision, detached.branch) == (SHA, "")


def test_no_git_or_no_remote(tmp_path: pathlib.Path) -> None:
    assert provenance(tmp_path) is None
    (tmp_path / ".git").mkdir()
    assert provenance(tmp_path) is None


def test_git_files_that_are_not_regular_are_not_read(tmp_path: pathlib.Path) -> None:
    git = tmp_path / ".git"
    git.mkdir()
    (git / "config").write_text('[remote "origin"]\n  url = https://example.com/r.git\n')
    os.mkfifo(git / "HEAD")  # would block a plain read
    found = provenance(tmp_path)
    assert found is not None
    assert found.repository_uri == "https://example.com/r.git"
    assert found.revision == ""
    assert found.branch == ""
