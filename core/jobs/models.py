"""Outgoing mail (发件箱) and in-app notifications (站内通知).

Both are rows written in the business transaction and delivered by a job after it commits; the
state of each is derived from its timestamps, so a second run of a job sees it already delivered.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.accounts.models import User
from core.db import db, utcnow


class OutgoingMail(db.Model):
    """One message to one address: queued, then sent by SMTP or kept in the outbox."""

    __tablename__ = "outgoing_mail"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(sa.String(254))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(64), default="general")
    subject: Mapped[str] = mapped_column(sa.String(300))
    # Cleared once an SMTP server has accepted the message (bodies may carry one-time links);
    # in outbox mode the stored body is the delivery, except for sensitive mail (below).
    body: Mapped[str] = mapped_column(sa.Text)
    body_sha256: Mapped[str] = mapped_column(sa.String(64))
    # The body holds a live secret (a password-reset link): operators never read it, and it is not
    # kept once delivered; only the embedded demo keeps it in the outbox, for a limited time.
    sensitive: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # "smtp" or "outbox", set with sent_at.
    transport: Mapped[str | None] = mapped_column(sa.String(16))
    sent_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.String(500))

    user: Mapped[User | None] = relationship()

    @property
    def status(self) -> str:
        if self.sent_at is not None:
            return "sent"
        return "failing" if self.last_error else "queued"

    @property
    def job_id(self) -> str:
        return f"mail-{self.id}"


class Notification(db.Model):
    """A message for one user, shown in their notification list once delivered."""

    __tablename__ = "notification"
    __table_args__ = (sa.Index("ix_notification_user_unread", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    kind: Mapped[str] = mapped_column(sa.String(64), default="general")
    # A defined message (core.messages) and its parameters, rendered in the reader's language; for a
    # message typed by a person (an operator's), none, and the subject and body are shown as typed.
    message_id: Mapped[str | None] = mapped_column(sa.String(64))
    params: Mapped[dict | None] = mapped_column(sa.JSON)
    # The text in the platform's default language (for a defined message), or as typed.
    subject: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    # A site-relative path to the thing the notification is about.
    link: Mapped[str | None] = mapped_column(sa.String(500))
    # Also send a copy by mail when delivered.
    mail_copy: Mapped[bool] = mapped_column(default=False)
    mail_id: Mapped[int | None] = mapped_column(sa.ForeignKey("outgoing_mail.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None]
    read_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    mail: Mapped[OutgoingMail | None] = relationship()

    @property
    def status(self) -> str:
        if self.delivered_at is None:
            return "queued"
        return "unread" if self.read_at is None else "read"

    def text(self, locale: str) -> tuple[str, str]:
        """(subject, body) for a reader of ``locale``."""
        if self.message_id:
            from core.messages import render

            return render(self.message_id, self.params, locale)
        return self.subject, self.body

    def text_for_recipient(self) -> tuple[str, str]:
        from core.messages import reader_locale

        return self.text(reader_locale(self.user))

    @property
    def job_id(self) -> str:
        return f"notification-{self.id}"
