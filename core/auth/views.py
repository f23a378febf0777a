"""Signing in (password, then the second factor), signing out, and password reset."""

from __future__ import annotations

import time

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from core.accounts.models import User, requires_second_factor
from core.auth import operations as ops
from core.auth import throttle
from core.auth.forms import LoginForm, ResetPasswordForm, ResetRequestForm, SecondFactorForm
from core.auth.mail import send_reset_mail
from core.auth.second_factor import check_second_factor
from core.authz import PUBLIC, SIGNED_IN, Denied, access
from core.errors import wants_problem_json
from core.extensions import db
from core.views import safe_next
from core.web import after_access_hooks, no_store

bp = Blueprint("auth", __name__, url_prefix="/auth")

PENDING_KEY = "pending_login"
PENDING_SECONDS = 300  # time allowed between the password step and the second-factor step


def client_address() -> str:
    return request.remote_addr or "unknown"


@bp.errorhandler(throttle.Throttled)
def throttled_page(exc: throttle.Throttled):
    current_app.logger.warning("refused by the sign-in throttle on %s until %s", request.endpoint, exc.retry_at)
    response = current_app.make_response(
        (render_template("auth/throttled.html", retry_at=exc.retry_at, minutes=-(-exc.retry_after // 60)), 429)
    )
    response.headers["Retry-After"] = str(exc.retry_after)
    return response


def _fresh_session() -> None:
    """Start a new session, keeping only the language chosen before signing in."""
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale


def complete_login(user: User, target: str, *, second_factor: str | None = None):
    """Start the signed-in session; this browser is remembered as a known device of the account."""
    _fresh_session()
    login_user(user)
    ops.record_login(user, second_factor=second_factor)
    if requires_second_factor(user) and not user.has_second_factor:
        target = url_for("auth.enrol")
    response = redirect(target)
    throttle.remember_device(response, user.email)
    return response


def pending_user() -> User | None:
    """The user who passed the password step moments ago and owes the second factor."""
    pending = session.get(PENDING_KEY)
    if not isinstance(pending, dict) or pending.get("until", 0) < time.time():
        return None
    user = db.session.get(User, pending.get("user"))
    if user is None or not user.active or user.session_epoch != pending.get("epoch") or not user.has_second_factor:
        return None
    return user


@bp.route("/login", methods=["GET", "POST"])
@access(PUBLIC)
@no_store
def login():
    if current_user.is_authenticated:
        return redirect(url_for("core.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        attempt = throttle.begin_attempt(throttle.sign_in_limits(email, client_address()))
        user = ops.authenticate(email, form.password.data)
        target = safe_next(request.args.get("next"), url_for("core.dashboard"))
        if user is None:
            ops.record_failed_login(email, stage="password")
            form.password.errors.append(_("The email address or password is not right."))
        elif user.has_second_factor:
            attempt.succeeded(clear=("account", "device"))
            _fresh_session()
            session[PENDING_KEY] = {
                "user": user.id,
                "epoch": user.session_epoch,
                "until": int(time.time()) + PENDING_SECONDS,
                "next": target,
            }
            return redirect(url_for("auth.second_factor"))
        else:
            attempt.succeeded(clear=("account", "device"))
            return complete_login(user, target)
    return render_template("auth/login.html", form=form)


@bp.route("/second-factor", methods=["GET", "POST"])
@access(PUBLIC)
@no_store
def second_factor():
    user = pending_user()
    if user is None:
        session.pop(PENDING_KEY, None)
        flash(_("Your sign-in took too long or was interrupted. Please sign in again."), "warning")
        return redirect(url_for("auth.login"))
    form = SecondFactorForm()
    if form.validate_on_submit():
        attempt = throttle.begin_attempt(throttle.limits(second_factor=str(user.id), address=client_address()))
        method = check_second_factor(user, form.code.data)
        if method is None:
            ops.record_failed_login(user.email, stage="second_factor")
            form.code.errors.append(_("The code is not right, or it has been used already. Wait for the next code and try again."))
        else:
            attempt.succeeded(clear=("second_factor",))
            target = session[PENDING_KEY]["next"]
            return complete_login(user, target, second_factor=method)
    return render_template("auth/second_factor.html", form=form)


@bp.post("/logout")
@access(SIGNED_IN)
def logout():
    ops.record_logout(current_user._get_current_object())
    logout_user()
    _fresh_session()
    flash(_("You have signed out."), "success")
    return redirect(url_for("core.home"))


@bp.route("/reset", methods=["GET", "POST"])
@access(PUBLIC)
@no_store
def reset_request():
    form = ResetRequestForm()
    if form.validate_on_submit():
        throttle.begin_attempt(throttle.limits(reset=client_address()))
        found = ops.request_password_reset(form.email.data)
        if found is not None:
            user, secret = found
            link = current_app.config["PUBLIC_BASE_URL"].rstrip("/") + url_for("auth.reset_password", token=secret)
            send_reset_mail(user, link)
        return render_template("auth/reset_sent.html", email=form.email.data.strip())
    return render_template("auth/reset_request.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
@access(PUBLIC)
@no_store
def reset_password(token: str):
    reset = ops.find_reset_token(token)
    if reset is None:
        return render_template("auth/reset_invalid.html"), 400
    form = ResetPasswordForm()
    form.email_for_rules = reset.user.email
    if form.validate_on_submit():
        ops.reset_password(reset, {"new_password": form.new_password.data})
        throttle.forget(throttle.limits(account=reset.user.email))
        flash(_("Your password has been changed. Sign in with your new password."), "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form)


# Pages a user who must use a second factor, and has none yet, may still reach.
ENROLMENT_ENDPOINTS = frozenset({"auth.enrol", "auth.logout", "core.set_language"})


def second_factor_gate() -> None:
    """After the access rule: a user who must have a second factor and has none may only enrol."""
    if not current_user.is_authenticated or request.endpoint in ENROLMENT_ENDPOINTS:
        return
    rule = g.get("access_rule")
    if rule is None or rule.public:
        return
    if current_user.has_second_factor or not requires_second_factor(current_user):
        return
    if g.get("token_scopes") is not None or wants_problem_json():
        raise Denied("second_factor_required")
    abort(redirect(url_for("auth.enrol")))


if second_factor_gate not in after_access_hooks:
    after_access_hooks.append(second_factor_gate)

from core.auth import settings_views  # noqa: E402,F401  (registers the account-settings routes on bp)
