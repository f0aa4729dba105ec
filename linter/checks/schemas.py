"""The JSON Schemas of the checks' ``with`` arguments, and the message placeholders each check
fills (``x-details``).

The rule loader needs every schema to load the rules, before anything is scanned; a scan runs
only the checks of the rules whose resource types it meets. So the schemas live here, apart from
the checks: importing this module imports no check, no graph view and no policy analysis.
``tests/checks/table_test.py`` keeps each schema equal to the one its check module exports.
"""

from __future__ import annotations

from typing import Any

from linter.checks.context import details_schema

# ---------------------------------------------------------------- metadata service (imds)

V1_ALLOWED, HOP_TOO_HIGH = "v1-allowed", "hop-limit-too-high"
MAX_HOP_LIMIT: dict[str, Any] = {"type": "integer", "minimum": 1, "maximum": 64}
IMDS_SCHEMA: dict[str, Any] = {
    **details_schema("tokens", "hop_limit", "endpoint", "source", "launched_by", "max",
                     "max_reason", "context",
                     check={"enum": [V1_ALLOWED, HOP_TOO_HIGH]}, max_hop_limit=MAX_HOP_LIMIT),
    "required": ["check"],
}

# ---------------------------------------------------------------- instance identity (identity)

INSTANCE_SCHEMA = details_schema("reason", "launched_by")
PROFILE_SCHEMA = details_schema("reason", "note")

# ---------------------------------------------------------------- IAM policies (iam)

_SCOPE = {"type": "string", "enum": ["document", "principal", "auto"], "default": "document"}
IAM_DETAILS = ["why", "subject", "actions", "principal", "statement", "document", "count", "fix"]
TRUST_CHECKS = ("everyone", "account", "oidc", "confused-deputy")  # linter.iam.analysis's
SCOPED_SCHEMA: dict[str, Any] = {
    "type": "object",
    "x-details": IAM_DETAILS,
    "properties": {"scope": _SCOPE},
    "additionalProperties": False,
}
WILDCARD_RESOURCE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "x-details": IAM_DETAILS,
    "properties": {
        "scope": _SCOPE,
        "access_levels": {"type": "array", "minItems": 1, "uniqueItems": True,
                          "items": {"enum": ["List", "Read", "Write", "Permissions management",
                                             "Tagging"]}},
    },
    "additionalProperties": False,
}
TRUST_SCHEMA: dict[str, Any] = {
    "type": "object",
    "x-details": IAM_DETAILS,
    "properties": {
        "checks": {"type": "array", "minItems": 1, "uniqueItems": True,
                   "items": {"enum": list(TRUST_CHECKS)}},
    },
    "additionalProperties": False,
}

# ---------------------------------------------------------------- hard-coded credentials

CREDENTIALS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "x-details": ["what", "where", "count"],
    "additionalProperties": False,
    "properties": {
        "example_keys": {"type": "boolean"},
        "private_keys": {"type": "boolean"},
    },
}

# ---------------------------------------------------------------- combinations (toxic)

TOXIC_SCHEMA = details_schema(
    "exposure", "power", "chain", "mitigation", "note", "severity", "launched_by",
    max_hop_limit=MAX_HOP_LIMIT)
CHAIN_SCHEMA = details_schema("targets", "chain", "reasons", gatekeepers={
    "description": "instance role (address, name or ARN pattern) → the roles it may assume",
    "type": "object",
    "additionalProperties": {"type": "array", "items": {"type": "string"}}})
RESTRICTION_SCHEMA = details_schema("power", "chain")

# ---------------------------------------------------------------- changes (diff)

PROFILE_ROLE_CHANGED_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {},
    "x-details": ["change", "old_role", "old_role_name", "new_role", "users"],
}
