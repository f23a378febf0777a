"""Working days (工作日) with the Chinese calendar's 调休 and the administrators' override table.

Shared by credit (objection windows, correction checks) and tendering (filing periods, document
availability, publicity). The ``chinesecalendar`` package carries the official schedules of the
years it knows. A day in another year is a working day only if an administrator has entered that
year's schedule (``CalendarYear`` plus its ``CalendarDay`` rows); otherwise computing it is an
error, never a guess.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import chinese_calendar
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from core.db import DomainError, db

SHANGHAI = ZoneInfo("Asia/Shanghai")
# The dashboards of the city bureau and the operators warn this long before the data runs out.
WARN_BEFORE = timedelta(days=60)


class NoCalendarData(DomainError):
    """A working-day question about a year whose holiday schedule nobody has entered."""

    def __init__(self, year: int):
        super().__init__(
            str(_l("No working-day calendar for %(year)s: an administrator must enter that year's holiday schedule.",
                   year=year)),
            code="no_calendar_data",
        )
        self.year = year


def package_years() -> tuple[int, int]:
    """The first and last year the calendar package knows."""
    years = sorted({d.year for d in chinese_calendar.holidays})
    return years[0], years[-1]


class Calendar:
    """Answers ``is_workday`` for a span of days with one query per year for the overrides."""

    def __init__(self) -> None:
        self._overrides: dict[date, bool] = {}
        self._years: dict[int, bool] = {}

    def _load_year(self, year: int) -> None:
        if year in self._years:
            return
        from core.calendar.models import CalendarDay, CalendarYear

        rows = db.session.execute(
            sa.select(CalendarDay.day, CalendarDay.is_workday).where(
                CalendarDay.day >= date(year, 1, 1), CalendarDay.day <= date(year, 12, 31)
            )
        ).all()
        self._overrides.update({r.day: r.is_workday for r in rows})
        self._years[year] = db.session.get(CalendarYear, year) is not None

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


def is_workday(day: date) -> bool:
    """Whether ``day`` is a working day in mainland China (with make-up working days)."""
    return Calendar().is_workday(day)


def add_working_days(start: date, days: int) -> date:
    """The date ``days`` working days after ``start`` (``start`` itself is not counted)."""
    cal = Calendar()
    current, counted = start, 0
    while counted < days:
        current += timedelta(days=1)
        if cal.is_workday(current):
            counted += 1
    return current


def working_days_between(start: date, end: date) -> int:
    """How many working days lie after ``start`` up to and including ``end`` (0 if end <= start)."""
    cal = Calendar()
    count, current = 0, start
    while current < end:
        current += timedelta(days=1)
        if cal.is_workday(current):
            count += 1
    return count


def shanghai_date(instant: datetime) -> date:
    """The calendar date of an instant in Shanghai."""
    return instant.astimezone(SHANGHAI).date()


def end_of_day(day: date) -> datetime:
    """The last instant (UTC) of a Shanghai calendar day: a deadline on that day runs to its very end."""
    return datetime.combine(day, time.max, SHANGHAI).astimezone(timezone.utc)


def start_of_day(day: date) -> datetime:
    """The first instant (UTC) of a Shanghai calendar day."""
    return datetime.combine(day, time.min, SHANGHAI).astimezone(timezone.utc)


def end_of_working_days(start: datetime, days: int) -> datetime:
    """The end (UTC) of the ``days``-th working day after ``start``'s Shanghai date."""
    return end_of_day(add_working_days(shanghai_date(start), days))


def data_ends(today: date) -> date:
    """The last day from ``today`` on for which every year has calendar data."""
    from core.calendar.models import CalendarYear

    first, last = package_years()
    entered = set(db.session.scalars(sa.select(CalendarYear.year)))
    year = today.year
    while (first <= year <= last) or year in entered:
        year += 1
    return date(year - 1, 12, 31)


def provisional_years() -> list[int]:
    """Years whose entered schedule is marked provisional."""
    from core.calendar.models import CalendarYear

    return list(db.session.scalars(sa.select(CalendarYear.year).where(CalendarYear.provisional).order_by(CalendarYear.year)))


def coverage_warning(today: date) -> dict | None:
    """What the city bureau and the operators must be told: the data ends soon, or a year is provisional."""
    ends = data_ends(today)
    provisional = [y for y in provisional_years() if y >= today.year]
    if ends - today > WARN_BEFORE and not provisional:
        return None
    return {"ends": ends, "days_left": (ends - today).days, "soon": ends - today <= WARN_BEFORE,
            "provisional": provisional}
