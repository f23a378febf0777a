"""Credit records (信用记录) and their due process: objections and corrections."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core import clock
from core.db import TimestampMixin, db, enum_column
from credit.models.catalogue import ConductItem, ConductKind, SubjectKind


class RecordSource(str, enum.Enum):
    COMPLAINT = "complaint"  # a resident or owners' committee
    INSPECTION = "inspection"  # a bureau inspection
    HOTLINE = "hotline"  # a 12345 hotline referral
    TENDER = "tender"  # an event in the tendering module
    IMPORT = "import"  # an existing record brought in from another system


class RecordStatus(str, enum.Enum):
    DRAFT = "draft"
    NOTIFIED = "notified"
    DECIDED = "decided"
    PUBLISHED = "published"
    DISMISSED = "dismissed"
    CORRECTED = "corrected"


class Decision(str, enum.Enum):
    UPHELD = "upheld"
    REDUCED = "reduced"
    DISMISSED = "dismissed"


class ObjectionOutcome(str, enum.Enum):
    ACCEPTED = "accepted"
    PARTLY_ACCEPTED = "partly_accepted"
    REJECTED = "rejected"


class CorrectionOutcome(str, enum.Enum):
    APPROVED = "approved"
    REFUSED = "refused"


class CreditRecord(TimestampMixin, db.Model):
    """A finding of conduct against a firm or a project manager, from draft to expiry."""

    __tablename__ = "credit_record"
    __table_args__ = (
        sa.Index("ix_credit_record_firm_published", "firm_id", "published_at"),
        sa.Index("ix_credit_record_manager_published", "manager_id", "published_at"),
        sa.UniqueConstraint("source", "source_ref"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_kind: Mapped[SubjectKind] = mapped_column(enum_column(SubjectKind, 16))
    # For a manager's record, firm_id is the employer at the time (for the file), not the subject.
    firm_id: Mapped[int | None] = mapped_column(sa.ForeignKey("credit_subject.id"))
    manager_id: Mapped[int | None] = mapped_column(sa.ForeignKey("credit_project_manager.id"))
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("credit_conduct_item.id"), index=True)
    source: Mapped[RecordSource] = mapped_column(enum_column(RecordSource, 16))
    # Where it came from: a complaint's tracking number, a hotline ticket, a tender reference.
    source_ref: Mapped[str | None] = mapped_column(sa.String(64))
    complaint_id: Mapped[int | None] = mapped_column(sa.ForeignKey("credit_complaint.id"), index=True)
    district_code: Mapped[str] = mapped_column(sa.ForeignKey("district.code"), index=True)
    occurred_on: Mapped[date]
    facts: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[RecordStatus] = mapped_column(enum_column(RecordStatus, 16), default=RecordStatus.DRAFT, index=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    notified_at: Mapped[datetime | None]
    objection_deadline: Mapped[datetime | None]

    decision: Mapped[Decision | None] = mapped_column(enum_column(Decision, 16))
    decision_reasons: Mapped[str | None] = mapped_column(sa.Text)
    points: Mapped[int | None]  # decided points (magnitude); the item's points until decided
    decided_at: Mapped[datetime | None]
    # The decision's number (决定书文号), issued when it is decided: see credit.operations.numbers.
    decision_no: Mapped[str | None] = mapped_column(sa.String(32), unique=True)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    published_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
    correction_from: Mapped[datetime | None]
    corrected_at: Mapped[datetime | None]
    # Set by the expiry sweep so the exchange can report it; visibility never depends on it.
    expiry_reported_at: Mapped[datetime | None]

    item: Mapped[ConductItem] = relationship()
    firm = relationship("CreditSubject")
    manager = relationship("ProjectManager")
    district = relationship("District")
    complaint = relationship("Complaint", back_populates="records")
    objection: Mapped[Objection | None] = relationship(back_populates="record", uselist=False)
    corrections: Mapped[list[Correction]] = relationship(back_populates="record", order_by="Correction.id")

    @property
    def reference(self) -> str:
        return f"CR{self.id:08d}"

    def stage(self, now: datetime | None = None) -> str:
        """The due-process stage, derived from the stored facts at ``now``."""
        now = now or clock.now()
        if self.status == RecordStatus.NOTIFIED:
            return "objection_window" if now <= self.objection_deadline else "awaiting_decision"
        if self.status == RecordStatus.PUBLISHED and self.expires_at is not None and now >= self.expires_at:
            return "expired"
        return self.status.value

    def in_force(self, at: datetime) -> bool:
        """Does this record count (and show publicly) at instant ``at``?"""
        return in_force(self.published_at, self.expires_at, self.corrected_at, at)

    @classmethod
    def in_force_at(cls, at: datetime):
        """The same rule as :meth:`in_force`, as a SQL condition."""
        return sa.and_(
            cls.published_at.is_not(None),
            cls.published_at <= at,
            sa.or_(cls.expires_at.is_(None), cls.expires_at > at),
            sa.or_(cls.corrected_at.is_(None), cls.corrected_at > at),
        )

    @property
    def signed_points(self) -> int:
        return signed_points(self.points, self.item.points, self.item.kind)


def in_force(published_at: datetime | None, expires_at: datetime | None, corrected_at: datetime | None,
             at: datetime) -> bool:
    """The one rule of which records count: published at or before ``at``, not yet expired, not corrected."""
    return (published_at is not None and published_at <= at and (expires_at is None or at < expires_at)
            and (corrected_at is None or at < corrected_at))


def signed_points(decided: int | None, item_points: int, kind: ConductKind) -> int:
    """Points as they count towards a score: the decided magnitude (else the item's), negative for bad conduct."""
    magnitude = decided if decided is not None else item_points
    return -magnitude if kind == ConductKind.BAD else magnitude


class DecisionCounter(db.Model):
    """The last decision number issued per district and year (one row each, locked while issuing)."""

    __tablename__ = "credit_decision_counter"

    district_code: Mapped[str] = mapped_column(sa.String(6), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(default=0)


class Objection(TimestampMixin, db.Model):
    """The subject's one objection (异议) to a notified record, answered in the decision."""

    __tablename__ = "credit_objection"

    id: Mapped[int] = mapped_column(primary_key=True)
    # One objection per record: a second objection on the same point is refused.
    record_id: Mapped[int] = mapped_column(sa.ForeignKey("credit_record.id"), unique=True)
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    grounds: Mapped[str] = mapped_column(sa.Text)
    outcome: Mapped[ObjectionOutcome | None] = mapped_column(enum_column(ObjectionOutcome, 16))
    answer: Mapped[str | None] = mapped_column(sa.Text)
    answered_at: Mapped[datetime | None]

    record: Mapped[CreditRecord] = relationship(back_populates="objection")


class Correction(TimestampMixin, db.Model):
    """A request to end a published record early after rectification (信用修复)."""

    __tablename__ = "credit_correction"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(sa.ForeignKey("credit_record.id"), index=True)
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    statement: Mapped[str] = mapped_column(sa.Text)
    check_due_on: Mapped[date]
    outcome: Mapped[CorrectionOutcome | None] = mapped_column(enum_column(CorrectionOutcome, 16))
    reasons: Mapped[str | None] = mapped_column(sa.Text)
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    record: Mapped[CreditRecord] = relationship(back_populates="corrections")
