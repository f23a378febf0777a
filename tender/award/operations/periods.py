"""The award stage's periods, counted as the tender's procedure says: calendar or working days.

A period of n days from an instant ends at the end of the n-th day after that instant's Shanghai
date (the day itself is not counted, as the national rules count 日), or of the n-th working day.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from core.calendar import end_of_day, end_of_working_days, shanghai_date
from tender.tenders.models import Tender
from tender.tenders.operations.rules import tender_values


def award_values(tender: Tender, now: datetime) -> dict:
    """The tender's procedure values (its snapshot from filing, with today's defaults for new rules)."""
    return tender_values(tender, now)


def period_end(start: datetime, days: int, values: dict) -> datetime:
    """The last instant of a period of ``days`` days after ``start``, in the unit the procedure names."""
    if values.get("award_periods_working_days"):
        return end_of_working_days(start, days)
    return end_of_day(shanghai_date(start) + timedelta(days=days))


def deadline(tender: Tender, start: datetime, rule: str, now: datetime) -> datetime:
    """The end of the period named by ``rule`` (a key of the procedure values) that began at ``start``."""
    values = award_values(tender, now)
    return period_end(start, values[rule], values)
