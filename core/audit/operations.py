"""Recording and verifying audit events.

Operations call :func:`record_event`; the event is linked into the chain just before the
transaction commits, under a transaction-scoped advisory lock on PostgreSQL. The lock is held
only from the link to the commit, so concurrent requests never fork the chain and unrelated work
is not serialised while it runs.
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

from core.audit.models import AuditEvent
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
    for e in pending:
        seq += 1
        h = event_hash(seq, prev, e)
        session.add(AuditEvent(seq=seq, prev_hash=prev, hash=h, **e.__dict__))
        prev = h


def _release(session: Session) -> None:
    if session.info.pop("audit_sqlite_lock", False):
        _sqlite_lock.release()


def _discard(session: Session) -> None:
    session.info.pop(_PENDING, None)
    _release(session)


def _discard_soft(session: Session, previous_transaction) -> None:
    if previous_transaction.nested:
        return  # a savepoint: the events of the outer transaction still stand
    _discard(session)


def install() -> None:
    """Hook the chain into every session's commit cycle (idempotent)."""
    if not event.contains(Session, "before_commit", _link_pending):
        event.listen(Session, "before_commit", _link_pending)
        event.listen(Session, "after_commit", _release)
        event.listen(Session, "after_rollback", _discard)
        event.listen(Session, "after_soft_rollback", _discard_soft)


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: str | None = None
    head: str = GENESIS


def verify_chain(batch: int = 5000, checkpoint: tuple[int, str] | None = None) -> VerifyResult:
    """Walk the chain from the start; name the first broken link.

    Links alone cannot reveal events cut from the end of the chain, so operators keep the head
    printed by an earlier run (a checkpoint, ``(seq, hash)``) and pass it back: the chain must still
    hold that event with that hash.
    """
    prev, expected, checked = GENESIS, 1, 0
    last_seq = 0
    while True:
        rows = db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.seq > last_seq).order_by(AuditEvent.seq).limit(batch)
        ).all()
        if not rows:
            if checkpoint and checkpoint[0] > last_seq:
                return VerifyResult(False, checked, last_seq + 1, f"events from {last_seq + 1} to checkpoint {checkpoint[0]} are missing", prev)
            return VerifyResult(True, checked, head=prev)
        for e in rows:
            if checkpoint and e.seq == checkpoint[0] and e.hash != checkpoint[1]:
                return VerifyResult(False, checked, e.seq, "differs from the checkpoint", prev)
            if e.seq != expected:
                return VerifyResult(False, checked, expected, f"event {expected} is missing (next is {e.seq})")
            if e.prev_hash != prev:
                return VerifyResult(False, checked, e.seq, "does not link to the event before it")
            if event_hash(e.seq, e.prev_hash, e) != e.hash:
                return VerifyResult(False, checked, e.seq, "content does not match its hash")
            prev, expected, last_seq, checked = e.hash, expected + 1, e.seq, checked + 1
        db.session.expunge_all()
