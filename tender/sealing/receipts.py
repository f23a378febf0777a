"""Signed receipts and the per-tender hash-chained receipt log (投标回执).

The platform's Ed25519 keys live in a folder outside the database (``platform_keys``). A receipt's
payload is canonical JSON (sorted keys, no spaces, UTF-8); the receipt is that payload in base64
with an Ed25519 signature over exactly those bytes, so every verifier checks the same bytes
instead of re-encoding JSON. Each payload names the SHA-256 of the previous payload in the same
tender's log, so a changed, removed or reordered entry breaks the chain; a signed checkpoint
(the list published at the deadline) fixes the head, so dropping the last entries shows too. Each
payload names the key id it was signed with, and verifiers pick that key from the platform's
published set, so receipts signed before a key rotation keep verifying.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from tender.sealing.encoding import b64decode, b64encode
from tender.sealing.errors import ReceiptError

GENESIS = "0" * 64
RECEIPT_TYPE = "tender-seal-receipt"
WITHDRAWAL_TYPE = "tender-seal-withdrawal"
CHECKPOINT_TYPE = "tender-seal-checkpoint"
SEALED_LIST_TYPE = "tender-sealed-bid-list"
# The entries of a tender's log: a receipt for each envelope received, a withdrawal for each bid withdrawn.
ENTRY_TYPES = (RECEIPT_TYPE, WITHDRAWAL_TYPE)


def canonical(data: dict) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def public_raw(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def key_id_of(key: Ed25519PublicKey) -> str:
    """The key id a receipt names: hex(SHA-256(public key))[0:32]."""
    return hashlib.sha256(public_raw(key)).hexdigest()[:32]


def public_key_document(key: Ed25519PrivateKey | Ed25519PublicKey) -> dict:
    """One key as published: ``{"alg", "key_id", "public_key"}``."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return {"alg": "Ed25519", "key_id": key_id_of(public), "public_key": b64encode(public_raw(public))}


def load_public(document_or_raw) -> Ed25519PublicKey:
    """One public key from its published document, its base64 text or its 32 raw bytes."""
    raw = document_or_raw
    try:
        if isinstance(document_or_raw, dict):
            raw = b64decode(document_or_raw.get("public_key"), 32)
        elif isinstance(document_or_raw, str):
            raw = b64decode(document_or_raw, 32)
        return Ed25519PublicKey.from_public_bytes(raw)
    except (ValueError, TypeError):
        raise ReceiptError("A platform key must be 32 bytes in base64 (or its published document).") from None


class KeySet:
    """The platform's receipt keys by key id: what a verifier picks a receipt's key from."""

    def __init__(self, keys: dict[str, Ed25519PublicKey]):
        self.keys = keys

    def for_payload(self, payload: dict) -> list[Ed25519PublicKey]:
        """The key a payload names; a payload from before key ids were written may be any of them."""
        if "key_id" not in payload:
            return list(self.keys.values())
        key = self.keys.get(payload["key_id"]) if isinstance(payload["key_id"], str) else None
        if key is None:
            raise ReceiptError(
                f"This was signed with key {payload['key_id']}, which is not among the platform's published keys."
            )
        return [key]


def key_set(published) -> KeySet:
    """A KeySet from the published key set, one key's document, base64 text, raw bytes or a public key.

    Each entry's key id must be that of its key: a mislabelled key could otherwise stand in for another.
    """
    if isinstance(published, KeySet):
        return published
    if isinstance(published, Ed25519PublicKey):
        return KeySet({key_id_of(published): published})
    entries = published.get("keys", [published]) if isinstance(published, dict) else [published]
    if not isinstance(entries, list):
        raise ReceiptError("The platform's key set must list its keys.")
    keys = {}
    for entry in entries:
        public = load_public(entry)
        if isinstance(entry, dict) and entry.get("key_id") != key_id_of(public):
            raise ReceiptError("A published platform key has a key id that is not its own.")
        keys[key_id_of(public)] = public
    return KeySet(keys)


def _time(value: datetime) -> str:
    return value.astimezone(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def sign(key: Ed25519PrivateKey, payload: dict) -> dict:
    raw = canonical(payload)
    return {"payload": b64encode(raw), "signature": b64encode(key.sign(raw))}


def decode_payload(signed: dict) -> bytes:
    """The signed bytes P of a receipt or checkpoint (not yet verified)."""
    try:
        return b64decode(signed["payload"])
    except (KeyError, TypeError, ValueError):
        raise ReceiptError("This is not a signed receipt: its payload is not base64.") from None


def entry_hash(signed: dict) -> str:
    return hashlib.sha256(decode_payload(signed)).hexdigest()


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
    entry_type: str = RECEIPT_TYPE,
) -> dict:
    """Sign one log entry (a receipt, or with ``entry_type=WITHDRAWAL_TYPE`` a withdrawal of the
    version ``envelope_sha256`` names); ``seq`` starts at 1 and ``prev`` is the previous entry's hash."""
    if entry_type not in ENTRY_TYPES:
        raise ReceiptError(f"A log entry is a receipt or a withdrawal, not {entry_type!r}.")
    return sign(key, {
        "type": entry_type,
        "v": 1,
        "key_id": key_id_of(key.public_key()),
        "tender": tender_id,
        "bidder": bidder,
        "bid": bid_id,
        "bid_version": int(bid_version),
        "envelope_sha256": envelope_sha256,
        "server_time": _time(server_time),
        "seq": int(seq),
        "prev": prev,
    })


def verify_signed(signed: dict, keys, expected_type: str | tuple[str, ...]) -> dict:
    """Check the signature with the key the payload names and return the payload.

    ``keys`` is anything :func:`key_set` takes. The payload is parsed before the signature is
    checked only to read which key to check it with; nothing else of it is used until it verifies.
    """
    keys = key_set(keys)
    unsigned = ReceiptError("The signature does not verify: this was not signed by the platform, or it was changed.")
    try:
        raw = decode_payload(signed)
        signature = b64decode(signed["signature"], 64)
        payload = json.loads(raw)
    except (KeyError, TypeError, ValueError, ReceiptError):
        raise unsigned from None
    if not isinstance(payload, dict):
        raise unsigned
    for public_key in keys.for_payload(payload):
        try:
            public_key.verify(signature, raw)
            break
        except InvalidSignature:
            continue
    else:
        raise unsigned
    expected = (expected_type,) if isinstance(expected_type, str) else expected_type
    if payload.get("type") not in expected or payload.get("v") != 1:
        raise ReceiptError(f"This is not a version 1 {' or '.join(expected)}.")
    return payload


def verify_receipt(signed: dict, keys, *, envelope_sha256: str | None = None,
                   types: tuple[str, ...] = (RECEIPT_TYPE,)) -> dict:
    payload = verify_signed(signed, keys, types)
    if envelope_sha256 is not None and payload["envelope_sha256"] != envelope_sha256:
        raise ReceiptError("The receipt names another envelope than this one.")
    return payload


def make_checkpoint(key: Ed25519PrivateKey, tender_id: str, entries: list[dict], at: datetime) -> dict:
    """The signed list of sealed bids published at the deadline: count and head of the log."""
    head = entry_hash(entries[-1]) if entries else GENESIS
    return sign(key, {
        "type": CHECKPOINT_TYPE, "v": 1, "key_id": key_id_of(key.public_key()), "tender": tender_id,
        "count": len(entries), "head": head, "time": _time(at),
    })


def verify_log(
    entries: list[dict],
    keys,
    *,
    tender_id: str | None = None,
    checkpoint: dict | None = None,
    receipts: list[dict] = (),
) -> list[dict]:
    """Verify a tender's whole log; return the payloads. Each problem names the entry it is at."""
    keys = key_set(keys)
    prev, payloads = GENESIS, []
    for number, signed in enumerate(entries, start=1):
        try:
            payload = verify_receipt(signed, keys, types=ENTRY_TYPES)
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
        point = verify_signed(checkpoint, keys, CHECKPOINT_TYPE)
        if point["count"] != len(entries) or point["head"] != prev:
            raise ReceiptError("The log does not match the signed list published at the deadline.")
        if tender_id is not None and point["tender"] != tender_id:
            raise ReceiptError("The signed list belongs to another tender.")
    hashes = {entry_hash(e) for e in entries}
    for receipt in receipts:
        verify_receipt(receipt, keys, types=ENTRY_TYPES)
        if entry_hash(receipt) not in hashes:
            raise ReceiptError("A receipt held by a bidder is missing from the log.")
    return payloads


def make_sealed_list(key: Ed25519PrivateKey, tender_id: str, entries: list[dict], envelopes: list[str],
                     at: datetime) -> dict:
    """The list of sealed bids published at the deadline: the SHA-256 of every envelope that stands
    (each bid's final version, withdrawn bids left out), sorted, with the count and head of the log.
    It names no bidder."""
    head = entry_hash(entries[-1]) if entries else GENESIS
    return sign(key, {
        "type": SEALED_LIST_TYPE, "v": 1, "key_id": key_id_of(key.public_key()), "tender": tender_id,
        "envelopes": sorted(envelopes), "count": len(entries), "head": head, "time": _time(at),
    })


def verify_sealed_list(signed: dict, keys, *, entries: list[dict] | None = None, receipt: dict | None = None) -> dict:
    """Check a published list; with the log, that it is this log's head; with a receipt, that its envelope is listed."""
    keys = key_set(keys)
    payload = verify_signed(signed, keys, SEALED_LIST_TYPE)
    if entries is not None:
        verify_log(entries, keys, tender_id=payload["tender"])
        head = entry_hash(entries[-1]) if entries else GENESIS
        if payload["count"] != len(entries) or payload["head"] != head:
            raise ReceiptError("The log does not match the signed list published at the deadline.")
    if receipt is not None:
        mine = verify_receipt(receipt, keys)
        if mine["tender"] != payload["tender"] or mine["envelope_sha256"] not in payload["envelopes"]:
            raise ReceiptError("The envelope this receipt names is not in the signed list of sealed bids.")
    return payload
