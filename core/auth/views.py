"""Sign-in pages."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import login_user, logout_user

from core.auth import operations as ops
from core.auth.forms import LoginForm
from core.authz import PUBLIC, SIGNED_IN, access
from core.extensions import db
from core.views import safe_next

bp = Blueprint("auth", __name__, url_prefix="/auth")


@bp.route("/login", methods=["GET", "POST"])
@access(PUBLIC)
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = ops.authenticate(form.email.data, form.password.data)
        if user is None:
            form.password.errors.append(_("The email address or password is not right."))
        else:
            session.clear()
            login_user(user)
            ops.record_login(user)
            db.session.commit()
            return redirect(safe_next(request.args.get("next"), url_for("core.dashboard")))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@access(SIGNED_IN)
def logout():
    logout_user()
    session.clear()
    flash(_("You have signed out."), "success")
    return redirect(url_for("core.home"))


@bp.get("/settings")
@access(SIGNED_IN)
def settings():
    return render_template("auth/settings.html")
