"""HTML pages of the credit registry: public lookup, complaint form, firm file, supervisor desk."""

from flask import Blueprint

import credit.models  # noqa: F401  (registers the tables)

bp = Blueprint("credit", __name__, url_prefix="/credit", template_folder="../templates", static_folder="../static",
               static_url_path="/static")
