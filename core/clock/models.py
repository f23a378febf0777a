"""The stored setting of the business clock (one row)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from core.db import db, utcnow


class ClockSetting(db.Model):
    """How far the business clock is moved from the real time, or the instant it is frozen at."""

    __tablename__ = "business_clock"
    SINGLETON = 1

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    offset_seconds: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    # Tests freeze the clock at an exact instant; the demo only moves it forward and lets it run.
    frozen_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
