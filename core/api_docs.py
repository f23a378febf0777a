"""The API reference page, served with the app's own assets."""

from flask import Blueprint, render_template

from core.authz import PUBLIC, access

bp = Blueprint("api_docs", __name__)


@bp.get("/api/docs")
@access(PUBLIC)
def reference():
    return render_template("api_reference.html")
