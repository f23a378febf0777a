"""Working days (工作日) with the Chinese calendar's 调休 and the administrators' override table.

The ``chinesecalendar`` package carries official schedules for the years it knows. A day in another
year is a working day only if an administrator has entered that year's schedule (``CalendarYear``
plus its ``CalendarDay`` rows); otherwise computing it is an error, never a guess.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar
from credit.text import _
import sqlalchemy as sa

from core.db import DomainError, db
from credit.models import CalendarDay, CalendarYear

SHANGHAI = ZoneInfo("Asia/Shanghai")


class NoCalendarData(DomainError):
    def __init__(self, year: int):
        super().__init__(
            _("No working-day calendar for %(year)s: an administrator must enter that year's holiday schedule.", year=year),
            code="no_calendar_data",
        )
        self.year = year


class Calendar:
    """Answers is_workday for a span of days with one query for the overrides."""

    def __init__(self) -> None:
        self._overrides: dict[date, bool] = {}
        self._years: dict[int, bool] = {}

    def _load_year(self, year: int) -> None:
        if year in self._years:
            return
        rows = db.session.execute(
            sa.select(CalendarDay.day, CalendarDay.is_workday).where(
                CalendarDay.day >= date(year, 1, 1), CalendarDay.day <= date(year, 12, 31)
            )
        ).all()
        self._overrides.update({r.day: r.is_workday for r in rows})
        entered = db.session.get(CalendarYear, year) is not None
        self._years[year] = entered

    def is_workday(self, day: date) -> bool:
        self._load_year(day.year)
        if day in self._overrides:
            return self._overrides[day]
        if self._years[day.year]:
            return day.weekday() < 5
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:
            raise NoCalendarData(day.year) from None


def add_working_days(start: date, days: int) -> date:
    """The date ``days`` working days after ``start`` (``start`` itself is not counted)."""
    cal = Calendar()
    current, counted = start, 0
    while counted < days:
        current += timedelta(days=1)
        if cal.is_workday(current):
            counted += 1
    return current


def end_of_working_days(start: datetime, days: int) -> datetime:
    """The last instant (UTC) of the ``days``-th working day after ``start``'s Shanghai date."""
    local_start = start.astimezone(SHANGHAI).date()
    last = add_working_days(local_start, days)
    return datetime.combine(last, time(23, 59, 59), SHANGHAI).astimezone(ZoneInfo("UTC"))


def shanghai_date(instant: datetime) -> date:
    return instant.astimezone(SHANGHAI).date()
