"""Background jobs of bidding: they take ids, call operations and are safe to run twice."""

from __future__ import annotations

from core.db import db
from core.extensions import rq


@rq.job(queue="default")
def close_tender(tender_id: int) -> bool:
    """Close one tender whose deadline has passed and publish its signed list (a page asks for this);
    whether this run closed it."""
    from tender.bidding.operations import close_tender as close
    from tender.tenders.models import Tender, TenderState

    tender = db.session.get(Tender, tender_id)
    if tender is None:
        return False
    was_open = tender.state == TenderState.PUBLISHED
    close(tender)
    db.session.commit()
    return was_open and tender.state == TenderState.CLOSED


@rq.job(queue="default")
def close_due_tenders() -> int:
    """Close every tender whose bid deadline has passed."""
    from tender.bidding.operations import close_due_tenders as close

    closed = close()
    db.session.commit()
    return len(closed)


# Closing only moves the state forward: whether a bid is on time is decided at request time.
close_due_tenders.cron_register(30)
