"""Administrator-maintained working-day calendar (调休 overrides and years the package lacks)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from core.db import TimestampMixin, db


class CalendarDay(TimestampMixin, db.Model):
    """One day whose working status is set by an administrator (a holiday or a make-up working day)."""

    __tablename__ = "calendar_day"

    day: Mapped[date] = mapped_column(primary_key=True)
    is_workday: Mapped[bool]
    note: Mapped[str] = mapped_column(sa.String(200))


class CalendarYear(TimestampMixin, db.Model):
    """A year whose holiday schedule has been entered in full into ``CalendarDay``.

    Only then may working days in that year be computed when the calendar package has no data.
    A provisional year (demo data, or a schedule announced but not yet published in full) counts
    for computing, and every page that shows the calendar says it is provisional.
    """

    __tablename__ = "calendar_year"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    source: Mapped[str] = mapped_column(sa.String(300))
    provisional: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
