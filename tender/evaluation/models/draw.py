"""A panel draw (专家抽取记录): what was published before it, what it picked, and the seats since."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import db, enum_column, utcnow


class DrawStatus(str, enum.Enum):
    PREPARED = "prepared"  # commitment and candidate list published, seed still secret
    PERFORMED = "performed"  # seed revealed, panel picked


class SeatRole(str, enum.Enum):
    MEMBER = "member"
    RESERVE = "reserve"


class SeatStatus(str, enum.Enum):
    DRAWN = "drawn"  # on the panel (members) or waiting in line (reserves)
    DECLINED = "declined"  # left the panel; a reserve took the seat
    CALLED = "called"  # a reserve who took a member's seat


class Draw(db.Model):
    """One draw for one tender's evaluation committee.

    ``seed`` is secret until ``performed_at``; ``salt`` (which maps
    experts to pseudonyms) never leaves the bureau's pages.
    """

    __tablename__ = "evaluation_draw"

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(sa.ForeignKey("tender.id"), index=True)
    algorithm: Mapped[str] = mapped_column(sa.String(32))
    status: Mapped[DrawStatus] = mapped_column(enum_column(DrawStatus, 16), default=DrawStatus.PREPARED)
    commitment: Mapped[str] = mapped_column(sa.String(64), unique=True)
    seed: Mapped[bytes] = mapped_column(sa.LargeBinary(32))
    salt: Mapped[bytes] = mapped_column(sa.LargeBinary(16))
    # The document published before the draw, as canonical JSON, and its SHA-256.
    publication: Mapped[str] = mapped_column(sa.Text)
    publication_sha256: Mapped[str] = mapped_column(sa.String(64))
    members: Mapped[int]
    reserves: Mapped[int]
    tenderer_representatives: Mapped[int] = mapped_column(default=0)
    evaluation_date: Mapped[date]
    witness: Mapped[str | None] = mapped_column(sa.String(200))
    # The pseudonyms picked, members then reserves, in draw order.
    result: Mapped[list | None] = mapped_column(sa.JSON)
    prepared_at: Mapped[datetime] = mapped_column(default=utcnow)
    prepared_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    performed_at: Mapped[datetime | None]
    performed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    candidates: Mapped[list[DrawCandidate]] = relationship(back_populates="draw", cascade="all, delete-orphan",
                                                           order_by="DrawCandidate.pseudonym")
    seats: Mapped[list[DrawSeat]] = relationship(back_populates="draw", cascade="all, delete-orphan",
                                                 order_by="DrawSeat.position")

    @property
    def size(self) -> int:
        return self.members + self.tenderer_representatives


class DrawCandidate(db.Model):
    """Who stands behind a pseudonym on the published list (never published itself)."""

    __tablename__ = "evaluation_draw_candidate"
    # Named by their first column: the pseudonym, then the expert, are unique within a draw.
    __table_args__ = (sa.UniqueConstraint("pseudonym", "draw_id"), sa.UniqueConstraint("membership_id", "draw_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    draw_id: Mapped[int] = mapped_column(sa.ForeignKey("evaluation_draw.id", ondelete="CASCADE"), index=True)
    membership_id: Mapped[int] = mapped_column(sa.ForeignKey("membership.id"), index=True)
    pseudonym: Mapped[str] = mapped_column(sa.String(16))
    weight: Mapped[int]

    draw: Mapped[Draw] = relationship(back_populates="candidates")
    membership = relationship("Membership")


class DrawSeat(db.Model):
    """A seat the draw filled: a member or a reserve, in draw order, and what became of it."""

    __tablename__ = "evaluation_draw_seat"
    __table_args__ = (sa.UniqueConstraint("draw_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    draw_id: Mapped[int] = mapped_column(sa.ForeignKey("evaluation_draw.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]  # 1-based draw order over members and reserves
    candidate_id: Mapped[int] = mapped_column(sa.ForeignKey("evaluation_draw_candidate.id"))
    role: Mapped[SeatRole] = mapped_column(enum_column(SeatRole, 16))
    status: Mapped[SeatStatus] = mapped_column(enum_column(SeatStatus, 16), default=SeatStatus.DRAWN)
    # Why a member left (declared_conflict, unavailable, no_answer, other), and who took the seat.
    reason: Mapped[str | None] = mapped_column(sa.String(32))
    note: Mapped[str | None] = mapped_column(sa.String(500))
    replaced_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("evaluation_draw_seat.id"))
    changed_at: Mapped[datetime | None]

    draw: Mapped[Draw] = relationship(back_populates="seats")
    candidate: Mapped[DrawCandidate] = relationship()
    replaced_by: Mapped[DrawSeat | None] = relationship(remote_side=[id])

    @property
    def serving(self) -> bool:
        """On the committee now: a member still seated, or a reserve who was called."""
        return self.status == SeatStatus.CALLED or (self.role == SeatRole.MEMBER and self.status == SeatStatus.DRAWN)
