"""The public award pages (candidates, fee notices) as an area of the public answer cache."""

from __future__ import annotations

from core import public_cache

AREA = "award"
PRIVATE_TABLES = frozenset({"award_reminder", "award_complaint"})


def shows_table(name: str) -> bool:
    return name.startswith("award") and name not in PRIVATE_TABLES


def install(app) -> None:
    """Register the award area (called by ``tender.award.init_app``)."""
    public_cache.register_area(app, public_cache.Area(
        AREA, shows_table, enabled_setting="TENDER_PUBLIC_CACHE", max_age_setting="TENDER_PUBLIC_MAX_AGE",
        answer_seconds_setting="TENDER_ANSWER_CACHE_SECONDS"))


public_answer = public_cache.public_answer(AREA)
hold_until = public_cache.hold_until
