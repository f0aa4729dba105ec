"""Which files a finding's evidence lies in: where it points, and every related location (the
hops of a chain, and where an evaluated value came from — a variable's default, a tfvars
assignment, a local, a module argument).

pre-commit and explicit file arguments report only the findings a change can have caused: a
finding is kept when any of its evidence is in one of the changed files, so staging only
``variables.tf`` (a default turned from ``required`` to ``optional``) still reports the
instance in ``main.tf`` that the value reaches.
"""

from __future__ import annotations

from collections.abc import Collection

from linter.model import Finding, UnknownVerdict


def evidence_files(finding: Finding) -> set[str]:
    return {finding.span.file, *(related.span.file for related in finding.related)}


def touches(finding: Finding, files: Collection[str]) -> bool:
    return not evidence_files(finding).isdisjoint(files)


def verdict_touches(verdict: UnknownVerdict, files: Collection[str]) -> bool:
    """An unknown verdict: where it points, or where an expression it could not evaluate is."""
    return verdict.span.file in files or any(
        u.span is not None and u.span.file in files for u in verdict.unknowns
    )
