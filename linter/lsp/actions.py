"""Code actions on findings: the automatic fix of each (``iaclint check --fix``'s edits), all of
a file's fixes at once, and "suppress with reason".

Fixes come from the fix stage as ``Finding.fix`` (a description and byte-exact ``Edit``s, each a
span of the unmodified file — 1-based, columns in characters, end exclusive — and its new text;
all edits of one fix go together). Here they only become a ``WorkspaceEdit``: every edit of a fix
in the client's position encoding, versioned for the documents that are open so that a client
applies nothing to a buffer that changed meanwhile. "Fix all" takes every applicable fix of the
file's findings; edits shared by two fixes (one new ``metadata_options`` block for both IMDS
findings) are written once, and a fix overlapping an earlier one waits for the next round.
"""

from __future__ import annotations

import pathlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec

from linter.model import Edit, Finding, Fix, Resource
from linter.records import mutable

from .convert import Texts, code_point_range, to_client, uri_of
from .suppression import place

FIX_ALL_KIND = f"{types.CodeActionKind.SourceFixAll.value}.iaclint"
SELECT_REASON = "iaclint.selectReason"


def fix_of(finding: Finding) -> Fix | None:
    """The applicable automatic fix of ``finding`` (planned by ``linter.fixes``), if any."""
    fix = finding.fix
    return fix if fix is not None and fix.applicable else None


@mutable
class Context:
    """What every action of one request shares."""

    root: pathlib.Path
    texts: Texts
    codec: PositionCodec
    versions: Mapping[str, int]  # root-relative path → version of the open documents
    document_changes: bool  # the client takes TextDocumentEdits (versioned)
    show_document: bool  # the client may be asked to select the reason
    inline_suppressions: bool  # the configuration honours iaclint:ignore comments
    suppressible: Callable[[str], bool]  # rule id → may it be suppressed inline
    diagnostic: Callable[[Finding], types.Diagnostic]


def wanted(kind: str, only: Sequence[str] | None) -> bool:
    """Whether a ``kind`` action answers a request limited to ``only`` kinds."""
    if not only:
        return True
    return any(kind == o or kind.startswith(f"{o}.") for o in only)


def text_edit(edit: Edit, ctx: Context) -> types.TextEdit:
    lines = ctx.texts.lines(edit.span.file)
    rng = to_client(code_point_range(edit.span, lines), lines, ctx.codec)
    return types.TextEdit(range=rng, new_text=edit.text)


def workspace_edit(edits: Iterable[Edit], ctx: Context) -> types.WorkspaceEdit:
    by_file: dict[str, list[types.TextEdit]] = {}
    for edit in edits:
        by_file.setdefault(edit.span.file, []).append(text_edit(edit, ctx))
    if not ctx.document_changes:
        return types.WorkspaceEdit(changes={uri_of(ctx.root, f): e for f, e in by_file.items()})
    changes: list[types.TextDocumentEdit | types.CreateFile | types.RenameFile
                  | types.DeleteFile] = [
        types.TextDocumentEdit(
            text_document=types.OptionalVersionedTextDocumentIdentifier(
                uri=uri_of(ctx.root, f), version=ctx.versions.get(f)),
            edits=list(e))
        for f, e in by_file.items()
    ]
    return types.WorkspaceEdit(document_changes=changes)


def fix_action(finding: Finding, fix: Fix, ctx: Context) -> types.CodeAction:
    return types.CodeAction(
        title=f"Fix {finding.rule_id}: {fix.description}",
        kind=types.CodeActionKind.QuickFix,
        diagnostics=[ctx.diagnostic(finding)],
        is_preferred=True,
        edit=workspace_edit(fix.edits, ctx),
    )


def _edit_key(edit: Edit) -> tuple[str, int, int, int, int]:
    s = edit.span
    return (s.file, s.start_line, s.start_col, s.end_line, s.end_col)


def _overlaps(a: Edit, b: Edit) -> bool:
    if a.span.file != b.span.file:
        return False
    a0, a1 = (a.span.start_line, a.span.start_col), (a.span.end_line, a.span.end_col)
    b0, b1 = (b.span.start_line, b.span.start_col), (b.span.end_line, b.span.end_col)
    if a0 == a1 and b0 == b1:  # two insertions at one point: their order is unclear
        return a0 == b0
    if a0 == a1:
        return b0 < a0 < b1
    if b0 == b1:
        return a0 < b0 < a1
    return a0 < b1 and b0 < a1


def merged_edits(fixes: Iterable[Fix]) -> tuple[list[Edit], int]:
    """The edits of ``fixes`` applied together — an edit two fixes share written once, a fix
    that clashes with one already taken left for the next round — and how many fixes apply."""
    taken: dict[tuple[str, int, int, int, int], Edit] = {}
    applied = 0
    for fix in fixes:
        fresh = [e for e in fix.edits if _edit_key(e) not in taken]
        clash = any(_edit_key(e) in taken and taken[_edit_key(e)].text != e.text
                    for e in fix.edits)
        if clash or any(_overlaps(e, t) for e in fresh for t in taken.values()):
            continue
        for edit in fresh:
            taken[_edit_key(edit)] = edit
        applied += 1
    return sorted(taken.values(), key=_edit_key), applied


def fix_all_action(findings: Sequence[Finding], ctx: Context, kind: str
                   ) -> types.CodeAction | None:
    fixable = [(f, fix) for f in findings if (fix := fix_of(f)) is not None]
    if not fixable:
        return None
    edits, applied = merged_edits(fix for _, fix in fixable)
    return types.CodeAction(
        title=f"Fix all iaclint findings in this file ({applied})",
        kind=kind,
        diagnostics=[ctx.diagnostic(f) for f, _ in fixable],
        edit=workspace_edit(edits, ctx),
    )


def header_line(finding: Finding, resources: Iterable[Resource]) -> int | None:
    """The line of the finding's resource header, when it is in the finding's file."""
    if not finding.address:
        return None
    for resource in resources:
        if (resource.address == finding.address and resource.file == finding.span.file
                and (not finding.root or resource.unit == finding.root)):
            return resource.header.start_line
    return None


def suppress_action(finding: Finding, resources: Iterable[Resource], ctx: Context
                    ) -> types.CodeAction | None:
    rel = finding.span.file
    if not ctx.inline_suppressions or not ctx.suppressible(finding.rule_id):
        return None
    placement = place(rel, ctx.texts.text(rel), finding.rule_id, finding.span.start_line,
                      header_line(finding, resources))
    if placement is None:
        return None
    at = types.Position(placement.line, 0)
    edit = types.TextEdit(range=types.Range(at, at), new_text=placement.text)
    versions = ctx.versions.get(rel)
    uri = uri_of(ctx.root, rel)
    workspace = (
        types.WorkspaceEdit(document_changes=[types.TextDocumentEdit(
            text_document=types.OptionalVersionedTextDocumentIdentifier(uri=uri,
                                                                        version=versions),
            edits=[edit])])
        if ctx.document_changes else types.WorkspaceEdit(changes={uri: [edit]}))
    scope = (f"for the whole resource {finding.address}" if placement.whole_resource
             else "on this line")
    command = None
    if ctx.show_document:  # the comment is ASCII up to the reason: columns in any encoding
        command = types.Command(title="Type the reason", command=SELECT_REASON,
                                arguments=[uri, placement.line, placement.reason])
    return types.CodeAction(
        title=f"Suppress {finding.rule_id} ({finding.rule_name}) {scope}, with a reason",
        kind=types.CodeActionKind.QuickFix,
        diagnostics=[ctx.diagnostic(finding)],
        edit=workspace,
        command=command,
    )


def intersects(span_range: types.Range, request: types.Range) -> bool:
    start = (span_range.start.line, span_range.start.character)
    end = (span_range.end.line, span_range.end.character)
    r_start = (request.start.line, request.start.character)
    r_end = (request.end.line, request.end.character)
    return start <= r_end and r_start <= end


def code_actions(rel: str, findings: Sequence[Finding], resources: Iterable[Resource],
                 request: types.Range, only: Sequence[str] | None, ctx: Context
                 ) -> list[types.CodeAction]:
    """The actions for a request on ``request`` (a range in the client's units) of ``rel``:
    ``findings`` are the file's unsuppressed findings."""
    mine = [f for f in findings if f.span.file == rel]
    resources = list(resources)
    out: list[types.CodeAction] = []
    if wanted(FIX_ALL_KIND, only) and only:
        action = fix_all_action(mine, ctx, FIX_ALL_KIND)
        if action is not None:
            out.append(action)
    if not wanted(types.CodeActionKind.QuickFix.value, only):
        return out
    lines = ctx.texts.lines(rel)
    here = [f for f in mine
            if intersects(to_client(code_point_range(f.span, lines), lines, ctx.codec), request)]
    for finding in here:
        fix = fix_of(finding)
        if fix is not None:
            out.append(fix_action(finding, fix, ctx))
    for finding in here:
        if finding.category == "tool":
            continue
        action = suppress_action(finding, resources, ctx)
        if action is not None:
            out.append(action)
    if sum(1 for f in mine if fix_of(f) is not None) >= 2:
        action = fix_all_action(mine, ctx, types.CodeActionKind.QuickFix.value)
        if action is not None:
            out.append(action)
    return out


def rule_is_suppressible(rules: Mapping[str, Any]) -> Callable[[str], bool]:
    return lambda rule_id: bool(getattr(rules.get(rule_id), "suppressible", False))
