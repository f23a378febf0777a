"""Objections to the candidates (异议) and complaints to the district bureau (投诉)."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import db, enum_column


class PartyKind(str, enum.Enum):
    BIDDER = "bidder"  # a firm that bid on the tender
    COMMITTEE = "committee"  # a member of the community's owners' committee (an account)
    OWNER = "owner"  # an owner of the community of an owners' assembly tender, by the public form


class ObjectionPoint(str, enum.Enum):
    """What an objection is about; one party objects once per point."""

    RANKING = "ranking"
    SCORES = "scores"
    QUALIFICATION = "qualification"
    PRICE = "price"
    PROJECT_MANAGER = "project_manager"
    PROCEDURE = "procedure"
    OTHER = "other"


class ObjectionState(str, enum.Enum):
    OPEN = "open"
    ANSWERED = "answered"


class AwardObjection(db.Model):
    __tablename__ = "award_objection"
    # A second objection on the same point by the same party is refused here too.
    __table_args__ = (sa.UniqueConstraint("publicity_id", "party_key", "point", name="uq_award_objection_point"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(sa.String(20), unique=True)
    tender_id: Mapped[int] = mapped_column(sa.ForeignKey("tender.id"), index=True)
    publicity_id: Mapped[int] = mapped_column(sa.ForeignKey("award_publicity.id"), index=True)
    party_kind: Mapped[PartyKind] = mapped_column(enum_column(PartyKind, 16))
    party_key: Mapped[str] = mapped_column(sa.String(80))  # firm:ID, user:ID or owner:PHONE
    firm_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisation.id"))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    owner_name: Mapped[str | None] = mapped_column(sa.String(100))
    owner_room: Mapped[str | None] = mapped_column(sa.String(60))
    owner_phone: Mapped[str | None] = mapped_column(sa.String(32))
    point: Mapped[ObjectionPoint] = mapped_column(enum_column(ObjectionPoint, 20))
    reasons: Mapped[str] = mapped_column(sa.Text)
    evidence: Mapped[list] = mapped_column(sa.JSON, default=list)  # [{name, sha256, size, media_type}]
    lodged_at: Mapped[datetime]
    answer_due_at: Mapped[datetime]
    state: Mapped[ObjectionState] = mapped_column(enum_column(ObjectionState, 16), default=ObjectionState.OPEN)
    answer: Mapped[str | None] = mapped_column(sa.Text)
    answered_at: Mapped[datetime | None]
    answered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    complaint: Mapped[AwardComplaint | None] = relationship(back_populates="objection", uselist=False)
    tender = relationship("Tender")
    firm = relationship("Organisation")


class ComplaintDecision(str, enum.Enum):
    DISMISSED = "dismissed"
    RE_EVALUATION = "re_evaluation"  # back to the panel (EVALUATING)
    NEW_CANDIDATE = "new_candidate"  # the first candidate is removed; the next one is offered
    RE_TENDER = "re_tender"  # the tender fails and is tendered again


class AwardComplaint(db.Model):
    __tablename__ = "award_complaint"

    id: Mapped[int] = mapped_column(primary_key=True)
    objection_id: Mapped[int] = mapped_column(sa.ForeignKey("award_objection.id"), unique=True)
    tender_id: Mapped[int] = mapped_column(sa.ForeignKey("tender.id"), index=True)
    reasons: Mapped[str] = mapped_column(sa.Text)
    lodged_at: Mapped[datetime]
    lodged_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    decision: Mapped[ComplaintDecision | None] = mapped_column(enum_column(ComplaintDecision, 20))
    decision_reasons: Mapped[str | None] = mapped_column(sa.Text)
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    objection: Mapped[AwardObjection] = relationship(back_populates="complaint")
