"""Every rule named in ``--select``, ``--ignore``, ``--enable`` and the configuration exists.

A typo must never turn a run green: ``--select IAC0110`` would select nothing and report "No
findings". Each name must be something ``Rule.selectors`` knows (rule id, name, alias,
category, the id of an equivalent check of another scanner, a compliance framework or
``FRAMEWORK:CONTROL``) or a reserved tool rule; anything else stops the run (``ConfigError``,
exit 2) naming every unknown name with the nearest known one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from linter.errors import ConfigError
from linter.options import ScanOptions
from linter.rule import RESERVED, Rule

# the options checked, with the flag and configuration key a user would have written
FIELDS = (
    ("select", "--select / select:"),
    ("ignore", "--ignore / ignore:"),
    ("enable", "--enable / enable:"),
    ("severity_overrides", "severity:"),
)
MIN_SIMILARITY = 0.6  # below this a suggestion would mislead more than help


def known_names(rules: Sequence[Rule]) -> dict[str, str]:
    """Every accepted name, case-folded, mapped to its spelling (rules first, in id order)."""
    names: dict[str, str] = {}
    for rule in sorted(rules, key=lambda r: r.id):
        for name in rule.selectors:
            names.setdefault(name.casefold(), name)
    for reserved in RESERVED.values():
        for name in (reserved.id, reserved.name):
            names.setdefault(name.casefold(), name)
    return names


def nearest(name: str, candidates: Iterable[str]) -> str | None:
    """The closest known name (optimal string alignment: a swapped pair of characters counts
    as one edit, so IAC0110 suggests IAC0101), or None when nothing is close."""
    from rapidfuzz import process
    from rapidfuzz.distance import OSA

    found = process.extractOne(
        name, list(candidates), scorer=OSA.normalized_similarity,
        processor=str.casefold, score_cutoff=MIN_SIMILARITY,
    )
    return None if found is None else str(found[0])


def unknown_names(values: Iterable[str], known: dict[str, str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v.casefold() not in known))


def check_selection(rules: Sequence[Rule], options: ScanOptions) -> None:
    """``ConfigError`` naming every rule that ``options`` select, ignore, enable or re-rate
    but no loaded rule answers to."""
    known = known_names(rules)
    problems: list[str] = []
    for field, label in FIELDS:
        values: Iterable[str] = getattr(options, field)
        for name in unknown_names(values, known):
            suggestion = nearest(name, known.values())
            hint = f" (did you mean {suggestion}?)" if suggestion else ""
            problems.append(f"{label} {name}: no such rule{hint}")
    if problems:
        raise ConfigError(
            "; ".join(problems) + " — `iaclint rules` lists the rules, `iaclint rule ID` the "
            "names each answers to"
        )
