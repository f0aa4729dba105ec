"""The stable identity of a finding in a report (SARIF ``partialFingerprints``, JSON, JUnit).

The engine fills ``Finding.fingerprint`` (rule, resource address, normalized offending value), so
it survives line moves and unrelated edits. Findings that reach a report without one (a tool
finding about a file) get a fallback from the rule id, the file, the address and the message with
its numbers removed, so that a parse error that moves down a few lines keeps its identity.
"""

from __future__ import annotations

import hashlib
import re

from linter.model import Finding

_NUMBERS = re.compile(r"\d+")


def fallback_fingerprint(*parts: str) -> str:
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()
    return digest[:32]


def fingerprint_of(finding: Finding) -> str:
    if finding.fingerprint:
        return finding.fingerprint
    return fallback_fingerprint(
        finding.rule_id, finding.span.file, finding.address, _NUMBERS.sub("#", finding.message)
    )
