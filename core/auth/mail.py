"""Mail sent by the sign-in area; it goes out through the jobs system (core.jobs)."""

from __future__ import annotations

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from core.accounts.models import User
from core.jobs.operations import send_mail


def send_reset_mail(user: User, link: str) -> None:
    """Queue the password-reset mail in the user's language.

    The link is a secret: it goes into the mail body only, never into a log line or audit event.
    """
    with force_locale(user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        subject = _("Reset your password")
        body = render_template(
            "auth/mail/reset.txt",
            user=user,
            link=link,
            minutes=current_app.config["PASSWORD_RESET_MAX_AGE"] // 60,
        )
    send_mail(user.email, subject, body, user=user, kind="password_reset", sensitive=True)
