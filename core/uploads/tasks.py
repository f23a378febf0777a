"""The uploads' periodic sweep: unfinished uploads past their lifetime are dropped with their bytes."""

from __future__ import annotations

from core.db import db
from core.extensions import rq


@rq.job(queue="default")
def purge_stale_uploads() -> int:
    """Drop unfinished uploads past their lifetime; returns how many."""
    from core.uploads.operations import purge_stale_uploads as purge

    removed = purge()
    db.session.commit()
    return removed


purge_stale_uploads.cron_register(3600)
