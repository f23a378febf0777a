"""The publicity of the ranked candidates (中标候选人公示) and the candidates as published.

The candidates are copied from the signed evaluation report when they are published, so what the
public read stays exactly what was published whatever happens to the report later. A re-evaluation
ordered by the bureau ends a publicity (``closed_at``); the next report is published as a new round.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import db


class CandidatePublicity(db.Model):
    __tablename__ = "award_publicity"
    __table_args__ = (sa.UniqueConstraint("tender_id", "round"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(sa.ForeignKey("tender.id"), index=True)
    round: Mapped[int] = mapped_column(default=1)
    report_id: Mapped[int | None] = mapped_column(sa.ForeignKey("evaluation_report.id"))  # the report published
    report_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    report_signed_at: Mapped[datetime]
    due_at: Mapped[datetime]  # the candidates must be published by then
    published_at: Mapped[datetime]
    ends_at: Mapped[datetime]  # the publicity runs at least until then
    published_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    closed_at: Mapped[datetime | None]  # ended early by a re-evaluation or a re-tender
    closed_reason: Mapped[str | None] = mapped_column(sa.String(32))

    candidates: Mapped[list[PublicityCandidate]] = relationship(back_populates="publicity",
                                                                order_by="PublicityCandidate.rank")

    @property
    def late(self) -> bool:
        return self.published_at > self.due_at

    def running(self, now: datetime) -> bool:
        return self.closed_at is None and self.published_at <= now <= self.ends_at

    def ended(self, now: datetime) -> bool:
        return now > self.ends_at


class PublicityCandidate(db.Model):
    """One ranked candidate as published: its price, scores and project manager."""

    __tablename__ = "award_candidate"
    __table_args__ = (sa.UniqueConstraint("publicity_id", "rank"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    publicity_id: Mapped[int] = mapped_column(sa.ForeignKey("award_publicity.id"), index=True)
    rank: Mapped[int]
    bid_id: Mapped[int | None] = mapped_column(sa.ForeignKey("bid.id"))
    firm_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    firm_name: Mapped[str] = mapped_column(sa.String(200))
    total_score: Mapped[Decimal] = mapped_column(sa.Numeric(7, 2))
    technical_score: Mapped[Decimal | None] = mapped_column(sa.Numeric(7, 2))
    price_score: Mapped[Decimal | None] = mapped_column(sa.Numeric(7, 2))
    presentation_score: Mapped[Decimal | None] = mapped_column(sa.Numeric(7, 2))
    credit_score: Mapped[Decimal | None] = mapped_column(sa.Numeric(7, 2))
    annual_total_fen: Mapped[int | None] = mapped_column(sa.BigInteger)
    fee_model: Mapped[str | None] = mapped_column(sa.String(16))
    project_manager_name: Mapped[str] = mapped_column(sa.String(100), default="")
    project_manager_certificate: Mapped[str] = mapped_column(sa.String(60), default="")
    # Set when the bureau's decision on a complaint removed this candidate (a new candidate is offered).
    excluded_at: Mapped[datetime | None]
    excluded_reason: Mapped[str | None] = mapped_column(sa.Text)

    publicity: Mapped[CandidatePublicity] = relationship(back_populates="candidates")
    firm = relationship("Organisation")
