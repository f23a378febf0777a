"""The business clock (业务时钟): the one "now" for rules and deadlines.

Every rule that asks "is it too late?" — a bid deadline, an objection window, a filing period —
reads :func:`now`. In production it is the real time. In the embedded demo an operator may move it
forward so a newcomer can walk a tender through its stages, and the test suite sets it to any
instant; the setting is a database row, so every process (web servers, workers, the test's live
server) sees the same time. Security clocks — sessions, second-factor codes, token and link expiry,
throttles — never read it: they use :func:`core.db.utcnow`.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app, g, has_app_context

from core.db import utcnow

SHANGHAI = ZoneInfo("Asia/Shanghai")
_CACHE = "_business_clock"


def movable() -> bool:
    """Whether this installation lets the business clock differ from the real time."""
    return has_app_context() and bool(current_app.config.get("BUSINESS_CLOCK_MOVABLE"))


def _setting():
    """(offset, frozen_at) of the stored setting, read once per application context."""
    cached = g.get(_CACHE)
    if cached is None:
        from core.clock.models import ClockSetting
        from core.db import db

        row = db.session.get(ClockSetting, ClockSetting.SINGLETON)
        cached = (timedelta(seconds=row.offset_seconds), row.frozen_at) if row is not None else (timedelta(0), None)
        g._business_clock = cached
    return cached


def forget() -> None:
    """Drop this context's copy of the setting (after it changed)."""
    if has_app_context():
        g.pop(_CACHE, None)


def now() -> datetime:
    """The business time: an aware UTC datetime."""
    real = utcnow()
    if not movable():
        return real
    offset, frozen_at = _setting()
    return frozen_at if frozen_at is not None else real + offset


def today() -> date:
    """The business date in Shanghai."""
    return now().astimezone(SHANGHAI).date()


def shanghai_date(instant: datetime) -> date:
    """The Shanghai calendar date of an instant."""
    return instant.astimezone(SHANGHAI).date()


def format_business(instant: datetime) -> str:
    """An instant as the operators' pages show it (Shanghai time, to the minute)."""
    return instant.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


def offset() -> timedelta:
    """How far the business clock is ahead of the real time now."""
    return now() - utcnow()


from core.clock.cli import clock_cli  # noqa: E402  (the command group registered by core)

__all__ = ["SHANGHAI", "clock_cli", "forget", "format_business", "movable", "now", "offset", "shanghai_date", "today"]
