"""Sealed-bid operations: registering and checking custodian keys, issuing receipts.

Each operation flushes and records its audit event; the request commits. Key checks are
stateless: the platform recomputes the expected answer from the context it signed into the check.
"""

from __future__ import annotations

import re
import time

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from core.accounts.models import Role, User
from core.audit.operations import record_event
from core.db import DomainError, NotFound, db, utcnow
from tender.sealing import custodians, hpke, keyfile, receipts
from tender.sealing import platform_keys as platform_keys_store
from tender.sealing.encoding import b64decode
from tender.sealing.models import CustodianKey, SealReceipt

CHECK_MAX_AGE = 15 * 60  # seconds a key check may be answered after it was made
ORIGINS = ("browser", "cli")
# Who a tender may name as a key custodian: the tenderer or its agency, the bureaus, operators and
# experts. A firm bids, so it never holds a share of another firm's bid.
CUSTODIAN_ROLES = frozenset(Role) - {Role.FIRM}


def _secret() -> bytes:
    return keyfile.check_secret(current_app.config["SECRET_KEY"])


def _public_key(text: str) -> bytes:
    try:
        return b64decode(text, 32)
    except ValueError:
        raise DomainError(_("The public key must be 32 bytes in base64."), code="bad_public_key",
                          field="public_key") from None


def _context(kind: str, user: User) -> str:
    return f"{kind}:{user.id}:{int(time.time())}"


_CONTEXT = re.compile(r"([a-z]+):([0-9]+):([0-9]{1,12})")  # ASCII digits only: int() also reads "٣"


def _check_context(context: str, kind: str, user: User) -> None:
    parts = _CONTEXT.fullmatch(str(context))
    fresh = parts is not None and 0 <= time.time() - int(parts[3]) <= CHECK_MAX_AGE
    if not fresh or parts[1] != kind or parts[2] != str(user.id):
        raise DomainError(_("This key check has expired. Start again."), code="check_expired")


def may_hold_custody(user: User, role: Role | None) -> bool:
    """Whether the custodian key pages concern ``user`` acting in ``role`` (a custodian already, or may become one)."""
    return bool(user.is_key_custodian) or role in CUSTODIAN_ROLES


def active_key(user: User) -> CustodianKey | None:
    """The custodian key in use by ``user``, if any."""
    return db.session.scalar(
        sa.select(CustodianKey).where(CustodianKey.user_id == user.id, CustodianKey.retired_at.is_(None))
    )


def issue_registration_check(user: User, public_key: str) -> dict:
    """A test share wrapped to a key the user wants to register; answering it proves possession."""
    return keyfile.make_key_check(_secret(), _public_key(public_key), _context("register", user))


def register_custodian_key(user: User, data: dict, *, actor: User) -> CustodianKey:
    """Register a custodian's public key after checking the proof; retires the user's previous key."""
    public = _public_key(data["public_key"])
    _check_context(data["context"], "register", user)
    if not keyfile.verify_key_check_answer(_secret(), public, data["context"], data["answer"]):
        raise DomainError(_("The key check was not answered with this key."), code="bad_proof")
    kid = hpke.key_id(public).hex()
    if db.session.scalar(sa.select(CustodianKey.id).where(CustodianKey.key_id == kid)):
        raise DomainError(_("This key is already registered."), code="duplicate_key")
    previous = active_key(user)
    if previous is not None:
        previous.retired_at = utcnow()
        record_event("sealing.custodian_key_retired", previous, actor=actor, data={"key_id": previous.key_id})
    origin = data.get("origin") if data.get("origin") in ORIGINS else "cli"
    key = CustodianKey(user_id=user.id, key_id=kid, public_key=public, label=(data.get("label") or "")[:100],
                       origin=origin, proof_context=data["context"], last_checked_at=utcnow())
    db.session.add(key)
    user.is_key_custodian = True
    db.session.flush()
    record_event("sealing.custodian_key_registered", key, actor=actor, data={"key_id": kid, "origin": origin})
    return key


def issue_key_check(user: User) -> dict:
    """A test share for the user's registered key (the "check my key file" page and command)."""
    key = active_key(user)
    if key is None:
        raise NotFound(_("You have no custodian key registered."))
    return keyfile.make_key_check(_secret(), key.public_key, _context("check", user))


def confirm_key_check(user: User, data: dict, *, actor: User) -> CustodianKey:
    """Record that the user's key file and passphrase unwrapped a test share."""
    key = active_key(user)
    if key is None:
        raise NotFound(_("You have no custodian key registered."))
    _check_context(data["context"], "check", user)
    if not keyfile.verify_key_check_answer(_secret(), key.public_key, data["context"], data["answer"]):
        raise DomainError(_("The answer does not match: this is not the registered key."), code="bad_answer")
    key.last_checked_at = utcnow()
    db.session.flush()
    record_event("sealing.custodian_key_checked", key, actor=actor, data={"key_id": key.key_id})
    return key


def custodian_list(tender_ref: str, deadline, threshold: int, keys: list[CustodianKey]) -> dict:
    """The document a firm seals to (custodians.json): the tender, its deadline, k and the keys in order."""
    return custodians.encode(tender_ref, deadline, threshold, [k.public_key for k in keys])


def platform_keys() -> platform_keys_store.PlatformKeys:
    """The receipt-signing keys: provisioned in production (checked at start), made on first use elsewhere."""
    directory = current_app.config["PLATFORM_KEY_DIR"]
    if current_app.config.get("NAME") == "production":
        return platform_keys_store.load(directory)
    return platform_keys_store.load_or_create(directory)


def platform_key_document() -> dict:
    """Every receipt-signing public key ever used, as published at the well-known URL and the API."""
    return platform_keys().document()


def issue_receipt(tender_ref: str, bidder_ref: str, bid_ref: str, bid_version: int, envelope_sha256: str,
                  *, actor: User | None, entry_type: str = receipts.RECEIPT_TYPE, at=None) -> dict:
    """Append a signed receipt to the tender's log and return it (called when an envelope is stored;
    with ``entry_type=receipts.WITHDRAWAL_TYPE``, the signed withdrawal of that envelope). ``at`` is
    the server time it names (the business clock's, by which the deadline was checked), now by default."""
    last = db.session.scalar(
        sa.select(SealReceipt).where(SealReceipt.tender_ref == tender_ref).order_by(SealReceipt.seq.desc()).limit(1)
        .with_for_update()
    )
    seq, prev = (last.seq + 1, last.entry_hash) if last else (1, receipts.GENESIS)
    signed = receipts.make_receipt(platform_keys().signing_key, tender_id=tender_ref, bidder=bidder_ref, bid_id=bid_ref,
                                   bid_version=bid_version, envelope_sha256=envelope_sha256, server_time=at or utcnow(),
                                   seq=seq, prev=prev, entry_type=entry_type)
    entry = SealReceipt(tender_ref=tender_ref, seq=seq, bidder_ref=bidder_ref, bid_ref=bid_ref,
                        bid_version=bid_version, envelope_sha256=envelope_sha256, payload=signed["payload"],
                        signature=signed["signature"], entry_hash=receipts.entry_hash(signed))
    db.session.add(entry)
    db.session.flush()  # the unique (tender_ref, seq) refuses a concurrent duplicate; the caller retries
    event = "sealing.receipt_issued" if entry_type == receipts.RECEIPT_TYPE else "sealing.withdrawal_signed"
    record_event(event, ("tender", tender_ref), actor=actor,
                 data={"seq": seq, "envelope_sha256": envelope_sha256, "entry_hash": entry.entry_hash})
    return signed


def sign_sealed_list(tender_ref: str, envelopes: list[str], at) -> dict:
    """The signed checkpoint of the tender's log and the signed list of the envelopes that stand."""
    entries = receipt_log(tender_ref)
    key = platform_keys().signing_key
    return {"checkpoint": receipts.make_checkpoint(key, tender_ref, entries, at),
            "list": receipts.make_sealed_list(key, tender_ref, entries, envelopes, at)}


def receipt_log(tender_ref: str) -> list[dict]:
    """The tender's receipts in order, as signed (to publish at the deadline, and to verify)."""
    rows = db.session.scalars(
        sa.select(SealReceipt).where(SealReceipt.tender_ref == tender_ref).order_by(SealReceipt.seq)
    )
    return [r.signed() for r in rows]
