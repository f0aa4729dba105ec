"""linter/secrets/patterns.py: key-id prefixes, secret-key shape, placeholders, redaction."""

from __future__ import annotations

import pytest

from linter.secrets.patterns import (
    KEY_ID,
    is_masked_key_id,
    is_placeholder,
    is_secret_key_shaped,
    preview,
)


@pytest.mark.parametrize(
    "text",
    ["AKIAIOSFODNN7EXAMPLE", "ASIAY34FZKBOKMUTVV7A", "ABIAIOSFODNN7EXAMPLE",
     "ACCAIOSFODNN7EXAMAAA", "AKIASXANV9XVIJ1YCIJ5", "key=AKIAIOSFODNN7EXAMPLE;"],
)
def test_credential_key_ids_match(text: str) -> None:
    assert KEY_ID.search(text)


@pytest.mark.parametrize(
    "text",
    ["AIDAJQABLZS4A3QDU576Q", "AROADBQP57FF2AEXAMPLE", "AGPAIOSFODNN7EXAMPLE",
     "ANPAIOSFODNN7EXAMPLE", "ASCAIOSFODNN7EXAMAAA", "APKAIOSFODNN7EXAMPLE",
     "XAKIAIOSFODNN7EXAMPLE", "AKIAIOSFODNN7EXAMPLE1", "akiaiosfodnn7example"],
)
def test_identifiers_and_longer_tokens_do_not_match(text: str) -> None:
    assert KEY_ID.search(text) is None


def test_secret_key_shape_needs_mixed_classes() -> None:
    assert is_secret_key_shaped("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    assert is_secret_key_shaped("ZH6HDV/EolIbS2UTxbLplGpukOdaGmlq9MtAg1Xv")
    assert not is_secret_key_shaped("55e7e7703f17c41f276caf8f1a1b744d674259f8")  # SHA-1
    assert not is_secret_key_shaped("1234567890123456789012345678901234567890")
    assert not is_secret_key_shaped("handlerverylongcustomhandlernameforservi")
    assert not is_secret_key_shaped("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKE")  # 39


@pytest.mark.parametrize(
    "value",
    ["", "  ", "$SECRET", "${var.secret}", "$(aws ssm get-parameter)", "<ACCESS_KEY>",
     "{{resolve:secretsmanager:app:SecretString:key}}", "xxxxxxxx", "****", "%SECRET%",
     "`cat key`", "null", "CHANGEME", "'${SECRET}'"],
)
def test_placeholders(value: str) -> None:
    assert is_placeholder(value)


@pytest.mark.parametrize("value", ["bar", "somesecret", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"])
def test_literals_are_not_placeholders(value: str) -> None:
    assert not is_placeholder(value)


def test_masked_key_ids() -> None:
    assert is_masked_key_id("AKIAXXXXXXXXXXXXXXXX")
    assert not is_masked_key_id("AKIAAAAAAAAAAAAAAAAA")


def test_preview_shows_at_most_four_characters_and_a_quarter() -> None:
    assert preview("AKIAIOSFODNN7EXAMPLE") == "AKIA…"
    assert preview("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY") == "wJal…"
    assert preview("somesecret") == "so…"
    assert preview("bar") == "…"


def test_example_placeholders_are_not_secrets() -> None:
    placeholder = "akdfaksdfjkaEXAMPLEsdfjskafjdkfajsdfk345"
    assert not is_secret_key_shaped(placeholder)
    assert is_placeholder(placeholder)
    documented = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"  # AWS's own: still a key
    assert is_secret_key_shaped(documented)
    assert not is_placeholder(documented)
    assert is_secret_key_shaped("akdfaksdfjkaEXAMPLsdfjskafjdkfajsdfk3456")
