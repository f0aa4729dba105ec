"""Applying fixes: the findings' edits → new file contents, checked, then written or diffed.

Every fix is all or nothing: its edits (in one file or several) are taken together. A fix
whose edits overlap a different edit already taken is left out (a note names the other
finding). Each changed file is checked once more with an independent parser — python-hcl2 for
Terraform (tree-sitter-hcl for a file too large for it), cfn-lint's decoder for CloudFormation —
and a file that would not parse keeps its old content, with every fix that touches it left out.
Files are written atomically, keeping their permissions, and only inside the scan root.
"""

from __future__ import annotations

import os
import pathlib
import tempfile
from collections.abc import Sequence
from dataclasses import field

from linter.fixes.sites import NotFixable
from linter.fixes.source import destination, read_text
from linter.fixes.text import Replacement, Text, apply, unified_diff
from linter.model import Finding
from linter.options import Budgets
from linter.records import mutable, record


@record
class FileChange:
    file: str  # relative to the scan root
    before: str
    after: str


@mutable
class FixOutcome:
    changes: list[FileChange] = field(default_factory=list)
    fixed: list[Finding] = field(default_factory=list)
    unfixed: list[tuple[Finding, str]] = field(default_factory=list)  # with the reason


def apply_fixes(root: pathlib.Path, findings: Sequence[Finding],
                budgets: Budgets | None = None) -> FixOutcome:
    """What the fixes of ``findings`` change (nothing is written here). Files are read as the
    front ends read them (``linter.fixes.source``: inside the root, regular, within
    ``budgets``)."""
    outcome = FixOutcome()
    budgets = budgets or Budgets()
    fixable: list[Finding] = []
    for finding in findings:
        if finding.fix is None or finding.suppression is not None:
            continue
        if finding.fix.applicable:
            fixable.append(finding)
        else:
            outcome.unfixed.append((finding, finding.fix.note))
    texts: dict[str, Text | None] = {}
    excluded: dict[int, str] = {}
    while True:
        taken, conflicts = _take(root, fixable, excluded, texts, budgets)
        excluded.update(conflicts)
        changes, broken = _changes(taken, texts)
        if not broken:
            break
        for finding in fixable:
            fix = finding.fix
            assert fix is not None
            files = set(fix.files) & set(broken)
            if files and id(finding) not in excluded:
                rel = sorted(files)[0]
                excluded[id(finding)] = (f"the fixed {rel} would not parse ({broken[rel]}); "
                                         "nothing was changed")
    outcome.changes = changes
    for finding in fixable:
        if id(finding) in excluded:
            outcome.unfixed.append((finding, excluded[id(finding)]))
        else:
            outcome.fixed.append(finding)
    outcome.unfixed.sort(key=lambda pair: pair[0].sort_key)
    return outcome


def _read(root: pathlib.Path, rel: str, texts: dict[str, Text | None],
          budgets: Budgets) -> Text | None:
    if rel not in texts:
        try:
            texts[rel] = Text(rel, read_text(root, rel, budgets))
        except NotFixable:
            texts[rel] = None
    return texts[rel]


def _take(root: pathlib.Path, fixable: Sequence[Finding], excluded: dict[int, str],
          texts: dict[str, Text | None], budgets: Budgets,
          ) -> tuple[dict[str, set[Replacement]], dict[int, str]]:
    """The replacements of every fix not excluded, in finding order; a fix that overlaps one
    taken before is excluded."""
    taken: dict[str, set[Replacement]] = {}
    owners: dict[tuple[str, Replacement], Finding] = {}
    conflicts: dict[int, str] = {}
    for finding in fixable:
        if id(finding) in excluded:
            continue
        assert finding.fix is not None
        mine: list[tuple[str, Replacement]] = []
        problem = ""
        for edit in finding.fix.edits:
            text = _read(root, edit.span.file, texts, budgets)
            if text is None:
                problem = f"{edit.span.file} cannot be read; nothing was changed"
                break
            mine.append((edit.span.file, text.replacement(edit)))
        for rel, replacement in mine:
            for other in taken.get(rel, ()):
                if other != replacement and _overlap(other, replacement):
                    owner = owners[(rel, other)]
                    problem = (f"its edit overlaps the fix of {owner.rule_id} on "
                               f"{owner.address or owner.span}; run --fix again")
        if problem:
            conflicts[id(finding)] = problem
            continue
        for rel, replacement in mine:
            taken.setdefault(rel, set()).add(replacement)
            owners.setdefault((rel, replacement), finding)
    return taken, conflicts


def _overlap(a: Replacement, b: Replacement) -> bool:
    if a.start == a.end == b.start == b.end:
        return True
    return a.start < b.end and b.start < a.end


def _changes(taken: dict[str, set[Replacement]], texts: dict[str, Text | None]
             ) -> tuple[list[FileChange], dict[str, str]]:
    changes: list[FileChange] = []
    broken: dict[str, str] = {}
    for rel in sorted(taken):
        text = texts[rel]
        assert text is not None
        after = apply(text.source, taken[rel])
        if after == text.source:
            continue
        problem = oracle_problem(rel, after)
        if problem is not None:
            broken[rel] = problem
        else:
            changes.append(FileChange(rel, text.source, after))
    return changes, broken


def oracle_problem(rel: str, text: str) -> str | None:
    """An independent parser's complaint about the fixed ``text`` (None when it parses).
    python-hcl2 checks Terraform files of up to ``ORACLE_BYTES``; a larger one (it would cost
    python-hcl2 tens of seconds and hundreds of MB) is checked by tree-sitter-hcl."""
    if rel.endswith((".tf", ".tfvars")):
        from linter.frontends.terraform.hcl import ORACLE_BYTES, syntax_error
        from linter.frontends.terraform.hcl_errors import hcl2_error

        if len(text.encode("utf-8")) > ORACLE_BYTES:
            return syntax_error(rel, text)
        error = hcl2_error(text)
        return None if error is None else error.message
    from linter.frontends.cloudformation.decode import decode_template

    decoded, findings = decode_template(rel, text.encode("utf-8"))
    if decoded is None:
        return findings[0].message if findings else "does not decode"
    return None


def write_changes(root: pathlib.Path, changes: Sequence[FileChange]) -> None:
    """Write each changed file atomically (a temporary file beside it, then a rename). Only a
    regular file inside the root is written, at its real path (a symlink to it stays one); a
    change to anything else is dropped (it was read through the same check, so only a file
    swapped since then gets here)."""
    for change in changes:
        try:
            path = destination(root, change.file)
        except NotFixable:
            continue
        mode = path.stat().st_mode & 0o7777
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(change.after.encode("utf-8"))
            os.chmod(temporary, mode)
            os.replace(temporary, path)
        except BaseException:
            pathlib.Path(temporary).unlink(missing_ok=True)
            raise


def diff(changes: Sequence[FileChange]) -> str:
    return "".join(unified_diff(c.file, c.before, c.after) for c in changes)
