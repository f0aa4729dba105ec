"""Find, validate and apply the configuration file.

Searched from the scan root upward: the first directory holding ``.iaclint.yaml`` (or
``.iaclint.yml``), or a ``pyproject.toml`` with a ``[tool.iaclint]`` table, wins. The file is
validated against ``config.schema.json``; an invalid file stops the run (``ConfigError``, exit
2) naming the file and the JSON path. Relative paths in the file are relative to the file.
Command-line flags override the file.
"""

from __future__ import annotations

import dataclasses
import json
import pathlib
import sys
from functools import cache
from typing import Any

from linter.errors import ConfigError
from linter.model import Severity
from linter.options import HopLimitException, ScanOptions

CONFIG_NAMES = (".iaclint.yaml", ".iaclint.yml")


@dataclasses.dataclass(frozen=True)
class LoadedConfig:
    path: pathlib.Path | None
    data: dict[str, Any]


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
            if candidate.is_file():
                return candidate
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file() and "[tool.iaclint" in pyproject.read_text("utf-8", "replace"):
            return pyproject
    return None


def read_config(path: pathlib.Path) -> dict[str, Any]:
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read configuration: {exc}", str(path)) from exc
    if path.name == "pyproject.toml":
        if sys.version_info >= (3, 11):
            import tomllib
        else:  # pragma: no cover - Python 3.10
            import tomli as tomllib
        try:
            data = tomllib.loads(text).get("tool", {}).get("iaclint", {})
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"invalid TOML: {exc}", str(path)) from exc
    else:
        import yaml  # lazy: most runs have no configuration file

        try:
            data = yaml.safe_load(text)
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


def load_config(start: pathlib.Path, explicit: str | None = None) -> LoadedConfig:
    path = pathlib.Path(explicit) if explicit else find_config(start)
    if path is None:
        return LoadedConfig(None, {})
    if explicit and not path.is_file():
        raise ConfigError("configuration file not found", str(path))
    return LoadedConfig(path, read_config(path))


def apply_config(config: LoadedConfig, options: ScanOptions, given: set[str]) -> ScanOptions:
    """``options`` with the file's values for every field not given on the command line."""
    data = config.data
    if not data or config.path is None:
        return options
    base = config.path.parent

    def rel(value: str) -> str:
        path = pathlib.Path(value)
        return str(path if path.is_absolute() else base / path)

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
        updates["rule_dirs"] = (*(rel(d) for d in data["rules"]), *options.rule_dirs)
    if "exclude" in data:
        updates["exclude"] = (*options.exclude, *data["exclude"])
    if "var-files" in data:
        updates["var_files"] = (*(rel(f) for f in data["var-files"]), *options.var_files)
    if "variables" in data:
        updates["variables"] = {
            **{k: str(v) for k, v in data["variables"].items()},
            **options.variables,
        }
    if "cfn-parameter-files" in data:
        updates["cfn_parameter_files"] = (
            *(rel(f) for f in data["cfn-parameter-files"]),
            *options.cfn_parameter_files,
        )
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
        updates["baseline"] = rel(data["baseline"])
    return dataclasses.replace(options, **updates)
