"""JUnit XML for test dashboards: one test suite per rule, one test case per rule and resource.

A rule's test cases are the resources it was evaluated on (the resources of ``ScanResult.resources``
of the rule's types) plus every resource it reported on: a finding is a ``<failure>`` (several
findings on one resource are listed in the same failure), a suppressed finding or an unknown
verdict is
``<skipped>`` with the reason, anything else passes. Findings about the scan itself (reserved
``IAC0…`` ids) are test cases of their own suites, as ``<error>`` when their severity is error.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import field

from linter.model import Finding, Resource, Severity, UnknownVerdict
from linter.records import mutable
from linter.regex import lazy
from linter.report.catalog import RuleInfo, catalog
from linter.report.locations import qualified
from linter.report.redact import redact, secrets_of_result
from linter.report.unknowns import describe_unknown
from linter.result import ScanResult
from linter.rule import Rule

_NOT_XML = lazy("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@mutable
class _Case:
    name: str  # resource address, or file for a file-level finding
    file: str = ""
    line: int = 0
    failures: list[Finding] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def render(result: ScanResult, *, color: bool = False, show_unknown: bool = False) -> str:
    secrets = secrets_of_result(result)

    def clean(text: str) -> str:
        return _NOT_XML.sub("\ufffd", redact(text, secrets))

    rules = catalog(result.rules, result.findings)
    cases = _cases(result, rules)
    root = ET.Element("testsuites", name="iaclint", time=f"{result.duration:.3f}")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for rule_id, info in rules.items():
        suite_cases = cases.get(rule_id, {})
        if not suite_cases and info.is_tool:
            continue
        suite = ET.SubElement(root, "testsuite", name=clean(f"{info.id} {info.name}"))
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        for case in sorted(suite_cases.values(), key=lambda c: (c.file, c.line, c.name)):
            element = ET.SubElement(suite, "testcase", name=clean(case.name),
                                    classname=clean(f"{info.id}.{info.name}"), time="0")
            if case.file:
                element.set("file", clean(case.file))
                element.set("line", str(case.line))
            counts["tests"] += 1
            if case.failures:
                kind = "error" if info.is_tool and any(
                    f.severity is Severity.ERROR for f in case.failures) else "failure"
                counts["errors" if kind == "error" else "failures"] += 1
                first = case.failures[0]
                child = ET.SubElement(element, kind, message=clean(first.message),
                                      type=first.severity.value)
                child.text = clean("\n".join(
                    f"{f.span}: {f.rule_id} [{f.severity.value}] {f.message}"
                    + "".join(f"\n  = note: {r.span.file}:{r.span.start_line}: {r.message}"
                              for r in f.related)
                    for f in case.failures))
            elif case.skipped:
                counts["skipped"] += 1
                ET.SubElement(element, "skipped", message=clean("; ".join(case.skipped)))
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
    for key, value in totals.items():
        root.set(key, str(value))
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def _cases(result: ScanResult, rules: dict[str, RuleInfo]) -> dict[str, dict[str, _Case]]:
    """Rule id → case name → case."""
    out: dict[str, dict[str, _Case]] = defaultdict(dict)

    def case(rule_id: str, name: str, file: str, line: int) -> _Case:
        found = out[rule_id].get(name)
        if found is None:
            found = out[rule_id][name] = _Case(name, file, line)
        return found

    resources = result.resources
    for rule in result.rules:
        for resource in resources:
            if applies(rule, resource):
                case(rule.id, qualified(resource.unit, resource.address), resource.file,
                     resource.header.start_line)
    for finding in result.findings:
        target = case(finding.rule_id, qualified(finding.root, finding.address)
                      or finding.span.file, finding.span.file, finding.span.start_line)
        if finding.suppression is not None:
            why = finding.suppression.justification or "no reason given"
            target.skipped.append(f"suppressed ({finding.suppression.kind}): {why}")
        else:
            target.failures.append(finding)
    for verdict in result.unknown_verdicts:
        if verdict.rule_id in rules and not rules[verdict.rule_id].is_tool:
            target = case(verdict.rule_id, qualified(verdict.root, verdict.address)
                          or verdict.span.file, verdict.span.file, verdict.span.start_line)
            target.skipped.append(_unknown_reason(verdict))
    return out


def applies(rule: Rule, resource: Resource) -> bool:
    """Whether the engine evaluates ``rule`` on ``resource`` (its format's match names the type)."""
    block = rule.match.get(resource.format)
    return block is not None and resource.type in block.types


def _unknown_reason(verdict: UnknownVerdict) -> str:
    expressions = ", ".join(describe_unknown(u) for u in verdict.unknowns) or "a value"
    return f"unknown: {expressions} cannot be evaluated"

