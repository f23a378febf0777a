"""An upload in progress (上传会话): how many bytes are safely on disk, and what became of the file."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from core.db import db, utcnow


class Upload(db.Model):
    """One resumable upload; its bytes live in ``<blob dir>/tmp/uploads/<id>.part`` until completed."""

    __tablename__ = "upload"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)  # random, unguessable
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    purpose: Mapped[str] = mapped_column(sa.String(32))
    target: Mapped[str] = mapped_column(sa.String(128))
    length: Mapped[int] = mapped_column(sa.BigInteger)
    # Bytes received, fsynced and committed; bytes past it in the file are leftovers of a request
    # that died and are cut away before the next part is written.
    offset: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    # Who sent it, from where (for the evaluation's fingerprint checks): address, browser, device.
    client: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    completed_at: Mapped[datetime | None]
    # What the purpose answered when the last byte arrived (a bid's receipt); given again to a
    # client that lost that answer.
    result: Mapped[dict | None] = mapped_column(sa.JSON)
    failed_reason: Mapped[str | None] = mapped_column(sa.String(500))

    @property
    def complete(self) -> bool:
        return self.completed_at is not None

    def status(self, now: datetime) -> str:
        if self.completed_at is not None:
            return "completed"
        if self.failed_reason:
            return "refused"
        if now >= self.expires_at:
            return "expired"
        return "receiving"
