"""Background jobs of the credit registry (queue "exchange"); they take primitives and are safe to repeat."""

from __future__ import annotations

from rq import Retry

from core.db import db
from core.extensions import rq

RETRY = Retry(max=3, interval=[30, 120, 600])


@rq.job(queue="exchange")
def push_exchange(batch_size: int = 500, settle_seconds: int = 5, max_batches: int = 100) -> int:
    """Report expiries, then deliver every batch to the city platform; returns the batches delivered.

    Each batch is committed as pending before its delivery starts, so a worker that dies mid-way
    leaves it to be resent as it is, under the same key, by the next run.
    """
    from credit.operations import expire_records
    from credit.operations.exchange import claim_batch, deliver_batch

    while expire_records():
        db.session.commit()
    db.session.commit()
    sent = 0
    for _ in range(max_batches):
        batch = claim_batch(batch_size=batch_size, settle_seconds=settle_seconds)
        db.session.commit()
        if batch is None:
            break
        try:
            deliver_batch(batch)
        except Exception:
            db.session.commit()  # keep the failure in the export log; RQ retries the job
            raise
        db.session.commit()
        sent += 1
    return sent


def enqueue_push(**kwargs):
    return push_exchange.enqueue(retry=RETRY, **kwargs)


@rq.job(queue="default")
def expire_due_records() -> int:
    """Report records whose publication period ended: their expiry changes what the public sees now."""
    from credit.operations import expire_records

    total = 0
    while count := expire_records():
        db.session.commit()
        total += count
    return total


@rq.job(queue="default")
def purge_complaint_drafts() -> int:
    """Forget complaint drafts and evidence files left unfinished for a week."""
    from credit.operations.complaints import purge_stale_drafts

    removed = purge_stale_drafts()
    db.session.commit()
    return removed


# Periodic work, submitted by ``flask rq cron``: every minute, records whose period ended are marked
# expired (the write moves the publication version, so cached public answers are rebuilt); every
# decided or expired record reaches the city platform within the quarter hour.
expire_due_records.cron_register(60)
push_exchange.cron_register(900)
purge_complaint_drafts.cron_register(3600)
