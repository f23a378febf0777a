"""The committee at work (评标委员会): invitations, bid codes, score sheets and scores, the presentation
lot, and the flags with what the panel did about each.

A panel belongs to one tender and one draw. Experts are known to the panel by their membership; bids
by a code (A, B, C…) that stays the only name an expert sees until every sheet is locked.
"""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import db, enum_column, utcnow


class PanelState(str, enum.Enum):
    DRAWING = "drawing"  # the draw is prepared (commitment published), not yet performed
    INVITING = "inviting"  # drawn; invitations out, seats not all accepted
    FORMED = "formed"  # every seat accepted: the tender is evaluating
    SCORING = "scoring"  # at least one sheet saved
    LOCKED = "locked"  # every sheet locked; codes may be revealed to the panel
    FLAGGED = "flagged"  # flags computed; the panel records what it did about each
    REPORTED = "reported"  # the report is drafted


class InvitationStatus(str, enum.Enum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"  # no answer by ``respond_by``: a reserve is called
    WITHDRAWN = "withdrawn"  # absent after accepting (a conduct entry)


class SheetPart(str, enum.Enum):
    TECHNICAL = "technical"  # the blind block
    BUSINESS = "business"
    PRESENTATION = "presentation"  # 现场答辩


class FlagAction(str, enum.Enum):
    CONFIRMED = "confirmed"  # the expert keeps the flagged score, with a reason
    CHANGED = "changed"  # the expert changed the flagged score
    EXPLANATION_REQUESTED = "explanation_requested"  # the bidder is asked in writing (abnormally low price)
    NO_ACTION = "no_action"  # the panel looked and saw nothing to act on, with a reason
    REFERRED = "referred"  # passed to the bureau


class EvaluationPanel(db.Model):
    """The evaluation committee of one tender, formed from one performed draw."""

    __tablename__ = "evaluation_panel"

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(sa.ForeignKey("tender.id"), unique=True)
    draw_id: Mapped[int] = mapped_column(sa.ForeignKey("evaluation_draw.id"))
    state: Mapped[PanelState] = mapped_column(enum_column(PanelState, 16), default=PanelState.DRAWING)
    evaluation_starts_at: Mapped[datetime]
    formed_at: Mapped[datetime | None]
    locked_at: Mapped[datetime | None]
    # The flags job: how far it got (0..100) and when it finished.
    flags_progress: Mapped[int] = mapped_column(default=0)
    flags_started_at: Mapped[datetime | None]
    flags_done_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    draw = relationship("Draw")
    tender = relationship("Tender")
    invitations: Mapped[list[PanelInvitation]] = relationship(back_populates="panel", cascade="all, delete-orphan",
                                                              order_by="PanelInvitation.id")
    codes: Mapped[list[BidCode]] = relationship(back_populates="panel", cascade="all, delete-orphan",
                                                order_by="BidCode.code")
    sheets: Mapped[list[ScoreSheet]] = relationship(back_populates="panel", cascade="all, delete-orphan",
                                                    order_by="ScoreSheet.id")
    lot: Mapped[PresentationLot | None] = relationship(back_populates="panel", uselist=False,
                                                       cascade="all, delete-orphan")
    flags: Mapped[list[EvaluationFlag]] = relationship(back_populates="panel", cascade="all, delete-orphan",
                                                       order_by="EvaluationFlag.id")

    def accepted(self) -> list[PanelInvitation]:
        return [i for i in self.invitations if i.status == InvitationStatus.ACCEPTED]


class PanelInvitation(db.Model):
    """An invitation to one drawn seat (专家邀请): answered within the set time, or a reserve is called.

    A representative of the tenderer (招标人代表) the tenderer appoints where the procedure allows one
    is invited the same way, without a drawn seat; a decline leaves the tenderer to appoint another."""

    __tablename__ = "evaluation_invitation"
    __table_args__ = (sa.UniqueConstraint("panel_id", "seat_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    panel_id: Mapped[int] = mapped_column(sa.ForeignKey("evaluation_panel.id", ondelete="CASCADE"), index=True)
    seat_id: Mapped[int | None] = mapped_column(sa.ForeignKey("evaluation_draw_seat.id"))
    membership_id: Mapped[int] = mapped_column(sa.ForeignKey("membership.id"), index=True)
    representative: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    status: Mapped[InvitationStatus] = mapped_column(enum_column(InvitationStatus, 16),
                                                     default=InvitationStatus.PENDING)
    sent_at: Mapped[datetime | None]  # set by the job that sends it
    respond_by: Mapped[datetime]
    responded_at: Mapped[datetime | None]
    reason: Mapped[str | None] = mapped_column(sa.String(32))  # a code of draw.REPLACE_REASONS
    note: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    panel: Mapped[EvaluationPanel] = relationship(back_populates="invitations")
    seat = relationship("DrawSeat")
    membership = relationship("Membership")


class BidCode(db.Model):
    """The code (A, B, C…) under which the panel sees one bid until every sheet is locked."""

    __tablename__ = "evaluation_bid_code"
    # Named by their first column: the code, then the bid, are unique within a panel.
    __table_args__ = (sa.UniqueConstraint("code", "panel_id"), sa.UniqueConstraint("bid_id", "panel_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    panel_id: Mapped[int] = mapped_column(sa.ForeignKey("evaluation_panel.id", ondelete="CASCADE"), index=True)
    bid_id: Mapped[int] = mapped_column(sa.ForeignKey("bid.id"))
    code: Mapped[str] = mapped_column(sa.String(4))

    panel: Mapped[EvaluationPanel] = relationship(back_populates="codes")
    bid = relationship("Bid")


class ScoreSheet(db.Model):
    """One expert's scores for one part (技术标、商务标、现场答辩), saved as drafts and then locked and signed.

    ``revision`` grows with every save; a save names the revision it started from, so two windows of
    the same expert cannot overwrite each other silently.
    """

    __tablename__ = "evaluation_score_sheet"
    __table_args__ = (sa.UniqueConstraint("panel_id", "membership_id", "part"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    panel_id: Mapped[int] = mapped_column(sa.ForeignKey("evaluation_panel.id", ondelete="CASCADE"), index=True)
    membership_id: Mapped[int] = mapped_column(sa.ForeignKey("membership.id"), index=True)
    part: Mapped[SheetPart] = mapped_column(enum_column(SheetPart, 16))
    revision: Mapped[int] = mapped_column(default=0)
    saved_at: Mapped[datetime | None]
    locked_at: Mapped[datetime | None]
    # SHA-256 of the canonical scores at locking, confirmed with the expert's second factor.
    locked_sha256: Mapped[str | None] = mapped_column(sa.String(64))

    panel: Mapped[EvaluationPanel] = relationship(back_populates="sheets")
    membership = relationship("Membership")
    scores: Mapped[list[Score]] = relationship(back_populates="sheet", cascade="all, delete-orphan",
                                               order_by="Score.id")


class Score(db.Model):
    """One expert's score for one item of one bid, with the reason (评分理由)."""

    __tablename__ = "evaluation_score"
    __table_args__ = (sa.UniqueConstraint("sheet_id", "bid_id", "item"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sheet_id: Mapped[int] = mapped_column(sa.ForeignKey("evaluation_score_sheet.id", ondelete="CASCADE"), index=True)
    bid_id: Mapped[int] = mapped_column(sa.ForeignKey("bid.id"), index=True)
    item: Mapped[str] = mapped_column(sa.String(32))
    points: Mapped[Decimal] = mapped_column(sa.Numeric(5, 1))
    reason: Mapped[str | None] = mapped_column(sa.Text)
    revision: Mapped[int]  # the sheet revision that last wrote it
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    sheet: Mapped[ScoreSheet] = relationship(back_populates="scores")


class PresentationLot(db.Model):
    """The lot that fixes the speaking order of the presentations (答辩顺序抽签), committed like the draw."""

    __tablename__ = "evaluation_presentation_lot"

    id: Mapped[int] = mapped_column(primary_key=True)
    panel_id: Mapped[int] = mapped_column(sa.ForeignKey("evaluation_panel.id", ondelete="CASCADE"), unique=True)
    commitment: Mapped[str] = mapped_column(sa.String(64))
    seed: Mapped[bytes] = mapped_column(sa.LargeBinary(32))
    codes: Mapped[list] = mapped_column(sa.JSON)  # the codes taking part, as published before the lot
    witness: Mapped[str | None] = mapped_column(sa.String(200))
    order: Mapped[list | None] = mapped_column(sa.JSON)  # the codes in speaking order
    prepared_at: Mapped[datetime] = mapped_column(default=utcnow)
    performed_at: Mapped[datetime | None]

    panel: Mapped[EvaluationPanel] = relationship(back_populates="lot")


class EvaluationFlag(db.Model):
    """A lead the flags engine raised (提示, never a verdict), and the panel's handling of it."""

    __tablename__ = "evaluation_flag"

    id: Mapped[int] = mapped_column(primary_key=True)
    panel_id: Mapped[int] = mapped_column(sa.ForeignKey("evaluation_panel.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    bid_codes: Mapped[list] = mapped_column(sa.JSON)
    # For a score flag: whose score, for which item.
    membership_id: Mapped[int | None] = mapped_column(sa.ForeignKey("membership.id"))
    item: Mapped[str | None] = mapped_column(sa.String(32))
    summary: Mapped[str] = mapped_column(sa.String(500))
    details: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    panel: Mapped[EvaluationPanel] = relationship(back_populates="flags")
    handlings: Mapped[list[FlagHandling]] = relationship(back_populates="flag", cascade="all, delete-orphan",
                                                         order_by="FlagHandling.id")


class FlagHandling(db.Model):
    """What was done about one flag, by whom, and why (处理记录)."""

    __tablename__ = "evaluation_flag_handling"

    id: Mapped[int] = mapped_column(primary_key=True)
    flag_id: Mapped[int] = mapped_column(sa.ForeignKey("evaluation_flag.id", ondelete="CASCADE"), index=True)
    action: Mapped[FlagAction] = mapped_column(enum_column(FlagAction, 24))
    note: Mapped[str] = mapped_column(sa.String(1000))
    points_before: Mapped[Decimal | None] = mapped_column(sa.Numeric(5, 1))
    points_after: Mapped[Decimal | None] = mapped_column(sa.Numeric(5, 1))
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    flag: Mapped[EvaluationFlag] = relationship(back_populates="handlings")


class BlindDecision(str, enum.Enum):
    PENDING = "pending"
    BREACH = "breach"  # the bureau finds the bid breaks the blind rule
    NO_BREACH = "no_breach"


class BlindCheck(db.Model):
    """The blind check of one bid's technical documents (暗标检查): the hits, for the bureau to decide."""

    __tablename__ = "evaluation_blind_check"
    __table_args__ = (sa.UniqueConstraint("tender_id", "bid_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(sa.ForeignKey("tender.id"), index=True)
    bid_id: Mapped[int] = mapped_column(sa.ForeignKey("bid.id"))
    # [{document, page, kind, text}…]: what the scan found, in the bureau's words.
    hits: Mapped[list] = mapped_column(sa.JSON, default=list)
    checked_at: Mapped[datetime] = mapped_column(default=utcnow)
    decision: Mapped[BlindDecision] = mapped_column(enum_column(BlindDecision, 16), default=BlindDecision.PENDING)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    decided_at: Mapped[datetime | None]
    note: Mapped[str | None] = mapped_column(sa.String(1000))

    bid = relationship("Bid")
