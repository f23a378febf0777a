"""Receipts and the hash-chained receipt log."""

import base64
import json
from datetime import datetime, timezone

import pytest

from tender.sealing import platform_keys, receipts
from tender.sealing.errors import ReceiptError

T0 = datetime(2026, 3, 1, 9, 30, tzinfo=timezone.utc)


@pytest.fixture
def key(tmp_path):
    return platform_keys.load_or_create(tmp_path).signing_key


def build_log(key, count=4, tender="T-1"):
    log, prev = [], receipts.GENESIS
    for seq in range(1, count + 1):
        r = receipts.make_receipt(key, tender_id=tender, bidder=f"firm-{seq}", bid_id=f"B-{seq}", bid_version=1,
                                  envelope_sha256=f"{seq:064x}", server_time=T0, seq=seq, prev=prev)
        log.append(r)
        prev = receipts.entry_hash(r)
    return log


def test_key_is_made_once_and_kept(tmp_path, key):
    again = platform_keys.load_or_create(tmp_path).signing_key
    assert receipts.public_key_document(again) == receipts.public_key_document(key)
    assert (tmp_path / platform_keys.KEY_FILE).stat().st_mode & 0o777 == 0o600


def test_receipt_verifies_and_names_its_envelope(key, tmp_path):
    r = build_log(key, 1)[0]
    public = receipts.load_public(receipts.public_key_document(key))
    payload = receipts.verify_receipt(r, public, envelope_sha256=f"{1:064x}")
    assert payload["tender"] == "T-1" and payload["server_time"] == "2026-03-01T09:30:00Z"
    with pytest.raises(ReceiptError):
        receipts.verify_receipt(r, public, envelope_sha256="0" * 64)
    other = platform_keys.load_or_create(tmp_path / "other").signing_key
    with pytest.raises(ReceiptError):
        receipts.verify_receipt(r, other.public_key())


def test_log_verifies_and_changed_or_removed_entries_are_caught(key, tmp_path):
    log = build_log(key)
    public = key.public_key()
    checkpoint = receipts.make_checkpoint(key, "T-1", log, T0)
    assert len(receipts.verify_log(log, public, tender_id="T-1", checkpoint=checkpoint, receipts=[log[2]])) == 4

    changed = json.loads(base64.b64decode(log[1]["payload"]))
    changed["envelope_sha256"] = "f" * 64
    forged = dict(log[1], payload=base64.b64encode(receipts.canonical(changed)).decode())
    with pytest.raises(ReceiptError, match="entry 2"):
        receipts.verify_log([log[0], forged] + log[2:], public)
    with pytest.raises(ReceiptError, match="entry 2"):
        receipts.verify_log([log[0]] + log[2:], public)  # removed from the middle
    with pytest.raises(ReceiptError, match="entry 2"):
        receipts.verify_log([log[0], log[2], log[1], log[3]], public)  # reordered
    with pytest.raises(ReceiptError, match="signed list"):
        receipts.verify_log(log[:-1], public, checkpoint=checkpoint)  # removed from the end
    with pytest.raises(ReceiptError, match="missing"):
        receipts.verify_log(log[:-1], public, receipts=[log[-1]])
    # A fully re-signed forged log by another key fails on the signature.
    other = platform_keys.load_or_create(tmp_path / "other").signing_key
    with pytest.raises(ReceiptError, match="entry 1"):
        receipts.verify_log(build_log(other), public)
