"""Custodian key files and key checks."""

import base64
import json

import pytest

from tender.sealing import hpke, keyfile
from tender.sealing.errors import InvalidInput, KeyFileError

N = 2**14  # the smallest accepted cost keeps the tests fast; production files use 2^17
SECRET = b"server-secret-for-tests"


@pytest.fixture(scope="module")
def made():
    return keyfile.create_key_file("correct horse battery", label="district 7", n=N)


def test_create_and_unlock(made):
    data, key = made
    text = json.dumps(data)
    loaded = keyfile.unlock_key_file(keyfile.parse_key_file(text), "correct horse battery")
    assert keyfile.private_bytes(loaded) == keyfile.private_bytes(key)
    assert data["key_id"] == hpke.key_id(keyfile.public_key_of(data)).hex()
    assert keyfile.private_bytes(key).hex() not in text
    # JSON has one kind of number, so 16384.0 is 16384, as a browser reads it.
    as_float = text.replace(f'"N": {data["kdf"]["N"]}', f'"N": {data["kdf"]["N"]}.0')
    assert as_float != text and keyfile.unlock_key_file(keyfile.parse_key_file(as_float), "correct horse battery")


def test_default_cost_is_documented_value():
    assert (keyfile.SCRYPT_N, keyfile.SCRYPT_R, keyfile.SCRYPT_P) == (2**17, 8, 1)


def test_wrong_passphrase_and_changed_file_are_clear_errors(made):
    data, _ = made
    with pytest.raises(KeyFileError, match="passphrase is wrong"):
        keyfile.unlock_key_file(data, "correct horse battery!")
    other, _ = keyfile.create_key_file("another passphrase", n=N)
    swapped = dict(data, public_key=other["public_key"])
    with pytest.raises(KeyFileError):
        keyfile.unlock_key_file(swapped, "correct horse battery")
    weak = dict(data, kdf=dict(data["kdf"], N=2**10))
    with pytest.raises(KeyFileError, match="outside the accepted range"):
        keyfile.unlock_key_file(weak, "correct horse battery")
    for text in ("not json", json.dumps({"type": "x"}), json.dumps(dict(data, version=2))):
        with pytest.raises(KeyFileError):
            keyfile.parse_key_file(text)
    with pytest.raises(InvalidInput):
        keyfile.create_key_file("short", n=N)


def test_key_check_round_trip_and_wrong_key_file(made):
    data, key = made
    public = keyfile.public_key_of(data)
    check = keyfile.make_key_check(SECRET, public, "user:7:1764000000")
    answer = keyfile.answer_key_check(check, key)
    assert keyfile.verify_key_check_answer(SECRET, public, "user:7:1764000000", answer)
    assert not keyfile.verify_key_check_answer(SECRET, public, "user:7:1764000001", answer)
    _, other = keyfile.create_key_file("another passphrase", n=N)
    with pytest.raises(KeyFileError, match="holds key"):
        keyfile.answer_key_check(check, other)
    forged = dict(check, key_id=hpke.key_id(hpke.public_bytes(other.public_key())).hex())
    with pytest.raises(KeyFileError):
        keyfile.answer_key_check(forged, other)


def test_a_bid_share_cannot_pass_as_a_key_check(made):
    data, key = made
    public = keyfile.public_key_of(data)
    kid = hpke.key_id(public)
    real = hpke.wrap(b"k" * 32, public, hpke.bid_share_info("T-1", "B-1", 1, 0, 2, 3, 1, kid))
    disguised = {"context": "user:7:1", "key_id": kid.hex(), "wrapped": __import__("base64").b64encode(real).decode()}
    with pytest.raises(KeyFileError):
        keyfile.answer_key_check(disguised, key)


# Damaged key files and key checks: a clear KeyFileError, never another exception.

BINARY = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe\x80"


def damaged_files(data: dict) -> dict[str, object]:
    return {
        "binary": BINARY,
        "utf-16 bytes": json.dumps(data).encode("utf-16"),
        "a JSON list": json.dumps([data]),
        "kdf a string": json.dumps(dict(data, kdf="scrypt")),
        "kdf a list": json.dumps(dict(data, kdf=["scrypt"])),
        "cipher a string": json.dumps(dict(data, cipher="AES-256-GCM")),
        "N a string": json.dumps(dict(data, kdf=dict(data["kdf"], N="131072"))),
        "N a fraction": json.dumps(dict(data, kdf=dict(data["kdf"], N=16384.5))),
        "N true": json.dumps(dict(data, kdf=dict(data["kdf"], r=True))),
        "salt a number": json.dumps(dict(data, kdf=dict(data["kdf"], salt=7))),
        "nonce missing": json.dumps(dict(data, cipher={"name": "AES-256-GCM"})),
        "public key a list": json.dumps(dict(data, public_key=[1, 2])),
        "key not base64": json.dumps(dict(data, encrypted_private_key="%%%")),
        "label a number": json.dumps(dict(data, label=5)),
        "key id of another key": json.dumps(dict(data, key_id="00" * 16)),
    }


def test_damaged_key_files_are_clear_errors(made):
    data, _ = made
    for what, content in damaged_files(data).items():
        with pytest.raises(KeyFileError) as info:
            keyfile.unlock_key_file(keyfile.parse_key_file(content), "correct horse battery")
        assert info.value.message, what


def damaged_checks(check: dict) -> dict[str, object]:
    return {
        "wrapped not base64": dict(check, wrapped="not base64 at all!"),
        "wrapped a list": dict(check, wrapped=[1, 2, 3]),
        "wrapped too short": dict(check, wrapped=base64.b64encode(b"short").decode()),
        "wrapped missing": {k: v for k, v in check.items() if k != "wrapped"},
        "context a number": dict(check, context=7),
        "key id a list": dict(check, key_id=[check["key_id"]]),
        "a list": [check],
        "a string": "key-check",
    }


def test_damaged_key_checks_are_clear_errors(made):
    data, key = made
    check = keyfile.make_key_check(SECRET, keyfile.public_key_of(data), "user:7:1764000000")
    for what, damaged in damaged_checks(check).items():
        with pytest.raises(KeyFileError) as info:
            keyfile.answer_key_check(damaged, key)
        assert info.value.message, what
