"""Find, validate and apply the configuration file.

Searched from the scan root upward: the first directory holding ``.iaclint.yaml`` (or
``.iaclint.yml``), or a ``pyproject.toml`` with an ``iaclint`` entry under ``tool``, wins. The file
is validated against ``config.schema.json``; an invalid file stops the run (``ConfigError``, exit
2) naming the file and the JSON path — a ``[tool.iaclint]`` that is not a table, and a YAML file
whose aliases expand past ``MAX_NODES`` (an alias bomb) included, before anything is expanded.
Relative paths in the file are relative to the file. Command-line flags override the file.

A configuration found in the repository (not named with ``--config``) is the repository's, not
the user's: the files it names are confined to its directory. Rule directories outside it stop
the run (exit 2: their errors would quote them); variables and parameter files outside it are
recorded in ``ScanOptions.config_paths`` and the front ends refuse them with a note. (A baseline
is read only when it is one, and shows nothing else.)
"""

from __future__ import annotations

import dataclasses
import json
import os
import pathlib
import stat
import sys
from functools import cache
from typing import Any

from linter.errors import ConfigError
from linter.model import Severity
from linter.options import HopLimitException, ScanOptions
from linter.records import record

CONFIG_NAMES = (".iaclint.yaml", ".iaclint.yml")
MAX_BYTES = 1024 * 1024
MAX_NODES = 100_000


@record
class LoadedConfig:
    path: pathlib.Path | None
    data: dict[str, Any]
    explicit: bool = False  # named with --config: the user's choice, its paths not confined


@cache
def _validator() -> Any:
    import jsonschema

    schema = json.loads((pathlib.Path(__file__).parent / "config.schema.json").read_text("utf-8"))
    return jsonschema.Draft202012Validator(schema)


def json_path(parts: Any) -> str:
    out = "$"
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def find_config(start: pathlib.Path) -> pathlib.Path | None:
    here = start.resolve()
    if here.is_file():
        here = here.parent
    for directory in (here, *here.parents):
        for name in CONFIG_NAMES:
            candidate = directory / name
            if candidate.exists():
                return candidate  # read_config refuses one that is not a regular file
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file() and _names_iaclint(pyproject):
            return pyproject
    return None


def _names_iaclint(pyproject: pathlib.Path) -> bool:
    """Whether ``pyproject`` has an ``iaclint`` entry under ``tool`` (of whatever type)."""
    try:
        text = _read_text(pyproject)
    except ConfigError:
        return False
    if "iaclint" not in text:
        return False
    try:
        tool = _toml().loads(text).get("tool")
    except ValueError:  # TOMLDecodeError: reported by read_config when it is ours
        return "[tool.iaclint" in text
    return isinstance(tool, dict) and "iaclint" in tool


def _toml() -> Any:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    return tomllib


def _read_text(path: pathlib.Path) -> str:
    """The text of a configuration file: a regular file (never a FIFO or a device, which could
    block or never end) of at most ``MAX_BYTES``, in UTF-8. (The configuration layer sits below
    ``linter.discover``, whose reader does the same for scanned files.)"""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise ConfigError(f"cannot read configuration: {exc.strerror or exc}", str(path)) from exc
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ConfigError("the configuration is not a regular file", str(path))
        if info.st_size > MAX_BYTES:
            raise ConfigError(f"the configuration is larger than {MAX_BYTES} bytes", str(path))
        data = os.read(fd, MAX_BYTES + 1)
    except OSError as exc:
        raise ConfigError(f"cannot read configuration: {exc.strerror or exc}", str(path)) from exc
    finally:
        os.close(fd)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"cannot read configuration: {exc}", str(path)) from exc


def read_config(path: pathlib.Path) -> dict[str, Any]:
    text = _read_text(path)
    data: Any
    if path.name == "pyproject.toml":
        tomllib = _toml()
        try:
            document = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"invalid TOML: {exc}", str(path)) from exc
        tool = document.get("tool", {})
        if not isinstance(tool, dict):
            raise ConfigError("[tool] must be a table", str(path), "$.tool")
        data = tool.get("iaclint", {})
        if not isinstance(data, dict):
            raise ConfigError(f"[tool.iaclint] must be a table, not {_toml_type(data)}",
                              str(path), "$.tool.iaclint")
    else:
        import yaml  # lazy: most runs have no configuration file

        from linter.config.bounded_yaml import YamlTooLarge, load_bounded

        try:
            data = load_bounded(text, MAX_NODES)
        except YamlTooLarge as exc:
            raise ConfigError(f"invalid YAML: {exc}", str(path)) from exc
        except yaml.YAMLError as exc:
            raise ConfigError(f"invalid YAML: {exc}", str(path)) from exc
    if data is None:
        data = {}
    errors = sorted(_validator().iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        error = errors[0]
        raise ConfigError(error.message, str(path), json_path(error.absolute_path))
    if not isinstance(data, dict):  # pragma: no cover - the schema demands an object
        raise ConfigError("the configuration must be a mapping", str(path))
    return data


def _toml_type(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return f"a {type(value).__name__}"


def load_config(start: pathlib.Path, explicit: str | None = None) -> LoadedConfig:
    path = pathlib.Path(explicit) if explicit else find_config(start)
    if path is None:
        return LoadedConfig(None, {})
    if explicit and not path.is_file():
        raise ConfigError("configuration file not found", str(path))
    return LoadedConfig(path, read_config(path), explicit=bool(explicit))


def apply_config(config: LoadedConfig, options: ScanOptions, given: set[str]) -> ScanOptions:
    """``options`` with the file's values for every field not given on the command line."""
    data = config.data
    if not data or config.path is None:
        return options
    base = config.path.parent
    confined = not config.explicit
    real_base = base.resolve()

    def rel(value: str) -> str:
        path = pathlib.Path(value)
        return str(path if path.is_absolute() else base / path)

    def inside(value: str, key: str) -> str:
        """A path the run cannot go without (rules): outside the repository is fatal."""
        path = rel(value)
        if confined and not _within(pathlib.Path(path), real_base):
            raise ConfigError(f"{value!r} is outside the repository ({base}); a configuration "
                              "file found in the repository may only name files inside it "
                              "(pass it on the command line instead)", str(config.path),
                              f"$.{key}")
        return path

    updates: dict[str, Any] = {}
    if "select" in data and "select" not in given:
        updates["select"] = tuple(data["select"])
    if "ignore" in data and "ignore" not in given:
        updates["ignore"] = tuple(data["ignore"])
    if "enable" in data:
        updates["enable"] = (*data["enable"], *options.enable)
    if "severity" in data:
        updates["severity_overrides"] = {k: Severity(v) for k, v in data["severity"].items()}
    if "fail-on" in data and "fail_on" not in given:
        updates["fail_on"] = Severity(data["fail-on"])
    if "hop-limit-exceptions" in data:
        updates["hop_limit_exceptions"] = tuple(
            HopLimitException(
                max=item["max"],
                types=tuple(item.get("types", ())),
                tags=dict(item.get("tags", {})),
                addresses=tuple(item.get("addresses", ())),
            )
            for item in data["hop-limit-exceptions"]
        )
    parameters: dict[str, Any] = dict(data.get("parameters", {}))
    if "max-hop-limit" in data:  # shorthand for parameters: {max_hop_limit: N}
        parameters["max_hop_limit"] = data["max-hop-limit"]
    if "gatekeepers" in data:  # shorthand for parameters: {gatekeepers: {...}}
        parameters["gatekeepers"] = {k: list(v) for k, v in data["gatekeepers"].items()}
    if parameters:
        updates["parameters"] = {**parameters, **options.parameters}  # flags win
    if "account-imds-defaults" in data and "account_imds_defaults" not in given:
        updates["account_imds_defaults"] = {
            k: str(v) for k, v in data["account-imds-defaults"].items()
        }
    if "rules" in data:
        updates["rule_dirs"] = (*(inside(d, "rules") for d in data["rules"]), *options.rule_dirs)
    if "exclude" in data:
        updates["exclude"] = (*options.exclude, *data["exclude"])
    named: list[str] = []  # repository-named files the front ends confine
    if "var-files" in data:
        files = [rel(f) for f in data["var-files"]]
        named += files
        updates["var_files"] = (*files, *options.var_files)
    if "variables" in data:
        updates["variables"] = {
            **{k: str(v) for k, v in data["variables"].items()},
            **options.variables,
        }
    if "cfn-parameter-files" in data:
        files = [rel(f) for f in data["cfn-parameter-files"]]
        named += files
        updates["cfn_parameter_files"] = (*files, *options.cfn_parameter_files)
    if named and confined:
        updates["config_file"] = str(real_base / config.path.name)
        updates["config_paths"] = (*options.config_paths, *named)
    if "budgets" in data:
        updates["budgets"] = dataclasses.replace(options.budgets, **{
            key.replace("-", "_"): value for key, value in data["budgets"].items()})
    if "cfn-parameters" in data:
        updates["cfn_parameters"] = {
            **{k: str(v) for k, v in data["cfn-parameters"].items()},
            **options.cfn_parameters,
        }
    suppressions = data.get("suppressions", {})
    if "inline" in suppressions and "inline_suppressions" not in given:
        updates["inline_suppressions"] = bool(suppressions["inline"])
    if "peers" in suppressions and "peer_suppressions" not in given:
        updates["peer_suppressions"] = bool(suppressions["peers"])
    if "require-reason" in suppressions:
        updates["require_reason"] = bool(suppressions["require-reason"])
    if "baseline" in data and "baseline" not in given:
        updates["baseline"] = rel(data["baseline"])  # only a valid baseline is ever read
    return dataclasses.replace(options, **updates)


def _within(path: pathlib.Path, root: pathlib.Path) -> bool:
    try:
        real = path.resolve()
    except (OSError, RuntimeError):
        return False
    return real == root or root in real.parents
