"""Background jobs of the opening: they take ids or nothing, call operations and are safe to run twice."""

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


@rq.job(queue="default")
def resume_stalled_openings() -> int:
    """Queue again the opening job of openings stuck in progress and remove stale staged plaintext."""
    from tender.bidding.operations.opening import resume_stalled_openings as resume

    count = resume()
    db.session.commit()
    return count


@rq.job(queue="default")
def open_bids(opening_id: int) -> bool:
    """Open every envelope of an opening whose k shares are in (开标解密) and publish its record.

    Safe to run twice or after a crash: the opening's row is locked for the run, an opened opening is
    left alone, and every row is written in the one transaction committed at the end.
    """
    from tender.bidding.operations.unsealing import run_opening

    try:
        opened = run_opening(opening_id)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return opened


# Submitted by ``flask rq cron``; it never opens anything, it only moves a ceremony that could not be held.
postpone_overdue_openings.cron_register(60)
# Submitted by ``flask rq cron`` too: a lost or failed opening job is queued again, a few times at most.
resume_stalled_openings.cron_register(60)
