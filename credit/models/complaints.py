"""Complaints (投诉) filed by residents and owners' committees through the public form."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import TimestampMixin, db, enum_column


class ComplaintStatus(str, enum.Enum):
    RECEIVED = "received"
    RECORD_OPENED = "record_opened"
    CLOSED = "closed"  # no case to answer; the reason is given to the complainant


class ComplainantKind(str, enum.Enum):
    RESIDENT = "resident"
    OWNERS_COMMITTEE = "owners_committee"


class Complaint(TimestampMixin, db.Model):
    __tablename__ = "credit_complaint"

    id: Mapped[int] = mapped_column(primary_key=True)
    tracking_number: Mapped[str] = mapped_column(sa.String(20), unique=True)
    status: Mapped[ComplaintStatus] = mapped_column(enum_column(ComplaintStatus, 16), default=ComplaintStatus.RECEIVED)
    firm_name: Mapped[str] = mapped_column(sa.String(200))
    firm_uscc: Mapped[str | None] = mapped_column(sa.String(18))
    subject_id: Mapped[int | None] = mapped_column(sa.ForeignKey("credit_subject.id"))
    community: Mapped[str] = mapped_column(sa.String(200))
    district_code: Mapped[str] = mapped_column(sa.ForeignKey("district.code"), index=True)
    occurred_on: Mapped[date | None]
    description: Mapped[str] = mapped_column(sa.Text)
    complainant_kind: Mapped[ComplainantKind] = mapped_column(enum_column(ComplainantKind, 24))
    # Personal data: shown to the district supervisor only.
    complainant_name: Mapped[str] = mapped_column(sa.String(100))
    complainant_phone: Mapped[str | None] = mapped_column(sa.String(32))
    complainant_email: Mapped[str | None] = mapped_column(sa.String(254))
    closed_reason: Mapped[str | None] = mapped_column(sa.Text)
    handled_at: Mapped[datetime | None]
    handled_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    subject = relationship("CreditSubject")
    district = relationship("District")
    attachments: Mapped[list[ComplaintAttachment]] = relationship(back_populates="complaint")
    records = relationship("CreditRecord", back_populates="complaint")


class ComplaintAttachment(TimestampMixin, db.Model):
    """Evidence uploaded with a complaint; held by a draft token until the complaint is submitted."""

    __tablename__ = "credit_complaint_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int | None] = mapped_column(sa.ForeignKey("credit_complaint.id"), index=True)
    draft_token: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    filename: Mapped[str] = mapped_column(sa.String(200))
    content_type: Mapped[str] = mapped_column(sa.String(64))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    data: Mapped[bytes] = mapped_column(sa.LargeBinary, deferred=True)

    complaint: Mapped[Complaint | None] = relationship(back_populates="attachments")


class ComplaintDraft(TimestampMixin, db.Model):
    """The answers of a complaint being filled in, kept on the server under a random token.

    The visitor's session holds only the token: a long description would not fit in a cookie, and
    what a resident has typed must not be lost between questions.
    """

    __tablename__ = "credit_complaint_draft"

    token: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    answers: Mapped[dict] = mapped_column(sa.JSON, default=dict)

