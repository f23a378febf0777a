"""Exchange with the city public credit platform, bulk imports and issued credit reports."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from core.db import TimestampMixin, db, enum_column, utcnow


class ExchangeItem(db.Model):
    """An outbox entry written in the same transaction as the decision, publication, correction or expiry."""

    __tablename__ = "credit_exchange_item"

    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True)
    record_id: Mapped[int] = mapped_column(sa.ForeignKey("credit_record.id"), index=True)
    event: Mapped[str] = mapped_column(sa.String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    payload: Mapped[dict] = mapped_column(sa.JSON)


class BatchStatus(str, enum.Enum):
    PENDING = "pending"  # kept with its bytes and key, not acknowledged yet: resent as it is
    SENT = "sent"
    FAILED = "failed"  # a delivery attempt failed; still pending, resent as it is


class ExchangeBatch(TimestampMixin, db.Model):
    """One batch for the city platform, kept (items, bytes and key) before it is first delivered and
    resent identically until the platform acknowledges it. The cursor is the highest ``last_item_id``
    of any batch: items once put in a batch never go into another."""

    __tablename__ = "credit_exchange_batch"
    __table_args__ = (sa.UniqueConstraint("first_item_id", "last_item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    first_item_id: Mapped[int] = mapped_column(sa.BigInteger)
    last_item_id: Mapped[int] = mapped_column(sa.BigInteger)
    item_count: Mapped[int]
    status: Mapped[BatchStatus] = mapped_column(enum_column(BatchStatus, 8), default=BatchStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=1)
    jsonl_name: Mapped[str | None] = mapped_column(sa.String(200))
    jsonl_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    csv_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    error: Mapped[str | None] = mapped_column(sa.Text)
    # What is delivered, byte for byte, on every attempt (the Idempotency-Key is ``jsonl_name``).
    jsonl: Mapped[str | None] = mapped_column(sa.Text, deferred=True)
    csv: Mapped[str | None] = mapped_column(sa.Text, deferred=True)
    acknowledged_at: Mapped[datetime | None]

    @property
    def delivered(self) -> bool:
        return self.status == BatchStatus.SENT


class ImportRun(TimestampMixin, db.Model):
    """A CSV bulk import and its row-by-row report."""

    __tablename__ = "credit_import_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(sa.String(200))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    total_rows: Mapped[int] = mapped_column(default=0)
    imported_rows: Mapped[int] = mapped_column(default=0)
    rejected_rows: Mapped[int] = mapped_column(default=0)
    report: Mapped[list] = mapped_column(sa.JSON, default=list)


class ReportCertificate(db.Model):
    """A printed credit report: what it said, when, and the code that lets anyone check it."""

    __tablename__ = "credit_report_certificate"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(24), unique=True)
    subject_kind: Mapped[str] = mapped_column(sa.String(16))
    subject_key: Mapped[str] = mapped_column(sa.String(32))
    subject_name: Mapped[str] = mapped_column(sa.String(200))
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    score: Mapped[str | None] = mapped_column(sa.String(16))
    grade: Mapped[str | None] = mapped_column(sa.String(16))
    record_refs: Mapped[list] = mapped_column(sa.JSON, default=list)
    # The seriously-untrustworthy listing as the report stated it (None: not listed), and whether
    # the subject could bid then.
    listing: Mapped[dict | None] = mapped_column(sa.JSON)
    may_bid: Mapped[bool | None]
    digest: Mapped[str] = mapped_column(sa.String(64))
