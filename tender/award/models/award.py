"""The award (定标): each offer of the award to a candidate, the filings with the district bureau
and the reminders sent about them."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import db, enum_column


class OfferOutcome(str, enum.Enum):
    DECLINED = "declined"  # the candidate declined the award
    FAILED_TO_SIGN = "failed_to_sign"  # no contract within the period
    DISQUALIFIED = "disqualified"  # found ineligible after the award


class Award(db.Model):
    """The award offered to one candidate, with its notice (中标通知书). A candidate who declines,
    fails to sign or is disqualified ends its offer, and the next candidate gets a new one."""

    __tablename__ = "award"
    __table_args__ = (sa.UniqueConstraint("tender_id", "candidate_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(sa.ForeignKey("tender.id"), index=True)
    candidate_id: Mapped[int] = mapped_column(sa.ForeignKey("award_candidate.id"))
    firm_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    confirmed_at: Mapped[datetime]  # the date of the award notice
    confirmed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    notices_sent_at: Mapped[datetime | None]  # set by the job that sends the notices (once)
    filing_due_at: Mapped[datetime]
    contract_due_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    outcome: Mapped[OfferOutcome | None] = mapped_column(enum_column(OfferOutcome, 20))
    outcome_note: Mapped[str | None] = mapped_column(sa.Text)
    credit_record_id: Mapped[int | None] = mapped_column(sa.ForeignKey("credit_record.id"))

    candidate = relationship("PublicityCandidate")
    firm = relationship("Organisation")
    filings: Mapped[list[AwardFiling]] = relationship(back_populates="award", order_by="AwardFiling.id")

    @property
    def current(self) -> bool:
        return self.ended_at is None

    def filing(self, kind: FilingKind) -> AwardFiling | None:
        return next((f for f in self.filings if f.kind == kind), None)


class FilingKind(str, enum.Enum):
    AWARD = "award"  # 定标备案: records, reasons, report, winning bid, agency contract
    CONTRACT = "contract"  # 合同备案


class FilingState(str, enum.Enum):
    SUBMITTED = "submitted"
    FILED = "filed"
    RETURNED = "returned"


class AwardFiling(db.Model):
    """A filing with the district bureau (备案); a returned filing is mended and submitted again."""

    __tablename__ = "award_filing"
    __table_args__ = (sa.UniqueConstraint("award_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    award_id: Mapped[int] = mapped_column(sa.ForeignKey("award.id"), index=True)
    kind: Mapped[FilingKind] = mapped_column(enum_column(FilingKind, 16))
    state: Mapped[FilingState] = mapped_column(enum_column(FilingState, 16))
    reasons: Mapped[str] = mapped_column(sa.Text, default="")  # the tenderer's reasons for the choice
    documents: Mapped[list] = mapped_column(sa.JSON, default=list)  # [{role, name, sha256, size, media_type}]
    # The contract's public part (fee disclosure): service content, fee model, fees, term.
    public_part: Mapped[dict | None] = mapped_column(sa.JSON)
    signed_on: Mapped[datetime | None]
    submitted_at: Mapped[datetime]
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    decision_reasons: Mapped[str | None] = mapped_column(sa.Text)
    filing_number: Mapped[str | None] = mapped_column(sa.String(40))

    award: Mapped[Award] = relationship(back_populates="filings")


class AwardReminder(db.Model):
    """A reminder sent about an award's filing or contract: one per (award, what, stage)."""

    __tablename__ = "award_reminder"
    __table_args__ = (sa.UniqueConstraint("award_id", "what", "stage"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    award_id: Mapped[int] = mapped_column(sa.ForeignKey("award.id"), index=True)
    what: Mapped[str] = mapped_column(sa.String(16))  # award | contract
    stage: Mapped[str] = mapped_column(sa.String(16))  # due_soon | overdue
    sent_at: Mapped[datetime]
