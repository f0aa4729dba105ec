"""Terraform's built-in functions, with Terraform's semantics, over evaluated values.

``call(name, args, env)`` returns the result, raises ``EvalError`` where Terraform would fail,
and raises ``UnknownResult`` when the result depends on an Unknown argument (the evaluator turns
that into an Unknown naming the call). A result that would pass a budget of the unit being
evaluated (``linter.frontends.budget``: string length, collection length, decoded nodes) raises
``BudgetExceeded`` — checked *before* the work wherever the input controls its size (a format
width, a join, ``setproduct``, an alias bomb given to ``yamldecode``). ``regex``, ``regexall``
and ``replace`` use RE2 (``google-re2``), Terraform's own regular expression semantics, which run
in time linear in the input. Functions in ``SHALLOW`` look inside their arguments
themselves (``length([aws_instance.a.id])`` is 1); every other function gets an Unknown result
as soon as any argument contains an Unknown. Impure functions (``timestamp``, ``uuid``) and
machine-dependent ones (``abspath``) are Unknown; a name not in the table is ``unsupported``.
``try`` and ``can`` need unevaluated arguments and live in the expression evaluator.
"""

from __future__ import annotations

import base64
import datetime
import functools
import hashlib
import ipaddress
import json
import math
import posixpath
import re
import urllib.parse
from collections.abc import Callable
from typing import Any, Protocol

from linter.frontends.budget import meter
from linter.frontends.terraform.values import (
    EvalError,
    Value,
    as_set,
    dedupe,
    is_number,
    iter_unknowns,
    normalize_number,
    tf_equal,
    to_bool,
    to_number,
    to_string,
    type_name,
)
from linter.model import Unknown
from linter.regex import lazy


class UnknownResult(Exception):
    """The function's result depends on these Unknown values."""

    def __init__(self, causes: list[Unknown]) -> None:
        super().__init__("unknown")
        self.causes = causes


class FunctionEnv(Protocol):
    """What file-system functions need; paths are resolved inside the scan root only."""

    def read_file(self, path: str) -> str | Unknown: ...

    def file_exists(self, path: str) -> bool | Unknown: ...

    def file_set(self, path: str, pattern: str) -> list[str] | Unknown: ...

    def render_template(self, path: str, text: str, variables: dict[str, Value]) -> Value: ...

    def file_read(self) -> str | None:
        """The scan-root-relative path of the file the call read its text from, if any."""


Function = Callable[[list[Value], FunctionEnv], Value]


def known(value: Value) -> Value:
    if isinstance(value, Unknown):
        raise UnknownResult([value])
    return value


def deep_known(value: Value) -> Value:
    causes = list(iter_unknowns(value))
    if causes:
        raise UnknownResult(causes)
    return value


def _arity(name: str, args: list[Value], low: int, high: int | None = None) -> None:
    high = low if high is None else high
    if not low <= len(args) <= high:
        expected = str(low) if low == high else f"{low} to {high}"
        raise EvalError(f"{name}() takes {expected} arguments, got {len(args)}")


def _str(value: Value, what: str = "argument") -> str:
    value = to_string(known(value))
    if not isinstance(value, str):
        raise EvalError(f"{what} must be a string, got null")
    return value


def _num(value: Value) -> int | float:
    value = to_number(known(value))
    if not isinstance(value, (int, float)) or not is_number(value):
        raise EvalError("a number is required, got null")
    return value


def _int(value: Value) -> int:
    number = _num(value)
    if isinstance(number, float):
        if not number.is_integer():
            raise EvalError(f"a whole number is required, got {number}")
        number = int(number)
    return number


def _list(value: Value) -> list[Value]:
    value = known(value)
    if not isinstance(value, list):
        raise EvalError(f"a list is required, got {type_name(value)}")
    return value


def _map(value: Value) -> dict[str, Value]:
    value = known(value)
    if not isinstance(value, dict):
        raise EvalError(f"a map or object is required, got {type_name(value)}")
    return value


# ---------------------------------------------------------------- encoding


_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                            allow_nan=False)


def measure(value: Value, limit: int) -> int:
    """About the length of ``value`` encoded as JSON; stops counting past ``limit``, so the
    cost is bounded even for a list holding one long string a thousand times."""
    total = 0
    stack = [value]
    while stack and total <= limit:
        item = stack.pop()
        if isinstance(item, str):
            total += len(item) + 3
        elif isinstance(item, dict):
            total += 2
            for key, child in item.items():
                total += len(key) + 4
                stack.append(child)
        elif isinstance(item, list):
            total += 2 + len(item)
            stack.extend(item)
        else:
            total += 8
    return total


def _encodable(value: Value, what: str) -> None:
    current = meter()
    limit = current.budgets.string_length
    current.string(measure(value, limit), what)


def json_encode(value: Value) -> str:
    """Terraform's ``jsonencode``: compact, sorted keys, HTML characters escaped like Go."""
    _encodable(value, "jsonencode's result")
    text = _ENCODER.encode(_json_ready(value))
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _json_ready(value: Value) -> Value:
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**63:
        return int(value)
    if isinstance(value, list):
        return [_json_ready(v) for v in value]
    if isinstance(value, dict):
        return {k: _json_ready(v) for k, v in value.items()}
    return value


def json_decode(text: str) -> Value:
    try:
        decoded = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise EvalError(f"jsondecode: invalid JSON: {exc}") from None
    current = meter()
    limit = current.budgets.decode_nodes
    current.decoded(_nodes(decoded, limit), "jsondecode's result")
    return _from_json(decoded)


def _nodes(value: Value, limit: int) -> int:
    """Nodes of a decoded document (counting stops past ``limit``)."""
    count = 0
    stack = [value]
    while stack and count <= limit:
        item = stack.pop()
        count += 1
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return count


def _from_json(value: Value) -> Value:
    if isinstance(value, float):
        return normalize_number(value)
    if isinstance(value, list):
        return [_from_json(v) for v in value]
    if isinstance(value, dict):
        return {k: _from_json(v) for k, v in value.items()}
    return value


def yaml_decode(text: str) -> Value:
    """Terraform's ``yamldecode``: one document; aliases are counted before they are expanded
    (``linter.config.bounded_yaml``), so an alias bomb passes the decode-nodes budget at once."""
    import yaml  # lazy: few configurations call yamldecode

    from linter.config.bounded_yaml import YamlTooLarge, load_bounded

    current = meter()
    limit = current.budgets.decode_nodes
    try:
        document = load_bounded(text, limit)
    except YamlTooLarge as exc:
        if "refers to itself" in str(exc):
            raise EvalError(f"yamldecode: {exc}") from None
        current.decoded(limit + 1, "yamldecode's result")
        raise  # pragma: no cover - decoded() has raised
    except yaml.composer.ComposerError as exc:
        if "single document" in str(exc):
            raise EvalError("yamldecode: the string holds more than one YAML document") from None
        raise EvalError(f"yamldecode: invalid YAML: {exc}") from None
    except yaml.YAMLError as exc:
        raise EvalError(f"yamldecode: invalid YAML: {exc}") from None
    return _from_yaml(document)


def _from_yaml(value: object) -> Value:
    if isinstance(value, bool) or value is None or isinstance(value, (int, str)):
        return value
    if isinstance(value, float):
        return normalize_number(value)
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, (list, tuple)):
        return [_from_yaml(v) for v in value]
    if isinstance(value, dict):
        return {str(_from_yaml(k)) if not isinstance(k, str) else k: _from_yaml(v)
                for k, v in value.items()}
    return str(value)


def _jsonencode(args: list[Value], env: FunctionEnv) -> Value:
    _arity("jsonencode", args, 1)
    return json_encode(args[0])


def _jsondecode(args: list[Value], env: FunctionEnv) -> Value:
    _arity("jsondecode", args, 1)
    return json_decode(_str(args[0]))


def _yamldecode(args: list[Value], env: FunctionEnv) -> Value:
    _arity("yamldecode", args, 1)
    return yaml_decode(_str(args[0]))


def _yamlencode(args: list[Value], env: FunctionEnv) -> Value:
    _arity("yamlencode", args, 1)
    _encodable(args[0], "yamlencode's result")
    import yaml

    return yaml.safe_dump(args[0], sort_keys=True, default_flow_style=False)


def _base64encode(args: list[Value], env: FunctionEnv) -> Value:
    _arity("base64encode", args, 1)
    return base64.b64encode(_str(args[0]).encode()).decode()


def _base64decode(args: list[Value], env: FunctionEnv) -> Value:
    _arity("base64decode", args, 1)
    try:
        return base64.b64decode(_str(args[0]), validate=True).decode()
    except (ValueError, UnicodeDecodeError) as exc:
        raise EvalError(f"base64decode: {exc}") from None


def _urlencode(args: list[Value], env: FunctionEnv) -> Value:
    _arity("urlencode", args, 1)
    return urllib.parse.quote_plus(_str(args[0]), safe="")


def _hash(algorithm: str, encoding: str) -> Function:
    def digest(args: list[Value], env: FunctionEnv) -> Value:
        _arity(algorithm, args, 1)
        raw = hashlib.new(algorithm, _str(args[0]).encode()).digest()
        return raw.hex() if encoding == "hex" else base64.b64encode(raw).decode()
    return digest


# ---------------------------------------------------------------- strings


# a width never starts with 0 (that is the 0 flag): no two ways to split "%000…", so the
# pattern runs in linear time
_FORMAT_VERB = lazy(r"%(?:\[(\d+)\])?([-+# 0]*)([1-9]\d*)?(?:\.(\d+))?([a-zA-Z%])")


def format_string(spec: str, args: list[Value]) -> str:
    """Terraform's ``format`` (Go-style verbs: %s %d %f %q %v %t %x %e %g and %%)."""
    current = meter()
    out: list[str] = []
    total = 0
    position = 0
    next_arg = 0
    for match in _FORMAT_VERB.finditer(spec):
        out.append(spec[position:match.start()])
        total += match.start() - position
        position = match.end()
        explicit, flags, width, precision, verb = match.groups()
        if verb == "%":
            out.append("%")
            continue
        index = int(explicit) - 1 if explicit and len(explicit) < 10 else (
            -1 if explicit else next_arg)
        if not 0 <= index < len(args):
            raise EvalError(f"format: not enough arguments for {match.group(0)[:40]!r}")
        next_arg = index + 1
        for number in (width, precision):  # "%9999999999d" would allocate 10 GB
            if number is not None:
                current.string(int(number) if len(number) < 10 else 10**10, "a format width")
        piece = _format_verb(verb, flags, width, precision, args[index])
        total += len(piece)
        current.string(total, "format's result")
        out.append(piece)
    out.append(spec[position:])
    return "".join(out)


def _format_verb(verb: str, flags: str, width: str | None, precision: str | None,
                 value: Value) -> str:
    value = deep_known(value)
    if verb == "v" and "#" in flags:
        text = json_encode(value)
        flags = flags.replace("#", "")
    elif verb == "v":
        text = json_encode(value) if isinstance(value, (list, dict)) else _str(value)
    elif verb == "s":
        text = _str(value)
    elif verb == "q":
        text = json.dumps(_str(value), ensure_ascii=False)
    elif verb == "t":
        boolean = to_bool(value)
        if not isinstance(boolean, bool):
            raise EvalError("format: %t needs a bool")
        text = "true" if boolean else "false"
    elif verb in "dbox":
        number = _num(value)
        if isinstance(number, float) and not number.is_integer():
            raise EvalError(f"format: %{verb} needs a whole number, got {number}")
        py = {"d": "d", "b": "b", "o": "o", "x": "x"}[verb]
        text = format(int(number), f"{'+' if '+' in flags else ''}{py}")
    elif verb == "X":
        text = format(_int(value), "X")
    elif verb in "eEfFgG":
        number = float(_num(value))
        text = format(number, f"{'+' if '+' in flags else ''}.{precision or 6}{verb}"
                      if verb not in "gG" or precision else f"{'+' if '+' in flags else ''}{verb}")
        precision = None
    else:
        raise EvalError(f"format: unsupported verb %{verb}")
    if precision is not None and verb in "svq":
        text = text[:int(precision)]
    if width:
        size = int(width)
        if "-" in flags:
            text = text.ljust(size)
        elif "0" in flags and verb not in "svqt":
            sign = text[0] if text[:1] in "+-" else ""
            text = sign + text[len(sign):].rjust(size - len(sign), "0")
        else:
            text = text.rjust(size)
    return text


def _format(args: list[Value], env: FunctionEnv) -> Value:
    if not args:
        raise EvalError("format() needs a format string")
    return format_string(_str(args[0]), args[1:])


def _formatlist(args: list[Value], env: FunctionEnv) -> Value:
    if not args:
        raise EvalError("formatlist() needs a format string")
    spec = _str(args[0])
    lengths = {len(a) for a in args[1:] if isinstance(a, list)}
    if len(lengths) > 1:
        raise EvalError("formatlist: all list arguments must have the same length")
    if not lengths:
        return [format_string(spec, args[1:])]
    count = lengths.pop()
    current = meter()
    current.collection(count, "formatlist's result")
    out: list[Value] = []
    for i in range(count):
        text = format_string(spec, [a[i] if isinstance(a, list) else a for a in args[1:]])
        current.produced(len(text))
        out.append(text)
    return out


def _join(args: list[Value], env: FunctionEnv) -> Value:
    if len(args) < 2:
        raise EvalError("join() needs a separator and at least one list")
    separator = _str(args[0])
    items: list[str] = []
    total = 0
    current = meter()
    for value in args[1:]:
        for item in _list(value):
            text = _str(item, "join element")
            total += len(text) + len(separator)
            current.string(total, "join's result")
            items.append(text)
    return separator.join(items)


def _split(args: list[Value], env: FunctionEnv) -> Value:
    _arity("split", args, 2)
    separator, text = _str(args[0]), _str(args[1])
    if text == "":
        return [""] if separator else []
    meter().collection(text.count(separator) + 1 if separator else len(text), "split's result")
    return text.split(separator) if separator else list(text)


@functools.cache
def _re2() -> tuple[Any, Any]:
    """The RE2 module and its options (imported on the first regular expression)."""
    import re2

    options = re2.Options()
    options.log_errors = False  # a bad pattern is an EvalError, not a line on stderr
    options.max_mem = 64 * 1024 * 1024  # a pattern whose automaton needs more is refused
    return re2, options


def go_regex(pattern: str) -> Any:
    """Compile a regular expression with RE2: Terraform's (Go's) syntax and semantics, and
    matching in time linear in the input (no catastrophic backtracking)."""
    re2, options = _re2()
    try:
        return re2.compile(pattern, options)
    except re2.error as exc:
        detail = exc.args[0].decode("utf-8", "replace") if exc.args and isinstance(
            exc.args[0], bytes) else str(exc)
        raise EvalError(f"invalid regular expression {pattern[:200]!r}: {detail}") from None


_GO_GROUP = lazy(r"\$(?:\{(\w+)\}|(\w+)|\$)")


def _go_replacement(template: str, text_length: int) -> Callable[[Any], str]:
    current = meter()
    total = [text_length]

    def expand(match: Any) -> str:
        def group(found: re.Match[str]) -> str:
            if found.group(0) == "$$":
                return "$"
            name = found.group(1) or found.group(2)
            try:
                index: int | str = int(name) if name.isdigit() else name
                return match.group(index) or ""
            except (IndexError, re.error):
                return ""
        expanded = _GO_GROUP.sub(group, template)
        total[0] += len(expanded)  # an upper bound of the result's length so far
        current.string(total[0], "replace's result")
        return expanded
    return expand


def _replace(args: list[Value], env: FunctionEnv) -> Value:
    _arity("replace", args, 3)
    text, search, replacement = _str(args[0]), _str(args[1]), _str(args[2])
    if len(search) > 1 and search.startswith("/") and search.endswith("/"):
        result: str = go_regex(search[1:-1]).sub(_go_replacement(replacement, len(text)), text)
        return result
    count = text.count(search) if search else len(text) + 1
    meter().string(len(text) + count * (len(replacement) - len(search)), "replace's result")
    return text.replace(search, replacement)


def _regex_result(pattern: Any, match: Any) -> Value:
    if pattern.groupindex:
        return dict(match.groupdict())
    if pattern.groups:
        return list(match.groups())
    return match.group(0)


def _regex(args: list[Value], env: FunctionEnv) -> Value:
    _arity("regex", args, 2)
    pattern = go_regex(_str(args[0]))
    match = pattern.search(_str(args[1]))
    if match is None:
        raise EvalError("regex: pattern did not match")
    return _regex_result(pattern, match)


def _regexall(args: list[Value], env: FunctionEnv) -> Value:
    _arity("regexall", args, 2)
    pattern = go_regex(_str(args[0]))
    current = meter()
    out: list[Value] = []
    for match in pattern.finditer(_str(args[1])):
        out.append(_regex_result(pattern, match))
        current.collection(len(out), "regexall's result")
    return out


def _string_fn(name: str, op: Callable[[str], str]) -> Function:
    def apply(args: list[Value], env: FunctionEnv) -> Value:
        _arity(name, args, 1)
        return op(_str(args[0]))
    return apply


def _string_pair_fn(name: str, op: Callable[[str, str], Value]) -> Function:
    """A function of two strings (``trim``, ``startswith`` …)."""
    def apply(args: list[Value], env: FunctionEnv) -> Value:
        _arity(name, args, 2)
        return op(_str(args[0]), _str(args[1]))
    return apply


def _substr(args: list[Value], env: FunctionEnv) -> Value:
    _arity("substr", args, 3)
    text, offset, length = _str(args[0]), _int(args[1]), _int(args[2])
    if offset < 0:
        offset = max(len(text) + offset, 0)
    if offset > len(text):
        raise EvalError("substr: offset is beyond the end of the string")
    return text[offset:] if length < 0 else text[offset:offset + length]


def _indent(args: list[Value], env: FunctionEnv) -> Value:
    _arity("indent", args, 2)
    width, text = _int(args[0]), _str(args[1])
    meter().string(len(text) + max(width, 0) * (text.count("\n") + 1), "indent's result")
    return text.replace("\n", "\n" + " " * width)


def _title(text: str) -> str:
    return re.sub(r"\b(\w)", lambda m: m.group(1).upper(), text)


# ---------------------------------------------------------------- collections


def _length(args: list[Value], env: FunctionEnv) -> Value:
    _arity("length", args, 1)
    value = known(args[0])
    if isinstance(value, (list, dict)):
        return len(value)
    return len(_str(value))


def _concat(args: list[Value], env: FunctionEnv) -> Value:
    out: list[Value] = []
    current = meter()
    for value in args:
        out.extend(_list(value))
        current.collection(len(out), "concat's result")
    return out


def _merge(args: list[Value], env: FunctionEnv) -> Value:
    out: dict[str, Value] = {}
    for value in args:
        if known(value) is None:
            continue
        out.update(_map(value))
    return out


def _flatten_into(value: Value, out: list[Value]) -> None:
    current = meter()
    for item in value:
        known(item)
        if isinstance(item, list):
            _flatten_into(item, out)
        else:
            out.append(item)
            current.collection(len(out), "flatten's result")


def _flatten(args: list[Value], env: FunctionEnv) -> Value:
    _arity("flatten", args, 1)
    out: list[Value] = []
    _flatten_into(_list(args[0]), out)
    return out


def _distinct(args: list[Value], env: FunctionEnv) -> Value:
    _arity("distinct", args, 1)
    return dedupe(deep_known(_list(args[0])))


def _compact(args: list[Value], env: FunctionEnv) -> Value:
    _arity("compact", args, 1)
    return [_str(v) for v in _list(args[0]) if known(v) is not None and v != ""]


def _lookup(args: list[Value], env: FunctionEnv) -> Value:
    _arity("lookup", args, 2, 3)
    mapping, key = _map(args[0]), _str(args[1])
    if key in mapping:
        return mapping[key]
    if len(args) == 3:
        return args[2]
    raise EvalError(f"lookup: no key {key!r} in the map and no default")


def _element(args: list[Value], env: FunctionEnv) -> Value:
    _arity("element", args, 2)
    items, index = _list(args[0]), _int(args[1])
    if not items:
        raise EvalError("element: cannot take an element of an empty list")
    if index < 0:
        raise EvalError("element: the index must not be negative")
    return items[index % len(items)]


def _index(args: list[Value], env: FunctionEnv) -> Value:
    _arity("index", args, 2)
    items, wanted = deep_known(_list(args[0])), deep_known(args[1])
    for position, item in enumerate(items):
        if tf_equal(item, wanted):
            return position
    raise EvalError("index: the value is not in the list")


def _contains(args: list[Value], env: FunctionEnv) -> Value:
    _arity("contains", args, 2)
    items, wanted = _list(args[0]), deep_known(args[1])
    causes: list[Unknown] = []
    for item in items:
        unknowns = list(iter_unknowns(item))
        if unknowns:
            causes.extend(unknowns)
        elif tf_equal(item, wanted):
            return True
    if causes:
        raise UnknownResult(causes)
    return False


def _keys(args: list[Value], env: FunctionEnv) -> Value:
    _arity("keys", args, 1)
    return sorted(_map(args[0]))


def _values(args: list[Value], env: FunctionEnv) -> Value:
    _arity("values", args, 1)
    mapping = _map(args[0])
    return [mapping[k] for k in sorted(mapping)]


def _coalesce(args: list[Value], env: FunctionEnv) -> Value:
    for value in args:
        known(value)
        if value is not None and value != "":
            return value
    raise EvalError("coalesce: no non-null, non-empty argument")


def _coalescelist(args: list[Value], env: FunctionEnv) -> Value:
    for value in args:
        if _list(value):
            return value
    raise EvalError("coalescelist: no non-empty list argument")


def _tostring(args: list[Value], env: FunctionEnv) -> Value:
    _arity("tostring", args, 1)
    return to_string(known(args[0]))


def _tonumber(args: list[Value], env: FunctionEnv) -> Value:
    _arity("tonumber", args, 1)
    return to_number(known(args[0]))


def _tobool(args: list[Value], env: FunctionEnv) -> Value:
    _arity("tobool", args, 1)
    return to_bool(known(args[0]))


def _tolist(args: list[Value], env: FunctionEnv) -> Value:
    _arity("tolist", args, 1)
    value = known(args[0])
    return None if value is None else list(_list(value))


def _toset(args: list[Value], env: FunctionEnv) -> Value:
    _arity("toset", args, 1)
    value = known(args[0])
    return None if value is None else as_set(deep_known(_list(value)))


def _tomap(args: list[Value], env: FunctionEnv) -> Value:
    _arity("tomap", args, 1)
    value = known(args[0])
    return None if value is None else dict(_map(value))


def _numbers(name: str, args: list[Value]) -> list[int | float]:
    if not args:
        raise EvalError(f"{name}() needs at least one number")
    return [_num(v) for v in args]


def _min(args: list[Value], env: FunctionEnv) -> Value:
    return min(_numbers("min", args))


def _max(args: list[Value], env: FunctionEnv) -> Value:
    return max(_numbers("max", args))


def _sum(args: list[Value], env: FunctionEnv) -> Value:
    _arity("sum", args, 1)
    numbers = [_num(v) for v in _list(args[0])]
    if not numbers:
        raise EvalError("sum: the list is empty")
    return normalize_number(sum(numbers))


def _range(args: list[Value], env: FunctionEnv) -> Value:
    _arity("range", args, 1, 3)
    numbers = [_num(v) for v in args]
    start: int | float = 0
    step: int | float = 1
    if len(numbers) == 1:
        limit = numbers[0]
    else:
        start, limit = numbers[0], numbers[1]
        step = numbers[2] if len(numbers) == 3 else (1 if limit >= start else -1)
    if step == 0:
        raise EvalError("range: the step must not be zero")
    if (step > 0 and start > limit) or (step < 0 and start < limit):
        raise EvalError("range: the step goes the wrong way")
    out: list[Value] = []
    current = start
    while (current < limit) if step > 0 else (current > limit):
        out.append(normalize_number(current))
        if len(out) > 1024:
            raise EvalError("range: more than 1024 elements")
        current += step
    return out


def _zipmap(args: list[Value], env: FunctionEnv) -> Value:
    _arity("zipmap", args, 2)
    keys, values = deep_known(_list(args[0])), _list(args[1])
    if len(keys) != len(values):
        raise EvalError("zipmap: the key and value lists differ in length")
    return {_str(k): v for k, v in zip(keys, values, strict=True)}


def _one(args: list[Value], env: FunctionEnv) -> Value:
    _arity("one", args, 1)
    value = known(args[0])
    if value is None:
        return None
    items = _list(value)
    if len(items) > 1:
        raise EvalError("one: the list has more than one element")
    return items[0] if items else None


def _sort(args: list[Value], env: FunctionEnv) -> Value:
    _arity("sort", args, 1)
    return sorted(_str(v) for v in deep_known(_list(args[0])))


def _reverse(args: list[Value], env: FunctionEnv) -> Value:
    _arity("reverse", args, 1)
    return list(reversed(_list(args[0])))


def _slice(args: list[Value], env: FunctionEnv) -> Value:
    _arity("slice", args, 3)
    items, start, end = _list(args[0]), _int(args[1]), _int(args[2])
    if not 0 <= start <= end <= len(items):
        raise EvalError("slice: indexes out of range")
    return items[start:end]


def _chunklist(args: list[Value], env: FunctionEnv) -> Value:
    _arity("chunklist", args, 2)
    items, size = _list(args[0]), _int(args[1])
    if size < 0:
        raise EvalError("chunklist: the size must not be negative")
    if size == 0:
        return [items]
    return [items[i:i + size] for i in range(0, len(items), size)]


def _set_op(name: str) -> Function:
    def apply(args: list[Value], env: FunctionEnv) -> Value:
        if not args:
            raise EvalError(f"{name}() needs at least one set")
        sets = [deep_known(_list(a)) for a in args]
        result = list(sets[0])
        for other in sets[1:]:
            if name == "setunion":
                result = result + other
            elif name == "setintersection":
                result = [v for v in result if any(tf_equal(v, o) for o in other)]
            else:
                result = [v for v in result if not any(tf_equal(v, o) for o in other)]
        return as_set(result)
    return apply


def _alltrue(args: list[Value], env: FunctionEnv) -> Value:
    _arity("alltrue", args, 1)
    return all(to_bool(known(v)) is True for v in _list(args[0]))


def _anytrue(args: list[Value], env: FunctionEnv) -> Value:
    _arity("anytrue", args, 1)
    return any(to_bool(known(v)) is True for v in _list(args[0]))


def _transpose(args: list[Value], env: FunctionEnv) -> Value:
    _arity("transpose", args, 1)
    out: dict[str, list[Value]] = {}
    for key, items in sorted(deep_known(_map(args[0])).items()):
        for item in _list(items):
            out.setdefault(_str(item), []).append(key)
    return out


def _setproduct(args: list[Value], env: FunctionEnv) -> Value:
    lists = [_list(value) for value in args]
    size = 1
    for items in lists:
        size *= len(items)
        meter().collection(size, "setproduct's result")
    result: list[list[Value]] = [[]]
    for items in lists:
        result = [[*prefix, item] for prefix in result for item in items]
    return result


# ---------------------------------------------------------------- numbers


def _number_fn(name: str, op: Callable[[float], float]) -> Function:
    def apply(args: list[Value], env: FunctionEnv) -> Value:
        _arity(name, args, 1)
        return normalize_number(op(_num(args[0])))
    return apply


def _pow(args: list[Value], env: FunctionEnv) -> Value:
    _arity("pow", args, 2)
    try:
        return normalize_number(float(_num(args[0])) ** _num(args[1]))
    except (OverflowError, ZeroDivisionError) as exc:
        raise EvalError(f"pow: {exc}") from None


def _signum(args: list[Value], env: FunctionEnv) -> Value:
    _arity("signum", args, 1)
    number = _num(args[0])
    return (number > 0) - (number < 0)


def _parseint(args: list[Value], env: FunctionEnv) -> Value:
    _arity("parseint", args, 2)
    try:
        return int(_str(args[0]), _int(args[1]))
    except ValueError as exc:
        raise EvalError(f"parseint: {exc}") from None


# ---------------------------------------------------------------- network


def _network(prefix: Value) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    try:
        return ipaddress.ip_network(_str(prefix), strict=True)
    except ValueError as exc:
        raise EvalError(f"invalid CIDR prefix: {exc}") from None


def _cidrsubnet(args: list[Value], env: FunctionEnv) -> Value:
    _arity("cidrsubnet", args, 3)
    network, newbits, netnum = _network(args[0]), _int(args[1]), _int(args[2])
    prefix = network.prefixlen + newbits
    if newbits < 0 or prefix > network.max_prefixlen or not 0 <= netnum < 2**newbits:
        raise EvalError("cidrsubnet: not enough address space for the subnet")
    size = 2 ** (network.max_prefixlen - prefix)
    base = int(network.network_address) + netnum * size
    return str(ipaddress.ip_network((base, prefix)))


def _cidrsubnets(args: list[Value], env: FunctionEnv) -> Value:
    if not args:
        raise EvalError("cidrsubnets() needs a prefix")
    network = _network(args[0])
    current = int(network.network_address)
    out: list[Value] = []
    for bits in args[1:]:
        prefix = network.prefixlen + _int(bits)
        if prefix > network.max_prefixlen:
            raise EvalError("cidrsubnets: not enough address space")
        size = 2 ** (network.max_prefixlen - prefix)
        current = (current + size - 1) // size * size
        subnet = ipaddress.ip_network((current, prefix))
        if not subnet.subnet_of(network):  # type: ignore[arg-type]
            raise EvalError("cidrsubnets: not enough address space")
        out.append(str(subnet))
        current += size
    return out


def _cidrhost(args: list[Value], env: FunctionEnv) -> Value:
    _arity("cidrhost", args, 2)
    network, host = _network(args[0]), _int(args[1])
    if host < 0:
        host += network.num_addresses
    if not 0 <= host < network.num_addresses:
        raise EvalError("cidrhost: the host number is outside the prefix")
    return str(network.network_address + host)


def _cidrnetmask(args: list[Value], env: FunctionEnv) -> Value:
    _arity("cidrnetmask", args, 1)
    return str(_network(args[0]).netmask)


# ---------------------------------------------------------------- files


def _file(args: list[Value], env: FunctionEnv) -> Value:
    _arity("file", args, 1)
    return env.read_file(_str(args[0]))


def _filebase64(args: list[Value], env: FunctionEnv) -> Value:
    _arity("filebase64", args, 1)
    text = env.read_file(_str(args[0]))
    return text if isinstance(text, Unknown) else base64.b64encode(text.encode()).decode()


def _fileexists(args: list[Value], env: FunctionEnv) -> Value:
    _arity("fileexists", args, 1)
    return env.file_exists(_str(args[0]))


def _fileset(args: list[Value], env: FunctionEnv) -> Value:
    _arity("fileset", args, 2)
    return env.file_set(_str(args[0]), _str(args[1]))


def _templatefile(args: list[Value], env: FunctionEnv) -> Value:
    _arity("templatefile", args, 2)
    path = _str(args[0])
    variables = _map(args[1])
    text = env.read_file(path)
    if isinstance(text, Unknown):
        return text
    return env.render_template(path, text, variables)


def _filehash(algorithm: str, encoding: str) -> Function:
    def apply(args: list[Value], env: FunctionEnv) -> Value:
        _arity("file" + algorithm, args, 1)
        text = env.read_file(_str(args[0]))
        if isinstance(text, Unknown):
            return text
        return _hash(algorithm, encoding)([text], env)
    return apply


def _basename(args: list[Value], env: FunctionEnv) -> Value:
    _arity("basename", args, 1)
    return posixpath.basename(_str(args[0]).rstrip("/"))


def _dirname(args: list[Value], env: FunctionEnv) -> Value:
    _arity("dirname", args, 1)
    return posixpath.dirname(_str(args[0])) or "."


def _identity(args: list[Value], env: FunctionEnv) -> Value:
    _arity("sensitive", args, 1)
    return args[0]


FUNCTIONS: dict[str, Function] = {
    # encoding
    "jsonencode": _jsonencode, "jsondecode": _jsondecode, "yamldecode": _yamldecode,
    "yamlencode": _yamlencode, "base64encode": _base64encode, "base64decode": _base64decode,
    "urlencode": _urlencode,
    "md5": _hash("md5", "hex"), "sha1": _hash("sha1", "hex"), "sha256": _hash("sha256", "hex"),
    "sha512": _hash("sha512", "hex"), "base64sha256": _hash("sha256", "base64"),
    "base64sha512": _hash("sha512", "base64"),
    # strings
    "format": _format, "formatlist": _formatlist, "join": _join, "split": _split,
    "replace": _replace, "regex": _regex, "regexall": _regexall,
    "lower": _string_fn("lower", str.lower), "upper": _string_fn("upper", str.upper),
    "title": _string_fn("title", _title), "trimspace": _string_fn("trimspace", str.strip),
    "chomp": _string_fn("chomp", lambda s: s.rstrip("\r\n")),
    "strrev": _string_fn("strrev", lambda s: s[::-1]),
    "trim": _string_pair_fn("trim", str.strip),
    "trimprefix": _string_pair_fn("trimprefix", str.removeprefix),
    "trimsuffix": _string_pair_fn("trimsuffix", str.removesuffix),
    "startswith": _string_pair_fn("startswith", str.startswith),
    "endswith": _string_pair_fn("endswith", str.endswith),
    "strcontains": _string_pair_fn("strcontains", lambda s, sub: sub in s),
    "substr": _substr, "indent": _indent,
    # collections
    "length": _length, "concat": _concat, "merge": _merge, "flatten": _flatten,
    "distinct": _distinct, "compact": _compact, "lookup": _lookup, "element": _element,
    "index": _index, "contains": _contains, "keys": _keys, "values": _values,
    "coalesce": _coalesce, "coalescelist": _coalescelist, "tostring": _tostring,
    "tonumber": _tonumber, "tobool": _tobool, "tolist": _tolist, "toset": _toset,
    "tomap": _tomap, "min": _min, "max": _max, "sum": _sum, "range": _range,
    "zipmap": _zipmap, "one": _one, "sort": _sort, "reverse": _reverse, "slice": _slice,
    "chunklist": _chunklist, "setunion": _set_op("setunion"),
    "setintersection": _set_op("setintersection"), "setsubtract": _set_op("setsubtract"),
    "setproduct": _setproduct, "alltrue": _alltrue, "anytrue": _anytrue,
    "transpose": _transpose,
    # numbers
    "abs": _number_fn("abs", abs), "ceil": _number_fn("ceil", math.ceil),
    "floor": _number_fn("floor", math.floor), "pow": _pow, "signum": _signum,
    "parseint": _parseint,
    # network
    "cidrsubnet": _cidrsubnet, "cidrsubnets": _cidrsubnets, "cidrhost": _cidrhost,
    "cidrnetmask": _cidrnetmask,
    # files
    "file": _file, "filebase64": _filebase64, "fileexists": _fileexists, "fileset": _fileset,
    "templatefile": _templatefile, "filemd5": _filehash("md5", "hex"),
    "filesha256": _filehash("sha256", "hex"), "filebase64sha256": _filehash("sha256", "base64"),
    "basename": _basename, "dirname": _dirname,
    # markers
    "sensitive": _identity, "nonsensitive": _identity,
}

# Functions that handle Unknown arguments themselves (anything else: any Unknown → Unknown).
SHALLOW = frozenset({
    "length", "concat", "merge", "flatten", "lookup", "element", "contains", "keys", "values",
    "coalesce", "coalescelist", "tolist", "tomap", "zipmap", "one", "reverse", "slice",
    "chunklist", "setproduct", "sensitive", "nonsensitive", "compact", "alltrue", "anytrue",
    "tostring", "tonumber", "tobool",
})

# Known functions whose result cannot be known before apply (or depends on the machine).
NOT_KNOWN_BEFORE_APPLY = frozenset({
    "timestamp", "plantimestamp", "uuid", "uuidv5", "bcrypt", "abspath", "pathexpand",
    "rsadecrypt", "timeadd", "formatdate", "timecmp", "ephemeralasnull",
})


def call(name: str, args: list[Value], env: FunctionEnv) -> Value:
    """Apply the function ``name``; see the module docstring for the error/Unknown protocol."""
    function = FUNCTIONS.get(name)
    if function is None:
        raise KeyError(name)
    if name not in SHALLOW:
        deep_known(args)
    try:
        result = function(args, env)
    except (TypeError, ValueError, OverflowError, RecursionError) as exc:
        raise EvalError(f"{name}: {exc}") from None
    current = meter()
    if isinstance(result, str):
        current.string(len(result), f"{name}'s result")
        current.produced(len(result))
    elif isinstance(result, (list, dict)):
        current.collection(len(result), f"{name}'s result")
    return result


