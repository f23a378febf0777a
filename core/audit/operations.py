"""Recording, signing and verifying audit events.

Operations call :func:`record_event`; the event is linked into the chain just before the
transaction commits, under a transaction-scoped advisory lock on PostgreSQL. The lock is held
only from the link to the commit, so concurrent requests never fork the chain and unrelated work
is not serialised while it runs. Each event also carries a MAC under a key kept outside the
database, and :func:`sign_chain_head` signs the head (see :mod:`core.audit.keys`).
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from core.audit import keys as audit_keys_module
from core.audit.models import AuditEvent, AuditHead, head_payload
from core.db import db, utcnow

GENESIS = "0" * 64
ADVISORY_LOCK_KEY = 0x6175646974  # "audit"
_PENDING = "audit_pending"
_sqlite_lock = threading.Lock()


def canonical_json(data) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode()


def digest(data) -> str:
    return hashlib.sha256(canonical_json(data)).hexdigest()


@dataclass
class PendingEvent:
    occurred_at: datetime
    actor_user_id: int | None
    actor_org_id: int | None
    district_code: str | None
    action: str
    subject_type: str
    subject_id: str
    data_digest: str
    details: dict


def record_event(action: str, subject, *, actor=None, data=None, details=None, district=None) -> None:
    """Queue an audit event for ``subject`` (a model instance or a (type, id) pair) in this transaction."""
    from core.authz import active_membership

    if isinstance(subject, tuple):
        subject_type, subject_id = subject
    else:
        db.session.flush()
        subject_type, subject_id = type(subject).__tablename__, subject.id
    if district is None:
        district = getattr(subject, "district_code", None)
    actor_org_id = None
    if actor is not None:
        m = active_membership()  # None outside a request (jobs, commands)
        if m is not None and m.user_id == actor.id:
            actor_org_id = m.organisation_id
            if district is None:
                district = m.organisation.district_code
    db.session.info.setdefault(_PENDING, []).append(
        PendingEvent(
            occurred_at=utcnow(),
            actor_user_id=actor.id if actor is not None else None,
            actor_org_id=actor_org_id,
            district_code=district,
            action=action,
            subject_type=subject_type,
            subject_id=str(subject_id),
            data_digest=digest(data if data is not None else {}),
            details=details or {},
        )
    )


def has_pending_events(session: Session) -> bool:
    """Whether events are waiting for this session's commit."""
    return bool(session.info.get(_PENDING))


def event_hash(seq: int, prev_hash: str, e) -> str:
    body = {
        "seq": seq,
        "prev": prev_hash,
        "at": e.occurred_at.isoformat(timespec="microseconds"),
        "actor": e.actor_user_id,
        "org": e.actor_org_id,
        "district": e.district_code,
        "action": e.action,
        "subject": [e.subject_type, e.subject_id],
        "digest": e.data_digest,
        "details": e.details,
    }
    return hashlib.sha256(canonical_json(body)).hexdigest()


def _link_pending(session: Session) -> None:
    pending: list[PendingEvent] = session.info.pop(_PENDING, [])
    if not pending:
        return
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        session.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": ADVISORY_LOCK_KEY})
    else:
        _sqlite_lock.acquire()
        session.info["audit_sqlite_lock"] = True
    last = session.execute(
        sa.select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
    ).first()
    seq, prev = (last.seq, last.hash) if last else (0, GENESIS)
    keys = audit_keys()
    for e in pending:
        seq += 1
        h = event_hash(seq, prev, e)
        session.add(AuditEvent(seq=seq, prev_hash=prev, hash=h, mac=keys.mac(h) if keys else None, **e.__dict__))
        prev = h


def _release(session: Session) -> None:
    if session.info.pop("audit_sqlite_lock", False):
        _sqlite_lock.release()


def _discard(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint's rollback: _discard_soft drops just the events recorded since it began
    session.info.pop(_PENDING, None)
    _release(session)


_MARKS = "audit_savepoint_marks"


def _mark_savepoint(session: Session, transaction) -> None:
    if transaction.nested:
        session.info.setdefault(_MARKS, {})[id(transaction)] = len(session.info.get(_PENDING, []))


def _discard_soft(session: Session, previous_transaction) -> None:
    if previous_transaction.nested:
        # A savepoint rolled back: only the events recorded since it began go; the outer
        # transaction's events still stand.
        mark = session.info.get(_MARKS, {}).pop(id(previous_transaction), None)
        if mark is not None and _PENDING in session.info:
            del session.info[_PENDING][mark:]
        return
    session.info.pop(_PENDING, None)
    _release(session)


def install() -> None:
    """Hook the chain into every session's commit cycle (idempotent)."""
    if not event.contains(Session, "before_commit", _link_pending):
        event.listen(Session, "before_commit", _link_pending)
        event.listen(Session, "after_commit", _release)
        event.listen(Session, "after_rollback", _discard)
        event.listen(Session, "after_soft_rollback", _discard_soft)
        event.listen(Session, "after_transaction_create", _mark_savepoint)


def audit_keys() -> audit_keys_module.AuditKeys | None:
    """The audit keys of this installation (made on first use outside production), or None outside an app."""
    from flask import current_app, has_app_context

    if not has_app_context():
        return None
    cache = current_app.extensions.setdefault("audit_keys", {})
    if "keys" not in cache:
        cache["keys"] = audit_keys_module.load_keys(key_directory(), create=current_app.config.get("NAME") != "production")
    return cache["keys"]


def key_directory():
    from flask import current_app

    from core import key_folder

    return key_folder(current_app.config)


def sign_chain_head(reason: str, *, only_if_moved: bool = False) -> AuditHead | None:
    """Sign the chain's newest committed event; the head is kept as a row and in the heads file.

    ``reason`` says why (``periodic``, ``tender_deadline:<reference>``, ``manual``). With
    ``only_if_moved``, nothing is signed when the newest head already covers the newest event.
    """
    from core.jobs.queueing import call_after_commit

    keys = audit_keys()
    last = db.session.execute(sa.select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)).first()
    if last is None:
        return None
    if only_if_moved:
        latest = db.session.scalar(sa.select(sa.func.max(AuditHead.seq)))
        if latest is not None and latest >= last.seq:
            return None
    mac_from = db.session.scalar(sa.select(sa.func.min(AuditEvent.seq)).where(AuditEvent.mac.is_not(None)))
    signed_at = utcnow()
    payload = head_payload(last.seq, last.hash, mac_from, signed_at, reason[:100])
    head = AuditHead(seq=last.seq, hash=last.hash, mac_from_seq=mac_from, signed_at=signed_at, reason=reason[:100],
                     key_id=keys.key_id, signature=keys.sign(payload))
    db.session.add(head)
    db.session.flush()
    call_after_commit(audit_keys_module.append_head, key_directory(), {**payload, "key_id": head.key_id,
                                                                       "signature": head.signature})
    return head


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: str | None = None
    head: str = GENESIS
    signed_head: dict | None = None  # the newest signed head the chain was checked against


def signed_heads(keys: audit_keys_module.AuditKeys | None) -> tuple[dict | None, list[str]]:
    """The newest head with a valid signature (from the table and the file), and problems found."""
    from flask import has_app_context

    records = [{**row.payload(), "key_id": row.key_id, "signature": row.signature}
               for row in db.session.scalars(sa.select(AuditHead))]
    if has_app_context():
        records += audit_keys_module.read_heads(key_directory())
    problems, best = [], None
    for record in records:
        payload = {k: v for k, v in record.items() if k not in ("key_id", "signature")}
        if keys is None or not keys.signature_matches(payload, record.get("signature", "")):
            problems.append(f"a signed head for event {record.get('seq')} does not verify (changed or forged)")
            continue
        if best is None or record["seq"] > best["seq"]:
            best = record
    return best, problems


def verify_chain(batch: int = 5000, checkpoint: tuple[int, str] | None = None,
                 keys: audit_keys_module.AuditKeys | None = None, use_signed_heads: bool = True) -> VerifyResult:
    """Walk the chain from the start; name the first broken or changed event.

    Links alone cannot reveal events cut from the end, nor a chain rewritten by someone who
    recomputed every hash. So each event's MAC is checked with the audit key, and the chain is
    checked against the newest signed head (and against ``checkpoint``, ``(seq, hash)``, a head an
    operator kept from an earlier run): the chain must still hold that event with that hash.
    """
    keys = keys if keys is not None else audit_keys()
    head, problems = signed_heads(keys) if use_signed_heads else (None, [])
    if problems:
        return VerifyResult(False, 0, None, problems[0], signed_head=head)
    points = [p for p in ((head["seq"], head["hash"]) if head else None, checkpoint) if p]
    mac_from = head.get("mac_from_seq") if head else None
    prev, expected, checked, last_seq, macs_seen = GENESIS, 1, 0, 0, False
    while True:
        rows = db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.seq > last_seq).order_by(AuditEvent.seq).limit(batch)
        ).all()
        if not rows:
            missing_to = max((seq for seq, _h in points), default=0)
            if missing_to > last_seq:
                return VerifyResult(False, checked, last_seq + 1, f"events from {last_seq + 1} to {missing_to} are missing: "
                                    "they were cut from the end of the chain", prev, head)
            return VerifyResult(True, checked, head=prev, signed_head=head)
        for e in rows:
            if e.seq != expected:
                return VerifyResult(False, checked, expected, f"event {expected} is missing (next is {e.seq})", signed_head=head)
            if e.prev_hash != prev:
                return VerifyResult(False, checked, e.seq, "does not link to the event before it", signed_head=head)
            if event_hash(e.seq, e.prev_hash, e) != e.hash:
                return VerifyResult(False, checked, e.seq, "content does not match its hash", signed_head=head)
            if e.mac is None:
                if macs_seen or (mac_from is not None and e.seq >= mac_from):
                    return VerifyResult(False, checked, e.seq, "has no MAC, though every event since "
                                        f"{mac_from or 'an earlier one'} must have one: it was rewritten", signed_head=head)
            else:
                macs_seen = True
                if keys is not None and not keys.mac_matches(e.hash, e.mac):
                    return VerifyResult(False, checked, e.seq, "was changed: its MAC does not match (the hashes were "
                                        "recomputed without the platform's key)", signed_head=head)
            for seq, digest_ in points:
                if e.seq == seq and e.hash != digest_:
                    return VerifyResult(False, checked, e.seq, "differs from the signed head or checkpoint: an event up "
                                        "to here was changed", prev, head)
            prev, expected, last_seq, checked = e.hash, expected + 1, e.seq, checked + 1
        db.session.expunge_all()
