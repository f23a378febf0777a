"""Background jobs of the award stage: they take ids, call operations and are safe to run twice."""

from __future__ import annotations

from core.db import db
from core.extensions import rq


@rq.job(queue="default")
def send_award_notices(award_id: int) -> str:
    """Send the award notice and the result notices of one offer (nothing if they were sent)."""
    from tender.award.models import Award
    from tender.award.operations import send_award_notices as send

    award = db.session.get(Award, award_id, with_for_update=True)
    if award is None:
        return "missing"
    sent = send(award)
    db.session.commit()
    return "sent" if sent else "already sent"


@rq.job(queue="default")
def remind_filings() -> int:
    """Remind tenderers of award and contract filings due soon or overdue, once per stage."""
    from tender.award.operations import send_reminders

    sent = send_reminders()
    db.session.commit()
    return sent


# Periodic work, submitted by ``flask rq cron``: it only tells people; the periods are checked at request time.
remind_filings.cron_register(900)
