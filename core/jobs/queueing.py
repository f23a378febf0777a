"""Submitting jobs when the transaction that asked for them commits.

A job submitted before the commit could run before its row is visible, and one submitted in a
transaction that later rolls back would deliver something that never happened. Operations
therefore call :func:`enqueue_after_commit`; the jobs are handed to RQ right after the commit.
If Redis is unreachable at that moment the rows stay queued and the periodic sweep resubmits them.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from core.db import db

_PENDING = "jobs_pending"


def call_after_commit(action, *args, **kwargs) -> None:
    """Run ``action(*args, **kwargs)`` (a call to RQ) once the current transaction commits."""
    db.session.info.setdefault(_PENDING, []).append((action, args, kwargs))


def enqueue_after_commit(job, *args, **options) -> None:
    """Submit ``job`` (an ``rq.job`` wrapper) with ``args`` once the current transaction commits."""
    call_after_commit(job.enqueue, *args, **options)


def has_pending_jobs(session: Session) -> bool:
    """Whether jobs are waiting for this session's commit."""
    return bool(session.info.get(_PENDING))


def _submit(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    for action, args, kwargs in pending or ():
        try:
            action(*args, **kwargs)
        except Exception:  # the transaction is committed; a queue failure must not turn it into an error
            current_app.logger.exception("after commit, %s%r failed; the sweep resubmits lost jobs", action, args)


_MARKS = "jobs_savepoint_marks"


def _mark_savepoint(session: Session, transaction) -> None:
    if transaction.nested:
        session.info.setdefault(_MARKS, {})[id(transaction)] = len(session.info.get(_PENDING, []))


def _discard(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint's rollback: _discard_savepoint drops just what was asked for since it began
    session.info.pop(_PENDING, None)


def _discard_savepoint(session: Session, previous_transaction) -> None:
    if previous_transaction.nested:
        mark = session.info.get(_MARKS, {}).pop(id(previous_transaction), None)
        if mark is not None and _PENDING in session.info:
            del session.info[_PENDING][mark:]


def install() -> None:
    """Hook submission into every session's commit cycle (idempotent)."""
    if not event.contains(Session, "after_commit", _submit):
        event.listen(Session, "after_commit", _submit)
        event.listen(Session, "after_rollback", _discard)
        event.listen(Session, "after_transaction_create", _mark_savepoint)
        event.listen(Session, "after_soft_rollback", _discard_savepoint)
