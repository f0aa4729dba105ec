from __future__ import annotations

import enum
import html
import json
import pathlib
import urllib.parse
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from linter.model import Finding, Format, Resource, Severity, Span
from linter.report.redact import (
    _KEY_ID,
    _SMALL_SECRET_RUN,
    _known,
    _spans,
    has_secret_run,
    masked,
    redact,
    redact_mapped,
    redact_output,
    redact_tree,
    secrets_of,
    secrets_of_result,
)
from linter.result import ScanResult
from linter.secrets.patterns import is_masked_key_id
from tests.hostile_cases import KEY_ID, assert_contained, run_case

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


@pytest.mark.parametrize("text", [
    "", "plain", KEY, f"{KEY}{KEY}", f'k = "{KEY}" # end', f"{KEY} and s3cr3tpassword",
    f"x{KEY}", f"s3cr3tpassword{KEY}tail",
])
@pytest.mark.parametrize("secrets", [[KEY], [KEY, "s3cr3tpassword"], []])
def test_the_index_map_keeps_every_character_and_sends_secrets_to_their_mask(
        text: str, secrets: list[str]) -> None:
    redacted, index_map = redact_mapped(text, secrets)
    assert redacted == redact(text, secrets)
    assert len(index_map) == len(text) + 1
    assert index_map[-1] == len(redacted)
    assert index_map == sorted(index_map)
    secret_at = {i: (start, end) for start, end in _spans(text, _known(secrets))
                 for i in range(start, end)}
    for index, character in enumerate(text):
        if index in secret_at:  # masked: at the start of the mask that replaced the secret
            start, end = secret_at[index]
            assert redacted.startswith(masked(text[start:end]), index_map[index])
            assert index_map[index] == index_map[start]
        else:  # kept: the same character
            assert redacted[index_map[index]] == character
    assert redact_mapped(text, tuple(secrets)) == (redacted, index_map)


def test_trees_are_redacted_in_keys_and_values() -> None:
    tree = {"a": [KEY, {KEY: 1}], "n": 3}
    assert redact_tree(tree, [KEY]) == {"a": ["AKIA…", {"AKIA…": 1}], "n": 3}


class _Level(str, enum.Enum):
    HIGH = "high"


def _redact_tree_one_by_one(value: Any, secrets: list[str]) -> Any:
    """``redact_tree`` as first written: every string redacted on its own."""
    if isinstance(value, str):
        return redact(str(value), secrets)
    if isinstance(value, dict):
        return {_redact_tree_one_by_one(k, secrets): _redact_tree_one_by_one(v, secrets)
                for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_redact_tree_one_by_one(v, secrets) for v in value]
    return value


@pytest.mark.parametrize("secrets", [[KEY], ["s3cr3tpassword"], []])
def test_a_tree_is_redacted_as_each_of_its_strings_alone(secrets: list[str]) -> None:
    leaf = {"": "", "k": KEY, KEY: [KEY, "", 1, 2.5, None, True], _Level.HIGH: _Level.HIGH}
    tree = {"a": [leaf, leaf, (KEY, "s3cr3tpassword", [leaf])], "": [""], "n": 3,
            "many": ["x" * 40, "plain", "plain", f"k={KEY}", {"s3cr3tpassword": None}]}
    redacted = redact_tree(tree, secrets)
    assert redacted == _redact_tree_one_by_one(tree, secrets)
    assert repr(redacted) == repr(_redact_tree_one_by_one(tree, secrets))  # the same types


# ---------------------------------------------------------------- redaction everywhere (issue 15)


@pytest.mark.parametrize("row", ["19a", "19b", "20", "21"])
def test_no_output_prints_a_secret_whichever_rules_run(
        row: str, tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    outcome = run_case(row, tmp_path, monkeypatch, capsys)
    assert_contained(outcome)  # the key id and the secret, in any case, in no format
    if row == "20":  # the broken file is still reported, its line masked in the frame
        assert any(n.startswith("IAC0001 broken.yaml:") for n in outcome.notes())
        assert f"{KEY_ID[:4]}…" in outcome.outputs["text"]
    if row == "21":
        assert "IAC0101" in outcome.rules_on("echo_secret")


def test_a_key_id_alone_is_masked_and_known_short_secrets_still_are() -> None:
    # the shortest credential shape is a key id (20 characters); known secrets of any length
    assert redact("AKIAPIMV3POLW7LHQIAZ", []) == "AKIA…"
    assert redact("AKIAPIMV3POLW7LHQIA", []) == "AKIAPIMV3POLW7LHQIA"
    assert redact("pw hunter2", ["hunter2"]) == "pw …"


def test_credential_shapes_are_masked_without_being_listed() -> None:
    secret = "LJH6VJ+WlL7mc1/TSJ2lRlaxAt4EaBe+OAUl1bwR"
    text = f"id=AKIAPIMV3POLW7LHQIAZ key={secret} masked=AKIAXXXXXXXXXXXXXXXX"
    assert redact(text, []) == "id=AKIA… key=LJH6… masked=AKIAXXXXXXXXXXXXXXXX"


@pytest.mark.parametrize("padding", [0, 1 << 16])  # re on short texts, RE2 on large ones
def test_credential_shapes_after_wide_characters_are_masked_in_place(padding: int) -> None:
    # in a large text the runs are found by RE2 on UTF-8: its offsets must be the string's own
    secret = "LJH6VJ+WlL7mc1/TSJ2lRlaxAt4EaBe+OAUl1bwR"
    pad = "\u00e9-" * padding
    text = f"{pad}r\u00e9sum\u00e9 \u2014 \U0001f511 {secret}\u2026 and {'x' * 39} {secret}+more"
    assert redact(text, []) == (
        f"{pad}r\u00e9sum\u00e9 \u2014 \U0001f511 LJH6\u2026\u2026 and {'x' * 39} {secret}+more")


@pytest.mark.parametrize("token", [
    "ElasticLoadBalancing/ELBStickinessSample",  # a path of the same alphabet and length
    "0123456789abcdef0123456789abcdef01234567",  # a SHA-1
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
])
def test_paths_and_digests_are_not_secrets(token: str) -> None:
    assert redact(f"file {token}.json", []) == f"file {token}.json"


def test_known_secrets_in_any_case_and_quoting() -> None:
    secret = 'pa"ss/wo+rd%1,2:3'
    texts = [secret.upper(), json.dumps(secret)[1:-1], html.escape(secret, quote=True),
             urllib.parse.quote(secret, safe=""),
             secret.replace("%", "%25").replace(":", "%3A").replace(",", "%2C")]
    for text in texts:
        assert redact(f"<{text}>", [secret]) in ("<pa\\\"…>", f"<{text[:4]}…>"), text


def test_the_last_step_searches_the_serialized_output() -> None:
    secret = 'longer"secret\\value'
    serialized = json.dumps({"message": f"value {secret}"})
    assert secret not in json.loads(redact_output(serialized, [secret]))["message"]
    assert redact_output('{"message": "short"}', ["short"]) == '{"message": "short"}'


def test_secrets_of_a_result_include_what_the_credentials_analysis_sees() -> None:
    key = "AKIAPIMV3POLW7LHQIAZ"
    secret = "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"
    pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA0123456789abcdef\n" \
          "-----END RSA PRIVATE KEY-----"
    provider = Resource(address="provider.aws", type="provider.aws", format=Format.TERRAFORM,
                        kind="provider", attributes={"access_key": key, "secret_key": secret},
                        spans={}, file="p.tf")
    box = Resource(address="aws_instance.a", type="aws_instance", format=Format.TERRAFORM,
                   kind="resource",
                   attributes={"user_data": pem}, spans={}, file="p.tf")
    result = ScanResult(root=pathlib.Path("."), resources=[provider, box])
    secrets = secrets_of_result(result)
    assert {key, secret, "MIIEowIBAAKCAQEA0123456789abcdef"} <= set(secrets)
    assert secrets_of_result(result) is secrets  # once per result
    assert secrets_of_result(ScanResult(root=pathlib.Path("."))) == ()


@given(st.text(alphabet=st.sampled_from("aZ09+/=- \n_é\ud800\uff41"), max_size=120))
def test_the_run_check_agrees_with_the_pattern(text: str) -> None:
    """``has_secret_run`` (the text as marks, one substring search) is the pattern's verdict."""
    assert has_secret_run(text) == (_SMALL_SECRET_RUN.search(text) is not None)
    assert has_secret_run("x" * 40 + text)
    assert not has_secret_run("é" * 80)


@pytest.mark.parametrize("text", [
    KEY, f"{KEY}{KEY}", f"x{KEY} {KEY}y {KEY}", f"ASIA{KEY[4:]}/A3T{'B' * 17}", "AKIA" * 10,
])
def test_key_ids_are_found_where_the_pattern_finds_them(text: str) -> None:
    """``_spans`` searches key ids one after another: the spans of every match, as iterated."""
    found = [span for span in _spans(text, None) if text[span[0]] == "A"]
    expected = [m.span() for m in _KEY_ID.finditer(text)
                if (m.start() == 0 or not text[m.start() - 1].isalnum())
                and (m.end() == len(text) or not text[m.end()].isalnum())
                and not is_masked_key_id(m.group(0))]
    assert [s for s in found if s in expected] == expected
