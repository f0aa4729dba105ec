"""linter/secrets/text.py: detectors over scripts, credential files and base64."""

from __future__ import annotations

import base64

from linter.secrets.text import (
    ACCESS_KEY_ID,
    PRIVATE_KEY_KIND,
    SECRET_ACCESS_KEY,
    SESSION_TOKEN,
    decode_base64,
    scan_text,
)

KEY_ID = "AKIAIOSFODNN7EXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


def kinds(text: str, **kwargs: bool) -> list[tuple[str, str, int]]:
    return [(h.kind, h.value, h.line) for h in scan_text(text, **kwargs)]


def test_shell_exports() -> None:
    script = (f"#!/bin/bash\nexport AWS_ACCESS_KEY_ID={KEY_ID}\n"
              f"export AWS_SECRET_ACCESS_KEY={SECRET}\n")
    assert kinds(script) == [(ACCESS_KEY_ID, KEY_ID, 1), (SECRET_ACCESS_KEY, SECRET, 2)]


def test_credentials_file_and_cloud_config() -> None:
    ini = "[default]\naws_access_key_id = somekey\naws_secret_access_key = somesecret\n"
    assert kinds(ini) == [(SECRET_ACCESS_KEY, "somesecret", 2)]
    cloud = 'runcmd:\n - [ sh, -c, "echo export AWS_SECRET_ACCESS_KEY=my-secret >> ~/.bashrc" ]'
    assert kinds(cloud) == [(SECRET_ACCESS_KEY, "my-secret", 1)]
    token = "aws configure set default.aws_session_token FQoGZXIvYXdzEJr"
    assert kinds(token) == [(SESSION_TOKEN, "FQoGZXIvYXdzEJr", 0)]


def test_expansions_placeholders_and_code_are_not_literals() -> None:
    script = "\n".join([
        "export AWS_ACCESS_KEY_ID",
        "export AWS_SECRET_ACCESS_KEY=$SECRET",
        'export AWS_SECRET_ACCESS_KEY="${SECRET}"',
        "export AWS_SECRET_ACCESS_KEY=$(aws secretsmanager get-secret-value --secret-id x)",
        "AWS_SECRET_ACCESS_KEY=<your secret>",
        "s3 = boto3.client('s3', aws_secret_access_key=secret, region_name='x')",
        "key = os.environ['AWS_SECRET_ACCESS_KEY']",
        "aws_secret_access_key=os.environ[\"X\"]",
    ])
    assert kinds(script) == []


def test_id_alone_and_secret_only_near_an_id_or_a_credential_word() -> None:
    assert kinds(f"tags: owner {KEY_ID}") == [(ACCESS_KEY_ID, KEY_ID, 0)]
    assert kinds(f"checksum {SECRET}") == []
    assert kinds(f"{KEY_ID}\n{SECRET}") == [(ACCESS_KEY_ID, KEY_ID, 0),
                                             (SECRET_ACCESS_KEY, SECRET, 1)]
    assert kinds(f"api_token: {SECRET}") == [(SECRET_ACCESS_KEY, SECRET, 0)]


def test_identifier_prefixes_and_masks_are_not_reported() -> None:
    assert kinds("role AROADBQP57FF2AEXAMPLE user AIDAJQABLZS4A3QDU576 AKIAXXXXXXXXXXXXXXXX") == []


def test_private_keys_and_nested_base64() -> None:
    pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----\n"
    hits = scan_text("echo hi\n" + pem)
    assert [(h.kind, h.line) for h in hits] == [(PRIVATE_KEY_KIND, 1)]
    assert hits[0].value == pem.rstrip("\n")
    blob = base64.b64encode(pem.encode()).decode()
    nested = scan_text(f"echo {blob} | base64 -d > /root/key.pem", nested_base64=True)
    assert [(h.kind, h.encoded) for h in nested] == [(PRIVATE_KEY_KIND, blob)]
    assert scan_text(f"echo {blob} | base64 -d") == []  # only when asked (user data)


def test_decode_base64() -> None:
    assert decode_base64("dGVzdA==") == "test"
    assert decode_base64(base64.b64encode(b"line1\r\nline2").decode()) == "line1\r\nline2"
    assert decode_base64("not base64!") is None
    assert decode_base64(SECRET) is None  # binary garbage, not text
    assert decode_base64("") is None
    assert decode_base64(base64.b64encode(bytes(range(256))).decode()) is None


def _fragment_texts(count: int, seed: int) -> list[str]:
    """Texts assembled from pieces of credentials, near-misses and filler (short and long)."""
    import random

    pem = base64.b64encode(b"-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n").decode()
    pieces = [KEY_ID, SECRET, "AKIA", "A3TX", "ASIA" + "Q" * 16, "aws_secret_key", "=", ": ",
              "AWS_SESSION_TOKEN", "aws_\u017fecret_key", "secret", "_token", "token", "\n", " ",
              "'", '"', "x", "abc", "-----BEGIN PRIVATE KEY-----", "PRIVATE KEY", pem, "${a}",
              "aws configure set aws_secret_access_key ", "A" * 39, "b" * 40, "/+", "(", ",",
              "xxxx", "Password", "==", "AKIAXXXXXXXXXXXXXXXX"]
    rng = random.Random(seed)
    return ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 8))) for _ in range(count)]


def test_the_prefilter_and_the_memo_change_no_answer() -> None:
    """``scan_text`` (prefiltered, remembered) answers what the detectors answer on their own,
    for fresh texts and again for remembered ones, and each caller gets its own list."""
    from linter.secrets.text import _scan

    texts = _fragment_texts(3000, seed=7)
    assert any(_scan(t, False) for t in texts)
    assert any(not _scan(t, True) for t in texts)
    for _round in range(2):
        for text in texts:
            for nested in (False, True):
                assert scan_text(text, nested_base64=nested) == _scan(text, nested), text
    script = "\n".join(texts[:400])  # longer than what is remembered: scanned each time
    assert len(script) > 2048
    assert scan_text(script, nested_base64=True) == _scan(script, True) != []
    first = scan_text(f"export AWS_SECRET_ACCESS_KEY={SECRET}")
    first.clear()
    assert scan_text(f"export AWS_SECRET_ACCESS_KEY={SECRET}") != []
