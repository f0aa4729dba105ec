"""Inline suppressions, with governance.

Syntax, the same in HCL (``#`` or ``//``) and YAML comments::

    # iaclint:ignore IAC0101[,imds-hop-limit-too-high] reason="legacy AMI" expires=2027-01-31

A suppression applies to findings of the named rules (id, name or alias) on its own line, on
the line below it, or — written on (or just above) a resource header — to the whole resource.
CloudFormation resources can also say it in ``Metadata`` (works in JSON templates)::

    Metadata:
      iaclint:
        ignore:
          - {id: IAC0101, reason: "legacy AMI", expires: 2027-01-31}

Suppressed findings are kept (``Finding.suppression``), never dropped. An expired suppression
stops suppressing and says so (IAC0005); one that matches nothing is a finding (IAC0003); one
without a reason is a finding under ``require-reason`` (IAC0005). ``--no-inline-suppressions``
ignores them all, and a rule with ``suppressible: false`` cannot be suppressed.

Suppressions written for other scanners (Checkov, tfsec, Trivy comments; Checkov and cfn_nag
CloudFormation metadata; found by ``linter.engine.peers`` where each scanner looks for them)
suppress the iaclint rules whose ``equivalents`` name the ids they skip, with their reason when
they give one; ``--no-peer-suppressions`` (``suppressions: {peers: false}``) turns this off. One
that names no mapped check is left alone: it is meant for the other scanner.
"""

from __future__ import annotations

import datetime
import fnmatch
import pathlib
from collections.abc import Iterable, Mapping, Sequence

from linter.discover.read import Refused, read_confined
from linter.engine import peers
from linter.fingerprint import file_fingerprint
from linter.model import Finding, Format, Resource, Span, Suppression
from linter.options import Budgets, ScanOptions
from linter.records import record, replace
from linter.regex import lazy
from linter.rule import (
    RESERVED,
    SUPPRESSION_PROBLEM,
    UNUSED_SUPPRESSION,
    ReservedRule,
    Rule,
    tool_finding,
)

COMMENT = lazy(r"(?:#|//|/\*)\s*iaclint:ignore\b(?P<body>[^\n]*)")
RULES = lazy(r"^\s*(?P<rules>[A-Za-z0-9_\-]+(?:\s*,\s*[A-Za-z0-9_\-]+)*)")
ATTR = lazy(
    r"""(?P<key>reason|expires)\s*=\s*(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>\S+))"""
)


@record
class InlineSuppression:
    rules: tuple[str, ...]
    reason: str
    expires: str
    span: Span  # where the suppression is written
    applies_to: tuple[int, ...]  # lines whose findings it covers
    whole_resource: str = ""  # address when written on a resource header
    problem: str = ""  # a malformed suppression (bad date)
    peer: str = ""  # as written for another scanner (checkov:skip=CKV_AWS_79); "" for iaclint's
    module: str = ""  # a module call whose resources it covers (Trivy/tfsec above a module block)

    @property
    def justification(self) -> str:
        if not self.peer:
            return self.reason
        return f"{self.reason} ({self.peer})" if self.reason else self.peer


def parse_comment(line_text: str) -> tuple[tuple[str, ...], str, str, str] | None:
    """``(rules, reason, expires, problem)`` of an ``iaclint:ignore`` comment on this line."""
    match = COMMENT.search(line_text)
    if match is None:
        return None
    body = match.group("body").rstrip().removesuffix("*/")
    rules_match = RULES.match(body)
    if rules_match is None:
        return (), "", "", "names no rule"
    rules = tuple(r.strip() for r in rules_match.group("rules").split(",") if r.strip())
    reason = expires = problem = ""
    for attr in ATTR.finditer(body[rules_match.end() :]):
        value = attr.group("dq") or attr.group("sq") or attr.group("bare") or ""
        if attr.group("key") == "reason":
            reason = value.strip()
        else:
            expires = value.strip()
    if expires:
        try:
            datetime.date.fromisoformat(expires)
        except ValueError:
            problem = f"expires={expires!r} is not a date (YYYY-MM-DD)"
    return rules, reason, expires, problem


def read_texts(root: pathlib.Path, files: Iterable[str], wanted: Sequence[str],
               max_bytes: int = Budgets().file_bytes) -> dict[str, str]:
    """The text of each file holding one of the ``wanted`` strings, read through
    ``linter.discover.read``: only regular files inside the root, of at most ``max_bytes`` (a
    file that is not read, or not UTF-8, has no suppressions)."""
    texts: dict[str, str] = {}
    for rel in sorted(set(files)):
        data = read_confined(root, rel, max_bytes)
        if isinstance(data, Refused):
            continue
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            continue
        if any(token in text for token in wanted):
            texts[rel] = text
    return texts


def inline_suppressions(
    root: pathlib.Path, files: Iterable[str], headers: Mapping[tuple[str, int], str],
    texts: Mapping[str, str] | None = None,
) -> list[InlineSuppression]:
    """Every ``iaclint:ignore`` comment in ``files``. ``headers``: (file, line) → address;
    ``texts``: the files' texts when already read."""
    if texts is None:
        texts = read_texts(root, files, ("iaclint:ignore",))
    found: list[InlineSuppression] = []
    for rel, text in sorted(texts.items()):
        if "iaclint:ignore" not in text:
            continue
        lines = text.splitlines()
        for index, line in enumerate(lines, start=1):
            parsed = parse_comment(line)
            if parsed is None:
                continue
            rules, reason, expires, problem = parsed
            own_line = line.lstrip().startswith(("#", "//", "/*"))
            target = index + 1 if own_line else index
            if own_line:  # skip further comment lines to the code it annotates
                while target <= len(lines) and lines[target - 1].lstrip().startswith(("#", "//")):
                    target += 1
            applies = (index, target) if own_line else (index,)
            found.append(
                InlineSuppression(
                    rules=rules,
                    reason=reason,
                    expires=expires,
                    span=Span(rel, index, max(1, line.find("iaclint:ignore") + 1)),
                    applies_to=applies,
                    whole_resource=headers.get((rel, target), "") or headers.get((rel, index), ""),
                    problem=problem,
                )
            )
    return found


def metadata_suppressions(resources: Sequence[Resource]) -> list[InlineSuppression]:
    """CloudFormation ``Metadata: {iaclint: {ignore: [...]}}`` on resources."""
    found: list[InlineSuppression] = []
    for resource in resources:
        if resource.format is not Format.CLOUDFORMATION:
            continue
        entries = resource.get(("Metadata", "iaclint", "ignore"))
        if not isinstance(entries, list):
            continue
        for index, entry in enumerate(entries):
            span = resource.span_at(("Metadata", "iaclint", "ignore", index))
            rules = _entry_rules(entry.get("id") if isinstance(entry, dict) else None)
            if not isinstance(entry, dict) or not rules:
                found.append(
                    InlineSuppression((), "", "", span, (), resource.address,
                                      "expected {id: RULE, reason: …, expires: YYYY-MM-DD}")
                )
                continue
            expires = str(entry.get("expires", "") or "")
            problem = ""
            if expires:
                try:
                    datetime.date.fromisoformat(expires)
                except ValueError:
                    problem = f"expires={expires!r} is not a date (YYYY-MM-DD)"
            reason = entry.get("reason")
            found.append(
                InlineSuppression(
                    rules=rules,
                    reason=reason.strip() if isinstance(reason, str) else "",
                    expires=expires,
                    span=span,
                    applies_to=(),
                    whole_resource=resource.address,
                    problem=problem,
                )
            )
    return found


def _entry_rules(value: object) -> tuple[str, ...]:
    """``id: IAC0101``, ``id: "IAC0101,IAC0102"`` or ``id: [IAC0101, IAC0102]``."""
    items = value if isinstance(value, list) else [value]
    out: list[str] = []
    for item in items:
        if not isinstance(item, str):
            return ()
        out.extend(r.strip() for r in item.split(",") if r.strip())
    return tuple(out)


def on_whole_resource(sup: InlineSuppression, finding: Finding,
                      by_address: Mapping[tuple[str, str], Resource]) -> bool:
    """A suppression on a resource's header (or in its CloudFormation metadata) covers every
    finding of that resource block: of each instance, in each root that uses the block."""
    if not sup.whole_resource:
        return False
    if not sup.applies_to:  # metadata of the resource itself
        return sup.whole_resource == finding.address and sup.span.file == finding.span.file
    resource = by_address.get((finding.root, finding.address))
    if resource is None:
        return sup.whole_resource == finding.address
    header = resource.header
    return header.file == sup.span.file and header.start_line in sup.applies_to


def on_module(sup: InlineSuppression, finding: Finding,
              by_address: Mapping[tuple[str, str], Resource]) -> bool:
    """A suppression above a ``module`` block covers the resources of that module call."""
    if not sup.module or not finding.address.startswith(sup.module + "."):
        return False
    call = by_address.get((finding.root, sup.module))
    return (call is not None and call.header.file == sup.span.file
            and call.header.start_line in sup.applies_to)


def on_block(sup: InlineSuppression, finding: Finding,
             by_address: Mapping[tuple[str, str], Resource]) -> bool:
    """A suppression on (or just above) a nested block's header covers the whole block."""
    resource = by_address.get((finding.root, finding.address))
    if resource is None or sup.span.file != finding.span.file or not sup.applies_to:
        return False
    return any(
        span.file == finding.span.file
        and span.start_line in sup.applies_to
        and span.start_line < span.end_line  # a block, not a one-line attribute
        and span.start_line <= finding.span.start_line <= span.end_line
        for path, span in resource.spans.items()
        if path
    )


def _names(finding: Finding, rules_by_id: Mapping[str, Rule]) -> set[str]:
    names = {finding.rule_id, finding.rule_name}
    rule = rules_by_id.get(finding.rule_id)
    if rule is not None:
        names.update(rule.aliases)
    return names


def apply_inline(
    root: pathlib.Path,
    findings: Sequence[Finding],
    resources: Sequence[Resource],
    rules: Sequence[Rule],
    options: ScanOptions,
) -> list[Finding]:
    """Mark suppressed findings; add findings for expired, unused and reason-less suppressions."""
    if not options.inline_suppressions:
        return list(findings)
    headers = {(r.file, r.header.start_line): r.address for r in resources}
    by_address = {(r.unit, r.address): r for r in resources}
    # a header comment may sit on the line just above the resource header as well
    files = {f.span.file for f in findings} | {r.file for r in resources}
    tokens = ("iaclint:ignore", *(peers.TOKENS if options.peer_suppressions else ()))
    texts = read_texts(root, files, tokens,
                       max(options.budgets.file_bytes, options.budgets.template_bytes))
    suppressions = [*inline_suppressions(root, files, headers, texts),
                    *metadata_suppressions(resources)]
    if options.peer_suppressions:
        suppressions += peer_suppressions(peers.all_suppressions(texts, resources), rules)
    if not suppressions:
        return list(findings)
    today = options.today or datetime.date.today().isoformat()
    rules_by_id = {r.id: r for r in rules}
    used: set[int] = set()
    out: list[Finding] = []
    extra: list[Finding] = []
    for finding in findings:
        names = _names(finding, rules_by_id)
        suppression: Suppression | None = None
        for index, sup in enumerate(suppressions):
            if not names.intersection(sup.rules):
                continue
            on_line = sup.span.file == finding.span.file and (
                finding.span.start_line in sup.applies_to
            )
            on_resource = on_whole_resource(sup, finding, by_address)
            if not (on_line or on_resource or on_block(sup, finding, by_address)
                    or on_module(sup, finding, by_address)):
                continue
            used.add(index)
            if sup.problem:
                continue
            if sup.expires and sup.expires < today:
                continue
            rule = rules_by_id.get(finding.rule_id)
            if rule is not None and not rule.suppressible:
                continue
            if finding.rule_id in RESERVED and finding.rule_id in ("IAC0003", "IAC0005"):
                continue
            if options.require_reason and not sup.reason:
                continue
            suppression = Suppression("inSource", sup.justification, sup.expires)
            break
        out.append(
            replace(finding, suppression=suppression) if suppression else finding
        )
    known = _known_names(rules)
    ran = _names_that_ran(rules, options)
    for index, sup in enumerate(suppressions):
        if not sup.peer:  # another scanner's comment may well match nothing of ours
            extra.extend(_problems(sup, index in used, today, known, ran, rules, options))
    return [*out, *extra]


# peer tool of a suppression → the tool whose equivalents it names (Trivy reads tfsec's too)
PEER_EQUIVALENTS = {"checkov": "checkov", "tfsec": "trivy", "trivy": "trivy",
                    "cfn_nag": "cfn-nag"}


def peer_rules(tool: str, written: str, rules: Sequence[Rule]) -> tuple[str, ...]:
    """The iaclint rules whose equivalents for ``tool`` answer to ``written`` (an id, long id or
    alias, case-insensitive; Trivy and tfsec ids may hold ``*`` wildcards)."""
    kind = PEER_EQUIVALENTS.get(tool, tool)
    pattern = written.casefold()
    wildcard = kind == "trivy" and "*" in pattern
    out: list[str] = []
    for rule in rules:
        for equivalent in rule.equivalents:
            if equivalent.tool != kind:
                continue
            names = [name.casefold() for name in equivalent.ids]
            if any(fnmatch.fnmatchcase(n, pattern) if wildcard else n == pattern for n in names):
                out.append(rule.id)
                break
    return tuple(out)


def peer_suppressions(found: Sequence[peers.PeerSuppression], rules: Sequence[Rule]
                      ) -> list[InlineSuppression]:
    """Peer suppressions as iaclint's own, naming the rules they map to (one per resource they
    cover whole); those that map to no rule are dropped."""
    out: list[InlineSuppression] = []
    for sup in found:
        mapped = tuple(dict.fromkeys(
            rule for written in sup.ids for rule in peer_rules(sup.tool, written, rules)))
        if not mapped:
            continue
        problem = ""
        if sup.expires:
            try:
                datetime.date.fromisoformat(sup.expires)
            except ValueError:  # Trivy never applies an ignore whose date it cannot read
                problem = f"exp:{sup.expires} is not a date (YYYY-MM-DD)"
        scopes = [(address, "") for address in sup.resources]
        scopes += [("", module) for module in sup.modules]
        for address, module in scopes or [("", "")]:
            out.append(InlineSuppression(
                rules=mapped, reason=sup.reason, expires=sup.expires, span=sup.span,
                applies_to=sup.applies_to, whole_resource=address, problem=problem,
                peer=sup.text, module=module,
            ))
    return out


def _known_names(rules: Sequence[Rule]) -> set[str]:
    names = {key for r in RESERVED.values() for key in (r.id, r.name)}
    for rule in rules:
        names.update((rule.id, rule.name, *rule.aliases))
    return names


def _names_that_ran(rules: Sequence[Rule], options: ScanOptions) -> set[str]:
    from linter.engine.evaluate import rule_selected

    names = {key for r in RESERVED.values() for key in (r.id, r.name)}
    for rule in rules:
        if rule_selected(rule, options):
            names.update((rule.id, rule.name, *rule.aliases))
    return names


def _finding(rule: ReservedRule, message: str, sup: InlineSuppression) -> Finding:
    found = tool_finding(rule, message, sup.span, sup.whole_resource)
    key = f"{','.join(sup.rules)}\0{message}"
    return replace(found, fingerprint=file_fingerprint(rule.id, sup.span.file, key))


def _problems(
    sup: InlineSuppression,
    used: bool,
    today: str,
    known: set[str],
    ran: set[str],
    rules: Sequence[Rule],
    options: ScanOptions,
) -> list[Finding]:
    """The findings about one suppression: malformed, not allowed, unused, expired, no reason."""
    label = ",".join(sup.rules)
    if sup.problem:
        what = f"suppression of {label}" if label else "suppression"
        return [_finding(SUPPRESSION_PROBLEM, f"{what} is malformed: {sup.problem}", sup)]
    out: list[Finding] = []
    unsuppressible = [
        r for r in sup.rules
        if any(r in (x.id, x.name, *x.aliases) for x in rules if not x.suppressible)
    ]
    if unsuppressible:
        out.append(_finding(
            SUPPRESSION_PROBLEM,
            f"rule {', '.join(unsuppressible)} cannot be suppressed (suppressible: false); "
            "the finding is reported",
            sup,
        ))
    if not used:
        unknown = [r for r in sup.rules if r not in known]
        if unknown:
            out.append(_finding(
                UNUSED_SUPPRESSION,
                f"suppression names {', '.join(unknown)}, which is no rule id or name "
                "(`iaclint rules` lists them)",
                sup,
            ))
        elif any(r in ran for r in sup.rules):  # a rule left out by --select cannot be judged
            out.append(_finding(
                UNUSED_SUPPRESSION, f"suppression of {label} matches no finding; remove it", sup
            ))
        return out
    if sup.expires and sup.expires < today:
        out.append(_finding(
            SUPPRESSION_PROBLEM,
            f"suppression of {label} expired on {sup.expires}; the finding is reported again",
            sup,
        ))
    if options.require_reason and not sup.reason:
        out.append(_finding(
            SUPPRESSION_PROBLEM,
            f'suppression of {label} has no reason="…" (the configuration requires one); '
            "the finding is reported",
            sup,
        ))
    return out
