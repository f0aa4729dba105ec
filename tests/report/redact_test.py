from __future__ import annotations

from linter.model import Finding, Severity, Span
from linter.report.redact import masked, redact, redact_mapped, redact_tree, secrets_of

KEY = "AKIAIOSFODNN7EXAMPLE"


def _finding(redact_value: object) -> Finding:
    return Finding("IAC0401", "hardcoded-aws-credentials", "hardcoded-credentials",
                   Severity.ERROR, "m", Span("a.tf", 1), properties={"redact": redact_value})


def test_a_secret_keeps_its_first_four_characters() -> None:
    assert redact(f'access_key = "{KEY}"', [KEY]) == 'access_key = "AKIA…"'


def test_short_secrets_are_hidden_entirely() -> None:
    assert masked("hunter2") == "…"
    assert redact("password hunter2", ["hunter2"]) == "password …"


def test_every_occurrence_and_the_longest_overlapping_secret_win() -> None:
    text = f"{KEY} and {KEY}X"
    assert redact(text, [KEY, KEY + "X"]) == "AKIA… and AKIA…"


def test_the_mask_is_not_matched_again() -> None:
    # a secret that is a prefix of another secret's mask must not chew the mask
    assert redact("abcdefghij", ["abcdefghij", "abcd…"]) == "abcd…"


def test_nothing_to_redact_returns_the_text() -> None:
    assert redact("plain", []) == "plain"


def test_secrets_are_collected_from_every_finding() -> None:
    findings = [_finding([KEY, ""]), _finding("s3cr3tpassword"), _finding(None), _finding(42)]
    assert set(secrets_of(findings)) == {KEY, "s3cr3tpassword"}


def test_the_index_map_moves_columns_onto_the_shortened_text() -> None:
    text = f'k = "{KEY}" # end'
    redacted, index_map = redact_mapped(text, [KEY])
    assert redacted == 'k = "AKIA…" # end'
    assert redacted[index_map[text.index("#")]] == "#"
    assert index_map[text.index(KEY) + 10] == redacted.index("AKIA")  # inside the secret
    assert index_map[len(text)] == len(redacted)


def test_trees_are_redacted_in_keys_and_values() -> None:
    tree = {"a": [KEY, {KEY: 1}], "n": 3}
    assert redact_tree(tree, [KEY]) == {"a": ["AKIA…", {"AKIA…": 1}], "n": 3}
