"""Background jobs of bidding: they take primitives, call operations and are safe to run twice."""

from __future__ import annotations

from core.db import db
from core.extensions import rq


@rq.job(queue="default")
def postpone_overdue_openings() -> int:
    """Postpone the openings whose custodians did not reach k by the set time, telling everyone."""
    from tender.bidding.operations.opening import postpone_overdue_openings as postpone

    count = postpone()
    db.session.commit()
    return count


# Submitted by ``flask rq cron``; it never opens anything, it only moves a ceremony that could not be held.
postpone_overdue_openings.cron_register(60)
