"""The platform's receipt-signing keys: provisioned once in production, rotated without losing the
ability to verify old receipts, every key ever used published with its key id and its dates."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from tender.sealing import platform_keys, receipts
from tender.sealing.encoding import b64encode
from tender.sealing.errors import ReceiptError

ROOT = Path(__file__).resolve().parents[3]
T0 = datetime(2026, 3, 1, 9, 30, tzinfo=timezone.utc)


def receipt(keys: platform_keys.PlatformKeys, seq: int = 1, prev: str = receipts.GENESIS) -> dict:
    return receipts.make_receipt(keys.signing_key, tender_id="T-1", bidder="firm-1", bid_id=f"B-{seq}", bid_version=1,
                                 envelope_sha256=f"{seq:064x}", server_time=T0, seq=seq, prev=prev)


def payload(signed: dict) -> dict:
    return json.loads(receipts.decode_payload(signed))


def test_receipts_carry_the_key_id_and_verify_by_it_after_rotations(tmp_path):
    first = platform_keys.create(tmp_path)
    r1 = receipt(first)
    assert payload(r1)["key_id"] == first.current_id == receipts.key_id_of(first.signing_key.public_key())
    second = platform_keys.rotate(tmp_path)
    r2 = receipt(second, 2, receipts.entry_hash(r1))
    third = platform_keys.rotate(tmp_path)
    r3 = receipt(third, 3, receipts.entry_hash(r2))
    assert len({first.current_id, second.current_id, third.current_id}) == 3
    assert payload(r2)["key_id"] == second.current_id

    doc = platform_keys.load(tmp_path).document()
    assert [k["key_id"] for k in doc["keys"]] == [first.current_id, second.current_id, third.current_id]
    assert doc["key_id"] == third.current_id and doc["public_key"] == doc["keys"][-1]["public_key"]
    assert [k["retired"] is None for k in doc["keys"]] == [False, False, True]
    for entry in doc["keys"]:
        assert entry["alg"] == "Ed25519" and entry["created"].endswith("Z")
    assert doc["keys"][0]["retired"] <= doc["keys"][1]["created"]

    published = receipts.key_set(json.loads(json.dumps(doc)))
    for signed in (r1, r2, r3):
        receipts.verify_receipt(signed, published)
    checkpoint = receipts.make_checkpoint(third.signing_key, "T-1", [r1, r2, r3], T0)
    assert json.loads(receipts.decode_payload(checkpoint))["key_id"] == third.current_id
    assert len(receipts.verify_log([r1, r2, r3], published, checkpoint=checkpoint, receipts=[r1])) == 3
    # Only the current key's document, as it was published before the key set: it verifies new receipts only.
    only_current = receipts.key_set({k: doc[k] for k in ("alg", "key_id", "public_key")})
    receipts.verify_receipt(r3, only_current)
    with pytest.raises(ReceiptError, match=first.current_id):
        receipts.verify_receipt(r1, only_current)


def test_a_key_set_entry_whose_key_id_is_not_its_key_is_refused(tmp_path):
    doc = platform_keys.create(tmp_path).document()
    forged = dict(doc, keys=[dict(doc["keys"][0], key_id="0" * 32)])
    with pytest.raises(ReceiptError, match="key id"):
        receipts.key_set(forged)


def test_a_key_folder_from_before_rotation_keeps_working(tmp_path):
    # Earlier versions kept only receipt-signing-key.pem; it is the current key, made when the file was.
    legacy = platform_keys.load_or_create(tmp_path)
    (tmp_path / platform_keys.INDEX_FILE).unlink()
    old = receipt(legacy)
    loaded = platform_keys.load(tmp_path)
    assert loaded.current_id == legacy.current_id and loaded.document()["keys"][0]["created"].endswith("Z")
    platform_keys.rotate(tmp_path)
    receipts.verify_receipt(old, receipts.key_set(platform_keys.load(tmp_path).document()))


def test_create_refuses_to_replace_a_key_and_load_refuses_a_missing_one(tmp_path):
    with pytest.raises(platform_keys.NotProvisioned):
        platform_keys.load(tmp_path)
    platform_keys.create(tmp_path)
    with pytest.raises(ReceiptError, match="already"):
        platform_keys.create(tmp_path)
    assert (tmp_path / platform_keys.KEY_FILE).stat().st_mode & 0o777 == 0o600


def _production(tmp_path, *args):
    env = {**os.environ, "PLATFORM_CONFIG": "production", "SECRET_KEY": "s" * 48,
           "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "INSTANCE_PATH": str(tmp_path / "instance"),
           "PLATFORM_KEY_DIR": str(tmp_path / "keys")}
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_production_refuses_to_start_without_a_provisioned_key(tmp_path):
    start = ("-c", "from app import create_app; create_app(); print('started')")
    refused = _production(tmp_path, *start)
    assert refused.returncode == 2, refused.stderr
    assert refused.stdout == "" and "Traceback" not in refused.stderr
    lines = refused.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("configuration error: ") and "python -m app provision-keys" in lines[0]
    assert not (tmp_path / "keys" / platform_keys.KEY_FILE).exists()

    made = _production(tmp_path, "-m", "app", "provision-keys")
    assert made.returncode == 0 and platform_keys.KEY_FILE in made.stdout, made.stderr
    assert (tmp_path / "keys" / platform_keys.KEY_FILE).exists()
    shown = _production(tmp_path, "-m", "flask", "--app", "app:create_app", "seal", "platform-key", "show")
    assert json.loads(shown.stdout)["keys"][0]["key_id"] == json.loads(shown.stdout)["key_id"], shown.stderr
    again = _production(tmp_path, "-m", "app", "provision-keys")
    assert again.returncode == 0 and "already in place" in again.stdout

    started = _production(tmp_path, *start)
    assert started.returncode == 0 and started.stdout.strip() == "started", started.stderr


def test_a_receipt_naming_its_key_oddly_is_a_clear_error(tmp_path):
    keys = platform_keys.create(tmp_path)
    for key_id in (["x"], {"a": 1}, 7, None):
        body = receipts.canonical({**payload(receipt(keys)), "key_id": key_id})
        forged = {"payload": b64encode(body), "signature": b64encode(keys.signing_key.sign(body))}
        with pytest.raises(ReceiptError):
            receipts.verify_receipt(forged, receipts.key_set(keys.document()))
