"""Background jobs of tenders: they take primitives, call operations and are safe to run twice."""

from __future__ import annotations

from core.db import db
from core.extensions import rq


@rq.job(queue="default")
def stop_tenders_for_changed_keys() -> int:
    """Stop the tenders whose custodian changed keys after filing, and tell their tenderers and bureaus."""
    from tender.tenders.operations import stop_for_changed_keys

    stopped = stop_for_changed_keys()
    db.session.commit()
    return stopped


@rq.job(queue="default")
def remind_registered_firms() -> int:
    """Remind registered firms of near deadlines, once per deadline."""
    from tender.tenders.operations import send_deadline_reminders

    sent = send_deadline_reminders()
    db.session.commit()
    return sent


# Periodic work, submitted by ``flask rq cron``. Neither decides anything about time limits: the
# deadline rules are checked at request time; these only tell people and stop tenders sooner.
stop_tenders_for_changed_keys.cron_register(60)
remind_registered_firms.cron_register(900)
