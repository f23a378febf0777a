"""Background jobs of the credit registry (queue "exchange"); they take primitives and are safe to repeat."""

from __future__ import annotations

from rq import Retry

from core.db import db
from core.extensions import rq

RETRY = Retry(max=3, interval=[30, 120, 600])


@rq.job(queue="exchange")
def push_exchange(batch_size: int = 500, settle_seconds: int = 5, max_batches: int = 100) -> int:
    """Report expiries, then send every pending batch to the city platform; returns the batches sent."""
    from credit.operations import expire_records
    from credit.operations.exchange import export_batch

    while expire_records():
        db.session.commit()
    db.session.commit()
    sent = 0
    for _ in range(max_batches):
        try:
            batch = export_batch(batch_size=batch_size, settle_seconds=settle_seconds)
        except Exception:
            db.session.commit()  # keep the failure in the export log; RQ retries the job
            raise
        db.session.commit()
        if batch is None:
            break
        sent += 1
    return sent


def enqueue_push(**kwargs):
    return push_exchange.enqueue(retry=RETRY, **kwargs)


@rq.job(queue="default")
def purge_complaint_drafts() -> int:
    """Forget complaint drafts and evidence files left unfinished for a week."""
    from credit.operations.complaints import purge_stale_drafts

    removed = purge_stale_drafts()
    db.session.commit()
    return removed


# Periodic work, submitted by ``flask rq cron``: records whose period ended are expired and every
# decided or expired record reaches the city platform within the quarter hour.
push_exchange.cron_register(900)
purge_complaint_drafts.cron_register(3600)

