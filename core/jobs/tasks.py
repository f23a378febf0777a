"""RQ jobs: each takes ids, reloads its row under a lock and does nothing if it was done already."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from rq import Retry
from rq.job import Job

from core.db import db, utcnow
from core.extensions import rq
from core.jobs import mailer
from core.jobs.models import Notification, OutgoingMail

# SMTP trouble is retried with back-off by the scheduler (``flask rq worker --with-scheduler``);
# after the last attempt the job is in the failed list, where an operator can retry it.
# MAIL_RETRY_INTERVALS (seconds) overrides the back-off; an empty list fails at the first error.
DEFAULT_MAIL_RETRY_INTERVALS = (60, 300, 1800)
# A queued row older than this with no job in Redis was lost (Redis down at commit); resubmit it.
STALL_AFTER = timedelta(minutes=10)
SWEEP_BATCH = 200


def mail_retry() -> Retry | None:
    intervals = list(current_app.config.get("MAIL_RETRY_INTERVALS", DEFAULT_MAIL_RETRY_INTERVALS))
    return Retry(max=len(intervals), interval=intervals) if intervals else None


@rq.job(queue="mail")
def deliver_mail(mail_id: int) -> str:
    """Send one outgoing mail by SMTP, or keep it in the outbox when no MAIL_SERVER is set."""
    mail = db.session.get(OutgoingMail, mail_id, with_for_update=True)
    if mail is None:
        return "missing"
    if mail.sent_at is not None:
        db.session.rollback()
        return "already sent"
    config = current_app.config
    if config.get("MAIL_SERVER"):
        try:
            mailer.send_smtp(mail, config)
        except mailer.TRANSIENT_ERRORS as exc:
            db.session.rollback()
            _note_failure(mail_id, f"{type(exc).__name__}: {exc}")
            raise
        mail.transport = "smtp"
        mail.body = ""  # the server has it now; bodies may hold one-time links
    else:
        mail.transport = "outbox"
        if mail.sensitive and not mailer.outbox_shows_sensitive(config):
            mail.body = ""
            current_app.logger.warning("mail %s holds a one-time link and no MAIL_SERVER is set: not delivered", mail.id)
    mail.sent_at = utcnow()
    mail.attempts += 1
    mail.last_error = None
    db.session.commit()
    return mail.transport


def _note_failure(mail_id: int, error: str) -> None:
    db.session.execute(
        sa.update(OutgoingMail)
        .where(OutgoingMail.id == mail_id)
        .values(attempts=OutgoingMail.attempts + 1, last_error=error[:500])
    )
    db.session.commit()


@rq.job(queue="default")
def deliver_notification(notification_id: int) -> str:
    """Show a notification in its user's list and, if asked, queue its mail copy."""
    from core.jobs.operations import send_mail

    notification = db.session.get(Notification, notification_id, with_for_update=True)
    if notification is None:
        return "missing"
    if notification.delivered_at is not None:
        db.session.rollback()
        return "already delivered"
    notification.delivered_at = utcnow()
    user = notification.user
    if notification.mail_copy and notification.mail_id is None and user.active:
        subject, body = notification.text_for_recipient()  # in the recipient's language
        if notification.link:
            body = f"{body}\n\n{current_app.config['PUBLIC_BASE_URL'].rstrip('/')}{notification.link}".strip()
        notification.mail = send_mail(user.email, subject, body, user=user, kind="notification")
    db.session.commit()
    return "delivered"


@rq.job(queue="default")
def resubmit_stalled() -> int:
    """Resubmit mail and notifications whose job was lost; returns how many were resubmitted."""
    return resubmit_lost(older_than=STALL_AFTER)


def resubmit_lost(*, older_than: timedelta) -> int:
    """Resubmit undelivered rows older than ``older_than`` that have no job in Redis (safe twice: the
    jobs do nothing for a row already delivered)."""
    cutoff = utcnow() - older_than
    count = 0
    mails = db.session.scalars(
        sa.select(OutgoingMail)
        .where(OutgoingMail.sent_at.is_(None), OutgoingMail.created_at < cutoff)
        .order_by(OutgoingMail.id)
        .limit(SWEEP_BATCH)
    )
    for mail in mails:
        count += _resubmit(deliver_mail, mail.id, mail.job_id, retry=mail_retry())
    notifications = db.session.scalars(
        sa.select(Notification.id)
        .where(Notification.delivered_at.is_(None), Notification.created_at < cutoff)
        .order_by(Notification.id)
        .limit(SWEEP_BATCH)
    )
    for notification_id in notifications:
        count += _resubmit(deliver_notification, notification_id, f"notification-{notification_id}")
    db.session.rollback()
    return count


def _resubmit(job, row_id: int, job_id: str, **options) -> int:
    queue = rq.get_queue(job.queue)
    if Job.exists(job_id, connection=queue.connection):
        return 0  # still queued, running, scheduled for retry or failed (an operator retries that)
    job.enqueue(row_id, job_id=job_id, **options)
    return 1


@rq.job(queue="default")
def purge_expired_idempotency_keys() -> int:
    """Forget stored API responses whose Idempotency-Key has expired."""
    from core.idempotency import purge_expired

    removed = purge_expired()
    db.session.commit()
    return removed


@rq.job(queue="default")
def clear_sensitive_outbox_bodies() -> int:
    """Drop the bodies of sensitive mail kept in the outbox (embedded demo) once their links have expired."""
    cutoff = utcnow() - timedelta(seconds=mailer.SENSITIVE_OUTBOX_SECONDS)
    cleared = db.session.execute(
        sa.update(OutgoingMail)
        .where(OutgoingMail.sensitive.is_(True), OutgoingMail.sent_at.is_not(None), OutgoingMail.sent_at < cutoff)
        .where(OutgoingMail.body != "")
        .values(body="")
    ).rowcount
    db.session.commit()
    return cleared


@rq.job(queue="default")
def purge_login_throttle() -> int:
    """Delete sign-in and registration throttle rows older than the throttle window.

    Counts ignore such rows already; the sweep keeps the table small after a guessing or
    registration flood, which no successful sign-in (the other place that purges) may follow.
    """
    from core.auth.throttle import purge_expired

    removed = purge_expired()
    db.session.commit()
    return removed


# Periodic sweeps, run by ``flask rq cron`` (one such process per installation).
resubmit_stalled.cron_register(300)
purge_expired_idempotency_keys.cron_register(3600)
purge_login_throttle.cron_register(900)
clear_sensitive_outbox_bodies.cron_register(900)
