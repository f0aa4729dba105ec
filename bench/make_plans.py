"""Run Terraform itself on fixture directories and keep its plan JSON (the evaluation oracle).

    python bench/make_plans.py fixtures/aws/ec2/imds-v1-allowed [...]   # some directories
    python bench/make_plans.py --all                                     # every fixture with *.tf

For each directory: copy it (and the local modules it calls) to a temporary directory — the
fixture itself is never modified — add a mock ``provider "aws"`` configuration (override files
with fake keys and every ``skip_*`` flag, so nothing reaches AWS), ``terraform init
-plugin-dir=…`` against the offline provider mirror (once per run: later directories reuse the
installed provider), ``terraform plan -refresh=false -out``, ``terraform show -json``, and write
``fixtures/plans/<dir with / as __>.json`` (indented, so resources sit on their own lines).
The plan JSON gets one extra top-level key, ``iaclint_fixture``: the fixture path and a SHA-256
of its Terraform files, so tests can tell whether a committed plan is still current. Fixtures
Terraform cannot plan offline (a data source that calls AWS, a required variable without value,
a remote module not downloaded, a deliberately incomplete resource) are listed with the same
hash and Terraform's error in ``fixtures/plans/unplannable.json``.

Never used at lint time. Needs ``terraform`` on PATH (or /usr/local/bin) and a plugin
directory holding ``registry.terraform.io`` (``$IACLINT_TF_PLUGIN_DIR``, else /opt/tf-plugins).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import hashlib
import json
import os
import pathlib
import posixpath
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from typing import Any

REPO = pathlib.Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from linter.frontends.terraform.hcl import parse_hcl  # noqa: E402
from linter.frontends.terraform.hcl_ast import Literal  # noqa: E402

PLUGIN_CANDIDATES = (
    "/opt/tf-plugins", "/usr/share/terraform/plugins", "/usr/local/share/terraform/plugins")
MOCK_SETTINGS = """\
  region                      = "us-east-1"
  access_key                  = "mock_access_key"
  secret_key                  = "mock_secret_key"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
"""
TERRAFORM_FILES = (".tf", ".tf.json", ".tfvars", ".tfvars.json")


@dataclass(frozen=True)
class Terraform:
    binary: str
    plugin_dir: str


@dataclass(frozen=True)
class PlanOutcome:
    fixture: str  # directory relative to the repository
    plan: dict[str, Any] | None
    error: str = ""


def find_terraform() -> Terraform | None:
    binary = shutil.which("terraform") or (
        "/usr/local/bin/terraform" if os.access("/usr/local/bin/terraform", os.X_OK) else None)
    if binary is None:
        return None
    candidates = [os.environ.get("IACLINT_TF_PLUGIN_DIR", ""), *PLUGIN_CANDIDATES]
    for candidate in candidates:
        if candidate and (pathlib.Path(candidate) / "registry.terraform.io").is_dir():
            return Terraform(binary, candidate)
    return None


def fixture_hash(directory: pathlib.Path) -> str:
    """SHA-256 of the Terraform files of a directory and of the local modules it calls."""
    digest = hashlib.sha256()
    for path in sorted(_config_files(directory)):
        digest.update(str(path.relative_to(directory.parent)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _config_files(directory: pathlib.Path) -> list[pathlib.Path]:
    files: list[pathlib.Path] = []
    for module_dir in _module_dirs(directory):
        files.extend(p for p in module_dir.iterdir()
                     if p.is_file() and p.name.endswith(TERRAFORM_FILES))
    return files


def _module_dirs(directory: pathlib.Path) -> list[pathlib.Path]:
    """The directory and, recursively, the local module sources it calls."""
    seen: list[pathlib.Path] = []
    pending = [directory.resolve()]
    while pending:
        current = pending.pop()
        if current in seen or not current.is_dir():
            continue
        seen.append(current)
        for path in sorted(current.glob("*.tf")):
            for block in parse_hcl(path.name, path.read_bytes()).body.blocks:
                source = block.body.attribute("source")
                if block.type == "module" and source and isinstance(source.expr, Literal):
                    value = str(source.expr.value)
                    if value.startswith(("./", "../")):
                        pending.append((current / value).resolve())
    return seen


def _aws_aliases(directory: pathlib.Path) -> list[str | None]:
    aliases: list[str | None] = []
    for path in sorted(directory.glob("*.tf")):
        for block in parse_hcl(path.name, path.read_bytes()).body.blocks:
            if block.type == "provider" and block.labels == ("aws",):
                alias = block.body.attribute("alias")
                aliases.append(str(alias.expr.value) if alias and isinstance(alias.expr, Literal)
                               else None)
    return aliases


def _has_backend(directory: pathlib.Path) -> bool:
    for path in sorted(directory.glob("*.tf")):
        for block in parse_hcl(path.name, path.read_bytes()).body.blocks:
            if block.type == "terraform" and block.body.blocks_of("backend"):
                return True
    return False


def _add_mock_provider(work: pathlib.Path, is_root: bool) -> None:
    aliases = _aws_aliases(work)
    if aliases:
        blocks = []
        for alias in aliases:
            alias_line = f'  alias = "{alias}"\n' if alias else ""
            blocks.append(f'provider "aws" {{\n{alias_line}{MOCK_SETTINGS}}}\n')
        (work / "zz_iaclint_mock_override.tf").write_text("\n".join(blocks))
    elif is_root:
        (work / "zz_iaclint_mock_provider.tf").write_text(f'provider "aws" {{\n{MOCK_SETTINGS}}}\n')
    if is_root and _has_backend(work):
        (work / "zz_iaclint_backend_override.tf").write_text(
            'terraform {\n  backend "local" {}\n}\n')


def _environment(home: pathlib.Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "TF_"))}
    cli_config = home / "terraformrc"
    if not cli_config.exists():
        cli_config.write_text("")
    env.update({
        "AWS_ACCESS_KEY_ID": "mock_access_key",
        "AWS_SECRET_ACCESS_KEY": "mock_secret_key",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
        "CHECKPOINT_DISABLE": "1",
        "TF_IN_AUTOMATION": "1",
        "TF_INPUT": "0",
        "TF_CLI_CONFIG_FILE": str(cli_config),
    })
    return env


def _run(args: list[str], cwd: pathlib.Path, env: dict[str, str], timeout: float = 300) -> str:
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout,
                          check=False)
    if done.returncode != 0:
        output = done.stderr.strip() or done.stdout.strip()
        errors = [line.strip(" │") for line in output.splitlines() if "Error:" in line]
        raise RuntimeError(f"{' '.join(args[1:2])} failed: {'; '.join(errors) or output}")
    return done.stdout


class PlanRunner:
    """Runs plans for many fixtures, installing the provider only once (``scratch`` dir)."""

    def __init__(self, terraform: Terraform, scratch: pathlib.Path) -> None:
        self.terraform = terraform
        self.scratch = scratch
        self.env = _environment(scratch)
        self._providers: pathlib.Path | None = None
        self._lock: pathlib.Path | None = None

    def _init_providers(self) -> None:
        seed = self.scratch / "provider-seed"
        seed.mkdir(parents=True, exist_ok=True)
        (seed / "main.tf").write_text(
            'terraform {\n  required_providers {\n    aws = { source = "hashicorp/aws" }\n  }\n}\n')
        _run([self.terraform.binary, "init", "-input=false", "-backend=false", "-no-color",
              f"-plugin-dir={self.terraform.plugin_dir}"], seed, self.env)
        self._providers = seed / ".terraform" / "providers"
        self._lock = seed / ".terraform.lock.hcl"

    def plan(self, repo: pathlib.Path, fixture: pathlib.Path) -> PlanOutcome:
        rel = fixture.resolve().relative_to(repo.resolve()).as_posix()
        try:
            return PlanOutcome(rel, self._plan(repo, fixture))
        except (RuntimeError, OSError, subprocess.TimeoutExpired, json.JSONDecodeError) as exc:
            return PlanOutcome(rel, None, str(exc))

    def _plan(self, repo: pathlib.Path, fixture: pathlib.Path) -> dict[str, Any]:
        if self._providers is None:
            self._init_providers()
        assert self._providers is not None
        assert self._lock is not None
        dirs = _module_dirs(fixture)
        base = pathlib.Path(os.path.commonpath([str(d) for d in dirs]))
        work_root = pathlib.Path(tempfile.mkdtemp(prefix="plan-", dir=self.scratch))
        for directory in dirs:
            target = work_root / directory.relative_to(base)
            shutil.copytree(directory, target, dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns(".terraform", "*.tfstate*", ".git"))
            _add_mock_provider(target, directory == fixture.resolve())
        work = work_root / fixture.resolve().relative_to(base)
        (work / ".terraform").mkdir(exist_ok=True)
        (work / ".terraform" / "providers").symlink_to(self._providers)
        shutil.copy(self._lock, work / ".terraform.lock.hcl")
        tf = self.terraform.binary
        if len(dirs) > 1:
            _run([tf, "get", "-no-color"], work, self.env)
        _run([tf, "plan", "-refresh=false", "-input=false", "-lock=false", "-no-color",
              "-out=plan.out"], work, self.env)
        plan: dict[str, Any] = json.loads(
            _run([tf, "show", "-json", "-no-color", "plan.out"], work, self.env))
        plan["iaclint_fixture"] = {
            "source": fixture.resolve().relative_to(repo.resolve()).as_posix(),
            "sha256": fixture_hash(fixture),
        }
        shutil.rmtree(work_root, ignore_errors=True)
        return plan


UNPLANNABLE = "unplannable.json"


def load_unplannable(plans_dir: pathlib.Path) -> dict[str, dict[str, str]]:
    """Fixtures Terraform cannot plan offline (fixture → sha256 of its files, error)."""
    path = plans_dir / UNPLANNABLE
    if not path.is_file():
        return {}
    loaded: dict[str, dict[str, str]] = json.loads(path.read_text())
    return loaded


def plan_name(fixture_rel: str) -> str:
    return fixture_rel.removeprefix("fixtures/").strip("/").replace("/", "__") + ".json"


def fixture_dirs(repo: pathlib.Path) -> list[pathlib.Path]:
    """Every directory under fixtures/ with a ``.tf`` file (module sources included)."""
    root = repo / "fixtures"
    dirs = {p.parent.resolve() for p in root.rglob("*.tf") if ".terraform" not in p.parts}
    called = {m for d in dirs for m in _module_dirs(d) if m != d}
    return sorted(dirs - called)


def run_plans(repo: pathlib.Path, fixtures: list[pathlib.Path], terraform: Terraform,
              scratch: pathlib.Path, workers: int = 2) -> list[PlanOutcome]:
    runner = PlanRunner(terraform, scratch)
    if fixtures:
        runner._init_providers()
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda f: runner.plan(repo, f), fixtures))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("fixtures", nargs="*", type=pathlib.Path)
    parser.add_argument("--all", action="store_true", help="every fixture directory with *.tf")
    parser.add_argument("--out", type=pathlib.Path, default=REPO / "fixtures" / "plans")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    terraform = find_terraform()
    if terraform is None:
        print("terraform or the provider plugin directory is missing", file=sys.stderr)
        return 2
    fixtures = fixture_dirs(REPO) if args.all else list(args.fixtures)
    if not fixtures:
        parser.error("name fixture directories or pass --all")
    args.out.mkdir(parents=True, exist_ok=True)
    unplannable_path = args.out / UNPLANNABLE
    unplannable = load_unplannable(args.out)
    failed = 0
    with tempfile.TemporaryDirectory(prefix="iaclint-plans-") as scratch:
        for outcome in run_plans(REPO, fixtures, terraform, pathlib.Path(scratch), args.workers):
            target = args.out / plan_name(outcome.fixture)
            if outcome.plan is None:
                failed += 1
                unplannable[outcome.fixture] = {
                    "sha256": fixture_hash(REPO / outcome.fixture), "error": outcome.error}
                target.unlink(missing_ok=True)
                print(f"FAIL {outcome.fixture}: {outcome.error}")
                continue
            unplannable.pop(outcome.fixture, None)
            target.write_text(json.dumps(outcome.plan, indent=2) + "\n")
            print(f"ok   {outcome.fixture} → {posixpath.relpath(target, REPO)}")
    unplannable_path.write_text(json.dumps(dict(sorted(unplannable.items())), indent=2) + "\n")
    print(f"{len(fixtures) - failed} planned, {failed} cannot be planned offline "
          f"(recorded in {posixpath.relpath(unplannable_path, REPO)})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
