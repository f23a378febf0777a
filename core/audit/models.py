"""Audit events (审计日志), linked into one hash chain."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from core.db import db


class AuditEvent(db.Model):
    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Position in the chain: contiguous from 1; unique, so a forked chain cannot be committed.
    seq: Mapped[int] = mapped_column(sa.BigInteger, unique=True)
    occurred_at: Mapped[datetime]
    actor_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"), index=True)
    actor_org_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisation.id"))
    district_code: Mapped[str | None] = mapped_column(sa.String(6), index=True)
    action: Mapped[str] = mapped_column(sa.String(64), index=True)
    subject_type: Mapped[str] = mapped_column(sa.String(64))
    subject_id: Mapped[str] = mapped_column(sa.String(64))
    # SHA-256 of the operation's data in canonical JSON; the data itself may hold personal details.
    data_digest: Mapped[str] = mapped_column(sa.String(64))
    # A short, non-personal description shown in the trail (e.g. old and new status).
    details: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    # HMAC-SHA256 of the hash under the audit MAC key (outside the database): a rewritten event
    # cannot carry a valid one. Events recorded before the key existed have none.
    mac: Mapped[str | None] = mapped_column(sa.String(64))

    __table_args__ = (sa.Index("ix_audit_event_subject", "subject_type", "subject_id"),)


class AuditHead(db.Model):
    """A signed chain head (审计链签名): the platform vouches that event ``seq`` had ``hash``.

    Made every quarter of an hour when the chain has grown, and at every tender deadline; each is
    also appended to a file beside the keys, so deleting these rows does not hide a cut tail.
    """

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(sa.BigInteger, index=True)
    hash: Mapped[str] = mapped_column(sa.String(64))
    # The first event that carries a MAC: every later one must carry one too.
    mac_from_seq: Mapped[int | None] = mapped_column(sa.BigInteger)
    signed_at: Mapped[datetime]
    reason: Mapped[str] = mapped_column(sa.String(100))
    key_id: Mapped[str] = mapped_column(sa.String(32))
    signature: Mapped[str] = mapped_column(sa.String(128))

    def payload(self) -> dict:
        return head_payload(self.seq, self.hash, self.mac_from_seq, self.signed_at, self.reason)


def head_payload(seq: int, hash_: str, mac_from_seq: int | None, signed_at: datetime, reason: str) -> dict:
    """What a head's signature covers."""
    return {"type": "audit-head", "v": 1, "seq": seq, "hash": hash_, "mac_from_seq": mac_from_seq,
            "signed_at": signed_at.isoformat(timespec="microseconds"), "reason": reason}
