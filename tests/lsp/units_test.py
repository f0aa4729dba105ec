"""Which units an edit rescans, and which files a unit's scan is given."""

from __future__ import annotations

import pathlib

import pytest

from linter.discover.overlay import overlaid
from linter.lsp.units import FILE, TERRAFORM, ModuleIndex, Unit, kind_of, unit_files, units_of


def write(path: pathlib.Path, text: str = "") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def call(name: str, source: str) -> str:
    return f'module "{name}" {{\n  source = "{source}"\n}}\n'


@pytest.fixture
def workspace(tmp_path: pathlib.Path) -> pathlib.Path:
    write(tmp_path / "envs" / "prod" / "main.tf", call("app", "../../modules/app"))
    write(tmp_path / "envs" / "prod" / "terraform.tfvars", 'x = "1"\n')
    write(tmp_path / "envs" / "dev" / "main.tf", call("app", "../../modules/app"))
    write(tmp_path / "modules" / "app" / "main.tf", call("net", "../net"))
    write(tmp_path / "modules" / "app" / "variables.tf")
    write(tmp_path / "modules" / "net" / "main.tf")
    write(tmp_path / "solo" / "main.tf")
    write(tmp_path / "solo" / "x.tfvars")
    write(tmp_path / "vars" / "shared.tfvars")
    write(tmp_path / "stacks" / "app.yaml")
    return tmp_path


def test_a_root_module_file_is_its_own_unit(workspace: pathlib.Path) -> None:
    index = ModuleIndex(workspace, ())
    assert units_of("solo/main.tf", index) == [Unit(TERRAFORM, "solo")]
    assert units_of("envs/prod/main.tf", index) == [Unit(TERRAFORM, "envs/prod")]


def test_a_module_file_rescans_every_root_that_calls_it(workspace: pathlib.Path) -> None:
    index = ModuleIndex(workspace, ())
    expected = [Unit(TERRAFORM, "envs/dev"), Unit(TERRAFORM, "envs/prod")]
    assert units_of("modules/app/variables.tf", index) == expected
    assert units_of("modules/net/main.tf", index) == expected  # through app


def test_a_unit_is_given_its_modules_and_variables_files(workspace: pathlib.Path) -> None:
    index = ModuleIndex(workspace, ())
    assert unit_files(Unit(TERRAFORM, "envs/prod"), index) == [
        "envs/prod/main.tf", "modules/app/main.tf", "modules/app/variables.tf",
        "modules/net/main.tf", "envs/prod/terraform.tfvars"]
    assert unit_files(Unit(FILE, "stacks/app.yaml"), index) == ["stacks/app.yaml"]


def test_variables_files_and_templates(workspace: pathlib.Path) -> None:
    index = ModuleIndex(workspace, ())
    assert units_of("envs/prod/terraform.tfvars", index) == [Unit(TERRAFORM, "envs/prod")]
    assert units_of("solo/x.tfvars", index) == [Unit(TERRAFORM, "solo")]
    assert units_of("vars/shared.tfvars", index) == [Unit(FILE, "vars/shared.tfvars")]
    assert units_of("stacks/app.yaml", index) == [Unit(FILE, "stacks/app.yaml")]
    assert units_of("README.md", index) == []
    assert [kind_of(n) for n in ("a.tf.json", "b.tfvars.json", "c.template", "d.md")] == [
        "terraform", "tfvars", "template", None]


def test_a_module_call_typed_in_a_buffer_is_followed_once_refreshed(
        workspace: pathlib.Path) -> None:
    index = ModuleIndex(workspace, ())
    assert units_of("solo/main.tf", index) == [Unit(TERRAFORM, "solo")]
    assert units_of("modules/net/main.tf", index) == [Unit(TERRAFORM, "envs/dev"),
                                                      Unit(TERRAFORM, "envs/prod")]
    with overlaid({str(workspace / "solo" / "main.tf"): call("net", "../modules/net").encode()}):
        index.refresh(["solo"])
    assert units_of("modules/net/main.tf", index) == [
        Unit(TERRAFORM, "envs/dev"), Unit(TERRAFORM, "envs/prod"), Unit(TERRAFORM, "solo")]


def test_a_cycle_of_local_modules_still_has_a_unit(tmp_path: pathlib.Path) -> None:
    write(tmp_path / "a" / "main.tf", call("b", "../b"))
    write(tmp_path / "b" / "main.tf", call("a", "../a"))
    index = ModuleIndex(tmp_path, ())
    assert units_of("a/main.tf", index) == [Unit(TERRAFORM, "a")]


def test_excluded_directories_are_not_indexed(tmp_path: pathlib.Path) -> None:
    write(tmp_path / ".terraform" / "modules" / "x" / "main.tf", call("y", "../y"))
    write(tmp_path / "main.tf")
    index = ModuleIndex(tmp_path, (".terraform",))
    index.build()
    assert index.callees == {".": frozenset()}


def test_a_directory_new_to_the_index_reads_the_workspace_again(
        workspace: pathlib.Path) -> None:
    index = ModuleIndex(workspace, ())
    assert units_of("modules/net/main.tf", index) == [Unit(TERRAFORM, "envs/dev"),
                                                      Unit(TERRAFORM, "envs/prod")]
    # written on disk while the server runs, and nobody said so: a new module and a new root
    write(workspace / "modules" / "db" / "main.tf", "")
    write(workspace / "envs" / "qa" / "main.tf", call("db", "../../modules/db"))
    index.refresh(["modules/db"])  # its file is opened in the editor
    assert units_of("modules/db/main.tf", index) == [Unit(TERRAFORM, "envs/qa")]
