"""The container image: slim Python, a user without privileges, ``iaclint`` as entry point.

The Dockerfile is parsed with Docker's own parser (the ``dockerfile`` package) and its shape
checked everywhere; where a docker engine answers, the image is built and run on a repository
with a finding (slow; skipped without an engine)."""

from __future__ import annotations

import pathlib
import shutil
import subprocess
import uuid

import pytest

from tests.paths import REPO

dockerfile = pytest.importorskip("dockerfile")
DOCKERFILE = REPO / "Dockerfile"


def instructions() -> list[tuple[str, tuple[str, ...]]]:
    return [(c.cmd.upper(), tuple(c.value)) for c in dockerfile.parse_file(str(DOCKERFILE))]


def final_stage() -> list[tuple[str, tuple[str, ...]]]:
    parsed = instructions()
    last_from = max(i for i, (cmd, _) in enumerate(parsed) if cmd == "FROM")
    return parsed[last_from:]


def test_runs_iaclint_as_a_user_without_privileges_on_slim_python() -> None:
    stage = final_stage()
    base = stage[0][1][0]
    assert base.startswith("python:")
    assert base.endswith("-slim")
    users = [value[0] for cmd, value in stage if cmd == "USER"]
    assert users, "the image runs as root"
    assert users[-1].split(":")[0] not in ("0", "root")
    assert [value for cmd, value in stage if cmd == "ENTRYPOINT"] == [("iaclint",)]


def test_the_image_installs_this_checkout_with_its_rules() -> None:
    copied = {source for cmd, value in instructions() if cmd == "COPY" for source in value[:-1]}
    assert {"pyproject.toml", "linter", "rules"} <= copied
    ignored = (REPO / ".dockerignore").read_text(encoding="utf-8").split()
    assert ".venv" in ignored
    assert ".git" in ignored


def engine() -> bool:
    if shutil.which("docker") is None:
        return False
    try:
        return subprocess.run(["docker", "info"], capture_output=True, timeout=30,
                              check=False).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


@pytest.mark.slow
@pytest.mark.skipif(not engine(), reason="no docker engine answers here")
def test_build_and_run(tmp_path: pathlib.Path) -> None:
    tag = f"iaclint-test:{uuid.uuid4().hex[:12]}"
    subprocess.run(["docker", "build", "-t", tag, str(REPO)], check=True, timeout=1800)
    try:
        version = subprocess.run(["docker", "run", "--rm", tag, "--version"],
                                 capture_output=True, text=True, check=True, timeout=120)
        assert version.stdout.startswith("iaclint ")
        uid = subprocess.run(["docker", "run", "--rm", "--entrypoint", "id", tag, "-u"],
                             capture_output=True, text=True, check=True, timeout=120)
        assert uid.stdout.strip() != "0"
        (tmp_path / "main.tf").write_text(
            'resource "aws_instance" "web" {\n  iam_instance_profile = "p"\n'
            '  metadata_options {\n    http_tokens = "optional"\n  }\n}\n')
        tmp_path.chmod(0o755)
        (tmp_path / "main.tf").chmod(0o644)
        scan = subprocess.run(["docker", "run", "--rm", "-v", f"{tmp_path}:/src:ro", tag,
                               "check", ".", "-f", "concise"],
                              capture_output=True, text=True, check=False, timeout=300)
        assert scan.returncode == 1, scan.stderr
        assert scan.stdout.startswith("main.tf:4:5: IAC0101")
    finally:
        subprocess.run(["docker", "rmi", "-f", tag], capture_output=True, check=False)
