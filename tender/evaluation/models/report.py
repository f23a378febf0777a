"""The evaluation report (评标报告) and its recommended candidates (推荐中标候选人).

The report's ``body`` is the whole record as canonical JSON (every expert's scores and reasons, the
flags and their handling, the ranking); ``sha256`` is its digest, and each expert signs that digest
with the second factor. The award stage reads the candidates of a signed report.
"""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import db, enum_column, utcnow


class ReportState(str, enum.Enum):
    DRAFT = "draft"
    SIGNING = "signing"  # the body is fixed; experts sign its digest
    SIGNED = "signed"  # every expert signed: the tenderer and the bureau have received it


class EvaluationReport(db.Model):
    __tablename__ = "evaluation_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(sa.ForeignKey("tender.id"), unique=True)
    state: Mapped[ReportState] = mapped_column(enum_column(ReportState, 16), default=ReportState.DRAFT)
    body: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    sha256: Mapped[str | None] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When the last expert signed: the moment the tenderer receives the report.
    signed_at: Mapped[datetime | None]

    tender = relationship("Tender")
    candidates: Mapped[list[EvaluationCandidate]] = relationship(back_populates="report", cascade="all, delete-orphan",
                                                                 order_by="EvaluationCandidate.rank")
    signatures: Mapped[list[ReportSignature]] = relationship(back_populates="report", cascade="all, delete-orphan",
                                                             order_by="ReportSignature.id")


class EvaluationCandidate(db.Model):
    __tablename__ = "evaluation_candidate"
    # Unique constraints are named by their first column: rank, then bid, are unique within a report.
    __table_args__ = (sa.UniqueConstraint("rank", "report_id"), sa.UniqueConstraint("bid_id", "report_id"),
                      sa.CheckConstraint("rank BETWEEN 1 AND 3", name="rank_range"))

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(sa.ForeignKey("evaluation_report.id", ondelete="CASCADE"), index=True)
    rank: Mapped[int]
    bid_id: Mapped[int] = mapped_column(sa.ForeignKey("bid.id"))
    firm_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"))
    total_score: Mapped[Decimal] = mapped_column(sa.Numeric(7, 2))
    technical_score: Mapped[Decimal] = mapped_column(sa.Numeric(7, 2))
    price_score: Mapped[Decimal] = mapped_column(sa.Numeric(7, 2))
    presentation_score: Mapped[Decimal] = mapped_column(sa.Numeric(7, 2))
    credit_score: Mapped[Decimal] = mapped_column(sa.Numeric(7, 2))
    annual_total_fen: Mapped[int] = mapped_column(sa.BigInteger)
    fee_model: Mapped[str] = mapped_column(sa.String(16))
    project_manager_name: Mapped[str | None] = mapped_column(sa.String(100))
    project_manager_certificate: Mapped[str | None] = mapped_column(sa.String(64))

    report: Mapped[EvaluationReport] = relationship(back_populates="candidates")
    bid = relationship("Bid")
    firm = relationship("Organisation")


class ReportSignature(db.Model):
    """One expert's signature on the report's digest, confirmed with the second factor."""

    __tablename__ = "evaluation_report_signature"
    __table_args__ = (sa.UniqueConstraint("report_id", "membership_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(sa.ForeignKey("evaluation_report.id", ondelete="CASCADE"), index=True)
    membership_id: Mapped[int] = mapped_column(sa.ForeignKey("membership.id"))
    sha256: Mapped[str] = mapped_column(sa.String(64))
    signed_at: Mapped[datetime] = mapped_column(default=utcnow)

    report: Mapped[EvaluationReport] = relationship(back_populates="signatures")
