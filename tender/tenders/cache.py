"""The public tender pages as an area of the public answer cache (core.public_cache).

Any committed write to a tender table the public sees makes every cached tender answer stale;
registrations and questions are not among them (nothing public may change when a firm registers).
A page showing a tender open for bids holds only until its deadline (``hold_until``).
"""

from __future__ import annotations

from core import public_cache

AREA = "tenders"
PRIVATE_TABLES = frozenset({"tender_registration", "tender_question"})


def shows_table(name: str) -> bool:
    return name.startswith("tender") and name not in PRIVATE_TABLES


def install(app) -> None:
    """Register the tenders area (called by ``tender.tenders.init_app``)."""
    public_cache.register_area(app, public_cache.Area(
        AREA, shows_table, enabled_setting="TENDER_PUBLIC_CACHE", max_age_setting="TENDER_PUBLIC_MAX_AGE",
        answer_seconds_setting="TENDER_ANSWER_CACHE_SECONDS"))


public_answer = public_cache.public_answer(AREA)
hold_until = public_cache.hold_until
