"""SARIF 2.1.0 for GitHub code scanning (and any SARIF viewer).

One run. ``tool.driver.rules`` holds every rule that ran plus the reserved tool rules that were
used, each with its documentation as ``help`` (text and markdown), ``helpUri``, its level and the
``security-severity`` GitHub ranks alerts by. Each result names its rule by id and index, points
at a repository-relative URI under ``%SRCROOT%`` with a full region, carries the resource address
as its logical location, the chain of related locations, a ``partialFingerprints`` key
(``iaclint/v1``) that is the finding's own fingerprint (stable across unrelated edits and line
moves), and ``suppressions`` for suppressed findings (``inSource`` for comments and metadata,
``external`` for a baseline), and ``fixes`` when ``--fix`` can fix it (the edits as
``artifactChanges``). Tool errors are results too, and are repeated as
``toolExecutionNotifications`` of the invocation.
"""

from __future__ import annotations

import functools
import re
import string
from collections.abc import Sequence
from typing import Any

import linter
from linter.fingerprint import fingerprint_of
from linter.model import Finding, Fix, Related, Span
from linter.report.catalog import PROJECT_URI, RuleInfo, catalog
from linter.report.locations import Base, SourceFiles, end_column, find_base
from linter.report.provenance import provenance
from linter.report.redact import redact_tree, secrets_of_result
from linter.report.serialize import indented_json
from linter.report.unknowns import with_unknowns
from linter.result import ScanResult
from linter.rule import FILE_DOES_NOT_PARSE, RULE_RAISED

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "iaclint/v1"
DEFAULT_MESSAGE = "default"
PLAIN_MESSAGE = "plain"
CONTEXT_LINES = 2
NOTIFIED = frozenset({FILE_DOES_NOT_PARSE.id, RULE_RAISED.id})  # repeated as notifications


def render(result: ScanResult, *, color: bool = False, show_unknown: bool = False) -> str:
    return indented_json(log(result, show_unknown=show_unknown))


def log(result: ScanResult, *, show_unknown: bool = False) -> dict[str, Any]:
    """The SARIF log as a JSON-ready dict (redacted)."""
    findings = with_unknowns(result.findings, result.unknown_verdicts, result.rules, show_unknown)
    rules = catalog(result.rules, findings)
    index = {rule_id: i for i, rule_id in enumerate(rules)}
    base = find_base(result.root)
    sources = SourceFiles(result.root)
    results = [result_json(f, rules[f.rule_id], index[f.rule_id], base, sources)
               for f in findings]
    notifications = [notification_json(f, index[f.rule_id], base, sources)
                     for f in findings if f.rule_id in NOTIFIED and f.suppression is None]
    run: dict[str, Any] = {
        "tool": {"driver": driver_json(list(rules.values()))},
        "invocations": [{
            "executionSuccessful": True,
            "toolExecutionNotifications": notifications,
        }],
        "originalUriBaseIds": {
            SRCROOT: {
                "uri": base.directory_uri,
                "description": {"text": "The root of the repository (or of the scan)."},
            },
        },
        "results": results,
        "columnKind": "unicodeCodePoints",
    }
    origin = provenance(base.directory)
    if origin is not None:
        details: dict[str, Any] = {"repositoryUri": origin.repository_uri}
        if origin.revision:
            details["revisionId"] = origin.revision
        if origin.branch:
            details["branch"] = origin.branch
        details["mappedTo"] = {"uriBaseId": SRCROOT}
        run["versionControlProvenance"] = [details]
    if not notifications:
        del run["invocations"][0]["toolExecutionNotifications"]
    doc = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    redacted: dict[str, Any] = redact_tree(doc, secrets_of_result(result))
    return redacted


# ---- rules -----------------------------------------------------------------------------------


def driver_json(rules: Sequence[RuleInfo]) -> dict[str, Any]:
    return {
        "name": "iaclint",
        "fullName": f"iaclint {linter.__version__}",
        "version": linter.__version__,
        "semanticVersion": linter.__version__,
        "informationUri": PROJECT_URI,
        "rules": [rule_json(rule) for rule in rules],
    }


def rule_json(rule: RuleInfo) -> dict[str, Any]:
    properties: dict[str, Any] = {"category": rule.category}
    if rule.is_tool:
        properties["tags"] = ["iaclint-tool"]
    else:
        properties["tags"] = rule_tags(rule)
        properties["precision"] = rule.precision
        if rule.compliance:
            properties["compliance"] = [control.key for control in rule.compliance]
        if rule.equivalents:
            properties["equivalents"] = {
                tool: [e.id for e in rule.equivalents if e.tool == tool]
                for tool in dict.fromkeys(e.tool for e in rule.equivalents)
            }
        if rule.security_severity:
            properties["security-severity"] = rule.security_severity
    return {
        "id": rule.id,
        "name": pascal_case(rule.name),
        "shortDescription": {"text": sentence(rule.title)},
        "fullDescription": {"text": sentence(full_description(rule))},
        "help": {"text": help_text(rule), "markdown": help_markdown(rule)},
        "helpUri": rule.help_uri,
        "messageStrings": message_strings(rule),
        "defaultConfiguration": {"level": rule.severity.value},
        "properties": properties,
    }


MAX_TAGS = 20  # GitHub rejects a rule with more tags (and keeps the first 10)


def rule_tags(rule: RuleInfo) -> list[str]:
    """``security``, the category, the compliance controls (``external/aws-fsbp/ec2.8``), the
    rule's own tags, then the equivalent checks of other scanners
    (``external/checkov/ckv_aws_79``): lower case, ``/`` for hierarchy (CodeQL's convention), at
    most ``MAX_TAGS``, the ones users filter by first."""
    compliance = [f"external/{c.framework}/{c.control}".lower() for c in rule.compliance]
    peers = [f"external/{e.tool}/{e.id}".lower() for e in rule.equivalents]
    tags = _unique(["security", rule.category, *compliance, *rule.tags, *peers])
    return tags[:MAX_TAGS]


def pascal_case(name: str) -> str:
    """SARIF's friendly rule name: ``imds-v1-allowed`` → ``ImdsV1Allowed``."""
    words: list[str] = []
    for word in re.split(r"[^0-9A-Za-z]+", name):
        if not word:
            continue
        if word[0].isdigit() and words:
            words[-1] += word.lower()
        else:
            words.append(word[:1].upper() + word[1:].lower())
    return "".join(words) or "Rule"


def full_description(rule: RuleInfo) -> str:
    parts = [rule.docs.what.strip(), rule.docs.why.strip()]
    return " ".join(" ".join(p.split()) for p in parts if p) or rule.title


def help_text(rule: RuleInfo) -> str:
    docs = rule.docs
    sections = [f"{rule.title} ({rule.id} {rule.name})."]
    for heading, body in (("What it does", docs.what), ("Why it is bad", docs.why),
                          ("Use instead", docs.fix)):
        if body.strip():
            sections.append(f"{heading}:\n{body.strip()}")
    for heading, snippet in _snippets(rule):
        sections.append(f"{heading}:\n{snippet}")
    if docs.references:
        sections.append("References:\n" + "\n".join(f"- {ref}" for ref in docs.references))
    sections.append(f"Documentation: {rule.help_uri}")
    return "\n\n".join(sections)


def help_markdown(rule: RuleInfo) -> str:
    docs = rule.docs
    sections = [f"**{rule.title}** (`{rule.id}` `{rule.name}`)"]
    for heading, body in (("What it does", docs.what), ("Why is this bad?", docs.why)):
        if body.strip():
            sections.append(f"#### {heading}\n{body.strip()}")
    for fmt, snippet in sorted(docs.example.items()):
        if snippet.strip():
            sections.append(f"#### Example ({_FORMAT_TITLES.get(fmt, fmt)})\n"
                            f"{_fence(snippet, _FENCE_LANGUAGES.get(fmt, ''))}")
    if docs.fix.strip():
        sections.append(f"#### Use instead\n{docs.fix.strip()}")
    remediation = [f"**{heading}**\n\n{_fence(snippet, language)}"
                   for (heading, snippet), language in zip(
                       _snippets(rule), _snippet_languages(rule), strict=True)]
    if remediation:
        sections.append("#### Remediation\n" + "\n\n".join(remediation))
    if docs.references:
        sections.append("#### References\n" + "\n".join(f"- <{ref}>" for ref in docs.references))
    sections.append(f"[Rule documentation]({rule.help_uri})")
    return "\n\n".join(sections)


_FORMAT_TITLES = {"terraform": "Terraform", "cloudformation": "CloudFormation"}
_FENCE_LANGUAGES = {"terraform": "hcl", "cloudformation": "yaml"}


def _snippets(rule: RuleInfo) -> list[tuple[str, str]]:
    fix = rule.remediation
    pairs = [("Terraform", fix.terraform), ("CloudFormation", fix.cloudformation),
             ("AWS CLI (resources already deployed)", fix.cli)]
    return [(heading, snippet.strip("\n")) for heading, snippet in pairs if snippet.strip()]


def _snippet_languages(rule: RuleInfo) -> list[str]:
    fix = rule.remediation
    pairs = [("hcl", fix.terraform), ("yaml", fix.cloudformation), ("shell", fix.cli)]
    return [language for language, snippet in pairs if snippet.strip()]


def _fence(snippet: str, language: str) -> str:
    ticks = "```"
    while ticks in snippet:
        ticks += "`"
    return f"{ticks}{language}\n{snippet.strip(chr(10))}\n{ticks}"


# ---- results ---------------------------------------------------------------------------------


def result_json(finding: Finding, rule: RuleInfo, rule_index: int, base: Base,
                sources: SourceFiles) -> dict[str, Any]:
    location = location_json(finding.span, finding.address, base, sources, finding.root)
    add_excerpt(location["physicalLocation"], finding.span, sources)
    out: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "ruleIndex": rule_index,
        "level": finding.severity.value,
        "message": message_json(finding, rule),
        "locations": [location],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint_of(finding)},
    }
    if finding.related:
        out["relatedLocations"] = [
            related_json(i, related, base, sources)
            for i, related in enumerate(finding.related, start=1)
        ]
    if finding.suppression is not None:
        suppression: dict[str, Any] = {
            "kind": "external" if finding.suppression.kind == "external" else "inSource",
            "status": "accepted",
        }
        if finding.suppression.justification:
            suppression["justification"] = finding.suppression.justification
        if finding.suppression.expires:
            suppression["properties"] = {"expires": finding.suppression.expires}
        out["suppressions"] = [suppression]
    if finding.resource_type:
        out["properties"] = {"resourceType": finding.resource_type}
    if finding.fix is not None and finding.fix.applicable:
        out["fixes"] = [fix_json(finding.fix, base)]
    return out


def fix_json(fix: Fix, base: Base) -> dict[str, Any]:
    """SARIF ``fix``: one ``artifactChange`` per file, its replacements in order, each region
    against the unmodified file (zero width for an insertion)."""
    changes: dict[str, list[dict[str, Any]]] = {}
    for edit in fix.edits:
        span = edit.span
        changes.setdefault(span.file, []).append({
            "deletedRegion": {"startLine": span.start_line, "startColumn": span.start_col,
                              "endLine": span.end_line, "endColumn": span.end_col},
            "insertedContent": {"text": edit.text},
        })
    return {
        "description": {"text": sentence(fix.description)},
        "artifactChanges": [
            {"artifactLocation": {"uri": base.uri(file), "uriBaseId": SRCROOT},
             "replacements": replacements}
            for file, replacements in changes.items()
        ],
    }


def message_json(finding: Finding, rule: RuleInfo) -> dict[str, Any]:
    """The message text, plus the rule's message string and its arguments."""
    text = result_message(finding)
    template = message_template(rule)
    if template is not None:
        arguments = [_argument(finding, name) for name in template[1]]
        if all(a is not None for a in arguments):
            return {"text": text, "id": DEFAULT_MESSAGE, "arguments": arguments}
    return {"text": text, "id": PLAIN_MESSAGE, "arguments": [text.removesuffix(".")]}


def _argument(finding: Finding, name: str) -> str | None:
    if name == "address":
        return finding.address or None
    if name == "type":
        return finding.resource_type or None
    value = finding.properties.get(name)
    if value is None or isinstance(value, (dict, list, tuple)):
        return None
    return str(value)


def message_template(rule: RuleInfo) -> tuple[str, list[str]] | None:
    """The rule's message template in SARIF form (``'{0}' allows IMDSv1.``) and its fields."""
    if not rule.message:
        return None
    template = _template_of(rule.message)
    return None if template is None else (template[0], list(template[1]))


@functools.lru_cache(maxsize=1024)
def _template_of(message: str) -> tuple[str, tuple[str, ...]] | None:
    """``message_template`` of one message text (once per rule, not once per finding)."""
    names: list[str] = []
    parts: list[str] = []
    try:
        parsed = list(string.Formatter().parse(message))
    except ValueError:
        return None
    for literal, field_name, _, _ in parsed:
        parts.append(literal.replace("{", "{{").replace("}", "}}"))
        if field_name is None:
            continue
        if not field_name.isidentifier():
            return None
        if field_name not in names:
            names.append(field_name)
        parts.append(f"'{{{names.index(field_name)}}}'")
    return sentence("".join(parts).replace("''{", "'{").replace("}''", "}'")), tuple(names)


def message_strings(rule: RuleInfo) -> dict[str, Any]:
    strings: dict[str, Any] = {PLAIN_MESSAGE: {"text": "'{0}'."}}
    template = message_template(rule)
    if template is not None and template[1]:
        strings[DEFAULT_MESSAGE] = {"text": template[0]}
    return strings


def add_excerpt(physical: dict[str, Any], span: Span, sources: SourceFiles) -> None:
    """The source of the region and of a few lines around it (``snippet``, ``contextRegion``)."""
    lines = sources.lines(span.file)
    if lines is None or not 1 <= span.start_line <= span.end_line <= len(lines):
        return
    end = end_column(span, sources) or len(lines[span.end_line - 1]) + 1
    chosen = lines[span.start_line - 1:span.end_line]
    chosen[-1] = chosen[-1][:end - 1]
    chosen[0] = chosen[0][span.start_col - 1:] if span.start_line < span.end_line else (
        chosen[0][span.start_col - 1:end - 1])
    physical["region"]["snippet"] = {"text": "\n".join(chosen)}
    first = max(span.start_line - CONTEXT_LINES, 1)
    last = min(span.end_line + CONTEXT_LINES, len(lines))
    physical["contextRegion"] = {
        "startLine": first,
        "endLine": last,
        "snippet": {"text": "\n".join(lines[first - 1:last])},
    }


def result_message(finding: Finding) -> str:
    text = finding.message.strip() or finding.rule_name
    if finding.address and finding.address not in text:
        text = f"{finding.address}: {text}"
    return sentence(text)


def sentence(text: str) -> str:
    text = " ".join(text.split())
    return text if text.endswith((".", "!", "?")) else text + "."


def region_json(span: Span, sources: SourceFiles) -> dict[str, Any]:
    region: dict[str, Any] = {
        "startLine": span.start_line,
        "startColumn": span.start_col,
        "endLine": span.end_line,
    }
    end = end_column(span, sources)
    if end is not None:
        region["endColumn"] = end
    return region


def location_json(span: Span, address: str, base: Base, sources: SourceFiles,
                  root: str = "") -> dict[str, Any]:
    location: dict[str, Any] = {
        "physicalLocation": {
            "artifactLocation": {"uri": base.uri(span.file), "uriBaseId": SRCROOT},
            "region": region_json(span, sources),
        },
    }
    if address:
        location["logicalLocations"] = [{
            "name": address.rsplit(".", 1)[-1] if "." in address else address,
            "fullyQualifiedName": address,
            "kind": "resource",
        }]
        if root:  # the root module or template the address is unique in
            name = base.path(root) if root != "." else (base.prefix.rstrip("/") or ".")
            location["logicalLocations"].append(
                {"name": name, "fullyQualifiedName": name, "kind": "module"})
    return location


def related_json(number: int, related: Related, base: Base,
                 sources: SourceFiles) -> dict[str, Any]:
    location = location_json(related.span, related.address, base, sources)
    return {"id": number, **location, "message": {"text": sentence(related.message)}}


def notification_json(finding: Finding, rule_index: int, base: Base,
                      sources: SourceFiles) -> dict[str, Any]:
    return {
        "level": finding.severity.value,
        "message": {"text": result_message(finding)},
        "locations": [location_json(finding.span, finding.address, base, sources,
                                    finding.root)],
        "associatedRule": {"id": finding.rule_id, "index": rule_index},
    }


def _unique(items: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(i for i in items if i))
