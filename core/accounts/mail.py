"""Mail from the accounts area: the invitation to a new role. It goes out through the jobs queue."""

from __future__ import annotations

from flask import current_app, render_template, url_for

from core.web import site_path
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from core.accounts.models import SECOND_FACTOR_ROLES, Membership, User


def _send(user: User, template: str, subject, kind: str, **values) -> None:
    """Render a mail in the recipient's language (``subject`` is a lazy string) and queue it."""
    from core.jobs.operations import send_mail

    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    with force_locale(user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        body = render_template(template, user=user, base=base, **values)
        send_mail(user.email, str(subject), body, user=user, kind=kind)


def send_registration_received(org, user: User) -> None:
    """Send the registrant the reference of their registration and what happens next."""
    from core.accounts.operations import bureau_for

    bureau = bureau_for(org.district_code)
    _send(user, "accounts/mail/registration_received.txt", _l("Your registration on the platform"), "registration", org=org, bureau=bureau.name if bureau else "",
          status_url=site_path("accounts.registration_status", reference=org.reference),
          login_url=site_path("auth.login"))


def send_address_in_use(user: User, organisation_name: str) -> None:
    """Tell an account holder that someone tried to register an organisation with their address."""
    _send(user, "accounts/mail/address_in_use.txt", _l("Someone tried to register with your address"),
          "registration_address_in_use", organisation=organisation_name,
          login_url=site_path("auth.login"), register_url=site_path("accounts.register"),
          reset_url=site_path("auth.reset_request"))


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

