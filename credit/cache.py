"""The credit registry's public pages as an area of the public answer cache (core.public_cache).

Writes to any credit table the public sees, directly or through a score (records and their due
process, subjects, managers and their projects, the catalogue, grading rules, policy), and to
districts (shown as the authority), make every cached credit answer stale. Time changes answers too
(a record's period ends): the expiry sweep runs every minute and its write replaces the version.
"""

from __future__ import annotations

from core import public_cache

AREA = "credit"

# Credit tables whose rows the public never sees, directly or through a score.
PRIVATE_TABLES = frozenset({
    "credit_complaint", "credit_complaint_attachment", "credit_complaint_draft", "credit_exchange_item",
    "credit_exchange_batch", "credit_import_run", "credit_report_certificate", "credit_decision_counter",
    # The subject's objection and correction requests: the public sees only what the bureau decides
    # on the record itself.
    "credit_objection", "credit_correction",
})


def is_public_table(name: str) -> bool:
    return (name.startswith("credit_") or name == "district") and name not in PRIVATE_TABLES


def install(app) -> None:
    """Register the credit area (called by ``credit.init_app``)."""
    public_cache.register_area(app, public_cache.Area(
        AREA, is_public_table, enabled_setting="CREDIT_PUBLIC_CACHE", max_age_setting="CREDIT_PUBLIC_MAX_AGE",
        answer_seconds_setting="CREDIT_ANSWER_CACHE_SECONDS"))


def bump() -> None:
    """Make every cached public credit answer stale (after a write the session hooks cannot see)."""
    public_cache.bump(AREA)


def public_answer(bucket: str = "lookup"):
    """A public credit read: rate-limited per request in ``bucket``, then an HTTP-cacheable answer."""
    from credit import ratelimit

    return public_cache.public_answer(AREA, before=lambda: ratelimit.enforce(bucket))
