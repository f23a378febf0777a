"""Bids as the platform holds them before the opening (投标文件): sealed envelopes, their versions,
the bid security and the signed list of sealed bids published at the deadline.

Nothing here can be read without k of the tender's custodians: a version keeps only the envelope's
blob key, its SHA-256 and the signed receipt, with the facts about who sent it from where.
"""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.accounts.models import Organisation
from core.db import db, enum_column, utcnow


class BidStatus(str, enum.Enum):
    SUBMITTED = "submitted"
    WITHDRAWN = "withdrawn"  # by the firm, before the deadline
    VALID = "valid"  # opened and accepted
    INVALID = "invalid"  # opened, but refused (the reason is kept)
    REVOKED = "revoked"  # cannot be opened, the bidder's fault
    LAPSED = "lapsed"  # cannot be opened, not the bidder's fault: treated as withdrawn


class Bid(db.Model):
    """A firm's bid for one tender (投标); its sealed contents live in its versions."""

    __tablename__ = "bid"
    __table_args__ = (sa.UniqueConstraint("tender_id", "firm_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(sa.ForeignKey("tender.id"), index=True)
    firm_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    ref: Mapped[str] = mapped_column(sa.String(64), unique=True)  # the bid id sealed in the envelope
    status: Mapped[BidStatus] = mapped_column(enum_column(BidStatus, 16), default=BidStatus.SUBMITTED)
    status_reason: Mapped[str | None] = mapped_column(sa.Text)
    current_version_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("bid_version.id", use_alter=True, name="fk_bid_current_version_id_bid_version")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    tender = relationship("Tender")
    firm: Mapped[Organisation] = relationship()
    versions: Mapped[list[BidVersion]] = relationship(back_populates="bid", order_by="BidVersion.version",
                                                      foreign_keys="BidVersion.bid_id")
    current_version: Mapped[BidVersion | None] = relationship(foreign_keys=[current_version_id], post_update=True)
    security: Mapped[BidSecurity | None] = relationship(back_populates="bid", uselist=False)


class BidVersion(db.Model):
    """One sealed envelope a firm uploaded for its bid; a later version supersedes it."""

    __tablename__ = "bid_version"
    __table_args__ = (sa.UniqueConstraint("bid_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bid_id: Mapped[int] = mapped_column(sa.ForeignKey("bid.id"), index=True)
    version: Mapped[int]
    envelope_blob: Mapped[str] = mapped_column(sa.String(64))  # blob key (its SHA-256)
    envelope_sha256: Mapped[str] = mapped_column(sa.String(64))
    envelope_size: Mapped[int] = mapped_column(sa.BigInteger)
    received_at: Mapped[datetime]
    receipt: Mapped[dict] = mapped_column(sa.JSON)  # the signed receipt, as issued
    superseded_at: Mapped[datetime | None]
    withdrawn_at: Mapped[datetime | None]
    withdrawal_receipt: Mapped[dict | None] = mapped_column(sa.JSON)  # the signed withdrawal entry
    uploader_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    remote_addr: Mapped[str] = mapped_column(sa.String(64), default="")
    user_agent: Mapped[str] = mapped_column(sa.String(300), default="")
    device_id: Mapped[str | None] = mapped_column(sa.String(64))

    bid: Mapped[Bid] = relationship(back_populates="versions", foreign_keys=[bid_id])


class BidSecurity(db.Model):
    """The bid security a firm declares it paid (投标保证金), and its return after the award."""

    __tablename__ = "bid_security"

    id: Mapped[int] = mapped_column(primary_key=True)
    bid_id: Mapped[int] = mapped_column(sa.ForeignKey("bid.id"), unique=True)
    amount_fen: Mapped[int] = mapped_column(sa.BigInteger)
    payer_account: Mapped[str] = mapped_column(sa.String(64))
    payer_name: Mapped[str] = mapped_column(sa.String(200))
    declared_at: Mapped[datetime] = mapped_column(default=utcnow)
    returned_at: Mapped[datetime | None]
    returned_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    return_note: Mapped[str] = mapped_column(sa.Text, default="")

    bid: Mapped[Bid] = relationship(back_populates="security")


class SealedBidList(db.Model):
    """The signed list of sealed bids published at the deadline (密封投标清单): envelope hashes and
    the head of the receipt log, never a bidder's name."""

    __tablename__ = "bid_sealed_list"

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(sa.ForeignKey("tender.id"), unique=True)
    signed: Mapped[dict] = mapped_column(sa.JSON)
    signed_at: Mapped[datetime]

    tender = relationship("Tender")
