"""Moving the business clock: forward only, in installations that allow it (never in production)."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _

from core import clock
from core.audit.operations import record_event
from core.clock.models import ClockSetting
from core.db import DomainError, db, utcnow

# The longest single move: far enough to walk a tender from draft to contract (about a year).
MAX_MOVE = timedelta(days=400)


def _row() -> ClockSetting:
    row = db.session.get(ClockSetting, ClockSetting.SINGLETON)
    if row is None:
        row = ClockSetting(id=ClockSetting.SINGLETON, offset_seconds=0)
        db.session.add(row)
    return row


def advance_clock(data: dict, *, actor) -> datetime:
    """Move the business clock forward by ``data["by"]`` (a timedelta) or to ``data["to"]``; returns the new time."""
    if not clock.movable():
        raise DomainError(_("The business clock follows the real time in this installation and cannot be moved."),
                          code="clock_fixed")
    current = clock.now()
    if data.get("to") is not None:
        target = data["to"]
        if target.tzinfo is None:
            raise DomainError(_("Give the time with its time zone."), code="naive_time", field="to")
    else:
        target = current + data["by"]
    step = target - current
    if step <= timedelta(0):
        raise DomainError(_("The business clock only moves forward."), code="clock_backwards", field="to")
    if step > MAX_MOVE:
        raise DomainError(_("Move the clock at most 400 days at a time."), code="clock_step", field="to")
    row = _row()
    row.offset_seconds = int((target - utcnow()).total_seconds()) if row.frozen_at is None else row.offset_seconds
    if row.frozen_at is not None:
        row.frozen_at = target
    row.updated_by_id = actor.id if actor is not None else None
    db.session.flush()
    clock.forget()
    record_event("clock.advanced", ("business_clock", "1"), actor=actor,
                 details={"from": current.isoformat(timespec="seconds"), "to": target.isoformat(timespec="seconds")})
    return target


def set_clock(instant: datetime | None, *, frozen: bool = True) -> None:
    """Test support: put the business clock at ``instant`` (frozen, or running from there); None resets it.

    Refused unless the application is under test: the demo moves the clock through :func:`advance_clock`.
    """
    from flask import current_app

    if not current_app.testing:
        raise RuntimeError("set_clock is for the test suite; use advance_clock")
    row = _row()
    if instant is None:
        row.offset_seconds, row.frozen_at = 0, None
    elif frozen:
        row.offset_seconds, row.frozen_at = 0, instant
    else:
        row.offset_seconds, row.frozen_at = int((instant - utcnow()).total_seconds()), None
    db.session.flush()
    clock.forget()
