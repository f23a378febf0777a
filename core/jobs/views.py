"""Pages: a user's notifications; the operators' view of the job queues and the mail outbox."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from redis.exceptions import RedisError

from core.accounts.models import Role
from core.authz import SIGNED_IN, access, roles
from core.db import db
from core.jobs import mailer, monitor
from core.jobs import operations as ops
from core.jobs.api import delivered_to, unread_count
from core.jobs.models import Notification, OutgoingMail
from core.auth.forms import EmptyForm
from core.requests import attempt
from core.pagination import paginate

bp = Blueprint("jobs", __name__)

OPERATOR = roles(Role.OPERATOR)
PAGE_SIZE = 50


@bp.app_context_processor
def notification_count():
    def unread_notification_count() -> int:
        return unread_count(current_user) if current_user.is_authenticated else 0

    return {"unread_notification_count": unread_notification_count}


@bp.get("/notifications")
@access(SIGNED_IN)
def notifications():
    page = paginate(delivered_to(current_user).order_by(Notification.delivered_at.desc(), Notification.id.desc()),
                    per_page=PAGE_SIZE)
    return render_template(
        "jobs/notifications.html",
        items=page.items,
        page=page,
        unread=unread_count(current_user),
    )


@bp.post("/notifications/<int:notification_id>/read")
@access(SIGNED_IN)
def read_notification(notification_id: int):
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.user_id != current_user.id:
        abort(404)
    ops.mark_read(notification, actor=current_user)
    if request.form.get("open") and notification.link:
        return redirect(notification.link)
    return redirect(url_for("jobs.notifications"))


@bp.post("/notifications/read-all")
@access(SIGNED_IN)
def read_all_notifications():
    changed = ops.mark_all_read(actor=current_user)
    if changed:
        flash(_("All notifications are marked as read."), "success")
    return redirect(url_for("jobs.notifications"))


@bp.get("/operator/jobs")
@access(OPERATOR)
def queues():
    try:
        states = monitor.queue_states()
    except RedisError:
        current_app.logger.exception("the job queue cannot be reached")
        return render_template("jobs/queues.html", queues=[], states=monitor.STATES, unreachable=True), 503
    return render_template("jobs/queues.html", queues=states, states=monitor.STATES)


@bp.get("/operator/jobs/<queue>/<job_id>")
@access(OPERATOR)
def job(queue: str, job_id: str):
    found = monitor.job_detail(queue, job_id)
    if found is None:
        abort(404)
    return render_template(
        "jobs/job.html", job=found, queue=queue, status=found.get_status().value, error=monitor.error_text(found)
    )


@bp.post("/operator/jobs/<queue>/<job_id>/retry")
@access(OPERATOR)
def retry(queue: str, job_id: str):
    if not attempt(None, ops.retry_failed_job, queue, job_id, actor=current_user):
        flash(_("This job is not in the failed list any more; it may have been retried already."), "warning")
        return redirect(url_for("jobs.queues"))
    flash(_("The job is back on its queue."), "success")
    return redirect(url_for("jobs.queues"))


@bp.get("/operator/outbox")
@access(OPERATOR)
def outbox():
    page = paginate(sa.select(OutgoingMail).order_by(OutgoingMail.id.desc()), per_page=PAGE_SIZE)
    return render_template(
        "jobs/outbox.html",
        mails=page.items,
        page=page,
        smtp=bool(current_app.config.get("MAIL_SERVER")),
    )


class _WithoutBody:
    """A mail as operators may see it when its body holds a live secret: everything but the body."""

    body = ""

    def __init__(self, mail: OutgoingMail) -> None:
        self._mail = mail

    def __getattr__(self, name: str):
        return getattr(self._mail, name)


def _mail(mail_id: int) -> OutgoingMail:
    mail = db.session.get(OutgoingMail, mail_id)
    if mail is None:
        abort(404)
    return mail


@bp.get("/operator/outbox/<int:mail_id>")
@access(OPERATOR)
def outbox_mail(mail_id: int):
    """The mail's envelope (recipient, times, status); its text only through the audited POST below."""
    return render_template("jobs/mail.html", mail=_WithoutBody(_mail(mail_id)), opened=False,
                           form=EmptyForm())


@bp.post("/operator/outbox/<int:mail_id>/read")
@access(OPERATOR)
def read_outbox_mail(mail_id: int):
    """Show a mail's text: a deliberate act, recorded in the audit trail (bodies may carry links)."""
    mail = _mail(mail_id)
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    hidden = mail.sensitive and not mailer.outbox_shows_sensitive(current_app.config)
    ops.record_mail_viewed(mail, hidden=hidden, actor=current_user)
    if hidden:
        flash(_("This mail holds a one-time link, such as a password reset: its text is not shown."), "warning")
    response = make_response(render_template("jobs/mail.html", mail=_WithoutBody(mail) if hidden else mail,
                                             opened=True, form=form))
    response.headers["Cache-Control"] = "no-store"
    return response
