"""Credential detectors over one piece of text: a user-data script, a tfvars file, any string.

Every detector returns ``Hit``s with the raw secret (for redaction), a label for the message and
the 0-based line of the text it was found on (so a finding can point inside a heredoc).
"""

from __future__ import annotations

import base64
import binascii
import functools

from linter.records import record
from linter.regex import lazy
from linter.secrets.patterns import (
    KEY_ID,
    PRIVATE_KEY,
    PRIVATE_KEY_END,
    SECRET_KEY,
    is_masked_key_id,
    is_placeholder,
    is_secret_key_shaped,
    key_id_kind,
    preview,
)

ACCESS_KEY_ID = "access-key-id"
SECRET_ACCESS_KEY = "secret-access-key"
SESSION_TOKEN = "session-token"
PRIVATE_KEY_KIND = "private-key"
PASSWORD = "password"


@record
class Hit:
    kind: str  # access-key-id | secret-access-key | session-token | private-key | password
    value: str  # the raw secret, exactly as it appears in the scanned text
    label: str  # "access key id AKIA…", "secret access key wJal…" (already redacted)
    line: int = 0  # 0-based line of the text
    encoded: str = ""  # the base64 text the secret was decoded from, when it was


# NAME=value, NAME: value, "NAME": "value" (shell, env files, INI credential files, YAML, JSON)
_SECRET_NAMES = (r"aws_secret_access_key|secret_access_key|aws_secret_key|aws_session_token"
                 r"|aws_security_token")
_ASSIGNMENT = lazy(
    rf"(?i)(?<![A-Za-z0-9_])(?P<name>{_SECRET_NAMES})(?![A-Za-z0-9_])[\"']?[ \t]*[=:][ \t]*"
    r"(?P<quote>[\"']?)(?P<value>[^\s\"'`;&|,()\[\]{}]*)(?P<after>.?)"
)
# aws configure set [profile.]aws_secret_access_key VALUE
_CONFIGURE = lazy(
    rf"(?i)\baws\s+configure\s+set\s+(?:[\w-]+\.)?(?P<name>{_SECRET_NAMES})\s+"
    r"(?P<quote>[\"']?)(?P<value>[^\s\"';&|]+)(?P<after>.?)"
)
# a credential-ish word before a 40-character secret on the same line
_CREDENTIAL_WORD = lazy(r"(?i)secret|credential|passw|token|private|api_?key|access_?key")
# long base64 runs inside a script (``echo LS0t… | base64 -d > key.pem``)
_BASE64_RUN = lazy(r"(?<![A-Za-z0-9+/=])[A-Za-z0-9+/]{40,}={0,2}(?![A-Za-z0-9+/=])")


# Something every detector below needs before it can report: a key-id prefix (``KEY_ID``), a
# credential variable name (``_ASSIGNMENT`` / ``_CONFIGURE``: each of ``_SECRET_NAMES`` has
# ``secret_`` or ``_token`` in it), a PEM private key header, or 40 characters of the base64
# alphabet (``SECRET_KEY``, ``_BASE64_RUN``). Text without any of them has no hit.
_MAY_HIT = lazy(r"A(?:KIA|SIA|BIA|CCA|3T)|(?i:secret_|_token)|PRIVATE KEY"
                r"|[A-Za-z0-9/+]{40}")
# the shortest text with a hit: ``aws_secret_key`` (14 characters), ``=`` and one character
_SHORTEST_HIT = 16
_MEMO_SIZE = 4096  # distinct texts remembered (the same strings recur across resources)
_MEMO_LENGTH = 2048  # longer texts (scripts) are scanned each time: the memo stays small


def scan_text(text: str, *, nested_base64: bool = False) -> list[Hit]:
    """Every credential in ``text``; ``nested_base64`` also decodes long base64 runs (user data).

    Most strings of a configuration (names, ARNs, short values) cannot hold a credential: they
    are answered by one prefilter match (``_MAY_HIT``); the rest are scanned once per distinct
    text and remembered (up to ``_MEMO_LENGTH`` characters: memory stays bounded).
    """
    if len(text) < _SHORTEST_HIT or _MAY_HIT.search(text) is None:
        return []
    if len(text) > _MEMO_LENGTH:
        return _scan(text, nested_base64)
    return list(_scan_text(text, nested_base64))


@functools.lru_cache(maxsize=_MEMO_SIZE)
def _scan_text(text: str, nested_base64: bool) -> tuple[Hit, ...]:
    """``scan_text`` of a text that may hold a credential (``Hit``s are immutable: shared)."""
    return tuple(_scan(text, nested_base64))


def _scan(text: str, nested_base64: bool) -> list[Hit]:
    lines = text.split("\n")
    hits: list[Hit] = []
    key_id_lines: list[int] = []
    for number, line in enumerate(lines):
        for match in KEY_ID.finditer(line):
            key_id = match.group(1)
            if not is_masked_key_id(key_id):
                hits.append(Hit(ACCESS_KEY_ID, key_id, f"{key_id_kind(key_id)} {preview(key_id)}",
                                number))
                key_id_lines.append(number)
        hits.extend(_assignments(line, number))
    hits.extend(_secrets_near(lines, key_id_lines))
    hits.extend(_private_keys(text))
    if nested_base64:
        hits.extend(_nested_base64(lines))
    return dedupe(hits)


def _assignments(line: str, number: int) -> list[Hit]:
    out: list[Hit] = []
    for pattern in (_ASSIGNMENT, _CONFIGURE):
        for match in pattern.finditer(line):
            value = match.group("value")
            if not match.group("quote") and match.group("after") in ("(", "[", ",", ")", "."):
                continue  # code: aws_secret_access_key=os.environ[...], f(aws_secret_key=x, …)
            if is_placeholder(value):
                continue
            name = match.group("name")
            kind = SESSION_TOKEN if "token" in name.lower() else SECRET_ACCESS_KEY
            what = "session token" if kind == SESSION_TOKEN else "secret access key"
            out.append(Hit(kind, value, f"{what} {preview(value)} ({name})", number))
    return out


def _secrets_near(lines: list[str], key_id_lines: list[int]) -> list[Hit]:
    """40-character secrets within 3 lines of a key id, or after a credential word on its line."""
    near = {n for line in key_id_lines for n in range(line - 3, line + 4)}
    out: list[Hit] = []
    for number, line in enumerate(lines):
        for match in SECRET_KEY.finditer(line):
            token = match.group(1)
            if not is_secret_key_shaped(token):
                continue
            if number in near or _CREDENTIAL_WORD.search(line[: match.start()]):
                out.append(Hit(SECRET_ACCESS_KEY, token, f"secret access key {preview(token)}",
                               number))
    return out


def _private_keys(text: str) -> list[Hit]:
    out: list[Hit] = []
    for match in PRIVATE_KEY.finditer(text):
        end = PRIVATE_KEY_END.search(text, match.end())
        block = text[match.start(): end.end() if end else len(text)]
        line = text.count("\n", 0, match.start())
        out.append(Hit(PRIVATE_KEY_KIND, block, "PEM private key", line))
    return out


def _nested_base64(lines: list[str]) -> list[Hit]:
    out: list[Hit] = []
    for number, line in enumerate(lines):
        for match in _BASE64_RUN.finditer(line):
            decoded = decode_base64(match.group(0))
            if decoded is None:
                continue
            for hit in scan_text(decoded):
                out.append(Hit(hit.kind, hit.value, hit.label + " (base64-encoded)", number,
                               match.group(0)))
    return out


def dedupe(hits: list[Hit]) -> list[Hit]:
    seen: set[tuple[str, str]] = set()
    out: list[Hit] = []
    for hit in sorted(hits, key=lambda h: h.line):
        if (hit.kind, hit.value) not in seen:
            seen.add((hit.kind, hit.value))
            out.append(hit)
    return out


_BASE64 = lazy(r"[A-Za-z0-9+/]+={0,2}")


def decode_base64(value: str) -> str | None:
    """The text ``value`` decodes to when it is base64 of readable UTF-8 text, else None."""
    compact = "".join(value.split())
    if len(compact) < 8 or len(compact) % 4 or not _BASE64.fullmatch(compact):
        return None
    try:
        decoded = base64.b64decode(compact, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    printable = sum(1 for c in decoded if c.isprintable() or c in "\n\r\t")
    return decoded if decoded and printable >= 0.95 * len(decoded) else None
