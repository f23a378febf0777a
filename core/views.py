"""Home page, dashboard, language and role switching."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, redirect, render_template, request, session, url_for
from flask_login import current_user

from core.authz import PUBLIC, SIGNED_IN, access, active_membership
from core.extensions import db

bp = Blueprint("core", __name__)


def safe_next(target: str | None, default: str) -> str:
    """Only same-site relative paths are followed after a redirect."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


@bp.get("/")
@access(PUBLIC)
def home():
    return render_template("home.html")


@bp.get("/language/<lang>")
@access(PUBLIC)
def set_language(lang: str):
    from flask import current_app

    if lang not in current_app.config["LANGUAGES"]:
        abort(404)
    session["locale"] = lang
    if current_user.is_authenticated and current_user.locale != lang:
        current_user.locale = lang
        db.session.commit()
    return redirect(safe_next(request.args.get("next"), url_for("core.home")))


@bp.get("/dashboard")
@access(SIGNED_IN)
def dashboard():
    return render_template("dashboard.html", membership=active_membership())


@bp.route("/switch-role", methods=["GET", "POST"])
@access(SIGNED_IN)
def switch_role():
    memberships = current_user.active_memberships()
    if request.method == "POST":
        try:
            wanted = int(request.form.get("membership_id", ""))
        except ValueError:
            abort(400)
        if wanted not in {m.id for m in memberships}:
            abort(403)
        session["membership_id"] = wanted
        return redirect(url_for("core.dashboard"))
    return render_template("switch_role.html", memberships=memberships, current=active_membership())
