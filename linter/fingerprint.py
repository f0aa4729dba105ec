"""Stable finding fingerprints (SARIF ``partialFingerprints``, baselines).

A fingerprint identifies *the same problem* across unrelated edits: inserting lines above a
resource, reformatting, reordering blocks or moving a Terraform resource to another file of its
module must not change it. It hashes:

* the rule id (ids are never reused; renames keep the id);
* the scope the address is unique in: the resource's unit (its Terraform root module directory
  or its CloudFormation template file: two root modules may both define ``aws_instance.web``,
  and one child module called by two roots holds two resources);
* the resource address (``module.app.aws_instance.web[0]``, a CFN logical id);
* the offending attribute path with list indexes dropped (``metadata_options.http_tokens``), so
  that a missing attribute and a wrong one are different problems, but reordering a list is not.

Line numbers and values are deliberately not part of it: raising a hop limit from 2 to 3 is the
same problem, still open.

The engine fills ``Finding.fingerprint``; ``fingerprint_of`` gives every finding its identity in a
report (SARIF ``partialFingerprints``, JSON, JUnit, baselines, ``--diff-base``): findings that
reach it without one (a tool finding about a file) get a fallback from the rule id, the file,
the address and the message with its numbers removed, so that a parse error that moves down a
few lines keeps its identity.
"""

from __future__ import annotations

import hashlib
import posixpath

from linter.model import Finding, Format, Path, Resource
from linter.regex import lazy


def normalized_path(path: Path) -> str:
    return ".".join(str(key) for key in path if isinstance(key, str))


def scope_of(resource: Resource) -> str:
    if resource.unit and resource.kind != "tfvars":
        return "" if resource.unit == "." else resource.unit  # as a root-level file's directory
    if resource.format is Format.TERRAFORM and resource.kind != "tfvars":
        return posixpath.dirname(resource.file)
    return resource.file


def fingerprint(rule_id: str, resource: Resource, path: Path) -> str:
    text = "\0".join(("v1", rule_id, scope_of(resource), resource.address, normalized_path(path)))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def file_fingerprint(rule_id: str, file: str, key: str) -> str:
    """For findings outside any resource (a file that does not parse): rule, file and a key
    (for example the normalized message)."""
    text = "\0".join(("v1", rule_id, file, key))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def variant_fingerprint(base: str, condition_note: str) -> str:
    """A finding that only some CloudFormation condition variants raise: the same base
    fingerprint, told apart by the condition values that lead to it."""
    if not condition_note:
        return base
    return hashlib.sha256(f"{base}|{condition_note}".encode()).hexdigest()[: len(base) or 32]


_NUMBERS = lazy(r"\d+")


def fallback_fingerprint(*parts: str) -> str:
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()
    return digest[:32]


def fingerprint_of(finding: Finding) -> str:
    if finding.fingerprint:
        return finding.fingerprint
    return fallback_fingerprint(
        finding.rule_id, finding.span.file, finding.address, _NUMBERS.sub("#", finding.message)
    )
