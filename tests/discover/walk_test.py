from __future__ import annotations

import json
import os
import pathlib
import pwd
import shutil
import subprocess
import sys
import tempfile

import pytest

from linter.discover.walk import discover, is_excluded, scan_root
from tests.hostile_cases import Outcome, assert_contained, build, run_case


def write(path: pathlib.Path, text: str = "") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_terraform_is_found_by_directory_and_templates_by_suffix(tmp_path: pathlib.Path) -> None:
    write(tmp_path / "infra" / "main.tf")
    write(tmp_path / "infra" / "vars.tf.json", "{}")
    write(tmp_path / "infra" / "prod.tfvars")
    write(tmp_path / "cfn" / "stack.yaml")
    write(tmp_path / "README.md")
    found = discover([str(tmp_path)], tmp_path, (".terraform", ".git"))
    assert found.module_dirs == ["infra"]
    assert found.candidate_files == ["cfn/stack.yaml"]
    assert found.tfvars_files == ["infra/prod.tfvars"]
    assert found.only_files == []


def test_excluded_directories_are_not_walked(tmp_path: pathlib.Path) -> None:
    write(tmp_path / ".terraform" / "modules" / "x" / "main.tf")
    write(tmp_path / "node_modules" / "a.json")
    write(tmp_path / "main.tf")
    found = discover([str(tmp_path)], tmp_path, (".terraform", ".git", "node_modules"))
    assert found.module_dirs == ["."]
    assert found.candidate_files == []


def test_explicit_files_restrict_reporting(tmp_path: pathlib.Path) -> None:
    write(tmp_path / "app" / "main.tf")
    write(tmp_path / "app" / "other.tf")
    found = discover([str(tmp_path / "app" / "main.tf")], tmp_path, ())
    assert found.module_dirs == ["app"]
    assert found.only_files == ["app/main.tf"]


def test_symlinks_out_of_the_root_are_never_followed(tmp_path: pathlib.Path) -> None:
    outside = tmp_path / "outside"
    write(outside / "secret.yaml", "AWSTemplateFormatVersion: x")
    root = tmp_path / "root"
    write(root / "main.tf")
    (root / "link.yaml").symlink_to(outside / "secret.yaml")
    (root / "linkdir").symlink_to(outside, target_is_directory=True)
    found = discover([str(root)], root.resolve(), ())
    assert found.candidate_files == []


def test_scan_root_is_cwd_when_paths_are_inside(tmp_path: pathlib.Path) -> None:
    write(tmp_path / "a" / "main.tf")
    assert scan_root([str(tmp_path / "a")], cwd=tmp_path) == tmp_path.resolve()
    elsewhere = tmp_path / "elsewhere"
    assert scan_root([str(tmp_path / "a")], cwd=elsewhere) == (tmp_path / "a").resolve()


def test_exclusion_patterns() -> None:
    assert is_excluded(".terraform/modules/x/main.tf", (".terraform",))
    assert is_excluded("examples/main.tf", ("examples/",))
    assert not is_excluded("infra/main.tf", ("examples/",))


# ---------------------------------------------------------------- hostile trees (issue 15)


def _note_on(outcome: Outcome, path: str) -> list[str]:
    return [n for n in outcome.notes() if n.split(": ", 1)[0].endswith(" " + path)]


@pytest.mark.parametrize(("row", "path", "says"), [
    ("1", "creds.tf", "links outside the scan root"),
    ("2", "zero.tf", "links outside the scan root"),
    ("3", "d/x", "symlink loop"),
    ("4a", "x.yaml", "not a regular file"),
    ("4b", "x.tfvars", "not a regular file"),
])
def test_what_the_walk_will_not_read_is_a_note_and_the_scan_goes_on(
        row: str, path: str, says: str, tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    outcome = run_case(row, tmp_path, monkeypatch, capsys)
    assert_contained(outcome)
    notes = _note_on(outcome, path)
    assert len(notes) == 1, outcome.notes()
    assert notes[0].startswith("IAC0004")
    assert says in notes[0]


def _as_nobody() -> bool:
    return os.geteuid() != 0


@pytest.mark.skipif(not _as_nobody(), reason="permissions mean nothing to root (the slow test "
                    "runs this case as nobody)")
@pytest.mark.parametrize(("row", "path"), [("6", "unreadable/x.tf"), ("7", "locked_subdir")])
def test_what_cannot_be_read_is_a_finding_on_its_path(
        row: str, path: str, tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    try:
        outcome = run_case(row, tmp_path, monkeypatch, capsys)
    finally:
        for directory in (tmp_path / "root" / "unreadable", tmp_path / "root" / "locked_subdir"):
            if directory.exists():
                directory.chmod(0o755)
    assert_contained(outcome)
    assert any(n.startswith(f"IAC0001 {path}:") for n in outcome.notes()), outcome.notes()


@pytest.mark.slow
@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("setpriv") is None,
                    reason="needs root and setpriv to run the case as nobody")
@pytest.mark.parametrize(("row", "path"), [("6", "unreadable/x.tf"), ("7", "locked_subdir")])
def test_what_cannot_be_read_is_a_finding_on_its_path_as_nobody(row: str, path: str) -> None:
    """Rows 6 and 7 of the issue, run as an unprivileged user through ``setpriv`` (as the
    measuring harness does): the installed script, in a directory nobody may enter."""
    try:
        user = pwd.getpwnam("nobody")
    except KeyError:
        pytest.skip("no user nobody")
    exe = pathlib.Path(sys.executable).with_name("iaclint")
    base = pathlib.Path(tempfile.mkdtemp(prefix="iaclint-nobody-"))
    try:
        base.chmod(0o755)
        case, root, _ = build(row, base)
        for directory in (root, root.parent / "outside"):
            directory.chmod(0o755)
        def run(*args: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run(
                ["setpriv", f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}",
                 "--clear-groups", "--", str(exe), "check", *args],
                cwd=root, capture_output=True, text=True, timeout=600, check=False,
                env={**os.environ, "HOME": str(base), "IACLINT_NO_CACHE": "1"})

        done = run(*case.args, "-f", "json")
        alone = run(path, "-f", "sarif")  # pre-commit naming only the unreadable file
    finally:
        for directory in (base / "root" / "unreadable", base / "root" / "locked_subdir"):
            if directory.exists():
                directory.chmod(0o755)
        shutil.rmtree(base, ignore_errors=True)
    assert done.returncode == 1, done.stderr
    assert alone.returncode == 1, alone.stderr
    assert "IAC0001" in alone.stdout
    doc = json.loads(done.stdout)
    assert any(e["rule"] == "IAC0101" and e["file"] == case.good for e in doc["findings"])
    assert any(e["rule"] == "IAC0001" and e["file"] == path for e in doc["errors"]), doc["errors"]


def test_default_excludes_and_gitignore_patterns(tmp_path: pathlib.Path) -> None:
    for directory in (".terraform/modules/x", ".terragrunt-cache/abc", "node_modules/pkg",
                      ".git/hooks", "app", "app/examples", "app/examples/keep", "legacy/one",
                      "nested/legacy"):
        write(tmp_path / directory / "main.tf")
    found = discover([str(tmp_path)], tmp_path, ("examples/", "!examples/keep/", "/legacy"))
    # "examples/" matches at any depth and git never re-includes inside an excluded directory;
    # "/legacy" is anchored at the root
    assert found.module_dirs == ["app", "nested/legacy"]


def test_exclusion_negation_re_includes_a_file(tmp_path: pathlib.Path) -> None:
    write(tmp_path / "a.yaml")
    write(tmp_path / "b.yaml")
    write(tmp_path / "c.json")
    found = discover([str(tmp_path)], tmp_path, ("*.yaml", "!b.yaml"))
    assert found.candidate_files == ["b.yaml", "c.json"]


def test_exclusion_with_double_star(tmp_path: pathlib.Path) -> None:
    write(tmp_path / "env" / "dev" / "tests" / "main.tf")
    write(tmp_path / "env" / "dev" / "main.tf")
    found = discover([str(tmp_path)], tmp_path, ("env/**/tests",))
    assert found.module_dirs == ["env/dev"]


def test_a_symlinked_directory_outside_is_a_note_and_one_inside_is_not_walked_twice(
        tmp_path: pathlib.Path) -> None:
    outside = tmp_path / "outside"
    write(outside / "main.tf")
    root = tmp_path / "root"
    write(root / "real" / "main.tf")
    (root / "away").symlink_to(outside, target_is_directory=True)
    (root / "again").symlink_to(root / "real", target_is_directory=True)
    (root / "dangling.tf").symlink_to(root / "nothing.tf")
    (root / "dangling-other").symlink_to(root / "nothing")
    found = discover([str(root)], root, ())
    assert found.module_dirs == [".", "real"]  # the dangling .tf makes "." a module: its note
    notes = {f.span.file: (f.rule_id, f.message) for f in found.findings}
    assert notes == {"away": ("IAC0004", "away links outside the scan root; not read")}


def test_an_unreadable_file_is_a_finding(tmp_path: pathlib.Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "stack.yaml", "x")
    monkeypatch.setattr(os, "access", lambda path, mode: False)
    found = discover([str(tmp_path)], tmp_path, ())
    assert found.candidate_files == []
    assert [(f.rule_id, f.span.file) for f in found.findings] == [("IAC0001", "stack.yaml")]
    assert "Permission denied" in found.findings[0].message


def test_a_named_file_that_does_not_exist_is_a_finding(tmp_path: pathlib.Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    found = discover(["missing.tf"], tmp_path, ())
    assert found.only_files == ["missing.tf"]
    assert [(f.rule_id, f.span.file) for f in found.findings] == [("IAC0001", "missing.tf")]


def test_a_named_symlink_keeps_the_scan_root_and_is_refused(
        tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    outside = tmp_path / "outside"
    write(outside / "creds.tf", 'provider "aws" {}\n')
    root = tmp_path / "root"
    write(root / "main.tf")
    (root / "creds.tf").symlink_to(outside / "creds.tf")
    (root / "linkdir").symlink_to(outside, target_is_directory=True)
    monkeypatch.chdir(root)
    assert scan_root(["creds.tf", "main.tf"]) == root.resolve()
    found = discover(["creds.tf"], root.resolve(), ())
    assert found.module_dirs == ["."]  # the Terraform front end refuses creds.tf with a note
    assert found.only_files == ["creds.tf"]
    # a directory named on the command line is the user's choice, symlink or not
    assert scan_root(["linkdir"]) == outside.resolve()
    found = discover(["linkdir"], outside.resolve(), ())
    assert found.module_dirs == ["."]
    assert found.findings == []
