"""Account settings pages: password, second factor, recovery codes, API tokens, language, sessions.

The views only validate, authorise, call the operations in :mod:`core.auth.operations`,
:mod:`core.auth.second_factor` and :mod:`core.auth.tokens`, and answer; the request commits.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_user, logout_user

from core.accounts.models import Role, requires_second_factor
from core.auth import operations as ops
from core.auth import second_factor as factor
from core.auth import throttle, tokens, totp
from core.auth.forms import (
    ApiTokenForm,
    ChangePasswordForm,
    ConfirmPasswordForm,
    ConfirmWithCodeForm,
    EmptyForm,
    EnrolForm,
    LanguageForm,
)
from core.auth.models import SCOPES, ApiToken
from core.auth.views import bp
from core.authz import SIGNED_IN, access, active_membership, routed_scopes
from core.db import utcnow
from core.requests import attempt as attempt_operation
from core.extensions import db
from core.security import check_password

ENROL_KEY = "second_factor_enrolment"

SCOPE_LABELS = {
    "account": lambda: _("Your own account: notifications and custodian keys"),
    "credit:read": lambda: _("Read credit records"),
    "tender:read": lambda: _("Read tenders"),
    "tender:write": lambda: _("Read and change tenders"),
    "admin": lambda: _("Administer (everything your role allows)"),
}


def _me():
    """The signed-in user itself (operations and audit events need the model, not the proxy)."""
    return current_user._get_current_object()


def _stay_signed_in() -> None:
    """Keep this session after the session epoch was raised (other sessions end)."""
    login_user(_me())


# Re-typed passwords and codes on these pages count against the same limits as signing in, so a
# stolen session cannot be used to guess the password or the second factor.


def _password_ok(user, password: str) -> bool:
    attempt = throttle.begin_attempt(throttle.limits(account=user.email))
    ok = check_password(user.password_hash, password)
    if ok:
        attempt.succeeded()
    return ok


def _code_ok(user, code: str) -> bool:
    attempt = throttle.begin_attempt(throttle.limits(second_factor=str(user.id)))
    ok = factor.check_second_factor(user, code) is not None
    if ok:
        attempt.succeeded()
    return ok


def _tokens_revoked_notice(count: int) -> None:
    if count:
        flash(
            ngettext(
                "%(num)s API token has been revoked as well: create a new one where a system still needs it.",
                "%(num)s API tokens have been revoked as well: create new ones where systems still need them.",
                count,
            ),
            "warning",
        )


@bp.get("/settings")
@access(SIGNED_IN)
def settings():
    user = _me()
    return render_template(
        "auth/settings.html",
        second_factor_required=requires_second_factor(user),
        recovery_codes_left=factor.recovery_codes_left(user) if user.has_second_factor else 0,
        token_count=sum(1 for t in tokens.tokens_of(user) if t.revoked_at is None),
        logout_form=EmptyForm(),
    )


@bp.route("/settings/password", methods=["GET", "POST"])
@access(SIGNED_IN)
def change_password():
    form = ChangePasswordForm()
    form.email_for_rules = current_user.email
    if form.validate_on_submit():
        attempt = throttle.begin_attempt(throttle.limits(account=current_user.email))
        changed = attempt_operation(form, ops.change_password, _me(), form.data, actor=_me())
        if changed:
            attempt.succeeded()
            _stay_signed_in()
            flash(_("Your password has been changed. Every other session has been signed out."), "success")
            _tokens_revoked_notice(changed.value)
            return redirect(url_for("auth.settings"))
    return render_template("auth/change_password.html", form=form)


@bp.route("/settings/language", methods=["GET", "POST"])
@access(SIGNED_IN)
def language():
    form = LanguageForm(locale=current_user.locale or current_app.config["BABEL_DEFAULT_LOCALE"])
    if form.validate_on_submit():
        ops.set_language(_me(), form.locale.data, actor=_me())
        session["locale"] = form.locale.data
        return redirect(url_for("auth.settings"))
    return render_template("auth/language.html", form=form)


@bp.post("/settings/logout-everywhere")
@access(SIGNED_IN)
def logout_everywhere():
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    revoked = ops.logout_everywhere(_me())
    logout_user()
    session.clear()
    flash(_("You have been signed out on every device, this one too."), "success")
    _tokens_revoked_notice(revoked)
    return redirect(url_for("auth.login"))


@bp.route("/second-factor/setup", methods=["GET", "POST"])
@access(SIGNED_IN)
def enrol():
    user = _me()
    if user.has_second_factor:
        return redirect(url_for("auth.settings"))
    # The secret waits in the (signed) session until a code from it is confirmed: showing the page
    # writes nothing, and the user, who reads the secret on the page anyway, is the only one who has it.
    pending = session.get(ENROL_KEY)
    if not isinstance(pending, dict) or pending.get("user") != user.id:
        pending = {"user": user.id, "secret": factor.new_enrolment_secret(user)}
        session[ENROL_KEY] = pending
    secret = pending["secret"]
    form = EnrolForm()
    if form.validate_on_submit():
        enrolled = attempt_operation(form, factor.confirm_enrolment, user, secret, form.code.data, actor=user)
        if enrolled:
            session.pop(ENROL_KEY, None)
            _stay_signed_in()
            flash(_("The second factor is on. You will be asked for a code each time you sign in."), "success")
            return render_template("auth/recovery_codes.html", codes=enrolled.value)
    uri = totp.provisioning_uri(secret, user.email, _("Shanghai Property Tendering"))
    return render_template(
        "auth/enrol.html",
        form=form,
        qr=totp.qr_data_uri(uri),
        secret=totp.group(secret),
        required=requires_second_factor(user),
    )


@bp.route("/settings/second-factor/<any(replace, turn_off):action>", methods=["GET", "POST"])
@access(SIGNED_IN)
def remove_second_factor(action: str):
    """Move to a new authenticator app (replace) or stop using one (turn_off, where allowed)."""
    user = _me()
    if not user.has_second_factor:
        return redirect(url_for("auth.enrol"))
    if action == "turn_off" and requires_second_factor(user):
        abort(403)
    form = ConfirmWithCodeForm()
    if form.validate_on_submit():
        if not _password_ok(user, form.password.data):
            form.password.errors.append(_("Your password is not right."))
        elif not _code_ok(user, form.code.data):
            form.code.errors.append(_("The code is not right, or it has been used already. Wait for the next code and try again."))
        else:
            factor.disable_second_factor(user, actor=user)
            if action == "replace":
                return redirect(url_for("auth.enrol"))
            flash(_("The second factor is off."), "success")
            return redirect(url_for("auth.settings"))
    return render_template("auth/remove_second_factor.html", form=form, action=action)


@bp.route("/settings/recovery-codes", methods=["GET", "POST"])
@access(SIGNED_IN)
def recovery_codes():
    if not current_user.has_second_factor:
        return redirect(url_for("auth.enrol"))
    form = ConfirmPasswordForm()
    if form.validate_on_submit():
        if _password_ok(_me(), form.password.data):
            codes = factor.regenerate_recovery_codes(_me(), actor=_me())
            return render_template("auth/recovery_codes.html", codes=codes)
        form.password.errors.append(_("Your password is not right."))
    return render_template(
        "auth/new_recovery_codes.html", form=form, left=factor.recovery_codes_left(current_user)
    )


def _scope_choices() -> list[tuple[str, str]]:
    membership = active_membership()
    may_admin = membership is not None and (membership.is_admin or membership.platform_role == Role.OPERATOR)
    # Only scopes some route takes: a token that reaches nothing would only mislead.
    offered = routed_scopes()
    return [(s, SCOPE_LABELS[s]()) for s in SCOPES if s in offered and (s != "admin" or may_admin)]


@bp.route("/settings/tokens", methods=["GET", "POST"])
@access(SIGNED_IN)
def api_tokens():
    membership = active_membership()
    form = ApiTokenForm()
    form.scopes.choices = _scope_choices()
    if form.days.data is None and not form.is_submitted():
        form.days.data = 90
    created = None
    if membership is None:
        form.form_errors.append(_("You have no role in an organisation, so you cannot create API tokens."))
    elif form.validate_on_submit():
        token, secret = tokens.create_token(membership, form.data, actor=_me())
        created = (token, secret)
        form = None
    return render_template(
        "auth/tokens.html",
        form=form,
        created=created,
        tokens=tokens.tokens_of(current_user),
        revoke_form=EmptyForm(),
        scope_labels=SCOPE_LABELS,
        membership=membership,
        now=utcnow(),
    )


@bp.post("/settings/tokens/<int:token_id>/revoke")
@access(SIGNED_IN)
def revoke_api_token(token_id: int):
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != current_user.id:
        abort(404)
    # Revoking twice leaves it revoked; say so below as for the first time.
    attempt_operation(None, tokens.revoke_token, token, actor=_me())
    flash(_("The token “%(name)s” has been revoked.", name=token.name), "success")
    return redirect(url_for("auth.api_tokens"))
