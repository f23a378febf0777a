"""Firms' registrations (报名), their questions (提问) and the clarifications and amendments that
answer them (澄清与修改)."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.accounts.models import Organisation
from core.db import db, enum_column, utcnow


class Registration(db.Model):
    """A verified firm registered for a tender, with the credit standing it had then.

    Before the deadline nobody but the district bureau may learn who registered, nor how many.
    """

    __tablename__ = "tender_registration"
    __table_args__ = (sa.UniqueConstraint("tender_id", "firm_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(sa.ForeignKey("tender.id"), index=True)
    firm_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    registered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    registered_at: Mapped[datetime] = mapped_column(default=utcnow)
    credit_score: Mapped[str] = mapped_column(sa.String(12))  # as credit gave it, two decimals
    credit_grade: Mapped[str | None] = mapped_column(sa.String(8))

    firm: Mapped[Organisation] = relationship()
    tender = relationship("Tender")


class ClarificationKind(str, enum.Enum):
    ANSWER = "answer"  # the answer to a firm's question
    CLARIFICATION = "clarification"  # a clarification the tenderer makes of its own accord
    AMENDMENT = "amendment"  # a new version of the tender documents


class Clarification(db.Model):
    """A clarification or amendment sent to every registered firm; it may have moved the deadline."""

    __tablename__ = "tender_clarification"
    __table_args__ = (sa.UniqueConstraint("tender_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(sa.ForeignKey("tender.id"), index=True)
    number: Mapped[int]
    kind: Mapped[ClarificationKind] = mapped_column(enum_column(ClarificationKind, 16))
    text: Mapped[str] = mapped_column(sa.Text)
    document_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tender_document.id"))
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    deadline_before: Mapped[datetime | None]
    deadline_after: Mapped[datetime | None]  # set only when this clarification moved the deadline

    document = relationship("TenderDocument")


class Question(db.Model):
    """A registered firm's question. The asker is shown to the bureau only; everyone else sees the code."""

    __tablename__ = "tender_question"
    __table_args__ = (sa.UniqueConstraint("tender_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(sa.ForeignKey("tender.id"), index=True)
    number: Mapped[int]
    asker_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    asked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    text: Mapped[str] = mapped_column(sa.Text)
    asked_at: Mapped[datetime] = mapped_column(default=utcnow)
    answer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tender_clarification.id"))

    asker: Mapped[Organisation] = relationship()
    answer: Mapped[Clarification | None] = relationship()

    @property
    def code(self) -> str:
        """The neutral code every page outside the bureau shows instead of the asker."""
        return f"Q{self.number:03d}"
