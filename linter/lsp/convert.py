"""Findings as LSP diagnostics: ranges in the client's units, severity, code and its doc page,
the evidence chain as related information, secrets redacted.

iaclint's spans are 1-based lines and columns counted in characters (code points), the end
column exclusive (0: to the end of the line). The protocol counts 0-based lines and columns in
the encoding agreed at initialization (UTF-16 by default), so a column is converted with the text
of its line: ``Texts`` gives each file's lines as the scan read them (the editor's buffer, else
the disk).
"""

from __future__ import annotations

import functools
import pathlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from lsprotocol import types
from pygls.uris import from_fs_path, to_fs_path
from pygls.workspace.position_codec import PositionCodec

from linter.discover.read import Refused, read_confined
from linter.model import Finding, Severity, Span
from linter.options import Budgets
from linter.report.redact import redact
from linter.rule import RESERVED, Rule

SOURCE = "iaclint"
SEVERITY = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.NOTE: types.DiagnosticSeverity.Information,
}
TOOL_DOCS = "https://github.com/iaclint/iaclint/blob/main/docs/ARCHITECTURE.md#reserved-tool-rule-ids-category-tool"
_MAX_BYTES = max(Budgets().file_bytes, Budgets().template_bytes)


class Texts:
    """The lines of the files of one scan: the buffers it read, else the files on disk."""

    def __init__(self, root: pathlib.Path, buffers: Mapping[str, bytes]) -> None:
        self.root = root
        self.buffers = buffers
        self._lines: dict[str, list[str]] = {}

    def text(self, rel: str) -> str:
        path = self.root / rel
        data = self.buffers.get(str(path))
        if data is None:  # through the safe reader: a finding may name a FIFO or /dev/zero
            read = read_confined(self.root, rel, _MAX_BYTES)
            data = b"" if isinstance(read, Refused) else read
        return data.decode("utf-8", "replace")

    def lines(self, rel: str) -> list[str]:
        if rel not in self._lines:
            self._lines[rel] = self.text(rel).splitlines()
        return self._lines[rel]


def uri_of(root: pathlib.Path, rel: str) -> str:
    return from_fs_path(str(root / rel)) or (root / rel).as_uri()


def path_of(uri: str) -> pathlib.Path | None:
    """The real path a ``file:`` URI names; None for another scheme (``untitled:``, ``git:``)
    or a name no file can have (a NUL byte): such a document is never scanned."""
    if not uri.startswith("file:"):
        return None
    fs_path = to_fs_path(uri)
    if not fs_path:
        return None
    try:
        return pathlib.Path(fs_path).resolve()
    except (OSError, ValueError):
        return None


def code_point_range(span: Span, lines: Sequence[str]) -> types.Range:
    """The span as 0-based positions counted in characters (code points)."""
    start_line = max(span.start_line - 1, 0)
    end_line = max(span.end_line - 1, start_line)
    start_char = max(span.start_col - 1, 0)
    if span.end_col > 0:
        end_char = span.end_col - 1
    else:
        end_char = len(lines[end_line]) if end_line < len(lines) else start_char
    if end_line == start_line and end_char < start_char:
        end_char = start_char
    return types.Range(types.Position(start_line, start_char), types.Position(end_line, end_char))


def to_client(rng: types.Range, lines: Sequence[str], codec: PositionCodec) -> types.Range:
    """A code-point range in the client's position encoding (only lines with characters outside
    ASCII differ)."""
    def convert(position: types.Position) -> types.Position:
        if position.line >= len(lines) or lines[position.line].isascii():
            return position
        return codec.position_to_client_units(lines, position)

    return types.Range(convert(rng.start), convert(rng.end))


def span_range(span: Span, texts: Texts, codec: PositionCodec) -> types.Range:
    lines = texts.lines(span.file)
    return to_client(code_point_range(span, lines), lines, codec)


def help_uri(rule_id: str, rules: Mapping[str, Rule]) -> str:
    """Where the rule is documented: a bundled rule's page, the YAML file of a rule of the
    user's own (its documentation is there; iaclint's site has no page for it), the reserved
    ids' section of the architecture document."""
    rule = rules.get(rule_id)
    if rule is not None:
        return (_own_rule_file(rule.source) if rule.source else None) or rule.help_uri
    return TOOL_DOCS if rule_id in RESERVED else ""


@functools.cache
def _own_rule_file(source: str) -> str | None:
    """The URI of a rule file outside the bundled rules; None for a bundled one."""
    from linter.engine.loader import bundled_rules_dir

    path = pathlib.Path(source).resolve()
    return None if path.is_relative_to(bundled_rules_dir().resolve()) else path.as_uri()


def diagnostic(finding: Finding, texts: Texts, codec: PositionCodec, rules: Mapping[str, Rule],
               secrets: Sequence[str], key: str) -> types.Diagnostic:
    """One finding as a diagnostic; ``key`` (in ``data``) finds the finding again for code
    actions."""
    href = help_uri(finding.rule_id, rules)
    message = redact(finding.message, secrets)
    if finding.address and finding.address not in message:
        message = f"{message} ({finding.address})"
    related = [
        types.DiagnosticRelatedInformation(
            location=types.Location(uri_of(texts.root, r.span.file),
                                    span_range(r.span, texts, codec)),
            message=redact(r.message, secrets) or "related location",
        )
        for r in finding.related
    ]
    data: dict[str, Any] = {"key": key, "rule": finding.rule_name}
    return types.Diagnostic(
        range=span_range(finding.span, texts, codec),
        message=message,
        severity=SEVERITY[finding.severity],
        code=finding.rule_id,
        code_description=types.CodeDescription(href=href) if href else None,
        source=SOURCE,
        related_information=related or None,
        data=data,
    )


def finding_key(finding: Finding) -> str:
    """Identifies a finding among those of one file between a publication and a code action."""
    span = finding.span
    return (f"{finding.rule_id}:{span.start_line}:{span.start_col}:{span.end_line}:"
            f"{span.end_col}:{finding.fingerprint or finding.address}")


def diagnostics_by_file(findings: Iterable[Finding], files: Iterable[str], texts: Texts,
                        codec: PositionCodec, rules: Sequence[Rule], secrets: Sequence[str]
                        ) -> dict[str, list[types.Diagnostic]]:
    """The diagnostics of every file in ``files`` (an empty list clears a file's); ``secrets``:
    those of every finding of the scan, suppressed ones included (``secrets_of``)."""
    listed = list(findings)
    by_id = {rule.id: rule for rule in rules}
    out: dict[str, list[types.Diagnostic]] = {f: [] for f in files}
    for finding in listed:
        out.setdefault(finding.span.file, []).append(
            diagnostic(finding, texts, codec, by_id, secrets, finding_key(finding)))
    return out
