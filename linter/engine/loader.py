"""Loading rule files: YAML → JSON Schema → semantic checks → ``Rule``.

A rule file that is wrong in any way stops the run (``ConfigError``, exit 2) with the file and
the JSON path of the problem — never log-and-skip: a typo must not silently disable a check.
Checked beyond the schema: predicate names and their ``with`` arguments (each predicate's own
schema, with parameter defaults in place of ``{param: NAME}``), regular expressions, parameter
declarations (schema and default) and ``{param: NAME}`` references, ``type`` conditions naming types
outside the block, resource types that do not fit the block's format, message placeholders,
reserved ids, duplicate ids, names and aliases across all loaded directories.
"""

from __future__ import annotations

import functools
import hashlib
import json
import pathlib
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from linter import __version__
from linter.checks.table import PREDICATES
from linter.discover import cache_files
from linter.discover.read import Refused, read_regular
from linter.engine import messages, params
from linter.engine.operators import OPERATORS
from linter.errors import ConfigError
from linter.model import Format, Severity
from linter.regex import lazy
from linter.rule import Autofix, Control, Docs, Equivalent, MatchBlock, Remediation, Rule

if TYPE_CHECKING:
    import yaml
    from jsonschema.exceptions import ValidationError
    from jsonschema.protocols import Validator

SCHEMA_PATH = pathlib.Path(__file__).with_name("rule.schema.json")
RULE_SUFFIXES = (".yaml", ".yml")
_IDENTIFIER = lazy(r"[A-Za-z_][A-Za-z0-9_-]*")
_TERRAFORM_TYPE = lazy(r"(data\.)?[a-z][a-z0-9_]*|provider\.[a-z0-9_]+|module")
_CFN_TYPE = lazy(r"[A-Za-z0-9]+::[A-Za-z0-9]+(::[A-Za-z0-9]+)*")
_CONDITION_KEYS = ("all", "any", "not", "path", "predicate", "type")


def bundled_rules_dir() -> pathlib.Path:
    """``linter/_rules`` inside an installed wheel, else ``<repo>/rules`` in a source checkout."""
    package = pathlib.Path(__file__).resolve().parent.parent
    inside = package / "_rules"
    if inside.is_dir():
        return inside
    return package.parent / "rules"


def rule_files(directory: pathlib.Path) -> list[pathlib.Path]:
    """Every ``*.yaml`` / ``*.yml`` below ``directory`` (hidden directories skipped), sorted.

    Fixtures are not rules: a directory beside a rule file of the same name (``x.yaml`` and its
    cases in ``x/``) and directories named ``fixtures`` are skipped."""
    if directory.is_file():
        return [directory]
    if not directory.is_dir():
        raise ConfigError("rule directory does not exist", str(directory))
    found = [
        path for path in directory.rglob("*")
        if path.suffix in RULE_SUFFIXES and path.is_file()
        and not any(part.startswith(".") for part in path.relative_to(directory).parts)
        and not in_fixture_dir(path, directory)
    ]
    return sorted(found)


def in_fixture_dir(path: pathlib.Path, top: pathlib.Path | None = None) -> bool:
    """``path`` lies in a rule's fixture directory (``x/`` beside ``x.yaml``) or below a
    directory named ``fixtures`` (looking no higher than ``top`` when given)."""
    for parent in path.parents:
        if top is not None and (parent == top or top not in parent.parents):
            break
        if not parent.name:  # the filesystem root
            break
        if parent.name == "fixtures" or any(
            parent.with_name(parent.name + suffix).is_file() for suffix in RULE_SUFFIXES
        ):
            return True
    return False


def load_rules(dirs: Sequence[pathlib.Path]) -> list[Rule]:
    """All rules of ``dirs`` (files or directories), validated; ConfigError on the first problem."""
    rules: list[Rule] = []
    owners: dict[str, tuple[str, str]] = {}  # id / name / alias → (file, json path)
    for directory in dirs:
        for path in rule_files(pathlib.Path(directory)):
            rule = load_rule_file(path)
            keys = [(rule.id, "$.id"), (rule.name, "$.name")]
            keys += [(alias, f"$.aliases[{i}]") for i, alias in enumerate(rule.aliases)]
            for key, where in keys:
                if key in owners:
                    other = owners[key][0]
                    raise ConfigError(f"{key!r} is already used by {other}", str(path), where)
            for key, where in keys:
                owners[key] = (str(path), where)
            rules.append(rule)
    return rules


def load_rule_file(path: pathlib.Path) -> Rule:
    data = read_regular(path, MAX_RULE_BYTES)
    if isinstance(data, Refused):
        raise ConfigError(f"cannot read rule file: it {data.message}", str(path))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"cannot read rule file: {exc}", str(path)) from exc
    stamp = _stamp(text)
    cached = _read_stamp(stamp, text)
    if cached is not None:  # this exact text parsed and validated before
        try:
            return rule_from_data(cached, str(path), schema_checked=True)
        except (ConfigError, LookupError, TypeError, ValueError, AttributeError):
            pass  # the entry lied: parse and validate the text itself (and say it right)
    import yaml  # lazy: an unchanged rule is read from its stamp, not parsed

    try:
        parsed = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        raise ConfigError(f"not valid YAML: {_yaml_problem(exc)}", str(path), "$") from exc
    rule = rule_from_data(parsed, str(path))
    _write_stamp(stamp, text, parsed)
    return rule


def rule_from_data(data: Any, file: str = "", *, schema_checked: bool = False) -> Rule:
    """Validate one rule document (already parsed) and build the ``Rule``.

    ``schema_checked``: this exact text already passed the JSON Schemas (a validation stamp);
    the semantic checks run regardless."""
    if not isinstance(data, dict):
        raise ConfigError("a rule file must be a mapping", file, "$")
    if not schema_checked:
        error = _first_schema_error(data)
        if error is not None:
            raise ConfigError(_describe(error), file, json_path(error.absolute_path))
    _check_semantics(data, file, schema_checked)
    return _build(data, file)


# ---------------------------------------------------------------- validation stamps
#
# Importing jsonschema costs about 100 ms, a third of a single-file run. A rule text that
# passed validation leaves a stamp (a file named by the hash of the schema, every predicate's
# argument schema, the iaclint version and the rule text, holding the parsed rule as JSON) in
# the user's cache directory; an unchanged rule is then neither parsed as YAML nor validated
# against the schema again. Any change of the rule, the schema or a predicate changes the hash.
# IACLINT_NO_CACHE=1 turns this off; IACLINT_CACHE_DIR moves it (default
# $XDG_CACHE_HOME/iaclint or ~/.cache/iaclint; ``linter.discover.cache_files``).
#
# A stamp is never trusted, only checked: it is used when it is a regular file (not a symlink,
# FIFO or device) of sane size holding a JSON object with exactly the expected keys, written by
# this iaclint version for this schema digest, for the SHA-256 of this very rule text, and with
# a checksum over all of that and the rule data that matches. Anything else (a truncated file,
# ``{}``, an edited severity) is ignored and rebuilt from the rule text; a stamp whose data
# still fails to build a rule is ignored too. Writing never follows a symlink or opens a FIFO.

MAX_RULE_BYTES = 1024 * 1024
_MAX_STAMP_BYTES = 1024 * 1024
_STAMP_KEYS = frozenset({"iaclint", "schemas", "source", "data", "check"})
# "valid-rules" held bare rule data, which older versions trusted: a new name keeps an older
# iaclint sharing the cache from reading entries of this shape
_CACHE_NAME = "checked-rules"


def cache_dir() -> pathlib.Path | None:
    return cache_files.cache_dir(_CACHE_NAME)


@functools.cache
def _schemas_digest() -> str:
    predicates = {name: schema for name, (_fn, schema) in PREDICATES.items()}
    text = json.dumps([__version__, rule_schema(), predicates], sort_keys=True,
                      default=lambda o: type(o).__name__)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _stamp(text: str) -> str:
    return hashlib.sha256(f"{_schemas_digest()}\0{text}".encode()).hexdigest()


def _source_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _checksum(source: str, data: Any) -> str:
    canonical = json.dumps([__version__, _schemas_digest(), source, data], sort_keys=True,
                           separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _read_stamp(stamp: str, text: str) -> Any:
    """The rule data recorded with a stamp for exactly ``text`` (JSON: faster to read than
    YAML), or None when there is none or it does not check out."""
    directory = cache_dir()
    if directory is None:
        return None
    entry = cache_files.read_entry(directory, stamp, _MAX_STAMP_BYTES)
    if entry is None:
        return None
    source = _source_digest(text)
    if (set(entry) != _STAMP_KEYS
            or entry["iaclint"] != __version__ or entry["schemas"] != _schemas_digest()
            or entry["source"] != source or not isinstance(entry["data"], dict)):
        return None
    try:
        if entry["check"] != _checksum(source, entry["data"]):
            return None
    except (TypeError, ValueError):
        return None
    return entry["data"]


def _write_stamp(stamp: str, text: str, data: Any) -> None:
    directory = cache_dir()
    if directory is None:
        return
    source = _source_digest(text)
    try:
        entry = json.dumps({"iaclint": __version__, "schemas": _schemas_digest(),
                            "source": source, "data": data, "check": _checksum(source, data)})
    except (TypeError, ValueError):
        return  # a value JSON cannot hold (a YAML date): this rule is simply not cached
    cache_files.write_entry(directory, stamp, entry)


# ---------------------------------------------------------------- JSON Schema


@functools.cache
def rule_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return schema


@functools.cache
def _rule_validator() -> Validator:
    from jsonschema import Draft202012Validator  # lazy: about 100 ms of imports

    return Draft202012Validator(rule_schema())


@functools.cache
def _predicate_validator(name: str) -> Validator:
    from jsonschema import Draft202012Validator

    schema = PREDICATES[name][1]
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def _first_schema_error(data: Any, validator: Validator | None = None) -> ValidationError | None:
    from jsonschema.exceptions import best_match

    errors = list((validator or _rule_validator()).iter_errors(data))
    if not errors:
        return None
    # the deepest error is the most precise; best_match breaks ties between schema branches
    depth = max(len(e.absolute_path) for e in errors)
    best: ValidationError | None = best_match(e for e in errors if len(e.absolute_path) == depth)
    return best


def json_path(path: Iterator[Any] | Sequence[Any]) -> str:
    """``$.match.terraform.where.all[1]`` for ``['match', 'terraform', 'where', 'all', 1]``."""
    out = "$"
    for key in path:
        if isinstance(key, int):
            out += f"[{key}]"
        elif _IDENTIFIER.fullmatch(str(key)):
            out += f".{key}"
        else:
            out += f"[{json.dumps(str(key))}]"
    return out


def _describe(error: ValidationError) -> str:
    """The schema error in the rule author's words."""
    schema: Any = error.schema
    instance: Any = error.instance
    validator: Any = error.validator
    expected: Any = error.validator_value
    kind = schema.get("x-kind", "") if isinstance(schema, dict) else ""
    operators = ", ".join(OPERATORS)
    if schema is False or validator is None:
        keys = ", ".join(_CONDITION_KEYS)
        return f"not a condition: expected an object with one of {keys}"
    if kind == "path-condition" and isinstance(instance, dict):
        extra = [k for k in instance if k != "path" and k not in OPERATORS]
        if validator == "additionalProperties" and extra:
            return f"unknown operator {extra[0]!r} (operators: {operators})"
        if validator == "minProperties":
            return f"path condition without an operator (one of: {operators})"
        if validator == "maxProperties":
            ops = [k for k in instance if k != "path"]
            return f"a path condition takes exactly one operator, found {', '.join(ops)}"
    if kind.endswith("-condition") and validator == "additionalProperties":
        head = kind.removesuffix("-condition")
        extra = [k for k in instance if k != head]
        return (f"{head!r} condition may not also have {', '.join(map(repr, extra))} "
                "(combine conditions with all/any)")
    if validator == "enum":
        return f"{instance!r} is not one of: {', '.join(map(str, expected))}"
    if validator == "pattern" and error.absolute_path:
        names = [k for k in error.absolute_path if isinstance(k, str)]
        field = names[-1] if names else "value"
        if isinstance(error.absolute_path[-1], int):
            field += " item"
        return f"{instance!r} is not a valid {field} (pattern {expected})"
    if validator == "additionalProperties" and isinstance(instance, dict):
        allowed = list(schema.get("properties", {}))
        extra = [k for k in instance if k not in allowed]
        return f"unknown key {extra[0]!r} (allowed: {', '.join(allowed)})"
    return str(error.message)


def _yaml_problem(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    if mark is not None:
        return f"{problem} (line {mark.line + 1}, column {mark.column + 1})"
    return str(problem)


# ---------------------------------------------------------------- semantic checks


def _check_semantics(data: Mapping[str, Any], file: str, schema_checked: bool = False) -> None:
    rule_id = data["id"]
    if rule_id.startswith("IAC00"):
        raise ConfigError(f"{rule_id} is reserved for tool findings (IAC0001-IAC0099)",
                          file, "$.id")
    declared: dict[str, Any] = dict(data.get("parameters", {}))
    if not schema_checked:
        for name, schema in declared.items():
            _check_parameter(name, schema, file)
    state = _Walk(file, declared, schema_checked)
    for fmt, block in data["match"].items():
        base = f"$.match.{fmt}"
        pattern = _TERRAFORM_TYPE if fmt == Format.TERRAFORM.value else _CFN_TYPE
        for index, native in enumerate(block["types"]):
            if not pattern.fullmatch(native):
                raise ConfigError(f"{native!r} is not a {fmt} resource type",
                                  file, f"{base}.types[{index}]")
        state.walk(block["where"], f"{base}.where", tuple(block["types"]))
    _check_message(data["message"], state, file)
    _check_autofix(data, declared, state, file)


def _check_autofix(data: Mapping[str, Any], declared: Mapping[str, Any], state: _Walk,
                   file: str) -> None:
    """An autofix covers only types its format's match block judges, names each type once per
    format, references declared parameters with scalar defaults and details the rule's checks
    report."""
    for fmt, specs in data.get("autofix", {}).items():
        match = data["match"].get(fmt)
        if match is None:
            raise ConfigError(f"autofix for {fmt} but the rule has no {fmt} match block",
                              file, f"$.autofix.{fmt}")
        seen: set[str] = set()
        for index, spec in enumerate(specs):
            where = f"$.autofix.{fmt}[{index}]"
            for position, native in enumerate(spec["types"]):
                if native not in match["types"]:
                    raise ConfigError(f"type {native!r} is not among the match block's types",
                                      file, f"{where}.types[{position}]")
                if native in seen:
                    raise ConfigError(f"type {native!r} has two autofix entries",
                                      file, f"{where}.types[{position}]")
                seen.add(native)
            for key, value in spec["set"].items():
                detail = value.get("detail") if isinstance(value, dict) else None
                if isinstance(detail, str) and not state.open_details and detail not in (
                        messages.BASE_PLACEHOLDERS | state.details):
                    known = ", ".join(sorted(state.details)) or "none"
                    raise ConfigError(f"unknown detail {detail!r}: the rule's checks report "
                                      f"{known}", file, f"{where}.set.{key}.detail")
                for name, at in params.refs(value, f"{where}.set.{key}"):
                    if name not in declared:
                        known = ", ".join(sorted(declared)) or "none declared"
                        raise ConfigError(f"unknown parameter {name!r} (parameters: {known})",
                                          file, f"{at}.{params.REF_KEY}")
                    default = declared[name].get("default")
                    if isinstance(default, (dict, list)) or default is None:
                        raise ConfigError(f"parameter {name!r} is not a scalar; an autofix "
                                          "writes scalars", file, f"{at}.{params.REF_KEY}")


def _check_parameter(name: str, schema: Mapping[str, Any], file: str) -> None:
    """A parameter's schema is a valid JSON Schema and its default satisfies it."""
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import SchemaError

    where = f"$.parameters.{name}"
    try:
        Draft202012Validator.check_schema(dict(schema))
    except SchemaError as exc:
        raise ConfigError(f"parameter {name}: not a valid JSON Schema: {exc.message}",
                          file, where) from exc
    error = next(iter(Draft202012Validator(dict(schema)).iter_errors(schema["default"])), None)
    if error is not None:
        raise ConfigError(f"parameter {name}: the default does not fit its schema: "
                          f"{error.message}", file, f"{where}.default")


class _Walk:
    """Walks a condition tree, checking what the schema cannot know; collects what the message
    may reference (parameters and predicate details)."""

    def __init__(self, file: str, declared: Mapping[str, Any], schema_checked: bool) -> None:
        self.file = file
        self.schema_checked = schema_checked
        self.declared = declared
        self.defaults = {name: schema["default"] for name, schema in declared.items()}
        self.details: set[str] = set(declared)
        self.open_details = False  # a predicate that declares no details: any name may appear

    def fail(self, message: str, where: str) -> ConfigError:
        return ConfigError(message, self.file, where)

    def walk(self, condition: Mapping[str, Any], where: str, types: tuple[str, ...]) -> None:
        for key in ("all", "any"):
            if key in condition:
                for index, child in enumerate(condition[key]):
                    self.walk(child, f"{where}.{key}[{index}]", types)
                return
        if "not" in condition:
            self.walk(condition["not"], f"{where}.not", types)
        elif "type" in condition:
            wanted = condition["type"]
            for index, native in enumerate([wanted] if isinstance(wanted, str) else wanted):
                if native not in types:
                    at = f"{where}.type" if isinstance(wanted, str) else f"{where}.type[{index}]"
                    raise self.fail(f"type {native!r} is not among the block's types", at)
        elif "predicate" in condition:
            self._predicate(condition, where)
        elif "path" in condition:
            self._path(condition, where)

    def _references(self, tree: Any, where: str) -> None:
        for name, at in params.refs(tree, where):
            if name not in self.declared:
                known = ", ".join(sorted(self.declared)) or "none declared"
                raise self.fail(f"unknown parameter {name!r} (parameters: {known})",
                                f"{at}.{params.REF_KEY}")

    def _predicate(self, condition: Mapping[str, Any], where: str) -> None:
        name = condition["predicate"]
        if name not in PREDICATES:
            known = ", ".join(sorted(PREDICATES)) or "none"
            raise self.fail(f"unknown predicate {name!r} (known: {known})", f"{where}.predicate")
        arguments = condition.get("with") or {}
        self._references(arguments, f"{where}.with")
        error = None
        if not self.schema_checked:
            bound = params.bind(arguments, self.defaults)
            error = _first_schema_error(bound, _predicate_validator(name))
        if error is not None:
            raise self.fail(f"predicate {name}: {_describe(error)}",
                            json_path(["with", *error.absolute_path]).replace("$", where, 1))
        declared = PREDICATES[name][1].get("x-details")
        if declared is None:
            self.open_details = True
        else:
            self.details.update(declared)

    def _path(self, condition: Mapping[str, Any], where: str) -> None:
        name = next(k for k in condition if k != "path")
        argument = condition[name]
        at = f"{where}.{name}"
        if name == "matches":
            try:
                re.compile(argument)
            except re.error as exc:
                raise self.fail(f"invalid regular expression {argument!r}: {exc}", at) from exc
        self._references(argument, at)
        if params.is_ref(argument) and OPERATORS[name].numeric:
            parameter = argument[params.REF_KEY]
            default = self.defaults[parameter]
            if isinstance(default, bool) or not isinstance(default, (int, float)):
                raise self.fail(f"parameter {parameter!r} is not a number; {name} compares "
                                "numbers", f"{at}.{params.REF_KEY}")


def _check_message(template: str, state: _Walk, file: str) -> None:
    try:
        names = messages.placeholders(template)
    except ValueError as exc:
        raise ConfigError(f"bad message template: {exc}", file, "$.message") from exc
    if state.open_details:
        return
    allowed = messages.BASE_PLACEHOLDERS | state.details
    for name in names:
        if name not in allowed:
            raise ConfigError(
                f"unknown placeholder {{{name}}} (available: {', '.join(sorted(allowed))})",
                file, "$.message")


# ---------------------------------------------------------------- building


def _build(data: Mapping[str, Any], file: str) -> Rule:
    docs = data["docs"]
    remediation = data["remediation"]
    match: dict[Format, MatchBlock] = {}
    for fmt, block in data["match"].items():
        at = block.get("at", ())
        at_paths = (at,) if isinstance(at, str) else tuple(at)
        match[Format(fmt)] = MatchBlock(
            types=tuple(block["types"]),
            where=block["where"],
            at=at_paths[0] if at_paths else "",
            at_paths=at_paths,
        )
    score = data["security-severity"]
    return Rule(
        id=data["id"],
        name=data["name"],
        category=data["category"],
        severity=Severity(data["severity"]),
        security_severity=score if isinstance(score, str) else f"{float(score):.1f}",
        title=data["title"],
        message=data["message"],
        docs=Docs(
            what=docs["what"],
            why=docs["why"],
            example=dict(docs.get("example", {})),
            fix=docs["fix"],
            references=tuple(docs.get("references", ())),
        ),
        remediation=Remediation(
            terraform=remediation.get("terraform", ""),
            cloudformation=remediation.get("cloudformation", ""),
            cli=remediation.get("cli", ""),
        ),
        match=match,
        tags=tuple(data.get("tags", ())),
        aliases=tuple(data.get("aliases", ())),
        suppressible=bool(data.get("suppressible", True)),
        source=file,
        parameters={name: dict(schema) for name, schema in data.get("parameters", {}).items()},
        precision=data.get("precision", "high"),
        equivalents=tuple(
            Equivalent(
                tool=tool,
                id=item["id"],
                name=item.get("name", ""),
                title=item.get("title", ""),
                aliases=tuple(item.get("aliases", ())),
                note=item.get("note", ""),
            )
            for tool, items in data.get("equivalents", {}).items()
            for item in items
        ),
        compliance=tuple(
            Control(
                framework=item["framework"],
                control=item["control"],
                title=item.get("title", ""),
                note=item.get("note", ""),
            )
            for item in data.get("compliance", ())
        ),
        autofix={
            Format(fmt): tuple(
                Autofix(types=tuple(spec["types"]), container=tuple(spec["in"].split(".")),
                        settings=dict(spec["set"]))
                for spec in specs)
            for fmt, specs in data.get("autofix", {}).items()
        },
    )
