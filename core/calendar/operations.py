"""The administrators' working-day calendar: single days, whole years the package lacks, and a
year's official schedule loaded from a file."""

from __future__ import annotations

import csv
import io
from datetime import date

from flask_babel import gettext as _

from core.audit.operations import record_event
from core.calendar.models import CalendarDay, CalendarYear
from core.db import DomainError, db

MIN_YEAR, MAX_YEAR = 2000, 2100
# A schedule file: one row per holiday or make-up working day, with a header.
SCHEDULE_COLUMNS = ("date", "kind", "note")
KINDS = {"holiday": False, "workday": True}
MAX_SCHEDULE_ROWS = 366


def set_day(data: dict, *, actor) -> CalendarDay:
    """Mark one day as a holiday or a (make-up) working day."""
    note = (data.get("note") or "").strip()
    if not note:
        raise DomainError(_("Say why (for example the State Council notice)."), code="note", field="note")
    day = _put_day(data["day"], data["is_workday"], note)
    db.session.flush()
    record_event("calendar.day_set", ("calendar_day", day.day.isoformat()), actor=actor,
                 details={"day": day.day.isoformat(), "workday": day.is_workday})
    return day


def _put_day(when: date, is_workday: bool, note: str) -> CalendarDay:
    day = db.session.get(CalendarDay, when)
    if day is None:
        day = CalendarDay(day=when, is_workday=is_workday, note=note[:200])
        db.session.add(day)
    else:
        day.is_workday, day.note = is_workday, note[:200]
    return day


def _check_year(value) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        year = 0
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise DomainError(_("Enter a year between 2000 and 2100."), code="year", field="year")
    return year


def declare_year(data: dict, *, actor) -> CalendarYear:
    """Declare a year's schedule fully entered, so working days in it may be computed."""
    year = _check_year(data.get("year"))
    source = (data.get("source") or "").strip()
    if not source:
        raise DomainError(_("Name the source of the schedule."), code="source", field="source")
    entry = db.session.get(CalendarYear, year) or CalendarYear(year=year, source=source)
    entry.source = source[:300]
    entry.provisional = bool(data.get("provisional"))
    db.session.add(entry)
    db.session.flush()
    record_event("calendar.year_declared", ("calendar_year", str(year)), actor=actor,
                 details={"year": year, "source": source[:100], "provisional": entry.provisional})
    return entry


def parse_schedule(text: str, year: int) -> list[tuple[date, bool, str]]:
    """Rows of a schedule file (``date,kind,note``; kind is holiday or workday), every error named by line."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = next(reader, None)
    if header is None or tuple(h.strip().lower() for h in header) != SCHEDULE_COLUMNS:
        raise DomainError(_("The file must start with the header line: date,kind,note"), code="schedule_header",
                          field="file")
    rows, seen, problems = [], set(), []
    for line, raw in enumerate(reader, start=2):
        if not any(cell.strip() for cell in raw):
            continue
        if len(raw) != 3:
            problems.append(_("line %(line)s: expected three columns", line=line))
            continue
        when_text, kind, note = (cell.strip() for cell in raw)
        try:
            when = date.fromisoformat(when_text)
        except ValueError:
            problems.append(_("line %(line)s: %(value)s is not a date like 2027-01-01", line=line, value=when_text[:20]))
            continue
        if when.year != year:
            problems.append(_("line %(line)s: %(day)s is not in %(year)s", line=line, day=when, year=year))
        elif kind.lower() not in KINDS:
            problems.append(_("line %(line)s: the kind must be holiday or workday", line=line))
        elif when in seen:
            problems.append(_("line %(line)s: %(day)s is listed twice", line=line, day=when))
        elif not note or len(note) > 200:
            problems.append(_("line %(line)s: give a note of at most 200 characters", line=line))
        else:
            seen.add(when)
            rows.append((when, KINDS[kind.lower()], note))
        if len(rows) > MAX_SCHEDULE_ROWS:
            problems.append(_("The file has more rows than a year has days."))
            break
    if problems:
        raise DomainError("; ".join(problems[:10]), code="schedule_rows", field="file")
    if not rows:
        raise DomainError(_("The file lists no holiday or working day."), code="schedule_empty", field="file")
    return rows


def load_schedule(data: dict, *, actor) -> CalendarYear:
    """Enter a whole year's holidays and make-up working days from a file, then declare the year.

    Either the whole file is taken or nothing is (a row error names its line).
    """
    year = _check_year(data.get("year"))
    rows = parse_schedule(data.get("text") or "", year)
    for when, is_workday, note in rows:
        _put_day(when, is_workday, note)
    db.session.flush()
    record_event("calendar.schedule_loaded", ("calendar_year", str(year)), actor=actor,
                 details={"year": year, "days": len(rows), "provisional": bool(data.get("provisional"))})
    return declare_year({"year": year, "source": data.get("source"), "provisional": data.get("provisional")},
                        actor=actor)
