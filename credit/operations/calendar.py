"""The administrators' working-day calendar: single days and whole years the package lacks."""

from __future__ import annotations

from core.audit.operations import record_event
from core.db import DomainError, db
from credit.models import CalendarDay, CalendarYear
from credit.text import _


def set_day(data: dict, *, actor) -> CalendarDay:
    """Mark one day as a holiday or a (make-up) working day."""
    note = (data.get("note") or "").strip()
    if not note:
        raise DomainError(_("Say why (for example the State Council notice)."), code="note", field="note")
    day = db.session.get(CalendarDay, data["day"])
    if day is None:
        day = CalendarDay(day=data["day"], is_workday=data["is_workday"], note=note)
        db.session.add(day)
    else:
        day.is_workday, day.note = data["is_workday"], note
    db.session.flush()
    record_event("credit.calendar_day_set", ("credit_calendar_day", day.day.isoformat()), actor=actor,
                 details={"day": day.day.isoformat(), "workday": day.is_workday})
    return day


def declare_year(data: dict, *, actor) -> CalendarYear:
    """Declare a year's schedule fully entered, so working days in it may be computed."""
    year = int(data["year"])
    if not 2000 <= year <= 2100:
        raise DomainError(_("Enter a year between 2000 and 2100."), code="year", field="year")
    source = (data.get("source") or "").strip()
    if not source:
        raise DomainError(_("Name the source of the schedule."), code="source", field="source")
    entry = db.session.get(CalendarYear, year) or CalendarYear(year=year, source=source)
    entry.source = source
    db.session.add(entry)
    db.session.flush()
    record_event("credit.calendar_year_declared", ("credit_calendar_year", str(year)), actor=actor,
                 details={"year": year, "source": source[:100]})
    return entry
