"""What the platform stores for sealed bids: custodians' public keys and the receipt log.

No private key, share or file key is ever stored: a custodian's private key stays in their key
file (开标密钥), and a file key exists only in memory during an opening.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.accounts.models import User
from core.db import db, utcnow


class CustodianKey(db.Model):
    """A custodian's X25519 public key, registered with a proof that they hold the private key."""

    __tablename__ = "custodian_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    key_id: Mapped[str] = mapped_column(sa.String(32), unique=True)  # hex of the 16-byte key id
    public_key: Mapped[bytes] = mapped_column(sa.LargeBinary(32))
    label: Mapped[str] = mapped_column(sa.String(100), default="")
    origin: Mapped[str] = mapped_column(sa.String(16))  # "browser" or "cli": where the key was made
    # The key check answered at registration: the proof of possession, kept for the audit trail.
    proof_context: Mapped[str] = mapped_column(sa.String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_checked_at: Mapped[datetime | None]
    retired_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()

    @property
    def is_active(self) -> bool:
        return self.retired_at is None


class SealReceipt(db.Model):
    """One entry of a tender's hash-chained receipt log (投标回执), exactly as it was signed."""

    __tablename__ = "seal_receipt"
    __table_args__ = (sa.UniqueConstraint("tender_ref", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_ref: Mapped[str] = mapped_column(sa.String(64), index=True)
    seq: Mapped[int]
    bidder_ref: Mapped[str] = mapped_column(sa.String(64))
    bid_ref: Mapped[str] = mapped_column(sa.String(64))
    bid_version: Mapped[int]
    envelope_sha256: Mapped[str] = mapped_column(sa.String(64))
    payload: Mapped[str] = mapped_column(sa.Text)  # base64 of the signed canonical JSON
    signature: Mapped[str] = mapped_column(sa.String(128))
    entry_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def signed(self) -> dict:
        return {"payload": self.payload, "signature": self.signature}
