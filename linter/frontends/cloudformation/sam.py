"""SAM templates (``Transform: AWS::Serverless-2016-10-31``) expanded with the SAM translator.

The translator (``aws-sam-translator``, the library ``sam build`` and CloudFormation's own
transform use) runs offline: managed policy names come from its bundled map, the region is
assumed (``us-east-1``, partition ``aws``) only for the translator's own bookkeeping, and local
``CodeUri``/``DefinitionUri`` paths are replaced by placeholder S3 locations as ``sam package``
would. Generated resources are mapped back to the SAM resource that produced them.
"""

from __future__ import annotations

import copy
import functools
import logging
from collections.abc import Mapping
from typing import Any

from linter.records import record

SAM_TRANSFORM = "AWS::Serverless-2016-10-31"
_LOCAL_URI_PROPERTIES = {
    "AWS::Serverless::Function": ("CodeUri",),
    "AWS::Serverless::Api": ("DefinitionUri",),
    "AWS::Serverless::HttpApi": ("DefinitionUri",),
    "AWS::Serverless::LayerVersion": ("ContentUri",),
    "AWS::Serverless::StateMachine": ("DefinitionUri",),
    "AWS::Serverless::GraphQLApi": ("SchemaUri",),
}
_PLACEHOLDER_BUCKET = "s3://iaclint-placeholder-bucket/local-artifact"


@record
class SamExpansion:
    template: dict[str, Any]  # the CloudFormation template (nodes keep marks where copied)
    source_of: Mapping[str, str]  # generated logical id → SAM logical id
    rejected: Mapping[str, str]  # SAM logical id → the translator's message (left untransformed)


def is_sam(template: Mapping[str, Any]) -> bool:
    transform = template.get("Transform")
    names = transform if isinstance(transform, list) else [transform]
    return SAM_TRANSFORM in names


_MAX_RETRIES = 5


def expand_sam(template: Mapping[str, Any], parameter_values: Mapping[str, str]) -> SamExpansion:
    """Expand SAM resources; raises ``SamError`` with the translator's message on failure.

    A SAM resource the translator rejects is left out of the expansion and kept untransformed
    (``rejected``), so one broken function does not hide the rest of the template.
    """
    rejected: dict[str, str] = {}
    for _ in range(_MAX_RETRIES):
        document = copy.deepcopy(dict(template))
        resources = document.get("Resources")
        kept = {k: v for k, v in resources.items() if k in rejected} if isinstance(
            resources, dict) else {}
        if isinstance(resources, dict):
            for logical_id in rejected:
                resources.pop(logical_id, None)
        try:
            expanded = _translate(document, parameter_values)
        except _Rejected as err:
            if not err.by_resource or set(err.by_resource) <= set(rejected):
                raise SamError(err.message) from err
            rejected.update(err.by_resource)
            continue
        out_resources = expanded.get("Resources") if isinstance(expanded, dict) else None
        if not isinstance(out_resources, dict):
            raise SamError("the expanded template has no Resources")
        out_resources.update(kept)
        sam_ids = _sam_resources(template)
        original = template.get("Resources")
        original_ids = set(original) if isinstance(original, dict) else set()
        source_of = {
            logical_id: _source_of(logical_id, sam_ids)
            for logical_id in out_resources
            if logical_id not in rejected and (
                logical_id not in original_ids or logical_id in sam_ids)
        }
        return SamExpansion(expanded, source_of, rejected)
    raise SamError("; ".join(rejected.values()) or "the SAM translator rejected the template")


class _Rejected(Exception):
    def __init__(self, message: str, by_resource: dict[str, str]) -> None:
        super().__init__(message)
        self.message = message
        self.by_resource = by_resource


def _translate(document: dict[str, Any], parameter_values: Mapping[str, str]) -> dict[str, Any]:
    try:
        from samtranslator.model.exceptions import (
            InvalidDocumentException,
            InvalidResourceException,
        )
        from samtranslator.parser.parser import Parser
        from samtranslator.translator.translator import Translator
    except ImportError as err:  # pragma: no cover - dependency declared in pyproject
        raise SamError(f"aws-sam-translator is not installed ({err})") from err
    _replace_local_uris(document)
    parameters: dict[str, Any] = {"AWS::Region": "us-east-1", "AWS::Partition": "aws"}
    parameters.update(parameter_values)
    _validate_policy_templates_once()
    translator = Translator(None, Parser(), boto_session=_session())
    logging.getLogger("samtranslator").setLevel(logging.CRITICAL)
    try:
        expanded: dict[str, Any] = translator.translate(
            sam_template=document, parameter_values=parameters)
    except InvalidDocumentException as err:
        by_resource: dict[str, str] = {}
        messages = []
        for cause in err.causes:
            message = str(getattr(cause, "message", cause))
            messages.append(message)
            logical_id = getattr(cause, "_logical_id", None)
            if isinstance(cause, InvalidResourceException) and isinstance(logical_id, str):
                by_resource[logical_id] = message
        raise _Rejected("; ".join(messages) or str(err), by_resource) from err
    except SamError:
        raise
    except Exception as err:  # the translator raises many unrelated types on odd input
        raise SamError(f"{type(err).__name__}: {err}") from err
    return expanded


@functools.cache
def _session() -> Any:
    """One boto3 session for every translation (each new one costs about 10 ms)."""
    import boto3.session

    return boto3.session.Session(region_name="us-east-1")


@functools.cache
def _validate_policy_templates_once() -> None:
    """The translator validates its bundled policy templates against their JSON Schema on every
    translation (about 20 ms each, most of a small template's cost): build that plugin once and
    hand the same one to every translation. The plugin is stateless; each use copies the
    template it expands."""
    from samtranslator.translator import translator as module

    plugin = module.make_policy_template_for_function_plugin()
    setattr(module, "make_policy_template_for_function_plugin", lambda: plugin)  # noqa: B010


class SamError(Exception):
    """The SAM translator rejected the template."""


def _sam_resources(document: Mapping[str, Any]) -> list[str]:
    resources = document.get("Resources")
    if not isinstance(resources, dict):
        return []
    return [
        str(logical_id) for logical_id, body in resources.items()
        if isinstance(body, dict) and str(body.get("Type", "")).startswith("AWS::Serverless::")
    ]


def _source_of(logical_id: str, sam_ids: list[str]) -> str:
    """The SAM resource a generated id comes from: SAM names them ``<SamId><Suffix>``."""
    candidates = [sam_id for sam_id in sam_ids if logical_id.startswith(sam_id)]
    if candidates:
        return max(candidates, key=len)
    return ""


def _replace_local_uris(document: dict[str, Any]) -> None:
    resources = document.get("Resources")
    if not isinstance(resources, dict):
        return
    globals_ = document.get("Globals")
    function_globals = globals_.get("Function") if isinstance(globals_, dict) else None
    if isinstance(function_globals, dict):
        uri = function_globals.get("CodeUri")
        if isinstance(uri, str) and not uri.startswith("s3://"):
            function_globals["CodeUri"] = _PLACEHOLDER_BUCKET
    global_code = isinstance(function_globals, dict) and any(
        key in function_globals for key in ("CodeUri", "InlineCode", "ImageUri"))
    for body in resources.values():
        if not isinstance(body, dict):
            continue
        kind = body.get("Type")
        if kind == "AWS::Serverless::Function" and "Properties" not in body:
            body["Properties"] = {}
        properties = body.get("Properties")
        if not isinstance(properties, dict) or not isinstance(kind, str):
            continue
        for name in _LOCAL_URI_PROPERTIES.get(kind, ()):
            uri = properties.get(name)
            if isinstance(uri, str) and not uri.startswith("s3://"):
                properties[name] = _PLACEHOLDER_BUCKET
        if kind == "AWS::Serverless::Function" and not global_code and not any(
                key in properties for key in ("CodeUri", "InlineCode", "ImageUri")):
            properties["CodeUri"] = _PLACEHOLDER_BUCKET


def prepare() -> None:
    """Import the SAM translator and build what every translation shares (the boto3 session,
    the policy-template plugin) now, so that worker processes forked afterwards start with them
    instead of each paying for them (about 0.8 s)."""
    import samtranslator.translator.translator  # noqa: F401

    _session()
    _validate_policy_templates_once()


def mentions_sam(data: bytes) -> bool:
    """Whether a template's bytes may hold a SAM transform (a quick look, not a decision: the
    decoded template decides)."""
    return b"AWS::Serverless" in data
