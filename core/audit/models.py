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

    __table_args__ = (sa.Index("ix_audit_event_subject", "subject_type", "subject_id"),)
