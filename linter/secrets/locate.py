"""Where AWS credentials hide in a resource, and the exact line each one is on.

Every string of a resource is scanned (``text.scan_text``); some places get more:

* user data (``user_data``, ``user_data_base64``, ``UserData`` at any depth — launch templates
  included): decoded from base64 when it is base64, scanned as a script, with PEM private keys
  and base64 runs inside the script decoded too;
* names that say "credential": ``provider "aws"`` ``access_key``/``secret_key``/``token``,
  ``AWS::CloudFormation::Authentication`` ``accessKeyId``/``secretKey``/``password``,
  ``AWS::IAM::User`` ``LoginProfile.Password``, and environment variables / keys named
  ``AWS_SECRET_ACCESS_KEY``, ``AWS_SESSION_TOKEN`` … — any literal that is no placeholder;
* credential-ish names (``*secret*``, ``*token*``, ``*password*`` …) holding a 40-character
  secret-key-shaped value;
* JSON documents inside strings (ECS ``container_definitions``): decoded and walked, so
  ``{"name": "AWS_SECRET_ACCESS_KEY", "value": "…"}`` is judged by its name;
* values iaclint cannot know but that are the generated secret of an IAM access key
  (``aws_iam_access_key.x.secret``, ``!GetAtt Key.SecretAccessKey``) placed into user data,
  environment variables, provider blocks or authentication metadata: the long-term key then
  sits in clear text wherever that configuration is readable.

Variables without a value, references, dynamic references (``{{resolve:…}}``) and placeholders
are never findings.
"""

from __future__ import annotations

import functools
import json
import re
import weakref
from typing import Any, NamedTuple

from linter.model import Format, Path, Resource, Span, Unknown
from linter.records import record
from linter.regex import lazy
from linter.secrets.patterns import EXAMPLE_KEYS, is_placeholder, is_secret_key_shaped, preview
from linter.secrets.text import (
    ACCESS_KEY_ID,
    PASSWORD,
    PRIVATE_KEY_KIND,
    SECRET_ACCESS_KEY,
    SESSION_TOKEN,
    Hit,
    decode_base64,
    scan_text,
)

# user data, and other scripts that run on a machine (SageMaker notebook lifecycle hooks)
USER_DATA_KEYS = frozenset({"user_data", "user_data_base64", "UserData", "on_create", "on_start",
                            "OnCreate", "OnStart"})
TFVARS_SUFFIXES = (".tfvars", ".tfvars.json")
AUTHENTICATION = "AWS::CloudFormation::Authentication"

# normalized names (lower case, letters and digits only) whose literal value is a credential
_SECRET_NAMES = {
    "awssecretaccesskey": SECRET_ACCESS_KEY, "secretaccesskey": SECRET_ACCESS_KEY,
    "awssecretkey": SECRET_ACCESS_KEY, "awssessiontoken": SESSION_TOKEN,
    "awssecuritytoken": SESSION_TOKEN,
}
_PROVIDER_NAMES = {"access_key": ACCESS_KEY_ID, "secret_key": SECRET_ACCESS_KEY,
                   "token": SESSION_TOKEN}
_AUTHENTICATION_NAMES = {"accessKeyId": ACCESS_KEY_ID, "secretKey": SECRET_ACCESS_KEY,
                         "password": PASSWORD}
_CREDENTIAL_NAME = lazy(r"secret|credential|passw|token|privatekey|accesskey|apikey")
_GENERATED_SECRET = lazy(
    r"aws_iam_access_key\.[\w-]+(?:\[[^\]]*\])?\.(?:secret|encrypted_secret|ses_smtp_password_v4)"
    r"|SecretAccessKey"
)
_KIND_WORD = {ACCESS_KEY_ID: "access key id", SECRET_ACCESS_KEY: "secret access key",
              SESSION_TOKEN: "session token", PASSWORD: "password"}


@record
class Leak:
    """One credential in a resource: where it is, what it is, and how to point at it."""

    path: Path  # the attribute holding it
    hit: Hit
    place: str  # "user data", "provider block (secret_key)", "environment variable FOO" …
    span: Span  # the line to point at (inside a heredoc when it can be computed)
    redact: tuple[str, ...]  # raw strings to scrub from any output


class _Context(NamedTuple):
    """Where the walk is (a tuple: one is made for every attribute of every resource)."""

    path: Path  # where a finding points (a JSON document inside a string keeps the string's path)
    name: str  # the nearest key / variable name
    user_data: bool = False
    in_json: bool = False


def find_leaks(resource: Resource, *, example_keys: bool = True, private_keys: bool = True,
               scripts_everywhere: bool = False) -> list[Leak]:
    """Every credential in ``resource``, in source order, one per distinct secret.

    ``scripts_everywhere`` treats every string like user data (base64-decoded, private keys
    reported): for tfvars values, which may feed user data without saying so.
    """
    leaks: list[Leak] = []
    seen: set[tuple[str, str]] = set()
    for leak in _walked(resource, scripts_everywhere):
        if not example_keys and leak.hit.value in EXAMPLE_KEYS:
            continue
        if not private_keys and leak.hit.kind == PRIVATE_KEY_KIND:
            continue
        key = (leak.hit.kind, leak.hit.value or leak.hit.label)
        if key not in seen:
            seen.add(key)
            leaks.append(leak)
    return sorted(leaks, key=lambda leak: (leak.span.start_line, leak.span.start_col))


_WALKED: dict[tuple[int, bool], tuple[weakref.ref[Resource], tuple[Leak, ...]]] = {}
_MAX_WALKED = 65536  # resources remembered (most have no leak: an empty tuple each)


def _walked(resource: Resource, scripts_everywhere: bool) -> tuple[Leak, ...]:
    """Every leak of ``resource`` in walk order, before filtering: remembered for as long as the
    resource lives, because the credentials check and the report's redaction both ask for it
    (resources are immutable once judged; the weak reference tells a reused ``id`` apart)."""
    key = (id(resource), scripts_everywhere)
    entry = _WALKED.get(key)
    if entry is not None and entry[0]() is resource:
        return entry[1]
    found: list[Leak] = []
    _walk_resource(resource, scripts_everywhere, found)
    leaks = tuple(found)
    if len(_WALKED) >= _MAX_WALKED:
        _WALKED.clear()
    _WALKED[key] = (weakref.ref(resource), leaks)
    return leaks


# The walk appends to one list (``out``) in walk order rather than yielding: most strings hold
# no leak, and a generator per string and per dict cost more than the checks themselves.


def _walk_resource(resource: Resource, scripts_everywhere: bool, out: list[Leak]) -> None:
    attributes = resource.attributes
    if resource.format is Format.CLOUDFORMATION:
        for key in ("Properties", "Metadata", "Default"):
            if key in attributes:
                name = resource.address if key == "Default" else key
                _walk(resource, attributes[key], _Context((key,), name), (key,), out)
        return
    for key, value in attributes.items():
        script = scripts_everywhere or key in USER_DATA_KEYS
        _walk(resource, value, _Context((key,), key, script), (key,), out)


def _walk(resource: Resource, node: Any, ctx: _Context, path: Path, out: list[Leak]) -> None:
    if type(node) is str:  # the common leaf first (an exact str: subclasses take the long way)
        _string(resource, node, ctx, path, out)
    elif isinstance(node, Unknown):
        _generated_secret(resource, node, ctx, out)
        _unknown_text(resource, node, ctx, path, out)
    elif isinstance(node, dict):
        pair_name = _pair_name(node)
        for key, value in node.items():
            name = pair_name if pair_name and key in ("value", "Value") else str(key)
            child = (*path, key)
            _walk(resource, value, _Context(
                ctx.path if ctx.in_json else child, name,
                ctx.user_data or key in USER_DATA_KEYS, ctx.in_json), child, out)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            child = (*path, index)
            _walk(resource, value, _Context(
                ctx.path if ctx.in_json else child, ctx.name, ctx.user_data, ctx.in_json), child,
                out)
    elif isinstance(node, str):
        _string(resource, node, ctx, path, out)


def _pair_name(node: dict[str, Any]) -> str:
    """``{"name": "AWS_SECRET_ACCESS_KEY", "value": "…"}`` (ECS, CFN ``Environment`` lists)."""
    for name_key, value_key in (("name", "value"), ("Name", "Value")):
        name = node.get(name_key)
        if isinstance(name, str) and value_key in node:
            return name
    return ""


def _string(resource: Resource, value: str, ctx: _Context, path: Path, out: list[Leak]) -> None:
    named = _named_hit(resource, value, ctx, path)
    if named is not None:
        out.append(_leak(resource, ctx, path, named, value, value, encoded=False))
    if ctx.user_data:
        decoded = decode_base64(value)
        text = decoded if decoded is not None else value
        for hit in scan_text(text, nested_base64=True):
            out.append(_leak(resource, ctx, path, hit, value, text, encoded=decoded is not None))
        return
    document = _json_document(value)
    if document is not None:
        _walk(resource, document, _Context(ctx.path, ctx.name, False, True), path, out)
        return
    for hit in scan_text(value):
        if hit.kind != PRIVATE_KEY_KIND:
            out.append(_leak(resource, ctx, path, hit, value, value, encoded=False))


def _named_hit(resource: Resource, value: str, ctx: _Context, path: Path) -> Hit | None:
    """A literal whose name alone makes it a credential (or a secret-shaped credential-ish name)."""
    kind = _name_kind(resource, ctx, path)
    literal = value.strip()
    if kind is not None and not is_placeholder(literal):
        return Hit(kind, literal, f"{_KIND_WORD[kind]} {preview(literal)}")
    if _credential_name(ctx.name) and is_secret_key_shaped(literal):
        return Hit(SECRET_ACCESS_KEY, literal, f"secret access key {preview(literal)}")
    return None


@functools.lru_cache(maxsize=4096)
def _credential_name(name: str) -> bool:
    """Whether a key or variable name says "credential" (``*secret*``, ``*token*`` …)."""
    return _CREDENTIAL_NAME.search(_normalized(name)) is not None


def _name_kind(resource: Resource, ctx: _Context, path: Path) -> str | None:
    if resource.kind == "provider" and resource.type == "provider.aws" and len(path) == 1:
        return _PROVIDER_NAMES.get(ctx.name)
    if AUTHENTICATION in path:
        return _AUTHENTICATION_NAMES.get(ctx.name)
    if resource.type == "AWS::IAM::User" and path[-2:] == ("LoginProfile", "Password"):
        return PASSWORD
    return _SECRET_NAMES.get(_normalized(ctx.name))


@functools.lru_cache(maxsize=4096)
def _normalized(name: str) -> str:
    """A key or variable name, lower case, letters and digits only (asked for every string of
    every resource, of the same few names)."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _sensitive_place(resource: Resource, ctx: _Context, path: Path) -> bool:
    return (ctx.user_data or resource.kind == "provider" or AUTHENTICATION in path
            or "variables" in path or "Variables" in path or ctx.in_json
            or _name_kind(resource, ctx, path) is not None)


def _generated_secret(resource: Resource, node: Unknown, ctx: _Context, out: list[Leak]) -> None:
    """The secret of an IAM access key created by this configuration, copied somewhere readable."""
    match = _GENERATED_SECRET.search(node.expression)
    if match is None or not _sensitive_place(resource, ctx, ctx.path):
        return
    source = node.refs[0] if node.refs else match.group(0)
    hit = Hit(SECRET_ACCESS_KEY, "", f"secret access key generated for {source}")
    out.append(_leak(resource, ctx, ctx.path, hit, "", "", encoded=False))


def _unknown_text(resource: Resource, node: Unknown, ctx: _Context, path: Path,
                  out: list[Leak]) -> None:
    """A value iaclint could not evaluate still shows its source text: an ``!Sub`` script with
    ``${AWS::StackName}`` in it, a ``"${var.x}:AKIA…"`` template. Literal credentials in that
    text are as hard-coded as anywhere (the attribute is pointed at: lines are not known)."""
    for hit in scan_text(node.expression):
        if hit.kind != PRIVATE_KEY_KIND or ctx.user_data:
            out.append(_leak(resource, ctx, path, hit, "", "", encoded=False))


def _json_document(value: str) -> Any:
    text = value.strip()
    if len(text) < 2 or text[0] not in "[{" or text[-1] not in "]}":
        return None
    try:
        document = json.loads(text)
    except ValueError:
        return None
    return document if isinstance(document, (dict, list)) else None


def _leak(resource: Resource, ctx: _Context, path: Path, hit: Hit, raw: str, text: str, *,
          encoded: bool) -> Leak:
    redact = tuple(dict.fromkeys(s for s in (hit.value, hit.encoded, raw if encoded else "") if s))
    return Leak(ctx.path, hit, _place(resource, ctx, path), _span(resource, ctx, hit, text),
                redact)


def _place(resource: Resource, ctx: _Context, path: Path) -> str:
    if ctx.user_data:
        return "user data"
    if resource.kind == "provider":
        return "the provider block"
    if AUTHENTICATION in path:
        index = path.index(AUTHENTICATION)
        block = f" ({path[index + 1]})" if len(path) > index + 2 else ""
        return f"{AUTHENTICATION} metadata{block}"
    if _is_env(path):
        return f"environment variable {ctx.name}"
    if resource.format is Format.CLOUDFORMATION and path[:1] == ("Default",):
        return "the parameter's default value"
    return ".".join(str(p) for p in ctx.path) or ctx.name


def _is_env(path: Path) -> bool:
    return ("variables" in path or "Variables" in path or "environment" in path
            or "Environment" in path)


def _span(resource: Resource, ctx: _Context, hit: Hit, text: str) -> Span:
    """The line of ``hit`` when the value's span is a block ending with the value's lines.

    A Terraform heredoc's span ends on its ``EOF`` line, just below the last content line; a
    CloudFormation block scalar's span ends on its last content line (the front end trims
    trailing blank lines). The value's lines sit just above that end. Anything else (quoted
    strings with ``\\n``, decoded JSON, interpolated templates whose line count does not fit)
    points at the attribute.
    """
    base = _origin(resource, ctx.path) or resource.spans.get(ctx.path)
    if base is None:  # no span of the value itself: its block, else the resource header
        return resource.span_at(ctx.path)
    if not text or ctx.in_json or base.end_line <= base.start_line:
        return base
    lines = text.rstrip("\n").count("\n") + 1
    heredoc = resource.format is Format.TERRAFORM and text.endswith("\n")
    last = base.end_line - 1 if heredoc else base.end_line
    line = last - (lines - 1) + hit.line
    if base.start_line < line <= last:
        return Span(base.file, line, 1, line, 0)
    return base


def _origin(resource: Resource, path: Path) -> Span | None:
    """Where the value was written when it came from elsewhere (a variable default, a parameter)."""
    for cut in range(len(path), 0, -1):
        spans = resource.origins.get(path[:cut])
        if spans:
            return spans[0]
    return None


def from_tfvars(resource: Resource, leak: Leak) -> bool:
    """True when the leaked value was written in a tfvars file (its ``tfvars`` resource reports
    it)."""
    return leak.span.file.endswith(TFVARS_SUFFIXES) and leak.span.file != resource.file
