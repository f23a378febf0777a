"""Organisation registration and verification pages."""

from flask import Blueprint, render_template

from core.authz import PUBLIC, access

bp = Blueprint("accounts", __name__)


@bp.get("/register")
@access(PUBLIC)
def register():
    return render_template("error.html", status=200, title="Register", detail=None)
