"""Keeping secrets out of every report: the one redactor, applied at the last step.

What is masked, wherever it appears, whichever rules ran and whether or not the file parsed:

* every value the credentials analysis saw (``secrets_of_result``): the strings findings list
  in ``properties["redact"]``, and those ``linter.secrets.locate.find_leaks`` finds in any
  resource of the scan (so ``--select IAC0101`` or ``--ignore IAC0401`` do not turn redaction
  off) — matched in any letter case (a rule that echoes a value lowercased) and in the forms
  the formats quote it in (JSON and XML escapes, percent-encoding, the runner's escapes);
* anything credential-shaped (``linter.secrets.patterns``): an access key id (``AKIA…``,
  ``ASIA…`` …) and a 40-character secret-access-key-shaped token — which covers a code frame
  of a file that does not parse.

A secret becomes its first four characters and an ellipsis (``AKIA…``); one shorter than eight
characters is hidden entirely (``…``), since four characters would be most of it. Each format
redacts every string it emits (``redact``, ``redact_tree``; code frames use ``redact_mapped``
to keep their underline in place), and ``linter.report.render`` passes the finished output
through ``redact_output`` once more: nothing reaches the user unredacted.
"""

from __future__ import annotations

import functools
import json
import re
import urllib.parse
import weakref
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from linter.model import Finding
from linter.regex import lazy
from linter.secrets.patterns import is_masked_key_id, is_secret_key_shaped

if TYPE_CHECKING:
    from linter.result import ScanResult

ELLIPSIS = "…"
SHOWN_PREFIX = 4
MIN_LENGTH_WITH_PREFIX = 8
MIN_LENGTH_IN_OUTPUT = 16
"""Known secrets at least this long are also searched in the serialized output (shorter ones
could match the format's own keywords; every string was redacted before serialization)."""

# Candidates are found with patterns whose first character the regular expression engine can
# scan for in C (a 10 MB base64 line costs milliseconds, not seconds); their boundaries and
# shape are then checked in Python on the few candidates.
_KEY_ID = lazy(r"A(?:KIA|SIA|BIA|CCA)[A-Z0-9]{16}|A3T[A-Z0-9]{17}")
_SECRET_RUN = r"[A-Za-z0-9/+]{40,}"
_SECRET_RUN_MIN = 40
_SMALL_SECRET_RUN = lazy(_SECRET_RUN)
_LARGE_TEXT = 1 << 16  # RE2's start-up (and import) pays off on texts of this size and up
_SHORTEST_SHAPE = 20  # the shortest string either pattern above can match (a key id)
_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


def masked(secret: str) -> str:
    """What a secret is replaced by."""
    if len(secret) < MIN_LENGTH_WITH_PREFIX:
        return ELLIPSIS
    return secret[:SHOWN_PREFIX] + ELLIPSIS


def secrets_of(findings: Iterable[Finding]) -> tuple[str, ...]:
    """Every string listed under ``properties["redact"]`` by any finding, longest first."""
    found: set[str] = set()
    for finding in findings:
        value = finding.properties.get("redact")
        if isinstance(value, str):
            value = [value]
        if isinstance(value, (list, tuple, set, frozenset)):
            found.update(item for item in value if isinstance(item, str) and item)
    return _ordered(found)


_RESULTS: weakref.WeakValueDictionary[int, Any] = weakref.WeakValueDictionary()
_SECRETS_BY_RESULT: dict[int, tuple[str, ...]] = {}


def secrets_of_result(result: ScanResult) -> tuple[str, ...]:
    """The secrets of a whole scan: the findings' and every value the credentials analysis
    finds in any resource (computed once per result, whichever formats are rendered)."""
    key = id(result)
    if _RESULTS.get(key) is result and key in _SECRETS_BY_RESULT:
        return _SECRETS_BY_RESULT[key]
    from linter.frontends.terraform import TFVARS_TYPE
    from linter.secrets.locate import find_leaks

    found = set(secrets_of(result.findings))
    for resource in result.resources:
        for leak in find_leaks(resource, scripts_everywhere=resource.type == TFVARS_TYPE):
            found.update(s for s in leak.redact if s)
    for secret in list(found):  # a PEM key spans lines: a code frame shows it line by line
        if "\n" in secret:
            found.update(line.strip() for line in secret.splitlines()
                         if len(line.strip()) >= MIN_LENGTH_IN_OUTPUT)
    secrets = _ordered(found)
    _SECRETS_BY_RESULT.clear()
    _RESULTS.clear()
    _SECRETS_BY_RESULT[key] = secrets
    _RESULTS[key] = result
    return secrets


def _ordered(secrets: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(set(secrets), key=lambda s: (-len(s), s)))


def quoted_forms(secret: str) -> set[str]:
    """``secret`` as the output formats may write it."""
    import html  # lazy: only a scan that found a secret asks (html.entities is large)

    xml = html.escape(secret, quote=False)
    forms = {secret, json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1],
             xml, html.escape(secret, quote=True),
             xml.replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#09;"),
             urllib.parse.quote(secret, safe=""),
             urllib.parse.quote_plus(secret, safe=""),
             secret.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
             .replace(":", "%3A").replace(",", "%2C")}
    return {form for form in forms if form}


_WORD = lazy(r"[a-z]{5,}")


def looks_like_secret_key(token: str) -> bool:
    """A 40-character token that is secret-key-shaped and not made of words: a path such as
    ``ElasticLoadBalancing/ELBStickinessSample`` has the same alphabet and length, but random
    base64 rarely holds two runs of five lower-case letters (about 3 % of keys do; those are
    still masked when the credentials analysis saw them)."""
    return is_secret_key_shaped(token) and len(_WORD.findall(token)) < 2


@functools.lru_cache(maxsize=64)
def _compiled(secrets: frozenset[str]) -> re.Pattern[str] | None:
    forms = _ordered(form for secret in secrets if secret for form in quoted_forms(secret))
    if not forms:
        return None
    return re.compile("(?i:" + "|".join(re.escape(form) for form in forms) + ")")


def _known(secrets: Iterable[str]) -> re.Pattern[str] | None:
    """One pattern for every quoted form of every secret (None: no secret)."""
    if isinstance(secrets, tuple):  # a report's secrets (``secrets_of_result``), asked per text
        return _known_of_tuple(secrets)
    return _compiled(secrets if isinstance(secrets, frozenset) else frozenset(secrets))


@functools.lru_cache(maxsize=64)
def _known_of_tuple(secrets: tuple[str, ...]) -> re.Pattern[str] | None:
    """``_known`` of a tuple: the set made once per tuple, not once per text redacted."""
    return _compiled(frozenset(secrets))


def _spans(text: str, known: re.Pattern[str] | None) -> list[tuple[int, int]]:
    """Where to mask, in order and without overlaps: known secrets (``_known``) first
    (longest first), then credential shapes."""
    chosen: list[tuple[int, int]] = []
    if known is None and len(text) < _SHORTEST_SHAPE:
        return chosen  # no known secret, and too short for a credential shape
    if known is not None:
        chosen.extend(match.span() for match in known.finditer(text))
    shapes: list[tuple[int, int]] = []
    match = _KEY_ID.search(text)  # a search per key id: most texts have none (no iterator)
    while match is not None:
        start, end = match.span()
        if (start == 0 or text[start - 1] not in _ALNUM) and (
                end == len(text) or text[end] not in _ALNUM) and (
                not is_masked_key_id(match.group(0))):
            shapes.append((start, end))
        match = _KEY_ID.search(text, end)
    for match in _secret_runs(text):
        start, end = match.span()
        if end - start == 40 and (end == len(text) or text[end] != "=") and (
                looks_like_secret_key(match.group(0))):
            shapes.append((start, end))
    if shapes:
        taken = list(chosen)
        for span in sorted(shapes):
            if not any(span[0] < other[1] and other[0] < span[1] for other in taken):
                chosen.append(span)
                taken.append(span)
        chosen.sort()
    return chosen


def _secret_runs(text: str) -> Iterable[Any]:
    """Runs of 40 or more base64 characters; in a large text found by RE2: its automaton scans
    the many shorter runs of a large report in one pass where Python's engine retries each from
    every offset (0.18 s against 0.37 s on the 20 MB report of 10,000 resources; the same
    spans). A short text (every string of a report, the output of a small scan) is searched
    by ``re``, which starts faster."""
    if len(text) < _SECRET_RUN_MIN:
        return ()
    if len(text) < _LARGE_TEXT:
        return _SMALL_SECRET_RUN.finditer(text) if has_secret_run(text) else ()
    runs: Iterable[Any] = _secret_run_pattern().finditer(text)
    return runs


# every character of a run → "A", every other ASCII character → " " (the text encoded as ASCII,
# any other character one "?", so offsets stay): a run of 40 is then one substring search, where
# the pattern retries each shorter run (every word of a message) from each of its offsets
_RUN_MARKS = bytes(0x41 if chr(byte) in "+/" or (chr(byte).isascii() and chr(byte).isalnum())
                   else 0x20 for byte in range(256))
_LONG_RUN_MARKS = b"A" * _SECRET_RUN_MIN


def has_secret_run(text: str) -> bool:
    """Whether ``text`` holds a run ``_SECRET_RUN`` matches (40 or more base64 characters)."""
    marks = text.encode("ascii", "replace").translate(_RUN_MARKS)
    return marks.find(_LONG_RUN_MARKS) >= 0


@functools.cache
def _secret_run_pattern() -> Any:
    import re2  # lazy: most runs' outputs are small

    return re2.compile(_SECRET_RUN)


def redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every secret (any case, any quoting) and every credential-shaped string
    masked (one pass, longest secret wins)."""
    if not text:
        return text
    return _redact_with(text, _known(secrets))


def _redact_with(text: str, known: re.Pattern[str] | None) -> str:
    spans = _spans(text, known)
    if not spans:
        return text
    out: list[str] = []
    position = 0
    for start, end in spans:
        out.append(text[position:start])
        out.append(masked(text[start:end]))
        position = end
    out.append(text[position:])
    return "".join(out)


def redact_output(text: str, secrets: Iterable[str]) -> str:
    """The last step of every report: the finished output searched once more."""
    return redact(text, [s for s in secrets if len(s) >= MIN_LENGTH_IN_OUTPUT])


def redact_mapped(text: str, secrets: Iterable[str]) -> tuple[str, list[int]]:
    """Like ``redact``, plus where each original index (0..len) lands in the redacted text.

    A code frame underlines a span given in the original columns; the map moves the underline
    onto the shortened line (an index inside a secret maps to the start of its mask).
    """
    out: list[str] = []
    index_map: list[int] = []
    position = 0
    new_length = 0
    for start, end in _spans(text, _known(secrets)):
        mask = masked(text[start:end])
        index_map.extend(range(new_length, new_length + start - position))  # kept: one each
        new_length += start - position
        out.append(text[position:start])
        index_map.extend([new_length] * (end - start))  # masked: all at the mask's start
        out.append(mask)
        new_length += len(mask)
        position = end
    index_map.extend(range(new_length, new_length + len(text) - position + 1))
    out.append(text[position:])
    return "".join(out), index_map


def redact_tree(value: Any, secrets: Iterable[str]) -> Any:
    """A JSON-like tree with every string (keys included) redacted; a string that occurs
    many times (keys, rule texts, file names) is redacted once."""
    return _redact_tree(value, _known(secrets), {})


def _redact_tree(value: Any, known: re.Pattern[str] | None, done: dict[str, str]) -> Any:
    # exact types first: a report holds only dicts, lists, strings, numbers, booleans and None,
    # and an ABC check per node costs more than the rest of the walk
    kind = type(value)
    if kind is str:
        return _redact_string(value, known, done)
    if kind is dict:
        return _redact_dict(value, known, done)
    if kind is list or kind is tuple:
        return _redact_list(value, known, done)
    if kind in _LEAVES:
        return value
    if isinstance(value, str):
        return _redact_tree(str(value), known, done)
    if isinstance(value, Mapping):
        return {_redact_tree(k, known, done): _redact_tree(v, known, done)
                for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_redact_tree(v, known, done) for v in value]
    return value


# A report of 1,000 resources holds 45,000 strings, 3,000 of them distinct: the members of a
# dict or list are looked up in ``done`` (and numbers passed on) in its own loop, not in a call
# each.


def _redact_string(text: str, known: re.Pattern[str] | None, done: dict[str, str]) -> str:
    """``text`` redacted, once per distinct text of a tree."""
    found = done.get(text)
    if found is None:
        found = done[text] = _redact_with(text, known) if text else text
    return found


def _redact_dict(value: dict[Any, Any], known: re.Pattern[str] | None,
                 done: dict[str, str]) -> dict[Any, Any]:
    out: dict[Any, Any] = {}
    get = done.get
    for key, item in value.items():
        new_key = get(key) if type(key) is str else None
        if new_key is None:
            new_key = _redact_tree(key, known, done)
        kind = type(item)
        if kind is str:
            out[new_key] = get(item) or _redact_string(item, known, done)
        elif kind in _LEAVES:
            out[new_key] = item
        else:
            out[new_key] = _redact_tree(item, known, done)
    return out


def _redact_list(value: list[Any] | tuple[Any, ...], known: re.Pattern[str] | None,
                 done: dict[str, str]) -> list[Any]:
    out: list[Any] = []
    get = done.get
    for item in value:
        kind = type(item)
        if kind is str:
            out.append(get(item) or _redact_string(item, known, done))
        elif kind in _LEAVES:
            out.append(item)
        else:
            out.append(_redact_tree(item, known, done))
    return out


_LEAVES = frozenset({int, float, bool, type(None)})
