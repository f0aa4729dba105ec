"""What an AWS credential looks like, what a placeholder looks like, and how values are redacted.

AWS unique-identifier prefixes (IAM User Guide, "IAM identifiers" → "Unique identifiers"):

======  ==========================================  ==========================================
prefix  what                                        reported?
======  ==========================================  ==========================================
AKIA    access key id (IAM user / root, long-term)   yes: half of a credential pair
ASIA    temporary access key id (STS)                yes: half of a session credential
ABIA    AWS STS service bearer token                 yes: a bearer credential
ACCA    context-specific credential                  yes: a credential
A3T?    access key ids of the earliest format        yes (as gitleaks / trufflehog do)
AIDA    IAM user id                                  no: a public identifier, not a secret
AROA    role id                                      no
AGPA    user group id                                no
AIPA    EC2 instance profile id                      no
ANPA    managed policy id                            no
ANVA    managed policy version id                    no
APKA    public key id                                no: identifies a *public* key
ASCA    certificate id                               no
======  ==========================================  ==========================================

The ids marked "no" appear in policies, trust relationships and outputs by design; reporting them
as leaked credentials would be a false positive.
"""

from __future__ import annotations

from linter.regex import lazy

CREDENTIAL_PREFIXES: dict[str, str] = {
    "AKIA": "access key id",
    "ASIA": "temporary access key id",
    "ABIA": "STS service bearer token",
    "ACCA": "context-specific credential",
    "A3T": "access key id",
}
IDENTIFIER_PREFIXES: dict[str, str] = {
    "AIDA": "IAM user id",
    "AROA": "role id",
    "AGPA": "user group id",
    "AIPA": "instance profile id",
    "ANPA": "managed policy id",
    "ANVA": "managed policy version id",
    "APKA": "public key id",
    "ASCA": "certificate id",
}

# 20 characters: a 4-letter prefix and 16 upper-case letters/digits (real ids are base32, but
# scanners and fixtures alike use digits outside base32, so accept [A-Z0-9]).
KEY_ID = lazy(r"(?<![A-Za-z0-9])((?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}|A3T[A-Z0-9][A-Z0-9]{16})"
              r"(?![A-Za-z0-9])")

# A secret access key: 40 characters of the base64 alphabet (30 random bytes, base64-encoded).
SECRET_KEY = lazy(r"(?<![A-Za-z0-9/+=])([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])")

PRIVATE_KEY = lazy(r"-----BEGIN[A-Z0-9 ]*PRIVATE KEY[A-Z0-9 ]*-----")
PRIVATE_KEY_END = lazy(r"-----END[A-Z0-9 ]*PRIVATE KEY[A-Z0-9 ]*-----")

EXAMPLE_KEYS = frozenset({"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"})
"""AWS's documented example pair: reported like any key (it looks real to every scanner and
teaches readers to paste keys into code), but the predicate can be told to skip it."""

_PLACEHOLDER_WORDS = frozenset({
    "none", "null", "nil", "undefined", "true", "false", "changeme", "change-me", "change_me",
    "redacted", "todo", "tbd", "fixme", "replaceme", "replace-me", "replace_me",
})
_MASK = lazy(r"[xX*.\-_#]+")
_WRAPPED = lazy(r"<[^<>]+>|\[[A-Za-z_ ]+\]|%[A-Za-z_][A-Za-z0-9_]*%")


def is_secret_key_shaped(token: str) -> bool:
    """40 base64 characters that mix upper case, lower case and a digit or ``/``/``+``.

    30 random bytes almost surely mix all three (P(no digit, ``/`` or ``+``) ≈ 0.1 %); hex digests
    (SHA-1 is also 40 characters), words and repeated characters never do.
    """
    if len(token) != 40 or not SECRET_KEY.fullmatch(token):
        return False
    if is_example_placeholder(token):
        return False
    has_upper = any(c.isupper() for c in token)
    has_lower = any(c.islower() for c in token)
    has_other = any(c.isdigit() or c in "/+" for c in token)
    return has_upper and has_lower and has_other and len(set(token)) >= 10


def is_example_placeholder(token: str) -> bool:
    """A 40-character value with ``EXAMPLE`` in it that is not AWS's documented example secret
    key (``akdfaksdfjkaEXAMPLEsdfjskafjdkfajsdfk345``): someone's placeholder, as gitleaks'
    allow-list treats it. The documented pair itself stays reported (``EXAMPLE_KEYS``)."""
    return len(token) == 40 and "EXAMPLE" in token and token not in EXAMPLE_KEYS


def is_masked_key_id(key_id: str) -> bool:
    """``AKIAXXXXXXXXXXXXXXXX`` and friends: a documentation mask, not a key."""
    return set(key_id[4:].upper()) <= {"X", "*"}


def is_placeholder(value: str) -> bool:
    """True when ``value`` is no literal secret: empty, a variable or command expansion, a template
    or dynamic reference (``${…}``, ``{{resolve:…}}``, ``$(…)``, ``%VAR%``), a bracketed placeholder
    (``<ACCESS_KEY>``), a mask (``xxxx``, ``****``), a null-ish word, or a 40-character
    ``…EXAMPLE…`` value other than AWS's documented example key."""
    text = value.strip().strip("\"'").strip()
    if not text:
        return True
    if text.startswith(("$", "`", "@", "<", "[")) or "${" in text or "{{" in text or "$(" in text:
        return True
    if _WRAPPED.fullmatch(text) or _MASK.fullmatch(text) or is_example_placeholder(text):
        return True
    return text.lower() in _PLACEHOLDER_WORDS


def preview(value: str) -> str:
    """The redacted form shown in messages: at most the first 4 characters, then ``…``.

    Short values show fewer characters (never more than a quarter of the value), so a short
    password is not printed almost whole.
    """
    shown = min(4, len(value) // 4)
    return value[:shown] + "…"


def key_id_kind(key_id: str) -> str:
    """``AKIA…`` → "access key id" (the prefix's meaning)."""
    for prefix, what in CREDENTIAL_PREFIXES.items():
        if key_id.startswith(prefix):
            return what
    return "access key id"
