"""HTML pages of the credit registry: public lookup, complaint form, firm file, supervisor desk."""

from flask import Blueprint

import credit.models  # noqa: F401  (registers the tables)

bp = Blueprint("credit", __name__, url_prefix="/credit", template_folder="../templates", static_folder="../static",
               static_url_path="/static")

from credit.views import public  # noqa: E402,F401


@bp.context_processor
def credit_helpers():
    from credit.labels import label, stage_tag

    return {"credit_label": label, "stage_tag": stage_tag}


from credit.views import complaint  # noqa: E402,F401
from credit.views import supervisor  # noqa: E402,F401
from credit.views import firm as firm_views  # noqa: E402,F401
from credit.views import exchange as exchange_views  # noqa: E402,F401
from credit.views import admin as admin_views  # noqa: E402,F401
