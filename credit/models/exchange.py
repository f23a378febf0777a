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
    SENT = "sent"
    FAILED = "failed"


class ExchangeBatch(TimestampMixin, db.Model):
    """One pushed batch; the cursor is the highest ``last_item_id`` of a sent batch."""

    __tablename__ = "credit_exchange_batch"
    __table_args__ = (sa.UniqueConstraint("first_item_id", "last_item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    first_item_id: Mapped[int] = mapped_column(sa.BigInteger)
    last_item_id: Mapped[int] = mapped_column(sa.BigInteger)
    item_count: Mapped[int]
    status: Mapped[BatchStatus] = mapped_column(enum_column(BatchStatus, 8))
    attempts: Mapped[int] = mapped_column(default=1)
    jsonl_name: Mapped[str | None] = mapped_column(sa.String(200))
    jsonl_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    csv_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    error: Mapped[str | None] = mapped_column(sa.Text)


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
    digest: Mapped[str] = mapped_column(sa.String(64))
