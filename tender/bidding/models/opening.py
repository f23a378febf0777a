"""The opening ceremony (开标) and what it leaves behind: the opening record, each valid bid's
parsed price sheet and its decrypted documents, the custodians' share submissions, the bidders'
objections at the opening and their confirmations of the record, and a failed tender's way out.

Shares are kept only until the envelopes are opened (fewer than k of them reveal nothing); then
their values are erased and only who submitted, and when, is kept.
"""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from core.accounts.models import Organisation, User
from core.db import db, enum_column, utcnow


class OpeningState(str, enum.Enum):
    WAITING = "waiting"  # the deadline passed; custodians are submitting their shares
    IN_PROGRESS = "in_progress"  # k shares are in; the envelopes are being opened
    OPENED = "opened"  # every envelope was dealt with and the record is published
    POSTPONED = "postponed"  # too few custodians by the set time; a new time was announced


class Opening(db.Model):
    """A tender's opening ceremony and its published record (开标记录)."""

    __tablename__ = "bid_opening"

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(sa.ForeignKey("tender.id"), unique=True)
    state: Mapped[OpeningState] = mapped_column(enum_column(OpeningState, 16), default=OpeningState.WAITING)
    scheduled_at: Mapped[datetime]  # when the ceremony starts (the announced opening time, or the new one)
    quorum_due_at: Mapped[datetime]  # by when k custodians must have submitted their shares
    postponed_until: Mapped[datetime | None]
    postponements: Mapped[int] = mapped_column(default=0)
    started_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    record: Mapped[dict | None] = mapped_column(sa.JSON)
    record_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    received: Mapped[int] = mapped_column(default=0)
    valid: Mapped[int] = mapped_column(default=0)
    invalid: Mapped[int] = mapped_column(default=0)  # invalid, revoked and lapsed bids together
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    submissions: Mapped[list[ShareSubmission]] = relationship(back_populates="opening", order_by="ShareSubmission.id",
                                                              cascade="all, delete-orphan")
    objections: Mapped[list[OpeningObjection]] = relationship(back_populates="opening",
                                                              order_by="OpeningObjection.id",
                                                              cascade="all, delete-orphan")
    confirmations: Mapped[list[OpeningConfirmation]] = relationship(back_populates="opening",
                                                                    order_by="OpeningConfirmation.id",
                                                                    cascade="all, delete-orphan")


class ShareSubmission(db.Model):
    """One custodian's shares of every bid's file key (密钥分片), unwrapped on their own device."""

    __tablename__ = "bid_opening_share"
    __table_args__ = (sa.UniqueConstraint("opening_id", "custodian_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    opening_id: Mapped[int] = mapped_column(sa.ForeignKey("bid_opening.id"), index=True)
    custodian_id: Mapped[int] = mapped_column(sa.ForeignKey("tender_custodian.id"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    key_id: Mapped[str] = mapped_column(sa.String(32))
    # {bid_version_id: share hex}; erased (None) once the envelopes are opened.
    shares: Mapped[dict | None] = mapped_column(sa.JSON)
    # {bid_version_id: error code} for bids the custodian's tool could not unwrap (kept: it is evidence).
    failures: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    via: Mapped[str] = mapped_column(sa.String(16), default="browser")  # "browser" or "cli"
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    erased_at: Mapped[datetime | None]

    opening: Mapped[Opening] = relationship(back_populates="submissions")
    user: Mapped[User] = relationship()


class OpeningObjection(db.Model):
    """A bidder's objection raised during the opening, and the tenderer's answer there (开标异议, 实施条例第四十四条)."""

    __tablename__ = "bid_opening_objection"

    id: Mapped[int] = mapped_column(primary_key=True)
    opening_id: Mapped[int] = mapped_column(sa.ForeignKey("bid_opening.id"), index=True)
    firm_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"))
    raised_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    text: Mapped[str] = mapped_column(sa.Text)
    raised_at: Mapped[datetime] = mapped_column(default=utcnow)
    answer: Mapped[str | None] = mapped_column(sa.Text)
    answered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    answered_at: Mapped[datetime | None]

    opening: Mapped[Opening] = relationship(back_populates="objections")
    firm: Mapped[Organisation] = relationship()


class OpeningConfirmation(db.Model):
    """A bidder's confirmation of the opening record (开标记录确认)."""

    __tablename__ = "bid_opening_confirmation"
    __table_args__ = (sa.UniqueConstraint("opening_id", "firm_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    opening_id: Mapped[int] = mapped_column(sa.ForeignKey("bid_opening.id"), index=True)
    firm_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"))
    confirmed_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    record_sha256: Mapped[str] = mapped_column(sa.String(64))  # the record the bidder saw
    confirmed_at: Mapped[datetime] = mapped_column(default=utcnow)

    opening: Mapped[Opening] = relationship(back_populates="confirmations")
    firm: Mapped[Organisation] = relationship()


class BidPriceSheet(db.Model):
    """The price sheet of an opened bid (报价表), parsed from the envelope's price-sheet section. Money in fen."""

    __tablename__ = "bid_price_sheet"

    id: Mapped[int] = mapped_column(primary_key=True)
    bid_id: Mapped[int] = mapped_column(sa.ForeignKey("bid.id"), unique=True)
    schema_version: Mapped[int]
    fee_model: Mapped[str] = mapped_column(sa.String(16))  # lump_sum | commission
    fees: Mapped[list] = mapped_column(sa.JSON)  # [{property_type, fee_fen_per_m2_month}]
    commission_rate_bp: Mapped[int | None]
    commission_fixed_fen: Mapped[int | None] = mapped_column(sa.BigInteger)
    annual_total_fen: Mapped[int] = mapped_column(sa.BigInteger)
    labour_cost_monthly_fen: Mapped[int] = mapped_column(sa.BigInteger)
    staffing: Mapped[list] = mapped_column(sa.JSON)  # [{post, headcount, monthly_cost_fen}]
    project_manager: Mapped[dict] = mapped_column(sa.JSON)  # {name, certificate_no, phone}
    contact: Mapped[dict] = mapped_column(sa.JSON)  # {name, phone}
    key_people: Mapped[list] = mapped_column(sa.JSON, default=list)  # [{name, post, certificate_no, id_number, phone}]

    bid = relationship("Bid", backref=backref("price_sheet", uselist=False))


class DocumentPart(str, enum.Enum):
    TECHNICAL = "technical"  # 技术标: scored without the bidder's name
    BUSINESS = "business"  # 商务标
    QUALIFICATION = "qualification"  # 资格审查材料


class BidDocument(db.Model):
    """A decrypted bid document (投标文件), kept in blob storage for the panel and the bureau only."""

    __tablename__ = "bid_document"
    __table_args__ = (sa.UniqueConstraint("bid_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bid_id: Mapped[int] = mapped_column(sa.ForeignKey("bid.id"), index=True)
    part: Mapped[str] = mapped_column(sa.String(16))  # technical | business | qualification
    name: Mapped[str] = mapped_column(sa.String(255))
    blob: Mapped[str] = mapped_column(sa.String(64))  # the blob key (SHA-256 of the plaintext)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    size: Mapped[int] = mapped_column(sa.BigInteger)
    media_type: Mapped[str] = mapped_column(sa.String(100))
    position: Mapped[int]

    bid = relationship("Bid", backref=backref("documents", order_by="BidDocument.position"))


class FailurePath(str, enum.Enum):
    RETENDER = "retender"  # 重新招标
    NEGOTIATED = "negotiated"  # 协议选聘, with the bureau's approval


class NegotiationState(str, enum.Enum):
    REQUESTED = "requested"
    APPROVED = "approved"
    REFUSED = "refused"


class FailedTender(db.Model):
    """Why a tender failed at its opening and what the tenderer did next (招标失败)."""

    __tablename__ = "bid_failed_tender"

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(sa.ForeignKey("tender.id"), unique=True)
    valid_bids: Mapped[int]
    minimum: Mapped[int]
    failed_at: Mapped[datetime] = mapped_column(default=utcnow)
    path: Mapped[FailurePath | None] = mapped_column(enum_column(FailurePath, 16))
    retender_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tender.id"))
    negotiation_state: Mapped[NegotiationState | None] = mapped_column(enum_column(NegotiationState, 16))
    negotiated_firm_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisation.id"))
    negotiation_reasons: Mapped[str | None] = mapped_column(sa.Text)
    requested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    requested_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str | None] = mapped_column(sa.Text)

    negotiated_firm: Mapped[Organisation | None] = relationship(foreign_keys=[negotiated_firm_id])
