"""One commit per request, at its boundary, and the helper that runs an operation for a form.

Views never commit. After the view (or an error handler) has answered, :func:`commit_at_boundary`
commits the request's unit of work when the method may change things and the answer is a success
(below 400); any other answer rolls everything back. A request with a safe method (GET, HEAD) never
writes: anything it tried to write is rolled back and reported (in tests, as a failure).

A view calls an operation through :func:`attempt`: a business rule's refusal (``DomainError``)
rolls the work back and becomes the message beside the form's field (or at the top of the form),
and a conflict with a concurrent request (a unique row written twice by a double click) becomes a
clear, translated message instead of a server error. JSON API views simply call the operation: the
error handlers turn a ``DomainError`` into problem details.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import current_app, request
from flask_babel import gettext as _
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from core.db import DomainError, db

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
_WROTE = "request_wrote"


class ConcurrentChange(DomainError):
    """The same thing was written by two requests at once; the first one was kept.

    ``constraint`` is the database's own message, naming the unique constraint that refused the
    second write, for a view that can say more precisely what was taken.
    """

    def __init__(self, constraint: str = ""):
        self.constraint = constraint
        super().__init__(
            _("This was just done already — perhaps by a second click, or in another window. "
              "Reload the page to see the current state."),
            code="concurrent_change",
        )


@dataclass
class Outcome:
    """What :func:`attempt` did: ``ok`` and the operation's return value, or the refusal."""

    ok: bool
    value: Any = None
    error: DomainError | None = None

    def __bool__(self) -> bool:
        return self.ok


def show_error(form, exc: DomainError) -> None:
    """Put a refusal beside the field it names, or at the top of the form."""
    target = getattr(form, exc.field, None) if (form is not None and exc.field) else None
    if target is not None and hasattr(target, "errors"):
        target.errors = list(target.errors) + [exc.message]
    elif form is not None:
        form.form_errors.append(exc.message)


def attempt(form, operation, *args, **kwargs) -> Outcome:
    """Run ``operation(*args, **kwargs)`` for ``form``; on refusal nothing it did is kept.

    The operation's own writes are flushed here, so a duplicate row shows up now, as a message,
    rather than at the commit after the view has answered.
    """
    try:
        value = operation(*args, **kwargs)
        db.session.flush()
    except DomainError as exc:
        db.session.rollback()
        show_error(form, exc)
        return Outcome(False, error=exc)
    except (IntegrityError, StaleDataError) as error:
        db.session.rollback()
        exc = ConcurrentChange(str(getattr(error, "orig", error)))
        show_error(form, exc)
        return Outcome(False, error=exc)
    return Outcome(True, value)


def _mark_writes(session: Session, _context) -> None:
    if session.new or session.dirty or session.deleted:
        session.info[_WROTE] = True


def _forget_writes(session: Session, *_args) -> None:
    if not session.in_nested_transaction():  # a savepoint's rollback leaves the outer writes
        session.info.pop(_WROTE, None)


def install() -> None:
    """Track whether a session flushed any change (idempotent)."""
    if not sa.event.contains(Session, "after_flush", _mark_writes):
        sa.event.listen(Session, "after_flush", _mark_writes)
        sa.event.listen(Session, "after_commit", _forget_writes)
        sa.event.listen(Session, "after_rollback", _forget_writes)


def pending_writes(session: Session) -> bool:
    """Whether the session holds changes or queued work that a commit would make permanent."""
    from core.audit.operations import has_pending_events
    from core.jobs.queueing import has_pending_jobs

    return bool(session.info.get(_WROTE) or session.new or session.dirty or session.deleted
                or has_pending_events(session) or has_pending_jobs(session))


class WriteOnSafeMethod(RuntimeError):
    """A GET (or HEAD) request tried to change something."""


def _conflict_answer():
    from core.errors import conflict_response

    return conflict_response(ConcurrentChange())


def commit_at_boundary(response):
    """after_request: commit a successful unsafe request's work, roll back everything else."""
    session = db.session
    if request.method in SAFE_METHODS:
        if pending_writes(session):
            session.rollback()
            message = f"{request.method} {request.endpoint} tried to write; a safe request never writes"
            current_app.logger.error(message)
            if current_app.config.get("FAIL_ON_SAFE_WRITES"):
                raise WriteOnSafeMethod(message)
        return response
    if response.status_code >= 400:
        session.rollback()
        return response
    try:
        session.commit()
    except (IntegrityError, StaleDataError):
        session.rollback()
        current_app.logger.warning("conflict at commit on %s %s", request.method, request.path)
        return _conflict_answer()
    except DBAPIError:
        session.rollback()
        raise
    return response


def init_app(app) -> None:
    install()
    # Registered after the security headers (core.web), so it runs before them and a replaced
    # answer still gets them.
    app.after_request(commit_at_boundary)
