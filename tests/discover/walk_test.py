from __future__ import annotations

import pathlib

from linter.discover.walk import discover, is_excluded, scan_root


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
