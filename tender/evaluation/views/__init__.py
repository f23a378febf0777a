"""Pages of the evaluation stage: the expert's own profile, the city bureau's pool, the public draw record."""

from flask import Blueprint

bp = Blueprint("evaluation", __name__, url_prefix="/evaluation", template_folder="../templates")


def dashboard_section(membership):
    """The dashboard's evaluation section (none yet)."""
    return None
