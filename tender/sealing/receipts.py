"""Signed receipts and the per-tender hash-chained receipt log (投标回执).

The platform's Ed25519 key is made once and kept in a file outside the database. A receipt's
payload is canonical JSON (sorted keys, no spaces, UTF-8); the receipt is that payload in base64
with an Ed25519 signature over exactly those bytes, so every verifier checks the same bytes
instead of re-encoding JSON. Each payload names the SHA-256 of the previous payload in the same
tender's log, so a changed, removed or reordered entry breaks the chain; a signed checkpoint
(the list published at the deadline) fixes the head, so dropping the last entries shows too.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from datetime import datetime, timezone
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding, NoEncryption, PrivateFormat, PublicFormat, load_pem_private_key,
)

from tender.sealing.errors import ReceiptError

GENESIS = "0" * 64
RECEIPT_TYPE = "tender-seal-receipt"
CHECKPOINT_TYPE = "tender-seal-checkpoint"
KEY_FILE_NAME = "receipt-signing-key.pem"


def canonical(data: dict) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def load_or_create_platform_key(directory) -> Ed25519PrivateKey:
    """The platform's signing key: created on first use with mode 0600, then only read."""
    path = Path(directory) / KEY_FILE_NAME
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        pem = Ed25519PrivateKey.generate().private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process won the race; read its key
        else:
            with os.fdopen(fd, "wb") as fh:
                fh.write(pem)
                fh.flush()
                os.fsync(fh.fileno())
    key = load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ReceiptError(f"{path} does not hold an Ed25519 key.")
    return key


def public_raw(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def public_key_document(key: Ed25519PrivateKey | Ed25519PublicKey) -> dict:
    """What the well-known URL publishes."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    raw = public_raw(public)
    return {
        "alg": "Ed25519",
        "key_id": hashlib.sha256(raw).hexdigest()[:32],
        "public_key": base64.b64encode(raw).decode(),
    }


def load_public(document_or_raw) -> Ed25519PublicKey:
    raw = document_or_raw
    if isinstance(document_or_raw, dict):
        raw = base64.b64decode(document_or_raw["public_key"])
    elif isinstance(document_or_raw, str):
        raw = base64.b64decode(document_or_raw)
    return Ed25519PublicKey.from_public_bytes(raw)


def _time(value: datetime) -> str:
    return value.astimezone(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def sign(key: Ed25519PrivateKey, payload: dict) -> dict:
    raw = canonical(payload)
    return {"payload": base64.b64encode(raw).decode(), "signature": base64.b64encode(key.sign(raw)).decode()}


def entry_hash(signed: dict) -> str:
    return hashlib.sha256(base64.b64decode(signed["payload"])).hexdigest()


def make_receipt(
    key: Ed25519PrivateKey,
    *,
    tender_id: str,
    bidder: str,
    bid_id: str,
    bid_version: int,
    envelope_sha256: str,
    server_time: datetime,
    seq: int,
    prev: str = GENESIS,
) -> dict:
    """Sign one receipt; ``seq`` starts at 1 and ``prev`` is the previous entry's hash in this tender."""
    return sign(key, {
        "type": RECEIPT_TYPE,
        "v": 1,
        "key_id": public_key_document(key)["key_id"],
        "tender": tender_id,
        "bidder": bidder,
        "bid": bid_id,
        "bid_version": int(bid_version),
        "envelope_sha256": envelope_sha256,
        "server_time": _time(server_time),
        "seq": int(seq),
        "prev": prev,
    })


def verify_signed(signed: dict, public_key: Ed25519PublicKey, expected_type: str) -> dict:
    """Check the signature and return the payload."""
    try:
        raw = base64.b64decode(signed["payload"], validate=True)
        signature = base64.b64decode(signed["signature"], validate=True)
        public_key.verify(signature, raw)
        payload = json.loads(raw)
    except (KeyError, TypeError, ValueError, InvalidSignature):
        raise ReceiptError(
            "The signature does not verify: this was not signed by the platform, or it was changed."
        ) from None
    if not isinstance(payload, dict) or payload.get("type") != expected_type or payload.get("v") != 1:
        raise ReceiptError(f"This is not a version 1 {expected_type}.")
    return payload


def verify_receipt(signed: dict, public_key: Ed25519PublicKey, *, envelope_sha256: str | None = None) -> dict:
    payload = verify_signed(signed, public_key, RECEIPT_TYPE)
    if envelope_sha256 is not None and payload["envelope_sha256"] != envelope_sha256:
        raise ReceiptError("The receipt names another envelope than this one.")
    return payload


def make_checkpoint(key: Ed25519PrivateKey, tender_id: str, entries: list[dict], at: datetime) -> dict:
    """The signed list of sealed bids published at the deadline: count and head of the log."""
    head = entry_hash(entries[-1]) if entries else GENESIS
    return sign(key, {
        "type": CHECKPOINT_TYPE, "v": 1, "tender": tender_id, "count": len(entries), "head": head, "time": _time(at),
    })


def verify_log(
    entries: list[dict],
    public_key: Ed25519PublicKey,
    *,
    tender_id: str | None = None,
    checkpoint: dict | None = None,
    receipts: list[dict] = (),
) -> list[dict]:
    """Verify a tender's whole log; return the payloads. Each problem names the entry it is at."""
    prev, payloads = GENESIS, []
    for number, signed in enumerate(entries, start=1):
        try:
            payload = verify_receipt(signed, public_key)
        except ReceiptError as exc:
            raise ReceiptError(f"Log entry {number}: {exc.message}", entry=number) from None
        if payload["seq"] != number or payload["prev"] != prev:
            raise ReceiptError(f"Log entry {number} does not follow entry {number - 1}: an entry was removed, "
                               "inserted or reordered.", entry=number)
        if tender_id is not None and payload["tender"] != tender_id:
            raise ReceiptError(f"Log entry {number} belongs to another tender.", entry=number)
        prev = entry_hash(signed)
        payloads.append(payload)
    if checkpoint is not None:
        point = verify_signed(checkpoint, public_key, CHECKPOINT_TYPE)
        if point["count"] != len(entries) or point["head"] != prev:
            raise ReceiptError("The log does not match the signed list published at the deadline.")
        if tender_id is not None and point["tender"] != tender_id:
            raise ReceiptError("The signed list belongs to another tender.")
    hashes = {entry_hash(e) for e in entries}
    for receipt in receipts:
        verify_receipt(receipt, public_key)
        if entry_hash(receipt) not in hashes:
            raise ReceiptError("A receipt held by a bidder is missing from the log.")
    return payloads
