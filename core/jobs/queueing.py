"""Submitting jobs when the transaction that asked for them commits.

A job submitted before the commit could run before its row is visible, and one submitted in a
transaction that later rolls back would deliver something that never happened. Operations
therefore call :func:`enqueue_after_commit`; the jobs are handed to RQ right after the commit.
If Redis is unreachable at that moment the rows stay queued and the periodic sweep resubmits them.
"""

from __future__ import annotations

from flask import current_app
from redis.exceptions import RedisError
from sqlalchemy import event
from sqlalchemy.orm import Session

from core.db import db

_PENDING = "jobs_pending"


def enqueue_after_commit(job, *args, **options) -> None:
    """Submit ``job`` (an ``rq.job`` wrapper) with ``args`` once the current transaction commits."""
    db.session.info.setdefault(_PENDING, []).append((job, args, options))


def _submit(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    for job, args, options in pending or ():
        try:
            job.enqueue(*args, **options)
        except RedisError:
            current_app.logger.exception("could not submit %s%r; the sweep will resubmit it", job.__name__, args)


def _discard(session: Session) -> None:
    session.info.pop(_PENDING, None)


def install() -> None:
    """Hook submission into every session's commit cycle (idempotent)."""
    if not event.contains(Session, "after_commit", _submit):
        event.listen(Session, "after_commit", _submit)
        event.listen(Session, "after_rollback", _discard)


install()
