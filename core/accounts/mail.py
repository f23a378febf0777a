"""Mail from the accounts area: the invitation to a new role. It goes out through the jobs queue."""

from __future__ import annotations

from flask import current_app, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from core.accounts.models import SECOND_FACTOR_ROLES, Membership, User


def send_invitation(membership: Membership, new_account: bool, actor: User | None) -> None:
    """Tell the person about their new role (and how to choose a password) by mail, through the jobs queue."""
    try:
        from core.jobs.operations import send_mail
    except ImportError:  # the jobs area is not installed
        return
    from core.web import role_label

    user = membership.user
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    with force_locale(user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        body = render_template(
            "accounts/mail/invitation.txt",
            user=user,
            inviter=actor.name if actor is not None else _("The platform operator"),
            organisation=membership.organisation.name,
            role=role_label(membership.platform_role),
            new_account=new_account,
            reset_url=base + url_for("auth.reset_request"),
            login_url=base + url_for("auth.login"),
            second_factor=membership.platform_role in SECOND_FACTOR_ROLES,
        )
        subject = _("You have a new role on the platform")
    send_mail(user.email, subject, body, user=user, kind="invitation")

