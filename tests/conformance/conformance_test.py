"""Conformance against the peers' own fixtures (../shared/corpus), in process.

Uses the shared scorer's label normalisation and matching (``../shared/tools/conformance.py``),
runs iaclint's pipeline on each case exactly as the scorer does (a file is copied alone into an
empty directory; a directory is scanned as a whole), scores like ``conformance.py --related``
(a peer that blames the principal or the policy receiving a statement is met by iaclint's one
finding where the statement is written, whose related locations name it; passes are judged by
primary location only), leaves out the deliberate disagreements listed in ``deviations.yaml``
and requires precision and recall ≥ 0.95 per category.
Skipped when ../shared is absent (a user's clone has none).
"""

from __future__ import annotations

import pathlib
import shutil
import tempfile
from collections import defaultdict
from types import ModuleType
from typing import Any

import pytest
import yaml

from linter.options import ScanOptions
from linter.pipeline import load_all_rules, scan
from tests.paths import SHARED, load_script

HERE = pathlib.Path(__file__).resolve().parent
CORPUS = SHARED / "corpus"
SCORER = SHARED / "tools" / "conformance.py"
THRESHOLD = 0.95
JUDGED = (
    "imds-tokens",
    "imds-hop-limit",
    "iam-admin-policy",
    "iam-wildcard-action",
    "iam-wildcard-resource",
    "iam-privilege-escalation",
    "iam-trust-policy",
    "instance-no-profile",
    "hardcoded-credentials",
)

pytestmark = pytest.mark.skipif(
    not (CORPUS / "labels.yaml").is_file() or not SCORER.is_file(),
    reason="../shared/corpus is not present",
)


def load_scorer() -> ModuleType:
    return load_script("iaclint_conformance_scorer", SCORER)


def deviations() -> set[tuple[str, str, str]]:
    data = yaml.safe_load((HERE / "deviations.yaml").read_text("utf-8")) or {}
    return {(d["case"], str(d["resource"]), d["category"]) for d in data.get("deviations", [])}


def score() -> tuple[dict[str, Any], dict[str, Any], list[str]]:
    scorer = load_scorer()
    labels = yaml.safe_load((CORPUS / "labels.yaml").read_text("utf-8"))
    cases = scorer.normalize_labels(labels, False)
    rules = load_all_rules(ScanOptions())
    accepted = deviations()
    raw: dict[str, Any] = defaultdict(scorer.Tally)
    adjusted: dict[str, Any] = defaultdict(scorer.Tally)
    crashes: list[str] = []
    for case in cases:
        rel = case["case"]
        src = CORPUS / rel
        with tempfile.TemporaryDirectory() as tmp:
            if src.is_file():
                target = pathlib.Path(tmp) / "case" / src.name
                target.parent.mkdir()
                shutil.copy(src, target)
            else:
                target = pathlib.Path(tmp) / "case"
                shutil.copytree(src, target)
            try:
                result = scan([str(target)], ScanOptions(), rules=rules, root=target.parent
                              if target.is_file() else target)
            except Exception as exc:  # a crash is a failure of this test, reported below
                crashes.append(f"{rel}: {type(exc).__name__}: {exc}")
                continue
        findings = [
            scorer.Finding(f.category, scorer.norm(f.address) if f.address else None,
                           f.span.start_line, f.span.end_line, f.rule_id,
                           tuple(n for n in (scorer.norm(r.address) for r in f.related) if n))
            for f in result.findings if f.suppression is None
        ]
        for label in case.get("expect") or []:
            what = f"{rel} {label['category']} {label.get('resource')}"
            verdict = label["verdict"] == "fail"
            found = scorer.met(label, findings, use_related=verdict)
            raw[label["category"]].add(verdict, found, what)
            if (rel, str(label.get("resource")), label["category"]) not in accepted:
                adjusted[label["category"]].add(verdict, found, what)
    return raw, adjusted, crashes


@pytest.fixture(scope="module")
def scores() -> tuple[dict[str, Any], dict[str, Any], list[str]]:
    return score()


def test_no_case_crashes(scores: tuple[dict[str, Any], dict[str, Any], list[str]]) -> None:
    assert scores[2] == []


@pytest.mark.parametrize("category", JUDGED)
def test_precision_and_recall_without_deliberate_deviations(
    scores: tuple[dict[str, Any], dict[str, Any], list[str]], category: str
) -> None:
    tally = scores[1][category]
    precision, recall, _ = tally.scores()
    summary = f"{category}: precision {precision:.2f}, recall {recall:.2f}"
    report = "\n".join([summary, *tally.misses])
    assert precision >= THRESHOLD, report
    assert recall >= THRESHOLD, report


def test_every_deviation_names_a_labelled_case() -> None:
    labels = yaml.safe_load((CORPUS / "labels.yaml").read_text("utf-8"))
    known = {(c["path"], str(e.get("resource"))) for c in labels["cases"]
             for e in c.get("expected") or []}
    stale = [d for d in deviations() if (d[0], d[1]) not in known]
    assert stale == []


def test_every_deviation_is_still_a_disagreement(
    scores: tuple[dict[str, Any], dict[str, Any], list[str]]
) -> None:
    """A deviation iaclint no longer shows (the peer's verdict is met) is taken out of the list."""
    missed = {miss.split(" ", 1)[1] for tally in scores[0].values() for miss in tally.misses}
    agreed = [d for d in deviations() if f"{d[0]} {d[2]} {d[1]}" not in missed]
    assert agreed == []


def main() -> None:  # pragma: no cover - `python tests/conformance/conformance_test.py`
    raw, adjusted, crashes = score()
    print(f"{'category':26} {'raw P':>6} {'raw R':>6} {'adj P':>6} {'adj R':>6}")
    for category in sorted(set(raw) | set(adjusted)):
        rp, rr, _ = raw[category].scores()
        ap, ar, _ = adjusted[category].scores()
        print(f"{category:26} {rp:6.2f} {rr:6.2f} {ap:6.2f} {ar:6.2f}")
        for miss in adjusted[category].misses:
            print("   ", miss)
    print(f"crashes: {len(crashes)}")


if __name__ == "__main__":  # pragma: no cover
    main()
