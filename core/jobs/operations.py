"""Mail and notification operations; the jobs in :mod:`core.jobs.tasks` deliver what they record."""

from __future__ import annotations

import hashlib
from urllib.parse import urlsplit

import sqlalchemy as sa

from core.accounts.models import Organisation, User
from core.audit.operations import record_event
from core.db import DomainError, db, utcnow
from core.jobs import tasks
from core.jobs.models import Notification, OutgoingMail
from core.jobs.queueing import call_after_commit, enqueue_after_commit
from core.messages import Message, render


def send_mail(
    to: str, subject: str, body: str, *, user: User | None = None, kind: str = "general", sensitive: bool = False
) -> OutgoingMail:
    """Record a plain-text mail to one address; a job sends it once this transaction commits.

    ``sensitive``: the body holds a live secret (a reset link); it is dropped once delivered and
    never shown to operators (see :func:`core.jobs.mailer.outbox_shows_sensitive`).
    """
    to = to.strip()
    if "@" not in to or len(to) > 254 or any(c in to for c in "\r\n,;<> "):
        raise DomainError("not a single mail address", code="mail_address", field="to")
    subject = " ".join(subject.split())
    if "\x00" in subject + body:
        raise DomainError("mail text must not contain NUL characters", code="mail_text")
    if not subject or len(subject) > 300:
        raise DomainError("a mail needs a subject of at most 300 characters", code="mail_subject", field="subject")
    mail = OutgoingMail(
        recipient=to,
        user_id=user.id if user is not None else None,
        kind=kind,
        subject=subject,
        body=body,
        body_sha256=hashlib.sha256(body.encode()).hexdigest(),
        sensitive=sensitive,
    )
    db.session.add(mail)
    db.session.flush()
    enqueue_after_commit(tasks.deliver_mail, mail.id, job_id=mail.job_id, retry=tasks.mail_retry())
    return mail


def notify(
    user: User,
    subject: str,
    body: str = "",
    *,
    link: str | None = None,
    kind: str = "general",
    mail_copy: bool = False,
    actor: User | None = None,
    message: Message | None = None,
    params: dict | None = None,
) -> Notification:
    """Record an in-app notification for ``user``; a job delivers it (and its mail copy) after commit.

    Features pass a defined ``message`` and its ``params`` (see :func:`tell`); ``subject`` and ``body``
    are then its text in the platform's default language, kept for the records.
    """
    subject = " ".join(subject.split())
    if "\x00" in subject + body:
        raise DomainError("notification text must not contain NUL characters", code="text", field="body")
    if not subject or len(subject) > 200:
        raise DomainError("a notification needs a subject of at most 200 characters", code="subject", field="subject")
    if link is not None and not _is_site_path(link):
        raise DomainError("a notification links only to a page of this site", code="link", field="link")
    notification = Notification(
        user_id=user.id,
        kind=kind,
        message_id=message.id if message is not None else None,
        params=params if message is not None else None,
        subject=subject,
        body=body,
        link=link,
        mail_copy=mail_copy,
        created_by_id=actor.id if actor is not None else None,
    )
    db.session.add(notification)
    db.session.flush()
    enqueue_after_commit(tasks.deliver_notification, notification.id, job_id=notification.job_id)
    return notification


def tell(user: User, message: Message, params: dict | None = None, **options) -> Notification:
    """Notify ``user`` with a defined message; every reader sees it in their own language."""
    from flask import current_app

    subject, body = render(message.id, params, current_app.config["BABEL_DEFAULT_LOCALE"])
    return notify(user, subject[:200], body, message=message, params=params, **options)


def _members(organisation: Organisation, admins_only: bool) -> list[User]:
    return [m.user for m in organisation.memberships if m.active and m.user.active and (m.is_admin or not admins_only)]


def notify_organisation(
    organisation: Organisation, subject: str, body: str = "", *, admins_only: bool = False, **options
) -> list[Notification]:
    """Notify every active member (or only the admins) of an organisation, each in their own list."""
    return [notify(user, subject, body, **options) for user in _members(organisation, admins_only)]


def tell_organisation(organisation: Organisation, message: Message, params: dict | None = None, *,
                      admins_only: bool = False, **options) -> list[Notification]:
    """:func:`tell` every active member (or only the admins) of an organisation."""
    return [tell(user, message, params, **options) for user in _members(organisation, admins_only)]


def send_notification(recipient: User, data: dict, *, actor: User) -> Notification:
    """An operator's message to one user (service notices, follow-ups on a support request)."""
    if not recipient.active:
        raise DomainError("this account is closed", code="recipient_inactive", field="recipient_id")
    notification = notify(
        recipient,
        data["subject"],
        data.get("body", ""),
        link=data.get("link"),
        kind="operator_message",
        mail_copy=data.get("mail_copy", False),
        actor=actor,
    )
    record_event(
        "notification.sent",
        notification,
        actor=actor,
        data={"recipient": recipient.id, "subject": notification.subject, "body": notification.body},
        details={"recipient": recipient.id, "mail_copy": notification.mail_copy},
    )
    return notification


def mark_read(notification: Notification, *, actor: User) -> Notification:
    """Mark one of the actor's notifications read (reading twice changes nothing)."""
    if notification.user_id != actor.id or notification.delivered_at is None:
        raise DomainError("no such notification", code="not_found")
    if notification.read_at is None:
        notification.read_at = utcnow()
    return notification


def mark_all_read(*, actor: User) -> int:
    """Mark every delivered, unread notification of the actor read; returns how many changed."""
    result = db.session.execute(
        sa.update(Notification)
        .where(
            Notification.user_id == actor.id,
            Notification.delivered_at.is_not(None),
            Notification.read_at.is_(None),
        )
        .values(read_at=utcnow())
    )
    return result.rowcount or 0


def _is_site_path(link: str) -> bool:
    parts = urlsplit(link)
    return (
        link.startswith("/")
        and not link.startswith("//")
        and not parts.scheme
        and not parts.netloc
        and len(link) <= 500
        and not any(c == "\\" or c == "\x7f" or c < " " for c in link)
    )


def record_mail_viewed(mail: OutgoingMail, *, hidden: bool, actor: User) -> None:
    """Note that an operator opened a mail's text (or was refused it, for a one-time link)."""
    details = {"kind": mail.kind, "body_hidden": True} if hidden else {"kind": mail.kind}
    record_event("mail.viewed", mail, actor=actor, details=details)


def retry_failed_job(queue_name: str, job_id: str, *, actor: User) -> None:
    """Put a failed job back on its queue once this transaction (with its audit event) commits."""
    from core.jobs.monitor import failed_job

    job = failed_job(queue_name, job_id)
    if job is None:
        raise DomainError("this job is not in the failed list (it may have been retried already)", code="not_failed")
    record_event(
        "jobs.retried",
        ("rq_job", job_id),
        actor=actor,
        details={"queue": queue_name, "function": job.func_name},
    )
    call_after_commit(job.failed_job_registry.requeue, job_id)
