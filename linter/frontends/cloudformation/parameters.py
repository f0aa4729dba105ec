"""CloudFormation parameter values: template defaults, parameter files, ``--cfn-param``.

Precedence (later wins): the parameter's ``Default``, each ``--cfn-param-file`` in order, each
``--cfn-param NAME=VALUE``. Parameter files come in the AWS CLI shape
(``[{"ParameterKey": "K", "ParameterValue": "V"}]``) or the CodePipeline / CDK shape
(``{"Parameters": {"K": "V"}}``); a file that cannot be read or has another shape is broken tool
configuration (``ConfigError``, exit 2). A value remembers where it came from (the ``Default``
line or the parameter file line) so that findings can point at the origin.

``parameter_resources`` makes each parameter with a ``Default`` a resource of its own
(``AWS::CloudFormation::Parameter``, kind ``parameter``, attributes ``Type``, ``NoEcho``,
``Default``): a credential written as a default is a fact about the template whether or not a
resource uses it.
"""

from __future__ import annotations

import pathlib
from collections.abc import Mapping
from typing import Any

from linter.discover.read import Refused, inside, read_regular, real_path
from linter.errors import ConfigError
from linter.frontends.cloudformation.spans import SourceText
from linter.model import Format, Path, Resource, Span, Unknown
from linter.options import ScanOptions
from linter.records import record

PARAMETER_TYPE = "AWS::CloudFormation::Parameter"


@record
class ParamValue:
    value: Any  # str, number, list of str, or Unknown
    origin: Span | None = None  # where the value was written (None for --cfn-param)


@record
class ParamOverride:
    value: str
    origin: Span | None = None


def load_overrides(root: pathlib.Path, options: ScanOptions,
                   refused: list[str] | None = None) -> dict[str, ParamOverride]:
    """Parameter values given to the scan (files first, then ``--cfn-param`` flags).

    A parameter file named by the repository's configuration file outside the configuration's
    directory is not read; its name is appended to ``refused`` (for a note)."""
    overrides: dict[str, ParamOverride] = {}
    for file in options.cfn_parameter_files:
        if file in options.config_paths and options.config_file:
            real = real_path(pathlib.Path(file))
            home = pathlib.Path(options.config_file).parent
            if isinstance(real, Refused) or not inside(real, home):
                if refused is not None:
                    refused.append(file)
                continue
        overrides.update(_read_parameter_file(root, file, options.budgets.file_bytes))
    for name, value in options.cfn_parameters.items():
        overrides[name] = ParamOverride(str(value))
    return overrides


def _display_path(root: pathlib.Path, path: pathlib.Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _read_parameter_file(root: pathlib.Path, file: str,
                         max_bytes: int) -> dict[str, ParamOverride]:
    path = pathlib.Path(file)
    data = read_regular(path, max_bytes)
    if isinstance(data, Refused):
        raise ConfigError(f"cannot read CloudFormation parameter file: it {data.message}", file)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise ConfigError(f"cannot read CloudFormation parameter file: {err}", file) from err
    from cfnlint.decode import cfn_json  # lazy; keeps line marks of every key

    try:
        document = cfn_json.loads(text)
    except Exception as err:  # the decoder raises several error types
        raise ConfigError(f"not a JSON parameter file: {err}", file) from err
    source = SourceText.of(_display_path(root, path), text)
    if isinstance(document, list):
        return _aws_cli_shape(document, source, file)
    if isinstance(document, dict) and isinstance(document.get("Parameters"), dict):
        return {
            str(key): ParamOverride(_as_text(value, file, str(key)),
                                    source.span(value) or source.span(value, key))
            for key, value in document["Parameters"].items()
        }
    raise ConfigError(
        'expected [{"ParameterKey": …, "ParameterValue": …}] or {"Parameters": {…}}', file)


def _aws_cli_shape(document: list[Any], source: SourceText, file: str) -> dict[str, ParamOverride]:
    out: dict[str, ParamOverride] = {}
    for index, entry in enumerate(document):
        if not isinstance(entry, dict) or not isinstance(entry.get("ParameterKey"), str):
            raise ConfigError("each entry needs a ParameterKey", file, f"$[{index}]")
        if entry.get("UsePreviousValue") is True and "ParameterValue" not in entry:
            continue  # the deployed value: not known here, the default stands
        if "ParameterValue" not in entry:
            raise ConfigError("entry has no ParameterValue", file, f"$[{index}]")
        key = entry["ParameterKey"]
        value = entry["ParameterValue"]
        origin = source.span(value) or source.span(entry, _key_of(entry, "ParameterValue"))
        out[str(key)] = ParamOverride(_as_text(value, file, str(key)), origin)
    return out


def _as_text(value: Any, file: str, key: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    if isinstance(value, list) and all(isinstance(v, (str, int, float)) for v in value):
        return ",".join(str(v) for v in value)
    raise ConfigError(f"parameter {key}: value must be a string", file)


def parameter_values(
    parameters: Any, source: SourceText, overrides: Mapping[str, ParamOverride],
) -> dict[str, ParamValue]:
    """The value of each template parameter (Unknown when it has neither default nor override)."""
    out: dict[str, ParamValue] = {}
    if not isinstance(parameters, dict):
        return out
    for name, body in parameters.items():
        if not isinstance(name, str):
            continue
        body = body if isinstance(body, dict) else {}
        kind = str(body.get("Type", "String"))
        if name in overrides:
            override = overrides[name]
            out[name] = ParamValue(_typed(override.value, kind, name, body, source),
                                   override.origin)
        elif "Default" in body:
            default = body["Default"]
            origin = source.span(default, _key_of(body, "Default"))
            value = _typed(default, kind, name, body, source)
            out[name] = ParamValue(value, origin)
        else:
            out[name] = ParamValue(Unknown(
                f"!Ref {name}", f"parameter {name} has no Default and no value was given "
                "(--cfn-param / --cfn-param-file)", source.span(body, name)))
    return out


def _key_of(mapping: dict[str, Any], wanted: str) -> Any:
    return next((key for key in mapping if key == wanted), None)


def _typed(value: Any, kind: str, name: str, body: dict[str, Any], source: SourceText) -> Any:
    if kind.startswith("AWS::SSM::Parameter::Value"):
        return Unknown(f"!Ref {name}", f"parameter {name} is read from SSM parameter {value!s}",
                       source.span(body, name),
                       resolved_from=f"ssm:{value}" if isinstance(value, str) else "")
    if kind == "CommaDelimitedList" or kind.startswith("List<"):
        if isinstance(value, list):
            return [str(v) for v in value]
        return [part.strip() for part in str(value).split(",")] if str(value) else []
    if isinstance(value, (dict, list)):
        return Unknown(f"!Ref {name}", f"parameter {name} has a non-scalar value",
                       source.span(body, name))
    return value


def parameter_resources(parameters: Any, source: SourceText) -> list[Resource]:
    """One ``AWS::CloudFormation::Parameter`` resource per parameter that has a ``Default``."""
    out: list[Resource] = []
    if not isinstance(parameters, dict):
        return out
    for name, body in parameters.items():
        if not isinstance(name, str) or not isinstance(body, dict) or "Default" not in body:
            continue
        default = body["Default"]
        key = _key_of(body, "Default")
        spans: dict[Path, Span] = {(): source.span(body, name) or Span(source.rel_path, 1)}
        default_span = source.span(default, key)
        if default_span is not None:
            spans[("Default",)] = default_span
        out.append(Resource(
            address=name, type=PARAMETER_TYPE, format=Format.CLOUDFORMATION, kind="parameter",
            attributes={"Type": str(body.get("Type", "String")), "NoEcho": _plain(
                body.get("NoEcho", False)), "Default": _plain(default)},
            spans=spans, file=source.rel_path))
    return out


def _plain(value: Any) -> Any:
    """A decoded scalar or list as plain Python values (no decoder node subclasses)."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return str(value)
